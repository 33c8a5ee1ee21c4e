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
 * index.ts does not re-export it — import it from `./sse-client.js`.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { isWireId, MAX_CURSOR_LENGTH, readJsonText, type EnvelopeParseResult, type EventEnvelope } from "../wire.js";
import type { AnyEvent } from "./binding.js";
import { BusError, describeIssues, messageOf } from "./errors.js";
import { logError, startTimer, type AbortSignalLike } from "./platform.js";
import { positiveInteger, runtimeDefaults, sseDefaults, type OverflowPolicy } from "./policies.js";
import { createEventStream, type EventStream } from "./stream.js";
import { SSE_GAP_EVENT, SSE_LIVE_EVENT, SSE_SNAPSHOT_EVENT, SSE_STATUS_EVENT, sseUrl, type SseGap, type SseLive, type SseServerStatus } from "./sse-wire.js";

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

/** What `onEvent` learns besides the envelope. */
export interface SseDelivery {
  /** A late-joiner snapshot frame (state, sent before the live stream), not a live event. */
  readonly snapshot: boolean;
}

/** What the client reads of the catalogue: the SDK's `parseEnvelope` (the generated `binding` has it). */
export interface SseEnvelopeParser<E extends AnyEvent> {
  parseEnvelope(input: unknown): EnvelopeParseResult<E>;
}

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

export interface SseStreamOptions {
  /** Envelopes held for a reader that is behind. Default `runtimeDefaults.streamBuffer` (1024). */
  readonly buffer?: number;
  /** Default `"error"`: the reader fell behind, its iteration throws `stream-lagged`. */
  readonly overflow?: OverflowPolicy;
  readonly signal?: AbortSignalLike;
}

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
  AbortController?: new () => { readonly signal: AbortSignalLike; abort(reason?: unknown): void };
  TextDecoder?: new () => { decode(input?: Uint8Array, options?: { stream: boolean }): string };
}

const host = globalThis as unknown as Host;

class Refused extends Error {}

/** What one connection knows of itself; its timers are cancelled when it ends. */
interface Connection {
  /** The data of its `live` frame, once it came. */
  live: SseLive | undefined;
  /** The server said its transport is down (and not yet up again). */
  serverDown: boolean;
  /** An event over `maxEventSize` arrived whole in one read. */
  oversized: boolean;
  /** Sets the backoff's count of failures to 0 once the connection has been live for `healthyAfterMs`. */
  cancelHealthy: (() => void) | undefined;
  /** Reports `degraded` if no `live` frame came within `liveTimeoutMs`. */
  cancelLiveTimeout: () => void;
}

