/**
 * The SSE server under attack, over real HTTP (and a real redis-server where a peer publishes):
 * whatever a producer puts in an envelope and whatever a client puts in its request, nothing is
 * forged (no frame the server did not mean), nothing stalls another client, and nothing leaks (every
 * subscription a connection made is released however it ended; every selection is bounded).
 */
import { request as httpRequest } from "node:http";
import { connect as connectTcp } from "node:net";
import type { Redis } from "ioredis";
import type { EventSourceMessage } from "eventsource-parser";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisTransport } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import { createSseHandler, type SseHandlerOptions } from "../../templates/ts/runtime/sse/server.js";
import { sseFrame } from "../../templates/ts/runtime/sse/protocol.js";
import type { ChannelFilter, Transport, TransportListener, TransportSubscribeOptions } from "../../templates/ts/runtime/transports/transport.js";
import { eventNames } from "../../generated/ts/index.js";
import { binding, createBus, type Catalogue } from "./example-runtime.js";
import { admin, connect, connectPair } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { delta, openRaw, serve, sleep, waitFor, type RawStream } from "./sse-kit.js";

let server: RedisServer;
let raw: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  raw = admin(server.url);
  raw.on("error", () => {}); // the outage test kills the server under it
});

afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const TIME = "2026-01-02T03:04:05.000Z";
const status = (sessionID: string) => ({ type: "session.status.v2", payload: { sessionID, status: { type: "busy" } } });

/** A transport that counts the subscriptions open on the transport it wraps: what a connection made and did not release shows here. */
function counted(transport: Transport): Transport & { readonly open: number } {
  let open = 0;
  return {
    trusted: transport.trusted,
    ...(transport.positions === undefined ? {} : { positions: transport.positions }),
    get open() {
      return open;
    },
    publish: (channel, envelope) => transport.publish(channel, envelope),
    subscribe(filter: ChannelFilter, listener: TransportListener, options?: TransportSubscribeOptions) {
      const subscription = options === undefined ? transport.subscribe(filter, listener) : transport.subscribe(filter, listener, options);
      open += 1;
      let released = false;
      return {
        ready: subscription.ready,
        ...("start" in subscription ? { start: (subscription as { start: unknown }).start } : {}),
        unsubscribe() {
          if (!released) {
            released = true;
            open -= 1;
          }
          subscription.unsubscribe();
        },
      } as typeof subscription;
    },
    onError: (observer) => transport.onError(observer),
    ...(transport.onStatus === undefined ? {} : { onStatus: (observer: Parameters<NonNullable<Transport["onStatus"]>>[0]) => (transport.onStatus as NonNullable<Transport["onStatus"]>)(observer) }),
    close: () => transport.close(),
  };
}

async function pubsubSse(options: Partial<SseHandlerOptions<Catalogue>> = {}) {
  const errors: BusError[] = [];
  const bus = createBus({ transport: createRedisTransport(await connectPair("ioredis", server.url)), onError: (error) => void errors.push(error) });
  const handler = createSseHandler(bus, { binding, ...options });
  await handler.ready;
  const served = await serve(handler);
  cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
  return { bus, handler, served, errors };
}

async function streamsSse(options: Partial<SseHandlerOptions<Catalogue>> = {}, via: "node" | "fetch" = "node") {
  const errors: BusError[] = [];
  const transport = counted(createRedisStreamTransport({ client: await connect("ioredis", server.url) }));
  const bus = createBus({ transport, onError: (error) => void errors.push(error) });
  const handler = createSseHandler(bus, { binding, eventNames, replayFrom: "transport", ...options });
  const served = await serve(handler, via);
  cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
  return { bus, transport, handler, served, errors };
}

const data = (frame: EventSourceMessage): { topic?: string; id?: string } => JSON.parse(frame.data) as { topic?: string };

