/**
 * The Redis pub/sub transport, over connections of ioredis (5, 6) or node-redis (4 and later) that
 * the application created — recognised structurally; this file imports no Redis client.
 *
 * Delivery guarantee: AT MOST ONCE. Redis pub/sub stores nothing: a message reaches the
 * subscribers connected at the moment Redis receives it, once, in the order one connection
 * published it — so per channel (per event and topic) the order of one publisher holds. A
 * subscriber that is disconnected (a restart, a network cut) misses what is published meanwhile;
 * no gap is signalled. One exception to "at most": ioredis resends a PUBLISH whose reply was lost
 * with the connection (`autoResendUnfulfilledCommands`), which can deliver that message twice; the
 * envelope `id` identifies the duplicate. For at-least-once delivery use the Redis Streams transport.
 *
 * Faults, without user code:
 * - Both clients reconnect by themselves; this transport relies on their resubscription (node-redis
 *   always; ioredis with `autoResubscribe`, its default), so subscriptions resume after a restart.
 * - While the publisher connection is down, publishes are held here, in order, up to
 *   `maxQueuedPublishes` (default 1000) and for at most `publishQueueTimeout` ms (default 10 s);
 *   past either bound a publish is rejected with a `BusError` (`publish-failed`) that says so. When
 *   the connection is back they are sent in order. Nothing is dropped silently.
 * - A publish Redis had been sent when the connection dropped settles as the client decides
 *   (node-redis rejects it; ioredis retries it up to `maxRetriesPerRequest`).
 * - The first connection error of each outage is reported through `onError` (`connection-lost`).
 * - Status (`onStatus`, relayed by the bus as `bus.status()`/`bus.onStatus()`): `down` as soon as
 *   the publisher or the subscriber connection is lost (or was not connected when the transport was
 *   created), with that outage's `connection-lost` error as its cause; `up` once both are ready
 *   again. One report per change, however many reconnection attempts an outage takes.
 * - Error messages name a channel as the bus does, without `prefix`; the Redis name appears only
 *   where it matters (the SUBSCRIBE Redis refused).
 *
 * Ingress: whatever arrives is decoded with the serializer; what cannot be decoded is reported
 * (`message-undecodable`) and dropped here; the bus then validates the rest (type, schema, channel)
 * before any subscriber sees it.
 *
 * Connections: `subscriber` is given over to subscriptions (Redis takes a subscribing connection
 * over), so it must be a separate connection from `publisher` — `client.duplicate()`. node-redis
 * connections must be connected (`await client.connect()`) before use. `close()` waits for the
 * replies to every publish sent, rejects publishes still held for an outage, unsubscribes, and
 * (unless `quitOnClose: false`) closes both connections.
 *
 * Cost: publishes made in one turn are sent together on the next microtask, as one EVAL of a short
 * Lua script that PUBLISHes them in order (up to 256 per run) — one command instead of one per event,
 * which roughly halves the client's CPU per event; each publish still settles with its own reply. A
 * lone publish is a plain PUBLISH. Where the server refuses scripts (ACL without EVAL, scripting
 * disabled) the transport falls back for good to one pipeline per batch (ioredis) or one PUBLISH per
 * event (node-redis). Cluster connections send a pipeline (ioredis) or one PUBLISH per event
 * (node-redis), and sharded publishes are sent one by one (a batch to a cluster must stay within one
 * slot).
 *
 * Sharded pub/sub (`sharded: true`, Redis 7 Cluster): SPUBLISH/SSUBSCRIBE, so each message travels
 * only within the shard that owns its channel. Redis has no sharded pattern subscription, so a
 * sharded subscription names one channel: an event with a topic, or an event that has no topic
 * path — not a wildcard and not "every topic" of a scoped event. ioredis clusters need
 * `shardedSubscribers: true` on the subscriber to SSUBSCRIBE on the shard that owns a channel.
 */
import { readJsonText } from "../wire.js";
import { BusError, describeIssues, messageOf } from "./errors.js";
import { acceptedNow, startTimer } from "./platform.js";
import { positiveInteger, runtimeDefaults } from "./policies.js";
import { TRANSPORT_UP, type ChannelFilter, type Transport, type TransportListener, type TransportStatus, type TransportSubscription } from "./transport.js";

