/**
 * Publishes held while a Redis transport's publishing connection is down, for both Redis transports:
 * kept in order, at most `maxQueuedPublishes` of them, each for `publishQueueTimeout` ms — past its
 * deadline a publish is rejected (`publish-failed`) — and sent in order once the connection is back
 * (`flush`, before anything published after). `rejectAll` settles every one when the transport
 * closes or the connection ends for good. One timer at most: the earliest deadline's.
 */
import { BusError } from "../../core/errors.js";
import { startTimer } from "../../core/platform.js";

interface Held {
  readonly channel: string;
  readonly text: string;
  readonly deadline: number;
  resolve(): void;
  reject(error: Error): void;
}

export interface HeldPublishesSettings {
  readonly maxQueued: number;
  readonly timeoutMs: number;
  /** Sends one publish now that the connection is back. */
  readonly send: (channel: string, text: string) => Promise<void>;
  /** How errors name a channel: `"a.b"`, or `channel "a.b"`. */
  readonly name: (channel: string) => string;
}

export class HeldPublishes {
  readonly #settings: HeldPublishesSettings;
  #held: Held[] = [];
  #cancelTimer: (() => void) | undefined;
  readonly #expire = (): void => {
    this.#cancelTimer = undefined;
    const now = Date.now();
    const { timeoutMs, name } = this.#settings;
    while (this.#held.length > 0 && (this.#held[0] as Held).deadline <= now) {
      const entry = this.#held.shift() as Held;
      entry.reject(new BusError("publish-failed", `Did not publish on ${name(entry.channel)}: Redis stayed unreachable for ${timeoutMs} ms (publishQueueTimeout).`, { channel: entry.channel }));
    }
    this.#arm();
  };

  constructor(settings: HeldPublishesSettings) {
    this.#settings = settings;
  }

  get size(): number {
    return this.#held.length;
  }

  /** Holds a publish until `flush`; rejected at once when `maxQueued` already wait. */
  hold(channel: string, text: string): Promise<void> {
    const { maxQueued, timeoutMs, name } = this.#settings;
    if (this.#held.length >= maxQueued) {
      return Promise.reject(
        new BusError("publish-failed", `Did not publish on ${name(channel)}: Redis is unreachable and ${this.#held.length} publishes already wait for it (maxQueuedPublishes).`, { channel }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#held.push({ channel, text, deadline: Date.now() + timeoutMs, resolve, reject });
      this.#arm();
    });
  }

  /** Sends every held publish, in order. */
  flush(): void {
    if (this.#held.length === 0) return;
    for (const entry of this.#take()) this.#settings.send(entry.channel, entry.text).then(entry.resolve, entry.reject);
  }

  /** Rejects every held publish with the error `reason` gives for its channel. */
  rejectAll(reason: (channel: string) => BusError): void {
    for (const entry of this.#take()) entry.reject(reason(entry.channel));
  }

  #take(): Held[] {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const taken = this.#held;
    this.#held = [];
    return taken;
  }

  #arm(): void {
    const first = this.#held[0];
    if (this.#cancelTimer !== undefined || first === undefined) return;
    this.#cancelTimer = startTimer(Math.max(0, first.deadline - Date.now()), this.#expire);
  }
}
