/**
 * `join(other, { key, otherKey, within, max })`: pairs `[left, right]` of a value of the stream it is
 * applied to (left) and a value of `other` (right) whose keys are equal (`Map` keys), both within a
 * window — an inner join of two live streams. Both sides are read at once, as values come (never one
 * side first): a value arriving on one side is paired with each value of the other side still in the
 * window, oldest first, then kept in its own side's window. A value stays in its window for `within`
 * ms after it arrived and among the `max` newest of its side (defaults `operatorDefaults.joinWithin`
 * 10 s and `joinMax` 1,000), so each pair is emitted once, by the later of its two values.
 *
 * Bounds: at most `max` values per side, none older than `within` (a timer drops them while both
 * sides are silent), and at most `max` pairs ready for the consumer (a value pairs with at most `max`
 * others; the sides are read again only when those are taken). Ends when both sides have ended.
 * Errors of either side or of a key function: the pairs already made are read, then the error; both
 * sides are released. `return()` releases both at once.
 */
import { startTimer } from "../core/platform.js";
import { operatorDefaults } from "../core/policies.js";
import { positiveInteger } from "./options.js";
import { OperatorIterator, SKIP, SourceReader, type Operator } from "./operator.js";

export interface JoinOptions<A, B, K> {
  /** The key of a left value (of the stream `join` is applied to). */
  readonly key: (left: A) => K;
  /** The key of a right value (of `other`). */
  readonly otherKey: (right: B) => K;
  /** Milliseconds a value can be paired after it arrived. Default `operatorDefaults.joinWithin` (10,000). */
  readonly within?: number;
  /** Values per side that can be paired (the newest). Default `operatorDefaults.joinMax` (1,000). */
  readonly max?: number;
}

export function join<A, B, K>(other: AsyncIterable<B>, options: JoinOptions<A, B, K>): Operator<A, [A, B]> {
  const within = positiveInteger("join within", options.within, operatorDefaults.joinWithin);
  const max = positiveInteger("join max", options.max, operatorDefaults.joinMax);
  return (source) => new Join(source, other, options.key, options.otherKey, within, max);
}

interface Kept<V, K> {
  readonly value: V;
  readonly key: K;
  readonly at: number;
}

/** One side of the join: its reader and its window (arrival order, and by key). */
class Side<V, K> {
  readonly reader: SourceReader<V>;
  reading = false;
  ended = false;
  /** The window in arrival order. */
  kept: Kept<V, K>[] = [];
  /** The window by key, each list in arrival order. */
  byKey = new Map<K, Kept<V, K>[]>();

  constructor(
    source: AsyncIterable<V>,
    readonly keyOf: (value: V) => K,
  ) {
    this.reader = SourceReader.of(source);
  }

  add(entry: Kept<V, K>, max: number): void {
    if (this.kept.length === max) this.dropOldest();
    this.kept.push(entry);
    const list = this.byKey.get(entry.key);
    if (list === undefined) this.byKey.set(entry.key, [entry]);
    else list.push(entry);
  }

  /** Drops what arrived `within` ms or more before `now`. */
  expire(now: number, within: number): void {
    while (this.kept.length > 0 && (this.kept[0] as Kept<V, K>).at <= now - within) this.dropOldest();
  }

  private dropOldest(): void {
    const oldest = this.kept.shift();
    if (oldest === undefined) return;
    const list = this.byKey.get(oldest.key);
    // The oldest of the side is the oldest of its key.
    list?.shift();
    if (list?.length === 0) this.byKey.delete(oldest.key);
  }

  clear(): void {
    this.kept = [];
    this.byKey = new Map();
  }
}

class Join<A, B, K> extends OperatorIterator<[A, B]> {
  private readonly left: Side<A, K>;
  private readonly right: Side<B, K>;
  private cancelTimer: (() => void) | undefined;

  constructor(
    source: AsyncIterable<A>,
    other: AsyncIterable<B>,
    key: (left: A) => K,
    otherKey: (right: B) => K,
    private readonly within: number,
    private readonly max: number,
  ) {
    super();
    this.left = new Side(source, key);
    this.right = new Side(other, otherKey);
  }

  protected open(): void {}

  protected demand(): void {
    if (!this.left.reading && !this.left.ended) void this.pump(this.left, true);
    if (!this.right.reading && !this.right.ended) void this.pump(this.right, false);
  }

  /** Reads one side while the consumer waits and no pair is ready. */
  private async pump<V>(side: Side<V, K>, isLeft: boolean): Promise<void> {
    side.reading = true;
    try {
      while (this.live && this.waiting > 0 && this.readyCount === 0) {
        const result = await side.reader.read();
        if (!this.live) return;
        if (result.done === true) {
          side.ended = true;
          side.reader.release();
          if (this.left.ended && this.right.ended) this.end();
          return;
        }
        const step = side.reader.step;
        const value = step === undefined ? (result.value as V) : step(result.value);
        if (value === SKIP || !this.live) continue;
        this.arrive(side, value, isLeft);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      side.reading = false;
    }
    // The other side may have stopped reading because a pair was ready; it resumes on the next demand.
  }

  private arrive<V>(side: Side<V, K>, value: V, isLeft: boolean): void {
    const key = side.keyOf(value);
    if (!this.live) return; // the key function ended the chain (an abort)
    const now = Date.now();
    this.left.expire(now, this.within);
    this.right.expire(now, this.within);
    if (isLeft) {
      for (const match of this.right.byKey.get(key) ?? []) this.emit([value as unknown as A, match.value]);
    } else {
      for (const match of this.left.byKey.get(key) ?? []) this.emit([match.value, value as unknown as B]);
    }
    side.add({ value, key, at: now }, this.max);
    if (this.cancelTimer === undefined) this.cancelTimer = startTimer(this.within, this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    if (!this.live) return;
    const now = Date.now();
    this.left.expire(now, this.within);
    this.right.expire(now, this.within);
    const oldest = Math.min(this.left.kept[0]?.at ?? Infinity, this.right.kept[0]?.at ?? Infinity);
    if (oldest !== Infinity) this.cancelTimer = startTimer(Math.max(1, oldest + this.within - now), this.onTimer);
  };

  protected release(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.left.clear();
    this.right.clear();
    this.left.reader.release();
    this.right.reader.release();
  }
}
