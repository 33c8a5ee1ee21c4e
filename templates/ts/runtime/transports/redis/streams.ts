/**
 * The Redis Streams transport: one stream per channel, over connections of ioredis (5, 6) or
 * node-redis (4 and later) that the application created — recognised structurally; this file
 * imports no Redis client.
 *
 * Delivery guarantee: AT LEAST ONCE WITHIN THE RETENTION WINDOW. Every publish is an XADD onto the
 * stream of its channel (`<prefix><name>` or `<prefix><name>:<topic>`, the pub/sub channel names),
 * trimmed with `MAXLEN ~ maxLen` (default 10 000 entries per channel). Each message reaches the bus
 * with its position — the entry ID, e.g. `1718000000000-0`, ordered within its channel — and a
 * subscription started with `from: <position>` delivers every entry after it, in order, however
 * long the subscriber was away, as long as those entries are still kept. When they are not (the
 * position is older than the oldest entry kept, or a reader fell that far behind), the subscription
 * signals a gap — `onGap({ channel, after, next })`, before the entry at `next` — and then continues
 * with the oldest entry kept: never a silent partial replay. Duplicates are possible (a client that
 * resends an XADD whose reply was lost, a consumer that resumes from a position before the last one
 * it handled); the envelope `id` identifies them. A subscription without `from` delivers the entries
 * added after it is `ready`. What Redis itself loses (a restart without persistence, a DEL, FLUSHALL
 * or eviction of a stream) cannot be delivered, but it is never lost silently: the next entries of a
 * stream created anew come after a gap. Configure AOF (`appendfsync everysec` or `always`) for
 * durability across restarts.
 *
 * Positions are Redis entry IDs, two unsigned 64-bit decimals (`isStreamPosition`); every other `from`
 * is `subscribe-invalid`. A `from` ahead of everything the stream gave out (another stream's
 * position, a stream since deleted) would never see an entry again: the subscription signals a gap at
 * once (`next`: the stream's last ID, `0-0` when it has none) and goes on with what is added after.
 *
 * Gap check: after each XREAD that returned entries of a stream, XINFO STREAM tells the oldest entry
 * kept, the newest ID given out, how many entries the stream ever received and how many it holds
 * (Redis 7). The read is contiguous when the reader's position is within what is kept, or when
 * exactly as many entries were trimmed as the reader had seen (counted from its start — exact at the
 * stream's end and at `0-0` — and again whenever it reaches the end). A stream that received fewer
 * entries than the reader has seen, or whose newest ID is below its position, was created anew: a
 * gap. It errs towards a gap: a `from` position no longer kept is one even if nothing after it was
 * trimmed, an XDEL counts as trimmed, and a reader within one read of the trimming edge may be told
 * of a gap its last read escaped. On Redis before 7 (no entries-added) any read from a position not
 * kept is a gap: use Redis 7.
 *
 * One reader, many subscriptions, none able to stop the others: when the shared XREAD (or the XINFO
 * after it) fails while the reader is up, each stream is read on its own to find the keys Redis
 * refuses (WRONGTYPE: someone wrote another type at a stream's key). Their subscriptions are fenced
 * off the shared read and told of a gap (`next`: `0-0`), the refusal is reported once
 * (`subscribe-failed`, with the channel), and everyone else reads on at once. A fenced key is tried
 * again on its own every `blockTimeout`; once it reads (a stream, or no key), its subscriptions read it
 * from its start.
 *
 * Wildcards are refused. XREAD reads streams it is named, and a stream per channel means the streams
 * under a prefix are unknown until someone writes to them, so `"domain.*"`, `"*"` and every topic of
 * a scoped event at once (`name` without `topic`) throw `subscribe-invalid` at `subscribe`. Subscribe
 * to one event with its topic, or to an event without a topic path; for wildcard live views use the
 * pub/sub transport on a second bus.
 *
 * Connections: `client` takes XADD and the short commands; blocking reads never share it, so they go
 * through `reader`, a separate connection (default: `client.duplicate()`, made on the first
 * subscribe — a transport that only publishes opens none — owned and closed by the transport). One
 * read loop per transport, started by the first subscribe: a single `XREAD COUNT c BLOCK t STREAMS …` over every
 * subscribed stream, woken with `CLIENT UNBLOCK` (sent on `client`) when a subscription is added or
 * the transport closes; `BLOCK` (default 1000 ms) bounds the wait when the wake-up cannot reach it.
 * Redis Cluster is not supported (one XREAD over streams in different slots fails).
 *
 * Faults, without user code: both clients reconnect by themselves. The read loop re-issues its
 * XREAD from the last position it delivered, so after a Redis restart reading resumes where it left
 * off. While `client` is down, publishes are held in order, up to `maxQueuedPublishes` (1000) and
 * for `publishQueueTimeout` ms (10 s), then rejected (`publish-failed`) — as the pub/sub transport
 * does. The first error of each outage is reported per connection (`connection-lost`), and
 * `onStatus` goes `down` when `client` or an open reader is lost, `up` once both are back — one call
 * per change.
 *
 * Ingress: an entry's `envelope` field is decoded with the serializer; an entry without one, or one
 * that cannot be decoded, is reported (`message-undecodable`) and skipped; the bus validates the rest
 * (type, schema, channel) before any subscriber sees it.
 *
 * `close()` waits for the replies to every XADD sent, rejects publishes held for an outage, stops the
 * read loop (the reader is disconnected at once, or with `quitOnClose: false` unblocked), and closes
 * the connections: afterwards no client of it is blocked on the server and nothing of it is open.
 */
