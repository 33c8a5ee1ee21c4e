/**
 * The Redis Streams transport against a real redis-server, with each client library: delivery with
 * stream positions, resuming from a position, the gap signal for a trimmed position, wildcards
 * refused, ingress validation of raw XADD entries, and close() leaving no blocked reader and no open
 * connection. Each test uses its own stream prefix, so tests share one server.
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createMemoryTransport } from "../../templates/ts/runtime/transports/memory.js";
import { createRedisStreamTransport, type RedisCommandConnection, type RedisStreamTransportOptions } from "../../templates/ts/runtime/transports/redis/streams.js";
import type { PositionGap } from "../../templates/ts/runtime/transports/transport.js";
import { createBus } from "./example-runtime.js";
import { admin, CLIENTS, connect, isClosed, sleep, waitFor, type ClientName } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

let server: RedisServer;
let raw: Redis;
let prefixes = 0;

beforeAll(async () => {
  server = await startRedisServer();
  raw = admin(server.url);
});

afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

const delta = (sessionID: string, n: number) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: String(n) });

/** A bus over the Streams transport; `reader` is a connection of ours unless `ownReader` leaves it to the transport. */
async function streamBus(client: ClientName, extra: Partial<RedisStreamTransportOptions> & { ownReader?: boolean } = {}) {
  const { ownReader = false, ...options } = extra;
  const connection = (await connect(client, server.url)) as RedisCommandConnection;
  const reader = ownReader ? undefined : ((await connect(client, server.url)) as RedisCommandConnection);
  const readerId = reader === undefined ? "" : String(await command(reader, ["CLIENT", "ID"]));
  const errors: BusError[] = [];
  const transport = createRedisStreamTransport({ client: connection, ...(reader === undefined ? {} : { reader }), ...options });
  const bus = createBus({ transport, onError: (error) => void errors.push(error) });
  return { bus, errors, connection, reader, readerId };
}

/** Sends a raw command on a connection of either library. */
function command(connection: RedisCommandConnection, args: string[]): Promise<unknown> {
  return "call" in connection ? connection.call(args[0] as string, args.slice(1)) : connection.sendCommand(args);
}

/** Is the client with this CLIENT ID blocked in a command (XREAD), per CLIENT LIST? */
async function isBlocked(id: string): Promise<boolean> {
  const line = String(await raw.call("CLIENT", "LIST", "ID", id));
  return /\bflags=\w*b/.test(line);
}

/** Entry IDs of a stream, oldest first. */
async function streamIds(key: string): Promise<string[]> {
  const entries = (await raw.call("XRANGE", key, "-", "+")) as [string, string[]][];
  return entries.map(([id]) => id);
}

