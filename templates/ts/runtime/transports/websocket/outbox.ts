/**
 * The publishes of a WebSocket spoke (transports/websocket.ts), as one object: those sent to the hub
 * and not yet answered (at most `maxInFlight`, the window), and those held — while the connection is
 * down, or while the window is full — in order, at most `maxQueued` of them, each for at most
 * `timeoutMs`. A publish past either bound is rejected (`publish-failed`) with a message that says
 * which; nothing is dropped silently.
 *
 * A drop of the connection puts the publishes in flight back at the head of the held ones, so they are
 * sent again first, in their order, when it is back: the hub may have published some of them before
 * the drop, and the second copy carries the same envelope id (the hub's replay and every client drop
 * an id they hold already). One timer at most: the earliest deadline's.
 *
 * A hub that takes a publish and never answers (stalled, a socket half-open without a subscription's
 * heartbeats to show it) does not leave it pending: a publish in flight unanswered for `timeoutMs`
 * while the connection is open is rejected (`publish-failed`, saying the hub may have published it —
 * its id is kept, so a retry is dropped as a duplicate), and `stalled()` tells the transport, which
 * makes the connection again. One more timer at most: the oldest publish in flight's.
 */
import { BusError } from "../../core/errors.js";
import { startTimer } from "../../core/platform.js";

interface Outgoing {
  readonly ref: string;
  readonly channel: string;
  /** The publish message, ready to send. */
  readonly message: string;
  /** When a held publish is rejected (`Date.now()` milliseconds). */
  deadline: number;
  /** When it was last sent (in flight). */
  sentAt: number;
  resolve(): void;
  reject(error: Error): void;
}

export interface OutboxSettings {
  readonly maxQueued: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  /** Sends one message on the open socket. */
  readonly send: (message: string) => void;
  /** A publish in flight went unanswered for `timeoutMs`: the connection is not working. */
  readonly stalled: () => void;
}

