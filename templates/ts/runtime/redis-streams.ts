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
 * added after it is `ready`. What Redis itself loses (a restart without persistence) is beyond this
 * guarantee: configure AOF (`appendfsync everysec` or `always`) for durability across restarts.
 *
 * Gap check: after each XREAD that returned entries of a stream, XINFO STREAM tells the oldest entry
 * kept, how many entries the stream ever received and how many it holds (Redis 7). The read is
 * contiguous when the reader's position is within what is kept, or when no more entries were trimmed
 * than the reader had seen (counted from its start, exact again whenever it reaches the end). It
 * errs towards a gap: a `from` position no longer kept is one even if nothing after it was trimmed,
 * and a reader within one read of the trimming edge may be told of a gap its last read escaped. On
 * Redis before 7 (no entries-added) any read from a position not kept is a gap: use Redis 7.
 *
 * Wildcards are refused. XREAD reads streams it is named, and a stream per channel means the streams
 * under a prefix are unknown until someone writes to them, so `"domain.*"`, `"*"` and every topic of
 * a scoped event at once (`name` without `topic`) throw `subscribe-invalid` at `subscribe`. Subscribe
 * to one event with its topic, or to an event without a topic path; for wildcard live views use the
 * pub/sub transport on a second bus.
 *
 * Connections: `client` takes XADD and the short commands; blocking reads never share it, so they go
 * through `reader`, a separate connection (default: `client.duplicate()`, owned and closed by the
 * transport). One read loop per transport: a single `XREAD COUNT c BLOCK t STREAMS …` over every
 * subscribed stream, woken with `CLIENT UNBLOCK` (sent on `client`) when a subscription is added or
 * the transport closes; `BLOCK` (default 1000 ms) bounds the wait when the wake-up cannot reach it.
 * Redis Cluster is not supported (one XREAD over streams in different slots fails).
 *
 * Faults, without user code: both clients reconnect by themselves. The read loop re-issues its
 * XREAD from the last position it delivered, so after a Redis restart reading resumes where it left
 * off. While `client` is down, publishes are held in order, up to `maxQueuedPublishes` (1000) and
 * for `publishQueueTimeout` ms (10 s), then rejected (`publish-failed`) — as the pub/sub transport
 * does. The first error of each outage is reported per connection (`connection-lost`).
 *
 * Ingress: an entry's `envelope` field is decoded with the serializer; an entry without one, or one
 * that cannot be decoded, is reported (`message-undecodable`) and skipped; the bus validates the rest
 * (type, schema, channel) before any subscriber sees it.
 *
 * `close()` waits for the replies to every XADD sent, rejects publishes held for an outage, stops the
 * read loop (the reader is disconnected at once, or with `quitOnClose: false` unblocked), and closes
 * the connections: afterwards no client of it is blocked on the server and nothing of it is open.
 */
import { BusError, messageOf } from "./errors.js";
import { startTimer } from "./platform.js";
import { positiveInteger, runtimeDefaults } from "./policies.js";
import { jsonSerializer, type EmitterListener, type Serializer } from "./redis.js";
import type { ChannelFilter, PositionGap, Transport, TransportListener, TransportSubscribeOptions, TransportSubscription } from "./transport.js";

