/**
 * One pub/sub connection of the Redis transport behind the differences between ioredis (5, 6; a
 * `Redis` or a `Cluster`) and node-redis (4 and later; a client or a cluster), recognised
 * structurally: this file imports no Redis client. A link publishes (one message, or a batch through
 * one script run or pipeline), subscribes in the three modes (channel, pattern, shard) and hands every
 * message it receives to its sink.
 */
import { messageOf } from "../../core/errors.js";
import type { EmitterListener, IoRedisLifecycle, LinkState, NodeRedisLifecycle } from "./connection.js";

/** The part of an ioredis connection (`Redis` or `Cluster`, ioredis 5 and 6) the transport uses. */
export interface IoRedisConnection extends IoRedisLifecycle {
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
  ssubscribe?(...channels: string[]): Promise<unknown>;
  sunsubscribe?(...channels: string[]): Promise<unknown>;
}

/** The part of an ioredis pipeline the transport uses. */
export interface IoRedisPipeline {
  publish(channel: string, message: string): unknown;
  exec(): Promise<readonly (readonly [Error | null, unknown])[] | null>;
}

/** A node-redis pub/sub listener (strings unless subscribed in buffer mode, which the transport never does). */
export type NodeRedisListener = (message: unknown, channel: unknown) => unknown;

/** The part of a node-redis connection (client or cluster, node-redis 4 and later) the transport uses. */
export interface NodeRedisConnection extends NodeRedisLifecycle {
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
}

/** A connection of either client, as the application created it. */
export type RedisConnection = IoRedisConnection | NodeRedisConnection;

export type Mode = "channel" | "pattern" | "shard";

/** One connection behind the differences between the two clients. */
export interface Link {
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

export type MessageSink = (mode: Mode, name: string, channel: string, text: string) => void;

/** A publish waiting for the next batch: its Redis channel (prefix included), text and settlement. */
export interface Outgoing {
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
export function linkTo(connection: RedisConnection, sink: MessageSink | undefined, listening: (() => void)[]): Link {
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

export type PublishAll = (messages: readonly Outgoing[]) => Promise<readonly (Error | null)[]>;

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
