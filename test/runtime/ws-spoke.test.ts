/**
 * Publishing through the WebSocket hub and the spoke transport, over real HTTP and the real `ws`
 * package: two spoke processes' buses (each with its own `createWebSocketTransport`) talk through one
 * hub — in order and exactly once, across server-side socket kills in the middle of a flood; what the
 * catalogue or `authorizePublish` refuses is rejected and reaches no one; hostile publish frames cost
 * the hub a bounded amount and no other connection anything; publishes made during an outage are held
 * to their bound and delivered after it; and a closed spoke leaves nothing behind.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import type { TransportStatus } from "../../templates/ts/runtime/transports/transport.js";
import { createWebSocketTransport, type WebSocketTransportOptions } from "../../templates/ts/runtime/transports/websocket.js";
import { createSseHandler, type SseHandler, type SseHandlerOptions } from "../../templates/ts/runtime/sse/server.js";
import { createWebSocketHub, type WebSocketHub, type WebSocketHubOptions } from "../../templates/ts/runtime/ws/hub.js";
import { WS_CLOSE } from "../../templates/ts/runtime/ws/protocol.js";
import { ROOT } from "../helpers.js";
import { binding, createBus, type Catalogue } from "./example-runtime.js";
import { delta, sleep, waitFor } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

type HubOptions = Omit<WebSocketHubOptions<Catalogue>, "WebSocketServer">;

/** A hub publishing on the bus its SSE handler serves, on a real HTTP server that can be cut, stopped and started again on its port. */
async function setup(hubOptions: HubOptions = {}, sseOptions: Partial<SseHandlerOptions<Catalogue>> = {}) {
  const bus = createBus();
  const errors: BusError[] = [];
  const handler: SseHandler = createSseHandler(bus, { binding, heartbeatMs: 1000, onError: (error) => errors.push(error), ...sseOptions });
  const hub: WebSocketHub = createWebSocketHub(handler, { WebSocketServer, bus, binding, onError: (error) => errors.push(error), ...hubOptions });
  const sockets = new Set<Socket | Duplex>();
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => hub.upgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const port = address.port;
  const cut = (): number => {
    const count = sockets.size;
    for (const socket of sockets) socket.destroy();
    return count;
  };
  cleanup.push(
    () => bus.close(),
    () => handler.close(),
    () => hub.close(),
    () => {
      cut();
      return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  );
  return {
    bus,
    handler,
    hub,
    errors,
    url: `ws://127.0.0.1:${port}/live`,
    /** Destroys every TCP socket from the server's side (a crash of the connection: no close frame). */
    cut,
    /** Stops listening and cuts every socket: the hub is unreachable. */
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      cut();
    }),
    /** Listens on the same port again. */
    start: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
  };
}

/** A spoke process's bus: its own transport to the hub at `url`. */
function spoke(url: string, options: WebSocketTransportOptions = {}) {
  const errors: BusError[] = [];
  const statuses: TransportStatus["state"][] = [];
  const transport = createWebSocketTransport(url, { WebSocket, backoffInitialMs: 5, backoffMaxMs: 40, ...options });
  const bus = createBus({ transport, onError: (error) => errors.push(error), onStatus: (status) => statuses.push(status.state) });
  cleanup.push(() => bus.close());
  return { bus, transport, errors, statuses };
}

/** A raw client of the hub: every text message it receives, and how the socket closed. */
async function rawSocket(url: string) {
  const socket = new WebSocket(url);
  const messages: string[] = [];
  socket.on("message", (data, isBinary) => messages.push(isBinary ? "<binary>" : String(data)));
  socket.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  cleanup.push(() => socket.terminate());
  await new Promise<void>((resolve, reject) => {
    socket.on("open", () => resolve());
    socket.on("close", () => reject(new Error("not opened")));
  });
  const answers = () => messages.filter((message) => message.startsWith("{")).map((message) => JSON.parse(message) as { op: string; ref?: string; status?: number; message?: string });
  return { socket, messages, closed, answers, send: (message: unknown) => socket.send(typeof message === "string" ? message : JSON.stringify(message)) };
}

