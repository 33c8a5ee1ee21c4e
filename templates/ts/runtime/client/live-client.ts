/**
 * What every live channel's client does whatever carries the stream — SSE over fetch (sse/client.ts),
 * a WebSocket (ws/client.ts): the stream is SSE text (frames, `id:` lines, `gap`, `live`, `snapshot`
 * and `status` frames: sse/protocol.ts), parsed with eventsource-parser, so every channel has the same
 * ids, resume, gaps and snapshot, and a client moves between channels without losing or repeating
 * an event.
 *
 * Across reconnects: the next connection resumes after the last id received, so the server replays
 * what was missed, or says `gap` when it cannot; envelope ids already delivered (the last `dedupe` of
 * them) are dropped, so a replay that overlaps is harmless. Snapshot frames are state and are always
 * delivered (`{ snapshot: true }`); they do not count as delivered for that. An `id:` that breaks the
 * id grammar (`isWireId`, up to `MAX_CURSOR_LENGTH`) could not be sent back: the client then forgets
 * its position (`resume-id-invalid`) and resumes without one — the server answers with a gap or a
 * snapshot — so no id a server sends can lock a client out.
 *
 * Reconnection waits a random delay up to `backoffInitialMs · 2^failures`, capped at `backoffMaxMs`
 * ("full jitter", client/backoff.ts). Every connection that ends counts as a failure — refused,
 * dropped before `live`, or dropped soon after it — unless it stayed live for `healthyAfterMs`. A
 * connection silent for `watchdogMs` (heartbeats included) is dropped and made again.
 *
 * What a peer sends is bounded: one event (its lines since the last blank line, a line without its
 * end included) may have `maxEventSize` characters; past it the connection is dropped, the error
 * reported (`connection-lost`) and the client reconnects with its backoff.
 *
 * Statuses (`onStatus`): `connecting` → `connected` (the server's `live` frame), then on a drop
 * `reconnecting` (with the delay); `degraded` — still trying or still connected, events may be late
 * or missing — after `degradedAfter` failures in a row (`reason: "failures"`), when a connection
 * shows no `live` frame within `liveTimeoutMs` (`"live-timeout"`; it is kept and may still go live),
 * or when the server says its transport is down (`"server-down"`; `connected` with `recovered: true`
 * follows when it says up); `gap` when the server reports missing events; `closed` after `close()`,
 * an abort, or a refusal the channel says is not to be retried.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { isWireId, MAX_CURSOR_LENGTH, type EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import { BusError, messageOf } from "../core/errors.js";
import { logError, startTimer, type AbortSignalLike } from "../core/platform.js";
import { positiveInteger, sseDefaults } from "../core/policies.js";
import type { EventStream } from "../bus/stream.js";
import { SSE_GAP_EVENT, SSE_LIVE_EVENT, SSE_SNAPSHOT_EVENT, SSE_STATUS_EVENT, type SseGap, type SseLive, type SseSelection, type SseServerStatus } from "../sse/protocol.js";
import { Backoff } from "./backoff.js";
import { upgraderOf, type EventUpgrader } from "../core/upgrade.js";
import { EnvelopeReceiver, type EnvelopeParser, type LiveDelivery, type LiveStreamOptions } from "./receiver.js";

/**
 * What `onStatus` hears. `attempt` is the count of failed connections in a row (0 on the first
 * connection and after one that stayed live for `healthyAfterMs`).
 */
