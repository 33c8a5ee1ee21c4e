/**
 * The Redis pub/sub transport against a real redis-server, with each client library: typed
 * delivery, topic isolation, ingress validation of raw messages, prefix and serializer, and
 * release of every subscription and connection.
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { EventEnvelope, MessagePartDeltaEvent } from "../../generated/ts/index.js";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisTransport, type RedisTransportOptions } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { jsonSerializer } from "../../templates/ts/runtime/transports/redis/serializer.js";
import { createBus } from "./example-runtime.js";
import { admin, CLIENTS, connectPair, isClosed, numpat, numsub, sleep, waitFor, type ClientName } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

let server: RedisServer;
let raw: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  raw = admin(server.url);
});

afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

const delta = (sessionID: string, n: number) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: String(n) });

/** The server's URL, logged in as `user` (password "secret"). */
const userUrl = (user: string): string => server.url.replace("redis://", `redis://${user}:secret@`);

/** Calls of `command` since the last CONFIG RESETSTAT (or its rejected calls), from INFO commandstats. */
async function commandCalls(command: string, field: "calls" | "rejected_calls" = "calls"): Promise<number> {
  const info = await raw.info("commandstats");
  const line = info.split("\n").find((row) => row.startsWith(`cmdstat_${command}:`));
  return Number(line?.match(new RegExp(`(?:^|[:,])${field}=(\\d+)`))?.[1] ?? 0);
}

async function redisBus(client: ClientName, extra: Partial<RedisTransportOptions> = {}, url = server.url) {
  const connections = await connectPair(client, url);
  const errors: BusError[] = [];
  const bus = createBus({ transport: createRedisTransport({ ...connections, ...extra }), onError: (error) => void errors.push(error) });
  return { bus, errors, ...connections };
}

