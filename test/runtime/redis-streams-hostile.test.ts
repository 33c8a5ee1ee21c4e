/**
 * The Redis Streams transport under hostile input and a hostile keyspace, against a real
 * redis-server: a resume position Redis cannot parse is refused at subscribe; a stream key that
 * someone overwrote with another type fences off only its own subscribers (with a gap) while every
 * other subscriber keeps receiving; a stream deleted (or flushed) and created anew under a lagging
 * reader gives a gap instead of losing entries silently; a resume position ahead of the stream gets a
 * gap at once and continues with what is published after. Also: no reader connection until the first
 * subscribe, `onStatus` down/up once per change, and a subscription count that returns to zero.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import {
  createRedisStreamTransport,
  type IoRedisCommandConnection,
  type RedisCommandConnection,
  type RedisStreamTransportOptions,
} from "../../templates/ts/runtime/transports/redis/streams.js";
import type { PositionGap, TransportStatus } from "../../templates/ts/runtime/transports/transport.js";
import { createBus } from "./example-runtime.js";
import { admin, connect, sleep, waitFor, type ClientName } from "./redis-kit.js";
import { freePort, startRedisServer, type RedisServer } from "./redis-server.js";

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

const nextPrefix = (): string => `h${(prefixes += 1)}:`;

async function streamBus(client: ClientName, options: Partial<RedisStreamTransportOptions> = {}) {
  const connection = (await connect(client, server.url)) as RedisCommandConnection;
  const errors: BusError[] = [];
  const statuses: TransportStatus["state"][] = [];
  const transport = createRedisStreamTransport({ client: connection, ...options });
  const bus = createBus({ transport, onError: (error) => void errors.push(error), onStatus: (status) => void statuses.push(status.state) });
  return { bus, transport, errors, statuses, connection };
}

function command(connection: RedisCommandConnection, args: string[]): Promise<unknown> {
  return "call" in connection ? connection.call(args[0] as string, args.slice(1)) : connection.sendCommand(args);
}

async function isBlocked(id: string): Promise<boolean> {
  return /\bflags=\w*b/.test(String(await raw.call("CLIENT", "LIST", "ID", id)));
}

async function clientCount(): Promise<number> {
  return String(await raw.call("CLIENT", "LIST")).trim().split("\n").length;
}

/**
 * An ioredis reader whose XREADs wait while the gate is closed: a reader that lags on demand. The
 * connection and the server are real; only the timing of the next read is the test's.
 */
function gatedReader(redis: Redis) {
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  const connection: IoRedisCommandConnection = {
    get status() {
      return redis.status;
    },
    async call(name, args) {
      if (name === "XREAD") while (gate !== undefined) await gate;
      return redis.call(name, ...args);
    },
    duplicate: () => redis.duplicate() as unknown as IoRedisCommandConnection,
    on: (event, listener) => redis.on(event, listener),
    removeListener: (event, listener) => redis.removeListener(event, listener),
    quit: () => redis.quit(),
    disconnect: () => redis.disconnect(),
  };
  return {
    connection,
    close() {
      gate = new Promise<void>((resolve) => (release = resolve));
    },
    open() {
      gate = undefined;
      release();
    },
  };
}

const HOSTILE_CLIENTS: readonly ClientName[] = ["ioredis", "node-redis"];