export type LiveStatus =
  | { readonly kind: "connecting"; readonly attempt: number }
  /**
   * The server is subscribed: replayed events (if `live.resumed`) came before, live ones follow.
   * `recovered`: this connection was `degraded` because the server's transport was down and the
   * server says it is up again; events published meanwhile may be missing (`live` is this
   * connection's `live` frame, as before).
   */
  | { readonly kind: "connected"; readonly live: SseLive; readonly recovered: boolean; readonly channel: LiveChannelKind }
  | { readonly kind: "reconnecting"; readonly attempt: number; readonly delayMs: number; readonly error?: Error }
  /** `degradedAfter` connections in a row failed; it keeps trying. `error`: why the last one failed. */
  | { readonly kind: "degraded"; readonly reason: "failures"; readonly attempt: number; readonly error?: Error }
  /** The connection is open but sent no `live` frame within `liveTimeoutMs`; it is kept and may still go live. */
  | { readonly kind: "degraded"; readonly reason: "live-timeout"; readonly attempt: number; readonly error: Error }
  /**
   * The server says its bus cannot move events now (its transport lost Redis, say: `server.reason`);
   * the connection is kept, events may be missing until `connected` with `recovered: true`.
   */
  | { readonly kind: "degraded"; readonly reason: "server-down"; readonly attempt: number; readonly error: Error; readonly server: SseServerStatus }
  /**
   * Several channels: the client polls (its streaming channels failed `fallbackAfter` times in a row
   * or were buffered): events arrive, later than on a stream. It keeps probing the better channels;
   * `restored` follows when one is back.
   */
  | { readonly kind: "degraded"; readonly reason: "polling"; readonly attempt: number; readonly error?: Error }
  /** Several channels: `from` failed `fallbackAfter` times in a row (or was refused, or buffered); the client moved to `to`. */
  | { readonly kind: "fallback"; readonly from: LiveChannelKind; readonly to: LiveChannelKind; readonly error?: Error }
  /** Several channels: a probe of the better channel `to` went live; the client left `from` for it. */
  | { readonly kind: "restored"; readonly from: LiveChannelKind; readonly to: LiveChannelKind }
  /** Events are missing; with `gap.resync`, rebuild state (the snapshot that follows, or a fetch). */
  | { readonly kind: "gap"; readonly gap: SseGap }
  | { readonly kind: "closed"; readonly error?: Error };

/**
 * What a client with `version: "latest"` reads of the catalogue: the generated `binding`, or
 * `{ parseEnvelope, upgradeEvent }` from the SDK. `upgradeEvent` is optional here as it is in
 * `CatalogueBinding` (so the generated binding's type fits), but needed: a client made without it
 * throws a `TypeError`.
 */
export interface UpgradingParser<L extends AnyEvent> extends EnvelopeParser<AnyEvent>, Partial<EventUpgrader<L>> {}

/**
 * What every live channel's client takes; the SSE and WebSocket clients add how they connect. `E`
 * is the event delivered; `B` what the client reads of the catalogue (with `version: "latest"`, an
 * `UpgradingParser<E>`).
 */
