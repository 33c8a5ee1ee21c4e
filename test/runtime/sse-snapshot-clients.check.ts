/**
 * The Redis snapshot store's structural connection types accept the real clients as applications
 * create them, and the handler and publisher options fit together: compiled (never run) against the
 * typings of ioredis 5 and 6 and node-redis 4 and 5 by typecheck.test.ts.
 */
import { Redis } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import { createRedisSnapshotStore, type IoRedisScriptConnection, type NodeRedisScriptConnection, type RedisScriptConnection } from "../../templates/ts/runtime/sse/snapshot-redis.js";
import { createMemorySnapshotStore, recordSnapshots, type SnapshotStore } from "../../templates/ts/runtime/sse/snapshot.js";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { eventNames } from "../../generated/ts/index.js";
import { binding, createBus } from "./example-runtime.js";

export function accepts(): void {
  const ioredis = new Redis({ lazyConnect: true });
  const nodeRedis = createClient({ url: "redis://127.0.0.1:6379" });
  const io: IoRedisScriptConnection = ioredis;
  const node: NodeRedisScriptConnection = nodeRedis;
  const others: RedisScriptConnection[] = [io, node, new Redis6({ lazyConnect: true }), createClient4({ url: "redis://127.0.0.1:6379" })];
  void others;

  const shared: SnapshotStore = createRedisSnapshotStore({ client: ioredis, prefix: "app:snapshot:", maxKeys: 50_000, ttl: 86_400_000, onError: (error) => void error.code });
  createRedisSnapshotStore({ client: nodeRedis });
  createRedisSnapshotStore({ client: createClient4() });

  // Buffer mode over pub/sub: each handler records its feed; a read-only one does not.
  createSseHandler(createBus(), { binding, snapshot: { store: shared } });
  createSseHandler(createBus(), { binding, snapshot: { store: shared, record: false } });
  createSseHandler(createBus(), { binding, snapshot: { store: createMemorySnapshotStore({ maxKeys: 100 }) } });
  // Transport mode over Redis Streams: the publishers record.
  const publisher = createBus({ transport: recordSnapshots(createRedisStreamTransport({ client: ioredis }), { binding, store: shared }) });
  void publisher;
  createSseHandler(createBus({ transport: createRedisStreamTransport({ client: nodeRedis }) }), { binding, eventNames, replayFrom: "transport", snapshot: { store: shared } });
  // @ts-expect-error a store is a SnapshotStore, not a connection
  createSseHandler(createBus(), { binding, snapshot: { store: ioredis } });
}
