/**
 * SSE with replay from the Redis Streams transport (sse/log.ts) when clients and the keyspace are
 * hostile, over real HTTP and a real redis-server: a resume id Redis cannot parse, or one that names
 * no channel of the selection, is unknown (a gap, `resumed: false`) and stalls no one; a position ahead
 * of the stream gets `resume-too-old` for its channel and the events published after; every channel
 * has a position to resume from from the `live` frame on, so nothing published before a channel's
 * first event is lost across a reconnect; a stream key overwritten with a string ends only the
 * connections that read it; and however connections end, the transport's subscriptions return to
 * where they were.
 */
import { get, type IncomingMessage } from "node:http";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventNames } from "../../generated/ts/index.js";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisStreamTransport, type RedisStreamTransportOptions } from "../../templates/ts/runtime/transports/redis/streams.js";
import type { SseSink } from "../../templates/ts/runtime/sse/http.js";
import { SseServerConnections } from "../../templates/ts/runtime/sse/connection.js";
import { openSseLogReader, type SseLogChannel } from "../../templates/ts/runtime/sse/log.js";
import { HttpRefusal } from "../../templates/ts/runtime/sse/selection.js";
import { createSseHandler, type SseHandlerOptions } from "../../templates/ts/runtime/sse/server.js";
import { binding, createBus, type Catalogue } from "./example-runtime.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { delta, openRaw, serve, sleep, waitFor, type RawStream } from "./sse-kit.js";

let redis: RedisServer;
let raw: Redis;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
});
afterAll(async () => {
  raw.disconnect();
  await redis.stop();
});

/** A server on its own stream prefix: its bus (the transport's reader shared by every connection) and a producer. */
async function streamServer(transportOptions: Partial<RedisStreamTransportOptions> = {}, handlerOptions: Partial<SseHandlerOptions<Catalogue>> = {}) {
  const prefix = `x${(prefixes += 1)}:`;
  const errors: BusError[] = [];
  const transport = createRedisStreamTransport({ client: new Redis(redis.url), prefix, ...transportOptions });
  const bus = createBus({ transport, onError: (error) => void errors.push(error) });
  const producer = createBus({ transport: createRedisStreamTransport({ client: new Redis(redis.url), prefix, ...(transportOptions.maxLen === undefined ? {} : { maxLen: transportOptions.maxLen }) }) });
  const handler = createSseHandler(bus, { binding, eventNames, replayFrom: "transport", onError: (error) => void errors.push(error), ...handlerOptions });
  const served = await serve(handler);
  return {
    prefix,
    transport,
    bus,
    producer,
    handler,
    errors,
    url: (query: string) => `${served.url}?${query}`,
    async close() {
      await handler.close();
      await served.close();
      await Promise.all([bus.close(), producer.close()]);
    },
  };
}

const messages = (stream: RawStream) => stream.frames.filter((frame) => frame.event === undefined);
const control = (stream: RawStream, event: string) => stream.frames.filter((frame) => frame.event === event).map((frame) => JSON.parse(frame.data) as Record<string, unknown>);
const deltaOf = (frame: { data: string }) => String(JSON.parse(frame.data).event.payload.delta);
const enc = encodeURIComponent;

