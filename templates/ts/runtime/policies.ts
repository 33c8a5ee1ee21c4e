/**
 * Every runtime policy with its default, in one place. Each is also a named option where it applies
 * (`stream(name, { buffer, overflow })`, `createRedisTransport({ maxQueuedPublishes, … })`); the
 * code that enforces a policy reads it from here when the option is absent.
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
}

export const runtimeDefaults: RuntimePolicies = {
  streamBuffer: 1024,
  streamOverflow: "error",
  maxQueuedPublishes: 1000,
  publishQueueTimeout: 10_000,
};

/** `value`, checked to be a positive integer, or the default. */
export function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${option} must be a positive integer, got ${String(value)}`);
  return value;
}