export interface LiveClientOptions<E extends AnyEvent, B = EnvelopeParser<E>> {
  /** The catalogue: the generated `binding`, or `{ parseEnvelope }` from the SDK. Every envelope is validated with it. */
  readonly binding: B;
  /**
   * `"latest"`: hand every envelope over upgraded to the latest version of its event through the
   * declared migrations (id, time and topic kept), typed as that version; one a step of which
   * declares no migration is reported (`upgrade-unavailable`) and dropped. Needs `upgradeEvent` in
   * `binding`. Default: as the server sent it.
   */
  readonly version?: "latest" | undefined;
  /** Event selectors (`session.status`, `message.*`, `*`). Default: what the server serves. */
  readonly events?: readonly string[];
  /** Topics. Default: every topic. */
  readonly topics?: readonly string[];
  /**
   * Resume after this id from the start (one saved from an earlier session). One that breaks the id
   * grammar (a corrupted store, say) is ignored with a `resume-id-invalid` report: the client
   * connects without it.
   */
  readonly lastEventId?: string;
  readonly onEvent?: (envelope: EventEnvelope<E>, delivery: LiveDelivery) => void;
  readonly onStatus?: (status: LiveStatus) => void;
  /**
   * Dropped frames (undecodable, invalid, unknown type; with `version: "latest"`, no way up), an
   * event over `maxEventSize`, an id that breaks the id grammar, failing callbacks. Default: the console.
   */
  readonly onError?: (error: BusError) => void;
  /** Upper bound of the first reconnection delay, ms. Default `sseDefaults.backoffInitial` (500). */
  readonly backoffInitialMs?: number;
  /** Cap of the reconnection delay, ms. Default `sseDefaults.backoffMax` (20,000). */
  readonly backoffMaxMs?: number;
  /** Silence after which the connection is made again, ms. Default `sseDefaults.watchdog` (45,000): three of the server's default heartbeats. */
  readonly watchdogMs?: number;
  /** Envelope ids remembered to drop duplicates. Default `sseDefaults.dedupe` (10,000). */
  readonly dedupe?: number;
  /** Failed attempts in a row before `degraded`. Default `sseDefaults.degradedAfter` (3). */
  readonly degradedAfter?: number;
  /**
   * Characters one event may have — its lines since the last blank line, field names and line ends
   * included, and so one line without its end; past it the connection is dropped, reported
   * (`connection-lost`) and made again. Default `sseDefaults.maxEventSize` (1,048,576).
   */
  readonly maxEventSize?: number;
  /** Milliseconds a connection must stay live before the backoff starts over. Default `sseDefaults.healthyAfter` (10,000). */
  readonly healthyAfterMs?: number;
  /** Milliseconds a connection may take to its `live` frame before the status is `degraded` (it is kept). Default `sseDefaults.liveTimeout` (15,000). */
  readonly liveTimeoutMs?: number;
  /** Closes the connection when aborted. */
  readonly signal?: AbortSignalLike;
  /** Polling (`pollingChannel`): the least milliseconds from one poll to the next. Default `sseDefaults.pollInterval` (250). */
  readonly pollIntervalMs?: number;
}

export interface LiveClientStats {
  /** Envelopes handed over. */
  readonly delivered: number;
  /** Envelopes dropped as already delivered. */
  readonly duplicates: number;
  /** Frames dropped as undecodable, invalid or of an unknown type. */
  readonly dropped: number;
  /** Connections made (the first included; each poll is one). */
  readonly connections: number;
  readonly gaps: number;
  /** The channel in use (the one being probed while a probe runs is not it). */
  readonly channel: LiveChannelKind;
}

export interface LiveConnection<E> extends AsyncIterable<E> {
  /** The id the next connection resumes from (save it to resume in a later session). */
  readonly lastEventId: string | undefined;
  /** The envelopes from now on, as an async iterator with a bounded buffer. */
  stream(options?: LiveStreamOptions): EventStream<E>;
  stats(): LiveClientStats;
  /** Stops for good: the connection is ended, every stream ends. Idempotent. */
  close(): void;
}

/** One connection attempt, as the channel making it sees it. */
export interface LiveAttempt {
  /** Aborted when the attempt must end (the watchdog, an event over the bound, `close()`): end the request or socket then. */
  readonly signal: AbortSignalLike;
  /** What the client asks for: event selectors and topics (absent: what the server serves). */
  readonly selection: Partial<SseSelection>;
  /** Characters one event (or one control message) may have. */
  readonly maxEventSize: number;
  /** Text of the stream as it arrives (SSE framing); also what keeps the watchdog quiet. */
  feed(text: string): void;
}

/** A refusal the client does not retry (a 4xx other than 408 and 429, a WebSocket closed for good): the client closes with it. */
export class LiveRefused extends Error {}

/** The kinds of channel, best first as `connectChannels` is usually given them. */
export type LiveChannelKind = "websocket" | "sse" | "polling";

/** How a client connects: SSE over fetch, a WebSocket, polling. */
export interface LiveChannel {
  /**
   * `polling`: each connection ends once it has events (or after the server's wait) and the next
   * follows at once — an end after the `live` frame is not a failure.
   */
  readonly kind: LiveChannelKind;
  /** What the client is called in errors (`connectSse`). */
  readonly name: string;
  /** What its streams are of, for their errors (`the SSE stream of <url>`). */
  readonly description: string;
  /**
   * One connection, resuming after `lastEventId`: resolves when the server ends it, rejects with why
   * it failed — a `LiveRefused` for one not to retry. Ends at once when the attempt's signal aborts.
   */
  connect(attempt: LiveAttempt, lastEventId: string | undefined): Promise<void>;
}

