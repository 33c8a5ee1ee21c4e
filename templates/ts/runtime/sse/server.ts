/**
 * Server-Sent Events from a bus: `createSseHandler(bus, options)` serves Node's `http` (`handler.node`)
 * and fetch-style `Request → Response` (`handler.fetch`, for Hono, Next.js route handlers, Deno, Bun).
 *
 * Delivery guarantee (see docs/sse.md):
 * - A connection receives every envelope of its selection in the order the server received it, each
 *   frame with an `id:` a client resumes from (`Last-Event-ID` header, or the `lastEventId` query
 *   parameter on a first request).
 * - Resuming is all or nothing. With `replayFrom: "buffer"` (default) the server keeps the last
 *   `replayWindow` envelopes of its feed in memory: a client whose id is among them gets every event
 *   after it, exactly once; otherwise (too old, unknown, another instance's start) it gets one `gap`
 *   frame (`resume-too-old`, resync) and, with `snapshot`, the current state — never part of a replay.
 *   With `replayFrom: "transport"` (Redis Streams) the ids are stream positions and the replay comes
 *   from the stream, so a client may resume on any instance; a position the stream no longer keeps
 *   gives a `gap` for that channel and the channel continues live, never from the middle.
 * - With `snapshot`, a connection that does not resume first receives the latest envelope of each
 *   coalesce key in its selection (`event: snapshot` frames), then the `live` frame, then the live
 *   stream: every envelope is in the snapshot (or a newer one of its key) or in the live stream, and
 *   may be in both — the last frame of a key a client receives is its latest. The state comes from a
 *   `SnapshotStore` (sse/snapshot.ts): in memory, or in Redis shared by every instance.
 * - Polling (`?poll=1`, sse/poll.ts): the same connection, whose response ends once it carries
 *   events (or after `pollWaitMs` with its `live` frame alone); the next poll resumes after the last
 *   id, so polling and streaming share the ids, the replay and the gaps.
 * - Memory is bounded whatever the clients do. A connection writes only when its socket (or
 *   ReadableStream) takes more; a client that falls `replayWindow` envelopes behind (buffer) or has
 *   `clientQueue` frames waiting (transport) gets a `gap` (`overflow`) and is disconnected.
 *
 * No Node or DOM types: requests, responses and streams are typed by the members used, and the
 * fetch path takes `ReadableStream`, `Response` and `TextEncoder` from the host at run time.
 */
import { MAX_CURSOR_LENGTH, type EventEnvelope } from "../../wire.js";
import { scopedEvents, type AnyEvent, type CatalogueBinding, type CatalogueShape } from "../core/binding.js";
import type { Bus, Unsubscribe } from "../bus/bus.js";
import { BusError, messageOf } from "../core/errors.js";
import { logError } from "../core/platform.js";
import { positiveInteger, sseDefaults } from "../core/policies.js";
import { channelName, type TransportStatus } from "../transports/transport.js";
import type { FetchRequestLike, FetchResponseLike, NodeRequestLike, NodeResponseLike, SseRequest } from "./http.js";
import { createSseBuffer, snapshotFrame } from "./buffer.js";
import { SseServerConnections, type SseAdmission, type SseConnect, type SseServerConnection } from "./connection.js";
import { fetchEndpoint, nodeEndpoint } from "./endpoints.js";
import { pollAdmission } from "./poll.js";
import { openSseLogReader, sseLogChannels, type SseBus, type SseLogChannel, type SseLogSettings, type SseLogSnapshot } from "./log.js";
import { createMemorySnapshotStore, snapshotEntryOf, type SnapshotItem, type SnapshotStore } from "./snapshot.js";
import { HttpRefusal, planSelection, readSelectionAsk, readSelectionRequest, type SelectionAsk, type SelectionCatalogue, type SelectionPlan, type SelectionRequest } from "./selection.js";
import type { SseSelection, SseServerStatus } from "./protocol.js";

/** A refusal from `authorize`: the status (401, 403, …) and the body text. */
export interface SseRefusal {
  readonly status: number;
  readonly message?: string;
}