describe.each(CLIENTS)("Redis Streams with %s", (client) => {
  test("delivers_typed_envelopes_with_their_stream_positions_and_replays_everything_after_a_position", async () => {
    const prefix = `t${(prefixes += 1)}:`;
    const producer = await streamBus(client, { prefix });
    const consumer = await streamBus(client, { prefix, ownReader: true });
    const received: { id: string; topic: string | undefined; position: string | undefined }[] = [];
    const files: string[] = [];
    const offStatus = consumer.bus.subscribe("session.status", (envelope, { position }) => void received.push({ id: envelope.id, topic: envelope.topic, position }), { topic: "s1" });
    const offFiles = consumer.bus.subscribe("file.edited", (envelope) => void files.push(envelope.event.payload.file));
    await Promise.all([offStatus.ready, offFiles.ready]);
    const sent = [
      await producer.bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } }),
      await producer.bus.publish("session.status", { sessionID: "s1", status: "idle" }, { version: 1 }),
      await producer.bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } }),
    ];
    await producer.bus.publish("session.status", { sessionID: "s2", status: { type: "idle" } });
    await producer.bus.publish("file.edited", { file: "a.ts" });
    await waitFor("three events and a file", () => received.length === 3 && files.length === 1);
    // Positions are the entry IDs of the channel's stream, in order.
    expect(received.map((event) => event.id)).toEqual(sent.map((envelope) => envelope.id));
    expect(received.map((event) => event.position)).toEqual(await streamIds(`${prefix}session.status:s1`));
    expect(received.map((event) => event.topic)).toEqual(["s1", "s1", "s1"]);
    expect(files).toEqual(["a.ts"]);

    // A subscription from the first position gets everything after it, in order, then what comes next.
    const replayed: string[] = [];
    const replay = consumer.bus.subscribe("session.status", (envelope) => void replayed.push(envelope.id), { topic: "s1", from: received[0]?.position as string });
    await replay.ready;
    await waitFor("the replay", () => replayed.length === 2);
    const fourth = await producer.bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    await waitFor("the next event", () => replayed.length === 3 && received.length === 4);
    expect(replayed).toEqual([sent[1]?.id, sent[2]?.id, fourth.id]);
    expect([...producer.errors, ...consumer.errors]).toEqual([]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("a_trimmed_position_gives_the_gap_signal_before_the_oldest_entry_kept", async () => {
    const prefix = `t${(prefixes += 1)}:`;
    const key = `${prefix}file.edited`;
    const { bus, errors } = await streamBus(client, { prefix, maxLen: 10 });
    await bus.publish("file.edited", { file: "0" });
    const [trimmed] = await streamIds(key);
    const sends = [];
    for (let n = 1; n <= 300; n += 1) sends.push(bus.publish("file.edited", { file: String(n) }));
    await Promise.all(sends);
    const kept = await streamIds(key);
    expect(kept.length).toBeGreaterThanOrEqual(10); // MAXLEN ~ trims whole nodes: at least 10 kept, not all
    expect(kept.length).toBeLessThan(301);

    // Resuming from the first position (long trimmed): the gap comes first, then the oldest entry kept onwards.
    const timeline: string[] = [];
    const gaps: PositionGap[] = [];
    const resumed = bus.subscribe("file.edited", (envelope, { position }) => void timeline.push(`${envelope.event.payload.file}@${position}`), {
      from: trimmed as string,
      onGap: (gap) => {
        gaps.push(gap);
        timeline.push("gap");
      },
    });
    await resumed.ready;
    await waitFor("the kept entries", () => timeline.length === kept.length + 1);
    expect(gaps).toEqual([{ channel: "file.edited", after: trimmed, next: kept[0] }]);
    expect(timeline[0]).toBe("gap");
    expect(timeline.slice(1).map((item) => item.split("@")[1])).toEqual(kept);
    expect(timeline[timeline.length - 1]).toBe(`300@${kept[kept.length - 1]}`);
    resumed();

    // Unsubscribing in onGap delivers nothing of the partial replay (all or nothing).
    const partial: string[] = [];
    const allOrNothing = bus.subscribe("file.edited", () => void partial.push("event"), { from: trimmed as string, onGap: () => allOrNothing() });
    await allOrNothing.ready;
    await sleep(100);
    expect(partial).toEqual([]);

    // Without onGap, the gap goes to onError; "0-0" (everything kept) is a gap too once anything was trimmed.
    const fromStart: (string | undefined)[] = [];
    const off = bus.subscribe("file.edited", (_envelope, { position }) => void fromStart.push(position), { from: "0-0" });
    await waitFor("the replay from the start", () => fromStart.length === kept.length);
    off();
    expect(fromStart).toEqual(kept);
    expect(errors.map((error) => [error.code, error.channel])).toEqual([["stream-gap", "file.edited"]]);
    errors.length = 0;

    // A position still kept replays without a gap.
    const recent: string[] = [];
    const offRecent = bus.subscribe("file.edited", (envelope) => void recent.push(envelope.event.payload.file), { from: kept[kept.length - 3] as string, onGap: () => void recent.push("gap") });
    await waitFor("two events", () => recent.length === 2);
    expect(recent).toEqual(["299", "300"]);
    offRecent();
    expect(errors).toEqual([]);
    await bus.close();
  });

  test("refuses_wildcards_every_topic_at_once_and_malformed_positions_at_subscribe", async () => {
    const { bus } = await streamBus(client, { prefix: `t${(prefixes += 1)}:` });
    expect(() => bus.subscribe("session.*", () => {})).toThrow(expect.objectContaining({ code: "subscribe-invalid", message: expect.stringContaining("one stream per channel") }));
    expect(() => bus.subscribe("*", () => {})).toThrow(expect.objectContaining({ code: "subscribe-invalid" }));
    expect(() => bus.subscribe("session.status", () => {})).toThrow(expect.objectContaining({ code: "subscribe-invalid" }));
    expect(() => bus.stream("message.part.delta")).toThrow(expect.objectContaining({ code: "subscribe-invalid" }));
    expect(() => bus.subscribe("file.edited", () => {}, { from: "yesterday" })).toThrow(expect.objectContaining({ code: "subscribe-invalid", message: expect.stringContaining("not a stream position") }));
    await bus.subscribe("session.status", () => {}, { topic: "s1" }).ready;
    await bus.close();
  });

  test("reports_and_drops_raw_xadd_garbage_unknown_types_invalid_payloads_and_events_on_the_wrong_stream", async () => {
    const prefix = `t${(prefixes += 1)}:`;
    const { bus, errors } = await streamBus(client, { prefix });
    const received: { id: string; position: string | undefined }[] = [];
    await bus.subscribe("session.status", (envelope, { position }) => void received.push({ id: envelope.id, position }), { topic: "s1" }).ready;
    const envelope = (event: unknown, topic?: string) => JSON.stringify({ id: "e1", time: "2025-01-02T03:04:05Z", ...(topic === undefined ? {} : { topic }), event });
    const status = { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "idle" } } };
    const key = `${prefix}session.status:s1`;
    await raw.call("XADD", key, "*", "envelope", "not json {");
    await raw.call("XADD", key, "*", "payload", envelope(status, "s1"));
    await raw.call("XADD", key, "*", "envelope", envelope({ type: "session.hibernated.v1", payload: {} }, "s1"));
    await raw.call("XADD", key, "*", "envelope", envelope({ type: "session.status.v2", payload: { sessionID: "s1", status: { type: "asleep" } } }, "s1"));
    await raw.call("XADD", key, "*", "envelope", envelope(status, "s2"));
    await raw.call("XADD", key, "*", "envelope", envelope({ type: "file.edited.v1", payload: { file: "a" } }));
    const good = String(await raw.call("XADD", key, "*", "envelope", envelope(status, "s1")));
    await waitFor("the valid event", () => received.length === 1);
    await sleep(50);
    expect(received).toEqual([{ id: "e1", position: good }]);
    expect(errors.map((error) => error.code)).toEqual([
      "message-undecodable",
      "message-undecodable",
      "message-unknown-type",
      "message-invalid",
      "message-wrong-channel",
      "message-wrong-channel",
    ]);
    expect(errors[1]?.message).toContain('no "envelope" field');
    expect(errors[4]?.message).toContain('belong on "session.status:s2"');
    await bus.close();
  });

  test("wakes_the_blocked_reader_at_once_for_a_new_subscription", async () => {
    const prefix = `t${(prefixes += 1)}:`;
    const { bus, errors, readerId } = await streamBus(client, { prefix, blockTimeout: 20_000 });
    await bus.subscribe("session.status", () => {}, { topic: "s1" }).ready;
    await waitFor("the reader to block", () => isBlocked(readerId));
    const files: string[] = [];
    const started = Date.now();
    await bus.subscribe("file.edited", (envelope) => void files.push(envelope.event.payload.file)).ready;
    await bus.publish("file.edited", { file: "now" });
    await waitFor("the event", () => files.length === 1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(errors).toEqual([]);
    await bus.close();
  });

  test("close_leaves_no_blocked_reader_no_open_connection_and_no_socket", async () => {
    const { bus, connection, reader, readerId } = await streamBus(client, { prefix: `t${(prefixes += 1)}:`, blockTimeout: 20_000 });
    // Sockets of this process, counted once the shared connections are up, less the two the transport opened.
    await raw.call("PING");
    const before = process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length - 2;
    await bus.subscribe("session.status", () => {}, { topic: "s1" }).ready;
    await waitFor("the reader to block", () => isBlocked(readerId));
    const started = Date.now();
    await bus.close();
    await bus.close();
    expect(Date.now() - started).toBeLessThan(1000);
    // The server drops a closed connection once it has read the close: gone, not merely unblocked.
    await waitFor("the reader's connection to be gone", async () => String(await raw.call("CLIENT", "LIST", "ID", readerId)) === "");
    expect(String(await raw.call("CLIENT", "LIST"))).not.toMatch(/\bflags=\w*b/);
    expect(isClosed(connection as never)).toBe(true);
    expect(isClosed(reader as never)).toBe(true);
    await waitFor("sockets released", () => process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length <= before);
  });

  test("with_quitOnClose_false_close_unblocks_the_reader_and_leaves_both_connections_open", async () => {
    const { bus, connection, reader, readerId } = await streamBus(client, { prefix: `t${(prefixes += 1)}:`, blockTimeout: 20_000, quitOnClose: false });
    await bus.subscribe("file.edited", () => {}).ready;
    await waitFor("the reader to block", () => isBlocked(readerId));
    const started = Date.now();
    await bus.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await isBlocked(readerId)).toBe(false);
    expect(isClosed(connection as never) || isClosed(reader as never)).toBe(false);
    for (const open of [connection, reader]) {
      if (open === undefined) continue;
      if ("status" in open) await open.quit();
      else await (open.close ?? open.quit)?.call(open);
    }
  });
});

test("refuses_from_on_a_transport_without_positions_and_one_connection_for_both_roles", async () => {
  const bus = createBus({ transport: createMemoryTransport() });
  expect(() => bus.subscribe("file.edited", () => {}, { from: "1-0" })).toThrow(expect.objectContaining({ code: "subscribe-invalid", message: expect.stringContaining("no positions") }));
  await bus.close();
  const connection = (await connect("ioredis", server.url)) as RedisCommandConnection;
  expect(() => createRedisStreamTransport({ client: connection, reader: connection })).toThrow(/separate connections/);
  if ("status" in connection) connection.disconnect();
});