interface Host {
  AbortController?: new () => AbortControllerLike;
}

interface AbortControllerLike {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

const host = globalThis as unknown as Host;

/** The client's options settled: defaults applied, bounds checked, the host's parts found. */
interface LiveSettings {
  readonly AbortController: new () => AbortControllerLike;
  readonly watchdogMs: number;
  readonly degradedAfter: number;
  readonly maxEventSize: number;
  readonly healthyAfterMs: number;
  readonly liveTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly selection: Partial<SseSelection>;
}

function liveSettings<E extends AnyEvent>(options: LiveClientOptions<E, unknown>, name: string): LiveSettings {
  const { AbortController } = host;
  if (AbortController === undefined) throw new TypeError(`${name} needs AbortController (Node 18+ and browsers have it)`);
  return {
    AbortController,
    watchdogMs: positiveInteger("watchdogMs", options.watchdogMs, sseDefaults.watchdog),
    degradedAfter: positiveInteger("degradedAfter", options.degradedAfter, sseDefaults.degradedAfter),
    maxEventSize: positiveInteger("maxEventSize", options.maxEventSize, sseDefaults.maxEventSize),
    healthyAfterMs: positiveInteger("healthyAfterMs", options.healthyAfterMs, sseDefaults.healthyAfter),
    liveTimeoutMs: positiveInteger("liveTimeoutMs", options.liveTimeoutMs, sseDefaults.liveTimeout),
    pollIntervalMs: positiveInteger("pollIntervalMs", options.pollIntervalMs, sseDefaults.pollInterval),
    selection: { ...(options.events === undefined ? {} : { events: options.events }), ...(options.topics === undefined ? {} : { topics: options.topics }) },
  };
}

/**
 * One connection attempt, which owns its abort signal (what the channel ends its request or socket
 * on), its watchdog, its live timeout and the timer that proves it healthy: `close()` releases every
 * one of them, whatever ended the attempt.
 */
class LiveAttemptState implements LiveAttempt {
  /** The data of its `live` frame, once it came. */
  live: SseLive | undefined;
  /** An envelope frame came (a poll cut short before its `live` frame still moved the client on). */
  received = false;
  /** The server said its transport is down (and not yet up again). */
  serverDown = false;
  /** An event over `maxEventSize` arrived whole in one read. */
  oversized = false;
  /** Why the attempt was cut short (the watchdog, an event over maxEventSize). */
  failure: Error | undefined;
  readonly controller: AbortControllerLike;
  /** The channel it is made on, by its place in the client's list. */
  readonly index: number;
  readonly selection: Partial<SseSelection>;
  readonly maxEventSize: number;
  readonly #onText: (text: string) => void;
  readonly #watchdogMs: number;
  #cancelWatchdog: (() => void) | undefined;
  #cancelLiveTimeout: (() => void) | undefined;
  #cancelHealthy: (() => void) | undefined;

  constructor(settings: LiveSettings, index: number, onText: (text: string) => void, onLiveTimeout: (error: Error) => void) {
    this.index = index;
    this.#onText = onText;
    this.controller = new settings.AbortController();
    this.selection = settings.selection;
    this.maxEventSize = settings.maxEventSize;
    this.#watchdogMs = settings.watchdogMs;
    const { liveTimeoutMs } = settings;
    this.#cancelLiveTimeout = startTimer(liveTimeoutMs, () => onLiveTimeout(new Error(`no live frame from the server within ${liveTimeoutMs} ms (liveTimeoutMs)`)));
    this.arm();
  }

  get signal(): AbortSignalLike {
    return this.controller.signal;
  }

