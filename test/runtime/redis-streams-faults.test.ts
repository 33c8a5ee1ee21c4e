/**
 * The Redis Streams transport when Redis goes away: each test runs its own redis-server with AOF
 * (`appendfsync always`, so what Redis acknowledged survives), kills it (SIGKILL, a crash) mid-stream
 * and starts it again. Reading resumes from the last position each subscription delivered, so every
 * event Redis accepted arrives — none lost, per topic in order (a resent XADD may arrive twice, with
 * the same envelope id); publishing resumes, with the outage bounded as documented.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisStreamTransport, type RedisCommandConnection, type RedisStreamTransportOptions } from "../../templates/ts/runtime/transports/redis/streams.js";
import { createBus } from "./example-runtime.js";
import { CLIENTS, connect, sleep, waitFor, type ClientName } from "./redis-kit.js";
import { freePort, launchRedis } from "./redis-server.js";

/** A redis-server whose streams survive a crash: AOF, fsync on every write, in a scratch folder. */
async function durableRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "eventc-redis-aof-"));
  const launch = () => launchRedis(port, ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]);
  let child: ChildProcess = await launch();
  const exited = (signal: NodeJS.Signals) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill(signal)));
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => exited("SIGKILL"),
    start: async () => void (child = await launch()),
    stop: async () => {
      await exited("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let server: Awaited<ReturnType<typeof durableRedis>>;

beforeEach(async () => {
  server = await durableRedis();
});

afterEach(async () => {
  await server.stop();
});

const delta = (sessionID: string, n: number) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: String(n) });

async function streamBus(client: ClientName, extra: Partial<RedisStreamTransportOptions> = {}) {
  const connection = (await connect(client, server.url)) as RedisCommandConnection;
  const errors: BusError[] = [];
  const bus = createBus({ transport: createRedisStreamTransport({ client: connection, ...extra }), onError: (error) => void errors.push(error) });
  return { bus, errors, connection };
}

describe.each(CLIENTS)("Redis Streams outage with %s", (client) => {
  test("after_a_redis_restart_reading_resumes_from_the_last_position_and_every_event_redis_accepted_arrives_in_order", async () => {
    const check = new Redis(server.url);
    expect(await check.call("CONFIG", "GET", "appendonly")).toEqual(["appendonly", "yes"]);
    check.disconnect();
    const producer = await streamBus(client);
    const consumer = await streamBus(client);
    const received: { id: string; topic: string; seq: number }[] = [];
    const subscriptions = ["s0", "s1", "s2", "s3"].map((topic) =>
      consumer.bus.subscribe("message.part.delta", (envelope) => void received.push({ id: envelope.id, topic, seq: Number(envelope.event.payload.delta) }), { topic }),
    );
    await Promise.all(subscriptions.map((subscription) => subscription.ready));

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
    await waitFor("delivery after the restart", () => received.some((event) => event.seq > restartedAt));
    await waitFor("100 more events", () => received.filter((event) => event.seq > restartedAt).length >= 100, 15_000);
    publishing = false;
    await loop;
    const settled = await Promise.all(outcomes);

    // Every publish settled: sent, or rejected with a BusError that says why.
    for (const outcome of settled) if (outcome !== "sent") expect(outcome).toMatchObject({ code: "publish-failed" });
    // Publishes made while Redis was down were held and sent once it was back.
    expect(restartedAt - killedAt).toBeGreaterThan(20);
    expect(settled.slice(killedAt + 5, restartedAt).every((outcome) => outcome === "sent")).toBe(true);
    // Every event Redis accepted arrives — those published before the crash that the consumer had not
    // read yet, those held during the outage, those after — each topic in publish order.
    const sent = settled.flatMap((outcome, n) => (outcome === "sent" ? [n] : []));
    const arrived = () => new Set(received.map((event) => event.seq));
    await waitFor("every event sent", () => sent.every((n) => arrived().has(n)), 5_000).catch(() => {});
    expect(sent.filter((n) => !arrived().has(n))).toEqual([]);
    const unique = received.filter((event, index) => received.findIndex((other) => other.id === event.id) === index);
    for (const topic of ["s0", "s1", "s2", "s3"]) {
      const seqs = unique.filter((event) => event.topic === topic).map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // The outage was reported, once per connection; no gap, no invalid message.
    const lost = (errors: BusError[], role: string) => errors.filter((error) => error.code === "connection-lost" && error.message.startsWith(`Redis Streams ${role} connection`));
    expect(lost(producer.errors, "client")).toHaveLength(1);
    expect(lost(consumer.errors, "reader")).toHaveLength(1);
    expect([...producer.errors, ...consumer.errors].filter((error) => error.code !== "connection-lost")).toEqual([]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("a_reader_connection_killed_mid_stream_reads_on_from_its_last_position_so_nothing_published_meanwhile_is_lost", async () => {
    const producer = await streamBus(client);
    const reader = (await connect(client, server.url)) as RedisCommandConnection;
    const readerId = String(await ("call" in reader ? reader.call("CLIENT", ["ID"]) : reader.sendCommand(["CLIENT", "ID"])));
    const consumer = await streamBus(client, { reader });
    const received: number[] = [];
    await consumer.bus.subscribe("file.edited", (envelope) => void received.push(Number(envelope.event.payload.file))).ready;
    for (let n = 0; n < 100; n += 1) await producer.bus.publish("file.edited", { file: String(n) });
    await waitFor("the first 100", () => received.length === 100);
    const admin = new Redis(server.url);
    expect(await admin.call("CLIENT", "KILL", "ID", readerId)).toBe(1);
    // Published at once, before the reader is back (both clients wait ≥ 50 ms before reconnecting).
    await Promise.all(Array.from({ length: 200 }, (_, k) => producer.bus.publish("file.edited", { file: String(100 + k) })));
    admin.disconnect();
    await waitFor("all 300", () => received.length >= 300);
    await sleep(50);
    expect(received).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(consumer.errors.map((error) => error.code)).toEqual(["connection-lost"]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("holds_publishes_during_an_outage_up_to_maxQueuedPublishes_and_close_then_rejects_them_and_returns_promptly", async () => {
    const reader = (await connect(client, server.url)) as RedisCommandConnection;
    const producer = await streamBus(client, { maxQueuedPublishes: 5, reader });
    await producer.bus.subscribe("file.edited", () => {}).ready;
    await server.kill();
    await waitFor("the client to notice", () => ("status" in producer.connection ? producer.connection.status !== "ready" : producer.connection.isReady !== true));
    const sends = Array.from({ length: 8 }, (_, n) => producer.bus.publish("file.edited", { file: `f${n}` }).then(() => "sent", (error: BusError) => error));
    const early = await Promise.race([Promise.all(sends.slice(5)), sleep(200).then(() => "pending")]);
    expect(early).toEqual([0, 1, 2].map(() => expect.objectContaining({ code: "publish-failed", message: expect.stringContaining("5 publishes already wait for it (maxQueuedPublishes)") })));
    const started = Date.now();
    await producer.bus.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await Promise.all(sends.slice(0, 5))).toEqual([0, 1, 2, 3, 4].map(() => expect.objectContaining({ code: "closed", message: expect.stringContaining("closed while Redis was unreachable") })));
 
    // No reconnect attempt survives close(): starting Redis again wakes neither connection.
    await server.start();
    await sleep(100);
    for (const connection of [producer.connection, reader]) expect("status" in connection ? connection.status !== "ready" : !connection.isOpen).toBe(true);
  });
});
