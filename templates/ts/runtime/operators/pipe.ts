/**
 * `pipe(source, op1, …, opN, options?)`: applies the operators in order — `opN(…op1(source))` — and
 * returns what the last one returns: a stream, or a promise for a terminal operator (`toArray`,
 * `reduce`). Typed through the chain for up to 10 operators (nest `pipe`s for more). Applying them
 * does nothing yet: the source is opened by the first `next()` (or by the terminal operator).
 *
 * `options.signal` ends the whole chain when it aborts:
 * - a stream result: pending `next()`s settle `done` at once, every operator releases what it holds
 *   (values, timers; a partial batch is dropped, not emitted) and the source is released; a signal
 *   aborted before the first `next()` means the source is never opened;
 * - a terminal result: the promise rejects with the signal's reason and the source is released.
 * Errors go the other way on their own: a throwing callback or source ends every operator after it
 * with that error, and `return()` on the result releases every operator before it.
 */
import type { AbortSignalLike } from "../core/platform.js";
import { SourceOperator, type OperatorStream } from "./operator.js";

export interface PipeOptions {
  /** Ends the chain when aborted (see above). */
  readonly signal?: AbortSignalLike;
}

/** An operator as `pipe` takes it: what it returns is the next operator's source. */
export type Stage<A, B> = (source: AsyncIterable<A>) => AsyncIterable<B>;
/** The last operator of a `pipe`: a stream operator or a terminal one. */
export type Last<A, R> = (source: AsyncIterable<A>, signal?: AbortSignalLike) => R;

// The overloads go from the most operators to the fewest: TypeScript fixes the type of a callback's
// parameter in the first overload it tries, so the one that matches must come first.
export function pipe<A, B, C, D, E, F, G, H, I, J, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Stage<D, E>, op5: Stage<E, F>, op6: Stage<F, G>, op7: Stage<G, H>, op8: Stage<H, I>, op9: Stage<I, J>, op10: Last<J, R>, options?: PipeOptions): R;
export function pipe<A, B, C, D, E, F, G, H, I, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Stage<D, E>, op5: Stage<E, F>, op6: Stage<F, G>, op7: Stage<G, H>, op8: Stage<H, I>, op9: Last<I, R>, options?: PipeOptions): R;
export function pipe<A, B, C, D, E, F, G, H, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Stage<D, E>, op5: Stage<E, F>, op6: Stage<F, G>, op7: Stage<G, H>, op8: Last<H, R>, options?: PipeOptions): R;
export function pipe<A, B, C, D, E, F, G, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Stage<D, E>, op5: Stage<E, F>, op6: Stage<F, G>, op7: Last<G, R>, options?: PipeOptions): R;
export function pipe<A, B, C, D, E, F, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Stage<D, E>, op5: Stage<E, F>, op6: Last<F, R>, options?: PipeOptions): R;
export function pipe<A, B, C, D, E, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Stage<D, E>, op5: Last<E, R>, options?: PipeOptions): R;
export function pipe<A, B, C, D, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Stage<C, D>, op4: Last<D, R>, options?: PipeOptions): R;
export function pipe<A, B, C, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Stage<B, C>, op3: Last<C, R>, options?: PipeOptions): R;
export function pipe<A, B, R>(source: AsyncIterable<A>, op1: Stage<A, B>, op2: Last<B, R>, options?: PipeOptions): R;
export function pipe<A, R>(source: AsyncIterable<A>, op1: Last<A, R>, options?: PipeOptions): R;
export function pipe(source: AsyncIterable<unknown>, ...rest: (Last<unknown, unknown> | PipeOptions | undefined)[]): unknown {
  const last = rest[rest.length - 1];
  const options = typeof last === "function" || last === undefined ? {} : last;
  const operators = rest.filter((item): item is Last<unknown, unknown> => typeof item === "function");
  if (operators.length === 0) throw new TypeError("pipe takes a source and at least one operator");
  let current: AsyncIterable<unknown> = source;
  for (const operator of operators.slice(0, -1)) current = operator(current) as AsyncIterable<unknown>;
  const final = operators[operators.length - 1] as Last<unknown, unknown>;
  const signal = options.signal;
  if (signal === undefined) return final(current);
  const result = final(current, signal);
  if (typeof (result as { then?: unknown }).then === "function") return result;
  return new AbortableStream(result as AsyncIterable<unknown>, signal);
}

/** A stream that ends, releasing its source, when a signal aborts. */
class AbortableStream<T> extends SourceOperator<T, T> implements OperatorStream<T> {
  constructor(
    source: AsyncIterable<T>,
    private readonly signal: AbortSignalLike,
  ) {
    super(source);
  }

  protected override open(): void {
    if (this.signal.aborted) this.close();
    else this.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  private readonly onAbort = (): void => this.close();

  protected accept(value: T): void {
    this.emit(value);
  }

  protected override release(): void {
    this.signal.removeEventListener("abort", this.onAbort);
    super.release();
  }
}