/** A valid envelope of `message.part.delta` (scoped to its session). */
function deltaEnvelope(n: number, id = `e-${n}`) {
  return { id, time: "2025-01-01T00:00:00.000Z", topic: "s1", event: { type: "message.part.delta.v1", payload: delta(n) } };
}

/** Every `message.part.delta` a bus receives, by its number. */
function collect(bus: ReturnType<typeof createBus>) {
  const received: number[] = [];
  const ids: string[] = [];
  const unsubscribe = bus.subscribe("message.part.delta", (envelope) => {
    if (envelope.event.type !== "message.part.delta.v1") return;
    received.push(Number(envelope.event.payload.delta));
    ids.push(envelope.id);
  });
  return { received, ids, ready: unsubscribe.ready, unsubscribe };
}

describe("two spokes through one hub", () => {
  test("what_one_spoke_publishes_the_other_receives_in_order_exactly_once_with_the_id_its_publish_resolved_with", async () => {
    const { bus: hubBus, hub, url } = await setup();
    const a = spoke(url);
    const b = spoke(url);
    const atB = collect(b.bus);
    const atHub = collect(hubBus);
    await atB.ready;
    const count = 2000;
    const published: string[] = [];
    for (let start = 0; start < count; start += 500) {
      const batch = Array.from({ length: 500 }, (_, offset) => a.bus.publish("message.part.delta", delta(start + offset)));
      for (const envelope of await Promise.all(batch)) published.push(envelope.id);
    }
    await waitFor(`${count} events at the other spoke`, () => atB.received.length >= count);
    await sleep(50);
    expect(atB.received).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(atHub.received).toEqual(atB.received);
    // The envelope id is the spoke's, end to end.
    expect(atB.ids).toEqual(published);
    expect([a.errors, b.errors]).toEqual([[], []]);
    expect(hub.stats()).toMatchObject({ connections: 2, publishesInFlight: 0 });
  });

  test("a_subscription_ready_resolves_on_the_hubs_live_frame_and_events_scoped_outside_it_never_arrive", async () => {
    const { bus: hubBus, url } = await setup();
    const b = spoke(url);
    const seen: string[] = [];
    const mine = b.bus.subscribe("message.part.delta", (envelope) => void seen.push(`${envelope.topic}`), { topic: "s2" });
    await mine.ready;
    // Ready means subscribed on the hub: what is published from now on arrives.
    await hubBus.publish("message.part.delta", delta(0, "s1"));
    await hubBus.publish("message.part.delta", delta(1, "s2"));
    await waitFor("the s2 event", () => seen.length === 1);
    await sleep(50);
    expect(seen).toEqual(["s2"]);
  });
});