  feed(text: string): void {
    this.arm();
    this.#onText(text);
  }

  /** Ends the attempt with `error` (the channel sees its signal aborted). */
  fail(error: Error): void {
    this.failure ??= error;
    this.controller.abort(error);
  }

  /** (Re)starts the watchdog: silence for `watchdogMs` aborts the attempt. */
  arm(): void {
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = startTimer(this.#watchdogMs, () => this.fail(new Error(`no data from the server for ${this.#watchdogMs} ms (watchdog)`)));
  }

  /** The `live` frame came: no more live timeout, and once live for `healthyAfterMs`, `healthy` runs. */
  wentLive(live: SseLive, healthyAfterMs: number, healthy: () => void): void {
    this.live = live;
    this.#cancelLiveTimeout?.();
    this.#cancelLiveTimeout = undefined;
    this.#cancelHealthy ??= startTimer(healthyAfterMs, healthy);
  }

  close(): void {
    this.#cancelWatchdog?.();
    this.#cancelLiveTimeout?.();
    this.#cancelHealthy?.();
    this.#cancelWatchdog = this.#cancelLiveTimeout = this.#cancelHealthy = undefined;
    // Whatever is still open (the body after an oversized event, a socket) goes with the attempt.
    this.controller.abort();
  }
}

/**
 * What a client of several channels consults at each attempt (client/ladder.ts): which channel, and
 * what follows an attempt that ended. A client of one channel has none.
 */
export interface LiveLadder {
  /** The channel in use. */
  readonly current: number;
  /** The channel of the next attempt. */
  pick(): number;
  /** Whether an attempt on `index` that shows no `live` frame should give way. */
  mayLeave(index: number): boolean;
  /** The attempt on `index` went live: true when a probe's channel is now the one in use. */
  wentLive(index: number): boolean;
  /** The attempt on `index` ended: true when the ladder chose the next channel (try it at once). */
  settled(index: number, error: Error | undefined): boolean;
  /** After `failures` failed attempts in a row on `index`: true when the client moved to another channel. */
  fellBack(index: number, failures: number, error: Error | undefined): boolean;
  close(): void;
}

/** Makes the ladder of a client: `interrupt` ends the current attempt or sleep (a probe is due), `status` tells the application. */
export type LiveLadderFactory = (interrupt: () => void, status: (status: LiveStatus) => void) => LiveLadder;

/**
 * The client of one or more live channels: one object that owns its receiver (validation,
 * de-duplication, streams), its backoff, the current attempt, the sleep between attempts and, with
 * several channels, the ladder that picks one (client/ladder.ts), and releases all of them in
 * `close()`. A channel (SSE over fetch, a WebSocket, polling) only connects and feeds text.
 */
class LiveClient<E extends AnyEvent> implements LiveConnection<EventEnvelope<E>> {
  readonly #options: LiveClientOptions<E, UpgradingParser<E>>;
  readonly #channels: readonly LiveChannel[];
  readonly #settings: LiveSettings;
  readonly #receiver: EnvelopeReceiver<E>;
  readonly #backoff: Backoff;
  readonly #ladder: LiveLadder | undefined;
  readonly #counts = { connections: 0, gaps: 0 };
  #lastEventId: string | undefined;
  #closed = false;
  #attempt: LiveAttemptState | undefined;
  #cancelSleep: (() => void) | undefined;
  /** The channel whose last poll went live: its next poll is not a new `connected`. */
  #polledOn: number | undefined;
  readonly #abort = (): void => this.close();
  readonly #report = (error: BusError): void => {
    try {
      (this.#options.onError ?? logError)(error);
    } catch {
      // An onError that throws must not stop the stream.
    }
  };

