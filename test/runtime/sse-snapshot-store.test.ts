/**
 * The late-joiner snapshot stores against a real redis-server through each client library.
 * Every store (in memory, and Redis through each client) answers the same cases alike: a selection
 * reads its channels and topics only, and an event of one topic never touches another topic's state.
 * The Redis store besides: the latest envelope of a key wins whatever order the writes arrive in (two
 * stores on two connections stand for two instances), an envelope stamped far ahead holds its key for
 * `clockSkew` at most, a read costs the channels it selects and not the store, the store keeps at most
 * `maxKeys` keys and drops keys past their `ttl`, a read sees what was recorded before it, a flushed
 * script cache is survived, and close() waits for what was recorded.
 */
import { Redis } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { EventEnvelope } from "../../templates/ts/wire.js";
import type { AnyEvent } from "../../templates/ts/runtime/core/binding.js";
import { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisSnapshotStore, type RedisScriptConnection, type RedisSnapshotStoreOptions } from "../../templates/ts/runtime/sse/snapshot-redis.js";
import { createMemorySnapshotStore, recordSnapshots, snapshotEntryOf, snapshotOrder, type SnapshotEntry, type SnapshotItem, type SnapshotStore } from "../../templates/ts/runtime/sse/snapshot.js";
import type { Transport, TransportStatus } from "../../templates/ts/runtime/transports/transport.js";
import { binding, createBus } from "./example-runtime.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

type ClientName = "ioredis" | "ioredis@6" | "node-redis" | "node-redis@4";
const BOTH: readonly ClientName[] = ["ioredis", "node-redis"];
const EVERY: readonly ClientName[] = ["ioredis", "ioredis@6", "node-redis", "node-redis@4"];

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

/** A connection of `client` the test closes at the end. */
async function connect(client: ClientName): Promise<RedisScriptConnection> {
  if (client === "ioredis" || client === "ioredis@6") {
    const connection = client === "ioredis" ? new Redis(redis.url) : new Redis6(redis.url);
    cleanup.push(() => connection.quit());
    return connection;
  }
  const connection = client === "node-redis" ? createClient({ url: redis.url }) : createClient4({ url: redis.url });
  connection.on("error", () => {});
  await connection.connect();
  cleanup.push(() => connection.quit());
  return connection;
}

async function store(client: ClientName, options: Omit<RedisSnapshotStoreOptions, "client"> = {}): Promise<SnapshotStore> {
  const created = createRedisSnapshotStore({ client: await connect(client), ...options });
  cleanup.push(() => created.close());
  return created;
}

let counter = 0;
/** The snapshot entry of an envelope of `type` with `payload`, at `time` (default: now), with a fresh id unless given. */
function entry(type: string, payload: unknown, time = new Date().toISOString(), id = `id-${String(counter++).padStart(6, "0")}`): SnapshotEntry {
  const meta = binding.meta(type);
  let topic: unknown = meta?.topic === undefined ? undefined : payload;
  for (const segment of meta?.topic ?? []) topic = (topic as Record<string, unknown>)[segment];
  const envelope: EventEnvelope<AnyEvent> = { id, time, ...(topic === undefined ? {} : { topic: String(topic) }), event: { type, payload } };
  const made = snapshotEntryOf(binding, envelope);
  if (made === undefined) throw new Error(`${type} has no coalesce key`);
  return made;
}

const status = (sessionID: string, type: "idle" | "busy", time?: string, id?: string) => entry("session.status.v2", { sessionID, status: { type } }, time, id);
const watched = (file: string, event: "add" | "change", time?: string) => entry("file.watcher.updated.v1", { file, event }, time);
const message = (sessionID: string, id: string, created: number, time?: string) => entry("message.updated.v1", { info: { role: "user", id, sessionID, time: { created } } }, time);

/** What a read returns, as `<type> <payload>` lines. */
async function contents(from: SnapshotStore, events: readonly string[] = ["*"], topics?: readonly string[]): Promise<string[]> {
  const items: readonly SnapshotItem[] = await from.read({ events, ...(topics === undefined ? {} : { topics }) });
  return items.map((item) => {
    const envelope = JSON.parse(item.json) as EventEnvelope<AnyEvent>;
    return `${envelope.event.type} ${JSON.stringify(envelope.event.payload)}`;
  });
}

