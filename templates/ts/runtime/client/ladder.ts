/**
 * Which channel a client of several (client/channels.ts) uses: the channels best first, the one in
 * use, those refused for good, and the probe of the better ones — one object the client consults at
 * each attempt, holding one timer (the next probe) that `close()` releases.
 *
 * - Falling back: a channel that failed `fallbackAfter` attempts in a row, or was refused for good, is
 *   left for the next one not refused (or, when every one below is, the best one not refused).
 * - Probing: while a better channel is not refused, a probe is due after a delay that doubles (half
 *   fixed, half random) from `probeInitialMs` up to `backoffMaxMs` while probes find none. When due,
 *   the current attempt is interrupted and the better channels are tried, best first, one attempt
 *   each; the first to go live is the channel in use (`restored`), and if none does the client goes
 *   back to the channel it was on at once.
 */
import { startTimer } from "../core/platform.js";
import { LiveRefused, type LiveChannel, type LiveChannelKind, type LiveLadder, type LiveStatus } from "./live-client.js";

export interface LadderSettings {
  readonly fallbackAfter: number;
  readonly probeInitialMs: number;
  readonly backoffMaxMs: number;
}

export class ChannelLadder implements LiveLadder {
  readonly #channels: readonly LiveChannel[];
  readonly #settings: LadderSettings;
  /** Ends the current attempt or sleep: a probe is due. */
  readonly #interrupt: () => void;
  readonly #status: (status: LiveStatus) => void;
  /** The channel in use, by its place in the list. */
  #current = 0;
  /** Channels refused for good: not tried again. */
  readonly #refused = new Set<number>();
  /** The better channel being probed, while a probe runs. */
  #probing: number | undefined;
  /** The probe timer fired: the next attempt is a probe. */
  #probeDue = false;
  /** Probes that found no better channel, in a row. */
  #probes = 0;
  #cancelProbe: (() => void) | undefined;
  #closed = false;

  constructor(channels: readonly LiveChannel[], settings: LadderSettings, interrupt: () => void, status: (status: LiveStatus) => void) {
    this.#channels = channels;
    this.#settings = settings;
    this.#interrupt = interrupt;
    this.#status = status;
  }

  /** The channel in use. */
  get current(): number {
    return this.#current;
  }

  kind(index: number): LiveChannelKind {
    return (this.#channels[index] as LiveChannel).kind;
  }

  /** The channel of the next attempt: a probe's, when one is due or running; else the one in use. */
  pick(): number {
    if (this.#probeDue) {
      this.#probeDue = false;
      this.#probing = this.#probeAfter(-1);
    }
    return this.#probing ?? this.#current;
  }

  /** Whether an attempt on `index` that shows no `live` frame should give way (to the probe's return, or to another channel). */
  mayLeave(index: number): boolean {
    return this.#probing === index || (this.#probing === undefined && this.#fallbackFrom(index) !== undefined);
  }

  /** The attempt on `index` went live; true when it was a probe's, which is now the channel in use. */
  wentLive(index: number): boolean {
    if (this.#probing !== index) return false;
    const from = this.#current;
    this.#current = index;
    this.#probing = undefined;
    this.#probes = 0;
    this.#status({ kind: "restored", from: this.kind(from), to: this.kind(index) });
    this.#scheduleProbe();
    return true;
  }

  /**
   * The attempt on `index` ended with `error` (or none): true when the ladder decides what comes next
   * and the client tries again at once — a probe that did not go live (the next better channel, or
   * back), an attempt ended for a probe, a refusal with another channel left.
   */
  settled(index: number, error: Error | undefined): boolean {
    if (index === this.#probing) {
      if (error instanceof LiveRefused) this.#refused.add(index);
      this.#probing = this.#probeAfter(index);
      if (this.#probing === undefined) {
        this.#probes += 1;
        this.#scheduleProbe();
      }
      return true;
    }
    if (this.#probeDue) return true;
    if (!(error instanceof LiveRefused)) return false;
    this.#refused.add(index);
    const to = this.#fallbackFrom(index);
    if (to === undefined) return false;
    this.#fallBack(index, to, error);
    return true;
  }

  /** After `failures` failed attempts in a row on `index`: true when the client moved to another channel (try it at once). */
  fellBack(index: number, failures: number, error: Error | undefined): boolean {
    if (failures < this.#settings.fallbackAfter) return false;
    const to = this.#fallbackFrom(index);
    if (to === undefined) return false;
    this.#fallBack(index, to, error);
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#cancelProbe?.();
    this.#cancelProbe = undefined;
  }

  /** The channel to move to from `index`: the next one not refused, else the best one not refused. */
  #fallbackFrom(index: number): number | undefined {
    for (let next = index + 1; next < this.#channels.length; next += 1) if (!this.#refused.has(next)) return next;
    for (let next = 0; next < index; next += 1) if (!this.#refused.has(next)) return next;
    return undefined;
  }

  /** The next better channel to probe after `index` (from the best: -1), or undefined when none is left above the one in use. */
  #probeAfter(index: number): number | undefined {
    for (let next = index + 1; next < this.#current; next += 1) if (!this.#refused.has(next)) return next;
    return undefined;
  }

  #fallBack(from: number, to: number, error: Error | undefined): void {
    this.#current = to;
    const why = error === undefined ? {} : { error };
    this.#status({ kind: "fallback", from: this.kind(from), to: this.kind(to), ...why });
    if (this.kind(to) === "polling") this.#status({ kind: "degraded", reason: "polling", attempt: 0, ...why });
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    if (this.#cancelProbe !== undefined || this.#closed || this.#probeAfter(-1) === undefined) return;
    const bound = Math.min(this.#settings.backoffMaxMs, this.#settings.probeInitialMs * 2 ** Math.min(this.#probes, 30));
    this.#cancelProbe = startTimer(Math.floor(bound / 2 + Math.random() * (bound / 2)), () => {
      this.#cancelProbe = undefined;
      if (this.#probeAfter(-1) === undefined) return;
      this.#probeDue = true;
      this.#interrupt();
    });
  }
}