/**
 * What `authorize` decides: `true`/`undefined` — the selection as asked; `false` — 403; a refusal —
 * that status; a selection — this one instead (narrowed: fewer events or topics).
 */
export type SseAuthorization = boolean | undefined | SseRefusal | SseSelection;

/** A shared late-joiner snapshot: `snapshot: { store: createRedisSnapshotStore({ client }) }`. */
export interface SseSnapshotOptions {
  /** Where the latest envelope of each coalesce key is kept and read from. */
  readonly store: SnapshotStore;
  /**
   * Buffer mode: record what the handler's feed receives into the store. Default `true`. Transport
   * mode has no feed: the publishers record (`recordSnapshots`), and `true` is refused.
   */
  readonly record?: boolean;
}

export interface SseHandlerOptions<C extends CatalogueShape> {
  /** The catalogue the bus is bound to (the generated `binding`): names, topics and coalesce paths. */
  readonly binding: CatalogueBinding<C>;
  /**
   * Where replays come from. `"buffer"` (default): the last `replayWindow` envelopes of the
   * handler's feed, in memory; ids are envelope ids. `"transport"`: the bus's transport log (Redis
   * Streams); ids are stream positions, valid on every instance sharing the stream.
   */
  readonly replayFrom?: "buffer" | "transport";
  /** Buffer: the selectors the handler subscribes to and serves. Default `["*"]`. */
  readonly feed?: readonly string[];
  /** Every event name of the catalogue (the SDK's `eventNames`): needed for wildcard selections with `replayFrom: "transport"`. */
  readonly eventNames?: readonly string[];
  /** Buffer: envelopes kept for replay; also how far behind a client may fall. Default `sseDefaults.replayWindow` (10,000). */
  readonly replayWindow?: number;
  /** Transport: frames queued per connection. Default `sseDefaults.clientQueue` (1000). */
  readonly clientQueue?: number;
  /** Characters written at once. Default `sseDefaults.writeBatch` (65,536). */
  readonly writeBatch?: number;
  /** Milliseconds between heartbeat comments on an idle connection. Default `sseDefaults.heartbeat` (15,000). */
  readonly heartbeatMs?: number;
  /** The `retry:` sent to each client, in milliseconds. Default `sseDefaults.retry` (1000). */
  readonly retryMs?: number;
  /**
   * Send new connections (and clients told to resync) the latest envelope of each coalesce key of
   * their selection first. `true`: kept in memory from the handler's feed (buffer mode only). A
   * `SseSnapshotOptions`: kept in its store — `createRedisSnapshotStore` shares one across instances,
   * in either mode. Default `false`.
   */
  readonly snapshot?: boolean | SseSnapshotOptions;
  /** `snapshot: true`: coalesce keys kept in memory. Default `sseDefaults.snapshotKeys` (10,000). */
  readonly snapshotKeys?: number;
  /**
   * Milliseconds a poll (`?poll=1`, the clients' fallback when no stream gets through) waits for an
   * event before it is answered with its `live` frame alone. Default `sseDefaults.pollWait` (10,000).
   */
  readonly pollWaitMs?: number;
  /** Milliseconds a connection ended for overflow may take to flush before it is destroyed. Default `sseDefaults.closeTimeout` (5000). */
  readonly closeTimeoutMs?: number;
  /**
   * Channels one connection may select (an event with one topic, or an unscoped event; see docs/sse.md,
   * "Bounds"); a request over it gets 400 before anything is subscribed. Default `sseDefaults.maxChannels` (1024).
   */
  readonly maxChannels?: number;
  /** Channels of every open connection together; a request that would go over gets 429. Default `sseDefaults.maxServerChannels` (100,000). */
  readonly maxServerChannels?: number;
  /** Connections open at once; one more gets 429. Default `sseDefaults.maxConnections` (10,000). */
  readonly maxConnections?: number;
  /** Decides per request; may refuse or narrow. Default: every selection the handler serves. */
  readonly authorize?: (request: SseRequest, selection: SseSelection) => SseAuthorization | Promise<SseAuthorization>;
  /** Extra response headers (CORS, say). */
  readonly headers?: { readonly [name: string]: string };
  /** Failures with no request to answer (a feed subscription refused). Default: the console. */
  readonly onError?: (error: BusError) => void;
}