describe("publishes the hub refuses", () => {
  test("an_envelope_that_fails_the_catalogue_is_rejected_400_and_reaches_no_one", async () => {
    const { bus: hubBus, url } = await setup();
    const atHub = collect(hubBus);
    const listener = spoke(url);
    const atSpoke = collect(listener.bus);
    await atSpoke.ready;
    const raw = await rawSocket(url);
    const bad: Record<string, unknown> = {
      payload: { ...deltaEnvelope(1), event: { type: "message.part.delta.v1", payload: { ...delta(1), field: "html" } } },
      type: { ...deltaEnvelope(2), event: { type: "message.part.nope.v1", payload: delta(2) } },
      version: { ...deltaEnvelope(3), event: { type: "message.part.delta.v9", payload: delta(3) } },
      unscopedTopic: { id: "e-4", time: "2025-01-01T00:00:00.000Z", topic: "s1", event: { type: "file.edited.v1", payload: { file: "a.ts" } } },
      missingTopic: { id: "e-5", time: "2025-01-01T00:00:00.000Z", event: { type: "message.part.delta.v1", payload: delta(5) } },
      id: deltaEnvelope(6, "an id with spaces"),
      time: { ...deltaEnvelope(7), time: "yesterday" },
      absent: undefined,
    };
    for (const [ref, envelope] of Object.entries(bad)) raw.send({ op: "publish", ref, envelope });
    // The document rules hold over the message: a member name twice is not read "the last one wins".
    raw.send(`{"op":"publish","ref":"twice","envelope":${JSON.stringify(deltaEnvelope(8)).replace('"field":"text"', '"field":"text","field":"html"')}}`);
    raw.send({ op: "publish", ref: "good", envelope: deltaEnvelope(9) });
    await waitFor("every answer", () => raw.answers().length === Object.keys(bad).length + 2);
    const answers = new Map(raw.answers().map((answer) => [answer.ref, answer]));
    for (const ref of [...Object.keys(bad), "twice"]) expect([ref, answers.get(ref)]).toMatchObject([ref, { op: "rejected", status: 400 }]);
    expect(answers.get("type")?.message).toContain('Unknown event type "message.part.nope.v1"');
    expect(answers.get("unscopedTopic")?.message).toContain("has no topic path");
    expect(answers.get("missingTopic")?.message).toContain('scopes "message.part.delta.v1" to topic "s1"');
    expect(answers.get("twice")?.message).toContain("repeated");
    expect(answers.get("good")).toEqual({ op: "published", ref: "good" });
    await waitFor("the good one", () => atSpoke.received.length === 1);
    await sleep(50);
    expect([atHub.received, atSpoke.received]).toEqual([[9], [9]]);
  });

  test("a_spoke_bus_publishing_an_invalid_payload_without_validation_gets_publish_invalid_from_the_hub", async () => {
    const { bus: hubBus, url } = await setup();
    const atHub = collect(hubBus);
    const transport = createWebSocketTransport(url, { WebSocket });
    const loose = createBus({ transport, validate: false });
    cleanup.push(() => loose.close());
    const refused = await loose.publish("message.part.delta", { ...delta(1), field: "html" as "text" }).catch((error: BusError) => error);
    expect(refused).toMatchObject({ name: "BusError", code: "publish-invalid", message: expect.stringContaining("400") });
    await loose.publish("message.part.delta", delta(2));
    await waitFor("the valid one", () => atHub.received.length === 1);
    expect(atHub.received).toEqual([2]);
  });

  test("authorizePublish_false_a_refusal_or_a_throw_rejects_the_publish_and_nothing_is_delivered", async () => {
    const seen: string[] = [];
    const { bus: hubBus, errors, url } = await setup({
      authorizePublish: async (request, envelope) => {
        // Typed by the catalogue: the delta's payload is readable as such.
        const text = envelope.event.type === "message.part.delta.v1" ? envelope.event.payload.delta : "";
        seen.push(`${request.header("host") === undefined ? "?" : "host"}:${text}`);
        await sleep(1);
        if (text === "1") return false;
        if (text === "2") return { status: 401, message: "Log in to publish." };
        if (text === "3") throw new Error("the policy store is down");
        return true;
      },
    });
    const atHub = collect(hubBus);
    const a = spoke(url);
    const outcomes = await Promise.all([0, 1, 2, 3, 4].map((n) => a.bus.publish("message.part.delta", delta(n)).then(() => "published", (error: BusError) => `${error.code}: ${error.message}`)));
    expect(outcomes[0]).toBe("published");
    expect(outcomes[1]).toMatch(/^publish-failed: The hub rejected the publish on "message\.part\.delta:s1": 403 Forbidden\.$/);
    expect(outcomes[2]).toMatch(/401 Log in to publish\.$/);
    expect(outcomes[3]).toMatch(/500 Could not authorize the publish\.$/);
    expect(outcomes[4]).toBe("published");
    expect(seen).toEqual(["host:0", "host:1", "host:2", "host:3", "host:4"]);
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("the policy store is down")]);
    await waitFor("the allowed ones", () => atHub.received.length === 2);
    await sleep(50);
    expect(atHub.received).toEqual([0, 4]);
  });

  test("a_hub_without_a_bus_rejects_every_publish_405", async () => {
    const { url } = await setup({ bus: undefined });
    const a = spoke(url);
    await expect(a.bus.publish("message.part.delta", delta(0))).rejects.toMatchObject({ code: "publish-failed", message: expect.stringContaining("405 This hub takes no publishes.") });
  });

  test("publishes_on_a_socket_hub_accept_took_wait_for_authorize_and_are_never_published_when_it_refuses", async () => {
    const bus = createBus();
    const atHub = collect(bus);
    let decide: (allowed: boolean) => void = () => {};
    const handler = createSseHandler(bus, {
      binding,
      authorize: (request) => (request.header("x-spoke") === "slow" ? new Promise<boolean>((resolve) => (decide = resolve)) : true),
    });
    const hub = createWebSocketHub(handler, { WebSocketServer, bus, binding });
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: 65_536 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    wss.on("connection", (socket, request) => hub.accept(socket, request));
    cleanup.push(() => bus.close(), () => handler.close(), () => hub.close(), () => new Promise<void>((resolve) => wss.close(() => resolve())));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    for (const allowed of [false, true]) {
      const socket = new WebSocket(url, { headers: { "x-spoke": "slow" } });
      cleanup.push(() => socket.terminate());
      const answers: string[] = [];
      socket.on("message", (data) => answers.push(String(data)));
      const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
      await new Promise<void>((resolve) => socket.on("open", () => resolve()));
      socket.send(JSON.stringify({ op: "publish", ref: "early", envelope: deltaEnvelope(allowed ? 2 : 1) }));
      await sleep(100);
      // Undecided: held, not checked, not published.
      expect([answers, atHub.received, hub.stats().publishesInFlight]).toEqual([[], [], 1]);
      decide(allowed);
      if (allowed) {
        await waitFor("its answer", () => answers.length === 1);
        expect(JSON.parse(answers[0]!)).toEqual({ op: "published", ref: "early" });
        socket.close();
      } else {
        expect(await closed).toBe(WS_CLOSE.refused);
      }
    }
    await waitFor("the allowed one", () => atHub.received.length === 1);
    await sleep(50);
    expect(atHub.received).toEqual([2]);
  });
});