describe("frames cannot be forged", () => {
  test("an_envelope_id_holding_a_line_break_forges_no_frame_for_another_topic_and_no_gap", async () => {
    const { served, errors } = await pubsubSse({ authorize: (_request, selection) => ({ events: selection.events, topics: ["alice"] }) });
    const client = await openRaw(`${served.url}?events=session.status`);
    cleanup.push(() => client.close());
    await client.until((frame) => frame.event === "live");
    const bob = JSON.stringify({ id: "b1", time: TIME, topic: "bob", event: status("bob") });
    const forged = `x\ndata: ${bob}\n\nevent: gap\ndata: {"reason":"overflow","resync":true}\n\nid: y`;
    for (const id of [forged, "x\rdata: {}", "poisoned-€", "a\u0001b", "a b", "x".repeat(257)]) {
      await raw.publish("session.status:alice", JSON.stringify({ id, time: TIME, topic: "alice", event: status("alice") }));
    }
    await raw.publish("session.status:alice", JSON.stringify({ id: "after", time: TIME, topic: "alice", event: status("alice") }));
    await client.until((frame) => frame.id === "after");
    const frames = client.frames.filter((frame) => frame.event !== "live");
    expect(frames.map((frame) => [frame.event ?? "message", frame.id, data(frame).topic])).toEqual([["message", "after", "alice"]]);
    expect(errors.filter((error) => error.code === "message-invalid")).toHaveLength(6);
  });

  test("the_frame_writer_refuses_an_id_or_data_that_would_break_the_frame", () => {
    expect(sseFrame(undefined, "e1", "{}")).toBe("id: e1\ndata: {}\n\n");
    expect(sseFrame("gap", undefined, "{}")).toBe("event: gap\ndata: {}\n\n");
    for (const id of ["", "a\nb", "a\rb", "a b", "€", "\u007f", "x".repeat(4097)]) expect(sseFrame(undefined, id, "{}"), JSON.stringify(id)).toBeUndefined();
    expect(sseFrame(undefined, "e1", '{"a":1}\n\nevent: gap')).toBeUndefined();
    expect(sseFrame(undefined, "x".repeat(4096), "{}")).toBe(`id: ${"x".repeat(4096)}\ndata: {}\n\n`);
  });

  test("an_envelope_a_trusted_transport_hands_over_with_a_forbidden_id_is_not_framed_and_is_reported", async () => {
    // A trusted transport's messages skip ingress validation: the frame writer is the last line of defence.
    const listeners = new Set<TransportListener>();
    const trusted: Transport = {
      trusted: true,
      publish: () => Promise.resolve(),
      subscribe(_filter, listener) {
        listeners.add(listener);
        return { ready: Promise.resolve(), unsubscribe: () => void listeners.delete(listener) };
      },
      onError: () => () => {},
      close: () => Promise.resolve(),
    };
    const reported: BusError[] = [];
    const bus = createBus({ transport: trusted });
    const handler = createSseHandler(bus, { binding, onError: (error) => void reported.push(error) });
    const served = await serve(handler);
    cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
    const client = await openRaw(served.url);
    cleanup.push(() => client.close());
    await client.until((frame) => frame.event === "live");
    for (const id of ["x\ndata: {}\n\nevent: gap", "ok"]) {
      for (const listener of listeners) listener({ channel: "session.status:s1", data: { id, time: TIME, topic: "s1", event: status("s1") } });
    }
    await client.until((frame) => frame.id === "ok");
    expect(client.frames.filter((frame) => frame.event !== "live").map((frame) => frame.id)).toEqual(["ok"]);
    expect(reported.map((error) => error.code)).toEqual(["message-invalid"]);
  });

  test.each([
    ["a line break", "x\ndata: {}"],
    ["a non-ASCII character", "poisoned-€"],
    ["4097 characters", "x".repeat(4097)],
  ])("a_resume_id_with_%s_gets_a_gap_and_the_live_stream_never_a_forged_frame", async (_what, id) => {
    const { served, bus } = await pubsubSse();
    const client = await openRaw(`${served.url}?events=session.status&lastEventId=${encodeURIComponent(id)}`);
    cleanup.push(() => client.close());
    const live = await client.until((frame) => frame.event === "live");
    expect(JSON.parse(live.data)).toMatchObject({ resumed: false });
    const gap = client.frames.find((frame) => frame.event === "gap");
    expect(JSON.parse(gap?.data ?? "null")).toEqual({ reason: "resume-too-old", resync: true });
    const sent = await bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } });
    await client.until((frame) => frame.id === sent.id);
  });
});

describe("text in a topic or a payload never leaves its data line", () => {
  const HOSTILE = ["a\n\nevent: gap\ndata: {\"reason\":\"overflow\",\"resync\":true}\n\nid: z", "b\r\rid: forged\r", "c\u2028\u2029\u0085", "d\r\ndata: x", "é€😀"];

  test.each(["buffer", "transport"] as const)("every_envelope_arrives_as_sent_and_nothing_else_in_%s_mode", async (mode) => {
    const { bus, served } = mode === "buffer" ? await pubsubSse() : await streamsSse();
    const topics = HOSTILE.map((topic) => `topic=${encodeURIComponent(topic)}`).join("&");
    const client = await openRaw(`${served.url}?events=session.status,message.part.delta&${topics}`);
    cleanup.push(() => client.close());
    await client.until((frame) => frame.event === "live");
    const sent: unknown[] = [];
    for (const topic of HOSTILE) {
      sent.push(await bus.publish("session.status", { sessionID: topic, status: { type: "busy" } }));
      sent.push(await bus.publish("message.part.delta", { sessionID: topic, messageID: topic, partID: "p", field: "text", delta: HOSTILE.join("\n") }));
    }
    await waitFor("every envelope", () => client.frames.filter((frame) => frame.event === undefined).length >= sent.length);
    await sleep(30);
    const frames = client.frames.filter((frame) => frame.event !== "live");
    expect(frames.map((frame) => frame.event ?? "message")).toEqual(sent.map(() => "message"));
    // Order holds per channel; across channels the Streams replay interleaves as it reads.
    const byId = (a: unknown, b: unknown) => ((a as { id: string }).id < (b as { id: string }).id ? -1 : 1);
    expect(frames.map((frame) => JSON.parse(frame.data)).sort(byId)).toEqual([...sent].sort(byId));
    for (const frame of frames) expect(frame.id, "an id keeps the grammar").toMatch(/^[!-~]{1,4096}$/);
  });
});

