/**
 * The structural connection types of the Redis Streams transport accept the real clients as
 * applications create them, and the bus types positions, `from` and `onGap`: compiled (never run)
 * against the typings of ioredis 5 and 6 and node-redis 4 and 5 by typecheck.test.ts.
 */
import { Redis } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import type { IoRedisCommandConnection, NodeRedisCommandConnection, RedisCommandConnection } from "../../templates/ts/runtime/transports/redis/streams.js";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import type { PositionGap } from "../../templates/ts/runtime/transports/transport.js";
import { createBus } from "./example-runtime.js";

export function accepts(): void {
  const ioredis = new Redis({ lazyConnect: true });
  const nodeRedis = createClient({ url: "redis://127.0.0.1:6379" });
  const io: IoRedisCommandConnection = ioredis;
  const node: NodeRedisCommandConnection = nodeRedis;
  const others: RedisCommandConnection[] = [io, node, new Redis6({ lazyConnect: true }), createClient4({ url: "redis://127.0.0.1:6379" })];
  void others;

  createRedisStreamTransport({ client: ioredis });
  createRedisStreamTransport({ client: ioredis, reader: ioredis.duplicate(), prefix: "app:", maxLen: 1000 });
  createRedisStreamTransport({ client: nodeRedis, reader: nodeRedis.duplicate(), quitOnClose: false, readCount: 100, blockTimeout: 500 });
  createRedisStreamTransport({ client: createClient4(), reader: createClient4() });
}

export async function positions(): Promise<void> {
  const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis({ lazyConnect: true }) }) });
  let last: string | undefined;
  const off = bus.subscribe(
    "message.part.delta",
    (envelope, { position }) => {
      const delta: string = envelope.event.payload.delta;
      void delta;
      last = position;
    },
    { topic: "s1", from: "1718000000000-0", onGap: (gap: PositionGap) => void (last = gap.next) },
  );
  await off.ready;
  // Handlers that ignore the delivery still fit.
  bus.subscribe("file.edited", (envelope) => void envelope.event.payload.file, { ...(last === undefined ? {} : { from: last }) });
  // @ts-expect-error streams do not resume from a position: subscribe does
  bus.stream("file.edited", { from: "1-0" });
  // @ts-expect-error a position is a string
  bus.subscribe("file.edited", () => {}, { from: 1 });
  await bus.close();
}
