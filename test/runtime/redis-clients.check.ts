/**
 * The structural connection types of the Redis transport accept the real clients as applications
 * create them: compiled (never run) against the typings of ioredis 5 and 6 and node-redis 4 and 5
 * by typecheck.test.ts.
 */
import { Cluster, Redis } from "ioredis";
import { Cluster as Cluster6, Redis as Redis6 } from "ioredis6";
import { createClient, createCluster } from "redis";
import { createClient as createClient4, createCluster as createCluster4 } from "redis4";
import type { IoRedisConnection, NodeRedisConnection, RedisConnection } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { createRedisTransport } from "../../templates/ts/runtime/transports/redis/pubsub.js";

export function accepts(): void {
  const ioredis = new Redis({ lazyConnect: true });
  const ioredisCluster = new Cluster([{ host: "127.0.0.1", port: 7000 }], { lazyConnect: true });
  const nodeRedis = createClient({ url: "redis://127.0.0.1:6379" });
  const nodeRedisCluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] });

  const io: IoRedisConnection = ioredis;
  const ioCluster: IoRedisConnection = ioredisCluster;
  const node: NodeRedisConnection = nodeRedis;
  const nodeCluster: NodeRedisConnection = nodeRedisCluster;
  const any: RedisConnection[] = [io, ioCluster, node, nodeCluster];
  void any;

  // The other supported majors: ioredis 6, node-redis 4.
  const olderOrNewer: RedisConnection[] = [
    new Redis6({ lazyConnect: true }),
    new Cluster6([{ host: "127.0.0.1", port: 7000 }], { lazyConnect: true }),
    createClient4({ url: "redis://127.0.0.1:6379" }),
    createCluster4({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] }),
  ];
  void olderOrNewer;

  createRedisTransport({ publisher: ioredis, subscriber: ioredis.duplicate(), prefix: "app:" });
  createRedisTransport({ publisher: nodeRedis, subscriber: nodeRedis.duplicate(), quitOnClose: false });
  createRedisTransport({ publisher: ioredisCluster, subscriber: ioredisCluster.duplicate(), sharded: true });
  createRedisTransport({ publisher: nodeRedisCluster, subscriber: nodeRedisCluster.duplicate(), sharded: true });
}
