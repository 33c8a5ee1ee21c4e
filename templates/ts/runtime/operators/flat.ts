/**
 * `flat()`: each value that is an iterable (an array, a `batch`'s output, a `Set`, a generator) or an
 * async iterable, replaced by its elements in order — one level deep. Holds one inner iterator at a
 * time, read as the consumer asks (an inner async iterable is opened when its turn comes and released
 * by `return()` like the source). Errors of the source or of an inner iterable end the stream with
 * that error, after the elements before it.
 */
import { SourceReader, OperatorIterator, SKIP, type OperatorStream } from "./operator.js";

/** What `flat` takes: arrays and any iterable or async iterable. */
export type Flattenable<T> = Iterable<T> | AsyncIterable<T>;

export function flat(): <T>(source: AsyncIterable<Flattenable<T>>) => OperatorStream<T> {
  return <T>(source: AsyncIterable<Flattenable<T>>) => new Flat(source);
}

class Flat<T> extends OperatorIterator<T> {
  private readonly source: SourceReader<Flattenable<T>>;
  private inner: Iterator<T> | undefined;
  private innerAsync: AsyncIterator<T> | undefined;
  private reading = false;

  constructor(source: AsyncIterable<Flattenable<T>>) {
    super();
    this.source = SourceReader.of(source);
  }

  protected open(): void {}

  protected demand(): void {
    if (!this.reading) void this.pump();
  }

  private async pump(): Promise<void> {
    this.reading = true;
    try {
      while (this.live && this.waiting > 0) {
        if (this.inner !== undefined) {
          const result = this.inner.next();
          if (result.done === true) this.inner = undefined;
          else this.emit(result.value);
          continue;
        }
        if (this.innerAsync !== undefined) {
          const result = await this.innerAsync.next();
          if (!this.live) return;
          if (result.done === true) this.innerAsync = undefined;
          else this.emit(result.value);
          continue;
        }
        const result = await this.source.read();
        if (!this.live) return;
        if (result.done === true) {
          this.end();
          return;
        }
        const step = this.source.step;
        const value = step === undefined ? (result.value as Flattenable<T>) : step(result.value);
        if (value === SKIP || !this.live) continue;
        if (typeof (value as Partial<Iterable<T>>)[Symbol.iterator] === "function") this.inner = (value as Iterable<T>)[Symbol.iterator]();
        else if (typeof (value as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === "function") this.innerAsync = (value as AsyncIterable<T>)[Symbol.asyncIterator]();
        else throw new TypeError(`flat() takes iterables and async iterables, got ${value === null ? "null" : typeof value}`);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.reading = false;
    }
  }

  protected release(): void {
    const inner = this.inner;
    const innerAsync = this.innerAsync;
    this.inner = undefined;
    this.innerAsync = undefined;
    try {
      inner?.return?.();
      void innerAsync?.return?.()?.then(undefined, () => {});
    } catch {
      // An inner iterator whose return() throws is released as far as it can be.
    }
    this.source.release();
  }
}
