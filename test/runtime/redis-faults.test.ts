/**
 * The Redis transport when Redis goes away: each test runs its own redis-server and kills it
 * (SIGKILL, a crash) mid-way. Subscriptions and publishing resume by themselves; publishes during
 * the outage are held within the documented bounds and every one of them settles.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisTransport, type RedisConnection, type RedisTransportOptions } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { createBus } from "./example-runtime.js";
import { CLIENTS, connectPair, sleep, waitFor, type ClientName } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

let server: RedisServer;

beforeEach(async () => {
  server = await startRedisServer();
});

afterEach(async () => {
  await server.stop();
});

const delta = (sessionID: string, n: number) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: String(n) });

function isDown(connection: RedisConnection): boolean {
  return "status" in connection ? connection.status !== "ready" : connection.isReady !== true;
}

async function redisBus(client: ClientName, extra: Partial<RedisTransportOptions> = {}) {
  const connections = await connectPair(client, server.url);
  const errors: BusError[] = [];
  const bus = createBus({ transport: createRedisTransport({ ...connections, ...extra }), onError: (error) => void errors.push(error) });
  return { bus, errors, ...connections };
}

describe.each(CLIENTS)("Redis outage with %s", (client) => {
  test("resumes_delivery_after_redis_restart_and_settles_every_publish_made_meanwhile", async () => {
    const producer = await redisBus(client);
    const consumer = await redisBus(client);
    const received: { id: string; topic: string; seq: number }[] = [];
    await consumer.bus.subscribe("message.part.delta", (envelope) => {
      received.push({ id: envelope.id, topic: envelope.topic ?? "", seq: Number(envelope.event.payload.delta) });
    }).ready;

    const outcomes: Promise<"sent" | BusError>[] = [];
    let seq = 0;
    let publishing = true;
    const loop = (async () => {
      while (publishing) {
        const n = seq++;
        outcomes.push(producer.bus.publish("message.part.delta", delta(`s${n % 4}`, n)).then(() => "sent" as const, (error: BusError) => error));
        await sleep(2);
      }
    })();

    await waitFor("delivery before the crash", () => received.length >= 50);
    await server.kill();
    const killedAt = seq;
    await sleep(300);
    const restartedAt = seq;
    await server.start();
    await waitFor("delivery after the restart", () => received.some((event) => event.seq > killedAt));
    const resumedAt = (received.find((event) => event.seq > killedAt) as { seq: number }).seq;
    await waitFor("100 more events", () => received.filter((event) => event.seq > resumedAt).length >= 100, 15_000);
    publishing = false;
    await loop;
    const settled = await Promise.all(outcomes);

    // Every publish settled: sent, or rejected with a BusError that says why.
    for (const outcome of settled) if (outcome !== "sent") expect(outcome).toMatchObject({ code: "publish-failed" });
    // Publishes made while Redis was down were held and sent once it was back.
    expect(settled.slice(killedAt + 5, restartedAt).every((outcome) => outcome === "sent")).toBe(true);
    expect(restartedAt - killedAt).toBeGreaterThan(20);
    // Once the subscriber was back, nothing that Redis accepted is lost (the last ones may still be on their way).
    const expected = settled.flatMap((outcome, n) => (outcome === "sent" && n > resumedAt ? [n] : []));
    const arrived = () => new Set(received.map((event) => event.seq));
    await waitFor("every event sent after the subscriber resumed", () => expected.every((n) => arrived().has(n)), 5_000).catch(() => {});
    expect(expected.filter((n) => !arrived().has(n))).toEqual([]);
    // Per topic: in publish order (a PUBLISH resent after the crash may arrive twice, with the same id).
    const unique = received.filter((event, index) => received.findIndex((other) => other.id === event.id) === index);
    for (const topic of ["s0", "s1", "s2", "s3"]) {
      const seqs = unique.filter((event) => event.topic === topic).map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // The outage was reported, once per connection per outage.
    expect(producer.errors.some((error) => error.code === "connection-lost" && error.message.includes("publisher"))).toBe(true);
    expect(consumer.errors.some((error) => error.code === "connection-lost" && error.message.includes("subscriber"))).toBe(true);
    expect(producer.errors.filter((error) => error.code === "connection-lost" && error.message.includes("publisher"))).toHaveLength(1);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("holds_publishes_during_an_outage_up_to_maxQueuedPublishes_and_rejects_past_it", async () => {
    const producer = await redisBus(client, { maxQueuedPublishes: 5 });
    const consumer = await redisBus(client);
    await server.kill();
    await waitFor("the publisher to notice", () => isDown(producer.publisher));
    const sends = Array.from({ length: 8 }, (_, n) => producer.bus.publish("file.edited", { file: `f${n}` }).then(() => "sent", (error: BusError) => error));
    const early = await Promise.race([Promise.all(sends.slice(5)), sleep(200).then(() => "pending")]);
    expect(early).toEqual([0, 1, 2].map(() => expect.objectContaining({ code: "publish-failed", message: expect.stringContaining("5 publishes already wait for it (maxQueuedPublishes)") })));
    await server.start();
    expect(await Promise.all(sends.slice(0, 5))).toEqual(["sent", "sent", "sent", "sent", "sent"]);
    // Delivery resumes once the subscriber is back.
    const seen: string[] = [];
    consumer.bus.subscribe("file.edited", (envelope) => void seen.push(envelope.event.payload.file));
    await waitFor("a delivery after the restart", async () => {
      await producer.bus.publish("file.edited", { file: "probe" });
      return seen.includes("probe");
    });
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("rejects_a_held_publish_after_publishQueueTimeout", async () => {
    const producer = await redisBus(client, { publishQueueTimeout: 250 });
    await server.kill();
    await waitFor("the publisher to notice", () => isDown(producer.publisher));
    const started = Date.now();
    const error = await producer.bus.publish("file.edited", { file: "late" }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: "publish-failed", message: expect.stringContaining("unreachable for 250 ms (publishQueueTimeout)") });
    await server.start();
    await waitFor("the publisher to reconnect", () => !isDown(producer.publisher));
    await expect(producer.bus.publish("file.edited", { file: "again" })).resolves.toMatchObject({ event: { payload: { file: "again" } } });
    await producer.bus.close();
  });

  test("close_during_an_outage_rejects_held_publishes_and_releases_the_connections", async () => {
    const producer = await redisBus(client);
    await producer.bus.subscribe("file.edited", () => {}).ready;
    await server.kill();
    await waitFor("the publisher to notice", () => isDown(producer.publisher));
    const held = producer.bus.publish("file.edited", { file: "never" }).catch((caught: unknown) => caught);
    const started = Date.now();
    await producer.bus.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await held).toMatchObject({ code: "closed", message: expect.stringContaining("closed while Redis was unreachable") });
    // No reconnect attempt survives close(): starting Redis again wakes no client.
    await server.start();
    await sleep(100);
    expect(isDown(producer.publisher) && isDown(producer.subscriber)).toBe(true);
  });
});
