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
 *   `SnapshotStore` (sse-snapshot.ts): in memory, or in Redis shared by every instance.
 * - Memory is bounded whatever the clients do. A connection writes only when its socket (or
 *   ReadableStream) takes more; a client that falls `replayWindow` envelopes behind (buffer) or has
 *   `clientQueue` frames waiting (transport) gets a `gap` (`overflow`) and is disconnected.
 *
 * No Node or DOM types: requests, responses and streams are typed by the members used, and the
 * fetch path takes `ReadableStream`, `Response` and `TextEncoder` from the host at run time.
 */
import { MAX_CURSOR_LENGTH, type EventEnvelope } from "../wire.js";
import type { AnyEvent, CatalogueBinding, CatalogueShape } from "./binding.js";
import type { Bus, Unsubscribe } from "./bus.js";
import { BusError, messageOf } from "./errors.js";
import { logError, startTimer } from "./platform.js";
import { positiveInteger, sseDefaults } from "./policies.js";
import { channelName, type TransportStatus } from "./transport.js";
import {
  fetchRequest,
  fetchResponse,
  nodeRequest,
  nodeSink,
  streamSink,
  type FetchRequestLike,
  type FetchResponseLike,
  type NodeRequestLike,
  type NodeResponseLike,
  type SseRequest,
  type SseSink,
} from "./sse-http.js";
import { createSseBuffer, snapshotFrame } from "./sse-buffer.js";
import {
  openSseLogReader,
  sseLogChannels,
  type SseBus,
  type SseConnectionHub,
  type SseLogChannel,
  type SseLogSettings,
  type SseLogSnapshot,
  type SseServerConnection,
} from "./sse-log.js";
import { createMemorySnapshotStore, snapshotEntryOf, type SnapshotItem, type SnapshotStore } from "./sse-snapshot.js";
import { HttpRefusal, planSelection, readSelectionRequest, type SelectionCatalogue, type SelectionPlan } from "./sse-selection.js";
import {
  sseGapFrame,
  sseStatusFrame,
  type SseGap,
  type SseSelection,
  type SseServerStatus,
} from "./sse-wire.js";

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
}

type Envelope = EventEnvelope<AnyEvent>;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === "function";
}

/**
 * What an accepted request holds until its connection opens: its place under the caps (one
 * connection, `channels` channels). Opening hands them to the connection, which gives them back when
 * it is dropped; a request whose client left before that gives them back with `cancel`.
 */
interface Admission {
  readonly channels: number;
  open(sink: SseSink): SseServerConnection;
  cancel(): void;
}

const ignore = (): void => {};

