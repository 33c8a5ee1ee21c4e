/**
 * What the Redis snapshot store reads back is hostile input: anyone who can write to Redis can write
 * its hashes and sets. Against a real redis-server: an entry that is not an envelope of its channel
 * (not JSON, a line break that would end the SSE frame early, an envelope of another topic or event,
 * a bad id) is skipped and reported, never handed to the SSE server; with the catalogue (`binding`)
 * an envelope whose event fails its schema is skipped too; a channel index pointing elsewhere never
 * widens a selection; and a read returns at most `maxKeys` entries however much was written.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { EventEnvelope } from "../../templates/ts/wire.js";
import type { AnyEvent } from "../../templates/ts/runtime/core/binding.js";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisSnapshotStore, type RedisSnapshotStoreOptions } from "../../templates/ts/runtime/sse/snapshot-redis.js";
import { snapshotEntryOf, snapshotOrder, type SnapshotEntry, type SnapshotStore } from "../../templates/ts/runtime/sse/snapshot.js";
import { binding } from "./example-runtime.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

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

function store(options: Omit<RedisSnapshotStoreOptions, "client"> = {}): SnapshotStore {
  const connection = new Redis(redis.url);
  const created = createRedisSnapshotStore({ client: connection, ...options });
  cleanup.push(() => connection.quit(), () => created.close());
  return created;
}

let counter = 0;
function envelope(sessionID: string, type: string, time = "2025-01-01T00:00:00.000Z"): EventEnvelope<AnyEvent> {
  return { id: `id-${String(counter++).padStart(6, "0")}`, time, topic: sessionID, event: { type: "session.status.v2", payload: { sessionID, status: { type } } } };
}
function entryOf(value: EventEnvelope<AnyEvent>): SnapshotEntry {
  return snapshotEntryOf(binding, value) as SnapshotEntry;
}

const HASH = "eventc:snapshot:c:session.status:s1";
const stored = (value: EventEnvelope<AnyEvent> | string, order = snapshotOrder("2025-01-01T00:00:01Z", "x")) =>
  `${order}\n${typeof value === "string" ? value : JSON.stringify(value)}`;

/** Writes, as anyone with access to Redis could, entries that are not envelopes of the channel `session.status:s1`. */
async function writeHostileEntries(): Promise<void> {
  await admin.hset(HASH, {
    '["session.status","x1"]': stored("not json"),
    // A valid envelope, pretty-printed: its line breaks would end the SSE frame and start another.
    '["session.status","x2"]': stored(JSON.stringify(envelope("s1", "idle"), null, 1)),
    // A carriage return between JSON tokens: valid JSON, and a line end to an SSE parser.
    '["session.status","x3"]': stored(JSON.stringify(envelope("s1", "idle")).replace(',"time"', ',\r"time"')),
    // Another topic's envelope in this topic's channel: a reader of s1 must never see s2's state.
    '["session.status","x4"]': stored(envelope("s2", "idle")),
    // Another event's envelope in this channel.
    '["session.status","x5"]': stored({ id: "e5", time: "2025-01-01T00:00:00Z", topic: "s1", event: { type: "todo.updated.v1", payload: { sessionID: "s1", todos: [] } } }),
    '["session.status","x6"]': stored("[1,2,3]"),
    '["session.status","x7"]': "no order and no line",
    '["session.status","x8"]': stored({ id: "has space", time: "2025-01-01T00:00:00Z", topic: "s1", event: { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "idle" } } } }),
    '["session.status","x9"]': stored({ id: "e9", time: "yesterday", topic: "s1", event: { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "idle" } } } }),
  });
}

