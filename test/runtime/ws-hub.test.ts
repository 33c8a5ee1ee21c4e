/**
 * The WebSocket hub over real HTTP and the real `ws` package: every event exactly once and in order
 * across server-side socket kills, the same ids as SSE (a client alternating between the two channels
 * on every reconnect misses nothing and repeats nothing), authorization at the upgrade and per
 * subscription, and a hub that survives hostile, slow, silent and vanishing clients with its memory
 * and subscriptions bounded.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { connectSse } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler, type SseHandler, type SseHandlerOptions } from "../../templates/ts/runtime/sse/server.js";
import { connectWebSocket } from "../../templates/ts/runtime/ws/client.js";
import { createWebSocketHub, type WebSocketHub, type WebSocketHubOptions } from "../../templates/ts/runtime/ws/hub.js";
import { WS_CLOSE } from "../../templates/ts/runtime/ws/protocol.js";
import type { LiveStatus } from "../../templates/ts/runtime/client/live-client.js";
import { binding, createBus, type Catalogue } from "./example-runtime.js";
import { delta, sleep, waitFor } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Served {
  readonly sse: string;
  readonly ws: string;
  /** Destroys every TCP socket from the server's side; how many there were. */
  cut(): number;
}

async function setup(sseOptions: Partial<SseHandlerOptions<Catalogue>> = {}, hubOptions: Partial<WebSocketHubOptions> = {}) {
  const bus = createBus();
  const errors: BusError[] = [];
  const handler: SseHandler = createSseHandler(bus, { binding, heartbeatMs: 1000, onError: (error) => errors.push(error), ...sseOptions });
  const hub: WebSocketHub = createWebSocketHub(handler, { WebSocketServer, onError: (error) => errors.push(error), ...hubOptions });
  const sockets = new Set<Socket | Duplex>();
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/events") === true) handler.node(req, res);
    else res.writeHead(404).end();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (request.url?.startsWith("/live") === true) hub.upgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const served: Served = {
    sse: `http://127.0.0.1:${address.port}/events`,
    ws: `ws://127.0.0.1:${address.port}/live`,
    cut() {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      return count;
    },
  };
  cleanup.push(
    () => bus.close(),
    () => handler.close(),
    () => hub.close(),
    () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  );
  return { bus, handler, hub, served, errors };
}