/** Any event listener, as EventEmitter-style `on` takes it. */
export type EmitterListener = (...args: unknown[]) => void;

/** The part of an ioredis connection (`Redis` or `Cluster`, ioredis 5 and 6) the transport uses. */
export interface IoRedisConnection {
  readonly status: string;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  psubscribe(...patterns: string[]): Promise<unknown>;
  punsubscribe(...patterns: string[]): Promise<unknown>;
  spublish?(channel: string, message: string): Promise<unknown>;
  /** Commands queued and written together; `exec` settles with one `[error, reply]` per command. */
  pipeline?(): IoRedisPipeline;
  /** Runs a Lua script (EVAL). */
  eval?(script: string, keys: number, ...args: string[]): Promise<unknown>;
  /** True on an ioredis `Cluster`. */
  readonly isCluster?: boolean;
  ssubscribe?(...channels: string[]): Promise<unknown>;
  sunsubscribe?(...channels: string[]): Promise<unknown>;
  on(event: string, listener: EmitterListener): unknown;
  removeListener(event: string, listener: EmitterListener): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** The part of an ioredis pipeline the transport uses. */
export interface IoRedisPipeline {
  publish(channel: string, message: string): unknown;
  exec(): Promise<readonly (readonly [Error | null, unknown])[] | null>;
}

/** A node-redis pub/sub listener (strings unless subscribed in buffer mode, which the transport never does). */
export type NodeRedisListener = (message: unknown, channel: unknown) => unknown;

/** The part of a node-redis connection (client or cluster, node-redis 4 and later) the transport uses. */
export interface NodeRedisConnection {
  readonly isOpen: boolean;
  /** Absent on a cluster, which routes to its nodes' own connections. */
  readonly isReady?: boolean;
  publish(channel: string, message: string): Promise<unknown>;
  /** Any command: a client's takes the command as its arguments; a cluster's takes more and is not used. */
  sendCommand?(...args: never[]): Promise<unknown>;
  subscribe(channels: string, listener: NodeRedisListener): Promise<unknown>;
  unsubscribe(channels: string, listener: NodeRedisListener): Promise<unknown>;
  pSubscribe(patterns: string, listener: NodeRedisListener): Promise<unknown>;
  pUnsubscribe(patterns: string, listener: NodeRedisListener): Promise<unknown>;
  sPublish?(channel: string, message: string): Promise<unknown>;
  sSubscribe?(channels: string, listener: NodeRedisListener): Promise<unknown>;
  sUnsubscribe?(channels: string, listener: NodeRedisListener): Promise<unknown>;
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
export type RedisConnection = IoRedisConnection | NodeRedisConnection;

/** Turns envelopes into message text and back. `decode` may throw: the message is then reported and dropped. */
export interface Serializer {
  encode(envelope: unknown): string;
  decode(text: string): unknown;
}

/** JSON, read as every reader of the wire reads it: the document rules hold over the whole text (docs/wire-format.md). */
export const jsonSerializer: Serializer = {
  encode: (envelope) => JSON.stringify(envelope),
  decode: (text) => {
    const read = readJsonText(text);
    if (!read.ok) throw new SyntaxError(describeIssues([read.issue]));
    return read.value;
  },
};

export interface RedisTransportOptions {
  /** The connection PUBLISH goes through. */
  readonly publisher: RedisConnection;
  /** A separate connection for SUBSCRIBE (Redis gives a subscribing connection over to it). */
  readonly subscriber: RedisConnection;
  /** Put in front of every channel name, e.g. `"app:"` → `app:session.status:s1`. Default `""`. */
  readonly prefix?: string;
  /** Default: JSON. */
  readonly serializer?: Serializer;
  /** SPUBLISH/SSUBSCRIBE (Redis 7 Cluster sharded pub/sub) instead of PUBLISH/SUBSCRIBE. Default `false`. */
  readonly sharded?: boolean;
  /** Publishes held while the publisher is disconnected. Default `runtimeDefaults.maxQueuedPublishes` (1000). */
  readonly maxQueuedPublishes?: number;
  /** Milliseconds a held publish waits for the connection. Default `runtimeDefaults.publishQueueTimeout` (10 000). */
  readonly publishQueueTimeout?: number;
  /** `close()` also closes both connections. Default `true`; `false` when the application keeps using them. */
  readonly quitOnClose?: boolean;
}

type Mode = "channel" | "pattern" | "shard";

/** ready: commands reach the server now. down: lost, the client is reconnecting. closed: ended. client: the client queues and routes itself (lazy connection, cluster). */
type LinkState = "ready" | "down" | "closed" | "client";

/** One connection behind the differences between the two clients. */
interface Link {
  readonly client: "ioredis" | "node-redis";
  state(): LinkState;
  publish(channel: string, text: string, sharded: boolean): Promise<unknown>;
  /**
   * PUBLISHes several messages in one go (a script run, else a pipeline); resolves with each one's
   * error (null: accepted). Absent when the connection can do neither (a node-redis cluster).
   */
  readonly publishAll: PublishAll | undefined;
  subscribe(mode: Mode, name: string): Promise<unknown>;
  unsubscribe(mode: Mode, name: string): Promise<unknown>;
  on(event: string, listener: EmitterListener): void;
  end(): Promise<void>;
}

type MessageSink = (mode: Mode, name: string, channel: string, text: string) => void;

/** A publish waiting for the next batch: its Redis channel (prefix included), text and settlement. */
interface Outgoing {
  readonly channel: string;
  readonly text: string;
  resolve(): void;
  reject(error: Error): void;
}

function isNodeRedis(connection: RedisConnection): connection is NodeRedisConnection {
  return typeof (connection as { pSubscribe?: unknown }).pSubscribe === "function";
}

function isIoRedis(connection: RedisConnection): connection is IoRedisConnection {
  return typeof (connection as { psubscribe?: unknown }).psubscribe === "function";
}

const ignore = (): void => {};


/** Wraps a connection; every listener it adds to the connection is recorded in `listening` for removal. */
function linkTo(connection: RedisConnection, sink: MessageSink | undefined, listening: (() => void)[]): Link {
  const on = (event: string, listener: EmitterListener): void => {
    connection.on(event, listener);
    listening.push(() => void connection.removeListener(event, listener));
  };
  if (isNodeRedis(connection)) return nodeRedisLink(connection, sink, on);
  if (isIoRedis(connection)) return ioRedisLink(connection, sink, on);
  throw new TypeError("createRedisTransport: publisher and subscriber must be ioredis or node-redis connections");
}

function ioRedisLink(redis: IoRedisConnection, sink: MessageSink | undefined, on: Link["on"]): Link {
  const method = <M extends "spublish" | "ssubscribe" | "sunsubscribe">(name: M): NonNullable<IoRedisConnection[M]> => {
    const found = redis[name];
    if (found === undefined) throw new TypeError(`createRedisTransport: sharded pub/sub needs ioredis with ${name}() (5.3 or later)`);
    return found.bind(redis) as NonNullable<IoRedisConnection[M]>;
  };
  // Messages of every kind arrive as events on the connection.
  if (sink !== undefined) {
    on("message", (channel, text) => sink("channel", String(channel), String(channel), String(text)));
    on("pmessage", (pattern, channel, text) => sink("pattern", String(pattern), String(channel), String(text)));
    on("smessage", (channel, text) => sink("shard", String(channel), String(channel), String(text)));
  }
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
    publish: (channel, text, sharded) => (sharded ? method("spublish")(channel, text) : redis.publish(channel, text)),
    publishAll: ioRedisPublishAll(redis),
    subscribe: (mode, name) => (mode === "channel" ? redis.subscribe(name) : mode === "pattern" ? redis.psubscribe(name) : method("ssubscribe")(name)),
    unsubscribe: (mode, name) => (mode === "channel" ? redis.unsubscribe(name) : mode === "pattern" ? redis.punsubscribe(name) : method("sunsubscribe")(name)),
    on,
    async end() {
      if (redis.status === "end") return;
      if (redis.status === "reconnecting" || redis.status === "close") {
        // No socket, only a reconnect timer, which disconnect() cancels (ioredis emits no "end" then).
        redis.disconnect();
        return;
      }
      // QUIT's reply comes before the socket is gone; "end" is when it is.
      const ended = new Promise<void>((resolve) => {
        const done = (): void => {
          redis.removeListener("end", done);
          resolve();
        };
        redis.on("end", done);
      });
      if (redis.status === "ready") await redis.quit().catch(ignore);
      else redis.disconnect();
      await ended;
    },
  };
}

function nodeRedisLink(redis: NodeRedisConnection, sink: MessageSink | undefined, on: Link["on"]): Link {
  // node-redis calls a listener per subscription; one per (mode, name), kept to unsubscribe it again.
  const listeners = new Map<string, NodeRedisListener>();
  const listenerFor = (mode: Mode, name: string): NodeRedisListener => {
    const key = `${mode}:${name}`;
    let listener = listeners.get(key);
    if (listener === undefined) {
      listener = (text, channel) => sink?.(mode, name, String(channel), String(text));
      listeners.set(key, listener);
    }
    return listener;
  };
  const sharded = <M extends "sPublish" | "sSubscribe" | "sUnsubscribe">(name: M): NonNullable<NodeRedisConnection[M]> => {
    const found = redis[name];
    if (found === undefined) throw new TypeError(`createRedisTransport: sharded pub/sub needs node-redis with ${name}() (4.6 or later)`);
    return found.bind(redis) as NonNullable<NodeRedisConnection[M]>;
  };
  return {
    client: "node-redis",
    state() {
      if (!redis.isOpen) return "closed";
      if (redis.isReady === undefined) return "client";
      return redis.isReady ? "ready" : "down";
    },
    publish: (channel, text, isSharded) => (isSharded ? sharded("sPublish")(channel, text) : redis.publish(channel, text)),
    publishAll: nodeRedisPublishAll(redis),
    subscribe(mode, name) {
      const listener = listenerFor(mode, name);
      return mode === "channel" ? redis.subscribe(name, listener) : mode === "pattern" ? redis.pSubscribe(name, listener) : sharded("sSubscribe")(name, listener);
    },
    unsubscribe(mode, name) {
      const listener = listenerFor(mode, name);
      listeners.delete(`${mode}:${name}`);
      return mode === "channel" ? redis.unsubscribe(name, listener) : mode === "pattern" ? redis.pUnsubscribe(name, listener) : sharded("sUnsubscribe")(name, listener);
    },
    on,
    async end() {
      if (!redis.isOpen) return;
      if (redis.isReady !== false) {
        const graceful = redis.close ?? redis.quit;
        if (graceful !== undefined) {
          await graceful.call(redis).catch(ignore);
          return;
        }
      }
      if (redis.destroy !== undefined) redis.destroy();
      else await redis.disconnect?.().catch(ignore);
    },
  };
}

/**
 * Publishes a batch in one command: the script PUBLISHes each (channel, text) pair of its arguments
 * in order, each under `pcall`, and returns every reply — so each publish still settles with its own
 * answer (an ACL may refuse one channel and not the next). One EVAL costs the client a fraction of
 * what one command per event does.
 */
const PUBLISH_SCRIPT = "local r = {} for i = 1, #ARGV, 2 do r[#r + 1] = redis.pcall('PUBLISH', ARGV[i], ARGV[i + 1]) end return r";

/** Publishes per script run at most: the server runs nothing else while a script runs. */
const SCRIPT_BATCH = 256;

/** An error the server replied with (`ERR …`, `NOPERM …`, `OOM …`), as opposed to a lost connection. */
function isServerError(error: unknown): boolean {
  return error instanceof Error && /^[A-Z][A-Z_]+ /.test(error.message);
}

type PublishAll = (messages: readonly Outgoing[]) => Promise<readonly (Error | null)[]>;

/**
 * `publishAll` through PUBLISH_SCRIPT, in runs of at most SCRIPT_BATCH. A single message, and every
 * batch once the server refused a script (no EVAL permission, scripting disabled, out of memory for
 * scripts), goes through `plain` instead; a refused run published nothing, so it is sent again that way.
 */
function scripted(evaluate: (args: string[]) => Promise<unknown>, plain: PublishAll): PublishAll {
  let scripts = true;
  const run = async (messages: readonly Outgoing[]): Promise<readonly (Error | null)[]> => {
    const args: string[] = [];
    for (const message of messages) args.push(message.channel, message.text);
    let replies: unknown;
    try {
      replies = await evaluate(args);
    } catch (error) {
      if (!isServerError(error)) throw error;
      scripts = false;
      return plain(messages);
    }
    if (!Array.isArray(replies) || replies.length !== messages.length) throw new Error("the publish script gave an unexpected reply");
    return replies.map((reply: unknown) => (reply instanceof Error ? reply : null));
  };
  return async (messages) => {
    if (!scripts || messages.length === 1) return plain(messages);
    if (messages.length <= SCRIPT_BATCH) return run(messages);
    const runs: Promise<readonly (Error | null)[]>[] = [];
    for (let start = 0; start < messages.length; start += SCRIPT_BATCH) runs.push(run(messages.slice(start, start + SCRIPT_BATCH)));
    return (await Promise.all(runs)).flat();
  };
}

/** ioredis: one pipeline per batch, or one script run where the connection can run one (not a cluster, whose nodes each publish on their own). */
function ioRedisPublishAll(redis: IoRedisConnection): PublishAll | undefined {
  if (redis.pipeline === undefined) return undefined;
  const pipelined: PublishAll = async (messages) => {
    const pipeline = (redis.pipeline as () => IoRedisPipeline).call(redis);
    for (const message of messages) pipeline.publish(message.channel, message.text);
    const replies = await pipeline.exec();
    if (replies === null) throw new Error("the pipeline was discarded");
    return replies.map((reply) => reply[0]);
  };
  const evaluate = redis.eval;
  if (evaluate === undefined || redis.isCluster === true) return pipelined;
  return scripted((args) => evaluate.call(redis, PUBLISH_SCRIPT, 0, ...args), pipelined);
}

/** node-redis writes the commands of one tick together by itself; a client (not a cluster) runs a batch as one script. */
function nodeRedisPublishAll(redis: NodeRedisConnection): PublishAll | undefined {
  if (redis.sendCommand === undefined || redis.isReady === undefined) return undefined;
  const send = redis.sendCommand as unknown as (args: string[]) => Promise<unknown>;
  const each: PublishAll = (messages) =>
    Promise.all(
      messages.map((message) =>
        redis.publish(message.channel, message.text).then(
          () => null,
          (error: unknown) => (error instanceof Error ? error : new Error(messageOf(error))),
        ),
      ),
    );
  return scripted((args) => send.call(redis, ["EVAL", PUBLISH_SCRIPT, "0", ...args]), each);
}

/** Redis glob special characters, escaped so a prefix matches itself only. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

interface Interest {
  readonly mode: Mode;
  readonly name: string;
  listeners: readonly { readonly listener: TransportListener; active: boolean }[];
  readonly ready: Promise<void>;
}

interface Held {
  readonly channel: string;
  readonly text: string;
  readonly deadline: number;
  resolve(): void;
  reject(error: Error): void;
}

const MAX_PREVIEW = 1000;

export function createRedisTransport(options: RedisTransportOptions): Transport {
  if (options.publisher === options.subscriber) {
    throw new TypeError("createRedisTransport: publisher and subscriber must be separate connections (subscribing takes a connection over): pass client.duplicate() as subscriber");
  }
  const prefix = options.prefix ?? "";
  const serializer = options.serializer ?? jsonSerializer;
  const sharded = options.sharded ?? false;
  const maxQueued = positiveInteger("maxQueuedPublishes", options.maxQueuedPublishes, runtimeDefaults.maxQueuedPublishes);
  const queueTimeout = positiveInteger("publishQueueTimeout", options.publishQueueTimeout, runtimeDefaults.publishQueueTimeout);
  const quitOnClose = options.quitOnClose ?? true;

  const observers = new Set<(error: Error) => void>();
  // Subscriptions by mode, then by Redis channel or pattern: an arriving message is looked up without building a key.
  const interests: Record<Mode, Map<string, Interest>> = { channel: new Map(), pattern: new Map(), shard: new Map() };
  /** Publishes sent (or batched) and not yet answered; `close()` waits for them. */
  let inflight = 0;
  const whenIdle: (() => void)[] = [];
  const pendingCommands = new Set<Promise<unknown>>();
  const held: Held[] = [];
  let cancelTimer: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  const report = (error: Error): void => {
    for (const observer of observers) observer(error);
  };

