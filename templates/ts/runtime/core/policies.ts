/**
 * Every runtime policy with its default, in one place. Each is also a named option where it applies
 * (`stream(name, { buffer, overflow })`, `createRedisTransport({ maxQueuedPublishes, … })`,
 * `createRedisStreamTransport({ maxLen, … })`, `createCoalescerFor(binding, { frameMs, maxQueued })`);
 * the code that enforces a policy reads it from here when the option is absent.
 */

/**
 * What a stream does when an event arrives and its buffer is full (the consumer is behind):
 * - `drop-oldest`: discard the oldest buffered event, keep the new one (a live view that may skip);
 * - `drop-newest`: discard the arriving event, keep what is buffered;
 * - `error`: end the stream — the buffered events are still yielded, then the iterator throws a
 *   `BusError` with code `stream-lagged`. Nothing is skipped silently.
 * Dropped events are counted in the stream's `dropped`.
 */
export type OverflowPolicy = "drop-oldest" | "drop-newest" | "error";

export interface RuntimePolicies {
  /** stream(): events held for a consumer that has not asked for them yet. */
  readonly streamBuffer: number;
  /** stream(): what happens when that buffer is full. */
  readonly streamOverflow: OverflowPolicy;
  /**
   * Redis: publishes held while the publisher connection is down. Past this many, a publish is
   * rejected at once (`publish-failed`), so an outage costs bounded memory and is never silent.
   */
  readonly maxQueuedPublishes: number;
  /** Redis: milliseconds a held publish waits for the connection to come back before it is rejected. */
  readonly publishQueueTimeout: number;
  /**
   * Redis Streams: the retention window, in entries per channel — each XADD trims its stream with
   * `MAXLEN ~ streamMaxLen` (at least this many newest entries are kept; Redis trims in whole nodes,
   * so somewhat more may be). A reader further behind than this gets a gap.
   */
  readonly streamMaxLen: number;
  /** Redis Streams: entries read per stream by one XREAD (its COUNT). */
  readonly streamReadCount: number;
  /**
   * Redis Streams: milliseconds one blocking XREAD waits for new entries (its BLOCK) before it is
   * issued again. The reader is woken at once for a new subscription or close(); this bounds how long
   * that can take when the wake-up cannot reach it (a reconnect, a `CLIENT` command refused by ACL).
   */
  readonly streamBlockTimeout: number;
  /** Coalescer: milliseconds of one frame; two frame flushes are at least this far apart. */
  readonly coalesceFrame: number;
  /**
   * Coalescer: envelopes one batch may hold. A queue that reaches this many is flushed at once,
   * early (inside the push that filled it): nothing is dropped, and the coalescer holds at most this
   * many envelopes besides the batches its consumer keeps.
   */
  readonly coalesceMaxQueued: number;
  /**
   * The default `onError` (the console): milliseconds over which repeated failures of one kind (the
   * same code and channel) are written once, then once more with a count of those left unwritten.
   */
  readonly errorLogInterval: number;
  /**
   * The default `onError`: kinds of failure (code and channel) it keeps apart. Past this many at
   * once, failures of a new channel are counted under their code alone, so failures on ever new
   * channels (a peer sending garbage on each) still write a bounded number of lines.
   */
  readonly errorLogKinds: number;
}

export const runtimeDefaults: RuntimePolicies = {
  streamBuffer: 1024,
  streamOverflow: "error",
  maxQueuedPublishes: 1000,
  publishQueueTimeout: 10_000,
  streamMaxLen: 10_000,
  streamReadCount: 500,
  streamBlockTimeout: 1000,
  coalesceFrame: 16,
  coalesceMaxQueued: 10_000,
  errorLogInterval: 5000,
  errorLogKinds: 256,
};

/** `value`, checked to be a positive integer, or the default. */
export function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${option} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * SSE server (`createSseHandler`) and client (`connectSse`) policies. Each is the default of the
 * option of the same meaning; docs/sse.md explains how they combine into the delivery guarantee.
 */