describe("SSE replay from Redis Streams under attack", () => {
  test("a_position_beyond_64_bits_gets_a_gap_and_never_stalls_other_subscribers", async () => {
    const server = await streamServer();
    try {
      const onBus: string[] = [];
      await server.bus.subscribe("file.edited", (envelope) => void onBus.push(envelope.event.payload.file)).ready;
      const victim = await openRaw(server.url("events=file.edited"));
      await victim.until((frame) => frame.event === "live");
      const hostile = await openRaw(server.url("events=message.part.delta&topic=h"), { "last-event-id": "99999999999999999999-0" });
      await hostile.until((frame) => frame.event === "live");
      expect(control(hostile, "gap")).toEqual([{ reason: "resume-too-old", resync: true, lastEventId: "99999999999999999999-0" }]);
      expect(control(hostile, "live")).toEqual([expect.objectContaining({ resumed: false })]);
      for (let n = 0; n < 50; n += 1) await server.producer.publish("file.edited", { file: String(n) });
      await waitFor("50 events for the SSE client and the bus subscriber", () => messages(victim).length === 50 && onBus.length === 50, 3000);
      await server.producer.publish("message.part.delta", delta(7, "h"));
      await hostile.until((frame) => frame.event === undefined && deltaOf(frame) === "7", 3000);
      victim.close();
      hostile.close();
      expect(server.errors).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test("a_resume_position_ahead_of_the_stream_gets_resume_too_old_for_its_channel_and_the_events_published_after", async () => {
    const server = await streamServer();
    try {
      await server.producer.publish("message.part.delta", delta(0, "a"));
      const ahead = await openRaw(server.url("events=message.part.delta&topic=a"), { "last-event-id": "9999999999999-0" });
      await ahead.until((frame) => frame.event === "live");
      expect(control(ahead, "gap")).toEqual([{ reason: "resume-too-old", resync: true, lastEventId: "9999999999999-0", channel: "message.part.delta:a" }]);
      expect(control(ahead, "live")).toEqual([expect.objectContaining({ resumed: false })]);
      await server.producer.publish("message.part.delta", delta(1, "a"));
      const event = await ahead.until((frame) => frame.event === undefined, 3000);
      expect(deltaOf(event)).toBe("1");
      expect(event.id).toMatch(/^\d{13}-\d+$/);
      expect(event.id! < "9999999999999-0").toBe(true);
      ahead.close();

      // Another channel's position an hour ahead, in a two-channel cursor: that channel gets the gap.
      const [ms] = event.id!.split("-");
      const later = `${Number(ms) + 3_600_000}-0`;
      const pair = await openRaw(server.url("events=message.part.delta&topic=a&topic=b"), { "last-event-id": `${enc("message.part.delta:a")}=${event.id}&${enc("message.part.delta:b")}=${later}` });
      await pair.until((frame) => frame.event === "live");
      expect(control(pair, "gap")).toEqual([{ reason: "resume-too-old", resync: true, lastEventId: later, channel: "message.part.delta:b" }]);
      await server.producer.publish("message.part.delta", delta(2, "b"));
      await pair.until((frame) => frame.event === undefined && deltaOf(frame) === "2", 3000);
      pair.close();
    } finally {
      await server.close();
    }
  });

  test("every_channel_has_a_position_from_the_live_frame_on_so_what_is_published_before_its_first_event_survives_a_reconnect", async () => {
    const server = await streamServer();
    try {
      // One channel, its stream absent: the live frame's id is its start.
      const single = await openRaw(server.url("events=message.part.delta&topic=c1"));
      const live = await single.until((frame) => frame.event === "live");
      expect(live.id).toBe("0-0");
      single.close();
      for (let n = 0; n < 2; n += 1) await server.producer.publish("message.part.delta", delta(n, "c1"));
      const back = await openRaw(server.url("events=message.part.delta&topic=c1"), { "last-event-id": live.id! });
      await waitFor("both events", () => messages(back).length === 2, 3000);
      expect(control(back, "gap")).toEqual([]);
      expect(control(back, "live")).toEqual([expect.objectContaining({ resumed: true })]);
      expect(messages(back).map(deltaOf)).toEqual(["0", "1"]);
      back.close();

      // Two channels, one with a stream already: both are in the cursor from the live frame on, and
      // in the id of an event of the other one.
      const existing = await server.producer.publish("message.part.delta", delta(9, "m1"));
      void existing;
      const query = "events=message.part.delta&topic=m1&topic=m2";
      const first = await openRaw(server.url(query));
      const firstLive = await first.until((frame) => frame.event === "live");
      const m1Start = String(((await raw.call("XRANGE", `${server.prefix}message.part.delta:m1`, "-", "+")) as [string][]).at(-1)?.[0]);
      expect(firstLive.id).toBe(`${enc("message.part.delta:m1")}=${m1Start}&${enc("message.part.delta:m2")}=0-0`);
      await server.producer.publish("message.part.delta", delta(10, "m1"));
      const onM1 = await first.until((frame) => frame.event === undefined, 3000);
      expect(onM1.id).toMatch(new RegExp(`^${enc("message.part.delta:m1")}=\\d+-\\d+&${enc("message.part.delta:m2")}=0-0$`));
      first.close();
      await server.producer.publish("message.part.delta", delta(11, "m2"));
      await server.producer.publish("message.part.delta", delta(12, "m1"));
      const second = await openRaw(server.url(query), { "last-event-id": onM1.id! });
      await waitFor("the two events published while away", () => messages(second).length === 2, 3000);
      expect(control(second, "gap")).toEqual([]);
      expect(control(second, "live")).toEqual([expect.objectContaining({ resumed: true })]);
      expect(messages(second).map(deltaOf).sort()).toEqual(["11", "12"]);
      second.close();
    } finally {
      await server.close();
    }
  });

  test("an_id_that_names_no_channel_of_the_selection_or_breaks_the_cursor_grammar_is_unknown_resume_too_old_and_not_resumed", async () => {
    const server = await streamServer();
    try {
      const sent = await server.producer.publish("message.part.delta", delta(0, "m1"));
      void sent;
      const position = String(((await raw.call("XRANGE", `${server.prefix}message.part.delta:m1`, "-", "+")) as [string][]).at(-1)?.[0]);
      const m1 = enc("message.part.delta:m1");
      const m2 = enc("message.part.delta:m2");
      const multi = "events=message.part.delta&topic=m1&topic=m2";
      const unknown: [string, string][] = [
        [multi, `file.edited=${position}`],
        [multi, position],
        [multi, `${m1}=${position}&${m1}=${position}`],
        [multi, `${m1}=${position}&`],
        [multi, `${m1}=99999999999999999999-0`],
        [multi, `message.part.delta:m1=${position}`],
        [multi, "junk"],
        [multi, "a=b&c"],
        [multi, `${m1}=${position}&${m2}=${position}&file.edited=1-0`],
        ["events=message.part.delta&topic=m1", `file.edited=${position}`],
        ["events=message.part.delta&topic=m1", `${m1}=${position}&${m2}=${position}`],
        ["events=message.part.delta&topic=m1", "x".repeat(5000)],
        ["events=file.edited", "1-0-0"],
      ];
      for (const [query, id] of unknown) {
        const stream = await openRaw(server.url(query), { "last-event-id": id });
        await stream.until((frame) => frame.event === "live");
        stream.close();
        expect([id, control(stream, "gap").map((gap) => [gap.reason, gap.channel])]).toEqual([id, [["resume-too-old", undefined]]]);
        expect([id, control(stream, "live")[0]?.resumed]).toEqual([id, false]);
      }
      // The same position under its own channel resumes.
      for (const [query, id] of [
        [multi, `${m1}=${position}`],
        ["events=message.part.delta&topic=m1", position],
      ] as const) {
        const stream = await openRaw(server.url(query), { "last-event-id": id });
        await stream.until((frame) => frame.event === "live");
        stream.close();
        expect([id, control(stream, "gap"), control(stream, "live")[0]?.resumed]).toEqual([id, [], true]);
      }
    } finally {
      await server.close();
    }
  });

  test("a_stream_key_overwritten_with_a_string_ends_only_the_connections_reading_it", async () => {
    const server = await streamServer({ blockTimeout: 200 });
    try {
      const victim = await openRaw(server.url("events=file.edited"));
      const hostile = await openRaw(server.url("events=message.part.delta&topic=w"));
      await Promise.all([victim.until((frame) => frame.event === "live"), hostile.until((frame) => frame.event === "live")]);
      await raw.call("SET", `${server.prefix}message.part.delta:w`, "not a stream");
      for (let n = 0; n < 30; n += 1) {
        await server.producer.publish("file.edited", { file: String(n) });
        await sleep(5);
      }
      await waitFor("30 events for the victim", () => messages(victim).length === 30, 3000);
      await hostile.until((frame) => frame.event === "gap", 3000);
      expect(control(hostile, "gap")).toEqual([expect.objectContaining({ resync: true, channel: "message.part.delta:w" })]);
      await Promise.race([hostile.text, sleep(3000).then(() => Promise.reject(new Error("the hostile connection did not end")))]);
      expect(server.errors.map((error) => error.channel)).toContain("message.part.delta:w");
      victim.close();
    } finally {
      await server.close();
    }
  });

  test("connections_release_every_subscription_they_make_however_they_end", async () => {
    const server = await streamServer({}, { clientQueue: 5, closeTimeoutMs: 200 });
    try {
      const baseline = server.transport.stats().subscriptions;
      const opened: RawStream[] = [];
      const live = async (query: string, headers: Record<string, string> = {}) => {
        const stream = await openRaw(server.url(query), headers);
        opened.push(stream);
        await stream.until((frame) => frame.event === "live");
        return stream;
      };
      // Plain ones, on shared and own channels; duplicate topics and events in the query.
      for (let n = 0; n < 10; n += 1) await live(`events=message.part.delta&topic=p${n % 3}&topic=q`);
      await live("events=message.part.delta,message.part.delta&topic=d&topic=d");
      await live("events=file.edited,file.edited");
      // Resumed from a trimmed position (a gap, then a new subscription), and from a position ahead.
      const old = await server.producer.publish("message.part.delta", delta(0, "t"));
      void old;
      const trimmed = String(((await raw.call("XRANGE", `${server.prefix}message.part.delta:t`, "-", "+")) as [string][])[0]?.[0]);
      for (let n = 1; n < 3; n += 1) await server.producer.publish("message.part.delta", delta(n, "t"));
      await raw.call("XTRIM", `${server.prefix}message.part.delta:t`, "MAXLEN", "1");
      const gapped = await live("events=message.part.delta&topic=t", { "last-event-id": trimmed });
      await gapped.until((frame) => frame.event === "gap");
      await live("events=message.part.delta&topic=t", { "last-event-id": "9999999999999-0" });
      await live("events=message.part.delta&topic=t&topic=u", { "last-event-id": "junk" });
      expect(server.transport.stats().subscriptions).toBeGreaterThan(baseline);
      for (const stream of opened) stream.close();

      // Ended by the server: an overflow (a client that does not read), and a refused subscription.
      let paused: IncomingMessage | undefined;
      await new Promise<void>((resolve) => get(server.url("events=message.part.delta&topic=slow"), (res) => ((paused = res), res.pause(), resolve())));
      const pad = "x".repeat(16_384);
      for (let n = 0; n < 4000 && server.handler.stats().overflows === 0; n += 20) {
        await Promise.all(Array.from({ length: 20 }, (_, k) => server.producer.publish("message.part.delta", delta(n + k, "slow", pad))));
      }
      await waitFor("the overflow", () => server.handler.stats().overflows === 1, 5000);
      paused?.destroy();
      await raw.call("SET", `${server.prefix}message.part.delta:bad`, "not a stream");
      const refused = await openRaw(server.url("events=message.part.delta&topic=bad&topic=good"));
      await Promise.race([refused.text, sleep(3000)]);

      await waitFor(
        "every subscription released",
        () => server.transport.stats().subscriptions === baseline && server.handler.stats().connections === 0,
        5000,
        () => `${server.transport.stats().subscriptions} subscriptions (baseline ${baseline}), ${server.handler.stats().connections} connections`,
      );
    } finally {
      await server.close();
    }
  });

  test("a_connection_makes_one_subscription_per_channel_key_even_when_given_one_twice_and_close_drops_them_all", async () => {
    const server = await streamServer();
    try {
      const position = await server.producer.publish("file.edited", { file: "0" }).then(async () =>
        String(((await raw.call("XRANGE", `${server.prefix}file.edited`, "-", "+")) as [string][]).at(-1)?.[0]),
      );
      const baseline = server.transport.stats().subscriptions;
      const written: string[] = [];
      const sink: SseSink = { write: (chunk) => (written.push(String(chunk)), true), onDrain: () => {}, end: () => {}, destroy: () => {} };
      const connections = new SseServerConnections({ heartbeatMs: 60_000, closeTimeoutMs: 1000, maxConnections: 10, maxServerChannels: 100 }, () => {});
      const settings = { clientQueue: 100, writeBatch: 65_536, retryMs: 1000, jsonOf: (envelope: object) => JSON.stringify(envelope) };
      const channel: SseLogChannel = { name: "file.edited", topic: undefined, key: "file.edited" };
      const report = (error: unknown): void => void server.errors.push(error as BusError);
      for (const lastEventId of [undefined, position]) {
        const admission = connections.admit(1, (connect) => openSseLogReader(connect, report, server.bus, [channel, channel], lastEventId, settings));
        if (admission instanceof HttpRefusal) throw admission;
        const connection = admission.open(sink);
        await waitFor("the live frame", () => written.some((chunk) => chunk.includes("event: live")));
        expect([lastEventId, server.transport.stats().subscriptions]).toEqual([lastEventId, baseline + 1]);
        connection.close();
        expect([lastEventId, server.transport.stats().subscriptions, connections.size, connections.channels]).toEqual([lastEventId, baseline, 0, 0]);
        written.length = 0;
      }
    } finally {
      await server.close();
    }
  });
});