export function createSseHandler<C extends CatalogueShape>(bus: Bus<C>, options: SseHandlerOptions<C>): SseHandler {
  const { binding } = options;
  const loose = bus as unknown as SseBus;
  const fromTransport = (options.replayFrom ?? "buffer") === "transport";
  const feedSelectors = options.feed ?? ["*"];
  const replayWindow = positiveInteger("replayWindow", options.replayWindow, sseDefaults.replayWindow);
  const clientQueue = positiveInteger("clientQueue", options.clientQueue, sseDefaults.clientQueue);
  const writeBatch = positiveInteger("writeBatch", options.writeBatch, sseDefaults.writeBatch);
  const heartbeatMs = positiveInteger("heartbeatMs", options.heartbeatMs, sseDefaults.heartbeat);
  const retryMs = positiveInteger("retryMs", options.retryMs, sseDefaults.retry);
  const closeTimeoutMs = positiveInteger("closeTimeoutMs", options.closeTimeoutMs, sseDefaults.closeTimeout);
  const maxChannels = positiveInteger("maxChannels", options.maxChannels, sseDefaults.maxChannels);
  const maxServerChannels = positiveInteger("maxServerChannels", options.maxServerChannels, sseDefaults.maxServerChannels);
  const maxConnections = positiveInteger("maxConnections", options.maxConnections, sseDefaults.maxConnections);
  const snapshotOption = options.snapshot ?? false;
  const onError = options.onError ?? logError;
  if (fromTransport && snapshotOption === true) {
    throw new TypeError(
      'createSseHandler: snapshot: true is kept from the handler\'s feed, which replayFrom: "transport" does not have; share a store the publishers record into: snapshot: { store: createRedisSnapshotStore(…) } and recordSnapshots(transport, …)',
    );
  }
  if (fromTransport && typeof snapshotOption === "object" && snapshotOption.record === true) {
    throw new TypeError('createSseHandler: replayFrom: "transport" has no feed to record the snapshot from; the publishers record it (recordSnapshots)');
  }
  const snapshotStore: SnapshotStore | undefined =
    snapshotOption === false
      ? undefined
      : snapshotOption === true
        ? createMemorySnapshotStore({ maxKeys: positiveInteger("snapshotKeys", options.snapshotKeys, sseDefaults.snapshotKeys) })
        : snapshotOption.store;
  const recordFeed = snapshotStore !== undefined && !fromTransport && (snapshotOption === true || (snapshotOption as SseSnapshotOptions).record !== false);

  const connections = new Set<SseServerConnection>();
  let overflows = 0;
  let duplicates = 0;
  let refused = 0;
  let closed = false;
  /** Under the caps: connections admitted (open, or accepted and about to open) and the channels they select. */
  let admitted = 0;
  let admittedChannels = 0;
  /** What each open connection holds under the caps, given back when it is dropped. */
  const held = new Map<SseServerConnection, number>();

  const report = (error: unknown): void => {
    try {
      onError(error instanceof BusError ? error : new BusError("subscribe-failed", messageOf(error), { cause: error }));
    } catch {
      // onError must not break delivery.
    }
  };

  const nameOf = (type: string): string | undefined => binding.meta(type)?.name;

  /** Does any version of `name` have a topic path (so it has a channel per topic)? */
  const scopedCache = new Map<string, boolean>();
  const isScoped = (name: string): boolean => {
    let scoped = scopedCache.get(name);
    if (scoped === undefined) {
      const latest = binding.latestType(name);
      const versions = latest === undefined ? 0 : (binding.meta(latest)?.version ?? 0);
      scoped = false;
      for (let version = 1; version <= versions && !scoped; version += 1) scoped = binding.meta(`${name}.v${version}`)?.topic !== undefined;
      scopedCache.set(name, scoped);
    }
    return scoped;
  };

  // ---- Writing: one microtask flushes every connection with something to write ----

  let flushScheduled = false;
  const dirty = new Set<SseServerConnection>();

  const write = (connection: SseServerConnection, chunk: string | Uint8Array): boolean => {
    connection.wroteSinceTick = true;
    if (connection.sink.write(chunk)) return true;
    connection.blocked = true;
    connection.sink.onDrain(() => {
      connection.blocked = false;
      markDirty(connection);
    });
    return false;
  };

  const flushOne = (connection: SseServerConnection): void => {
    while (connection.open && !connection.blocked) {
      const chunk = connection.produce();
      if (chunk.length === 0) return;
      write(connection, chunk);
    }
  };

  const flushAll = (): void => {
    flushScheduled = false;
    if (dirty.size > 0) {
      const list = [...dirty];
      dirty.clear();
      for (const connection of list) flushOne(connection);
      buffer.flushed();
    }
  };

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    void Promise.resolve().then(flushAll);
  };

  const markDirty = (connection: SseServerConnection): void => {
    dirty.add(connection);
    scheduleFlush();
  };

  /**
   * Ends a connection from the server's side: `last` (a gap frame) is written past back-pressure,
   * then the socket has `closeTimeoutMs` to flush before it is destroyed.
   */
  const finish = (connection: SseServerConnection, last?: string): void => {
    if (!connection.open) return;
    drop(connection);
    if (last !== undefined) connection.sink.write(last);
    connection.sink.end();
    connection.cancelDestroy = startTimer(closeTimeoutMs, () => connection.sink.destroy());
  };

  /** Forgets a connection; called again when its socket closes (which cancels the destroy timer). Idempotent. */
  const drop = (connection: SseServerConnection): void => {
    connection.cancelDestroy?.();
    connection.cancelDestroy = undefined;
    connection.open = false;
    if (!connections.delete(connection)) return;
    dirty.delete(connection);
    const channels = held.get(connection);
    if (channels !== undefined) {
      held.delete(connection);
      admitted -= 1;
      admittedChannels -= channels;
    }
    connection.release();
    if (connections.size === 0) stopHeartbeat();
  };

  const overflow = (connection: SseServerConnection, gap: SseGap): void => {
    overflows += 1;
    finish(connection, sseGapFrame(gap));
  };

  // ---- Heartbeat: one timer for every connection; an idle one gets a comment ----

  let cancelHeartbeat: (() => void) | undefined;
  const tick = (): void => {
    cancelHeartbeat = undefined;
    for (const connection of connections) {
      if (!connection.wroteSinceTick && !connection.blocked && connection.open) write(connection, ":\n\n");
      connection.wroteSinceTick = false;
    }
    if (connections.size > 0) cancelHeartbeat = startTimer(heartbeatMs, tick);
  };
  const startHeartbeat = (): void => {
    if (cancelHeartbeat === undefined) cancelHeartbeat = startTimer(heartbeatMs, tick);
  };
  const stopHeartbeat = (): void => {
    cancelHeartbeat?.();
    cancelHeartbeat = undefined;
  };

  /** What a connection (sse-buffer.ts, sse-log.ts) asks of the server that owns it. */
  const hub: SseConnectionHub = {
    add(connection) {
      connections.add(connection);
      startHeartbeat();
    },
    write,
    wake: markDirty,
    overflow,
    finish: (connection) => finish(connection),
    report,
  };

  // ---- Buffer mode: the feed fills the ring; connections read it (sse-buffer.ts) ----

  const buffer = createSseBuffer(hub, { replayWindow, writeBatch, retryMs });
  const ring = buffer.ring;

  const feedSubscriptions: Unsubscribe[] = [];
  const onFeed = (envelope: Envelope): void => {
    const name = nameOf(envelope.event.type);
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
    if (recordFeed) {
      const entry = snapshotEntryOf(binding, envelope, json);
      // A failed write is reported by the store; its promise never counts as unhandled.
      if (entry !== undefined) void (snapshotStore as SnapshotStore).record(entry);
    }
  };
  let ready: Promise<void> = Promise.resolve();
  if (!fromTransport) {
    for (const selector of feedSelectors) feedSubscriptions.push(loose.subscribe(selector, onFeed));
    ready = Promise.all(feedSubscriptions.map((unsubscribe) => unsubscribe.ready)).then(ignore);
    ready.catch(report);
  }

  // ---- Transport mode: each connection reads its channels from the transport's log (sse-log.ts) ----

  const jsonCache = new WeakMap<object, string>();
  /** Transport mode: the snapshot of the channels a connection does not resume, from the store the publishers record into. */
  const readLogSnapshot = async (channels: readonly SseLogChannel[]): Promise<SseLogSnapshot> => {
    const store = snapshotStore as SnapshotStore;
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
  const logSettings: SseLogSettings = {
    ...(snapshotStore === undefined ? {} : { snapshot: readLogSnapshot }),
    clientQueue,
    writeBatch,
    retryMs,
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

  // ---- Status: the bus's transport down or up, told to every connection ----

  const statusOf = (status: TransportStatus): SseServerStatus =>
    status.state === "up" ? { transport: "up" } : { transport: "down", reason: status.cause === undefined ? "the transport lost its connection" : messageOf(status.cause) };
  /** Status frames go out past the queue: one per change of the transport's state, so they are bounded. */
  const tell = (connection: SseServerConnection, status: SseServerStatus): void => {
    if (connection.open) write(connection, sseStatusFrame(status));
  };
  const stopStatus = bus.onStatus((status) => {
    const frame = statusOf(status);
    for (const connection of connections) tell(connection, frame);
  });

  // ---- Requests: read and bounded before anything is subscribed ----

  const catalogue: SelectionCatalogue = {
    isEvent: (name) => binding.latestType(name) !== undefined,
    isScoped,
    eventNames: options.eventNames,
    served: fromTransport ? undefined : feedSelectors,
  };
  const planOf = (selection: SseSelection): SelectionPlan => planSelection(selection, catalogue, maxChannels);

  /** Takes a place under the caps for a connection of `channels` channels, or says why not (429). */
  const admit = (channels: number, open: (sink: SseSink) => SseServerConnection): Admission | HttpRefusal => {
    if (admitted >= maxConnections) return new HttpRefusal(429, `Too many connections: this server serves at most ${maxConnections} at once (maxConnections).`);
    if (admittedChannels + channels > maxServerChannels) {
      return new HttpRefusal(429, `Too many channels: this server serves at most ${maxServerChannels} across its connections (maxServerChannels); try again later.`);
    }
    admitted += 1;
    admittedChannels += channels;
    let settled = false;
    const giveBack = (): void => {
      admitted -= 1;
      admittedChannels -= channels;
    };
    return {
      channels,
      open(sink) {
        if (settled) throw new Error("an admission opens one connection");
        settled = true;
        let connection: SseServerConnection;
        try {
          connection = open(sink);
        } catch (error) {
          giveBack();
          throw error;
        }
        // An open connection gives its place back when it is dropped (drop()); one dropped already
        // while opening (a failed subscription) gives it back now.
        if (connections.has(connection)) held.set(connection, channels);
        else giveBack();
        if (connection.open && bus.status().state === "down") tell(connection, statusOf(bus.status()));
        return connection;
      },
      cancel() {
        if (settled) return;
        settled = true;
        giveBack();
      },
    };
  };

  /** Answers a request: a refusal, or its admission (the function that opens the connection on a sink). */
  const accept = async (request: SseRequest): Promise<HttpRefusal | Admission> => {
    if (closed) return new HttpRefusal(503, "The event stream is closed.");
    if (request.method !== "GET") return new HttpRefusal(405, "Use GET.");
    try {
      const asked = readSelectionRequest(request.url, request.header("last-event-id"), feedSelectors);
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
        return admit(channels.length, (sink) => openSseLogReader(hub, loose, sink, channels, lastEventId, logSettings));
      }
      await ready;
      if (snapshotStore === undefined || (lastEventId !== undefined && ring.resumeAfter(lastEventId) !== undefined)) {
        return admit(plan.channels, (sink) => buffer.open(sink, plan, lastEventId, undefined));
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
      return admit(plan.channels, (sink) => buffer.open(sink, plan, lastEventId, { next, cursor, items }));
    } catch (error) {
      if (error instanceof HttpRefusal) return error;
      throw error;
    }
  };

  /** Opens the connection; a failure to subscribe (the transport refused) ends the response. */
  const open = (admission: Admission, sink: SseSink): SseServerConnection | undefined => {
    try {
      return admission.open(sink);
    } catch (error) {
      report(error);
      sink.end();
      return undefined;
    }
  };

  const responseHeaders = (): { [name: string]: string } => ({
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
    ...options.headers,
  });

  const node = (request: NodeRequestLike, response: NodeResponseLike): void => {
    let gone = false;
    const onClose = (): void => {
      gone = true;
    };
    response.on("close", onClose);
    response.on("error", ignore);
    accept(nodeRequest(request)).then(
      (answer) => {
        response.removeListener("close", onClose);
        if (answer instanceof HttpRefusal) {
          if (gone) return;
          response.writeHead(answer.status, { "content-type": "text/plain; charset=utf-8", ...options.headers });
          response.end(answer.message);
          return;
        }
        if (gone) {
          answer.cancel();
          return;
        }
        // No chunked encoding: the body runs until the connection closes, which an event stream
        // does anyway, and each write goes to the socket as it is — no chunk framing per client.
        response.removeHeader?.("transfer-encoding");
        response.writeHead(200, { ...responseHeaders(), connection: "close" });
        const connection = open(answer, nodeSink(response));
        if (connection !== undefined) response.on("close", () => drop(connection));
      },
      (error: unknown) => {
        report(error);
        if (gone) return;
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        response.end("Internal error.");
      },
    );
  };

  const fetch = async <R>(request: FetchRequestLike): Promise<R> => {
    let answer: HttpRefusal | Admission;
    try {
      answer = await accept(fetchRequest(request));
    } catch (error) {
      report(error);
      return fetchResponse<R>("Internal error.", 500, { "content-type": "text/plain; charset=utf-8" });
    }
    if (answer instanceof HttpRefusal) return fetchResponse<R>(answer.message, answer.status, { "content-type": "text/plain; charset=utf-8", ...options.headers });
    const signal = request.signal;
    if (signal?.aborted === true) {
      answer.cancel();
      return fetchResponse<R>("", 499, { "content-type": "text/plain; charset=utf-8" });
    }
    let connection: SseServerConnection | undefined;
    let cancelled = false;
    const forget = (): void => {
      cancelled = true;
      if (connection !== undefined) drop(connection);
    };
    const { sink, body } = streamSink(forget);
    const response = fetchResponse<R>(body, 200, responseHeaders());
    connection = open(answer, sink);
    // The body was cancelled while the connection opened: drop it now.
    if (cancelled && connection !== undefined) drop(connection);
    signal?.addEventListener("abort", forget, { once: true });
    return response;
  };

  return {
    node,
    fetch,
    ready,
    stats() {
      let queuedFrames = 0;
      for (const connection of connections) queuedFrames += connection.queued();
      return {
        connections: connections.size,
        overflows,
        queuedFrames,
        buffered: ring.head - ring.oldest,
        snapshotKeys: snapshotStore?.size ?? 0,
        channels: admittedChannels,
        duplicates,
        refused,
      };
    },
    close() {
      if (!closed) {
        closed = true;
        for (const unsubscribe of feedSubscriptions) unsubscribe();
        for (const connection of [...connections]) finish(connection);
        stopHeartbeat();
        stopStatus();
      }
      return Promise.resolve();
    },
  };
}