export interface SsePolicies {
  /** Server: envelopes the replay buffer keeps; a client may resume — and fall behind — by at most this many. */
  readonly replayWindow: number;
  /** Server, replay from the transport: frames queued for one connection that cannot take them yet; past this, a gap and the connection ends. */
  readonly clientQueue: number;
  /** Server: characters written to a connection at once (frames are joined up to this). */
  readonly writeBatch: number;
  /** Server: milliseconds between comment heartbeats on an idle connection. */
  readonly heartbeat: number;
  /** Server: the `retry:` a plain `EventSource` waits before it reconnects, in milliseconds. */
  readonly retry: number;
  /**
   * Server: coalesce keys the late-joiner snapshot keeps — in memory per handler, in Redis across the
   * store (`createRedisSnapshotStore({ maxKeys })`); past it, the least recently updated key goes.
   */
  readonly snapshotKeys: number;
  /** Redis snapshot store: entries one write script takes (a larger write is split into several calls). */
  readonly snapshotWriteBatch: number;
  /** Server: milliseconds a connection ended for overflow may take to flush its gap frame before its socket is destroyed. */
  readonly closeTimeout: number;
  /** Client: the first reconnection delay's upper bound, in milliseconds (full jitter: a random delay up to it). */
  readonly backoffInitial: number;
  /** Client: the bound the doubling reconnection delay stops at, in milliseconds. */
  readonly backoffMax: number;
  /** Client: milliseconds without a byte from the server (heartbeats included) after which the connection is dropped and made again. */
  readonly watchdog: number;
  /** Client: envelope ids remembered to drop duplicates across reconnects. */
  readonly dedupe: number;
  /** Client: failed connection attempts in a row after which the status is `degraded` (it keeps trying). */
  readonly degradedAfter: number;
  /**
   * Server: channels (an event name with one topic, or an unscoped event name) one connection may
   * select; a request over it is refused with 400 before anything is subscribed. In buffer mode a
   * selection counts its event selectors times its topics.
   */
  readonly maxChannels: number;
  /**
   * Server: channels subscribed for every open connection together (transport mode: transport
   * subscriptions); a request that would go over is refused with 429 before anything is subscribed.
   */
  readonly maxServerChannels: number;
  /** Server: connections open at once; one more is refused with 429. */
  readonly maxConnections: number;
  /**
   * Snapshot: milliseconds an envelope's time may be ahead of the recording clock and still order
   * as it is; a time further ahead orders as that far ahead, so a producer's wrong clock holds its key
   * against newer events for this long at most.
   */
  readonly snapshotClockSkew: number;
  /**
   * Client: characters one event (all its lines) may have, and one line without its end; past it the
   * connection is dropped, the error reported and the client reconnects with its backoff.
   */
  readonly maxEventSize: number;
  /** Client: milliseconds a connection must stay live before the reconnection backoff starts over. */
  readonly healthyAfter: number;
  /** Client: milliseconds a connection may take to reach its `live` frame (bytes or not) before the status is `degraded`. */
  readonly liveTimeout: number;
  /**
   * Server: milliseconds a poll (`?poll=1`) waits for an event before it is answered with its `live`
   * frame alone. Under the client's `watchdog` and the proxies' idle timeouts.
   */
  readonly pollWait: number;
  /** Client: the least milliseconds from one poll to the next (a poll answered at once waits the rest). */
  readonly pollInterval: number;
  /** Client (several channels): failed attempts in a row on one channel after which the next channel is tried. */
  readonly fallbackAfter: number;
  /** Client (several channels): the first delay before a better channel is tried again, in milliseconds (doubling, full jitter, up to `backoffMax`). */
  readonly probeInitial: number;
}

export const sseDefaults: SsePolicies = {
  replayWindow: 10_000,
  clientQueue: 1000,
  writeBatch: 65_536,
  heartbeat: 15_000,
  retry: 1000,
  snapshotKeys: 10_000,
  snapshotWriteBatch: 500,
  closeTimeout: 5000,
  backoffInitial: 500,
  backoffMax: 20_000,
  watchdog: 45_000,
  dedupe: 10_000,
  degradedAfter: 3,
  maxChannels: 1024,
  maxServerChannels: 100_000,
  maxConnections: 10_000,
  snapshotClockSkew: 300_000,
  maxEventSize: 1_048_576,
  healthyAfter: 10_000,
  liveTimeout: 15_000,
  pollWait: 10_000,
  pollInterval: 250,
  fallbackAfter: 2,
  probeInitial: 5000,
};

