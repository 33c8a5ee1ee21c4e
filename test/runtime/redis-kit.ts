/**
 * Test plumbing for the Redis transport: connections of each client library as an application
 * creates them (ioredis 6 and node-redis 4 come as the npm aliases `ioredis6` and `redis4`), a raw
 * admin connection for PUBLISH/PUBSUB, and polling.
 */
import { Redis } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import type { RedisConnection } from "../../templates/ts/runtime/transports/redis/pubsub.js";

/** Each supported client library at the major versions the transport claims: ioredis 5 and 6, node-redis 4 and 5. */
export type ClientName = "ioredis" | "ioredis@6" | "node-redis" | "node-redis@4";
export const CLIENTS: readonly ClientName[] = ["ioredis", "ioredis@6", "node-redis", "node-redis@4"];

/** A connected connection of `client`, with the library's default reconnect behaviour. */
export async function connect(client: ClientName, url: string): Promise<RedisConnection> {
  if (client === "ioredis" || client === "ioredis@6") {
    const redis = client === "ioredis" ? new Redis(url, { lazyConnect: true }) : new Redis6(url, { lazyConnect: true });
    await redis.connect();
    return redis;
  }
  const redis = client === "node-redis" ? createClient({ url }) : createClient4({ url });
  // An application attaches this before connect(); the transport adds its own once created.
  redis.on("error", () => {});
  await redis.connect();
  return redis;
}

/** A publisher and a separate subscriber connection. */
export async function connectPair(client: ClientName, url: string): Promise<{ publisher: RedisConnection; subscriber: RedisConnection }> {
  const [publisher, subscriber] = await Promise.all([connect(client, url), connect(client, url)]);
  return { publisher, subscriber };
}

/** Is the connection closed for good (after close() with quitOnClose)? */
export function isClosed(connection: RedisConnection): boolean {
  return "status" in connection ? connection.status === "end" : !connection.isOpen;
}

/** A raw ioredis connection for what a test does behind the transport's back. */
export function admin(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Subscribers of `channel` according to the server. */
export async function numsub(redis: Redis, channel: string): Promise<number> {
  const reply = (await redis.call("PUBSUB", "NUMSUB", channel)) as [string, number];
  return Number(reply[1]);
}

export async function numpat(redis: Redis): Promise<number> {
  return Number(await redis.call("PUBSUB", "NUMPAT"));
}

/** Polls `probe` until it returns true, or fails after `timeout` ms. */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