describe.each(CLIENTS)("Redis pub/sub with %s", (client) => {
  test("delivers_validated_typed_envelopes_from_one_connection_to_another", async () => {
    const producer = await redisBus(client);
    const consumer = await redisBus(client);
    const received: EventEnvelope<unknown>[] = [];
    const everything: string[] = [];
    const off = consumer.bus.subscribe("session.status", (envelope) => void received.push(envelope));
    const offAll = consumer.bus.subscribe("*", (envelope) => void everything.push(envelope.event.type));
    await Promise.all([off.ready, offAll.ready]);
    const sent = await producer.bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    await producer.bus.publish("session.status", { sessionID: "s2", status: "idle" }, { version: 1 });
    await producer.bus.publish("file.edited", { file: "a.ts" });
    await waitFor("three events", () => everything.length === 3);
    expect(received[0]).toEqual(sent);
    expect(received.map((envelope) => envelope.topic)).toEqual(["s1", "s2"]);
    expect(everything).toEqual(["session.status.v2", "session.status.v1", "file.edited.v1"]);
    expect([...producer.errors, ...consumer.errors]).toEqual([]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("isolates_100_topics_each_subscriber_receiving_only_its_own_in_order", async () => {
    const producer = await redisBus(client);
    const consumer = await redisBus(client);
    const byTopic = new Map<string, string[]>();
    const all: string[] = [];
    const subscriptions = [];
    for (let t = 0; t < 100; t += 1) {
      const topic = `session-${t}`;
      byTopic.set(topic, []);
      subscriptions.push(consumer.bus.subscribe("message.part.delta", (envelope) => void byTopic.get(topic)?.push(`${envelope.topic}/${envelope.event.payload.delta}`), { topic }));
    }
    subscriptions.push(consumer.bus.subscribe("message.part.delta", (envelope) => void all.push(envelope.event.payload.delta)));
    await Promise.all(subscriptions.map((subscription) => subscription.ready));
    expect(await numsub(raw, "message.part.delta:session-42")).toBe(1);
    const sends = [];
    for (let n = 0; n < 500; n += 1) sends.push(producer.bus.publish("message.part.delta", delta(`session-${n % 100}`, n)));
    await Promise.all(sends);
    await waitFor("500 events", () => all.length === 500);
    for (let t = 0; t < 100; t += 1) {
      expect(byTopic.get(`session-${t}`)).toEqual([0, 1, 2, 3, 4].map((k) => `session-${t}/${t + 100 * k}`));
    }
    expect(all).toEqual(Array.from({ length: 500 }, (_, n) => String(n)));
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("reports_and_drops_garbage_unknown_types_invalid_payloads_and_events_on_the_wrong_channel", async () => {
    const consumer = await redisBus(client);
    const received: string[] = [];
    const offStatus = consumer.bus.subscribe("session.status", (envelope) => void received.push(envelope.id));
    const offAll = consumer.bus.subscribe("*", () => {});
    await Promise.all([offStatus.ready, offAll.ready]);
    const envelope = (event: unknown, topic?: string) => JSON.stringify({ id: "e1", time: "2025-01-02T03:04:05Z", ...(topic === undefined ? {} : { topic }), event });
    const status = { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "idle" } } };
    await raw.publish("session.status:s1", "not json {");
    // Valid but for a repeated member name, which a reader of the text must refuse (docs/wire-format.md).
    await raw.publish("session.status:s1", `{"id":"e9","time":"2025-01-02T03:04:05Z","topic":"s1","topic":"s1","event":${JSON.stringify(status)}}`);
    await raw.publish("session.status:s1", envelope({ type: "session.hibernated.v1", payload: {} }, "s1"));
    await raw.publish("session.status:s1", envelope({ type: "session.status.v2", payload: { sessionID: "s1", status: { type: "asleep" } } }, "s1"));
    await raw.publish("session.status:s1", JSON.stringify({ time: "yesterday", event: status }));
    await raw.publish("session.status:s2", envelope(status, "s1"));
    await raw.publish("session.status", envelope({ type: "file.edited.v1", payload: { file: "a" } }));
    await raw.publish("session.status:s1", envelope(status, "s1"));
    await waitFor("the valid event", () => received.length === 1);
    await sleep(50);
    expect(received).toEqual(["e1"]);
    // Each bad message arrives on two subscriptions ("session.status" topics and "*") and is reported by each.
    const codes = consumer.errors.map((error) => error.code);
    expect(codes.filter((code) => code === "message-undecodable")).toHaveLength(4);
    expect(codes.filter((code) => code === "message-unknown-type")).toHaveLength(2);
    expect(codes.filter((code) => code === "message-invalid")).toHaveLength(4);
    expect(codes.filter((code) => code === "message-wrong-channel")).toHaveLength(4);
    expect(codes).toHaveLength(14);
    expect(consumer.errors.find((error) => error.message.includes("repeated"))?.message).toContain("a member name is repeated in an object");
    const wrong = consumer.errors.find((error) => error.code === "message-wrong-channel" && error.channel === "session.status:s2");
    expect(wrong?.message).toContain('belong on "session.status:s1"');
    const invalid = consumer.errors.find((error) => error.code === "message-invalid" && error.message.includes("/event/payload"));
    expect(invalid?.message).toContain("/event/payload/status/type");
    await consumer.bus.close();
  });

  test("puts_its_prefix_on_every_channel_and_uses_a_custom_serializer", async () => {
    const serializer = {
      encode: (envelope: unknown) => `b64:${Buffer.from(jsonSerializer.encode(envelope)).toString("base64")}`,
      decode: (text: string) => jsonSerializer.decode(Buffer.from(text.replace(/^b64:/, ""), "base64").toString()),
    };
    const producer = await redisBus(client, { prefix: "app:", serializer });
    const consumer = await redisBus(client, { prefix: "app:", serializer });
    const unprefixed = await redisBus(client);
    const received: string[] = [];
    const strays: string[] = [];
    await consumer.bus.subscribe("file.edited", (envelope) => void received.push(envelope.event.payload.file)).ready;
    await unprefixed.bus.subscribe("*", (envelope) => void strays.push(envelope.id)).ready;
    expect(await numsub(raw, "app:file.edited")).toBe(1);
    const rawMessages: string[] = [];
    const tap = admin(server.url);
    tap.on("message", (_channel: string, message: string) => void rawMessages.push(message));
    await tap.subscribe("app:file.edited");
    await producer.bus.publish("file.edited", { file: "x.ts" });
    await waitFor("the event", () => received.length === 1 && rawMessages.length === 1);
    expect(received).toEqual(["x.ts"]);
    expect(rawMessages[0]).toMatch(/^b64:/);
    expect(strays).toEqual([]);
    tap.disconnect();
    await Promise.all([producer.bus.close(), consumer.bus.close(), unprefixed.bus.close()]);
  });

  test("a_throwing_subscriber_neither_reaches_the_client_nor_stops_other_subscribers", async () => {
    const producer = await redisBus(client);
    const consumer = await redisBus(client);
    const healthy: string[] = [];
    consumer.bus.subscribe("file.edited", () => {
      throw new Error("boom");
    });
    await consumer.bus.subscribe("file.edited", (envelope) => void healthy.push(envelope.event.payload.file)).ready;
    await producer.bus.publish("file.edited", { file: "a" });
    await producer.bus.publish("file.edited", { file: "b" });
    await waitFor("two events", () => healthy.length === 2);
    expect(consumer.errors.map((error) => error.code)).toEqual(["subscriber-failed", "subscriber-failed"]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("unsubscribe_and_close_leave_no_subscription_on_the_server_and_no_open_connection", async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;
    const { bus, publisher, subscriber } = await redisBus(client);
    const offs = [
      bus.subscribe("session.status", () => {}),
      bus.subscribe("session.status", () => {}, { topic: "s1" }),
      bus.subscribe("session.*", () => {}),
    ];
    const stream = bus.stream("file.edited");
    await Promise.all([...offs.map((off) => off.ready), stream.ready]);
    expect(await numsub(raw, "session.status")).toBe(1);
    expect(await numsub(raw, "session.status:s1")).toBe(1);
    expect(await numpat(raw)).toBe(2); // session.status:* and session.*; file.edited is unscoped: one channel
    expect(await numsub(raw, "file.edited")).toBe(1);
    for (const off of offs) off();
    await stream.return();
    const left = async () => (await numsub(raw, "session.status")) + (await numsub(raw, "session.status:s1")) + (await numsub(raw, "file.edited")) + (await numpat(raw));
    await waitFor("no subscription left", async () => (await left()) === 0);
    bus.subscribe("*", () => {});
    await bus.close();
    await bus.close();
    expect(await numpat(raw)).toBe(0);
    expect(isClosed(publisher)).toBe(true);
    expect(isClosed(subscriber)).toBe(true);
    await waitFor("sockets released", () => process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length <= before);
  });

  test("close_waits_for_every_publish_already_sent", async () => {
    const producer = await redisBus(client);
    const consumer = await redisBus(client);
    let count = 0;
    await consumer.bus.subscribe("file.edited", () => void (count += 1)).ready;
    const sends = Array.from({ length: 200 }, (_, n) => producer.bus.publish("file.edited", { file: String(n) }));
    await producer.bus.close();
    const results = await Promise.allSettled(sends);
    expect(results.every((result) => result.status === "fulfilled")).toBe(true);
    await waitFor("200 events", () => count === 200);
    await consumer.bus.close();
  });

  test("a_burst_goes_to_redis_as_script_runs_of_at_most_256_and_arrives_in_order", async () => {
    const producer = await redisBus(client);
    const consumer = await redisBus(client);
    const seen: string[] = [];
    await consumer.bus.subscribe("file.edited", (envelope) => void seen.push(envelope.event.payload.file)).ready;
    await raw.config("RESETSTAT");
    await Promise.all(Array.from({ length: 300 }, (_, n) => producer.bus.publish("file.edited", { file: String(n) })));
    await waitFor("300 events", () => seen.length === 300);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, n) => String(n)));
    expect(await commandCalls("eval")).toBe(2);
    // A lone publish is a plain PUBLISH, not a script run.
    await producer.bus.publish("file.edited", { file: "alone" });
    expect(await commandCalls("eval")).toBe(2);
    expect([...producer.errors, ...consumer.errors]).toEqual([]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("in_a_burst_a_channel_the_acl_refuses_rejects_its_own_publishes_only", async () => {
    await raw.call("ACL", "SETUSER", "narrow", "reset", "on", ">secret", "~*", "resetchannels", "&session.status*", "+@all");
    const producer = await redisBus(client, {}, userUrl("narrow"));
    const consumer = await redisBus(client);
    const seen: string[] = [];
    await consumer.bus.subscribe("session.status", (envelope) => void seen.push(envelope.event.payload.sessionID)).ready;
    await raw.config("RESETSTAT");
    const sends = Array.from({ length: 20 }, (_, n) =>
      n % 2 === 0 ? producer.bus.publish("session.status", { sessionID: `s${n}`, status: "idle" }, { version: 1 }) : producer.bus.publish("file.edited", { file: String(n) }),
    );
    const results = await Promise.allSettled(sends);
    expect(await commandCalls("eval")).toBe(1);
    results.forEach((result, n) => {
      expect(result.status).toBe(n % 2 === 0 ? "fulfilled" : "rejected");
      if (result.status === "rejected") expect((result.reason as BusError).message).toMatch(/Redis did not accept the publish on "file\.edited": .*channel/);
    });
    await waitFor("10 events", () => seen.length === 10);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, n) => `s${n * 2}`));
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("a_server_that_refuses_scripts_still_gets_every_publish_in_order", async () => {
    await raw.call("ACL", "SETUSER", "noscripts", "reset", "on", ">secret", "~*", "allchannels", "+@all", "-eval", "-evalsha");
    const producer = await redisBus(client, {}, userUrl("noscripts"));
    const consumer = await redisBus(client);
    const seen: string[] = [];
    await consumer.bus.subscribe("file.edited", (envelope) => void seen.push(envelope.event.payload.file)).ready;
    await raw.config("RESETSTAT");
    for (let round = 0; round < 2; round += 1) {
      await Promise.all(Array.from({ length: 50 }, (_, n) => producer.bus.publish("file.edited", { file: String(round * 50 + n) })));
    }
    await waitFor("100 events", () => seen.length === 100);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, n) => String(n)));
    // Refused once, then never tried again.
    expect(await commandCalls("eval", "rejected_calls")).toBe(1);
    expect([...producer.errors, ...consumer.errors]).toEqual([]);
    await Promise.all([producer.bus.close(), consumer.bus.close()]);
  });

  test("with_quitOnClose_false_close_unsubscribes_and_leaves_the_connections_open", async () => {
    const { bus, publisher, subscriber } = await redisBus(client, { quitOnClose: false });
    await bus.subscribe("session.status", () => {}).ready;
    await bus.close();
    expect(await numsub(raw, "session.status")).toBe(0);
    expect(await numpat(raw)).toBe(0);
    expect(isClosed(publisher) || isClosed(subscriber)).toBe(false);
    await publisher.publish("any", "thing");
    for (const connection of [publisher, subscriber]) {
      if ("status" in connection) await connection.quit();
      else await (connection.close ?? connection.quit)?.call(connection);
    }
  });
});

test("refuses_one_connection_for_both_roles", async () => {
  const { publisher, subscriber } = await connectPair("ioredis", server.url);
  expect(() => createRedisTransport({ publisher, subscriber: publisher })).toThrow(/separate connections/);
  for (const connection of [publisher, subscriber]) if ("status" in connection) connection.disconnect();
});