  const receive: MessageSink = (mode, name, redisChannel, text) => {
    const interest = interests[mode].get(name);
    if (interest === undefined || (prefix !== "" && !redisChannel.startsWith(prefix))) return; // after unsubscribe, or not ours
    const channel = prefix === "" ? redisChannel : redisChannel.slice(prefix.length);
    let data: unknown;
    try {
      data = serializer.decode(text);
    } catch (error) {
      const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
      report(new BusError("message-undecodable", `Dropped a message on channel "${channel}" that could not be decoded: ${messageOf(error)}`, { cause: error, channel, envelope: preview }));
      return;
    }
    const message = { channel, data };
    for (const entry of interest.listeners) {
      if (!entry.active) continue;
      try {
        entry.listener(message);
      } catch (error) {
        // Never let a listener's throw into the client's reply parser.
        report(new BusError("subscriber-failed", `A listener on channel "${channel}" threw: ${messageOf(error)}`, { cause: error, channel }));
      }
    }
  };

  // Every listener the transport adds to either connection, removed by close().
  const listening: (() => void)[] = [];
  const publisher = linkTo(options.publisher, undefined, listening);
  const subscriber = linkTo(options.subscriber, receive, listening);

  /** Runs a subscription command; close() waits for the ones still pending. */
  const command = (run: () => Promise<unknown>): Promise<unknown> => {
    let promise: Promise<unknown>;
    try {
      promise = run();
    } catch (error) {
      promise = Promise.reject(error);
    }
    pendingCommands.add(promise);
    const done = (): void => void pendingCommands.delete(promise);
    promise.then(done, done);
    return promise;
  };