describe("a hub facing hostile publish frames", () => {
  test.each([
    ["a publish without a ref", { op: "publish", envelope: deltaEnvelope(1) }],
    ["a ref outside its grammar", { op: "publish", ref: "two words", envelope: deltaEnvelope(1) }],
    ["a ref that is not a string", { op: "publish", ref: 7, envelope: deltaEnvelope(1) }],
    ["a ref only on the prototype", '{"op":"publish","__proto__":{"ref":"r"},"envelope":{}}'],
    ["an op only on the prototype", '{"__proto__":{"op":"publish"},"ref":"r","envelope":{}}'],
  ])("%s_closes_that_socket_as_a_bad_message_and_another_spoke_goes_on", async (_what, message) => {
    const { hub, url } = await setup();
    const a = spoke(url);
    const b = spoke(url);
    const atB = collect(b.bus);
    await atB.ready;
    const raw = await rawSocket(url);
    raw.send(message);
    expect((await raw.closed).code).toBe(WS_CLOSE.badMessage);
    await a.bus.publish("message.part.delta", delta(0));
    await waitFor("the other spokes' event", () => atB.received.length === 1);
    expect(hub.stats().connections).toBe(2);
    expect(({} as { ref?: unknown; op?: unknown }).ref).toBeUndefined();
  });

  test("prototype_and_constructor_keys_in_an_envelope_are_data_never_merged", async () => {
    const { bus: hubBus, url } = await setup();
    const seen: unknown[] = [];
    hubBus.subscribe("message.part.delta", (envelope) => void seen.push(envelope));
    const raw = await rawSocket(url);
    const envelope = JSON.stringify(deltaEnvelope(1));
    raw.send(`{"op":"publish","ref":"a","envelope":${envelope.replace('{"id"', '{"__proto__":{"topic":"s9"},"constructor":{"prototype":{"x":1}},"id"')}}`);
    raw.send(`{"op":"publish","ref":"b","envelope":${envelope.replace('"payload":{', '"payload":{"__proto__":{"delta":"9"},')}}`);
    await waitFor("two answers", () => raw.answers().length === 2);
    expect(raw.answers().sort((x, y) => String(x.ref).localeCompare(String(y.ref)))).toEqual([
      { op: "published", ref: "a" },
      { op: "published", ref: "b" },
    ]);
    await waitFor("both delivered", () => seen.length === 2);
    // Extra members of the envelope are not carried; the rest is read as data, never merged into a prototype.
    expect(seen[0]).toMatchObject({ id: "e-1", topic: "s1", event: { payload: { delta: "1" } } });
    expect(Object.keys(seen[0] as object).sort()).toEqual(["event", "id", "time", "topic"]);
    const payload = (seen[1] as { event: { payload: { delta: string } } }).event.payload;
    expect([payload.delta, Object.getPrototypeOf(payload) === Object.prototype]).toEqual(["1", true]);
    expect(({} as { x?: unknown; topic?: unknown; delta?: unknown }).delta).toBeUndefined();
  });

  test("10000_publishes_at_once_hold_at_most_maxPublishesInFlight_the_rest_are_rejected_429_and_others_are_unaffected", async () => {
    let release: () => void = () => {};
    let gate = new Promise<void>((resolve) => (release = resolve));
    const { bus: hubBus, hub, url } = await setup({ maxPublishesInFlight: 16, authorizePublish: () => gate.then(() => true) });
    const atHub = collect(hubBus);
    const b = spoke(url);
    const atB = collect(b.bus);
    await atB.ready;
    const raw = await rawSocket(url);
    for (let n = 0; n < 10_000; n += 1) raw.send({ op: "publish", ref: `r${n}`, envelope: deltaEnvelope(n) });
    await waitFor("the refusals", () => raw.answers().length === 10_000 - 16, 20_000);
    expect(hub.stats().publishesInFlight).toBe(16);
    expect(new Set(raw.answers().map((answer) => answer.status))).toEqual(new Set([429]));
    release();
    gate = Promise.resolve();
    await waitFor("every answer", () => raw.answers().length === 10_000, 20_000);
    const published = raw.answers().filter((answer) => answer.op === "published").map((answer) => answer.ref);
    expect(published).toEqual(Array.from({ length: 16 }, (_, n) => `r${n}`));
    await waitFor("the 16 at the other spoke", () => atB.received.length === 16);
    expect(atHub.received).toEqual(Array.from({ length: 16 }, (_, n) => n));
    expect(hub.stats().publishesInFlight).toBe(0);
    // The socket stays, and the other spoke's publishes go on.
    const c = spoke(url);
    await c.bus.publish("message.part.delta", delta(20_000));
    await waitFor("the other spoke's event", () => atB.received.at(-1) === 20_000);
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
  });
});

