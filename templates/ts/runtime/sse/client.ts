/**
 * The SSE client: `connectSse(url, options)` reads the stream of `createSseHandler` over `fetch`
 * (Node 18+, browsers, Deno, Bun), parses it with eventsource-parser, validates every envelope
 * against the catalogue and hands each one over once — to `onEvent`, and to every `stream()` /
 * `for await` reader (a coalescer's `consume`, say).
 *
 * Across reconnects: the client sends `Last-Event-ID` (the last `id:` it received), so the server
 * replays what it missed, or says `gap` when it cannot; envelope ids it has already delivered (the
 * last `dedupe` of them) are dropped, so a replay that overlaps is harmless. Snapshot frames are
 * state and are always delivered (`{ snapshot: true }`); they do not count as delivered for that.
 * An `id:` that breaks the id grammar (`isWireId`, up to `MAX_CURSOR_LENGTH`) could not be sent back
 * as a header: the client then forgets its position (`resume-id-invalid`) and resumes without one —
 * the server answers with a gap or a snapshot — so no id a server sends can lock a client out.
 *
 * Reconnection waits a random delay up to `backoffInitialMs · 2^failures`, capped at `backoffMaxMs`
 * ("full jitter"), so a restarted server is not met by every client at once. Every connection that
 * ends counts as a failure — refused, dropped before `live`, or dropped soon after it — unless it
 * stayed live for `healthyAfterMs`: only that starts the count over, so a server that accepts and
 * drops at once is met with a growing delay. A connection silent for `watchdogMs` (heartbeats
 * included) is dropped and made again.
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
 * an abort, a 204, or a refusal (4xx other than 408 and 429), which is not retried.
 *
 * This file imports eventsource-parser and no Node built-in and no Redis code; the runtime's
 * index.ts does not re-export it — import it from `./sse/client.js`.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { isWireId, MAX_CURSOR_LENGTH, type EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import { BusError, messageOf } from "../core/errors.js";
import { logError, startTimer, type AbortSignalLike } from "../core/platform.js";
import { positiveInteger, sseDefaults } from "../core/policies.js";
import type { EventStream } from "../bus/stream.js";
import { Backoff } from "../client/backoff.js";
import { EnvelopeReceiver, type EnvelopeParser, type LiveDelivery, type LiveStreamOptions } from "../client/receiver.js";
import { SSE_GAP_EVENT, SSE_LIVE_EVENT, SSE_SNAPSHOT_EVENT, SSE_STATUS_EVENT, sseUrl, type SseGap, type SseLive, type SseServerStatus } from "./protocol.js";

/** The fetch `Response` as the client reads it. */
export interface SseFetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): SseBodyReader } | null;
}