describe("the Redis snapshot store reading what anyone may have written", () => {
  test("entries_that_are_not_envelopes_of_their_channel_are_skipped_and_reported", async () => {
    const errors: BusError[] = [];
    const shared = store({ onError: (error) => errors.push(error) });
    await shared.record(entryOf(envelope("s1", "busy")));
    await writeHostileEntries();
    const items = await shared.read({ events: ["session.status"], topics: ["s1"] });
    expect(items.map((item) => item.json)).toEqual([expect.stringContaining('"status":{"type":"busy"}')]);
    expect(errors).toHaveLength(9);
    for (const error of errors) {
      expect(error.channel).toBe("session.status:s1");
      expect(["message-undecodable", "message-invalid", "message-wrong-channel"]).toContain(error.code);
    }
    expect(errors.filter((error) => error.code === "message-wrong-channel")).toHaveLength(2);
    // The same through a wildcard selection and without topics.
    errors.length = 0;
    expect(await shared.read({ events: ["*"] })).toHaveLength(1);
    expect(errors).toHaveLength(9);
  });

  test("with_the_catalogue_an_envelope_whose_event_fails_its_schema_is_skipped_and_reported", async () => {
    const errors: BusError[] = [];
    const shared = store({ binding, onError: (error) => errors.push(error) });
    await shared.record(entryOf(envelope("s1", "busy")));
    await writeHostileEntries();
    await admin.hset(HASH, {
      '["session.status","y1"]': stored({ id: "y1", time: "2025-01-01T00:00:00Z", topic: "s1", event: { type: "session.status.v2", payload: { sessionID: "s1", status: "not an object" } } }),
      '["session.status","y2"]': stored({ id: "y2", time: "2025-01-01T00:00:00Z", topic: "s1", event: { type: "session.status.v99", payload: {} } }),
      // A valid envelope of this channel under a field that is not its coalesce key.
      '["session.status","s7"]': stored(envelope("s1", "idle")),
    });
    const items = await shared.read({ events: ["session.status"], topics: ["s1"] });
    expect(items.map((item) => item.json)).toEqual([expect.stringContaining('"status":{"type":"busy"}')]);
    expect(errors).toHaveLength(12);
    expect(errors.every((error) => error.channel === "session.status:s1")).toBe(true);
    expect(errors.filter((error) => error.code === "message-unknown-type")).toHaveLength(1);
  });

  test("a_channel_index_pointing_at_other_channels_never_widens_a_selection", async () => {
    const errors: BusError[] = [];
    const shared = store({ onError: (error) => errors.push(error) });
    await shared.record(entryOf(envelope("s1", "busy")));
    await shared.record(entryOf(envelope("s2", "idle")));
    // Whatever the store uses to find a name's channels, point it at the wrong ones.
    for (const key of await admin.keys("eventc:snapshot:*")) {
      const type = await admin.type(key);
      if (type === "set") await admin.sadd(key, "todo.updated:s1", "session.statusx:s1", "file.watcher.updated");
    }
    await admin.hset("eventc:snapshot:c:todo.updated:s1", '["todo.updated","s1"]', stored({ id: "t1", time: "2025-01-01T00:00:00Z", topic: "s1", event: { type: "todo.updated.v1", payload: { sessionID: "s1", todos: [] } } }));
    const items = await shared.read({ events: ["session.status"] });
    expect(items.map((item) => `${item.name} ${String(item.topic)}`)).toEqual(["session.status s1", "session.status s2"]);
  });

  test("a_read_returns_at_most_maxKeys_entries_however_many_were_written", async () => {
    const errors: BusError[] = [];
    const shared = store({ maxKeys: 5, onError: (error) => errors.push(error) });
    await shared.record(entryOf(envelope("s1", "busy")));
    const flood: Record<string, string> = {};
    for (let n = 0; n < 200; n += 1) flood[`["session.status","f${n}"]`] = stored(envelope("s1", "idle"));
    await admin.hset(HASH, flood);
    const items = await shared.read({ events: ["session.status"], topics: ["s1"] });
    expect(items.length).toBeLessThanOrEqual(5);
    expect(errors.map((error) => error.code)).toContain("snapshot-failed");
  });
});