/** Counters for monitoring and tests. */
export interface SseHandlerStats {
  readonly connections: number;
  /** Connections ended because the client fell behind. */
  readonly overflows: number;
  /** Frames waiting in per-connection queues (transport replay; buffer replay queues nothing per connection). */
  readonly queuedFrames: number;
  /** Envelopes in the replay buffer. */
  readonly buffered: number;
  /** Coalesce keys in the snapshot (a shared store: as this process last learned it). */
  readonly snapshotKeys: number;
  /** Channels the open connections select, together (what `maxServerChannels` bounds). */
  readonly channels: number;
  /** Envelopes the feed received again (an id already in the replay buffer): not buffered twice. */
  readonly duplicates: number;
  /** Envelopes not sent because the frame writer refused them (an id breaking the id grammar from a trusted transport). */
  readonly refused: number;
}

export interface SseHandler {
  /** For Node's `http.createServer` (or a route of it): `(req, res) => sse.node(req, res)`. */
  readonly node: (request: NodeRequestLike, response: NodeResponseLike) => void;
  /** For fetch-style servers: `(request) => sse.fetch<Response>(request)`. */
  readonly fetch: <R = FetchResponseLike>(request: FetchRequestLike) => Promise<R>;
  /** Resolves when the feed subscriptions are confirmed. */
  readonly ready: Promise<void>;
  stats(): SseHandlerStats;
  /** Ends every connection and the feed subscriptions (not the bus). Later requests get 503. */
  close(): Promise<void>;
  /**
   * For the handler's other live channels (the WebSocket hub; sse/endpoints.ts for its own): admits a
   * stream of this handler's replay source for `ask` — a selection and a resume id read from that
   * channel's own message — with `request`, the HTTP request that opened the channel, as `authorize`
   * sees it. The ids, gaps, snapshot and caps are those of the handler's SSE connections, so a client
   * moves between channels without losing or repeating an event. Resolves with a refusal (an HTTP
   * status and text) or an admission that opens the stream on a sink.
   */
  readonly admit: (request: SseRequest, ask: SelectionAsk) => Promise<HttpRefusal | SseAdmission>;
  /**
   * Decides a request that opens another channel (a WebSocket upgrade) as `authorize` decides an SSE
   * request: with the selection its URL names (every event the handler serves when it names none).
   * Resolves with the refusal (a 400 for a malformed selection, 503 once closed), or undefined.
   */
  readonly authorizeRequest: (request: SseRequest) => Promise<HttpRefusal | undefined>;
}

type Envelope = EventEnvelope<AnyEvent>;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === "function";
}

const ignore = (): void => {};

/** The handler's options settled: defaults applied, bounds checked, the snapshot's store chosen. */
interface SseSettings {
  readonly fromTransport: boolean;
  readonly feed: readonly string[];
  readonly replayWindow: number;
  readonly clientQueue: number;
  readonly writeBatch: number;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly closeTimeoutMs: number;
  readonly pollWaitMs: number;
  readonly maxChannels: number;
  readonly maxServerChannels: number;
  readonly maxConnections: number;
  readonly snapshotStore: SnapshotStore | undefined;
  /** Buffer mode: the feed records into the snapshot store. */
  readonly recordFeed: boolean;
}

