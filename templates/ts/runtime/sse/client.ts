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
 * The client itself — validation, de-duplication, resume, backoff, watchdog, statuses — is the one
 * every live channel shares (client/live-client.ts); this file is how it connects: `fetch`, with
 * `Last-Event-ID`, reading the body as it streams.
 *
 * This file imports eventsource-parser (through client/live-client.ts) and no Node built-in and no
 * Redis code; the runtime's index.ts does not re-export it — import it from `./sse/client.js`.
 */
import type { EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import {
  LiveRefused,
  connectLive,
  type LiveAttempt,
  type LiveChannel,
  type LiveClientOptions,
  type LiveClientStats,
  type LiveConnection,
  type LiveStatus,
  type UpgradingParser,
} from "../client/live-client.js";
import type { EnvelopeParser, LiveDelivery, LiveStreamOptions } from "../client/receiver.js";

export type { UpgradingParser } from "../client/live-client.js";
import { sseUrl } from "./protocol.js";

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
 * connection and after one that stayed live for `healthyAfterMs`). A refusal that is not retried is
 * a 204, or a 4xx other than 408 and 429.
 */
export type SseStatus = LiveStatus;

/** What `onEvent` learns besides the envelope: `snapshot` — a late-joiner snapshot frame (state), not a live event. */
export type SseDelivery = LiveDelivery;

/** What the client reads of the catalogue: the SDK's `parseEnvelope` (the generated `binding` has it). */
export type SseEnvelopeParser<E extends AnyEvent> = EnvelopeParser<E>;

/** A `stream()` reader's buffer (default `runtimeDefaults.streamBuffer`, 1024), overflow policy (default `"error"`) and signal. */
export type SseStreamOptions = LiveStreamOptions;

export type SseClientStats = LiveClientStats;

export type SseConnection<E> = LiveConnection<E>;

/** `B`: what the client reads of the catalogue (with `version: "latest"`, an `UpgradingParser<E>`: the generated `binding`, or `{ parseEnvelope, upgradeEvent }`). */
export interface SseClientOptions<E extends AnyEvent, B = SseEnvelopeParser<E>> extends LiveClientOptions<E, B>, SseChannelOptions {}

interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { stream: boolean }): string;
}

interface Host {
  fetch?: SseFetch;
  TextDecoder?: new () => TextDecoderLike;
}

const host = globalThis as unknown as Host;

const ignore = (): void => {};

/** What a channel over `fetch` takes: request headers and the `fetch` to call. */
export interface SseChannelOptions {
  /** Request headers (authorization, say). */
  readonly headers?: { readonly [name: string]: string };
  /** Default: the host's `fetch`. */
  readonly fetch?: SseFetch;
}

/**
 * One request of the SSE handler at `url` over `fetch`: `Last-Event-ID` to resume, the body fed as it
 * streams; `poll`: the request asks for a poll (`?poll=1`), whose response ends once it has events.
 */
function fetchChannel(url: string, options: SseChannelOptions, poll: boolean): LiveChannel {
  const name = poll ? "pollingChannel" : "connectSse";
  const fetch = options.fetch ?? host.fetch?.bind(globalThis);
  const { TextDecoder } = host;
  if (fetch === undefined || TextDecoder === undefined || (globalThis as { AbortController?: unknown }).AbortController === undefined) {
    throw new TypeError(`${name} needs fetch, AbortController and TextDecoder (Node 18+ and browsers have them), or options.fetch`);
  }
  return {
    kind: poll ? "polling" : "sse",
    name,
    description: `the ${poll ? "polled" : "SSE"} stream of ${url}`,
    async connect(attempt: LiveAttempt, lastEventId: string | undefined): Promise<void> {
      const headers: { [name: string]: string } = { accept: "text/event-stream", "cache-control": "no-cache", ...options.headers };
      if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
      const response = await fetch(sseUrl(url, attempt.selection, undefined, poll), { method: "GET", headers, signal: attempt.signal, cache: "no-store" });
      if (response.status === 204) throw new LiveRefused("the server answered 204 No Content: no more events");
      if (response.status !== 200) {
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        void response.body?.getReader().cancel().catch(ignore);
        if (!retryable) throw new LiveRefused(`the server refused the event stream: HTTP ${response.status}`);
        throw new Error(`the server answered HTTP ${response.status}`);
      }
      const type = response.headers.get("content-type") ?? "";
      if (!type.toLowerCase().startsWith("text/event-stream")) throw new Error(`the server answered ${type === "" ? "without a content type" : type}, not text/event-stream`);
      if (response.body === null) throw new Error("the response has no body");
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || attempt.signal.aborted) break;
        attempt.feed(decoder.decode(value, { stream: true }));
      }
    },
  };
}

/** The SSE stream of `createSseHandler` at `url`, as one of the channels of `connectChannels` (client/channels.ts). */
export function sseChannel(url: string, options: SseChannelOptions = {}): LiveChannel {
  return fetchChannel(url, options, false);
}

/**
 * Polling the SSE handler at `url` (`?poll=1`): each request is answered with the events after the
 * last id received, or after the handler's `pollWaitMs` with none; the next request follows at once
 * (no sooner than `pollIntervalMs` after the last). For clients whose streams do not get through —
 * as the last of the channels of `connectChannels` (client/channels.ts).
 */
export function pollingChannel(url: string, options: SseChannelOptions = {}): LiveChannel {
  return fetchChannel(url, options, true);
}

/** Reads the stream of `createSseHandler` at `url`, every envelope upgraded to the latest version of its event (`version: "latest"`). */
export function connectSse<L extends AnyEvent>(url: string, options: SseClientOptions<L, UpgradingParser<L>> & { readonly version: "latest" }): SseConnection<EventEnvelope<L>>;
/** Reads the stream of `createSseHandler` at `url` (see the top of this file). */
export function connectSse<E extends AnyEvent>(url: string, options: SseClientOptions<E> & { readonly version?: undefined }): SseConnection<EventEnvelope<E>>;
export function connectSse<E extends AnyEvent>(url: string, options: SseClientOptions<E, UpgradingParser<E>>): SseConnection<EventEnvelope<E>> {
  return connectLive(fetchChannel(url, options, false), options);
}