/** A raw client of the hub: every text message it receives, and how the socket closed. */
function rawSocket(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}) {
  const socket = new WebSocket(url, options);
  const messages: string[] = [];
  let status: number | undefined;
  socket.on("message", (data, isBinary) => messages.push(isBinary ? "<binary>" : String(data)));
  socket.on("unexpected-response", (_request, response) => {
    status = response.statusCode;
    socket.terminate();
  });
  socket.on("error", () => {});
  const opened = new Promise<boolean>((resolve) => {
    socket.on("open", () => resolve(true));
    socket.on("close", () => resolve(false));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  cleanup.push(() => socket.terminate());
  return {
    socket,
    messages,
    opened,
    closed,
    get status() {
      return status;
    },
    send: (message: unknown) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
  };
}

describe("WebSocket delivery", () => {
  test("resumes_after_100_server_side_socket_kills_delivering_10000_events_exactly_once_in_order", async () => {
    const { bus, served } = await setup();
    const received: number[] = [];
    const statuses: LiveStatus["kind"][] = [];
    const client = connectWebSocket(served.ws, {
      binding,
      WebSocket,
      events: ["message.part.delta"],
      backoffInitialMs: 5,
      backoffMaxMs: 40,
      onEvent: (envelope) => {
        if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
      },
      onStatus: (status) => statuses.push(status.kind),
    });
    cleanup.push(() => client.close());
    await waitFor("the first connection", () => statuses.includes("connected"));
    const count = 10_000;
    const cuts = 100;
    let cut = 0;
    for (let n = 0; n < count; n += 1) {
      void bus.publish("message.part.delta", delta(n));
      if ((n + 1) % (count / cuts) === 0 && cut < cuts) {
        await waitFor("the client to be back", () => statuses.filter((kind) => kind === "connected").length > cut);
        await new Promise((resolve) => setImmediate(resolve));
        if (served.cut() > 0) cut += 1;
      }
    }
    await waitFor(`${count} events`, () => received.length >= count, 30_000);
    // Connections cut this soon after going live count as failures: the last reconnect waits out its backoff.
    await waitFor("the connection after the last cut", () => client.stats().connections > cut, 5000);
    await sleep(20);
    expect(cut).toBe(cuts);
    expect(received).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(client.stats().connections).toBeGreaterThanOrEqual(cuts + 1);
    expect(client.stats().duplicates).toBe(0);
    expect(statuses).not.toContain("gap");
  });

  test("a_client_alternating_websocket_and_sse_on_every_reconnect_receives_every_event_exactly_once", async () => {
    const { bus, served } = await setup();
    const received: number[] = [];
    let lastEventId: string | undefined;
    let next = 0;
    for (let round = 0; round < 20; round += 1) {
      const statuses: LiveStatus[] = [];
      const options = {
        binding,
        events: ["message.part.delta"],
        ...(lastEventId === undefined ? {} : { lastEventId }),
        onEvent: (envelope: { event: { type: string; payload: unknown } }) => {
          if (envelope.event.type === "message.part.delta.v1") received.push(Number((envelope.event.payload as { delta: string }).delta));
        },
        onStatus: (status: LiveStatus) => statuses.push(status),
      };
      const client = round % 2 === 0 ? connectWebSocket(served.ws, { ...options, WebSocket }) : connectSse(served.sse, options);
      await waitFor("connected", () => statuses.some((status) => status.kind === "connected"));
      // The id of the other channel resumed here: what was published meanwhile follows, replayed or live.
      if (round > 0) expect([round, statuses.find((status) => status.kind === "connected")]).toMatchObject([round, { live: { resumed: true } }]);
      for (let n = 0; n < 50; n += 1) await bus.publish("message.part.delta", delta(next++));
      await waitFor("this round's events", () => received.length === next);
      lastEventId = client.lastEventId;
      client.close();
      // Published with no client connected: the next one, on the other channel, replays it.
      for (let n = 0; n < 50; n += 1) await bus.publish("message.part.delta", delta(next++));
    }
    const last = connectWebSocket(served.ws, { binding, WebSocket, events: ["message.part.delta"], ...(lastEventId === undefined ? {} : { lastEventId }), onEvent: (envelope) => {
      if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
    } });
    cleanup.push(() => last.close());
    await waitFor("the events published after the last round", () => received.length === next);
    await sleep(20);
    expect(received).toEqual(Array.from({ length: next }, (_, n) => n));
  });

  test("unsubscribing_and_disconnecting_release_every_subscription_and_place_under_the_caps", async () => {
    const { handler, hub, served } = await setup();
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    for (let n = 0; n < 5; n += 1) raw.send({ op: "subscribe", sub: `s${n}`, events: ["session.status"] });
    await waitFor("five live frames", () => raw.messages.filter((message) => message.includes("event: live")).length === 5);
    expect([hub.stats().subscriptions, handler.stats().connections, handler.stats().channels]).toEqual([5, 5, 5]);
    raw.send({ op: "unsubscribe", sub: "s0" });
    raw.send({ op: "unsubscribe", sub: "s1" });
    await waitFor("two released", () => handler.stats().connections === 3);
    expect(hub.stats().subscriptions).toBe(3);
    raw.socket.terminate();
    await waitFor("everything released", () => handler.stats().connections === 0 && hub.stats().connections === 0);
    expect(handler.stats().channels).toBe(0);
  });
});

describe("WebSocket authorization", () => {
  test("a_refused_upgrade_gets_the_authorize_status_before_the_upgrade_and_nothing_is_subscribed", async () => {
    const { handler, hub, served } = await setup({
      authorize: (request) => (request.header("authorization") === "Bearer ok" ? true : { status: 401, message: "Who are you?" }),
    });
    const refused = rawSocket(served.ws);
    expect(await refused.opened).toBe(false);
    expect(refused.status).toBe(401);
    expect([hub.stats().connections, hub.stats().refusedUpgrades, handler.stats().connections]).toEqual([0, 1, 0]);
    const allowed = rawSocket(served.ws, { headers: { authorization: "Bearer ok" } });
    expect(await allowed.opened).toBe(true);
    allowed.send({ op: "subscribe", sub: "a" });
    await waitFor("its live frame", () => allowed.messages.some((message) => message.startsWith("a\n") && message.includes("event: live")));
  });

  test("each_subscribe_is_authorized_with_its_own_selection_and_a_final_refusal_closes_the_client", async () => {
    let calls = 0;
    const { served } = await setup({
      authorize: (request, selection) => {
        calls += 1;
        // This test's client is let through its upgrade and refused at its subscribe.
        if (request.header("x-test") === undefined && calls === 1 && selection.topics?.includes("s2") === true) return true;
        return selection.topics === undefined || selection.topics.every((topic) => topic === "s1");
      },
    });
    const raw = rawSocket(served.ws, { headers: { "x-test": "raw" } });
    expect(await raw.opened).toBe(true);
    raw.send({ op: "subscribe", sub: "mine", events: ["session.status"], topics: ["s1"] });
    raw.send({ op: "subscribe", sub: "theirs", events: ["session.status"], topics: ["s2"] });
    await waitFor("an answer to each", () => raw.messages.some((message) => message.startsWith("mine\n")) && raw.messages.some((message) => message.startsWith("{")));
    expect(JSON.parse(raw.messages.find((message) => message.startsWith("{"))!)).toEqual({ op: "refused", sub: "theirs", status: 403, message: "Forbidden." });
    calls = 0;
    const statuses: LiveStatus[] = [];
    const client = connectWebSocket(served.ws, { binding, WebSocket, events: ["session.status"], topics: ["s2"], backoffInitialMs: 5, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("closed", () => statuses.some((status) => status.kind === "closed"));
    await sleep(50);
    expect(client.stats().connections).toBe(1);
    expect(statuses.at(-1)).toMatchObject({ kind: "closed", error: { message: expect.stringContaining("403") } });
  });

  test("an_upgrade_refused_reaches_the_client_as_a_failed_connection_it_retries_with_backoff_and_reports_degraded", async () => {
    // A browser's WebSocket does not show the status of a refused upgrade: the client can only retry.
    const { handler, hub, served } = await setup({ authorize: () => ({ status: 401, message: "Who are you?" }) });
    const statuses: LiveStatus[] = [];
    const client = connectWebSocket(served.ws, { binding, WebSocket, backoffInitialMs: 5, backoffMaxMs: 10, degradedAfter: 2, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("degraded", () => statuses.some((status) => status.kind === "degraded"));
    expect(client.stats().connections).toBeGreaterThanOrEqual(2);
    expect([hub.stats().connections, handler.stats().connections]).toEqual([0, 0]);
    expect(statuses.some((status) => status.kind === "connected")).toBe(false);
  });
});

describe("the WebSocket client facing a hostile hub", () => {
  test("a_control_message_longer_than_maxEventSize_is_not_read_the_connection_is_dropped_and_made_again", async () => {
    // A hub that answers every subscribe with a control message of 2,000 characters.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    wss.on("connection", (socket) => socket.on("message", () => socket.send(JSON.stringify({ op: "note", pad: "x".repeat(2000) }))));
    cleanup.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const statuses: LiveStatus[] = [];
    const { port } = wss.address() as { port: number };
    const client = connectWebSocket(`ws://127.0.0.1:${port}/live`, { binding, WebSocket, maxEventSize: 1000, backoffInitialMs: 5, backoffMaxMs: 10, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("a reconnect", () => statuses.some((status) => status.kind === "reconnecting"));
    expect(statuses.find((status) => status.kind === "reconnecting")).toMatchObject({ error: { message: "the hub sent a control message of more than maxEventSize (1000) characters" } });
  });
});

describe("a hub given the sockets of the application's own WebSocketServer", () => {
  async function ownServer(sseOptions: Partial<SseHandlerOptions<Catalogue>> = {}) {
    const bus = createBus();
    const handler = createSseHandler(bus, { binding, ...sseOptions });
    // The hub's own WebSocketServer serves no upgrade here: the application's does, and hands the sockets over.
    const hub = createWebSocketHub(handler, { WebSocketServer });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 65_536 });
    wss.on("connection", (socket, request) => hub.accept(socket, request));
    const server = createServer();
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    cleanup.push(
      () => bus.close(),
      () => handler.close(),
      () => hub.close(),
      () => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    );
    return { bus, hub, url: `ws://127.0.0.1:${port}/live` };
  }

  test("accepted_sockets_subscribe_and_resume_like_the_hubs_own", async () => {
    const { bus, hub, url } = await ownServer();
    const received: number[] = [];
    const statuses: LiveStatus["kind"][] = [];
    const client = connectWebSocket(url, { binding, WebSocket, events: ["message.part.delta"], backoffInitialMs: 5, onStatus: (status) => statuses.push(status.kind), onEvent: (envelope) => {
      if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
    } });
    cleanup.push(() => client.close());
    await waitFor("connected", () => statuses.includes("connected"));
    expect(hub.stats().connections).toBe(1);
    for (let n = 0; n < 100; n += 1) await bus.publish("message.part.delta", delta(n));
    await waitFor("100 events", () => received.length === 100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  test("authorize_refusing_an_accepted_socket_closes_it_refused_and_the_client_does_not_retry", async () => {
    const { hub, url } = await ownServer({ authorize: () => ({ status: 401, message: "Who are you?" }) });
    const raw = rawSocket(url);
    expect(await raw.opened).toBe(true);
    expect(await raw.closed).toEqual({ code: WS_CLOSE.refused, reason: "refused: 401" });
    expect(hub.stats()).toMatchObject({ connections: 0, refusedUpgrades: 1 });
    const statuses: LiveStatus[] = [];
    const client = connectWebSocket(url, { binding, WebSocket, backoffInitialMs: 5, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("closed", () => statuses.some((status) => status.kind === "closed"));
    await sleep(50);
    expect(client.stats().connections).toBe(1);
  });
});

describe("a hub facing hostile, slow and silent clients", () => {
  test.each([
    ["not JSON", "{oops", WS_CLOSE.badMessage],
    ["a JSON array", "[1,2]", WS_CLOSE.badMessage],
    ["an unknown op", JSON.stringify({ op: "teleport", sub: "a" }), WS_CLOSE.badMessage],
    ["an op only on the prototype", '{"__proto__":{"op":"subscribe"},"sub":"a"}', WS_CLOSE.badMessage],
    ["a subscription id outside its grammar", JSON.stringify({ op: "subscribe", sub: "{a" }), WS_CLOSE.badMessage],
    ["a message over maxMessageBytes", JSON.stringify({ op: "subscribe", sub: "a", events: ["x".repeat(70_000)] }), WS_CLOSE.tooBig],
  ])("%s_closes_the_socket_with_its_code_and_leaves_nothing_behind", async (_what, message, code) => {
    const { handler, hub, served } = await setup();
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    raw.send(message);
    expect((await raw.closed).code).toBe(code);
    await waitFor("released", () => hub.stats().connections === 0);
    expect(handler.stats().connections).toBe(0);
    expect(({} as { op?: unknown }).op).toBeUndefined();
  });

  test("a_subscribe_whose_fields_break_the_selection_grammar_is_refused_400_and_the_socket_stays", async () => {
    const { handler, served } = await setup();
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    const asks: [string, Record<string, unknown>][] = [
      ["events-not-a-list", { events: "session.status" }],
      ["too-many-events", { events: Array.from({ length: 2000 }, () => "session.status") }],
      ["unknown-event", { events: ["no.such.event"] }],
      ["topic-not-text", { events: ["session.status"], topics: [42] }],
      ["topic-lone-surrogate", { events: ["session.status"], topics: ["\ud800"] }],
      ["id-not-text", { lastEventId: 7 }],
    ];
    for (const [sub, ask] of asks) raw.send({ op: "subscribe", sub, ...ask });
    await waitFor("a refusal each", () => raw.messages.length === asks.length);
    const refusals = raw.messages.map((message) => JSON.parse(message) as { sub: string; status: number });
    // Answered as each is decided (not in order): every one refused with 400.
    expect(refusals.map((refusal) => `${refusal.sub} ${refusal.status}`).sort()).toEqual(asks.map(([sub]) => `${sub} 400`).sort());
    expect(handler.stats().connections).toBe(0);
    // An id outside the id grammar resumes nothing: a gap, then the live stream — as over SSE.
    raw.send({ op: "subscribe", sub: "ok", events: ["session.status"], lastEventId: "bad id" });
    await waitFor("its live frame", () => raw.messages.some((message) => message.startsWith("ok\n") && message.includes("event: live")));
    const stream = raw.messages.filter((message) => message.startsWith("ok\n")).join("");
    expect(stream).toContain("event: gap");
    expect(stream).toContain('"reason":"resume-too-old"');
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
  });

  test("a_binary_message_closes_the_socket_as_a_bad_message", async () => {
    const { served } = await setup();
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    raw.socket.send(new Uint8Array([123, 125]));
    expect((await raw.closed).code).toBe(WS_CLOSE.badMessage);
  });

  test("10000_subscribe_messages_hold_at_most_maxSubscriptions_and_are_refused_past_it", async () => {
    const { handler, hub, served } = await setup({}, { maxSubscriptions: 8 });
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    for (let n = 0; n < 10_000; n += 1) raw.send({ op: "subscribe", sub: `s${n}`, events: ["session.status"] });
    await waitFor("every message answered", () => raw.messages.length >= 10_000 - 8 + 8, 20_000);
    const refusals = raw.messages.filter((message) => message.startsWith("{")).map((message) => JSON.parse(message) as { status: number });
    expect(refusals.length).toBe(10_000 - 8);
    expect(new Set(refusals.map((refusal) => refusal.status))).toEqual(new Set([429]));
    expect([hub.stats().subscriptions, handler.stats().connections]).toEqual([8, 8]);
  });

  test("a_consumer_that_stops_reading_gets_a_gap_and_is_closed_slow_and_the_hub_lets_it_go", async () => {
    const { bus, handler, hub, served } = await setup({ replayWindow: 200 }, { highWaterBytes: 16_384, maxBufferedBytes: 65_536 });
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    raw.send({ op: "subscribe", sub: "a", events: ["message.part.delta"] });
    await waitFor("live", () => raw.messages.some((message) => message.includes("event: live")));
    // The client stops reading: the hub's writes wait, then the ring moves past it.
    (raw.socket as unknown as { _socket: Socket })._socket.pause();
    for (let n = 0; n < 3000; n += 1) await bus.publish("message.part.delta", delta(n, "s1", "x".repeat(200)));
    await waitFor("the hub to let it go", () => hub.stats().connections === 0, 10_000);
    expect(handler.stats()).toMatchObject({ connections: 0, overflows: 1 });
    (raw.socket as unknown as { _socket: Socket })._socket.resume();
    const closed = await raw.closed;
    expect(closed.code).toBe(WS_CLOSE.slow);
    const last = raw.messages.at(-1)!;
    expect(last.startsWith("a\n")).toBe(true);
    expect(last).toContain("event: gap");
    expect(last).toContain('"reason":"overflow"');
  });

  test("a_socket_that_sends_no_subscribe_is_closed_after_the_init_timeout", async () => {
    const { hub, served } = await setup({}, { initTimeoutMs: 50 });
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    expect((await raw.closed).code).toBe(WS_CLOSE.initTimeout);
    expect(hub.stats().connections).toBe(0);
  });

  test("a_half_open_socket_that_answers_no_ping_is_terminated_by_the_heartbeat", async () => {
    // Beats far apart enough that a loaded machine still answers a ping within one.
    const { handler, hub, served } = await setup({}, { heartbeatMs: 250 });
    const raw = rawSocket(served.ws, { autoPong: false });
    expect(await raw.opened).toBe(true);
    raw.send({ op: "subscribe", sub: "a" });
    await waitFor("live", () => raw.messages.some((message) => message.includes("event: live")));
    const closed = await raw.closed;
    expect(closed.code).toBe(1006);
    expect([hub.stats().connections, handler.stats().connections]).toEqual([0, 0]);
    // A client that answers pings stays.
    const answering = rawSocket(served.ws);
    expect(await answering.opened).toBe(true);
    answering.send({ op: "subscribe", sub: "a" });
    await sleep(1000);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
  });

  test("closing_the_hub_closes_every_socket_going_away_and_refuses_later_upgrades_with_503", async () => {
    const { hub, served } = await setup();
    const raw = rawSocket(served.ws);
    expect(await raw.opened).toBe(true);
    raw.send({ op: "subscribe", sub: "a" });
    await waitFor("live", () => raw.messages.some((message) => message.includes("event: live")));
    await hub.close();
    expect((await raw.closed).code).toBe(WS_CLOSE.goingAway);
    const later = rawSocket(served.ws);
    expect(await later.opened).toBe(false);
    expect(later.status).toBe(503);
  });
});