export interface SseBodyReader {
  read(): Promise<{ readonly done: boolean; readonly value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * What the client passes to `fetch`: `method`, `headers` (a plain object), `signal` (an
 * `AbortSignal`) and `cache`. Typed loosely so that the host's `fetch` — and any function with its
 * signature — is accepted as `SseFetch` without DOM types.
 */
export interface SseFetchInit {
  readonly method?: string;
  readonly headers?: unknown;
  readonly signal?: unknown;
  readonly cache?: string;
}

/** `fetch`, as the client calls it (a method type, so `fetch` itself and wrappers typed like it are accepted). */
export type SseFetch = { fetch(url: string, init?: SseFetchInit): Promise<SseFetchResponse> }["fetch"];

/**
 * What `onStatus` hears. `attempt` is the count of failed connections in a row (0 on the first
 * connection and after one that stayed live for `healthyAfterMs`).
 */
export type SseStatus =
  | { readonly kind: "connecting"; readonly attempt: number }
  /**
   * The server is subscribed: replayed events (if `live.resumed`) came before, live ones follow.
   * `recovered`: this connection was `degraded` because the server's transport was down and the
   * server says it is up again; events published meanwhile may be missing (`live` is this
   * connection's `live` frame, as before).
   */
  | { readonly kind: "connected"; readonly live: SseLive; readonly recovered: boolean }
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
  /** Events are missing; with `gap.resync`, rebuild state (the snapshot that follows, or a fetch). */
  | { readonly kind: "gap"; readonly gap: SseGap }
  | { readonly kind: "closed"; readonly error?: Error };

/** What `onEvent` learns besides the envelope: `snapshot` — a late-joiner snapshot frame (state), not a live event. */
export type SseDelivery = LiveDelivery;

/** What the client reads of the catalogue: the SDK's `parseEnvelope` (the generated `binding` has it). */
export type SseEnvelopeParser<E extends AnyEvent> = EnvelopeParser<E>;

export interface SseClientOptions<E extends AnyEvent> {
  /** The catalogue: the generated `binding`, or `{ parseEnvelope }` from the SDK. Every envelope is validated with it. */
  readonly binding: SseEnvelopeParser<E>;
  /** Event selectors (`session.status`, `message.*`, `*`), sent as `?events=`. Default: what the server serves. */
  readonly events?: readonly string[];
  /** Topics, sent as `?topic=`. Default: every topic. */
  readonly topics?: readonly string[];
  /**
   * Resume after this id from the start (one saved from an earlier session). One that breaks the id
   * grammar (a corrupted store, say) is ignored with a `resume-id-invalid` report: the client
   * connects without it.
   */
  readonly lastEventId?: string;
  readonly onEvent?: (envelope: EventEnvelope<E>, delivery: SseDelivery) => void;
  readonly onStatus?: (status: SseStatus) => void;
  /**
   * Dropped frames (undecodable, invalid, unknown type), an event over `maxEventSize`, an id that
   * breaks the id grammar, failing callbacks. Default: the console.
   */
  readonly onError?: (error: BusError) => void;
  /** Request headers (authorization, say). */
  readonly headers?: { readonly [name: string]: string };
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
  /** Default: the host's `fetch`. */
  readonly fetch?: SseFetch;
  /** Closes the connection when aborted. */
  readonly signal?: AbortSignalLike;
}

/** A `stream()` reader's buffer (default `runtimeDefaults.streamBuffer`, 1024), overflow policy (default `"error"`) and signal. */
export type SseStreamOptions = LiveStreamOptions;

export interface SseClientStats {
  /** Envelopes handed over. */
  readonly delivered: number;
  /** Envelopes dropped as already delivered. */
  readonly duplicates: number;
  /** Frames dropped as undecodable, invalid or of an unknown type. */
  readonly dropped: number;
  /** Connections made (the first included). */
  readonly connections: number;
  readonly gaps: number;
}

export interface SseConnection<E> extends AsyncIterable<E> {
  /** The id sent as `Last-Event-ID` on the next reconnect (save it to resume in a later session). */
  readonly lastEventId: string | undefined;
  /** The envelopes from now on, as an async iterator with a bounded buffer. */
  stream(options?: SseStreamOptions): EventStream<E>;
  stats(): SseClientStats;
  /** Stops for good: the request is aborted, every stream ends. Idempotent. */
  close(): void;
}

interface Host {
  fetch?: SseFetch;
  AbortController?: new () => AbortControllerLike;
  TextDecoder?: new () => TextDecoderLike;
}

interface AbortControllerLike {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { stream: boolean }): string;
}

const host = globalThis as unknown as Host;

class Refused extends Error {}

/** The client's options settled: defaults applied, bounds checked, the host's parts found. */
interface SseClientSettings {
  readonly fetch: SseFetch;
  readonly AbortController: new () => AbortControllerLike;
  readonly TextDecoder: new () => TextDecoderLike;
  readonly target: string;
  readonly watchdogMs: number;
  readonly degradedAfter: number;
  readonly maxEventSize: number;
  readonly healthyAfterMs: number;
  readonly liveTimeoutMs: number;
}

/**
 * One connection attempt, which owns its request (aborted), its watchdog, its live timeout and the
 * timer that proves it healthy: `close()` releases every one of them, whatever ended the attempt.
 */
class SseAttempt {
  /** The data of its `live` frame, once it came. */
  live: SseLive | undefined;
  /** The server said its transport is down (and not yet up again). */
  serverDown = false;
  /** An event over `maxEventSize` arrived whole in one read. */
  oversized = false;
  /** Why the watchdog aborted the request. */
  silent: Error | undefined;
  readonly controller: AbortControllerLike;
  readonly #watchdogMs: number;
  #cancelWatchdog: (() => void) | undefined;
  #cancelLiveTimeout: (() => void) | undefined;
  #cancelHealthy: (() => void) | undefined;

  constructor(settings: SseClientSettings, onLiveTimeout: (error: Error) => void) {
    this.controller = new settings.AbortController();
    this.#watchdogMs = settings.watchdogMs;
    const { liveTimeoutMs } = settings;
    this.#cancelLiveTimeout = startTimer(liveTimeoutMs, () => onLiveTimeout(new Error(`no live frame from the server within ${liveTimeoutMs} ms (liveTimeoutMs)`)));
    this.arm();
  }