describe.each(HOSTILE_CLIENTS)("Redis Streams under attack with %s", (client) => {
  test("a_position_beyond_64_bits_is_refused_at_subscribe_and_never_stalls_other_subscribers", async () => {
    const prefix = nextPrefix();
    const { bus, errors } = await streamBus(client, { prefix });
    const victim: string[] = [];
    await bus.subscribe("file.edited", (envelope) => void victim.push(envelope.event.payload.file)).ready;
    for (const from of ["99999999999999999999-0", "18446744073709551616-0", "0-18446744073709551616", "1-99999999999999999999"]) {
      expect(() => bus.subscribe("session.status", () => {}, { topic: "h", from }), from).toThrow(
        expect.objectContaining({ code: "subscribe-invalid", message: expect.stringContaining('channel "session.status:h"') }),
      );
    }
    // The largest position Redis takes is accepted (ahead of the stream: a gap, then live).
    const gaps: PositionGap[] = [];
    await bus.subscribe("session.status", () => {}, { topic: "h", from: "18446744073709551615-18446744073709551615", onGap: (gap) => void gaps.push(gap) }).ready;
    expect(gaps).toEqual([{ channel: "session.status:h", after: "18446744073709551615-18446744073709551615", next: "0-0" }]);
    for (let n = 0; n < 50; n += 1) await bus.publish("file.edited", { file: String(n) });
    await waitFor("all 50 events for the victim", () => victim.length === 50, 3000);
    expect(errors).toEqual([]);
    await bus.close();
  });

  test("a_key_that_is_not_a_stream_fences_off_only_its_own_subscribers_with_a_gap_and_they_read_again_once_it_is_a_stream", async () => {
    const prefix = nextPrefix();
    const key = `${prefix}session.status:h`;
    const { bus, errors } = await streamBus(client, { prefix, blockTimeout: 200 });
    const producer = await streamBus(client, { prefix });
    const victim: string[] = [];
    const hostile: string[] = [];
    const gaps: PositionGap[] = [];
    await bus.subscribe("file.edited", (envelope) => void victim.push(envelope.event.payload.file)).ready;
    await bus.subscribe("session.status", (envelope) => void hostile.push(envelope.id), { topic: "h", onGap: (gap) => void gaps.push(gap) }).ready;
    await producer.bus.publish("session.status", { sessionID: "h", status: { type: "idle" } });
    await waitFor("the first event of the hostile channel", () => hostile.length === 1);
    await raw.call("DEL", key);
    await raw.call("SET", key, "not a stream");
    for (let n = 0; n < 50; n += 1) {
      await producer.bus.publish("file.edited", { file: String(n) });
      await sleep(5);
    }
    await waitFor("all 50 events for the victim", () => victim.length === 50, 3000);
    await waitFor("the gap of the fenced subscriber", () => gaps.length === 1, 3000);
    expect(gaps[0]).toMatchObject({ channel: "session.status:h" });
    const refused = errors.filter((error) => error.channel === "session.status:h");
    expect(refused.map((error) => error.code)).toEqual(["subscribe-failed"]);
    expect(refused[0]?.message).toContain('channel "session.status:h"');
    expect(refused[0]?.message).toContain("WRONGTYPE");
    // Once the key is a stream again, the subscription reads it from its start.
    await raw.call("DEL", key);
    const again = await producer.bus.publish("session.status", { sessionID: "h", status: { type: "busy" } });
    await waitFor("the hostile channel to be read again", () => hostile.includes(again.id), 5000);
    expect(gaps).toHaveLength(1);
    expect(errors.filter((error) => error.channel !== "session.status:h")).toEqual([]);
    await Promise.all([bus.close(), producer.bus.close()]);
  });

  test("a_resume_position_ahead_of_the_stream_gets_a_gap_at_once_and_delivery_continues_with_what_is_published_after", async () => {
    const prefix = nextPrefix();
    const { bus, errors } = await streamBus(client, { prefix });
    for (let n = 0; n < 3; n += 1) await bus.publish("file.edited", { file: String(n) });
    const entries = (await raw.call("XRANGE", `${prefix}file.edited`, "-", "+")) as [string, string[]][];
    const last = entries.at(-1)?.[0];
    const timeline: string[] = [];
    const resumed = bus.subscribe("file.edited", (envelope, { position }) => void timeline.push(`${envelope.event.payload.file}@${position}`), {
      from: "9999999999999-0",
      onGap: (gap) => void timeline.push(`gap ${gap.after} ${gap.next}`),
    });
    await resumed.ready;
    expect(timeline).toEqual([`gap 9999999999999-0 ${last}`]);
    await bus.publish("file.edited", { file: "after" });
    await waitFor("the event published after", () => timeline.length === 2, 3000);
    expect(timeline[1]).toMatch(/^after@\d+-\d+$/);
    // An absent stream: a position ahead of it is a gap too.
    const gaps: PositionGap[] = [];
    await bus.subscribe("session.status", () => {}, { topic: "none", from: "5-0", onGap: (gap) => void gaps.push(gap) }).ready;
    expect(gaps).toEqual([{ channel: "session.status:none", after: "5-0", next: "0-0" }]);
    expect(errors).toEqual([]);
    await bus.close();
  });

  test("onStatus_reports_down_when_the_client_or_the_reader_connection_is_lost_and_up_once_both_are_back_once_per_change", async () => {
    const prefix = nextPrefix();
    const { bus, statuses, connection } = await streamBus(client, { prefix });
    await bus.subscribe("file.edited", () => {}).ready;
    expect(bus.status().state).toBe("up");
    // Both connections at once (the admin connection is spared): one down, one up.
    await raw.call("CLIENT", "KILL", "TYPE", "normal");
    await waitFor("down and up", () => statuses.length === 2, 5000);
    expect(statuses).toEqual(["down", "up"]);
    // The client connection alone.
    const id = String(await command(connection, ["CLIENT", "ID"]));
    await raw.call("CLIENT", "KILL", "ID", id);
    await waitFor("down and up again", () => statuses.length === 4, 5000);
    await sleep(100);
    expect(statuses).toEqual(["down", "up", "down", "up"]);
    const received: string[] = [];
    await bus.subscribe("session.status", (envelope) => void received.push(envelope.id), { topic: "s" }).ready;
    const sent = await bus.publish("session.status", { sessionID: "s", status: { type: "idle" } });
    await waitFor("delivery after the outages", () => received.includes(sent.id));
    await bus.close();
  });

  test("a_publish_only_transport_opens_no_reader_connection_until_its_first_subscribe", async () => {
    const prefix = nextPrefix();
    // ioredis as an application makes it (not lazy: its duplicate would connect at once).
    const connection = client === "ioredis" ? new Redis(server.url) : ((await connect(client, server.url)) as RedisCommandConnection);
    await command(connection, ["PING"]);
    const before = await clientCount();
    const transport = createRedisStreamTransport({ client: connection, prefix });
    const bus = createBus({ transport });
    await bus.publish("file.edited", { file: "a" });
    await sleep(50);
    expect(await clientCount()).toBe(before);
    await bus.subscribe("file.edited", () => {}).ready;
    await waitFor("the reader connection", async () => (await clientCount()) === before + 1);
    await bus.close();
    await waitFor("both connections closed", async () => (await clientCount()) === before - 1);
  });

  test("publish_errors_name_the_channel_without_the_prefix_and_stats_count_subscriptions", async () => {
    const prefix = nextPrefix();
    const { bus, transport } = await streamBus(client, { prefix });
    expect(transport.stats()).toEqual({ subscriptions: 0 });
    const one = bus.subscribe("file.edited", () => {});
    const two = bus.subscribe("session.status", () => {}, { topic: "a", from: "0-0" });
    await Promise.all([one.ready, two.ready]);
    expect(transport.stats()).toEqual({ subscriptions: 2 });
    one();
    two();
    expect(transport.stats()).toEqual({ subscriptions: 0 });
    await transport.close();
    const refused = await transport.publish("file.edited", {}).catch((error: BusError) => error);
    expect(refused).toMatchObject({ code: "closed", channel: "file.edited" });
    expect((refused as BusError).message).toContain('"file.edited"');
    expect((refused as BusError).message).not.toContain(prefix);
    await bus.close();
  });
});