  const refused = (redisChannel: string, error: unknown): BusError => {
    const channel = redisChannel.slice(prefix.length);
    return new BusError("publish-failed", `Redis did not accept the publish on "${channel}": ${messageOf(error)}`, { cause: error, channel });
  };

  const answered = (count: number): void => {
    inflight -= count;
    if (inflight === 0 && whenIdle.length > 0) for (const resume of whenIdle.splice(0)) resume();
  };
  const answeredOne = (): void => {
    answered(1);
  };

  // Publishes of one turn, sent together on the next microtask (ioredis: as one pipeline).
  const publishAll = sharded ? undefined : publisher.publishAll;
  let batch: Outgoing[] = [];
  const sendBatch = (): void => {
    const sending = batch;
    batch = [];
    if (sending.length === 0 || publishAll === undefined) return;
    let replies: Promise<readonly (Error | null)[]>;
    try {
      replies = publishAll(sending);
    } catch (error) {
      replies = Promise.reject(error);
    }
    replies.then(
      (errors) => {
        sending.forEach((message, index) => {
          const error = errors[index];
          if (error === null || error === undefined) message.resolve();
          else message.reject(refused(message.channel, error));
        });
        answered(sending.length);
      },
      (error: unknown) => {
        for (const message of sending) message.reject(refused(message.channel, error));
        answered(sending.length);
      },
    );
  };