/** The part of an ioredis connection (ioredis 5 and 6, not a Cluster) the Streams transport uses. */
export interface IoRedisCommandConnection {
  readonly status: string;
  readonly isCluster?: boolean;
  call(command: string, args: string[]): Promise<unknown>;
  duplicate(): IoRedisCommandConnection;
  on(event: string, listener: EmitterListener): unknown;
  removeListener(event: string, listener: EmitterListener): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** The part of a node-redis client (node-redis 4 and later, not a cluster) the Streams transport uses. */
export interface NodeRedisCommandConnection {
  readonly isOpen: boolean;
  /** Absent on a cluster, which the Streams transport does not support. */
  readonly isReady?: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisCommandConnection;
  connect(): Promise<unknown>;
  on(event: string, listener: EmitterListener): unknown;
  removeListener(event: string, listener: EmitterListener): unknown;
  /** node-redis 5: waits for pending replies, then closes. */
  close?(): Promise<unknown>;
  /** node-redis 4. */
  quit?(): Promise<unknown>;
  /** node-redis 5: closes at once. */
  destroy?(): void;
  /** node-redis 4. */
  disconnect?(): Promise<unknown>;
}

/** A connection of either client, as the application created it. */
export type RedisCommandConnection = IoRedisCommandConnection | NodeRedisCommandConnection;

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

/** The field of a stream entry that carries the serialized envelope. */
export const STREAM_ENVELOPE_FIELD = "envelope";

/** ready: commands reach the server now. down: lost, the client is reconnecting. closed: ended. client: the client connects on its first command (lazy). */
type LinkState = "ready" | "down" | "closed" | "client";

/** One connection behind the differences between the two clients: raw commands, RESP replies. */
interface Link {
  readonly client: "ioredis" | "node-redis";
  state(): LinkState;
  command(args: string[]): Promise<unknown>;
  on(event: string, listener: EmitterListener): void;
  /** graceful: after pending replies (QUIT); otherwise at once, failing whatever is pending. */
  end(graceful: boolean): Promise<void>;
}

const ignore = (): void => {};

function isIoRedis(connection: RedisCommandConnection): connection is IoRedisCommandConnection {
  return typeof (connection as { call?: unknown }).call === "function";
}

function isNodeRedis(connection: RedisCommandConnection): connection is NodeRedisCommandConnection {
  return typeof (connection as { sendCommand?: unknown }).sendCommand === "function" && !isIoRedis(connection);
}

function linkTo(connection: RedisCommandConnection, role: string, listening: (() => void)[]): Link {
  const on = (event: string, listener: EmitterListener): void => {
    connection.on(event, listener);
    listening.push(() => void connection.removeListener(event, listener));
  };
  if (isIoRedis(connection)) {
    if (connection.isCluster === true) throw new TypeError(`createRedisStreamTransport: ${role} is an ioredis Cluster; Redis Cluster is not supported (one XREAD cannot read streams in different slots)`);
    return ioRedisLink(connection, on);
  }
  if (isNodeRedis(connection)) {
    if (connection.isReady === undefined) throw new TypeError(`createRedisStreamTransport: ${role} is a node-redis cluster; Redis Cluster is not supported (one XREAD cannot read streams in different slots)`);
    return nodeRedisLink(connection, on);
  }
  throw new TypeError(`createRedisStreamTransport: ${role} must be an ioredis or node-redis connection`);
}

function ioRedisLink(redis: IoRedisCommandConnection, on: Link["on"]): Link {
  return {
    client: "ioredis",
    state() {
      switch (redis.status) {
        case "ready":
          return "ready";
        case "end":
          return "closed";
        case "wait": // lazyConnect: the first command connects
          return "client";
        default:
          return "down";
      }
    },
    command: ([name, ...args]) => redis.call(name as string, args),
    on,
    async end(graceful) {
      if (redis.status === "end") return;
      if (redis.status === "reconnecting" || redis.status === "close" || redis.status === "wait") {
        // No socket, only a reconnect timer (or nothing yet), which disconnect() cancels.
        redis.disconnect();
        return;
      }
      const ended = new Promise<void>((resolve) => {
        const done = (): void => {
          redis.removeListener("end", done);
          resolve();
        };
        redis.on("end", done);
      });
      if (graceful && redis.status === "ready") await redis.quit().catch(ignore);
      else redis.disconnect();
      await ended;
    },
  };
}

function nodeRedisLink(redis: NodeRedisCommandConnection, on: Link["on"]): Link {
  return {
    client: "node-redis",
    state() {
      if (!redis.isOpen) return "closed";
      return redis.isReady === true ? "ready" : "down";
    },
    command: (args) => redis.sendCommand(args),
    on,
    async end(graceful) {
      if (!redis.isOpen) return;
      if (graceful && redis.isReady === true) {
        const quit = redis.close ?? redis.quit;
        if (quit !== undefined) {
          await quit.call(redis).catch(ignore);
          return;
        }
      }
      if (redis.destroy !== undefined) redis.destroy();
      else await redis.disconnect?.().catch(ignore);
    },
  };
}

// ---- Stream entry IDs and RESP replies -------------------------------------------------------

const POSITION = /^\d{1,20}-\d{1,20}$/;

/** Orders two entry IDs (`<ms>-<seq>`, each a decimal of any length) numerically. */
export function comparePositions(a: string, b: string): number {
  const [aMs = "", aSeq = ""] = a.split("-");
  const [bMs = "", bSeq = ""] = b.split("-");
  return compareDecimal(aMs, bMs) || compareDecimal(aSeq, bSeq);
}

function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

interface Entry {
  readonly id: string;
  /** Field/value pairs, flat. */
  readonly fields: readonly unknown[];
}

/** Key/value pairs of a map reply: RESP2 `[[k, v], …]`, RESP3 as a flat `[k, v, …]` (ioredis 6), a `Map`, or an object. */
function pairsOf(reply: unknown): [unknown, unknown][] {
  if (reply instanceof Map) return [...(reply as Map<unknown, unknown>)];
  if (typeof reply !== "object" || reply === null) return [];
  if (!Array.isArray(reply)) return Object.entries(reply);
  const pairs: [unknown, unknown][] = [];
  if (reply.every((item) => Array.isArray(item))) for (const pair of reply as unknown[][]) pairs.push([pair[0], pair[1]]);
  else for (let index = 0; index + 1 < reply.length; index += 2) pairs.push([reply[index], reply[index + 1]]);
  return pairs;
}

/** The entries of each stream in an XREAD reply. */
function parseRead(reply: unknown): Map<string, Entry[]> {
  const batches = new Map<string, Entry[]>();
  const pairs = pairsOf(reply);
  for (const [key, rawEntries] of pairs) {
    if (!Array.isArray(rawEntries)) continue;
    const entries: Entry[] = [];
    for (const raw of rawEntries) {
      if (!Array.isArray(raw)) continue;
      entries.push({ id: text(raw[0]), fields: Array.isArray(raw[1]) ? (raw[1] as unknown[]) : [] });
    }
    if (entries.length > 0) batches.set(text(key), entries);
  }
  return batches;
}

/** A field of an XINFO STREAM reply (RESP2 flat array, or a RESP3 map). */
function infoField(reply: unknown, name: string): unknown {
  if (reply instanceof Map) return (reply as Map<unknown, unknown>).get(name);
  if (Array.isArray(reply)) {
    for (let index = 0; index + 1 < reply.length; index += 2) if (text(reply[index]) === name) return reply[index + 1];
    return undefined;
  }
  return typeof reply === "object" && reply !== null ? (reply as Record<string, unknown>)[name] : undefined;
}

function readInfo(reply: unknown): StreamInfo {
  const number = (name: string): number | undefined => {
    const value = infoField(reply, name);
    return value === undefined || value === null ? undefined : Number(value);
  };
  const id = (name: string): string | undefined => {
    const value = infoField(reply, name);
    return value === undefined || value === null ? undefined : text(value);
  };
  const firstEntry = infoField(reply, "first-entry");
  return {
    first: id("recorded-first-entry-id") ?? (Array.isArray(firstEntry) ? text(firstEntry[0]) : undefined),
    last: id("last-generated-id"),
    added: number("entries-added"),
    length: number("length"),
  };
}

/**
 * Were entries after `after` trimmed away? Not when `after` is within what is kept. Otherwise, when
 * the cursor knows how many entries it has seen, only if more entries than that were trimmed
 * (entries-added − length; an XDEL counts as trimmed, so this errs towards a gap). Without that
 * count (a `from` position; Redis before 7), a position older than the oldest entry kept is a gap.
 */
function trimmedAfter(info: StreamInfo, after: string, seen: number | undefined): boolean {
  if (info.first === undefined || comparePositions(info.first, after) <= 0) return false;
  if (seen === undefined || info.added === undefined || info.length === undefined) return true;
  return info.added - info.length > seen;
}

function envelopeText(entry: Entry): string | undefined {
  for (let index = 0; index + 1 < entry.fields.length; index += 2) {
    if (text(entry.fields[index]) === STREAM_ENVELOPE_FIELD) return text(entry.fields[index + 1]);
  }
  return undefined;
}

// ---- The transport ----------------------------------------------------------------------------

/** One subscription: a reader of one stream from its own position. */
interface Cursor {
  readonly key: string;
  readonly channel: string;
  readonly listener: TransportListener;
  readonly onGap: ((gap: PositionGap) => void) | undefined;
  /** The last position delivered (or the start); undefined until `ready`. */
  position: string | undefined;
  /**
   * How many entries the stream had ever received up to `position` (XINFO's entries-added then), when
   * known: it tells a gap from a reader that is merely at the trimming edge. Unknown for a `from`
   * cursor until it catches up with the end of the stream.
   */
  seen: number | undefined;
  active: boolean;
}

/** What XINFO STREAM says of a stream, as the gap check reads it. */
interface StreamInfo {
  /** The oldest entry kept. */
  readonly first: string | undefined;
  /** The newest entry ID ever given out. */
  readonly last: string | undefined;
  /** Entries ever added (Redis 7). */
  readonly added: number | undefined;
  readonly length: number | undefined;
}

interface Held {
  readonly channel: string;
  readonly text: string;
  readonly deadline: number;
  resolve(): void;
  reject(error: Error): void;
}

const MAX_PREVIEW = 1000;
/** Pause after a failed read before the next, so a refused command does not spin. */
const READ_RETRY_DELAY = 250;
/** Pause before a wake-up is sent again, when it reached the reader before its XREAD did. */
const UNBLOCK_RETRY_DELAY = 10;

export function createRedisStreamTransport(options: RedisStreamTransportOptions): Transport {
  if (options.reader !== undefined && options.reader === options.client) {
    throw new TypeError("createRedisStreamTransport: client and reader must be separate connections (a blocking XREAD holds its connection): pass client.duplicate() as reader, or leave reader out");
  }
  const prefix = options.prefix ?? "";
  const serializer = options.serializer ?? jsonSerializer;
  const maxLen = String(positiveInteger("maxLen", options.maxLen, runtimeDefaults.streamMaxLen));
  const readCount = String(positiveInteger("readCount", options.readCount, runtimeDefaults.streamReadCount));
  const blockTimeout = String(positiveInteger("blockTimeout", options.blockTimeout, runtimeDefaults.streamBlockTimeout));
  const maxQueued = positiveInteger("maxQueuedPublishes", options.maxQueuedPublishes, runtimeDefaults.maxQueuedPublishes);
  const queueTimeout = positiveInteger("publishQueueTimeout", options.publishQueueTimeout, runtimeDefaults.publishQueueTimeout);
  const quitOnClose = options.quitOnClose ?? true;

  const observers = new Set<(error: Error) => void>();
  const report = (error: Error): void => {
    for (const observer of observers) observer(error);
  };

  // Every listener the transport adds to either connection, removed by close().
  const listening: (() => void)[] = [];
  const client = linkTo(options.client, "client", listening);
  const ownsReader = options.reader === undefined;
  const readerConnection = options.reader ?? options.client.duplicate();
  const reader = linkTo(readerConnection, "reader", listening);
  // node-redis: a duplicate is not connected yet (ioredis connects its own).
  const readerConnected: Promise<unknown> =
    ownsReader && reader.client === "node-redis" ? (readerConnection as NodeRedisCommandConnection).connect().catch((error: unknown) => error) : Promise.resolve();

  const cursors = new Set<Cursor>();
  const inflight = new Set<Promise<unknown>>();
  const held: Held[] = [];
  let cancelHeldTimer: (() => void) | undefined;
  let closing: Promise<void> | undefined;
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
      throw new BusError("publish-failed", `Redis did not accept the XADD on "${prefix}${channel}": ${messageOf(error)}`, { cause: error, channel });
    });
    inflight.add(accepted);
    const done = (): void => void inflight.delete(accepted);
    accepted.then(done, done);
    return accepted;
  };

  const flush = (): void => {
    if (held.length === 0) return;
    cancelHeldTimer?.();
    cancelHeldTimer = undefined;
    for (const entry of held.splice(0)) send(entry.channel, entry.text).then(entry.resolve, entry.reject);
  };

  const rejectHeld = (reason: (entry: Held) => BusError): void => {
    cancelHeldTimer?.();
    cancelHeldTimer = undefined;
    for (const entry of held.splice(0)) entry.reject(reason(entry));
  };

  const expire = (): void => {
    cancelHeldTimer = undefined;
    const now = Date.now();
    while (held.length > 0 && (held[0] as Held).deadline <= now) {
      const entry = held.shift() as Held;
      entry.reject(new BusError("publish-failed", `Did not publish on "${prefix}${entry.channel}": Redis stayed unreachable for ${queueTimeout} ms (publishQueueTimeout).`, { channel: entry.channel }));
    }
    armHeldTimer();
  };

  const armHeldTimer = (): void => {
    const first = held[0];
    if (cancelHeldTimer !== undefined || first === undefined) return;
    cancelHeldTimer = startTimer(Math.max(0, first.deadline - Date.now()), expire);
  };

  // ---- Reading: one XREAD loop over every subscribed stream ----

  /**
   * The reader's CLIENT ID on its current connection, for CLIENT UNBLOCK; forgotten on any connection
   * event (an ID of a past connection may belong to another client now). A CLIENT ID reply always
   * names the connection it ran on, and arrives before that connection's close event.
   */
  let readerId: string | undefined;
  /** A read is in flight; `readRound` tells one read from the next. */
  let reading = false;
  let readRound = 0;
  let wakeIdle: (() => void) | undefined;
  let cancelPause: (() => void) | undefined;
  let cancelUnblockRetry: (() => void) | undefined;
  let readFailure: string | undefined;

  const forgetReaderId = (): void => {
    readerId = undefined;
  };

  const unblock = (round: number): void => {
    cancelUnblockRetry = undefined;
    if (!reading || readRound !== round) return;
    // The reader's id is not known yet (its CLIENT ID reply is on the way): look again shortly.
    if (readerId === undefined) {
      cancelUnblockRetry = startTimer(UNBLOCK_RETRY_DELAY, () => unblock(round));
      return;
    }
    const state = client.state();
    if (state !== "ready" && state !== "client") return;
    client.command(["CLIENT", "UNBLOCK", readerId]).then((reply) => {
      // 0: the reader is not blocked (yet): its XREAD may still be on the way. Try again shortly —
      // while closing too, or a close racing the read would wait out the whole block timeout.
      if (Number(reply) === 0 && reading && readRound === round) cancelUnblockRetry = startTimer(UNBLOCK_RETRY_DELAY, () => unblock(round));
    }, ignore);
  };

  /** Makes the loop look at its cursors again now: ends an idle wait or unblocks the XREAD in flight. */
  const wake = (): void => {
    if (wakeIdle !== undefined) {
      const resolve = wakeIdle;
      wakeIdle = undefined;
      resolve();
      return;
    }
    if (cancelPause !== undefined) return; // retrying after a failure: it looks again when the pause ends
    if (reading && cancelUnblockRetry === undefined) unblock(readRound);
  };

  const idle = (): Promise<void> => new Promise<void>((resolve) => (wakeIdle = resolve));

  const pause = (milliseconds: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const cancel = startTimer(milliseconds, () => {
        cancelPause = undefined;
        resolve();
      });
      cancelPause = () => {
        cancel();
        cancelPause = undefined;
        resolve();
      };
    });

  const decode = (cursor: Cursor, entry: Entry): unknown => {
    const raw = envelopeText(entry);
    if (raw === undefined) {
      report(new BusError("message-undecodable", `Dropped entry ${entry.id} of stream "${cursor.key}": it has no "${STREAM_ENVELOPE_FIELD}" field.`, { channel: cursor.channel }));
      return undefined;
    }
    try {
      return serializer.decode(raw);
    } catch (error) {
      const preview = raw.length > MAX_PREVIEW ? `${raw.slice(0, MAX_PREVIEW)}…` : raw;
      report(new BusError("message-undecodable", `Dropped entry ${entry.id} on channel "${cursor.channel}" that could not be decoded: ${messageOf(error)}`, { cause: error, channel: cursor.channel, envelope: preview }));
      return undefined;
    }
  };

  /** Hands a batch of one stream to one cursor: the entries after its position, a gap first if there is one. */
  const deliver = (cursor: Cursor, entries: readonly Entry[], info: StreamInfo): void => {
    let checked = false;
    for (const entry of entries) {
      if (!cursor.active) return;
      const after = cursor.position as string;
      if (comparePositions(entry.id, after) <= 0) continue;
      if (!checked) {
        // Only before the first entry of the batch this cursor receives: the rest follow it in the stream.
        checked = true;
        const gap = trimmedAfter(info, after, cursor.seen);
        if (gap) {
          // Delivery goes on at the oldest entry kept, preceded by entries-added − length entries (when
          // that entry is still the oldest: trimming may have moved on since the read).
          cursor.seen = info.added === undefined || info.length === undefined || info.first !== entry.id ? undefined : info.added - info.length;
          try {
            if (cursor.onGap !== undefined) cursor.onGap({ channel: cursor.channel, after, next: entry.id });
            else report(new BusError("stream-gap", `Entries of stream "${cursor.key}" after ${after} and before ${entry.id} were trimmed away before they were read.`, { channel: cursor.channel }));
          } catch (error) {
            report(new BusError("subscriber-failed", `An onGap handler on channel "${cursor.channel}" threw: ${messageOf(error)}`, { cause: error, channel: cursor.channel }));
          }
          if (!cursor.active) return;
        }
      }
      cursor.position = entry.id;
      if (cursor.seen !== undefined) cursor.seen += 1;
      const data = decode(cursor, entry);
      if (data === undefined) continue;
      try {
        cursor.listener({ channel: cursor.channel, data, position: entry.id });
      } catch (error) {
        report(new BusError("subscriber-failed", `A listener on channel "${cursor.channel}" threw: ${messageOf(error)}`, { cause: error, channel: cursor.channel }));
      }
    }
    // Caught up with the end of the stream: the count is exact again.
    if (cursor.position === info.last && info.added !== undefined) cursor.seen = info.added;
  };

  const readLoop = async (): Promise<void> => {
    const connected = await readerConnected;
    if (connected instanceof Error) report(new BusError("connection-lost", `Redis Streams reader connection (${reader.client}) could not connect: ${connected.message}`, { cause: connected }));
    while (!stopping) {
      // The streams to read, each from the lowest position of the cursors reading it.
      const plan = new Map<string, { from: string; cursors: Cursor[] }>();
      for (const cursor of cursors) {
        if (!cursor.active || cursor.position === undefined) continue;
        const step = plan.get(cursor.key);
        if (step === undefined) plan.set(cursor.key, { from: cursor.position, cursors: [cursor] });
        else {
          step.cursors.push(cursor);
          if (comparePositions(cursor.position, step.from) < 0) step.from = cursor.position;
        }
      }
      if (plan.size === 0) {
        await idle();
        continue;
      }
      const keys = [...plan.keys()];
      let batches: Map<string, Entry[]>;
      let infos: StreamInfo[];
      try {
        // Sent just before the XREAD on the same connection: its reply is in before the XREAD blocks.
        if (readerId === undefined) reader.command(["CLIENT", "ID"]).then((id) => void (readerId = text(id)), ignore);
        reading = true;
        readRound += 1;
        const reply = await reader.command(["XREAD", "COUNT", readCount, "BLOCK", blockTimeout, "STREAMS", ...keys, ...keys.map((key) => (plan.get(key) as { from: string }).from)]);
        reading = false;
        cancelUnblockRetry?.();
        cancelUnblockRetry = undefined;
        if (stopping) break;
        batches = parseRead(reply);
        // Gap check, before anything of the batch is delivered.
        infos = (await Promise.all([...batches.keys()].map((key) => reader.command(["XINFO", "STREAM", key])))).map(readInfo);
        readFailure = undefined;
      } catch (error) {
        reading = false;
        if (stopping) break;
        // One report per run of failures; a lost connection is reported by its own watcher.
        const message = messageOf(error);
        if (readFailure === undefined && reader.state() === "ready") {
          report(new BusError("connection-lost", `Redis Streams read failed (${reader.client}): ${message}; retrying.`, { cause: error }));
        }
        readFailure = message;
        await pause(READ_RETRY_DELAY);
        continue;
      }
      if (stopping) break;
      let index = 0;
      for (const [key, entries] of batches) {
        const info = infos[index] as StreamInfo;
        index += 1;
        for (const cursor of plan.get(key)?.cursors ?? []) if (cursor.active) deliver(cursor, entries, info);
      }
    }
  };

  // ---- Connection events: flush held publishes when the client is back, report each outage once ----

  const watch = (link: Link, role: string): void => {
    let reported = false;
    const lost = (error?: unknown): void => {
      if (link === reader) forgetReaderId();
      if (reported || stopping) return;
      reported = true;
      const cause = error === undefined ? "connection lost" : messageOf(error);
      report(new BusError("connection-lost", `Redis Streams ${role} connection (${link.client}): ${cause}; the client is reconnecting.`, { cause: error }));
    };
    link.on("error", (error) => lost(error));
    link.on("reconnecting", () => lost());
    link.on("close", () => {
      if (link === reader) forgetReaderId();
    });
    link.on("ready", () => {
      reported = false;
      if (link === client) flush();
    });
    if (link === client) {
      link.on("end", () =>
        rejectHeld((entry) => new BusError("publish-failed", `Did not publish on "${prefix}${entry.channel}": the Redis client connection ended.`, { channel: entry.channel })),
      );
    } else {
      link.on("end", forgetReaderId);
    }
  };
  watch(client, "client");
  watch(reader, "reader");

  const loop = readLoop();

  const describeFilter = (filter: ChannelFilter): string =>
    "channel" in filter ? `channel "${filter.channel}"` : filter.prefix === "" ? "every channel" : `every channel starting with "${filter.prefix}"`;

  return {
    trusted: false,
    positions: true,

    publish(channel: string, envelope: unknown): Promise<void> {
      if (closing !== undefined) return Promise.reject(new BusError("closed", `Cannot publish on "${prefix}${channel}": the Redis Streams transport is closed.`, { channel }));
      let encoded: string;
      try {
        encoded = serializer.encode(envelope);
      } catch (error) {
        return Promise.reject(new BusError("publish-failed", `Could not encode the envelope for "${prefix}${channel}": ${messageOf(error)}`, { cause: error, channel }));
      }
      const state = client.state();
      if (state === "closed") {
        const hint = client.client === "node-redis" ? " (node-redis: await client.connect() before publishing)" : "";
        return Promise.reject(new BusError("publish-failed", `Did not publish on "${prefix}${channel}": the Redis client connection is closed${hint}.`, { channel }));
      }
      if (state === "ready" || state === "client") {
        flush(); // anything held goes first: publish order is XADD order
        return send(channel, encoded);
      }
      if (held.length >= maxQueued) {
        return Promise.reject(
          new BusError("publish-failed", `Did not publish on "${prefix}${channel}": Redis is unreachable and ${held.length} publishes already wait for it (maxQueuedPublishes).`, { channel }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        held.push({ channel, text: encoded, deadline: Date.now() + queueTimeout, resolve, reject });
        armHeldTimer();
      });
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
      if (from !== undefined && !POSITION.test(from)) {
        throw new BusError("subscribe-invalid", `Cannot resume channel "${filter.channel}" from "${from}": not a stream position (<milliseconds>-<sequence>, as handed out with each event).`, {
          channel: filter.channel,
        });
      }
      const key = prefix + filter.channel;
      const cursor: Cursor = { key, channel: filter.channel, listener, onGap: subscribeOptions.onGap, position: undefined, seen: undefined, active: true };
      cursors.add(cursor);
      // The start: `from`, or the newest entry ID now, so what is added after `ready` is delivered. The
      // same command confirms the key is a stream (or absent: no entry yet, none seen).
      const info = client.command(["XINFO", "STREAM", key]).then(readInfo, (error: unknown) => {
        if (/no such key/i.test(messageOf(error))) return { first: undefined, last: "0-0", added: 0, length: 0 };
        throw error;
      });
      const ready = info.then(
        ({ last = "0-0", added }) => {
          if (!cursor.active) return;
          cursor.position = from ?? last;
          cursor.seen = cursor.position === last ? added : undefined;
          wake();
        },
        (error: unknown) => {
          cursors.delete(cursor);
          cursor.active = false;
          throw new BusError("subscribe-failed", `Redis refused to read stream "${key}": ${messageOf(error)}`, { cause: error, channel: filter.channel });
        },
      );
      ready.catch(ignore); // the bus reports it; a caller awaiting `ready` still sees it
      return {
        ready,
        unsubscribe(): void {
          cursor.active = false;
          cursors.delete(cursor);
        },
      };
    },

    onError(observer: (error: Error) => void): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },

    close(): Promise<void> {
      closing ??= (async () => {
        // 1. Publishes: what Redis was sent is waited for; what waits for an outage is rejected.
        if (client.state() === "ready") flush();
        rejectHeld((entry) => new BusError("closed", `Did not publish on "${prefix}${entry.channel}": the Redis Streams transport closed while Redis was unreachable.`, { channel: entry.channel }));
        if (client.state() !== "down") await Promise.allSettled([...inflight]);
        // 2. The read loop: the reader is disconnected at once (nothing on it to wait for) or, when it
        //    stays open, unblocked. A read queued on a reader that is down is not waited for.
        stopping = true;
        for (const cursor of cursors) cursor.active = false;
        cursors.clear();
        const endReader = ownsReader || quitOnClose;
        const readerUp = reader.state() === "ready";
        if (wakeIdle !== undefined) wake();
        cancelPause?.();
        if (endReader) await reader.end(false);
        else if (reading) unblock(readRound);
        if (readerUp) await loop;
        cancelUnblockRetry?.();
        // 3. The client connection, then our listeners on both (kept until now so no error event goes unheard).
        if (quitOnClose) await client.end(true);
        for (const off of listening.splice(0)) off();
        observers.clear();
      })();
      return closing;
    },
  };
}