describe("outages", () => {
  test("server_side_kills_of_every_socket_mid_flood_lose_and_repeat_nothing_each_spoke_resumes_and_resends", async () => {
    const { bus: hubBus, url, cut } = await setup({}, { replayWindow: 10_000 });
    const a = spoke(url);
    const b = spoke(url);
    const atB = collect(b.bus);
    const atHub = collect(hubBus);
    await atB.ready;
    const count = 5000;
    const every = 250;
    let cuts = 0;
    for (let start = 0; start < count; start += every) {
      const batch = Array.from({ length: every }, (_, offset) => a.bus.publish("message.part.delta", delta(start + offset)));
      // Some of the batch is on the wire, some answered, some held: kill every socket in the middle of it.
      await new Promise((resolve) => setImmediate(resolve));
      if (cut() > 0) cuts += 1;
      await Promise.all(batch);
    }
    await waitFor(`${count} events at the other spoke`, () => atB.received.length >= count, 30_000, () => `${atB.received.length} received`);
    await sleep(100);
    expect(cuts).toBe(count / every);
    expect(atB.received).toEqual(Array.from({ length: count }, (_, n) => n));
    // A publish resent after a kill may reach the hub's own bus twice (same id); nothing is missing there either.
    expect(new Set(atHub.received).size).toBe(count);
    expect(b.statuses.filter((state) => state === "down").length).toBeGreaterThan(0);
    expect(b.statuses.at(-1)).toBe("up");
    expect(b.errors.every((error) => error.code === "connection-lost")).toBe(true);
  });

  test("publishes_made_while_the_hub_is_unreachable_are_held_to_the_bound_and_delivered_after_it_the_rest_rejected", async () => {
    const { url, stop, start } = await setup();
    const a = spoke(url, { maxQueuedPublishes: 5, publishQueueTimeout: 5000 });
    const b = spoke(url);
    const atB = collect(b.bus);
    await atB.ready;
    await a.bus.publish("message.part.delta", delta(0));
    await stop();
    // A spoke with nothing to do is not connected; the next publish connects, fails, and is held.
    const held = [1, 2, 3, 4, 5].map((n) => a.bus.publish("message.part.delta", delta(n)));
    await waitFor("spoke a down", () => a.statuses.includes("down"));
    const over = await a.bus.publish("message.part.delta", delta(6)).catch((error: BusError) => error);
    expect(over).toMatchObject({ code: "publish-failed", message: expect.stringContaining("unreachable and 5 publishes already wait for it (maxQueuedPublishes)") });
    await sleep(100);
    await start();
    await Promise.all(held);
    await waitFor("every held event at the other spoke", () => atB.received.length === 6);
    expect(atB.received).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.statuses).toEqual(["down", "up"]);
    expect(a.errors.map((error) => error.code)).toEqual(["connection-lost"]);
  });

  test("a_publish_held_longer_than_publishQueueTimeout_is_rejected_and_never_sent", async () => {
    const { bus: hubBus, url, stop, start } = await setup();
    const atHub = collect(hubBus);
    const a = spoke(url, { publishQueueTimeout: 200 });
    await a.bus.publish("message.part.delta", delta(0));
    await stop();
    await expect(a.bus.publish("message.part.delta", delta(1))).rejects.toMatchObject({ code: "publish-failed", message: expect.stringContaining("stayed unreachable for 200 ms (publishQueueTimeout)") });
    await start();
    await a.bus.publish("message.part.delta", delta(2));
    await waitFor("the last one", () => atHub.received.length === 2);
    expect(atHub.received).toEqual([0, 2]);
  });

  test("a_resume_the_hub_cannot_honour_is_reported_as_a_gap_and_delivery_goes_on", async () => {
    const { bus: hubBus, url, cut } = await setup({}, { replayWindow: 50 });
    const b = spoke(url, { backoffInitialMs: 100, backoffMaxMs: 100 });
    const atB = collect(b.bus);
    await atB.ready;
    await hubBus.publish("message.part.delta", delta(0));
    await waitFor("the first", () => atB.received.length === 1);
    cut();
    // Published while the spoke is away, more than the hub's replay window holds.
    for (let n = 1; n <= 200; n += 1) void hubBus.publish("message.part.delta", delta(n));
    await waitFor("the gap", () => b.errors.some((error) => error.code === "stream-gap"), 5000);
    await hubBus.publish("message.part.delta", delta(201));
    await waitFor("the event after it", () => atB.received.includes(201));
    expect(b.errors.find((error) => error.code === "stream-gap")?.message).toContain("(resume-too-old): events may be missing; delivery goes on.");
    expect(atB.received[0]).toBe(0);
    expect(atB.received.slice(1).filter((n) => n !== 201)).toEqual([]);
  });
});