  const send = (channel: string, text: string): Promise<void> => {
    const redisChannel = prefix + channel;
    inflight += 1;
    if (publishAll !== undefined) {
      if (batch.length === 0) void acceptedNow.then(sendBatch);
      return new Promise<void>((resolve, reject) => batch.push({ channel: redisChannel, text, resolve, reject }));
    }
    let sent: Promise<unknown>;
    try {
      sent = publisher.publish(redisChannel, text, sharded);
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.then(answeredOne, (error: unknown) => {
      answeredOne();
      throw refused(redisChannel, error);
    });
  };

  /** Resolves once every publish sent has its answer. */
  const idle = (): Promise<void> => (inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => whenIdle.push(resolve)));

  const flush = (): void => {
    if (held.length === 0) return;
    cancelTimer?.();
    cancelTimer = undefined;
    for (const entry of held.splice(0)) send(entry.channel, entry.text).then(entry.resolve, entry.reject);
  };

  const rejectHeld = (reason: (entry: Held) => BusError): void => {
    cancelTimer?.();
    cancelTimer = undefined;
    for (const entry of held.splice(0)) entry.reject(reason(entry));
  };

  const expire = (): void => {
    cancelTimer = undefined;
    const now = Date.now();
    while (held.length > 0 && (held[0] as Held).deadline <= now) {
      const entry = held.shift() as Held;
      entry.reject(new BusError("publish-failed", `Did not publish on "${entry.channel}": Redis stayed unreachable for ${queueTimeout} ms (publishQueueTimeout).`, { channel: entry.channel }));
    }
    armTimer();
  };

