/**
 * `take(count)`: the first `count` values, then the end. The source is released as soon as the
 * `count`-th value is handed over (not when the consumer asks again), and `take(0)` never opens it.
 * Holds nothing.
 */
import { positiveIntegerOrZero } from "./options.js";
import { SourceOperator, type OperatorStream } from "./operator.js";

export function take(count: number): <T>(source: AsyncIterable<T>) => OperatorStream<T> {
  const limit = positiveIntegerOrZero("take count", count);
  return <T>(source: AsyncIterable<T>) => new Take(source, limit);
}

class Take<T> extends SourceOperator<T, T> {
  private left: number;

  constructor(source: AsyncIterable<T>, count: number) {
    super(source);
    this.left = count;
  }

  protected override open(): void {
    if (this.left === 0) this.end();
  }

  protected accept(value: T): void {
    this.left -= 1;
    this.emit(value);
    if (this.left === 0) this.end();
  }
}
