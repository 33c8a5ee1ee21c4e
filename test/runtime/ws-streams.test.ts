/**
 * The WebSocket hub on the Redis Streams transport, over real HTTP, the real ws package and a real
 * redis-server: two hub processes share the stream, the client switches hub on every reconnect, and
 * the hubs cut its socket 100 times — every one of 10,000 events arrives exactly once, in order,
 * because the ids are stream positions any instance resumes from, over either channel.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import type { LiveStatus } from "../../templates/ts/runtime/client/live-client.js";
import { connectSse } from "../../templates/ts/runtime/sse/client.js";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import { connectWebSocket } from "../../templates/ts/runtime/ws/client.js";
import { binding, createBus } from "./example-runtime.js";
import { publishWithCuts, startInstance } from "./instances.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { delta, waitFor } from "./sse-kit.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describe("WebSocket replay from the Redis Streams transport", () => {
  test("two_hub_processes_sharing_the_stream_deliver_10000_events_exactly_once_in_order_while_the_client_switches_hub_on_each_of_100_forced_disconnects", async () => {
    const instances = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
    const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url) }) });
    const sockets = [0, 0];
    let turn = 0;
    // Each socket goes to the other hub than the last one: a load balancer at its least kind.
    class Alternating extends WebSocket {
      constructor(url: string) {
        const index = turn++ % 2;
        sockets[index]! += 1;
        super(url.replace(instances[0]!.ws, instances[index]!.ws));
      }
    }
    const received: number[] = [];
    const statuses: LiveStatus["kind"][] = [];
    const gaps: unknown[] = [];
    const client = connectWebSocket(instances[0]!.ws, {
      binding,
      WebSocket: Alternating,
      events: ["message.part.delta"],
      topics: ["s1"],
      backoffInitialMs: 5,
      backoffMaxMs: 40,
      onEvent: (envelope) => {
        if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
      },
      onStatus: (status) => {
        statuses.push(status.kind);
        if (status.kind === "gap") gaps.push(status.gap);
      },
    });
    try {
      await waitFor("the first connection", () => statuses.includes("connected"));
      const cuts = await publishWithCuts({
        instances,
        publish: (n) => bus.publish("message.part.delta", delta(n)),
        connected: () => statuses.filter((kind) => kind === "connected").length,
        received: () => received.length,
        describe: () => `the last ${received.at(-1)}; ${JSON.stringify(client.stats())}`,
      });
      expect(cuts).toBeGreaterThanOrEqual(95);
      expect(received).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
      expect(gaps).toEqual([]);
      expect(client.stats().duplicates).toBe(0);
      expect(sockets[0]).toBeGreaterThanOrEqual(45);
      expect(sockets[1]).toBeGreaterThanOrEqual(45);
    } finally {
      client.close();
      await bus.close();
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  });

  test("a_client_switching_channel_and_hub_on_every_reconnect_resumes_from_the_other_channels_position", async () => {
    const instances = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
    const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url) }) });
    const received: number[] = [];
    let lastEventId: string | undefined;
    let next = 0;
    try {
      for (let round = 0; round < 8; round += 1) {
        const statuses: LiveStatus[] = [];
        const instance = instances[round % 2]!;
        const options = {
          binding,
          events: ["message.part.delta"],
          topics: ["switch"],
          ...(lastEventId === undefined ? {} : { lastEventId }),
          onEvent: (envelope: { event: { type: string; payload: unknown } }) => {
            if (envelope.event.type === "message.part.delta.v1") received.push(Number((envelope.event.payload as { delta: string }).delta));
          },
          onStatus: (status: LiveStatus) => statuses.push(status),
        };
        // WebSocket on one hub, SSE on the other, and the other way round the next time.
        const client = Math.floor(round / 2) % 2 === 0 ? connectWebSocket(instance.ws, { ...options, WebSocket }) : connectSse(instance.url, options);
        await waitFor("connected", () => statuses.some((status) => status.kind === "connected"));
        for (let n = 0; n < 25; n += 1) await bus.publish("message.part.delta", delta(next++, "switch"));
        await waitFor("this round's events", () => received.length === next);
        lastEventId = client.lastEventId;
        client.close();
        for (let n = 0; n < 25; n += 1) await bus.publish("message.part.delta", delta(next++, "switch"));
      }
      const last = connectWebSocket(instances[0]!.ws, { binding, WebSocket, events: ["message.part.delta"], topics: ["switch"], ...(lastEventId === undefined ? {} : { lastEventId }), onEvent: (envelope) => {
        if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
      } });
      await waitFor("the events published after the last round", () => received.length === next);
      last.close();
      expect(received).toEqual(Array.from({ length: next }, (_, n) => n));
    } finally {
      await bus.close();
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  });
});