  const armTimer = (): void => {
    const first = held[0];
    if (cancelTimer !== undefined || first === undefined) return;
    cancelTimer = startTimer(Math.max(0, first.deadline - Date.now()), expire);
  };

  // Status: down while either connection is lost, up once both are back; observers hear each change once.
  const statusObservers = new Set<(status: TransportStatus) => void>();
  /** The connections lost and not ready again; the transport is down while any is. */
  const lostLinks = new Set<Link>();
  let downStatus: TransportStatus | undefined;
  const tellStatus = (status: TransportStatus): void => {
    for (const observer of [...statusObservers]) {
      try {
        observer(status);
      } catch (error) {
        report(new BusError("subscriber-failed", `A transport status observer failed: ${messageOf(error)}`, { cause: error }));
      }
    }
  };
  const linkDown = (link: Link, cause: Error): void => {
    if (closing !== undefined || lostLinks.has(link)) return;
    lostLinks.add(link);
    if (lostLinks.size > 1) return;
    downStatus = { state: "down", cause };
    tellStatus(downStatus);
  };
  const linkUp = (link: Link): void => {
    if (closing !== undefined || !lostLinks.delete(link)) return;
    // The other connection may be reconnecting without having said so yet.
    for (const other of [publisher, subscriber]) if (other.state() === "down" || other.state() === "closed") lostLinks.add(other);
    if (lostLinks.size > 0) return;
    downStatus = undefined;
    tellStatus(TRANSPORT_UP);
  };