const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, 0, ms)).toISOString();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What one read costs Redis, from MONITOR: every command its script runs, each counting one, and a
 * command that reads a whole collection counting its elements (measured after the read, which
 * changes nothing). Never a timing.
 */
async function workOfRead(read: () => Promise<readonly SnapshotItem[]> | readonly SnapshotItem[]): Promise<{ items: number; elements: number; commands: string[][] }> {
  const monitor = await admin.duplicate().monitor();
  const commands: string[][] = [];
  let ended!: () => void;
  const end = new Promise<void>((resolve) => (ended = resolve));
  const marker = `end-of-read-${counter++}`;
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === "lua") commands.push(args);
    else if (args[0]?.toLowerCase() === "echo" && args[1] === marker) ended();
  });
  const items = await read();
  await admin.echo(marker);
  await end;
  monitor.disconnect();
  let elements = 0;
  for (const [name, key] of commands) {
    const command = (name as string).toUpperCase();
    if (command === "SMEMBERS") elements += await admin.scard(key as string);
    else if (command === "HGETALL" || command === "HKEYS" || command === "HVALS") elements += await admin.hlen(key as string);
    else if (command.startsWith("ZRANGE") || command === "KEYS" || command === "SCAN" || command === "SUNION") elements += await admin.dbsize();
    else elements += 1;
  }
  return { items: items.length, elements, commands };
}

type StoreKind = "memory" | "redis over ioredis" | "redis over node-redis";
const STORES: readonly StoreKind[] = ["memory", "redis over ioredis", "redis over node-redis"];

/** A store of `kind`, closed at the end of the test. */
async function storeOf(kind: StoreKind): Promise<SnapshotStore> {
  if (kind === "memory") return createMemorySnapshotStore();
  return store(kind === "redis over ioredis" ? "ioredis" : "node-redis");
}

describe.each(STORES)("every snapshot store: %s", (kind) => {
  test("a_selection_reads_only_the_channels_and_topics_it_covers", async () => {
    const shared = await storeOf(kind);
    for (const item of [
      status("s1", "busy", at(1)),
      status("s2", "idle", at(2)),
      entry("todo.updated.v1", { sessionID: "s1", todos: [] }, at(3)),
      watched("a.ts", "change", at(4)),
      entry("installation.update-available.v1", { version: "2.0.0" }, at(5)),
    ]) {
      await shared.record(item);
    }
    expect(await contents(shared, ["session.*"], ["s1"])).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
    expect(await contents(shared, ["session.status"])).toEqual([
      'session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}',
      'session.status.v2 {"sessionID":"s2","status":{"type":"idle"}}',
    ]);
    // A topic filter leaves unscoped events out, as bus.subscribe(…, { topic }) does.
    expect(await contents(shared, ["*"], ["s1"])).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}', 'todo.updated.v1 {"sessionID":"s1","todos":[]}']);
    expect(await contents(shared, ["file.*", "installation.update-available"])).toEqual([
      'file.watcher.updated.v1 {"file":"a.ts","event":"change"}',
      'installation.update-available.v1 {"version":"2.0.0"}',
    ]);
    expect(await contents(shared, ["message.*"])).toEqual([]);
    expect(await contents(shared, ["*"], [])).toEqual([]);
    expect(await contents(shared, ["session.status", "installation.update-available"], ["s2", "s3"])).toEqual(['session.status.v2 {"sessionID":"s2","status":{"type":"idle"}}']);
  });

  test("an_event_of_one_topic_never_overwrites_or_erases_the_state_of_another_topic", async () => {
    const shared = await storeOf(kind);
    // message.updated coalesces by the message id: the same id in two sessions is two keys, one per channel.
    await shared.record(message("s1", "m1", 1, at(1)));
    await shared.record(message("s2", "m1", 2, at(2)));
    expect(await contents(shared, ["message.updated"], ["s1"])).toEqual(['message.updated.v1 {"info":{"role":"user","id":"m1","sessionID":"s1","time":{"created":1}}}']);
    expect(await contents(shared, ["message.updated"], ["s2"])).toEqual(['message.updated.v1 {"info":{"role":"user","id":"m1","sessionID":"s2","time":{"created":2}}}']);
    expect(await contents(shared, ["message.*"])).toEqual([
      'message.updated.v1 {"info":{"role":"user","id":"m1","sessionID":"s1","time":{"created":1}}}',
      'message.updated.v1 {"info":{"role":"user","id":"m1","sessionID":"s2","time":{"created":2}}}',
    ]);
    await shared.record(message("s1", "m1", 3, at(3)));
    expect(await contents(shared, ["message.updated"], ["s1"])).toEqual(['message.updated.v1 {"info":{"role":"user","id":"m1","sessionID":"s1","time":{"created":3}}}']);
    expect(await contents(shared, ["message.updated"], ["s2"])).toEqual(['message.updated.v1 {"info":{"role":"user","id":"m1","sessionID":"s2","time":{"created":2}}}']);
    expect(shared.size).toBe(2);
  });
});