import { BusError, messageOf } from "../../core/errors.js";
import { positiveInteger, runtimeDefaults } from "../../core/policies.js";
import { HeldPublishes } from "./held-publishes.js";
import { jsonSerializer, type Serializer } from "./serializer.js";
import { linkTo, type Link, type NodeRedisCommandConnection, type RedisCommandConnection } from "./command-link.js";
import { comparePositions, isNoSuchKey, NO_STREAM, readInfo, refusesKey, START, STREAM_ENVELOPE_FIELD } from "./stream-entries.js";
import { StreamReader, type StreamCursor } from "./stream-reader.js";
import { isStreamPosition, TRANSPORT_UP, type ChannelFilter, type Transport, type TransportListener, type TransportStatus, type TransportSubscribeOptions, type TransportSubscription } from "../transport.js";

export type { IoRedisCommandConnection, NodeRedisCommandConnection, RedisCommandConnection } from "./command-link.js";
export { comparePositions, STREAM_ENVELOPE_FIELD } from "./stream-entries.js";

const ignore = (): void => {};

export interface RedisStreamTransportOptions {
  /** The connection for XADD and short commands (XINFO, CLIENT UNBLOCK). */
  readonly client: RedisCommandConnection;
  /** A separate connection for the blocking XREAD. Default: `client.duplicate()`, which `close()` always closes. */
  readonly reader?: RedisCommandConnection;
  /** Put in front of every stream name, e.g. `"app:"` → `app:session.status:s1`. Default `""`. */
  readonly prefix?: string;
  /** Default: JSON. The envelope travels as the entry's `envelope` field. */
  readonly serializer?: Serializer;
  /** Entries kept per channel: XADD trims with `MAXLEN ~ maxLen`. Default `runtimeDefaults.streamMaxLen` (10 000). */
  readonly maxLen?: number;
  /** Entries read per stream by one XREAD. Default `runtimeDefaults.streamReadCount` (500). */
  readonly readCount?: number;
  /** Milliseconds one XREAD blocks before it is issued again. Default `runtimeDefaults.streamBlockTimeout` (1000). */
  readonly blockTimeout?: number;
  /** Publishes held while `client` is disconnected. Default `runtimeDefaults.maxQueuedPublishes` (1000). */
  readonly maxQueuedPublishes?: number;
  /** Milliseconds a held publish waits for the connection. Default `runtimeDefaults.publishQueueTimeout` (10 000). */
  readonly publishQueueTimeout?: number;
  /** `close()` also closes `client` and a `reader` you passed. Default `true`. */
  readonly quitOnClose?: boolean;
}

