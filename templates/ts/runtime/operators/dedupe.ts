/**
 * `dedupe({ key, capacity, ttl })`: each value whose key was not seen before, in order; a value whose
 * key is remembered is dropped. Keys are envelope ids by default (`value.id`), or `key(value)`,
 * compared as `Map` keys (`===`, NaN equal to itself).
 *
 * Bounds: a key is remembered for `ttl` ms from its first sighting (a duplicate does not extend it),
 * and at most `capacity` keys at once — past it the oldest is forgotten. So a duplicate further apart
 * than `ttl` ms or `capacity` distinct keys passes again. Defaults `operatorDefaults.dedupeTtl`
 * (60 s) and `operatorDefaults.dedupeCapacity` (10,000). Expired keys are dropped as values arrive
 * and by a timer while the source is silent, released when the stream ends.
 * Errors (a throwing `key`, the source) end the stream with that error; `return()` forgets every key.
 */
import { startTimer } from "../core/platform.js";
import { operatorDefaults } from "../core/policies.js";
import { positiveInteger } from "./options.js";
import { SourceOperator, type Operator, type OperatorStream } from "./operator.js";

export interface DedupeOptions<T, K> {
  /** The key of a value. Default: its `id` (an envelope's id). */
  readonly key?: (value: T) => K;
  /** Keys remembered at once. Default `operatorDefaults.dedupeCapacity` (10,000). */
  readonly capacity?: number;
  /** Milliseconds a key is remembered from its first sighting. Default `operatorDefaults.dedupeTtl` (60,000). */
  readonly ttl?: number;
}

export function dedupe(options?: Omit<DedupeOptions<never, never>, "key">): <T extends { readonly id: string }>(source: AsyncIterable<T>) => OperatorStream<T>;
export function dedupe<T, K>(options: DedupeOptions<T, K> & { readonly key: (value: T) => K }): Operator<T, T>;
export function dedupe<T, K>(options: DedupeOptions<T, K> = {}): Operator<T, T> {
  const key = options.key ?? ((value: T) => (value as { readonly id: string }).id as K);
  const capacity = positiveInteger("dedupe capacity", options.capacity, operatorDefaults.dedupeCapacity);
  const ttl = positiveInteger("dedupe ttl", options.ttl, operatorDefaults.dedupeTtl);
  return (source) => new Dedupe(source, key, capacity, ttl);
}

class Dedupe<T, K> extends SourceOperator<T, T> {
  /** Remembered keys. */
  private seen = new Set<K>();
  /**
   * The same keys in order of first sighting — so also of expiry — with when each expires: a ring of
   * `capacity` slots (a `Map` emptied from its front slows down as it skips what was deleted).
   */
  private keys: (K | undefined)[] = [];
  private expiries: number[] = [];
  private oldest = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(
    source: AsyncIterable<T>,
    private readonly key: (value: T) => K,
    private readonly capacity: number,
    private readonly ttl: number,
  ) {
    super(source);
  }

  protected accept(value: T): void {
    const key = this.key(value);
    if (!this.live) return; // the key function ended the chain (an abort)
    const now = Date.now();
    this.expire(now);
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.capacity) this.forgetOldest();
    const slot = (this.oldest + this.seen.size) % this.capacity;
    this.keys[slot] = key;
    this.expiries[slot] = now + this.ttl;
    this.seen.add(key);
    if (this.cancelTimer === undefined) this.cancelTimer = startTimer(this.ttl, this.onTimer);
    this.emit(value);
  }

  private forgetOldest(): void {
    this.seen.delete(this.keys[this.oldest] as K);
    this.keys[this.oldest] = undefined;
    this.oldest = (this.oldest + 1) % this.capacity;
  }

  /** Forgets the keys expired at `now` (they are the oldest). */
  private expire(now: number): void {
    while (this.seen.size > 0 && (this.expiries[this.oldest] as number) <= now) this.forgetOldest();
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    if (!this.live) return;
    const now = Date.now();
    this.expire(now);
    if (this.seen.size > 0) this.cancelTimer = startTimer(Math.max(1, (this.expiries[this.oldest] as number) - now), this.onTimer);
  };

  protected override release(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.seen = new Set();
    this.keys = [];
    this.expiries = [];
    super.release();
  }
}