export class PublishOutbox {
  readonly #settings: OutboxSettings;
  #held: Outgoing[] = [];
  readonly #inFlight = new Map<string, Outgoing>();
  #open = false;
  #cancelTimer: (() => void) | undefined;
  #cancelStall: (() => void) | undefined;
  #whenEmpty: (() => void)[] = [];
  readonly #checkStall = (): void => {
    this.#cancelStall = undefined;
    const now = Date.now();
    const { timeoutMs } = this.#settings;
    let stalled = false;
    for (const [ref, entry] of this.#inFlight) {
      if (entry.sentAt + timeoutMs > now) continue;
      this.#inFlight.delete(ref);
      stalled = true;
      entry.reject(new BusError("publish-failed", `Did not hear back on "${entry.channel}": the hub did not answer within ${timeoutMs} ms (publishQueueTimeout); it may have published it (a retry with the same id is dropped as a duplicate). The connection is made again.`, { channel: entry.channel }));
    }
    this.#armStall();
    this.#checkEmpty();
    if (stalled) this.#settings.stalled();
  };
  readonly #expire = (): void => {
    this.#cancelTimer = undefined;
    const now = Date.now();
    const { timeoutMs, maxInFlight } = this.#settings;
    const kept: Outgoing[] = [];
    for (const entry of this.#held) {
      if (entry.deadline > now) kept.push(entry);
      else {
        const why = this.#open ? `the hub did not take it within ${timeoutMs} ms (publishQueueTimeout): it answers ${maxInFlight} publishes in flight too slowly (maxPublishesInFlight)` : `the hub stayed unreachable for ${timeoutMs} ms (publishQueueTimeout)`;
        entry.reject(new BusError("publish-failed", `Did not publish on "${entry.channel}": ${why}.`, { channel: entry.channel }));
      }
    }
    this.#held = kept;
    this.#arm();
    this.#checkEmpty();
  };

  constructor(settings: OutboxSettings) {
    this.#settings = settings;
  }

  /** Publishes held or in flight: work the connection is needed for. */
  get size(): number {
    return this.#held.length + this.#inFlight.size;
  }

  /** Sends a publish now if the connection is open and the window has room; holds it otherwise, or rejects it past `maxQueued`. */
  add(ref: string, channel: string, message: string): Promise<void> {
    const { maxQueued, maxInFlight, timeoutMs } = this.#settings;
    if (this.#open && this.#held.length === 0 && this.#inFlight.size < maxInFlight) {
      return new Promise<void>((resolve, reject) => this.#sendNow({ ref, channel, message, deadline: 0, sentAt: 0, resolve, reject }));
    }
    if (this.#held.length >= maxQueued) {
      const why = this.#open ? `${this.#held.length} publishes already wait for room among the ${maxInFlight} the hub may have in flight` : `the hub is unreachable and ${this.#held.length} publishes already wait for it`;
      return Promise.reject(new BusError("publish-failed", `Did not publish on "${channel}": ${why} (maxQueuedPublishes).`, { channel }));
    }
    return new Promise<void>((resolve, reject) => {
      this.#held.push({ ref, channel, message, deadline: Date.now() + timeoutMs, sentAt: 0, resolve, reject });
      this.#arm();
    });
  }

  /** The connection is open: what is held goes, in order, as the window allows. */
  opened(): void {
    this.#open = true;
    this.#pump();
  }

  /** The connection dropped: the publishes in flight are held again, ahead of the others, to be sent again. */
  dropped(): void {
    this.#open = false;
    this.#cancelStall?.();
    this.#cancelStall = undefined;
    if (this.#inFlight.size === 0) return;
    const deadline = Date.now() + this.#settings.timeoutMs;
    const again = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const entry of again) entry.deadline = deadline;
    this.#held = [...again, ...this.#held];
    this.#arm();
  }

  /** The hub answered publish `ref`: published (no error), or rejected. An answer to no publish in flight is ignored. */
  answered(ref: string, rejection: BusError | undefined): void {
    const entry = this.#inFlight.get(ref);
    if (entry === undefined) return;
    this.#inFlight.delete(ref);
    if (rejection === undefined) entry.resolve();
    else entry.reject(rejection);
    this.#pump();
    this.#checkEmpty();
  }

  /** The channel of publish `ref` in flight, for the hub's answer. */
  channelOf(ref: string): string | undefined {
    return this.#inFlight.get(ref)?.channel;
  }

  /** Resolves once nothing is held or in flight. */
  empty(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#whenEmpty.push(resolve));
  }

  /** Rejects every publish held or in flight with the error `reason` gives for its channel. */
  rejectAll(reason: (channel: string) => BusError): void {
    this.#cancelTimer?.();
    this.#cancelStall?.();
    this.#cancelTimer = this.#cancelStall = undefined;
    const all = [...this.#inFlight.values(), ...this.#held];
    this.#inFlight.clear();
    this.#held = [];
    for (const entry of all) entry.reject(reason(entry.channel));
    this.#checkEmpty();
  }

  #sendNow(entry: Outgoing): void {
    entry.sentAt = Date.now();
    this.#inFlight.set(entry.ref, entry);
    this.#armStall();
    this.#settings.send(entry.message);
  }

  /** The stall check, for the oldest publish in flight (the map keeps sending order). */
  #armStall(): void {
    if (this.#cancelStall !== undefined || !this.#open) return;
    const oldest = this.#inFlight.values().next();
    if (oldest.done === true) return;
    this.#cancelStall = startTimer(Math.max(0, oldest.value.sentAt + this.#settings.timeoutMs - Date.now()), this.#checkStall);
  }

  #pump(): void {
    if (!this.#open) return;
    let sent = false;
    while (this.#held.length > 0 && this.#inFlight.size < this.#settings.maxInFlight) {
      this.#sendNow(this.#held.shift() as Outgoing);
      sent = true;
    }
    if (sent && this.#held.length === 0) {
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
    }
  }

  #arm(): void {
    if (this.#cancelTimer !== undefined || this.#held.length === 0) return;
    let first = Number.POSITIVE_INFINITY;
    for (const entry of this.#held) first = Math.min(first, entry.deadline);
    this.#cancelTimer = startTimer(Math.max(0, first - Date.now()), this.#expire);
  }

  #checkEmpty(): void {
    if (this.size > 0 || this.#whenEmpty.length === 0) return;
    for (const resolve of this.#whenEmpty.splice(0)) resolve();
  }
}