  /** (Re)starts the watchdog: silence for `watchdogMs` aborts the request. */
  arm(): void {
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = startTimer(this.#watchdogMs, () => {
      this.silent = new Error(`no data from the server for ${this.#watchdogMs} ms (watchdog)`);
      this.controller.abort(this.silent);
    });
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
    // Whatever is still open (the body after an oversized event) goes with the request.
    this.controller.abort();
  }
}

function settle<E extends AnyEvent>(url: string, options: SseClientOptions<E>): SseClientSettings {
  const fetch = options.fetch ?? host.fetch?.bind(globalThis);
  const { AbortController, TextDecoder } = host;
  if (fetch === undefined || AbortController === undefined || TextDecoder === undefined) {
    throw new TypeError("connectSse needs fetch, AbortController and TextDecoder (Node 18+ and browsers have them), or options.fetch");
  }
  return {
    fetch,
    AbortController,
    TextDecoder,
    target: sseUrl(url, { ...(options.events === undefined ? {} : { events: options.events }), ...(options.topics === undefined ? {} : { topics: options.topics }) }),
    watchdogMs: positiveInteger("watchdogMs", options.watchdogMs, sseDefaults.watchdog),
    degradedAfter: positiveInteger("degradedAfter", options.degradedAfter, sseDefaults.degradedAfter),
    maxEventSize: positiveInteger("maxEventSize", options.maxEventSize, sseDefaults.maxEventSize),
    healthyAfterMs: positiveInteger("healthyAfterMs", options.healthyAfterMs, sseDefaults.healthyAfter),
    liveTimeoutMs: positiveInteger("liveTimeoutMs", options.liveTimeoutMs, sseDefaults.liveTimeout),
  };
}

/**
 * The client: one object that owns its receiver (validation, de-duplication, streams), its backoff,
 * the current attempt and the sleep between attempts, and releases all of them in `close()`.
 */
class SseClient<E extends AnyEvent> implements SseConnection<EventEnvelope<E>> {
  readonly #options: SseClientOptions<E>;
  readonly #settings: SseClientSettings;
  readonly #receiver: EnvelopeReceiver<E>;
  readonly #backoff: Backoff;
  readonly #counts = { connections: 0, gaps: 0 };
  #lastEventId: string | undefined;
  #closed = false;
  #attempt: SseAttempt | undefined;
  #cancelSleep: (() => void) | undefined;
  readonly #abort = (): void => this.close();
  readonly #report = (error: BusError): void => {
    try {
      (this.#options.onError ?? logError)(error);
    } catch {
      // An onError that throws must not stop the stream.
    }
  };