// ---- The transport ----------------------------------------------------------------------------

/** What `stats()` tells of a Streams transport. */
export interface RedisStreamTransportStats {
  /** Subscriptions open now (each a reader of one stream with its own position): what unsubscribing releases. */
  readonly subscriptions: number;
}

/** The Streams transport: a `Transport` with positions, its status, and a count of what it holds. */
export interface RedisStreamTransport extends Transport {
  readonly positions: true;
  onStatus(observer: (status: TransportStatus) => void): () => void;
  stats(): RedisStreamTransportStats;
}



export function createRedisStreamTransport(options: RedisStreamTransportOptions): RedisStreamTransport {
  if (options.reader !== undefined && options.reader === options.client) {
    throw new TypeError("createRedisStreamTransport: client and reader must be separate connections (a blocking XREAD holds its connection): pass client.duplicate() as reader, or leave reader out");
  }
  const prefix = options.prefix ?? "";
  const serializer = options.serializer ?? jsonSerializer;
  const maxLen = String(positiveInteger("maxLen", options.maxLen, runtimeDefaults.streamMaxLen));
  const readCount = positiveInteger("readCount", options.readCount, runtimeDefaults.streamReadCount);
  const blockMs = positiveInteger("blockTimeout", options.blockTimeout, runtimeDefaults.streamBlockTimeout);
  const maxQueued = positiveInteger("maxQueuedPublishes", options.maxQueuedPublishes, runtimeDefaults.maxQueuedPublishes);
  const queueTimeout = positiveInteger("publishQueueTimeout", options.publishQueueTimeout, runtimeDefaults.publishQueueTimeout);
  const quitOnClose = options.quitOnClose ?? true;

  const observers = new Set<(error: Error) => void>();
  const report = (error: Error): void => {
    for (const observer of observers) observer(error);
  };

  // ---- Status: down while a connection it uses is lost, one report per change ----

  const statusObservers = new Set<(status: TransportStatus) => void>();
  let status: TransportStatus = TRANSPORT_UP;
  /** The connections lost now, each with the first error of its outage. */
  const lostLinks = new Map<Link, Error | undefined>();
  const updateStatus = (): void => {
    if (stopping) return;
    let next: TransportStatus = TRANSPORT_UP;
    for (const cause of lostLinks.values()) {
      next = cause === undefined ? { state: "down" } : { state: "down", cause };
      break;
    }
    if (next.state === status.state) return;
    status = next;
    for (const observer of [...statusObservers]) {
      try {
        observer(next);
      } catch {
        // An observer that throws must not keep the others from hearing of the change.
      }
    }
  };

  // Every listener the transport adds to either connection, removed by close().
  const listening: (() => void)[] = [];
  const client = linkTo(options.client, "client", listening);
  const ownsReader = options.reader === undefined;
  /**
   * The reader: a connection of yours (`reader`), or `client.duplicate()` made on the first
   * subscribe — a transport that only publishes opens no second connection.
   */
  let reader: Link | undefined = options.reader === undefined ? undefined : linkTo(options.reader, "reader", listening);

  const inflight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  /** Publishes held while the publishing connection is down (held-publishes.ts). */
  const held = new HeldPublishes({ maxQueued, timeoutMs: queueTimeout, send: (channel, text) => send(channel, text), name: (channel) => `channel "${channel}"` });
  let stopping = false;

  // ---- Publishing: XADD, held in order while the client is down ----

  const send = (channel: string, text: string): Promise<void> => {
    let sent: Promise<unknown>;
    try {
      sent = client.command(["XADD", prefix + channel, "MAXLEN", "~", maxLen, "*", STREAM_ENVELOPE_FIELD, text]);
    } catch (error) {
      sent = Promise.reject(error);
    }
    const accepted = sent.then(ignore, (error: unknown) => {
      throw new BusError("publish-failed", `Redis did not accept the XADD on channel "${channel}" (key "${prefix}${channel}"): ${messageOf(error)}`, { cause: error, channel });
    });
    inflight.add(accepted);
    const done = (): void => void inflight.delete(accepted);
    accepted.then(done, done);
    return accepted;
  };


  // ---- Reading: one XREAD loop over every subscribed stream (stream-reader.ts) ----

  const streams = new StreamReader(client, { readCount, blockMs, serializer, report });

  // ---- Connection events: flush held publishes when the client is back, report each outage once ----

  const watch = (link: Link, role: string): void => {
    let reported = false;
    /** The first error of this outage: the `cause` of the `down` status. */
    let firstError: Error | undefined;
    const down = (): void => {
      if (stopping || lostLinks.has(link)) return;
      lostLinks.set(link, firstError);
      updateStatus();
    };
    const lost = (error?: unknown): void => {
      if (link === reader) streams.forgetReaderId();
      if (stopping) return;
      if (error instanceof Error) firstError ??= error;
      // An error while the connection is still up is followed by its close (or was a refused command).
      if (link.state() !== "ready") down();
      if (reported) return;
      reported = true;
      const cause = error === undefined ? "connection lost" : messageOf(error);
      report(new BusError("connection-lost", `Redis Streams ${role} connection (${link.client}): ${cause}; the client is reconnecting.`, { cause: error }));
    };
    link.on("error", (error) => lost(error));
    link.on("reconnecting", () => lost());
    link.on("close", () => {
      if (link === reader) streams.forgetReaderId();
      down();
    });
    link.on("ready", () => {
      reported = false;
      firstError = undefined;
      if (lostLinks.delete(link)) updateStatus();
      if (link === client) held.flush();
    });
    link.on("end", () => {
      if (link === reader) streams.forgetReaderId();
      down();
      if (link === client) {
        held.rejectAll((channel) => new BusError("publish-failed", `Did not publish on channel "${channel}": the Redis client connection ended.`, { channel }));
      }
    });
  };
  watch(client, "client");
  if (reader !== undefined) watch(reader, "reader");

  /** The reader and its read loop, started by the first subscription. */
  const startReading = (): void => {
    if (streams.started) return;
    let connected: Promise<unknown> = Promise.resolve();
    if (reader === undefined) {
      const duplicate = options.client.duplicate();
      reader = linkTo(duplicate, "reader", listening);
      watch(reader, "reader");
      // node-redis: a duplicate is not connected yet (ioredis connects its own).
      if (reader.client === "node-redis") connected = (duplicate as NodeRedisCommandConnection).connect().catch((error: unknown) => error);
    }
    streams.start(reader, connected);
  };

  const describeFilter = (filter: ChannelFilter): string =>
    "channel" in filter ? `channel "${filter.channel}"` : filter.prefix === "" ? "every channel" : `every channel starting with "${filter.prefix}"`;

  return {
    trusted: false,
    positions: true,

    publish(channel: string, envelope: unknown): Promise<void> {
      if (closing !== undefined) return Promise.reject(new BusError("closed", `Cannot publish on channel "${channel}": the Redis Streams transport is closed.`, { channel }));
      let encoded: string;
      try {
        encoded = serializer.encode(envelope);
      } catch (error) {
        return Promise.reject(new BusError("publish-failed", `Could not encode the envelope for channel "${channel}": ${messageOf(error)}`, { cause: error, channel }));
      }
      const state = client.state();
      if (state === "closed") {
        const hint = client.client === "node-redis" ? " (node-redis: await client.connect() before publishing)" : "";
        return Promise.reject(new BusError("publish-failed", `Did not publish on channel "${channel}": the Redis client connection is closed${hint}.`, { channel }));
      }
      if (state === "ready" || state === "client") {
        held.flush(); // anything held goes first: publish order is XADD order
        return send(channel, encoded);
      }
      return held.hold(channel, encoded);
    },

    subscribe(filter: ChannelFilter, listener: TransportListener, subscribeOptions: TransportSubscribeOptions = {}): TransportSubscription {
      if (closing !== undefined) throw new BusError("closed", "Cannot subscribe: the Redis Streams transport is closed.");
      if (!("channel" in filter)) {
        throw new BusError(
          "subscribe-invalid",
          `The Redis Streams transport reads one stream per channel and cannot subscribe to ${describeFilter(filter)} (a wildcard, or every topic of an event): subscribe to one event with its topic, or to an event that has no topic path.`,
        );
      }
      const { from } = subscribeOptions;
      if (from !== undefined && !isStreamPosition(from)) {
        throw new BusError(
          "subscribe-invalid",
          `Cannot resume channel "${filter.channel}" from "${from.length > 64 ? `${from.slice(0, 64)}…` : from}": not a stream position (<milliseconds>-<sequence>, each at most 2^64 − 1, as handed out with each event).`,
          { channel: filter.channel },
        );
      }
      const key = prefix + filter.channel;
      const cursor: StreamCursor = { key, channel: filter.channel, listener, onGap: subscribeOptions.onGap, position: undefined, seen: undefined, fenced: false, active: true };
      streams.cursors.add(cursor);
      startReading();
      // The start: `from`, or the newest entry ID now, so what is added after `ready` is delivered. The
      // same command confirms the key is a stream (or absent: no entry yet, none seen).
      const info = client.command(["XINFO", "STREAM", key]).then(readInfo, (error: unknown) => {
        if (isNoSuchKey(error)) return NO_STREAM;
        throw error;
      });
      const ready = info.then(
        ({ last = START, added }) => {
          if (!cursor.active) return;
          if (from !== undefined && comparePositions(from, last) > 0) {
            // Ahead of anything the stream gave out (another stream's position, a stream created anew):
            // what is added next would sort before it and never be read. A gap, then live.
            cursor.position = last;
            cursor.seen = added;
            streams.signalGap(cursor, from, last);
          } else {
            // The count up to the start is known at the end of the stream, and at its start (none).
            cursor.position = from ?? last;
            cursor.seen = cursor.position === last ? added : comparePositions(cursor.position, START) === 0 ? 0 : undefined;
          }
          streams.wake();
        },
        (error: unknown) => {
          streams.cursors.delete(cursor);
          cursor.active = false;
          // A refusal names the key; anything else (Redis unreachable, a client's retry limit) is the connection's.
          const why = refusesKey(error) ? "Redis refused to read" : "Could not reach Redis to read";
          throw new BusError("subscribe-failed", `${why} channel "${filter.channel}" (key "${key}"): ${messageOf(error)}`, { cause: error, channel: filter.channel });
        },
      );
      ready.catch(ignore); // the bus reports it; a caller awaiting `ready` still sees it
      return {
        ready,
        unsubscribe(): void {
          cursor.active = false;
          streams.cursors.delete(cursor);
        },
        position: () => (cursor.active ? cursor.position : undefined),
      };
    },

    onError(observer: (error: Error) => void): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },

    onStatus(observer: (status: TransportStatus) => void): () => void {
      statusObservers.add(observer);
      return () => void statusObservers.delete(observer);
    },

    stats: () => ({ subscriptions: streams.cursors.size }),

    close(): Promise<void> {
      closing ??= (async () => {
        // 1. Publishes: what Redis was sent is waited for; what waits for an outage is rejected.
        if (client.state() === "ready") held.flush();
        held.rejectAll((channel) => new BusError("closed", `Did not publish on channel "${channel}": the Redis Streams transport closed while Redis was unreachable.`, { channel }));
        if (client.state() !== "down") await Promise.allSettled([...inflight]);
        // 2. The read loop: the reader is disconnected at once (nothing on it to wait for) or, when it
        //    stays open, unblocked. A read queued on a reader that is down is not waited for.
        stopping = true;
        await streams.stop(reader, ownsReader || quitOnClose);
        // 3. The client connection, then our listeners on both (kept until now so no error event goes unheard).
        if (quitOnClose) await client.end(true);
        for (const off of listening.splice(0)) off();
        observers.clear();
        statusObservers.clear();
      })();
      return closing;
    },
  };
}