describe("resume after a duplicated id", () => {
  test("an_id_that_arrives_twice_resumes_from_its_first_copy_never_skipping_what_came_between", async () => {
    const { served, handler } = await pubsubSse();
    const envelope = (id: string) => JSON.stringify({ id, time: TIME, topic: "s1", event: status("s1") });
    await raw.publish("session.status:s1", envelope("dup"));
    for (let n = 1; n <= 5; n += 1) await raw.publish("session.status:s1", envelope(`between-${n}`));
    await raw.publish("session.status:s1", envelope("dup"));
    await raw.publish("session.status:s1", envelope("last"));
    await waitFor("the feed", () => handler.stats().buffered >= 7);
    const client = await openRaw(`${served.url}?events=session.status`, { "last-event-id": "dup" });
    cleanup.push(() => client.close());
    const live = await client.until((frame) => frame.event === "live");
    const replayed = client.frames.filter((frame) => frame.event === undefined).map((frame) => frame.id);
    expect(replayed).toEqual(["between-1", "between-2", "between-3", "between-4", "between-5", "last"]);
    expect(JSON.parse(live.data)).toMatchObject({ resumed: true, replayed: 6 });
  });
});

/** Opens a GET on a connection of its own and resolves with the status once the response head arrived, leaving the body open until `close`. */
function head(url: string): Promise<{ status: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent: false }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, close: () => request.destroy() });
    });
    request.on("error", reject);
    request.end();
  });
}

