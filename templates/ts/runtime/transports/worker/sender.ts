/**
 * The sending side of a Worker transport: publishes go out while the peer has granted credit, one
 * `pubs` message per turn of the event loop (transports/worker/protocol.ts); past the credit they are held, in order,
 * at most `maxQueued` of them, and the overflow policy decides what a full hold does:
 * - `"error"` (default): the new publish is rejected (`publish-failed`);
 * - `"drop-oldest"`: the oldest held publish is let go — its promise resolves, it is counted as
 *   dropped — and the new one is held;
 * - `"drop-newest"`: the new publish is let go (resolved, counted).
 * `postMessage` itself queues without limit; credit is what bounds the memory a slow or stuck peer
 * costs this side. `rejectAll` settles every held publish when the link ends.
 */
import { BusError } from "../../core/errors.js";
import { acceptedNow, runLater } from "../../core/platform.js";
import type { OverflowPolicy } from "../../core/policies.js";

interface Held {
  readonly channel: string;
  readonly envelope: unknown;
  readonly transfer: readonly unknown[] | undefined;
  resolve(): void;
  reject(error: Error): void;
}

export interface SenderSettings {
  readonly maxQueued: number;
  readonly overflow: OverflowPolicy;
  /** Posts one `pubs` message: its channels and envelopes in order, and what they transfer. */
  readonly post: (channels: string[], envelopes: unknown[], transfer: unknown[]) => void;
  /** The first drop of a run is told here. */
  readonly report: (error: BusError) => void;
}

export class CreditedSender {
  readonly #settings: SenderSettings;
  /** Publishes the peer takes now; capped at its window. */
  #credit = 0;
  #window = 0;
  /** Held publishes, oldest first, as an array with a moving head. */
  #held: (Held | undefined)[] = [];
  #head = 0;
  /** What goes out at the end of this turn. */
  #channels: string[] = [];
  #envelopes: unknown[] = [];
  #transfer: unknown[] = [];
  #flushing = false;
  #dropped = 0;
  #reportedDrop = false;
  readonly #flush = (): void => {
    this.#flushing = false;
    if (this.#channels.length === 0) return;
    const channels = this.#channels;
    const envelopes = this.#envelopes;
    const transfer = this.#transfer;
    this.#channels = [];
    this.#envelopes = [];
    this.#transfer = [];
    this.#settings.post(channels, envelopes, transfer);
  };

  constructor(settings: SenderSettings) {
    this.#settings = settings;
  }

  /** Publishes held for credit. */
  get held(): number {
    return this.#held.length - this.#head;
  }

  /** Publishes let go by a `drop-*` policy so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The peer's hello: its window, all of it granted. */
  open(window: number): void {
    this.#window = window;
    this.grant(window);
  }

  /** The peer delivered `n` more: that many more may go. */
  grant(n: number): void {
    this.#credit = Math.min(this.#window, this.#credit + n);
    while (this.#credit > 0 && this.held > 0) {
      const next = this.#shift();
      this.#queue(next.channel, next.envelope, next.transfer);
      next.resolve();
    }
    if (this.held === 0) this.#reportedDrop = false;
  }

  send(channel: string, envelope: unknown, transfer: readonly unknown[] | undefined): Promise<void> {
    if (this.#credit > 0 && this.held === 0) {
      this.#queue(channel, envelope, transfer);
      return acceptedNow;
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Held = { channel, envelope, transfer, resolve, reject };
      if (this.held < this.#settings.maxQueued) {
        this.#held.push(entry);
        return;
      }
      switch (this.#settings.overflow) {
        case "error":
          reject(new BusError("publish-failed", `Did not publish on channel "${channel}": the other side holds ${this.#settings.maxQueued} publishes it has not taken (maxQueuedPublishes); it is not reading.`, { channel }));
          return;
        case "drop-newest":
          this.#drop(channel);
          resolve();
          return;
        case "drop-oldest": {
          const oldest = this.#shift();
          this.#drop(oldest.channel);
          oldest.resolve();
          this.#held.push(entry);
          return;
        }
      }
    });
  }

  /** Settles every held publish with `error` (the link ended). */
  rejectAll(error: (channel: string) => Error): void {
    while (this.held > 0) {
      const entry = this.#shift();
      entry.reject(error(entry.channel));
    }
    this.#credit = 0;
    this.#channels = [];
    this.#envelopes = [];
    this.#transfer = [];
  }

  #queue(channel: string, envelope: unknown, transfer: readonly unknown[] | undefined): void {
    this.#credit -= 1;
    this.#channels.push(channel);
    this.#envelopes.push(envelope);
    if (transfer !== undefined) for (const item of transfer) this.#transfer.push(item);
    if (!this.#flushing) {
      this.#flushing = true;
      // At the end of the turn, so a producer that awaits each publish still sends one message per turn.
      runLater(this.#flush);
    }
  }

  #shift(): Held {
    const entry = this.#held[this.#head] as Held;
    this.#held[this.#head] = undefined;
    this.#head += 1;
    if (this.#head === this.#held.length) {
      this.#held = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#held.length) {
      this.#held = this.#held.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  #drop(channel: string): void {
    this.#dropped += 1;
    if (this.#reportedDrop) return;
    this.#reportedDrop = true;
    this.#settings.report(new BusError("publish-failed", `Dropped a publish on channel "${channel}": the other side holds ${this.#settings.maxQueued} publishes it has not taken (maxQueuedPublishes, overflow "${this.#settings.overflow}").`, { channel }));
  }
}
