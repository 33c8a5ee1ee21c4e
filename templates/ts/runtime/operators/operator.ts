/**
 * What every stream operator shares: the iterator it returns, how it reads its source, and how it
 * ends. The contract, for every operator of this folder:
 *
 * - **Lazy.** An operator does nothing when it is applied: its source is opened
 *   (`[Symbol.asyncIterator]()`) by the first `next()`, and not before — a chain that is never
 *   iterated subscribes to nothing and holds nothing.
 * - **`return()` settles at once.** `return()` (a `break` out of `for await`) answers every pending
 *   `next()` with `done`, releases what the operator holds (values, timers) and calls its source
 *   iterator's `return()` at once — never after a pending read of the source. (An `async function*`
 *   cannot do this: its `return()` waits behind a pending `next()`; so no operator is one.) A source
 *   whose own `return()` waits — an async generator blocked in an `await` — ends when its `await`
 *   does; the operator has already answered its consumer.
 * - **Errors go down, after what came before them.** A source that throws, or a callback of the
 *   chain that throws (a `map` projection, a `filter` predicate, a key function), ends the operator:
 *   what it already produced is read first, then `next()` rejects with that error (once; `done`
 *   after), and the source iterator is released.
 * - **Demand-driven.** An operator reads its source only while its consumer waits for a value (at
 *   most one read in flight per source), so what it holds is bounded by its own options.
 *
 * `filter` and `map` are steps without state of their own beyond their callback: applied to a source
 * not yet read, one after the other, they fuse into one `FusedStream` (one read of the source per
 * value, their callbacks called in a row), and any operator reading a `FusedStream` applies its steps
 * inline instead of awaiting a stream per stage.
 */
import type { AbortSignalLike } from "../core/platform.js";

/** The async iterator every operator returns: iterable once, by `for await` or by hand. */
export interface OperatorStream<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  /** Ends the stream: pending `next()`s settle `done` at once, the source is released. */
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncIterator](): OperatorStream<T>;
}

/** A stream operator: a source in, a stream out (lazy: nothing happens before the first `next()`). */
export type Operator<A, B> = (source: AsyncIterable<A>) => OperatorStream<B>;

/** A terminal operator (`toArray`, `reduce`): a source in, a promise of one result out. */
export type Terminal<A, R> = (source: AsyncIterable<A>, signal?: AbortSignalLike) => Promise<R>;

/** What a fused step returns for a value it drops. */
export const SKIP: unique symbol = Symbol("skip");

/** The fused steps of `filter` and `map`: a value of the source in, the value out or `SKIP`. */
export type Step<T> = (value: unknown) => T | typeof SKIP;

export const DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

/** Does nothing: for a source's `return()` promise, whose failure has no one left to tell. */
const ignore = (): void => {};

/**
 * One source of an operator, read through the steps of the `filter`s and `map`s fused before it.
 * Opened on first read, released once (its iterator's `return()`).
 */
export class SourceReader<T> {
  private readonly origin: AsyncIterable<unknown>;
  /** Applies the fused steps; undefined when the source is read as it is. */
  readonly step: Step<T> | undefined;
  private iterator: AsyncIterator<unknown> | undefined;
  private released = false;

  constructor(origin: AsyncIterable<unknown>, step: Step<T> | undefined) {
    this.origin = origin;
    this.step = step;
  }

  /** A reader of `source`: through its fused steps when it is a `FusedStream` not yet read. */
  static of<T>(source: AsyncIterable<T>): SourceReader<T> {
    const fused = fusedParts(source);
    return fused === undefined ? new SourceReader<T>(source, undefined) : new SourceReader(fused.origin, fused.step);
  }

  /** Reads the next value of the source (not yet through the steps: `apply` them). */
  read(): Promise<IteratorResult<unknown>> {
    if (this.iterator === undefined) {
      if (this.released) return Promise.resolve(DONE);
      this.iterator = this.origin[Symbol.asyncIterator]();
    }
    return this.iterator.next();
  }

