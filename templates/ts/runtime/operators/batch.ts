/**
 * `batch({ size, maxWait })`: the values as arrays, in order, each emitted when it holds `size`
 * values, or `maxWait` ms after its first value arrived (the source may be silent meanwhile), or
 * when the source ends (the last, partial batch). Never an empty batch.
 *
 * Bounds: holds at most `size` values in the batch being filled, plus at most one finished batch
 * the consumer has not asked for yet (one that `maxWait` closed). Defaults `operatorDefaults.batchSize`
 * (100) and `operatorDefaults.batchWait` (50 ms).
 * Ordering: the source's. Errors: the partial batch is emitted, then the error. `return()` discards
 * the partial batch. The one timer is released when the stream ends, whatever ends it.
 */
import { startTimer } from "../core/platform.js";
import { operatorDefaults } from "../core/policies.js";
import { positiveInteger } from "./options.js";
import { SourceOperator, type OperatorStream } from "./operator.js";

export interface BatchOptions {
  /** Values per batch. Default `operatorDefaults.batchSize` (100). */
  readonly size?: number;
  /** Milliseconds after its first value at which a batch is emitted, full or not. Default `operatorDefaults.batchWait` (50). */
  readonly maxWait?: number;
}

export function batch(options: BatchOptions = {}): <T>(source: AsyncIterable<T>) => OperatorStream<T[]> {
  const size = positiveInteger("batch size", options.size, operatorDefaults.batchSize);
  const maxWait = positiveInteger("batch maxWait", options.maxWait, operatorDefaults.batchWait);
  return <T>(source: AsyncIterable<T>) => new Batch(source, size, maxWait);
}

class Batch<T> extends SourceOperator<T, T[]> {
  private items: T[] = [];
  /** When the batch being filled got its first value (`Date.now()`). */
  private startedAt = 0;
  /**
   * The timer, armed for the oldest batch's deadline. A batch emitted full does not cancel it: when
   * it fires it re-arms for the batch then filling, so a flood of full batches sets no timer each.
   */
  private cancelTimer: (() => void) | undefined;

  constructor(
    source: AsyncIterable<T>,
    private readonly size: number,
    private readonly maxWait: number,
  ) {
    super(source);
  }

  protected accept(value: T): void {
    if (this.items.length === 0) {
      this.startedAt = Date.now();
      if (this.cancelTimer === undefined) this.cancelTimer = startTimer(this.maxWait, this.onTimer);
    }
    this.items.push(value);
    if (this.items.length >= this.size) this.flush();
  }

  protected override finish(): void {
    this.flush();
    this.end();
  }

  /** Emits the batch being filled, if it has anything. */
  protected override flush(): void {
    if (this.items.length === 0) return;
    const full = this.items;
    this.items = [];
    this.emit(full);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    if (!this.live || this.items.length === 0) return;
    const left = this.startedAt + this.maxWait - Date.now();
    if (left > 0) this.cancelTimer = startTimer(left, this.onTimer);
    else this.flush();
  };

  protected override release(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.items = [];
    super.release();
  }
}