function sseSettings<C extends CatalogueShape>(options: SseHandlerOptions<C>): SseSettings {
  const fromTransport = (options.replayFrom ?? "buffer") === "transport";
  const snapshot = options.snapshot ?? false;
  if (fromTransport && snapshot === true) {
    throw new TypeError(
      'createSseHandler: snapshot: true is kept from the handler\'s feed, which replayFrom: "transport" does not have; share a store the publishers record into: snapshot: { store: createRedisSnapshotStore(…) } and recordSnapshots(transport, …)',
    );
  }
  if (fromTransport && typeof snapshot === "object" && snapshot.record === true) {
    throw new TypeError('createSseHandler: replayFrom: "transport" has no feed to record the snapshot from; the publishers record it (recordSnapshots)');
  }
  const snapshotStore =
    snapshot === false
      ? undefined
      : snapshot === true
        ? createMemorySnapshotStore({ maxKeys: positiveInteger("snapshotKeys", options.snapshotKeys, sseDefaults.snapshotKeys) })
        : snapshot.store;
  return {
    fromTransport,
    feed: options.feed ?? ["*"],
    replayWindow: positiveInteger("replayWindow", options.replayWindow, sseDefaults.replayWindow),
    clientQueue: positiveInteger("clientQueue", options.clientQueue, sseDefaults.clientQueue),
    writeBatch: positiveInteger("writeBatch", options.writeBatch, sseDefaults.writeBatch),
    heartbeatMs: positiveInteger("heartbeatMs", options.heartbeatMs, sseDefaults.heartbeat),
    retryMs: positiveInteger("retryMs", options.retryMs, sseDefaults.retry),
    closeTimeoutMs: positiveInteger("closeTimeoutMs", options.closeTimeoutMs, sseDefaults.closeTimeout),
    pollWaitMs: positiveInteger("pollWaitMs", options.pollWaitMs, sseDefaults.pollWait),
    maxChannels: positiveInteger("maxChannels", options.maxChannels, sseDefaults.maxChannels),
    maxServerChannels: positiveInteger("maxServerChannels", options.maxServerChannels, sseDefaults.maxServerChannels),
    maxConnections: positiveInteger("maxConnections", options.maxConnections, sseDefaults.maxConnections),
    snapshotStore,
    recordFeed: snapshotStore !== undefined && !fromTransport && (snapshot === true || (snapshot as SseSnapshotOptions).record !== false),
  };
}

/** Transport mode: how log readers are fed — the snapshot from the store the publishers record into, and each envelope's JSON once. */
function logReaderSettings(settings: SseSettings): SseLogSettings {
  const store = settings.snapshotStore;
  const jsonCache = new WeakMap<object, string>();
  const readSnapshot = async (store: SnapshotStore, channels: readonly SseLogChannel[]): Promise<SseLogSnapshot> => {
    const keys = new Set(channels.map((channel) => channel.key));
    const topics = new Set<string>();
    for (const channel of channels) if (channel.topic !== undefined) topics.add(channel.topic);
    // A selection's channels are all scoped (with its topics) or all unscoped (sseLogChannels).
    const items = await store.read({ events: [...new Set(channels.map((channel) => channel.name))], ...(topics.size > 0 ? { topics: [...topics] } : {}) });
    let frames = "";
    let count = 0;
    for (const item of items) {
      if (!keys.has(channelName(item.name, item.topic))) continue;
      const frame = snapshotFrame(item);
      if (frame === "") continue;
      frames += frame;
      count += 1;
    }
    return { frames, count };
  };
  return {
    ...(store === undefined ? {} : { snapshot: (channels: readonly SseLogChannel[]) => readSnapshot(store, channels) }),
    clientQueue: settings.clientQueue,
    writeBatch: settings.writeBatch,
    retryMs: settings.retryMs,
    jsonOf(envelope) {
      // Connections that share a bus route receive the same envelope object: serialized once.
      let json = jsonCache.get(envelope);
      if (json === undefined) {
        json = JSON.stringify(envelope);
        jsonCache.set(envelope, json);
      }
      return json;
    },
  };
}

function statusOf(status: TransportStatus): SseServerStatus {
  return status.state === "up" ? { transport: "up" } : { transport: "down", reason: status.cause === undefined ? "the transport lost its connection" : messageOf(status.cause) };
}