describe("a spoke facing a silent or hostile hub", () => {
  /** A hub of its own making: answers each subscribe with `retry` and `live`, then `after(socket, sub)`. */
  async function fakeHub(after: (socket: WebSocket, sub: string) => void) {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    let connections = 0;
    wss.on("connection", (socket) => {
      connections += 1;
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { op: string; sub: string };
        if (message.op !== "subscribe") return;
        socket.send(`${message.sub}\nretry: 1000\n\nevent: live\nid: c1\ndata: {"resumed":false,"replayed":0,"snapshot":0}\n\n`);
        after(socket, message.sub);
      });
    });
    cleanup.push(() => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }));
    return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, connections: () => connections };
  }

  test("a_hub_that_goes_silent_is_dropped_by_the_watchdog_and_the_spoke_connects_again", async () => {
    const hub = await fakeHub(() => {});
    const a = spoke(hub.url, { watchdogMs: 150 });
    await a.bus.subscribe("session.status", () => {}).ready;
    await waitFor("a second connection", () => hub.connections() >= 2, 5000);
    expect(a.errors[0]?.message).toContain("(watchdog)");
  });

  test("a_hub_that_takes_publishes_and_never_answers_does_not_leave_them_pending_the_spoke_connects_again", async () => {
    // No subscription, so no heartbeat would show the stall: the publish's own deadline does.
    const hub = await fakeHub(() => {});
    const a = spoke(hub.url, { publishQueueTimeout: 300 });
    const outcome = await a.bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } }).then(
      () => "published",
      (error: BusError) => error.message,
    );
    expect(outcome).toMatch(/the hub did not answer within 300 ms \(publishQueueTimeout\); it may have published it/);
    // The stalled connection was dropped: the next publish makes a new one (and is not left pending either).
    const next = a.bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } }).then(() => "published", () => "rejected");
    await waitFor("a second connection", () => hub.connections() >= 2, 5000);
    expect(await next).toBe("rejected");
  });

  test("an_event_longer_than_maxEventSize_is_not_read_the_connection_is_dropped_and_made_again", async () => {
    const hub = await fakeHub((socket, sub) => socket.send(`${sub}\ndata: ${"x".repeat(5000)}`));
    const a = spoke(hub.url, { maxEventSize: 1000 });
    const received: unknown[] = [];
    a.bus.subscribe("session.status", (envelope) => void received.push(envelope));
    await waitFor("a second connection", () => hub.connections() >= 2, 5000);
    expect(a.errors[0]?.message).toContain("more than maxEventSize (1000) characters of one event");
    expect(received).toEqual([]);
  });
});

