/**
 * SSE with replay from the Redis Streams transport, over real HTTP and a real redis-server: two
 * server processes share the stream, the client switches instance on every reconnect, and the
 * servers cut its connection 100 times — every one of 10,000 events arrives exactly once, in order,
 * because the SSE ids are stream positions any instance can resume from. A position the stream
 * has trimmed gets a gap, not a partial replay.
 */
import { get, type IncomingMessage } from "node:http";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import { connectSse, type SseFetch, type SseStatus } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { binding, createBus } from "./example-runtime.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { publishWithCuts, startInstance } from "./instances.js";
import { delta, openRaw, serve, waitFor } from "./sse-kit.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describe("SSE replay from the Redis Streams transport", () => {
  test("two_server_processes_sharing_the_stream_deliver_10000_events_exactly_once_in_order_while_the_client_switches_instance_on_each_of_100_forced_disconnects", async () => {
    const instances = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
    const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url) }) });
    const requests = [0, 0];
    let turn = 0;
    // Each connection goes to the other instance than the last one: a load balancer at its least kind.
    const alternating: SseFetch = (url, init) => {
      const index = turn++ % 2;
      requests[index]! += 1;
      return fetch(url.replace(instances[0]!.url, instances[index]!.url), init);
    };
    const received: number[] = [];
    const statuses: SseStatus["kind"][] = [];
    const gaps: unknown[] = [];
    const client = connectSse(instances[0]!.url, {
      binding,
      events: ["message.part.delta"],
      topics: ["s1"],
      fetch: alternating,
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
        describe: () => `the last ${received.at(-1)}; statuses ${statuses.slice(-6).join(", ")}; ${JSON.stringify(client.stats())}`,
      });
      expect(cuts).toBeGreaterThanOrEqual(95);
      expect(received).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
      expect(gaps).toEqual([]);
      expect(client.stats().duplicates).toBe(0);
      expect(requests[0]).toBeGreaterThanOrEqual(45);
      expect(requests[1]).toBeGreaterThanOrEqual(45);
    } finally {
      client.close();
      await bus.close();
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  });

  test("a_position_the_stream_has_trimmed_gets_a_gap_event_and_the_channel_continues_live_not_from_the_middle", async () => {
    const [instance] = await Promise.all([startInstance(redis.url)]);
    const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url), maxLen: 10 }) });
    try {
      const sent: string[] = [];
      // The positions of what is published: read back through a plain SSE connection.
      const first = await openRaw(`${instance!.url}?events=message.part.delta&topic=trim`);
      await first.until((frame) => frame.event === "live");
      // The position of the first event, as a client saw it; then enough events to trim it away
      // (read by no one, so a loaded host cannot make a reader fall behind the trimming).
      sent.push((await bus.publish("message.part.delta", delta(0, "trim"))).id);
      await first.until((frame) => frame.event === undefined && frame.data.includes(sent[0]!));
      first.close();
      const oldest = first.frames.find((frame) => frame.event === undefined)!.id!;
      for (let n = 1; n < 300; n += 1) sent.push((await bus.publish("message.part.delta", delta(n, "trim"))).id);
      const resumed = await openRaw(`${instance!.url}?events=message.part.delta&topic=trim`, { "last-event-id": oldest });
      // The transport learns of the trim on its first read, so the gap may follow `live`; either way
      // it comes before anything of the channel, and what follows it is live, not the kept tail.
      await resumed.until((frame) => frame.event === "gap");
      await bus.publish("message.part.delta", delta(300, "trim"));
      await resumed.until((frame) => frame.event === undefined);
      resumed.close();
      const kinds = resumed.frames.map((frame) => frame.event ?? "message");
      expect(kinds.filter((kind) => kind !== "live")).toEqual(["gap", "message"]);
      const gap = resumed.frames.find((frame) => frame.event === "gap")!;
      expect(JSON.parse(gap.data)).toMatchObject({ reason: "resume-too-old", resync: true, channel: "message.part.delta:trim" });
      expect(JSON.parse(resumed.frames.find((frame) => frame.event === undefined)!.data).event.payload.delta).toBe("300");
    } finally {
      await bus.close();
      await instance!.stop();
    }
  });

  test("a_client_that_stops_reading_is_cut_at_its_queue_bound_with_a_gap_and_resumes_from_the_stream_without_loss", async () => {
    const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url) }) });
    const handler = createSseHandler(bus, { binding, replayFrom: "transport", clientQueue: 200, closeTimeoutMs: 20_000 });
    const served = await serve(handler);
    try {
      const url = `${served.url}?events=message.part.delta&topic=slow`;
      let response: IncomingMessage | undefined;
      await new Promise<void>((resolve) => get(url, (res) => ((response = res), res.pause(), resolve())));
      const frames: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (frame) => frames.push(frame) });
      const pad = "x".repeat(4096);
      let published = 0;
      while (handler.stats().overflows === 0 && published < 20_000) {
        await Promise.all(Array.from({ length: 200 }, () => bus.publish("message.part.delta", delta(published++, "slow", pad))));
        expect(handler.stats().queuedFrames).toBeLessThanOrEqual(200 + 500); // the bound, and one read of the transport
      }
      await waitFor("the overflow", () => handler.stats().overflows === 1);
      await new Promise<void>((resolve) => {
        response!.on("data", (chunk: Buffer) => parser.feed(chunk.toString()));
        response!.on("end", resolve);
        response!.resume();
      });
      const gap = frames.at(-1)!;
      expect([gap.event, JSON.parse(gap.data)]).toEqual(["gap", { reason: "overflow", resync: false }]);
      const got = frames.filter((frame) => frame.event === undefined);
      const seq = (frame: EventSourceMessage) => Number(JSON.parse(frame.data).event.payload.delta.slice(0, -pad.length));
      // Resuming from the last id received replays the rest from the stream: nothing lost, nothing twice.
      const resumed = await openRaw(url, { "last-event-id": got.at(-1)!.id! });
      await resumed.until((frame) => frame.event === "gap" || (frame.event === undefined && seq(frame) === published - 1), 10_000);
      resumed.close();
      const all = [...got, ...resumed.frames.filter((frame) => frame.event === undefined)].map(seq);
      expect(all).toEqual(Array.from({ length: published }, (_, n) => n));
      expect(resumed.frames.some((frame) => frame.event === "gap")).toBe(false);
    } finally {
      await handler.close();
      await served.close();
      await bus.close();
    }
  });
});