describe("selections are sets, bounded, and owned by their connection", () => {
  test("a_repeated_topic_is_one_channel_delivered_once_and_300_such_connections_release_every_subscription", async () => {
    const { bus, transport, served } = await streamsSse();
    const baseline = transport.open;
    const client = await openRaw(`${served.url}?events=session.status,session.status&topic=x&topic=x&topic=x`);
    await client.until((frame) => frame.event === "live");
    expect(transport.open - baseline).toBe(1);
    const sent = await bus.publish("session.status", { sessionID: "x", status: { type: "busy" } });
    await client.until((frame) => frame.event === undefined);
    await sleep(50);
    expect(client.frames.filter((frame) => frame.event === undefined).map((frame) => JSON.parse(frame.data).id)).toEqual([sent.id]);
    client.close();
    for (let n = 0; n < 300; n += 1) {
      const repeated = await head(`${served.url}?events=session.status&topic=x&topic=x`);
      expect(repeated.status).toBe(200);
      repeated.close();
    }
    await waitFor("every subscription released", () => transport.open === baseline, 10_000, () => `open ${transport.open}, baseline ${baseline}`);
  });

  test("subscriptions_return_to_their_baseline_after_1000_connections_of_every_kind", async () => {
    let refuse = false;
    const { bus, transport, served, handler } = await streamsSse({
      clientQueue: 1,
      closeTimeoutMs: 50,
      onError: () => {},
      authorize: () => {
        if (refuse) throw new Error("authorize failed");
        return true;
      },
    });
    const fetched = await serve(handler, "fetch");
    cleanup.push(() => fetched.close());
    const baseline = transport.open;
    const kinds = [
      // Node http and fetch-style, closed by the client once open.
      async () => (await head(`${served.url}?events=session.status&topic=a&topic=b`)).close(),
      async () => (await head(`${fetched.url}?events=session.status&topic=a&topic=b`)).close(),
      // Refused selections.
      async () => expect((await head(`${served.url}?events=nope`)).status).toBe(400),
      async () => expect((await head(`${fetched.url}?events=session.status`)).status).toBe(400),
      // Closed by the server while open.
      async () => {
        const open = await openRaw(`${served.url}?events=session.status&topic=c`);
        await open.until((frame) => frame.event === "live");
        served.cut();
        await open.text;
      },
      // Authorize throwing.
      async () => {
        refuse = true;
        try {
          expect((await head(`${served.url}?events=session.status&topic=d`)).status).toBe(500);
        } finally {
          refuse = false;
        }
      },
    ];
    for (let n = 0; n < 1000; n += 1) await (kinds[n % kinds.length] as () => Promise<void>)();
    // Ended for overflow: clients that never read, while the events outgrow their sockets.
    const stalled = Array.from({ length: 3 }, () => {
      const socket = connectTcp(served.port, "127.0.0.1");
      socket.write(`GET /events?events=message.part.delta&topic=o HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      socket.pause();
      cleanup.push(() => socket.destroy());
      return socket;
    });
    await waitFor("the stalled connections", () => handler.stats().connections === stalled.length);
    const pad = "x".repeat(256 * 1024);
    for (let n = 0; n < 2000 && handler.stats().overflows < stalled.length; n += 1) await bus.publish("message.part.delta", delta(n, "o", pad));
    await waitFor("overflows", () => handler.stats().overflows === stalled.length, 10_000, () => JSON.stringify(handler.stats()));
    await waitFor("every subscription released", () => transport.open === baseline && handler.stats().connections === 0, 10_000, () => `open ${transport.open}, baseline ${baseline}, connections ${handler.stats().connections}`);
  });

  test("a_selection_over_max_channels_is_refused_with_400_before_anything_is_subscribed", async () => {
    const { transport, served } = await streamsSse({ maxChannels: 8 });
    const baseline = transport.open;
    const topics = Array.from({ length: 1400 }, (_, n) => `topic=t${n}`).join("&");
    const huge = await openRaw(`${served.url}?events=*&${topics}`);
    expect(huge.status).toBe(400);
    expect(await huge.text).toMatch(/channels/);
    const nine = await openRaw(`${served.url}?events=session.status&${Array.from({ length: 9 }, (_, n) => `topic=t${n}`).join("&")}`);
    expect(nine.status).toBe(400);
    const eight = await openRaw(`${served.url}?events=session.status&${Array.from({ length: 8 }, (_, n) => `topic=t${n}`).join("&")}`);
    expect(eight.status).toBe(200);
    eight.close();
    expect(transport.open).toBeLessThanOrEqual(baseline + 8);
    await waitFor("released", () => transport.open === baseline);
  });

  test("the_default_cap_refuses_1400_topics_in_buffer_mode_too", async () => {
    const { served } = await pubsubSse();
    const topics = Array.from({ length: 1400 }, (_, n) => `topic=t${n}`).join("&");
    const huge = await openRaw(`${served.url}?events=session.status&${topics}`);
    expect(huge.status).toBe(400);
  });

  test("channels_over_the_server_cap_and_connections_over_the_connection_cap_get_429", async () => {
    const { transport, served } = await streamsSse({ maxServerChannels: 4, maxConnections: 3 });
    const baseline = transport.open;
    const first = await openRaw(`${served.url}?events=session.status&topic=a&topic=b&topic=c`);
    await first.until((frame) => frame.event === "live");
    const over = await openRaw(`${served.url}?events=session.status&topic=d&topic=e`);
    expect(over.status).toBe(429);
    const fits = await openRaw(`${served.url}?events=session.status&topic=d`);
    expect(fits.status).toBe(200);
    await fits.until((frame) => frame.event === "live");
    expect(transport.open - baseline).toBe(4);
    first.close();
    fits.close();
    await waitFor("released", () => transport.open === baseline);
    const open: RawStream[] = [];
    for (let n = 0; n < 3; n += 1) open.push(await openRaw(`${served.url}?events=session.status&topic=c${n}`));
    for (const stream of open) await stream.until((frame) => frame.event === "live");
    expect((await openRaw(`${served.url}?events=session.status&topic=z`)).status).toBe(429);
    for (const stream of open) stream.close();
    await waitFor("released", () => transport.open === baseline);
  });
});

describe("the server tells its clients when its transport is down", () => {
  test("a_redis_outage_reaches_every_open_client_as_a_status_frame_and_its_end_as_another", async () => {
    const { served } = await pubsubSse();
    const client = await openRaw(`${served.url}?events=session.status`);
    cleanup.push(() => client.close());
    await client.until((frame) => frame.event === "live");
    await server.kill();
    try {
      const down = await client.until((frame) => frame.event === "status", 10_000);
      expect(JSON.parse(down.data)).toMatchObject({ transport: "down" });
      const late = await openRaw(`${served.url}?events=session.status`);
      cleanup.push(() => late.close());
      await late.until((frame) => frame.event === "status" && JSON.parse(frame.data).transport === "down", 10_000);
    } finally {
      await server.start();
    }
    const up = await client.until((frame) => frame.event === "status" && JSON.parse(frame.data).transport === "up", 20_000);
    expect(JSON.parse(up.data)).toEqual({ transport: "up" });
  });
});