  constructor(channels: readonly LiveChannel[], options: LiveClientOptions<E, UpgradingParser<E>>, ladder: LiveLadderFactory | undefined) {
    const first = channels[0];
    if (first === undefined) throw new TypeError("connectChannels needs at least one channel");
    this.#options = options;
    this.#channels = channels;
    this.#settings = liveSettings(options, first.name);
    this.#backoff = new Backoff(
      positiveInteger("backoffInitialMs", options.backoffInitialMs, sseDefaults.backoffInitial),
      positiveInteger("backoffMaxMs", options.backoffMaxMs, sseDefaults.backoffMax),
    );
    this.#receiver = new EnvelopeReceiver<E>({
      binding: options.binding,
      upgrader: options.version === "latest" ? upgraderOf(options.binding) : undefined,
      onEvent: options.onEvent,
      dedupe: positiveInteger("dedupe", options.dedupe, sseDefaults.dedupe),
      report: this.#report,
      description: channels.map((channel) => channel.description).join(", "),
      frame: "an SSE frame",
    });
    this.#ladder = ladder?.(
      () => {
        this.#attempt?.close();
        this.#cancelSleep?.();
      },
      (status) => this.#status(status),
    );
    const saved = options.lastEventId;
    if (saved !== undefined && saved !== "") {
      if (isWireId(saved, MAX_CURSOR_LENGTH)) this.#lastEventId = saved;
      else this.#report(new BusError("resume-id-invalid", `Ignored the saved lastEventId ${quote(String(saved))}: it ${ID_GRAMMAR}.`));
    }
    if (options.signal?.aborted === true) {
      this.#closed = true;
      this.#ladder?.close();
      this.#receiver.close();
    } else {
      options.signal?.addEventListener("abort", this.#abort, { once: true });
      void this.#run();
    }
  }

  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  stream(options?: LiveStreamOptions): EventStream<EventEnvelope<E>> {
    return this.#receiver.stream(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<EventEnvelope<E>> {
    return this.#receiver.stream();
  }

  stats(): LiveClientStats {
    return { ...this.#receiver.stats, ...this.#counts, channel: this.#kind(this.#ladder?.current ?? 0) };
  }

  close(): void {
    if (!this.#closed) this.#finish();
  }

  /** Stops for good: the attempt, the sleep and the ladder are released, every stream ends, `closed` is told once. */
  #finish(error?: Error): void {
    if (this.#closed && error === undefined) return;
    this.#closed = true;
    this.#attempt?.close();
    this.#cancelSleep?.();
    this.#ladder?.close();
    this.#options.signal?.removeEventListener("abort", this.#abort);
    this.#receiver.close();
    this.#status(error === undefined ? { kind: "closed" } : { kind: "closed", error });
  }

  #status(next: LiveStatus): void {
    try {
      this.#options.onStatus?.(next);
    } catch (error) {
      this.#report(new BusError("subscriber-failed", `onStatus failed: ${messageOf(error)}`, { cause: error }));
    }
  }

  #kind(index: number): LiveChannelKind {
    return (this.#channels[index] as LiveChannel).kind;
  }

  // Only an id that can be sent back as a header is ever kept: one that cannot would fail every
  // request made with it. An empty `id:` is the protocol's way of resetting the position.
  #resumeFrom(id: string): void {
    if (isWireId(id, MAX_CURSOR_LENGTH)) this.#lastEventId = id;
    else {
      this.#lastEventId = undefined;
      if (id !== "") this.#report(new BusError("resume-id-invalid", `Forgot the SSE id ${quote(id)} the server sent: it ${ID_GRAMMAR}.`));
    }
  }

  #onMessage(message: EventSourceMessage, attempt: LiveAttemptState): void {
    // One read may hold a whole event over the bound: its data alone shows it.
    if (attempt.oversized || message.data.length > this.#settings.maxEventSize) {
      attempt.oversized = true;
      return;
    }
    switch (message.event) {
      case undefined:
      case "message":
        attempt.received = true;
        this.#receiver.receive(message.data, false);
        break;
      case SSE_SNAPSHOT_EVENT:
        this.#receiver.receive(message.data, true);
        break;
      case SSE_LIVE_EVENT: {
        const live = parseControl<SseLive>(message.data) ?? { resumed: false, replayed: 0, snapshot: 0 };
        attempt.wentLive(live, this.#settings.healthyAfterMs, () => this.#backoff.reset());
        if (this.#ladder?.wentLive(attempt.index) === true) this.#backoff.reset();
        const kind = this.#kind(attempt.index);
        // Each poll goes live: one `connected` for a run of polls.
        if (kind !== "polling" || this.#polledOn !== attempt.index) this.#status({ kind: "connected", live, recovered: false, channel: kind });
        this.#polledOn = kind === "polling" ? attempt.index : undefined;
        break;
      }
      case SSE_GAP_EVENT: {
        const gap = parseControl<SseGap>(message.data) ?? { reason: "resume-too-old", resync: true };
        this.#counts.gaps += 1;
        // The buffer this client fell out of is gone: resuming from the old id would only say so again.
        if (gap.reason === "overflow" && gap.resync) this.#lastEventId = undefined;
        this.#status({ kind: "gap", gap });
        return; // a gap frame carries no id
      }
      case SSE_STATUS_EVENT: {
        const server = parseServerStatus(message.data);
        if (server?.transport === "down") {
          attempt.serverDown = true;
          const error = new Error(`the server's event transport is down (events may be missing until it is up)${server.reason === undefined ? "" : `: ${server.reason}`}`);
          this.#status({ kind: "degraded", reason: "server-down", attempt: this.#backoff.failures, error, server });
        } else if (server?.transport === "up" && attempt.serverDown) {
          attempt.serverDown = false;
          if (attempt.live !== undefined) this.#status({ kind: "connected", live: attempt.live, recovered: true, channel: this.#kind(attempt.index) });
        }
        return; // a status frame carries no id
      }
      default:
        return;
    }
    if (message.id !== undefined) this.#resumeFrom(message.id);
  }

  /** One connection on channel `index`, read to its end. Resolves when the server ends it (true once it went live or received an envelope); rejects with why it failed. */
  async #session(index: number): Promise<boolean> {
    const settings = this.#settings;
    const channel = this.#channels[index] as LiveChannel;
    // The attempt's text is parsed, and bounded: an event over `maxEventSize` ends the attempt, reported.
    const parser = createParser({ onEvent: (message) => this.#onMessage(message, attempt) });
    const size = createEventSize();
    const feed = (text: string): void => {
      if (this.#closed || attempt.failure !== undefined) return;
      parser.feed(text);
      if (size.add(text) > settings.maxEventSize || attempt.oversized) {
        const error = new BusError("connection-lost", `The server sent more than maxEventSize (${settings.maxEventSize}) characters of one event; the connection was dropped.`);
        this.#report(error);
        attempt.fail(error);
      }
    };
    const onLiveTimeout = (error: Error): void => {
      if (this.#closed) return;
      // With another channel to go to, a stream that shows nothing is left (a proxy may be holding it back).
      if (this.#ladder?.mayLeave(index) === true) attempt.fail(new Error(`${error.message}: a proxy may be buffering the stream`));
      else this.#status({ kind: "degraded", reason: "live-timeout", attempt: this.#backoff.failures, error });
    };
    const attempt: LiveAttemptState = new LiveAttemptState(settings, index, feed, onLiveTimeout);
    this.#attempt = attempt;
    this.#counts.connections += 1;
    try {
      await channel.connect(attempt, this.#lastEventId);
      if (attempt.failure !== undefined) throw attempt.failure;
      return attempt.live !== undefined || attempt.received;
    } catch (error) {
      if (error instanceof LiveRefused || this.#closed) throw error;
      throw attempt.failure ?? (error instanceof Error ? error : new Error(String(error)));
    } finally {
      attempt.close();
      if (this.#attempt === attempt) this.#attempt = undefined;
    }
  }

  #sleep(milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = startTimer(milliseconds, () => {
        this.#cancelSleep = undefined;
        resolve();
      });
      this.#cancelSleep = () => {
        cancel();
        this.#cancelSleep = undefined;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    this.#status({ kind: "connecting", attempt: 0 });
    const ladder = this.#ladder;
    while (!this.#closed) {
      const index = ladder?.pick() ?? 0;
      const started = Date.now();
      let answered = false;
      let error: Error | undefined;
      try {
        answered = await this.#session(index);
      } catch (caught) {
        error = caught as Error;
      }
      if (this.#closed) break;
      if (ladder?.settled(index, error) === true) {
        this.#backoff.reset();
        continue;
      }
      if (error instanceof LiveRefused) {
        this.#finish(error);
        return;
      }
      if (this.#kind(index) === "polling" && error === undefined && answered) {
        // A poll answered (its live frame, or events up to the response's bound): the next one follows, no sooner than `pollIntervalMs` after this one.
        this.#backoff.reset();
        await this.#sleep(Math.max(0, this.#settings.pollIntervalMs - (Date.now() - started)));
        continue;
      }
      this.#polledOn = undefined;
      const delayMs = this.#backoff.fail();
      const attempt = this.#backoff.failures;
      const why = error === undefined ? {} : { error };
      if (ladder?.fellBack(index, attempt, error) === true) {
        this.#backoff.reset();
        continue;
      }
      this.#status({ kind: "reconnecting", attempt, delayMs, ...why });
      if (attempt >= this.#settings.degradedAfter) this.#status({ kind: "degraded", reason: "failures", attempt, ...why });
      await this.#sleep(delayMs);
    }
  }
}

/**
 * A client of `channels`, best first: it connects at once (unless `options.signal` is aborted
 * already). With several, `ladder` picks the channel of each attempt (client/ladder.ts).
 */
export function connectLive<E extends AnyEvent>(channels: LiveChannel | readonly LiveChannel[], options: LiveClientOptions<E, UpgradingParser<E>>, ladder?: LiveLadderFactory): LiveConnection<EventEnvelope<E>> {
  return new LiveClient(Array.isArray(channels) ? channels : [channels as LiveChannel], options, ladder);
}

const ID_GRAMMAR = `breaks the id grammar (1 to ${MAX_CURSOR_LENGTH} visible ASCII characters), so the client resumes without an id`;

/** Peer text in a message: JSON-quoted (control characters visible), cut to 80 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

const LF = 10;
const CR = 13;

/**
 * The size of the event being received, across reads: the characters fed since the last blank line
 * (the end of an event), line ends included. `add(text)` returns it after `text`. The scan runs back
 * from the last line end of `text` to its last blank line, so a read of whole events costs the
 * length of its last one, and a read without a line end two native searches.
 */
function createEventSize(): { add(text: string): number } {
  let size = 0;
  let previous = 0; // the character before `text`: a line end may continue across reads
  return {
    add(text) {
      let index = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
      size += text.length;
      for (; index >= 0; index -= 1) {
        const code = text.charCodeAt(index);
        if (code !== LF && code !== CR) continue;
        const before = index === 0 ? previous : text.charCodeAt(index - 1);
        // Two line ends in a row make a blank line, except CR LF, which is one line end.
        if ((before === LF || before === CR) && !(before === CR && code === LF)) {
          size = text.length - index - 1;
          break;
        }
      }
      if (text.length > 0) previous = text.charCodeAt(text.length - 1);
      return size;
    },
  };
}

/** The data of an `event: status` frame, or undefined for one that is not (a reason is cut to 500 characters). */
function parseServerStatus(data: string): SseServerStatus | undefined {
  const value = parseControl<{ transport?: unknown; reason?: unknown }>(data);
  const transport = value?.transport;
  if (transport !== "up" && transport !== "down") return undefined;
  return typeof value?.reason === "string" && transport === "down" ? { transport, reason: value.reason.slice(0, 500) } : { transport };
}

function parseControl<T>(data: string): T | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
