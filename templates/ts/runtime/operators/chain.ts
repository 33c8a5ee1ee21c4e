/**
 * `chain(...sources)`: concatenation — the values of the stream it is applied to, then those of each
 * source in turn, each read to its end before the next is opened. A source may be an async iterable,
 * an iterable (an array), or a function returning either, called only when its turn comes (so a
 * `() => bus.stream(…)` subscribes only then). Holds one source iterator at a time.
 *
 * `return()` or an error releases the source being read and every later source that is already an
 * iterator of its own (a `bus.stream()` made beforehand: its subscription is dropped); functions not
 * yet called are never called. Errors end the stream with that error after the values before it.
 */
import { OperatorIterator, SKIP, SourceReader, type OperatorStream } from "./operator.js";

/** One source of `chain`: read when its turn comes. */
export type ChainSource<T> = AsyncIterable<T> | Iterable<T> | (() => AsyncIterable<T> | Iterable<T>);

/** The values a `ChainSource` gives. */
export type ChainElement<S> = S extends () => infer I ? ChainElement<I> : S extends AsyncIterable<infer T> ? T : S extends Iterable<infer T> ? T : never;

export function chain<S extends readonly ChainSource<unknown>[]>(...sources: S): <A>(source: AsyncIterable<A>) => OperatorStream<A | ChainElement<S[number]>> {
  return <A>(source: AsyncIterable<A>) => new Chain<A | ChainElement<S[number]>>(source, sources as readonly ChainSource<A | ChainElement<S[number]>>[]);
}

class Chain<T> extends OperatorIterator<T> {
  private readonly first: SourceReader<T>;
  /** Sources after the first, not yet opened. */
  private readonly later: ChainSource<T>[];
  private firstDone = false;
  private current: Iterator<T> | AsyncIterator<T> | undefined;
  private currentIsAsync = false;
  private reading = false;

  constructor(first: AsyncIterable<T>, later: readonly ChainSource<T>[]) {
    super();
    this.first = SourceReader.of(first);
    this.later = [...later];
  }

  protected open(): void {}

  protected demand(): void {
    if (!this.reading) void this.pump();
  }

  private async pump(): Promise<void> {
    this.reading = true;
    try {
      while (this.live && this.waiting > 0) {
        if (!this.firstDone) {
          const result = await this.first.read();
          if (!this.live) return;
          if (result.done === true) {
            this.firstDone = true;
            this.first.release();
            continue;
          }
          const step = this.first.step;
          const value = step === undefined ? (result.value as T) : step(result.value);
          if (value !== SKIP && this.live) this.emit(value);
          continue;
        }
        if (this.current === undefined) {
          const next = this.later.shift();
          if (next === undefined) {
            this.end();
            return;
          }
          const iterable = typeof next === "function" ? next() : next;
          if (typeof (iterable as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === "function") {
            this.current = (iterable as AsyncIterable<T>)[Symbol.asyncIterator]();
            this.currentIsAsync = true;
          } else {
            this.current = (iterable as Iterable<T>)[Symbol.iterator]();
            this.currentIsAsync = false;
          }
        }
        const result = this.currentIsAsync ? await (this.current as AsyncIterator<T>).next() : (this.current as Iterator<T>).next();
        if (!this.live) return;
        if (result.done === true) this.current = undefined;
        else this.emit(result.value);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.reading = false;
    }
  }

  protected release(): void {
    this.first.release();
    const current = this.current;
    this.current = undefined;
    // A later source that is an iterator of its own (a bus stream made beforehand) holds a subscription now.
    const pending = this.later.splice(0).filter((source) => typeof source !== "function" && typeof (source as { return?: unknown }).return === "function") as unknown as { return(): unknown }[];
    for (const iterator of current === undefined ? pending : [current as { return?(): unknown }, ...pending]) {
      try {
        const ended: unknown = iterator.return?.();
        if (typeof (ended as { then?: unknown } | undefined)?.then === "function") (ended as Promise<unknown>).then(undefined, () => {});
      } catch {
        // A source whose return() throws is released as far as it can be.
      }
    }
  }
}
