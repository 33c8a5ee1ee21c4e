/**
 * The late-joiner snapshot shared through Redis by several SSE server instances, over real HTTP and
 * a real redis-server, through each client library: an instance started after the events serves
 * their current state at once; over Redis Streams the publishers record it and a connection gets
 * the snapshot, then the live stream; a stale envelope reaching the instances late does not take a
 * key back; under a flood every late client, on either instance, ends on the latest state of every
 * key; close() leaves nothing open.
 */
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { eventNames } from "../../generated/ts/index.js";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import { createRedisTransport } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { connectSse, type SseStatus } from "../../templates/ts/runtime/sse/client.js";
import { createRedisSnapshotStore, type RedisScriptConnection } from "../../templates/ts/runtime/sse/snapshot-redis.js";
import { createMemorySnapshotStore, recordSnapshots } from "../../templates/ts/runtime/sse/snapshot.js";
import { createSseHandler, type SseHandler } from "../../templates/ts/runtime/sse/server.js";
import type { Transport } from "../../templates/ts/runtime/transports/transport.js";
import { binding, createBus } from "./example-runtime.js";
import { connect, type ClientName } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { delta, openRaw, serve, sleep, waitFor, type ServedSse } from "./sse-kit.js";

const BOTH: readonly ClientName[] = ["ioredis", "node-redis"];

let redis: RedisServer;
let admin: Redis;
const cleanup: (() => unknown)[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await admin.flushall();
});
afterAll(async () => {
  await admin.quit();
  await redis.stop();
});

async function scriptConnection(client: ClientName): Promise<RedisScriptConnection & { quit(): Promise<unknown> }> {
  if (client === "ioredis") return new Redis(redis.url);
  const connection = createClient({ url: redis.url });
  connection.on("error", () => {});
  await connection.connect();
  return connection;
}

/** A bus over Redis pub/sub. */
async function pubsubBus(client: ClientName, wrap: (transport: Transport) => Transport = (transport) => transport) {
  const [publisher, subscriber] = await Promise.all([connect(client, redis.url), connect(client, redis.url)]);
  return createBus({ transport: wrap(createRedisTransport({ publisher, subscriber })) });
}

/** `transport` with every arriving message held back `ms` milliseconds: an instance that lags behind the others. */
function lagging(ms: number) {
  return (transport: Transport): Transport => ({
    trusted: transport.trusted,
    publish: (channel, envelope) => transport.publish(channel, envelope),
    subscribe: (filter, listener, options) => transport.subscribe(filter, (message) => void setTimeout(() => listener(message), ms), options),
    onError: (observer) => transport.onError(observer),
    close: () => sleep(ms + 10).then(() => transport.close()),
  });
}

interface Instance {
  readonly handler: SseHandler;
  readonly served: ServedSse;
}

/** One SSE server instance: its bus over Redis pub/sub, its handler recording its feed into the shared Redis snapshot, its HTTP server. */
async function pubsubInstance(client: ClientName, wrap: (transport: Transport) => Transport = (transport) => transport): Promise<Instance> {
  const bus = await pubsubBus(client, wrap);
  const connection = await scriptConnection(client);
  const store = createRedisSnapshotStore({ client: connection });
  const handler = createSseHandler(bus, { binding, snapshot: { store }, heartbeatMs: 1000 });
  const served = await serve(handler);
  cleanup.push(
    () => connection.quit(),
    () => bus.close(),
    () => store.close(),
    () => handler.close(),
    () => served.close(),
  );
  await handler.ready;
  return { handler, served };
}

const status = (sessionID: string, type: "idle" | "busy") => ({ sessionID, status: { type } });
const retry = (sessionID: string, attempt: number) => ({ sessionID, status: { type: "retry" as const, attempt, message: "overloaded", next: 0 } });

/** Two buffer-mode instances over pub/sub, each recording its feed, and a publisher. */
async function pubsubPair() {
  const instances = [await pubsubInstance("ioredis"), await pubsubInstance("ioredis")];
  const publisher = await pubsubBus("ioredis");
  cleanup.push(() => publisher.close());
  return { urls: instances.map((instance) => instance.served.url), publisher };
}