describe("closing a spoke", () => {
  test("close_rejects_what_the_hub_never_answered_and_leaves_the_hub_no_connection", async () => {
    const { hub, url, stop } = await setup();
    const a = spoke(url);
    const atA = collect(a.bus);
    await atA.ready;
    expect(hub.stats()).toMatchObject({ connections: 1, subscriptions: 2 });
    await a.bus.close();
    await waitFor("no connection", () => hub.stats().connections === 0);
    expect(hub.stats().subscriptions).toBe(0);
    await expect(a.bus.publish("message.part.delta", delta(0))).rejects.toMatchObject({ code: "closed" });
    // Closing while the hub is unreachable: held publishes are rejected, a pending ready too.
    await stop();
    const transport = createWebSocketTransport(url, { WebSocket, backoffInitialMs: 5 });
    const pending = transport.publish("message.part.delta:s1", deltaEnvelope(1));
    const subscription = transport.subscribe({ channel: "message.part.delta:s1" }, () => {});
    await transport.close();
    await expect(pending).rejects.toMatchObject({ code: "closed" });
    await expect(subscription.ready).rejects.toMatchObject({ code: "closed" });
  });

  test("a_spoke_process_that_subscribed_published_and_closed_exits_by_itself", async () => {
    const { hub, url } = await setup();
    const peer = path.join(ROOT, "test", "runtime", "ws-spoke-peer.ts");
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "jiti", "lib", "jiti-cli.mjs"), peer, url], { cwd: ROOT });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    const code = await Promise.race([new Promise<number | null>((resolve) => child.on("exit", resolve)), sleep(15_000).then(() => "still running")]);
    if (code !== 0) child.kill("SIGKILL");
    expect([code, output.trim()]).toEqual([0, "received 3; closed"]);
    await waitFor("no connection", () => hub.stats().connections === 0);
  });
});