export function createSseHandler<C extends CatalogueShape>(bus: Bus<C>, options: SseHandlerOptions<C>): SseHandler {
  const { binding } = options;
  const loose = bus as unknown as SseBus;
  const settings = sseSettings(options);
  const { fromTransport, snapshotStore } = settings;
  const onError = options.onError ?? logError;
  const report = (error: unknown): void => {
    try {
      onError(error instanceof BusError ? error : new BusError("subscribe-failed", messageOf(error), { cause: error }));
    } catch {
      // onError must not break delivery.
    }
  };
  const isScoped = scopedEvents(binding);
  let duplicates = 0;
  let refused = 0;
  let closed = false;

  const buffer = createSseBuffer(settings);
  const ring = buffer.ring;
  const connections = new SseServerConnections(settings, () => buffer.flushed());

  // ---- Buffer mode: the feed fills the ring; connections read it (sse/buffer.ts) ----

  const feedSubscriptions: Unsubscribe[] = [];
  const onFeed = (envelope: Envelope): void => {
    const name = binding.meta(envelope.event.type)?.name;
    if (name === undefined) return;
    const json = JSON.stringify(envelope);
    const kept = buffer.feed(envelope, name, json);
    if (kept === "duplicate") {
      duplicates += 1;
      return;
    }
    if (kept === "refused") {
      refused += 1;
      report(new BusError("message-invalid", `Did not send "${envelope.event.type}": its id breaks the id grammar (1 to ${MAX_CURSOR_LENGTH} visible ASCII characters), so no SSE frame can carry it.`, { envelope }));
      return;
    }
    if (settings.recordFeed) {
      const entry = snapshotEntryOf(binding, envelope, json);
      // A failed write is reported by the store; its promise never counts as unhandled.
      if (entry !== undefined) void (snapshotStore as SnapshotStore).record(entry);
    }
  };
  let ready: Promise<void> = Promise.resolve();
  if (!fromTransport) {
    for (const selector of settings.feed) feedSubscriptions.push(loose.subscribe(selector, onFeed));
    ready = Promise.all(feedSubscriptions.map((unsubscribe) => unsubscribe.ready)).then(ignore);
    ready.catch(report);
  }

  // ---- Transport mode: each connection reads its channels from the transport's log (sse/log.ts) ----

  const logSettings = logReaderSettings(settings);
  const pollSettings = { waitMs: settings.pollWaitMs, maxChars: settings.writeBatch };

  // ---- Status: the bus's transport down or up, told to every connection ----

  const stopStatus = bus.onStatus((status) => connections.tell(statusOf(status)));

  // ---- Requests: read and bounded before anything is subscribed ----

  const catalogue: SelectionCatalogue = {
    isEvent: (name) => binding.latestType(name) !== undefined,
    isScoped,
    eventNames: options.eventNames,
    served: fromTransport ? undefined : settings.feed,
  };
  const planOf = (selection: SseSelection): SelectionPlan => planSelection(selection, catalogue, settings.maxChannels);

  /** Admits a connection of `channels` channels; once open, it is told the transport is down if it is. */
  const admitChannels = (channels: number, opener: (connect: SseConnect) => SseServerConnection): SseAdmission | HttpRefusal =>
    connections.admit(channels, (connect) => {
      const connection = opener(connect);
      if (connection.open && bus.status().state === "down") connection.tell(statusOf(bus.status()));
      return connection;
    });

  /** Answers an SSE request: a refusal, or its admission (which opens the connection on a sink). */
  const accept = async (request: SseRequest): Promise<HttpRefusal | SseAdmission> => {
    if (request.method !== "GET") return new HttpRefusal(405, "Use GET.");
    let asked: SelectionRequest;
    try {
      asked = readSelectionRequest(request.url, request.header("last-event-id"), settings.feed);
    } catch (error) {
      if (error instanceof HttpRefusal) return error;
      throw error;
    }
    const answer = await admitAsked(request, asked);
    return asked.poll === true && !(answer instanceof HttpRefusal) ? pollAdmission(answer, pollSettings) : answer;
  };

  /** Admits what a request asked for, whichever channel carried it: authorized, bounded, then planned against the replay source. */
  const admitAsked = async (request: SseRequest, asked: SelectionRequest): Promise<HttpRefusal | SseAdmission> => {
    if (closed) return new HttpRefusal(503, "The event stream is closed.");
    try {
      // An id the grammar refuses resumes nothing: "" is in no buffer and no log, so a gap follows.
      const lastEventId = asked.badLastEventId ? "" : asked.lastEventId;
      let plan = planOf(asked.selection);
      if (options.authorize !== undefined) {
        const decision = await options.authorize(request, plan.selection);
        if (decision === false) return new HttpRefusal(403, "Forbidden.");
        if (typeof decision === "object" && decision !== null) {
          if ("status" in decision) return new HttpRefusal(decision.status, decision.message ?? "Refused.");
          plan = planOf(decision);
        }
      }
      if (closed) return new HttpRefusal(503, "The event stream is closed.");
      if (fromTransport) {
        const channels = sseLogChannels(plan.selection, options.eventNames, isScoped);
        if (typeof channels === "string") return new HttpRefusal(400, channels);
        return admitChannels(channels.length, (connect) => openSseLogReader(connect, report, loose, channels, lastEventId, logSettings));
      }
      await ready;
      if (snapshotStore === undefined || (lastEventId !== undefined && ring.resumeAfter(lastEventId) !== undefined)) {
        return admitChannels(plan.channels, (connect) => buffer.open(connect, plan, lastEventId, undefined));
      }
      // Not resuming: the snapshot, read where the ring stands now; the live stream continues from there.
      const next = ring.head;
      const cursor = ring.cursor();
      const answer = snapshotStore.read(plan.selection);
      let items: readonly SnapshotItem[];
      if (isPromise(answer)) {
        try {
          items = await answer;
        } catch (error) {
          report(error);
          return new HttpRefusal(503, "The snapshot is unavailable.");
        }
        if (closed) return new HttpRefusal(503, "The event stream is closed.");
      } else {
        items = answer;
      }
      return admitChannels(plan.channels, (connect) => buffer.open(connect, plan, lastEventId, { next, cursor, items }));
    } catch (error) {
      if (error instanceof HttpRefusal) return error;
      throw error;
    }
  };

  const admit = async (request: SseRequest, ask: SelectionAsk): Promise<HttpRefusal | SseAdmission> => {
    let asked: SelectionRequest;
    try {
      asked = readSelectionAsk(ask, settings.feed);
    } catch (error) {
      if (error instanceof HttpRefusal) return error;
      throw error;
    }
    return admitAsked(request, asked);
  };

  const authorizeRequest = async (request: SseRequest): Promise<HttpRefusal | undefined> => {
    if (closed) return new HttpRefusal(503, "The event stream is closed.");
    try {
      const plan = planOf(readSelectionRequest(request.url, undefined, settings.feed).selection);
      if (options.authorize === undefined) return undefined;
      const decision = await options.authorize(request, plan.selection);
      if (decision === false) return new HttpRefusal(403, "Forbidden.");
      if (typeof decision === "object" && decision !== null && "status" in decision) return new HttpRefusal(decision.status, decision.message ?? "Refused.");
      return undefined;
    } catch (error) {
      if (error instanceof HttpRefusal) return error;
      throw error;
    }
  };

  const endpoints = { accept, headers: options.headers, report };
  return {
    admit,
    authorizeRequest,
    node: nodeEndpoint(endpoints),
    fetch: fetchEndpoint(endpoints),
    ready,
    stats: () => ({
      connections: connections.size,
      overflows: connections.overflows,
      queuedFrames: connections.queuedFrames(),
      buffered: ring.head - ring.oldest,
      snapshotKeys: snapshotStore?.size ?? 0,
      channels: connections.channels,
      duplicates,
      refused,
    }),
    close() {
      if (!closed) {
        closed = true;
        for (const unsubscribe of feedSubscriptions) unsubscribe();
        connections.finishAll();
        stopStatus();
      }
      return Promise.resolve();
    },
  };
}