  // Connection events: flush held publishes when the publisher is back, report each outage once.
  const watch = (link: Link, role: string): void => {
    let outage: BusError | undefined;
    const lost = (error?: unknown): BusError => {
      if (outage === undefined) {
        const cause = error === undefined ? "connection lost" : messageOf(error);
        outage = new BusError("connection-lost", `Redis ${role} connection (${link.client}): ${cause}; the client is reconnecting.`, { cause: error });
        report(outage);
      }
      return outage;
    };
    link.on("error", (error) => {
      const reported = lost(error);
      if (link.state() !== "ready") linkDown(link, reported);
    });
    link.on("reconnecting", () => linkDown(link, lost()));
    link.on("end", () => linkDown(link, outage ?? new BusError("connection-lost", `Redis ${role} connection (${link.client}) ended.`)));
    link.on("ready", () => {
      outage = undefined;
      if (link === publisher) flush();
      linkUp(link);
    });
    // A connection not ready at the start (node-redis not yet connected, ioredis reconnecting) counts as lost until it is.
    const state = link.state();
    if (state === "down" || state === "closed") linkDown(link, new BusError("connection-lost", `Redis ${role} connection (${link.client}) is not connected.`));
    if (link === publisher) {
      const ended = (entry: Held): BusError =>
        new BusError("publish-failed", `Did not publish on "${entry.channel}": the Redis publisher connection ended.`, { channel: entry.channel });
      link.on("end", () => rejectHeld(ended));
    }
  };
  watch(publisher, "publisher");
  watch(subscriber, "subscriber");

  const target = (filter: ChannelFilter): { mode: Mode; name: string } => {
    if ("channel" in filter) return { mode: sharded ? "shard" : "channel", name: prefix + filter.channel };
    if (sharded) {
      throw new BusError(
        "subscribe-invalid",
        `Sharded pub/sub has no pattern subscriptions, so channels starting with "${filter.prefix}" cannot be subscribed to: subscribe to one event with a topic, or to an event that has no topic path.`,
      );
    }
    return { mode: "pattern", name: `${escapeGlob(prefix + filter.prefix)}*` };
  };

  const verb = (mode: Mode): string => (mode === "channel" ? "SUBSCRIBE" : mode === "pattern" ? "PSUBSCRIBE" : "SSUBSCRIBE");

