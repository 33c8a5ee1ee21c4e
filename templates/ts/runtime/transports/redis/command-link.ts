/**
 * One Redis connection of the Streams transport and the Redis snapshot store's kind — commands and
 * replies, no pub/sub — behind the differences between ioredis (5, 6) and node-redis (4 and later),
 * recognised structurally: this file imports no Redis client. `linkTo` wraps the application's
 * connection, listens to it through `listening` (the caller removes those listeners when it closes)
 * and refuses a cluster of either client.
 */
import type { EmitterListener, IoRedisLifecycle, LinkState, NodeRedisLifecycle } from "./connection.js";

/** The part of an ioredis connection (ioredis 5 and 6, not a Cluster) the Streams transport uses. */
export interface IoRedisCommandConnection extends IoRedisLifecycle {
  call(command: string, args: string[]): Promise<unknown>;
  duplicate(): IoRedisCommandConnection;
}

/** The part of a node-redis client (node-redis 4 and later, not a cluster) the Streams transport uses. */
export interface NodeRedisCommandConnection extends NodeRedisLifecycle {
  /** Absent on a cluster, which the Streams transport does not support. */
  readonly isReady?: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisCommandConnection;
  connect(): Promise<unknown>;
}

/** A connection of either client, as the application created it. */
export type RedisCommandConnection = IoRedisCommandConnection | NodeRedisCommandConnection;

/** One connection behind the differences between the two clients: raw commands, RESP replies. */
export interface Link {
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

export function linkTo(connection: RedisCommandConnection, role: string, listening: (() => void)[]): Link {
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