describe("the Redis snapshot store", () => {
  test.each(EVERY)("the_latest_envelope_of_a_key_wins_whatever_order_two_instances_write_in_%s", async (client) => {
    const [first, second] = [await store(client), await store(client)];
    await first.record(status("s1", "busy", at(200)));
    // A stale envelope arriving late, on another instance: older time.
    await second.record(status("s1", "idle", at(100)));
    expect(await contents(second)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
    expect(await contents(first)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
    // The same instant: the id decides (ids of one bus grow with each publish), the same on every instance.
    await second.record(status("s2", "idle", at(300), "b-2"));
    await first.record(status("s2", "busy", at(300), "b-1"));
    // Both in one write: the newer is kept whichever comes last.
    void first.record(status("s3", "busy", at(500)));
    await first.record(status("s3", "idle", at(400)));
    // A newer one replaces.
    await second.record(status("s1", "idle", at(600)));
    expect(await contents(first)).toEqual([
      'session.status.v2 {"sessionID":"s2","status":{"type":"idle"}}',
      'session.status.v2 {"sessionID":"s3","status":{"type":"busy"}}',
      'session.status.v2 {"sessionID":"s1","status":{"type":"idle"}}',
    ]);
    expect(first.size).toBe(3);
  });

  test.each(BOTH)("times_with_any_fraction_order_as_times_do_%s", async (client) => {
    expect(snapshotOrder("2025-01-01T00:00:00.5Z", "a") > snapshotOrder("2025-01-01T00:00:00.123456Z", "z")).toBe(true);
    expect(snapshotOrder("2025-01-01T00:00:01Z", "a") > snapshotOrder("2025-01-01T00:00:00.999999999Z", "z")).toBe(true);
    const shared = await store(client);
    await shared.record(status("s1", "busy", "2025-01-01T00:00:00.5Z"));
    await shared.record(status("s1", "idle", "2025-01-01T00:00:00.123456Z"));
    expect(await contents(shared)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
  });

  test.each(BOTH)("past_maxKeys_the_least_recently_updated_keys_are_removed_%s", async (client) => {
    const shared = await store(client, { maxKeys: 3, prefix: "app:snap:" });
    for (const file of ["a", "b", "c", "d"]) {
      await shared.record(watched(file, "add"));
      await sleep(3); // one Redis millisecond per update: the eviction order is by update time
    }
    expect(await contents(shared, ["file.*"])).toEqual(['file.watcher.updated.v1 {"file":"b","event":"add"}', 'file.watcher.updated.v1 {"file":"c","event":"add"}', 'file.watcher.updated.v1 {"file":"d","event":"add"}']);
    await shared.record(watched("b", "change"));
    await sleep(3);
    await shared.record(watched("e", "add"));
    // c was updated longest ago; b was updated again.
    expect(await contents(shared, ["file.*"])).toEqual(['file.watcher.updated.v1 {"file":"d","event":"add"}', 'file.watcher.updated.v1 {"file":"b","event":"change"}', 'file.watcher.updated.v1 {"file":"e","event":"add"}']);
    expect(shared.size).toBe(3);
    // Everything the store holds is under its prefix and bounded with it.
    expect((await admin.keys("*")).sort()).toEqual(["app:snap:c:file.watcher.updated", "app:snap:keys", "app:snap:n:file.watcher.updated", "app:snap:names"]);
    expect(await admin.zcard("app:snap:keys")).toBe(3);
    expect(await admin.hlen("app:snap:c:file.watcher.updated")).toBe(3);
    // A whole batch over the bound is cut to it in the same write.
    await Promise.all(["f", "g", "h", "i", "j"].map((file) => shared.record(watched(file, "add"))));
    expect(await admin.zcard("app:snap:keys")).toBe(3);
    expect(await admin.hlen("app:snap:c:file.watcher.updated")).toBe(3);
  });

  test.each(BOTH)("with_a_ttl_a_key_not_updated_for_that_long_is_gone_and_so_is_a_channel_left_empty_%s", async (client) => {
    const shared = await store(client, { ttl: 150 });
    await shared.record(status("s1", "busy"));
    await sleep(100);
    await shared.record(watched("a.ts", "add"));
    expect(await admin.pttl("eventc:snapshot:keys")).toBeGreaterThan(0);
    await sleep(80);
    expect(await contents(shared)).toEqual(['file.watcher.updated.v1 {"file":"a.ts","event":"add"}']);
    expect(await admin.smembers("eventc:snapshot:names")).toEqual(["file.watcher.updated"]);
    expect(await admin.exists("eventc:snapshot:c:session.status:s1", "eventc:snapshot:n:session.status")).toBe(0);
    await sleep(200);
    expect(await contents(shared)).toEqual([]);
    expect(await admin.keys("*")).toEqual([]);
  });

  test.each(BOTH)("a_read_sees_every_entry_recorded_before_it_through_the_same_store_%s", async (client) => {
    const shared = await store(client, { writeBatch: 64 });
    for (let n = 0; n < 2000; n += 1) void shared.record(watched(`f${n % 500}`, n < 1500 ? "add" : "change", at(n)));
    const items = await shared.read({ events: ["file.watcher.updated"] });
    expect(items).toHaveLength(500);
    expect(items.filter((item) => item.json.includes('"change"'))).toHaveLength(500);
    expect(shared.size).toBe(500);
  });

  test.each(BOTH)("scripts_flushed_from_the_server_are_loaded_again_%s", async (client) => {
    const shared = await store(client);
    await shared.record(status("s1", "busy", at(1)));
    await admin.script("FLUSH");
    await shared.record(status("s1", "idle", at(2)));
    await admin.script("FLUSH");
    expect(await contents(shared)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"idle"}}']);
  });

  test.each(BOTH)("a_failed_write_is_reported_and_rejects_its_records_%s", async (client) => {
    const errors: BusError[] = [];
    const shared = await store(client, { onError: (error) => errors.push(error) });
    // A key of the wrong type where the store keeps its update order: every write fails.
    await admin.set("eventc:snapshot:keys", "not a sorted set");
    const recorded = shared.record(status("s1", "busy"));
    await expect(recorded).rejects.toMatchObject({ code: "snapshot-failed" });
    expect(errors.map((error) => error.code)).toEqual(["snapshot-failed"]);
    await expect(shared.read({ events: ["*"] })).rejects.toBeInstanceOf(BusError);
  });

  test.each(BOTH)("an_envelope_stamped_far_ahead_holds_its_key_for_clockSkew_at_most_%s", async (client) => {
    const shared = await store(client, { clockSkew: 100 });
    const year = 365 * 24 * 3600 * 1000;
    await shared.record(status("s1", "busy", new Date(Date.now() + year).toISOString()));
    // Within clockSkew of its recording the stamped-ahead envelope still wins, as an envelope of that time would.
    await shared.record(status("s1", "idle", new Date(Date.now() + 20).toISOString()));
    expect(await contents(shared)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
    await sleep(150);
    await shared.record(status("s1", "idle"));
    expect(await contents(shared)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"idle"}}']);
  });

  test.each(BOTH)("by_default_an_envelope_ahead_of_the_clock_orders_as_five_minutes_ahead_at_most_%s", async (client) => {
    const shared = await store(client);
    const minutes = (count: number) => new Date(Date.now() + count * 60_000).toISOString();
    await shared.record(status("s1", "busy", minutes(365 * 24 * 60)));
    await shared.record(status("s1", "idle", minutes(4)));
    expect(await contents(shared)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
    await sleep(5);
    // Six minutes ahead is past the bound too: it orders as five minutes after its own recording, later than the first.
    await shared.record(status("s1", "idle", minutes(6)));
    expect(await contents(shared)).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"idle"}}']);
    expect(() => createRedisSnapshotStore({ client: admin, clockSkew: -1 })).toThrow(RangeError);
  });

  test.each(BOTH)("a_read_touches_the_channels_its_selection_covers_not_the_whole_store_%s", async (client) => {
    const others = 10_000;
    const shared = await store(client, { maxKeys: others + 10 });
    for (let n = 0; n < others; n += 1) void shared.record(status(`other-${n}`, "busy", at(n)));
    await shared.record(watched("a.ts", "add", at(others + 1)));
    await shared.record(status("s1", "idle", at(others + 2)));
    expect(await admin.zcard("eventc:snapshot:keys")).toBe(others + 2);
    const work = await workOfRead(() => shared.read({ events: ["file.watcher.updated"] }));
    expect(work.items).toBe(1);
    expect(work.elements).toBeLessThanOrEqual(8);
    const topic = await workOfRead(() => shared.read({ events: ["session.status"], topics: ["s1"] }));
    expect(topic.items).toBe(1);
    expect(topic.elements).toBeLessThanOrEqual(8);
    // A wildcard reads the event names the store holds (as many as the catalogue has at most), then their channels.
    const wildcard = await workOfRead(() => shared.read({ events: ["*"], topics: ["s1"] }));
    expect(wildcard.items).toBe(1);
    expect(wildcard.elements).toBeLessThanOrEqual(12);
    const domain = await workOfRead(() => shared.read({ events: ["file.*"] }));
    expect(domain.items).toBe(1);
    expect(domain.elements).toBeLessThanOrEqual(12);
  });

  test.each(BOTH)("close_waits_for_what_was_recorded_and_refuses_later_records_%s", async (client) => {
    const shared = createRedisSnapshotStore({ client: await connect(client) });
    for (let n = 0; n < 100; n += 1) void shared.record(watched(`f${n}`, "add"));
    await shared.close();
    expect(await admin.zcard("eventc:snapshot:keys")).toBe(100);
    await expect(shared.record(watched("late", "add"))).rejects.toMatchObject({ code: "closed" });
    await expect(shared.read({ events: ["*"] })).rejects.toMatchObject({ code: "closed" });
  });

  test("a_cluster_client_is_refused", () => {
    expect(() => createRedisSnapshotStore({ client: { isCluster: true, call: () => Promise.resolve(null) } })).toThrow(/Cluster is not supported/);
    expect(() => createRedisSnapshotStore({ client: { sendCommand: () => Promise.resolve(null) } })).toThrow(/cluster/);
  });
});

describe("recordSnapshots", () => {
  test("the_recording_transport_keeps_what_the_transport_it_wraps_offers_its_status_and_positions", async () => {
    // The wrapped transport: delivers in process and reports a status the test sets.
    const observers = new Set<(status: TransportStatus) => void>();
    const wrapped: Transport = {
      trusted: true,
      positions: true,
      publish: () => Promise.resolve(),
      subscribe: () => ({ ready: Promise.resolve(), unsubscribe: () => {} }),
      onError: () => () => {},
      onStatus(observer) {
        observers.add(observer);
        return () => void observers.delete(observer);
      },
      close: () => Promise.resolve(),
    };
    const recording = recordSnapshots(wrapped, { binding, store: createMemorySnapshotStore() });
    expect(recording.positions).toBe(true);
    const bus = createBus({ transport: recording });
    const seen: string[] = [];
    bus.onStatus((status) => void seen.push(status.state));
    for (const observer of observers) observer({ state: "down", cause: new Error("connection lost") });
    expect(bus.status().state).toBe("down");
    for (const observer of observers) observer({ state: "up" });
    expect(seen).toEqual(["down", "up"]);
    await bus.close();
    expect(observers.size).toBe(0);
  });
});
