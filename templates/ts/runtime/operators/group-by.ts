/**
 * `groupBy(key, { maxGroups, size, idle })`: the values gathered by `key(value)` (compared as `Map`
 * keys) into groups `{ key, values }`, each emitted as soon as it closes — never after reading the
 * whole source, so it works on an endless one. A group closes when it holds `size` values, when no
 * value of its key arrived for `idle` ms, when a value of a new key arrives while `maxGroups` groups
 * are open (the least recently active closes first), or when the source ends (every open group,
 * least recently active first). A later value of a closed group's key opens a new group.
 *
 * This is grouping as batches per key, not RxJS's nested streams: there is no group stream to leave
 * unread (the leak of RxJS's groupBy without a duration selector), and one consumer reads everything.
 * Bounds: at most `maxGroups` open groups of at most `size` values (defaults `operatorDefaults.groupMax`
 * 1,000, `groupSize` 100, `groupIdle` 1,000 ms). Ordering: values within a group keep the source's
 * order; groups come out in the order they close. Errors (a throwing `key`, the source): every open
 * group is emitted, then the error. `return()` drops the open groups. The idle timer is released when
 * the stream ends.
 */
import { startTimer } from "../core/platform.js";
import { operatorDefaults } from "../core/policies.js";
import { positiveInteger } from "./options.js";
import { SourceOperator, type Operator } from "./operator.js";

export interface Group<K, T> {
  readonly key: K;
  /** The group's values, in the source's order (at least one). */
  readonly values: T[];
}

export interface GroupByOptions {
  /** Groups open at once. Default `operatorDefaults.groupMax` (1,000). */
  readonly maxGroups?: number;
  /** Values in one group. Default `operatorDefaults.groupSize` (100). */
  readonly size?: number;
  /** Milliseconds without a value after which a group closes. Default `operatorDefaults.groupIdle` (1,000). */
  readonly idle?: number;
}

export function groupBy<T, K>(key: (value: T) => K, options: GroupByOptions = {}): Operator<T, Group<K, T>> {
  const maxGroups = positiveInteger("groupBy maxGroups", options.maxGroups, operatorDefaults.groupMax);
  const size = positiveInteger("groupBy size", options.size, operatorDefaults.groupSize);
  const idle = positiveInteger("groupBy idle", options.idle, operatorDefaults.groupIdle);
  return (source) => new GroupBy(source, key, maxGroups, size, idle);
}

interface OpenGroup<T> {
  values: T[];
  /** When its last value arrived (`Date.now()`). */
  lastAt: number;
}

class GroupBy<T, K> extends SourceOperator<T, Group<K, T>> {
  /** Open groups, least recently active first (a group is moved to the end by each value). */
  private groups = new Map<K, OpenGroup<T>>();
  private cancelTimer: (() => void) | undefined;

  constructor(
    source: AsyncIterable<T>,
    private readonly key: (value: T) => K,
    private readonly maxGroups: number,
    private readonly size: number,
    private readonly idle: number,
  ) {
    super(source);
  }

  protected accept(value: T): void {
    const key = this.key(value);
    if (!this.live) return; // the key function ended the chain (an abort)
    const now = Date.now();
    let group = this.groups.get(key);
    if (group === undefined) {
      if (this.groups.size >= this.maxGroups) this.closeGroup(this.groups.keys().next().value as K);
      group = { values: [], lastAt: now };
    } else this.groups.delete(key);
    group.values.push(value);
    group.lastAt = now;
    if (group.values.length >= this.size) this.emit({ key, values: group.values });
    else {
      this.groups.set(key, group);
      if (this.cancelTimer === undefined) this.cancelTimer = startTimer(this.idle, this.onTimer);
    }
  }

  /** Emits the open group of `key`. */
  private closeGroup(key: K): void {
    const group = this.groups.get(key);
    if (group === undefined) return;
    this.groups.delete(key);
    this.emit({ key, values: group.values });
  }

  protected override finish(): void {
    this.flush();
    this.end();
  }

  /** Emits every open group, least recently active first. */
  protected override flush(): void {
    for (const key of [...this.groups.keys()]) this.closeGroup(key);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    if (!this.live) return;
    const now = Date.now();
    for (const [key, group] of this.groups) {
      if (group.lastAt + this.idle > now) {
        this.cancelTimer = startTimer(Math.max(1, group.lastAt + this.idle - now), this.onTimer);
        return;
      }
      this.closeGroup(key);
    }
  };

  protected override release(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.groups = new Map();
    super.release();
  }
}