export function connectSse<E extends AnyEvent>(url: string, options: SseClientOptions<E>): SseConnection<EventEnvelope<E>> {
  type Envelope = EventEnvelope<E>;
  const fetchImpl = options.fetch ?? host.fetch?.bind(globalThis);
  const { AbortController, TextDecoder } = host;
  if (fetchImpl === undefined || AbortController === undefined || TextDecoder === undefined) {
    throw new TypeError("connectSse needs fetch, AbortController and TextDecoder (Node 18+ and browsers have them), or options.fetch");
  }
  const backoffInitial = positiveInteger("backoffInitialMs", options.backoffInitialMs, sseDefaults.backoffInitial);
  const backoffMax = positiveInteger("backoffMaxMs", options.backoffMaxMs, sseDefaults.backoffMax);
  const watchdogMs = positiveInteger("watchdogMs", options.watchdogMs, sseDefaults.watchdog);
  const dedupeSize = positiveInteger("dedupe", options.dedupe, sseDefaults.dedupe);
  const degradedAfter = positiveInteger("degradedAfter", options.degradedAfter, sseDefaults.degradedAfter);
  const maxEventSize = positiveInteger("maxEventSize", options.maxEventSize, sseDefaults.maxEventSize);
  const healthyAfterMs = positiveInteger("healthyAfterMs", options.healthyAfterMs, sseDefaults.healthyAfter);
  const liveTimeoutMs = positiveInteger("liveTimeoutMs", options.liveTimeoutMs, sseDefaults.liveTimeout);
  const onError = options.onError ?? logError;
  const target = sseUrl(url, { ...(options.events === undefined ? {} : { events: options.events }), ...(options.topics === undefined ? {} : { topics: options.topics }) });

  let lastEventId: string | undefined;
  /** Failed connections in a row: the backoff's exponent; set to 0 by a connection live for `healthyAfterMs`. */
  let failures = 0;
  let closed = false;
  let abortCurrent: (() => void) | undefined;
  let cancelSleep: (() => void) | undefined;
  const listeners = new Set<(envelope: Envelope) => void>();
  const streams = new Set<EventStream<Envelope>>();
  const stats = { delivered: 0, duplicates: 0, dropped: 0, connections: 0, gaps: 0 };

  // Delivered envelope ids, the newest `dedupeSize` of them: a set for lookup, a ring for eviction.
  const seen = new Set<string>();
  const seenOrder: (string | undefined)[] = new Array<string | undefined>(dedupeSize);
  let seenNext = 0;
  const remember = (id: string): void => {
    const evicted = seenOrder[seenNext];
    if (evicted !== undefined) seen.delete(evicted);
    seenOrder[seenNext] = id;
    seenNext = (seenNext + 1) % dedupeSize;
    seen.add(id);
  };

  const report = (error: BusError): void => {
    try {
      onError(error);
    } catch {
      // An onError that throws must not stop the stream.
    }
  };

  // Only an id that can be sent back as a header is ever kept: one that cannot would fail every
  // request made with it. An empty `id:` is the protocol's way of resetting the position.
  const resumeFrom = (id: string): void => {
    if (isWireId(id, MAX_CURSOR_LENGTH)) lastEventId = id;
    else {
      lastEventId = undefined;
      if (id !== "") report(new BusError("resume-id-invalid", `Forgot the SSE id ${quote(id)} the server sent: it ${ID_GRAMMAR}.`));
    }
  };
  if (options.lastEventId !== undefined && options.lastEventId !== "") {
    if (isWireId(options.lastEventId, MAX_CURSOR_LENGTH)) lastEventId = options.lastEventId;
    else report(new BusError("resume-id-invalid", `Ignored the saved lastEventId ${quote(String(options.lastEventId))}: it ${ID_GRAMMAR}.`));
  }

  const status = (next: SseStatus): void => {
    try {
      options.onStatus?.(next);
    } catch (error) {
      report(new BusError("subscriber-failed", `onStatus failed: ${messageOf(error)}`, { cause: error }));
    }
  };

  const deliver = (data: string, snapshot: boolean): void => {
    // Read as every reader of the wire reads JSON text: the document rules over the whole frame.
    const read = readJsonText(data);
    if (!read.ok) {
      stats.dropped += 1;
      report(new BusError("message-undecodable", `Dropped an SSE frame that is not a JSON document the wire accepts: ${describeIssues([read.issue])}`, { envelope: data.slice(0, 1000) }));
      return;
    }
    const result = options.binding.parseEnvelope(read.value);
    if (result.kind !== "event") {
      stats.dropped += 1;
      report(
        result.kind === "invalid"
          ? new BusError("message-invalid", `Dropped an invalid envelope: ${describeIssues(result.issues)}`, { issues: result.issues, envelope: read.value })
          : new BusError("message-unknown-type", `Dropped an event of unknown type "${result.envelope.event.type}".`, { envelope: read.value }),
      );
      return;
    }
    const envelope = result.envelope as Envelope;
    // Snapshot frames are state, outside de-duplication: one after a resync replaces what the client
    // had, and the live copy of a snapshot envelope still comes through — after an older envelope of
    // its key that reached this server later than the shared snapshot, it is what sets the key right.
    if (!snapshot) {
      if (seen.has(envelope.id)) {
        stats.duplicates += 1;
        return;
      }
      remember(envelope.id);
    }
    stats.delivered += 1;
    try {
      options.onEvent?.(envelope, snapshot ? SNAPSHOT : LIVE);
    } catch (error) {
      report(new BusError("subscriber-failed", `onEvent failed for "${envelope.event.type}": ${messageOf(error)}`, { cause: error, envelope }));
    }
    for (const listener of listeners) listener(envelope);
  };

  const onMessage = (message: EventSourceMessage, connection: Connection): void => {
    // One read may hold a whole event over the bound: its data alone shows it.
    if (connection.oversized || message.data.length > maxEventSize) {
      connection.oversized = true;
      return;
    }
    switch (message.event) {
      case undefined:
      case "message":
        deliver(message.data, false);
        break;
      case SSE_SNAPSHOT_EVENT:
        deliver(message.data, true);
        break;
      case SSE_LIVE_EVENT: {
        connection.live = parseControl<SseLive>(message.data) ?? { resumed: false, replayed: 0, snapshot: 0 };
        connection.cancelLiveTimeout();
        connection.cancelHealthy ??= startTimer(healthyAfterMs, () => void (failures = 0));
        status({ kind: "connected", live: connection.live, recovered: false });
        break;
      }
      case SSE_GAP_EVENT: {
        const gap = parseControl<SseGap>(message.data) ?? { reason: "resume-too-old", resync: true };
        stats.gaps += 1;
        // The buffer this client fell out of is gone: resuming from the old id would only say so again.
        if (gap.reason === "overflow" && gap.resync) lastEventId = undefined;
        status({ kind: "gap", gap });
        return; // a gap frame carries no id
      }
      case SSE_STATUS_EVENT: {
        const server = parseServerStatus(message.data);
        if (server?.transport === "down") {
          connection.serverDown = true;
          const error = new Error(`the server's event transport is down (events may be missing until it is up)${server.reason === undefined ? "" : `: ${server.reason}`}`);
          status({ kind: "degraded", reason: "server-down", attempt: failures, error, server });
        } else if (server?.transport === "up" && connection.serverDown) {
          connection.serverDown = false;
          if (connection.live !== undefined) status({ kind: "connected", live: connection.live, recovered: true });
        }
        return; // a status frame carries no id
      }
      default:
        return;
    }
    if (message.id !== undefined) resumeFrom(message.id);
  };

  /** One connection, read to its end. Resolves when the server ends it; rejects with why it failed. */
  const session = async (): Promise<void> => {
    const controller = new AbortController();
    let silent: Error | undefined;
    let cancelWatchdog: (() => void) | undefined;
    const arm = (): void => {
      cancelWatchdog?.();
      cancelWatchdog = startTimer(watchdogMs, () => {
        silent = new Error(`no data from the server for ${watchdogMs} ms (watchdog)`);
        controller.abort(silent);
      });
    };
    abortCurrent = () => controller.abort();
    const connection: Connection = {
      live: undefined,
      serverDown: false,
      oversized: false,
      cancelHealthy: undefined,
      cancelLiveTimeout: startTimer(liveTimeoutMs, () => {
        const error = new Error(`no live frame from the server within ${liveTimeoutMs} ms (liveTimeoutMs)`);
        if (!closed) status({ kind: "degraded", reason: "live-timeout", attempt: failures, error });
      }),
    };
    stats.connections += 1;
    arm();
    try {
      const headers: { [name: string]: string } = { accept: "text/event-stream", "cache-control": "no-cache", ...options.headers };
      if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
      const response = await fetchImpl(target, { method: "GET", headers, signal: controller.signal, cache: "no-store" });
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
      const decoder = new TextDecoder();
      const parser = createParser({ onEvent: (message) => onMessage(message, connection) });
      const size = createEventSize();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || closed) break;
        arm();
        const text = decoder.decode(value, { stream: true });
        parser.feed(text);
        if (size.add(text) > maxEventSize || connection.oversized) {
          const error = new BusError("connection-lost", `The server sent more than maxEventSize (${maxEventSize}) characters of one event; the connection was dropped.`);
          report(error);
          throw error;
        }
      }
    } catch (error) {
      if (error instanceof Refused || closed) throw error;
      throw silent ?? (error instanceof Error ? error : new Error(String(error)));
    } finally {
      cancelWatchdog?.();
      connection.cancelLiveTimeout();
      connection.cancelHealthy?.();
      // Whatever is still open (the body after an oversized event) goes with the request.
      controller.abort();
      abortCurrent = undefined;
    }
  };

  const sleep = (milliseconds: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const cancel = startTimer(milliseconds, () => {
        cancelSleep = undefined;
        resolve();
      });
      cancelSleep = () => {
        cancel();
        cancelSleep = undefined;
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    status({ kind: "connecting", attempt: 0 });
    while (!closed) {
      let error: Error | undefined;
      try {
        await session();
      } catch (caught) {
        if (closed) break;
        if (caught instanceof Refused) {
          finish(caught);
          return;
        }
        error = caught as Error;
      }
      if (closed) break;
      // Full jitter: anywhere between 0 and the doubled bound, so reconnecting clients spread out.
      const bound = Math.min(backoffMax, backoffInitial * 2 ** Math.min(failures, 30));
      const delayMs = Math.floor(Math.random() * bound);
      failures += 1;
      const why = error === undefined ? {} : { error };
      status({ kind: "reconnecting", attempt: failures, delayMs, ...why });
      if (failures >= degradedAfter) status({ kind: "degraded", reason: "failures", attempt: failures, ...why });
      await sleep(delayMs);
    }
  };

  const finish = (error?: Error): void => {
    if (closed && error === undefined) return;
    closed = true;
    abortCurrent?.();
    cancelSleep?.();
    options.signal?.removeEventListener("abort", close);
    for (const stream of [...streams]) void stream.return();
    status(error === undefined ? { kind: "closed" } : { kind: "closed", error });
  };

  function close(): void {
    if (!closed) finish();
  }

  const stream = (streamOptions: SseStreamOptions = {}): EventStream<Envelope> => {
    const created: EventStream<Envelope> = createEventStream<Envelope>(
      {
        buffer: positiveInteger("buffer", streamOptions.buffer, runtimeDefaults.streamBuffer),
        overflow: streamOptions.overflow ?? "error",
        signal: streamOptions.signal,
        description: `the SSE stream of ${url}`,
      },
      (push) => {
        listeners.add(push);
        const release = (): void => {
          listeners.delete(push);
          streams.delete(created);
        };
        return Object.assign(release, { ready: Promise.resolve() });
      },
    );
    if (closed) void created.return();
    else streams.add(created);
    return created;
  };

  if (options.signal?.aborted === true) closed = true;
  else {
    options.signal?.addEventListener("abort", close, { once: true });
    void run();
  }

  return {
    get lastEventId() {
      return lastEventId;
    },
    stream,
    [Symbol.asyncIterator]: () => stream(),
    stats: () => ({ ...stats }),
    close,
  };
}

const SNAPSHOT: SseDelivery = Object.freeze({ snapshot: true });
const LIVE: SseDelivery = Object.freeze({ snapshot: false });

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