describe.each(["DEL", "FLUSHALL"] as const)("a stream recreated by %s", (how) => {
  test("under_a_lagging_reader_gives_a_gap_before_its_new_entries_instead_of_losing_entries_silently", async () => {
    const prefix = nextPrefix();
    const key = `${prefix}file.edited`;
    const producer = await streamBus("ioredis", { prefix });
    const readerRedis = new Redis(server.url);
    const readerId = String(await readerRedis.call("CLIENT", "ID"));
    const gate = gatedReader(readerRedis);
    const { bus, errors } = await streamBus("ioredis", { prefix, reader: gate.connection });
    const timeline: string[] = [];
    await bus.subscribe("file.edited", (envelope) => void timeline.push(envelope.event.payload.file), { onGap: () => void timeline.push("gap") }).ready;
    await waitFor("the reader to block", () => isBlocked(readerId));
    // The XREAD in flight returns with the first entries; the next one waits: the reader lags.
    gate.close();
    for (let n = 0; n < 200; n += 1) await producer.bus.publish("file.edited", { file: `old ${n}` });
    await waitFor("the first read", () => timeline.length > 0);
    await sleep(50);
    const before = timeline.length;
    expect(before).toBeLessThan(200);
    if (how === "DEL") await raw.call("DEL", key);
    else await raw.call("FLUSHALL");
    for (let n = 0; n < 20; n += 1) await producer.bus.publish("file.edited", { file: `new ${n}` });
    gate.open();
    await waitFor("the new entries", () => timeline.includes("new 19"), 5000);
    expect(timeline.slice(before)).toEqual(["gap", ...Array.from({ length: 20 }, (_, n) => `new ${n}`)]);
    expect(errors).toEqual([]);
    await Promise.all([bus.close(), producer.bus.close()]);
  });
});

describe("Redis unreachable", () => {
  test("a_subscription_that_cannot_reach_redis_says_so_and_is_not_called_a_refusal", async () => {
    const port = await freePort(); // nothing listens here
    const client = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on("error", () => {});
    const errors: BusError[] = [];
    const bus = createBus({ transport: createRedisStreamTransport({ client }), onError: (error) => void errors.push(error) });
    const off = bus.subscribe("file.edited", () => {});
    await expect(off.ready).rejects.toMatchObject({ code: "subscribe-failed", message: expect.stringMatching(/^Could not reach Redis to read channel "file\.edited" \(key "file\.edited"\): /) });
    await bus.close();
  });
});