  return {
    trusted: false,

    publish(channel: string, envelope: unknown): Promise<void> {
      if (closing !== undefined) return Promise.reject(new BusError("closed", `Cannot publish on "${channel}": the Redis transport is closed.`, { channel }));
      let text: string;
      try {
        text = serializer.encode(envelope);
      } catch (error) {
        return Promise.reject(new BusError("publish-failed", `Could not encode the envelope for "${channel}": ${messageOf(error)}`, { cause: error, channel }));
      }
      const state = publisher.state();
      if (state === "closed") {
        const hint = publisher.client === "node-redis" ? " (node-redis: await client.connect() before publishing)" : "";
        return Promise.reject(new BusError("publish-failed", `Did not publish on "${channel}": the Redis publisher connection is closed${hint}.`, { channel }));
      }
      if (state === "ready" || state === "client") {
        flush(); // anything held goes first: publish order is send order
        return send(channel, text);
      }
      if (held.length >= maxQueued) {
        return Promise.reject(
          new BusError("publish-failed", `Did not publish on "${channel}": Redis is unreachable and ${held.length} publishes already wait for it (maxQueuedPublishes).`, { channel }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        held.push({ channel, text, deadline: Date.now() + queueTimeout, resolve, reject });
        armTimer();
      });
    },

    subscribe(filter: ChannelFilter, listener: TransportListener): TransportSubscription {
      if (closing !== undefined) throw new BusError("closed", "Cannot subscribe: the Redis transport is closed.");
      const { mode, name } = target(filter);
      const byName = interests[mode];
      let interest = byName.get(name);
      if (interest === undefined) {
        const ready = command(() => subscriber.subscribe(mode, name)).then(ignore, (error: unknown) => {
          const what = "channel" in filter ? `channel "${filter.channel}"` : `channels starting with "${filter.prefix}"`;
          throw new BusError("subscribe-failed", `Could not subscribe to ${what}: Redis refused ${verb(mode)} ${name}: ${messageOf(error)}`, {
            cause: error,
            ...("channel" in filter ? { channel: filter.channel } : {}),
          });
        });
        ready.catch(ignore); // the bus reports it; a caller awaiting `ready` still sees it
        interest = { mode, name, listeners: [], ready };
        byName.set(name, interest);
      }
      const current = interest;
      const entry = { listener, active: true };
      current.listeners = [...current.listeners, entry];
      return {
        ready: current.ready,
        unsubscribe(): void {
          if (!entry.active) return;
          entry.active = false;
          current.listeners = current.listeners.filter((other) => other !== entry);
          if (current.listeners.length > 0 || byName.get(name) !== current) return;
          byName.delete(name);
          command(() => subscriber.unsubscribe(mode, name)).catch(ignore);
        },
      };
    },

    onError(observer: (error: Error) => void): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },

    onStatus(observer: (status: TransportStatus) => void): () => void {
      statusObservers.add(observer);
      // An observer that comes while a connection is lost hears it at once.
      if (downStatus !== undefined) observer(downStatus);
      return () => void statusObservers.delete(observer);
    },

    close(): Promise<void> {
      closing ??= (async () => {
        // 1. Publishes: what Redis was sent is waited for; what waits for an outage is rejected.
        if (publisher.state() === "ready") flush();
        sendBatch();
        rejectHeld((entry) => new BusError("closed", `Did not publish on "${entry.channel}": the Redis transport closed while Redis was unreachable.`, { channel: entry.channel }));
        if (publisher.state() !== "down") await idle();
        // 2. Subscriptions.
        for (const byName of Object.values(interests)) {
          for (const interest of byName.values()) {
            for (const entry of interest.listeners) entry.active = false;
            command(() => subscriber.unsubscribe(interest.mode, interest.name)).catch(ignore);
          }
          byName.clear();
        }
        if (subscriber.state() !== "down") await Promise.allSettled([...pendingCommands]);
        // 3. Connections, then our listeners on them (kept until now so no error event goes unheard).
        if (quitOnClose) await Promise.all([publisher.end(), subscriber.end()]);
        for (const off of listening.splice(0)) off();
        observers.clear();
        statusObservers.clear();
      })();
      return closing;
    },
  };
}
