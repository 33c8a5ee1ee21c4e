/**
 * Reconnection delays for a client of a live channel: a random delay up to `initialMs · 2^failures`,
 * capped at `maxMs` ("full jitter"), so clients that lost one server do not meet it again all at
 * once. Every attempt that ends counts as a failure unless the connection stayed healthy (live for
 * `healthyAfterMs`, say): only `reset()` starts the count over, so a server that accepts and drops at
 * once is met with a growing delay.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  /** Failed attempts in a row. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts one more failure and returns the delay before the next attempt, in milliseconds. */
  fail(): number {
    const bound = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures += 1;
    return Math.floor(Math.random() * bound);
  }

  /** The connection proved healthy: the next failure waits as little as the first. */
  reset(): void {
    this.#failures = 0;
  }
}