  constructor(url: string, options: SseClientOptions<E>) {
    this.#options = options;
    this.#settings = settle(url, options);
    this.#backoff = new Backoff(
      positiveInteger("backoffInitialMs", options.backoffInitialMs, sseDefaults.backoffInitial),
      positiveInteger("backoffMaxMs", options.backoffMaxMs, sseDefaults.backoffMax),
    );
    this.#receiver = new EnvelopeReceiver<E>({
      binding: options.binding,
      onEvent: options.onEvent,
      dedupe: positiveInteger("dedupe", options.dedupe, sseDefaults.dedupe),
      report: this.#report,
      description: `the SSE stream of ${url}`,
      frame: "an SSE frame",
    });
    const saved = options.lastEventId;
    if (saved !== undefined && saved !== "") {
      if (isWireId(saved, MAX_CURSOR_LENGTH)) this.#lastEventId = saved;
      else this.#report(new BusError("resume-id-invalid", `Ignored the saved lastEventId ${quote(String(saved))}: it ${ID_GRAMMAR}.`));
    }
    if (options.signal?.aborted === true) {
      this.#closed = true;
      this.#receiver.close();
    } else {
      options.signal?.addEventListener("abort", this.#abort, { once: true });
      void this.#run();
    }
  }

  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  stream(options?: SseStreamOptions): EventStream<EventEnvelope<E>> {
    return this.#receiver.stream(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<EventEnvelope<E>> {
    return this.#receiver.stream();
  }

  stats(): SseClientStats {
    return { ...this.#receiver.stats, ...this.#counts };
  }

  close(): void {
    if (!this.#closed) this.#finish();
  }

  /** Stops for good: the attempt and the sleep are released, every stream ends, `closed` is told once. */
  #finish(error?: Error): void {
    if (this.#closed && error === undefined) return;
    this.#closed = true;
    this.#attempt?.close();
    this.#cancelSleep?.();
    this.#options.signal?.removeEventListener("abort", this.#abort);
    this.#receiver.close();
    this.#status(error === undefined ? { kind: "closed" } : { kind: "closed", error });
  }

  #status(next: SseStatus): void {
    try {
      this.#options.onStatus?.(next);
    } catch (error) {
      this.#report(new BusError("subscriber-failed", `onStatus failed: ${messageOf(error)}`, { cause: error }));
    }
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

  #onMessage(message: EventSourceMessage, attempt: SseAttempt): void {
    // One read may hold a whole event over the bound: its data alone shows it.
    if (attempt.oversized || message.data.length > this.#settings.maxEventSize) {
      attempt.oversized = true;
      return;
    }
    switch (message.event) {
      case undefined:
      case "message":
        this.#receiver.receive(message.data, false);
        break;
      case SSE_SNAPSHOT_EVENT:
        this.#receiver.receive(message.data, true);
        break;
      case SSE_LIVE_EVENT: {
        const live = parseControl<SseLive>(message.data) ?? { resumed: false, replayed: 0, snapshot: 0 };
        attempt.wentLive(live, this.#settings.healthyAfterMs, () => this.#backoff.reset());
        this.#status({ kind: "connected", live, recovered: false });
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
          if (attempt.live !== undefined) this.#status({ kind: "connected", live: attempt.live, recovered: true });
        }
        return; // a status frame carries no id
      }
      default:
        return;
    }
    if (message.id !== undefined) this.#resumeFrom(message.id);
  }

  /** One connection, read to its end. Resolves when the server ends it; rejects with why it failed. */
  async #session(): Promise<void> {
    const settings = this.#settings;
    const attempt = new SseAttempt(settings, (error) => {
      if (!this.#closed) this.#status({ kind: "degraded", reason: "live-timeout", attempt: this.#backoff.failures, error });
    });
    this.#attempt = attempt;
    this.#counts.connections += 1;
    try {
      const headers: { [name: string]: string } = { accept: "text/event-stream", "cache-control": "no-cache", ...this.#options.headers };
      if (this.#lastEventId !== undefined) headers["last-event-id"] = this.#lastEventId;
      const response = await settings.fetch(settings.target, { method: "GET", headers, signal: attempt.controller.signal, cache: "no-store" });
      if (response.status === 204) throw new Refused("the server answered 204 No Content: no more events");
      if (response.status !== 200) {
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        void response.body?.getReader().cancel().catch(ignore);
        if (!retryable) throw new Refused(`the server refused the event stream: HTTP ${response.status}`);
        throw new Error(`the server answered HTTP ${response.status}`);
      }
      const type = response.headers.get("content-type") ?? "";
      if (!type.toLowerCase().startsWith("text/event-stream")) throw new Error(`the server answered ${type === "" ? "without a content type" : type}, not text/event-stream`);
      if (response.body === null) throw new Error("the response has no body");
      const reader = response.body.getReader();
      const decoder = new settings.TextDecoder();
      const parser = createParser({ onEvent: (message) => this.#onMessage(message, attempt) });
      const size = createEventSize();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.#closed) break;
        attempt.arm();
        const text = decoder.decode(value, { stream: true });
        parser.feed(text);
        if (size.add(text) > settings.maxEventSize || attempt.oversized) {
          const error = new BusError("connection-lost", `The server sent more than maxEventSize (${settings.maxEventSize}) characters of one event; the connection was dropped.`);
          this.#report(error);
          throw error;
        }
      }
    } catch (error) {
      if (error instanceof Refused || this.#closed) throw error;
      throw attempt.silent ?? (error instanceof Error ? error : new Error(String(error)));
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
    while (!this.#closed) {
      let error: Error | undefined;
      try {
        await this.#session();
      } catch (caught) {
        if (this.#closed) break;
        if (caught instanceof Refused) {
          this.#finish(caught);
          return;
        }
        error = caught as Error;
      }
      if (this.#closed) break;
      const delayMs = this.#backoff.fail();
      const attempt = this.#backoff.failures;
      const why = error === undefined ? {} : { error };
      this.#status({ kind: "reconnecting", attempt, delayMs, ...why });
      if (attempt >= this.#settings.degradedAfter) this.#status({ kind: "degraded", reason: "failures", attempt, ...why });
      await this.#sleep(delayMs);
    }
  }
}

export function connectSse<E extends AnyEvent>(url: string, options: SseClientOptions<E>): SseConnection<EventEnvelope<E>> {
  return new SseClient(url, options);
}

const ignore = (): void => {};

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