/** Two transport-mode instances over Redis Streams reading the snapshot the publisher records. */
async function streamsPair() {
  const connections: Redis[] = [];
  const connection = (): Redis => {
    const made = new Redis(redis.url);
    connections.push(made);
    return made;
  };
  cleanup.push(() => Promise.all(connections.map((made) => made.quit().catch(() => {}))));
  const publisherStore = createRedisSnapshotStore({ client: connection() });
  const publisher = createBus({ transport: recordSnapshots(createRedisStreamTransport({ client: new Redis(redis.url) }), { binding, store: publisherStore }) });
  cleanup.push(() => publisherStore.close(), () => publisher.close());
  const urls: string[] = [];
  for (let n = 0; n < 2; n += 1) {
    const store = createRedisSnapshotStore({ client: connection() });
    const bus = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url) }) });
    const handler = createSseHandler(bus, { binding, eventNames, replayFrom: "transport", snapshot: { store }, heartbeatMs: 1000 });
    const served = await serve(handler);
    cleanup.push(
      () => bus.close(),
      () => handler.close(),
      () => served.close(),
    );
    urls.push(served.url);
  }
  return { urls, publisher };
}

describe("the late-joiner snapshot shared through Redis", () => {
  test.each(BOTH)("a_late_client_on_an_instance_started_after_the_events_gets_their_current_state_at_once_then_the_live_stream_%s", async (client) => {
    const first = await pubsubInstance(client);
    const publisher = await pubsubBus(client);
    cleanup.push(() => publisher.close());
    await publisher.publish("session.status", status("s1", "busy"));
    await publisher.publish("session.status", status("s2", "busy"));
    await publisher.publish("session.status", status("s1", "idle"));
    await publisher.publish("message.part.delta", delta(1)); // no coalesce key: not state
    await publisher.publish("todo.updated", { sessionID: "s1", todos: [] });
    await publisher.publish("file.watcher.updated", { file: "a.ts", event: "change" });
    await waitFor("the first instance to record the state", () => first.handler.stats().snapshotKeys === 4);

    // An instance whose feed saw none of it.
    const second = await pubsubInstance(client);
    const late = await openRaw(`${second.served.url}?events=session.*,todo.updated&topic=s1`);
    cleanup.push(() => late.close());
    const live = await late.until((frame) => frame.event === "live");
    expect(late.frames.map((frame) => [frame.event, frame.id, JSON.parse(frame.data).event?.payload])).toEqual([
      ["snapshot", undefined, status("s1", "idle")],
      ["snapshot", undefined, { sessionID: "s1", todos: [] }],
      ["live", live.id, undefined],
    ]);
    expect(JSON.parse(live.data)).toEqual({ resumed: false, replayed: 0, snapshot: 2 });
    await publisher.publish("session.status", status("s1", "busy"));
    await publisher.publish("session.status", status("s2", "idle")); // another topic
    const next = await late.until((frame) => frame.event === undefined);
    expect(JSON.parse(next.data).event.payload).toEqual(status("s1", "busy"));
    // Every instance recorded it; the store holds one entry per key.
    expect(second.handler.stats().snapshotKeys).toBe(4);
    expect(await admin.zcard("eventc:snapshot:keys")).toBe(4);
  });

  test.each(BOTH)("over_redis_streams_the_publishers_record_the_state_and_a_connection_gets_the_snapshot_then_the_live_stream_and_a_resume_gets_none_%s", async (client) => {
    const publisherConnection = await scriptConnection(client);
    const publisherStore = createRedisSnapshotStore({ client: publisherConnection });
    const publisher = createBus({ transport: recordSnapshots(createRedisStreamTransport({ client: await scriptConnection(client) as never }), { binding, store: publisherStore }) });
    const serverConnection = await scriptConnection(client);
    const store = createRedisSnapshotStore({ client: serverConnection });
    const bus = createBus({ transport: createRedisStreamTransport({ client: await scriptConnection(client) as never }) });
    const handler = createSseHandler(bus, { binding, eventNames, replayFrom: "transport", snapshot: { store }, heartbeatMs: 1000 });
    const served = await serve(handler);
    cleanup.push(
      () => publisherConnection.quit(),
      () => serverConnection.quit(),
      () => publisher.close(),
      () => bus.close(),
      () => publisherStore.close(),
      () => store.close(),
      () => handler.close(),
      () => served.close(),
    );
    await publisher.publish("session.status", status("s1", "busy"));
    await publisher.publish("session.status", status("s2", "busy"));
    await publisher.publish("session.status", status("s1", "idle"));
    await publisher.publish("session.status", status("s3", "busy")); // not selected
    await publisher.publish("message.part.delta", delta(1));

    const url = `${served.url}?events=session.status,message.part.delta&topic=s1&topic=s2`;
    const first = await openRaw(url);
    cleanup.push(() => first.close());
    const live = await first.until((frame) => frame.event === "live");
    expect(first.frames.map((frame) => [frame.event, frame.id === undefined, JSON.parse(frame.data).event?.payload])).toEqual([
      ["snapshot", true, status("s2", "busy")],
      ["snapshot", true, status("s1", "idle")],
      ["live", false, undefined], // every channel has a position from here on: where its subscription started
    ]);
    expect(JSON.parse(live.data)).toEqual({ resumed: false, replayed: 0, snapshot: 2 });
    await publisher.publish("session.status", status("s1", "busy"));
    const update = await first.until((frame) => frame.event === undefined);
    expect(JSON.parse(update.data).event.payload).toEqual(status("s1", "busy"));
    first.close();

    // Resuming from that id: every channel replays from its position (session.status:s1 from its last
    // event, the others from where they started), so none gets a snapshot.
    await publisher.publish("session.status", status("s1", "idle"));
    const again = await openRaw(url, { "last-event-id": update.id as string });
    cleanup.push(() => again.close());
    await again.until((frame) => frame.event === undefined);
    expect(again.frames.map((frame) => [frame.event, JSON.parse(frame.data).event?.payload])).toEqual([
      ["live", undefined],
      [undefined, status("s1", "idle")],
    ]);
    expect(JSON.parse(again.frames[0]!.data)).toEqual({ resumed: true, replayed: 0, snapshot: 0 });
  });

  test.each(BOTH)("a_stale_envelope_reaching_the_instances_late_does_not_take_a_key_back_%s", async (client) => {
    const first = await pubsubInstance(client);
    const second = await pubsubInstance(client);
    const publisher = await pubsubBus(client);
    cleanup.push(() => publisher.close());
    const watcher = await openRaw(`${second.served.url}?events=session.status&topic=s1`);
    cleanup.push(() => watcher.close());
    await watcher.until((frame) => frame.event === "live");
    await publisher.publish("session.status", status("s1", "busy"));
    await waitFor("both instances to record it", () => first.handler.stats().snapshotKeys === 1 && second.handler.stats().snapshotKeys === 1);
    // An envelope from a minute ago, arriving now (a publisher that lagged): every instance receives it and records it.
    const stale = { id: "0b3c6a1e-0000-4000-8000-000000000001", time: new Date(Date.now() - 60_000).toISOString(), topic: "s1", event: { type: "session.status.v2", payload: status("s1", "idle") } };
    await admin.publish("session.status:s1", JSON.stringify(stale));
    await watcher.until((frame) => frame.event === undefined && JSON.parse(frame.data).id === stale.id);
    await sleep(50);
    for (const instance of [first, second]) {
      const late = await openRaw(`${instance.served.url}?events=session.status&topic=s1`);
      cleanup.push(() => late.close());
      await late.until((frame) => frame.event === "live");
      expect(late.frames.filter((frame) => frame.event === "snapshot").map((frame) => JSON.parse(frame.data).event.payload)).toEqual([status("s1", "busy")]);
    }
  });

  test("a_late_client_on_an_instance_lagging_behind_the_store_ends_on_the_latest_state_though_older_envelopes_follow_its_snapshot", async () => {
    // The second instance receives everything 150 ms after the first has recorded it.
    const first = await pubsubInstance("ioredis");
    const second = await pubsubInstance("ioredis", lagging(150));
    const publisher = await pubsubBus("ioredis");
    cleanup.push(() => publisher.close());
    await publisher.publish("session.status", retry("s1", 1));
    await publisher.publish("session.status", retry("s1", 2));
    await waitFor("the first instance to record both", () => first.handler.stats().snapshotKeys === 1);
    await sleep(20);
    const deliveries: string[] = [];
    const connection = connectSse(second.served.url, {
      binding,
      events: ["session.status"],
      onEvent: (envelope, delivery) => {
        if (envelope.event.type === "session.status.v2" && envelope.event.payload.status.type === "retry") deliveries.push(`${delivery.snapshot ? "snapshot" : "live"} ${envelope.event.payload.status.attempt}`);
      },
    });
    cleanup.push(() => connection.close());
    await waitFor("the lagging instance to deliver both", () => deliveries.length === 3, 3000).catch(() => {
      throw new Error(`delivered ${JSON.stringify(deliveries)}`);
    });
    // The snapshot is ahead of this instance's live stream; the live copy of the snapshot's envelope
    // comes through all the same, so the key ends where the store says.
    expect(deliveries).toEqual(["snapshot 2", "live 1", "live 2"]);
  });

  test.each(["pub/sub", "streams"] as const)("under_a_flood_every_late_client_on_either_instance_ends_on_the_latest_state_of_every_key_over_%s", async (mode) => {
    const KEYS = 10;
    const topics = Array.from({ length: KEYS }, (_, key) => `s${key}`);
    const { urls, publisher } = mode === "pub/sub" ? await pubsubPair() : await streamsPair();
    const final = new Map<string, number>();
    let attempt = 0;
    /** Publishes every key again and again, each burst after the last was accepted, until stopped. */
    const flood = () => {
      let flooding = true;
      const done = (async () => {
        while (flooding) {
          attempt += 1;
          const sends: Promise<unknown>[] = [];
          for (let key = 0; key < KEYS; key += 1) {
            sends.push(publisher.publish("session.status", retry(`s${key}`, attempt)));
            final.set(`s${key}`, attempt);
          }
          await Promise.all(sends);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      return () => {
        flooding = false;
        return done;
      };
    };
    const clients: { state: Map<string, number>; snapshot: number; statuses: SseStatus["kind"][] }[] = [];
    // Each client joins during a flood that stops while it connects: the last state of each key is
    // published around the moment the snapshot is read, on one instance or the other.
    for (let round = 0; round < 12; round += 1) {
      const stop = flood();
      await sleep(20);
      const seen = { state: new Map<string, number>(), snapshot: 0, statuses: [] as SseStatus["kind"][] };
      clients.push(seen);
      const connection = connectSse(urls[round % 2]!, {
        binding,
        events: ["session.status"],
        ...(mode === "streams" ? { topics } : {}),
        onEvent: (envelope, delivery) => {
          if (envelope.event.type !== "session.status.v2" || envelope.event.payload.status.type !== "retry") return;
          if (delivery.snapshot) seen.snapshot += 1;
          seen.state.set(envelope.event.payload.sessionID, envelope.event.payload.status.attempt);
        },
        onStatus: (status) => seen.statuses.push(status.kind),
      });
      cleanup.push(() => connection.close());
      await sleep(round % 4);
      await stop();
      const expected = JSON.stringify([...final].sort());
      for (const [index, client] of clients.entries()) {
        await waitFor(`client ${index} to settle on the latest state`, () => JSON.stringify([...client.state].sort()) === expected, 3000).catch(() => {
          throw new Error(`round ${round}: client ${index} ended on ${JSON.stringify([...client.state].sort())}, the latest is ${expected}`);
        });
      }
    }
    for (const seen of clients) {
      expect(seen.snapshot).toBeGreaterThan(0);
      expect(seen.statuses.filter((kind) => kind === "connected")).toHaveLength(1);
    }
  });

  test("options_that_cannot_work_are_refused_and_a_memory_store_serves_as_snapshot_true_does", async () => {
    const bus = createBus();
    cleanup.push(() => bus.close());
    expect(() => createSseHandler(bus, { binding, replayFrom: "transport", snapshot: true })).toThrow(/share a store/);
    expect(() => createSseHandler(bus, { binding, replayFrom: "transport", snapshot: { store: createMemorySnapshotStore(), record: true } })).toThrow(/no feed/);
    const handler = createSseHandler(bus, { binding, snapshot: { store: createMemorySnapshotStore({ maxKeys: 2 }) } });
    const served = await serve(handler);
    cleanup.push(() => handler.close(), () => served.close());
    for (const sessionID of ["s1", "s2", "s3"]) await bus.publish("session.status", status(sessionID, "busy"));
    await sleep(10);
    const late = await openRaw(`${served.url}?events=session.status`);
    cleanup.push(() => late.close());
    await late.until((frame) => frame.event === "live");
    expect(late.frames.filter((frame) => frame.event === "snapshot").map((frame) => JSON.parse(frame.data).event.payload.sessionID)).toEqual(["s2", "s3"]);
  });

  test("close_leaves_no_open_handles", async () => {
    const kinds = () => JSON.stringify(process.getActiveResourcesInfo().filter((kind) => kind !== "TTYWrap").sort());
    // What earlier tests left closing has closed: the same handles twice, 100 ms apart.
    let before = kinds();
    for (let settled = 0; settled < 2; ) {
      await sleep(100);
      const now = kinds();
      settled = now === before ? settled + 1 : 0;
      before = now;
    }
    const instance = await pubsubInstance("node-redis");
    const publisher = await pubsubBus("node-redis");
    const streamConnection = await scriptConnection("ioredis");
    const recording = createRedisSnapshotStore({ client: streamConnection });
    const streams = createBus({ transport: recordSnapshots(createRedisStreamTransport({ client: new Redis(redis.url) }), { binding, store: recording }) });
    await publisher.publish("session.status", status("s1", "busy"));
    await streams.publish("session.status", status("s2", "busy"));
    const late = await openRaw(`${instance.served.url}?events=session.status`);
    await late.until((frame) => frame.event === "live");
    late.close();
    await publisher.close();
    await streams.close();
    await recording.close();
    await streamConnection.quit();
    for (const step of cleanup.splice(0).reverse()) await step();
    await waitFor("every handle to close", () => kinds() === before, 3000).catch(() => {
      throw new Error(`still open: ${kinds()}, before: ${before}`);
    });
  });
});
