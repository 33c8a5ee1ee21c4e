/**
 * `window(options)`: a sliding window over the values — after each value, an array of the most recent
 * ones, oldest first, the value itself last:
 * - by count, `window({ size, every })`: the last `size` values (fewer until `size` arrived), emitted
 *   after every `every`-th value (default 1: after each);
 * - by time, `window({ duration, max })`: the values that arrived within the last `duration` ms
 *   (measured on arrival, not from envelope times), at most the `max` newest (default
 *   `operatorDefaults.windowMax`, 10,000), emitted after each value.
 * Each emitted array is new (the consumer may keep it). Bounds: `size` values, or `max` values and
 * nothing older than `duration` — a timer drops expired values while the source is silent, and is
 * released when the stream ends. For windows that do not overlap (each value once), use `batch`.
 * Errors end the stream with that error after the windows already emitted; `return()` drops the window.
 */
import { startTimer } from "../core/platform.js";
import { operatorDefaults } from "../core/policies.js";
import { positiveInteger } from "./options.js";
import { SourceOperator, type OperatorStream } from "./operator.js";

export type WindowOptions =
  | {
      /** Values in a window. */
      readonly size: number;
      /** Emit after every `every`-th value. Default 1. */
      readonly every?: number;
      readonly duration?: undefined;
    }
  | {
      /** Milliseconds a value stays in the window. */
      readonly duration: number;
      /** Values in a window at most (the newest kept). Default `operatorDefaults.windowMax` (10,000). */
      readonly max?: number;
      readonly size?: undefined;
    };

export function window(options: WindowOptions): <T>(source: AsyncIterable<T>) => OperatorStream<T[]> {
  if ((options.size === undefined) === (options.duration === undefined)) throw new RangeError("window takes a size or a duration (one of them)");
  if (options.duration !== undefined) {
    const duration = positiveInteger("window duration", options.duration, 0);
    const max = positiveInteger("window max", options.max, operatorDefaults.windowMax);
    return <T>(source: AsyncIterable<T>) => new TimeWindow(source, duration, max);
  }
  const size = positiveInteger("window size", options.size, 0);
  const every = positiveInteger("window every", options.every, 1);
  return <T>(source: AsyncIterable<T>) => new CountWindow(source, size, every);
}

class CountWindow<T> extends SourceOperator<T, T[]> {
  private values: T[] = [];
  private count = 0;

  constructor(
    source: AsyncIterable<T>,
    private readonly size: number,
    private readonly every: number,
  ) {
    super(source);
  }

  protected accept(value: T): void {
    if (this.values.length === this.size) this.values.shift();
    this.values.push(value);
    this.count += 1;
    if (this.count === this.every) {
      this.count = 0;
      this.emit(this.values.slice());
    }
  }

  protected override release(): void {
    this.values = [];
    super.release();
  }
}

class TimeWindow<T> extends SourceOperator<T, T[]> {
  private values: T[] = [];
  /** Arrival time of each value in `values`. */
  private times: number[] = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    source: AsyncIterable<T>,
    private readonly duration: number,
    private readonly max: number,
  ) {
    super(source);
  }

  protected accept(value: T): void {
    const now = Date.now();
    this.expire(now);
    if (this.values.length === this.max) {
      this.values.shift();
      this.times.shift();
    }
    this.values.push(value);
    this.times.push(now);
    if (this.cancelTimer === undefined) this.cancelTimer = startTimer(this.duration, this.onTimer);
    this.emit(this.values.slice());
  }

  /** Drops the values that arrived `duration` ms or more before `now`. */
  private expire(now: number): void {
    let expired = 0;
    while (expired < this.times.length && (this.times[expired] as number) <= now - this.duration) expired += 1;
    if (expired > 0) {
      this.values.splice(0, expired);
      this.times.splice(0, expired);
    }
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    if (!this.live) return;
    const now = Date.now();
    this.expire(now);
    const oldest = this.times[0];
    if (oldest !== undefined) this.cancelTimer = startTimer(Math.max(1, oldest + this.duration - now), this.onTimer);
  };

  protected override release(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.values = [];
    this.times = [];
    super.release();
  }
}