/** The WebSocket hub's policies (ws/hub.ts; docs/websocket.md). */
export interface WsPolicies {
  /** Bytes one message from a client may have (the server's `maxPayload`). */
  readonly maxMessageBytes: number;
  /** Subscriptions one socket may hold. */
  readonly maxSubscriptions: number;
  /** Sockets open at once. */
  readonly maxConnections: number;
  /** Buffered bytes of a socket at which its subscriptions wait for it. */
  readonly highWaterBytes: number;
  /** Buffered bytes past which a socket is a slow consumer (gap, close 4008). */
  readonly maxBufferedBytes: number;
  /** Milliseconds between pings; no pong by the next one terminates the socket. */
  readonly heartbeat: number;
  /** Milliseconds a socket may take to its first subscribe message. */
  readonly initTimeout: number;
  /** Milliseconds a closing socket may take to answer the close handshake. */
  readonly closeTimeout: number;
  /**
   * Publishes one socket may have in flight on the hub — received, not yet answered; past it a
   * publish is rejected with 429. The spoke transport (`createWebSocketTransport`) sends at most as
   * many before it waits for answers, the rest waiting in its outgoing queue.
   */
  readonly maxPublishesInFlight: number;
}

export const wsDefaults: WsPolicies = {
  maxMessageBytes: 65_536,
  maxSubscriptions: 64,
  maxConnections: 10_000,
  highWaterBytes: 1_048_576,
  maxBufferedBytes: 8_388_608,
  heartbeat: 15_000,
  initTimeout: 10_000,
  closeTimeout: 5000,
  maxPublishesInFlight: 64,
};

/** The Worker transports' policies (transports/worker.ts; docs/worker.md). */
export interface WorkerPolicies {
  /** Publishes a side takes before it grants the sender more credit. */
  readonly window: number;
  /** Publishes held while the other side grants no credit (it is not reading). */
  readonly maxQueuedPublishes: number;
  /** Channel filters the other side may subscribe to at once. */
  readonly maxPeerFilters: number;
  /** Host: milliseconds between pings. */
  readonly heartbeat: number;
  /** Host: milliseconds without a message from the worker after which it is taken for gone. */
  readonly livenessTimeout: number;
}

export const workerDefaults: WorkerPolicies = {
  window: 1024,
  maxQueuedPublishes: 10_000,
  maxPeerFilters: 10_000,
  heartbeat: 5000,
  livenessTimeout: 30_000,
};

/**
 * The stream operators' bounds (operators/; docs/operators.md). Each is the default of the option of
 * the same meaning; every stateful operator holds at most what these allow, whatever its source does.
 */
export interface OperatorPolicies {
  /** batch(): values one batch holds; a full batch is emitted at once. */
  readonly batchSize: number;
  /** batch(): milliseconds after a batch's first value at which it is emitted, full or not. */
  readonly batchWait: number;
  /** window({ duration }): values a time window holds at most (the newest are kept). */
  readonly windowMax: number;
  /** dedupe(): keys remembered; past it the oldest is forgotten. */
  readonly dedupeCapacity: number;
  /** dedupe(): milliseconds a key is remembered after it was first seen. */
  readonly dedupeTtl: number;
  /** groupBy(): groups open at once; a value of a new key past it closes the least recently active group. */
  readonly groupMax: number;
  /** groupBy(): values one group holds; a full group is emitted at once. */
  readonly groupSize: number;
  /** groupBy(): milliseconds without a value after which a group is emitted. */
  readonly groupIdle: number;
  /** join(): values each side keeps to be paired (the newest are kept). */
  readonly joinMax: number;
  /** join(): milliseconds a value is kept to be paired after it arrived. */
  readonly joinWithin: number;
  /** toArray(): values it collects; a source with more rejects with `operator-overflow`. */
  readonly toArrayMax: number;
}

export const operatorDefaults: OperatorPolicies = {
  batchSize: 100,
  batchWait: 50,
  windowMax: 10_000,
  dedupeCapacity: 10_000,
  dedupeTtl: 60_000,
  groupMax: 1000,
  groupSize: 100,
  groupIdle: 1000,
  joinMax: 1000,
  joinWithin: 10_000,
  toArrayMax: 10_000,
};
