/**
 * Every runtime policy with its default, in one place. Each is also a named option where it applies
 * (`stream(name, { buffer, overflow })`, `createRedisTransport({ maxQueuedPublishes, … })`,
 * `createRedisStreamTransport({ maxLen, … })`); the code that enforces a policy reads it from here
 * when the option is absent.
 */

/**
 * What a stream does when an event arrives and its buffer is full (the consumer is behind):
 * - `drop-oldest`: discard the oldest buffered event, keep the new one (a live view that may skip);
 * - `drop-newest`: discard the arriving event, keep what is buffered;
 * - `error`: end the stream — the buffered events are still yielded, then the iterator throws a
 *   `BusError` with code `stream-lagged`. Nothing is skipped silently.
 * Dropped events are counted in the stream's `dropped`.
 */
export type OverflowPolicy = "drop-oldest" | "drop-newest" | "error";

export interface RuntimePolicies {
  /** stream(): events held for a consumer that has not asked for them yet. */
  readonly streamBuffer: number;
  /** stream(): what happens when that buffer is full. */
  readonly streamOverflow: OverflowPolicy;
  /**
   * Redis: publishes held while the publisher connection is down. Past this many, a publish is
   * rejected at once (`publish-failed`), so an outage costs bounded memory and is never silent.
   */
  readonly maxQueuedPublishes: number;
  /** Redis: milliseconds a held publish waits for the connection to come back before it is rejected. */
  readonly publishQueueTimeout: number;
  /**
   * Redis Streams: the retention window, in entries per channel — each XADD trims its stream with
   * `MAXLEN ~ streamMaxLen` (at least this many newest entries are kept; Redis trims in whole nodes,
   * so somewhat more may be). A reader further behind than this gets a gap.
   */
  readonly streamMaxLen: number;
  /** Redis Streams: entries read per stream by one XREAD (its COUNT). */
  readonly streamReadCount: number;
  /**
   * Redis Streams: milliseconds one blocking XREAD waits for new entries (its BLOCK) before it is
   * issued again. The reader is woken at once for a new subscription or close(); this bounds how long
   * that can take when the wake-up cannot reach it (a reconnect, a `CLIENT` command refused by ACL).
   */
  readonly streamBlockTimeout: number;
}

export const runtimeDefaults: RuntimePolicies = {
  streamBuffer: 1024,
  streamOverflow: "error",
  maxQueuedPublishes: 1000,
  publishQueueTimeout: 10_000,
  streamMaxLen: 10_000,
  streamReadCount: 500,
  streamBlockTimeout: 1000,
};

/** `value`, checked to be a positive integer, or the default. */
export function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${option} must be a positive integer, got ${String(value)}`);
  return value;
}