  /**
   * Calls the source iterator's `return()`, once; never waits for it. A source never opened is
   * released too when it is an iterator of its own (a `bus.stream()`: its subscription is dropped);
   * an iterable that makes an iterator per `for await` holds nothing until opened.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    const iterator = this.iterator ?? (typeof (this.origin as Partial<AsyncIterator<unknown>>).return === "function" ? (this.origin as unknown as AsyncIterator<unknown>) : undefined);
    this.iterator = undefined;
    if (iterator?.return === undefined) return;
    try {
      const ended = iterator.return();
      // A rejected return() has no one left to tell: the consumer has ended the chain.
      if (typeof (ended as { then?: unknown } | undefined)?.then === "function") ended.then(ignore, ignore);
    } catch {
      // As above: a source whose return() throws is released as far as it can be.
    }
  }
}

/**
 * The base of every operator's iterator: the consumer's side (pending `next()`s, values produced and
 * not yet asked for, the end or error after them) and the one release path. An operator implements
 * `open` (the first `next()`), `demand` (a `next()` is waiting and nothing is ready) and `release`
 * (free sources, timers and held values; called once, whatever ends the stream).
 */
export abstract class OperatorIterator<T> implements OperatorStream<T> {
  private readonly waiters: Waiter<T>[] = [];
  private readonly ready: T[] = [];
  private phase: "new" | "open" | "ending" | "failing" | "closed" = "new";
  private failure: unknown;

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.ready.length > 0) return Promise.resolve({ done: false, value: this.ready.shift() as T });
    if (this.phase === "new") {
      this.phase = "open";
      try {
        this.open();
      } catch (error) {
        this.fail(error);
      }
    }
    switch (this.phase) {
      case "ending":
        this.close();
        return Promise.resolve(DONE);
      case "failing": {
        const error = this.failure;
        this.close();
        return Promise.reject(error);
      }
      case "open": {
        const pending = new Promise<IteratorResult<T, undefined>>((resolve, reject) => this.waiters.push({ resolve, reject }));
        this.demand();
        return pending;
      }
      default:
        return Promise.resolve(DONE);
    }
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): OperatorStream<T> {
    return this;
  }

  /** Whether the consumer's first `next()` has opened the stream. */
  get started(): boolean {
    return this.phase !== "new";
  }

  /** Still producing: opened, not ended, failed or returned. */
  protected get live(): boolean {
    return this.phase === "open";
  }

  /** `next()` calls waiting for a value. */
  protected get waiting(): number {
    return this.waiters.length;
  }

  /** Values produced and not yet asked for. */
  protected get readyCount(): number {
    return this.ready.length;
  }

  /** Hands `value` to the first waiting `next()`, or keeps it for the next one. */
  protected emit(value: T): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ done: false, value });
    else this.ready.push(value);
  }

  /** The operator has nothing more: once what is ready is read, `done`. Releases at once. */
  protected end(): void {
    if (this.phase !== "open") return;
    this.release();
    if (this.ready.length > 0) {
      this.phase = "ending";
      return;
    }
    this.phase = "closed";
    for (const waiter of this.waiters.splice(0)) waiter.resolve(DONE);
  }

  /** The operator failed: once what is ready is read, `next()` rejects with `error`. Releases at once. */
  protected fail(error: unknown): void {
    if (this.phase !== "open") return;
    this.release();
    if (this.ready.length > 0 || this.waiters.length === 0) {
      this.phase = "failing";
      this.failure = error;
      return;
    }
    this.phase = "closed";
    // Someone waiting means nothing is ready: the first gets the error, anyone behind it the end.
    this.waiters.shift()?.reject(error);
    for (const waiter of this.waiters.splice(0)) waiter.resolve(DONE);
  }

  /** Ends the stream from the consumer's side (`return()`, an abort): what is ready is discarded, nothing more is read. */
  protected close(): void {
    // Never opened is released too: a source that is an iterator of its own (a bus stream) is dropped.
    const held = this.phase === "open" || this.phase === "new";
    this.phase = "closed";
    this.ready.length = 0;
    this.failure = undefined;
    if (held) this.release();
    for (const waiter of this.waiters.splice(0)) waiter.resolve(DONE);
  }

  protected abstract open(): void;
  protected abstract demand(): void;
  protected abstract release(): void;
}

/**
 * An operator that reads one source, a value at a time, while its consumer waits: `accept` gets each
 * value (through the fused steps) and `finish` the source's end; a throw from either, from a step or
 * from the source ends the operator with that error, after `flush` has emitted what it held.
 */
export abstract class SourceOperator<A, T> extends OperatorIterator<T> {
  protected readonly source: SourceReader<A>;
  private reading = false;

  constructor(source: AsyncIterable<A> | SourceReader<A>) {
    super();
    this.source = source instanceof SourceReader ? source : SourceReader.of(source);
  }

  protected open(): void {}

  protected demand(): void {
    if (!this.reading) void this.pump();
  }

  protected release(): void {
    this.source.release();
  }

  /** Takes one value of the source. */
  protected abstract accept(value: A): void;

  /** The source ended: emit what is held, then `end()` (the default: nothing held). */
  protected finish(): void {
    this.end();
  }

  /** Before an error goes down: emit what is held (the default: nothing held). */
  protected flush(): void {}

  /** Reads while someone waits and nothing is ready. */
  private async pump(): Promise<void> {
    this.reading = true;
    const step = this.source.step;
    try {
      while (this.live && this.waiting > 0 && this.readyCount === 0) {
        const result = await this.source.read();
        if (!this.live) return;
        if (result.done === true) {
          this.finish();
          return;
        }
        if (step === undefined) this.accept(result.value as A);
        else {
          const value = step(result.value);
          // A step may have ended the chain (a callback that aborted it).
          if (value !== SKIP && this.live) this.accept(value);
        }
      }
    } catch (error) {
      if (this.live) {
        this.flush();
        this.fail(error);
      }
    } finally {
      this.reading = false;
    }
  }
}

/**
 * `filter` and `map` over a source: the source read through one composed step. Applied to a
 * `FusedStream` not yet read, `filter` and `map` make a new one over the same origin.
 */
export class FusedStream<T> extends SourceOperator<T, T> {
  readonly origin: AsyncIterable<unknown>;
  readonly step: Step<T>;

  constructor(origin: AsyncIterable<unknown>, step: Step<T>) {
    super(new SourceReader(origin, step));
    this.origin = origin;
    this.step = step;
  }

  protected accept(value: T): void {
    this.emit(value);
  }
}

/** The origin and the steps so far of `source`, when it is a `FusedStream` not yet read. */
export function fusedParts<T>(source: AsyncIterable<T>): { readonly origin: AsyncIterable<unknown>; readonly step: Step<T> } | undefined {
  return source instanceof FusedStream && !source.started ? { origin: source.origin, step: source.step as Step<T> } : undefined;
}
