/**
 * Polling and the client over several channels, over real HTTP and the real `ws` package: a poll is
 * an SSE connection whose response ends (the same ids, replay and gaps), bounded and released; a
 * client cycling WebSocket → SSE → polling → WebSocket on every reconnect receives every event once;
 * and behind a proxy that buffers event streams and refuses upgrades, a client of three channels
 * falls back to polling, reports it, and moves back to the WebSocket when the proxy lets it through —
 * every event exactly once and in order throughout.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { afterEach, describe, expect, test } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { connectChannels, type LiveChannel, type LiveStatus } from "../../templates/ts/runtime/client/channels.js";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { pollingChannel, sseChannel } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler, type SseHandler, type SseHandlerOptions } from "../../templates/ts/runtime/sse/server.js";
import { webSocketChannel } from "../../templates/ts/runtime/ws/client.js";
import { createWebSocketHub } from "../../templates/ts/runtime/ws/hub.js";
import { binding, createBus, type Catalogue } from "./example-runtime.js";
import { delta, serve, sleep, waitFor } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A bus, its SSE handler (which answers polls) and a hub, served on one port: `/events` and `/live`. */
async function setup(options: Partial<SseHandlerOptions<Catalogue>> = {}, via: "node" | "fetch" = "node") {
  const bus = createBus();
  const errors: BusError[] = [];
  const handler: SseHandler = createSseHandler(bus, { binding, heartbeatMs: 1000, onError: (error) => errors.push(error), ...options });
  const hub = createWebSocketHub(handler, { WebSocketServer, onError: (error) => errors.push(error) });
  const served = await serve(handler, via, "/events", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (request.url?.startsWith("/live") === true) hub.upgrade(request, socket, head);
    else socket.destroy();
  });
  cleanup.push(
    () => bus.close(),
    () => handler.close(),
    () => hub.close(),
    () => served.close(),
  );
  return { bus, handler, served, port: served.port, errors, ws: `ws://127.0.0.1:${served.port}/live` };
}

/** One poll, read to its end: its frames and the response's status. */
async function poll(url: string, lastEventId?: string, signal?: AbortSignal): Promise<{ status: number; frames: EventSourceMessage[]; text: string }> {
  const response = await fetch(`${url}${url.includes("?") ? "&" : "?"}poll=1`, { headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId }, ...(signal === undefined ? {} : { signal }) });
  const text = await response.text();
  const frames: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (frame) => frames.push(frame) });
  parser.feed(text);
  return { status: response.status, frames, text };
}

const envelopes = (frames: readonly EventSourceMessage[]) => frames.filter((frame) => frame.event === undefined);
const deltaOf = (frame: EventSourceMessage) => Number.parseInt((JSON.parse(frame.data) as { event: { payload: { delta: string } } }).event.payload.delta, 10);
const liveOf = (frames: readonly EventSourceMessage[]) => frames.find((frame) => frame.event === "live");

describe("Polling the SSE handler", () => {
  for (const via of ["node", "fetch"] as const) {
    test(`a_poll_answers_what_came_after_its_id_and_ends_${via}`, async () => {
      const { bus, handler, served } = await setup({ pollWaitMs: 200 }, via);
      // No id, nothing published: the live frame alone, after the wait; its id is where the next poll starts.
      const first = await poll(`${served.url}?events=message.part.delta`);
      expect(first.status).toBe(200);
      expect(first.frames.map((frame) => frame.event)).toEqual(["live"]);
      const start = liveOf(first.frames)?.id;
      expect(start).toMatch(/.+/);
      for (let n = 0; n < 3; n += 1) await bus.publish("message.part.delta", delta(n));
      // Everything after that id, then the live frame; the response ends at once.
      const second = await poll(`${served.url}?events=message.part.delta`, start);
      expect(envelopes(second.frames).map(deltaOf)).toEqual([0, 1, 2]);
      expect(JSON.parse(liveOf(second.frames)!.data)).toEqual({ resumed: true, replayed: 3, snapshot: 0 });
      // Waiting: an event published meanwhile ends the poll with it.
      const waiting = poll(`${served.url}?events=message.part.delta`, liveOf(second.frames)!.id);
      await sleep(50);
      await bus.publish("message.part.delta", delta(3));
      const third = await waiting;
      expect(envelopes(third.frames).map(deltaOf)).toEqual([3]);
      expect(envelopes(third.frames)[0]!.id).toMatch(/.+/);
      // The id of the last event resumes after it: nothing is repeated.
      const fourth = await poll(`${served.url}?events=message.part.delta`, envelopes(third.frames)[0]!.id);
      expect(envelopes(fourth.frames)).toEqual([]);
      await waitFor("every poll released", () => handler.stats().connections === 0 && handler.stats().channels === 0);
    });
  }

  test("a_poll_is_bounded_by_writeBatch_and_the_next_poll_continues_where_it_ended", async () => {
    const { bus, served } = await setup({ writeBatch: 4096, pollWaitMs: 100 });
    const count = 2000;
    const first = await poll(`${served.url}?events=message.part.delta`);
    let id = liveOf(first.frames)!.id;
    for (let n = 0; n < count; n += 1) void bus.publish("message.part.delta", delta(n, "s1", "x".repeat(40)));
    await sleep(20);
    const received: number[] = [];
    let polls = 0;
    while (received.length < count && polls < 1000) {
      const answer = await poll(`${served.url}?events=message.part.delta`, id);
      polls += 1;
      // One response: at most writeBatch characters and the chunk that crossed it.
      expect(answer.text.length).toBeLessThan(4096 * 3);
      for (const frame of envelopes(answer.frames)) received.push(deltaOf(frame));
      id = [...answer.frames].reverse().find((frame) => frame.id !== undefined)?.id ?? id;
    }
    expect(received).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(polls).toBeGreaterThan(10);
  });

  test("a_malformed_poll_is_refused_and_an_abandoned_poll_gives_its_place_back", async () => {
    const { handler, served } = await setup({ pollWaitMs: 10_000 });
    expect((await fetch(`${served.url}?poll=2`)).status).toBe(400);
    expect((await fetch(`${served.url}?poll=1&events=nope`)).status).toBe(400);
    const aborter = new AbortController();
    const pending = poll(`${served.url}?events=message.part.delta`, undefined, aborter.signal).catch((error: unknown) => error);
    await waitFor("the poll admitted", () => handler.stats().connections === 1);
    aborter.abort();
    expect(await pending).toBeInstanceOf(Error);
    await waitFor("its place given back", () => handler.stats().connections === 0 && handler.stats().channels === 0);
  });
});

describe("A client over several channels", () => {
  test("polling_alone_delivers_every_event_once_in_order_with_one_connected_status", async () => {
    const { bus, served } = await setup({ pollWaitMs: 200 });
    const received: number[] = [];
    const statuses: LiveStatus[] = [];
    const client = connectChannels([pollingChannel(served.url)], {
      binding,
      events: ["message.part.delta"],
      pollIntervalMs: 5,
      onEvent: (envelope) => {
        if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
      },
      onStatus: (status) => statuses.push(status),
    });
    cleanup.push(() => client.close());
    await waitFor("connected", () => statuses.some((status) => status.kind === "connected"));
    const count = 1000;
    for (let n = 0; n < count; n += 1) {
      await bus.publish("message.part.delta", delta(n));
      if (n % 50 === 0) await sleep(10);
    }
    await waitFor(`${count} events`, () => received.length >= count, 20_000);
    await sleep(50);
    expect(received).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(client.stats().connections).toBeGreaterThan(5);
    expect(client.stats().duplicates).toBe(0);
    expect(statuses.filter((status) => status.kind === "connected")).toEqual([{ kind: "connected", live: expect.any(Object), recovered: false, channel: "polling" }]);
    expect(statuses.map((status) => status.kind)).not.toContain("reconnecting");
  });

  test("a_client_cycling_websocket_sse_polling_on_every_reconnect_receives_every_event_exactly_once", async () => {
    const { bus, served, ws } = await setup({ pollWaitMs: 200 });
    const channels: (() => LiveChannel)[] = [() => webSocketChannel(ws, { WebSocket }), () => sseChannel(served.url), () => pollingChannel(served.url)];
    const received: number[] = [];
    let lastEventId: string | undefined;
    let next = 0;
    for (let round = 0; round < 13; round += 1) {
      const statuses: LiveStatus[] = [];
      const channel = channels[round % 3]!();
      const client = connectChannels([channel], {
        binding,
        events: ["message.part.delta"],
        pollIntervalMs: 5,
        ...(lastEventId === undefined ? {} : { lastEventId }),
        onEvent: (envelope) => {
          if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
        },
        onStatus: (status) => statuses.push(status),
      });
      await waitFor("connected", () => statuses.some((status) => status.kind === "connected"));
      const connected = statuses.find((status) => status.kind === "connected");
      expect(connected).toMatchObject({ channel: channel.kind, ...(round > 0 ? { live: { resumed: true } } : {}) });
      for (let n = 0; n < 30; n += 1) await bus.publish("message.part.delta", delta(next++));
      await waitFor(`round ${round}'s events`, () => received.length === next);
      lastEventId = client.lastEventId;
      client.close();
      // Published with no client: the next one, on the next channel, replays it.
      for (let n = 0; n < 30; n += 1) await bus.publish("message.part.delta", delta(next++));
    }
    const last = connectChannels([webSocketChannel(ws, { WebSocket })], { binding, events: ["message.part.delta"], ...(lastEventId === undefined ? {} : { lastEventId }), onEvent: (envelope) => {
      if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
    } });
    cleanup.push(() => last.close());
    await waitFor("the events published after the last round", () => received.length === next);
    await sleep(20);
    expect(received).toEqual(Array.from({ length: next }, (_, n) => n));
  });

  test("a_channel_refused_for_good_is_left_at_once_and_never_probed_again", async () => {
    const { bus, served } = await setup({ pollWaitMs: 100 });
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(String(input));
      return fetch(input, init);
    };
    const statuses: LiveStatus[] = [];
    const received: number[] = [];
    // The SSE channel's path answers 404 (not deployed): a refusal, not a failure to retry.
    const missing = served.url.replace("/events", "/missing");
    const client = connectChannels([sseChannel(missing, { fetch: counting }), pollingChannel(served.url, { fetch: counting })], {
      binding,
      events: ["message.part.delta"],
      probeInitialMs: 50,
      backoffMaxMs: 100,
      pollIntervalMs: 5,
      onEvent: (envelope) => {
        if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
      },
      onStatus: (status) => statuses.push(status),
    });
    cleanup.push(() => client.close());
    await waitFor("connected", () => statuses.some((status) => status.kind === "connected"));
    for (let n = 0; n < 20; n += 1) await bus.publish("message.part.delta", delta(n));
    await waitFor("20 events", () => received.length === 20);
    await sleep(400);
    expect(statuses.slice(0, 3)).toEqual([
      { kind: "connecting", attempt: 0 },
      { kind: "fallback", from: "sse", to: "polling", error: expect.objectContaining({ message: "the server refused the event stream: HTTP 404" }) },
      { kind: "degraded", reason: "polling", attempt: 0, error: expect.any(Error) },
    ]);
    expect(requests.filter((url) => url.includes("/missing"))).toHaveLength(1);
    expect(client.stats().channel).toBe("polling");
    expect(received).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  test("behind_a_proxy_that_buffers_event_streams_the_client_falls_back_to_polling_and_moves_back_to_the_websocket", async () => {
    const { bus, port, served } = await setup({ pollWaitMs: 200, heartbeatMs: 100 });
    const proxy = await bufferingProxy(port);
    const received: number[] = [];
    const statuses: LiveStatus[] = [];
    // Where the client starts: every event published from now on is owed to it, those published while it falls back included.
    const start = liveOf((await poll(`${served.url}?events=message.part.delta`)).frames)?.id;
    expect(start).toMatch(/.+/);
    const client = connectChannels([webSocketChannel(proxy.ws, { WebSocket }), sseChannel(proxy.sse), pollingChannel(proxy.sse)], {
      binding,
      events: ["message.part.delta"],
      backoffInitialMs: 20,
      backoffMaxMs: 800,
      liveTimeoutMs: 300,
      probeInitialMs: 300,
      pollIntervalMs: 5,
      lastEventId: start!,
      onEvent: (envelope) => {
        if (envelope.event.type === "message.part.delta.v1") received.push(Number(envelope.event.payload.delta));
      },
      onStatus: (status) => statuses.push(status),
      onError: () => {},
    });
    cleanup.push(() => client.close());
    let published = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await bus.publish("message.part.delta", delta(published++));
        await sleep(3);
      }
    })();
    cleanup.push(() => {
      publishing = false;
      return publisher;
    });
    const kinds = () => statuses.map((status) => (status.kind === "fallback" || status.kind === "restored" ? `${status.kind}:${status.from}->${status.to}` : status.kind === "degraded" ? `degraded:${status.reason}` : status.kind));
    // Upgrades refused, event streams held back: down to polling, and told.
    await waitFor("polling", () => client.stats().channel === "polling", 15_000, () => kinds().join(" "));
    expect(kinds()).toEqual(expect.arrayContaining(["fallback:websocket->sse", "fallback:sse->polling", "degraded:polling"]));
    const atPolling = received.length;
    await waitFor("events over polling", () => received.length > atPolling + 50, 10_000);
    // Caught up: a poll that reaches the live frame.
    await waitFor("live over polling", () => statuses.some((status) => status.kind === "connected" && status.channel === "polling"), 10_000);
    expect(kinds().filter((kind) => kind.startsWith("restored:"))).toEqual([]);
    // The proxy lets upgrades and streams through: a probe finds the WebSocket.
    proxy.passThrough();
    await waitFor("restored", () => client.stats().channel === "websocket", 15_000, () => kinds().join(" "));
    // Restored, maybe by way of SSE (a probe that found it before the WebSocket went through).
    expect(kinds().filter((kind) => kind.startsWith("restored:")).at(-1) ?? kinds().join(" ")).toMatch(/^restored:(polling|sse)->websocket$/);
    const atRestore = received.length;
    await waitFor("events over the WebSocket", () => received.length > atRestore + 50, 10_000);
    publishing = false;
    await publisher;
    await waitFor("every event", () => received.length >= published, 10_000, () => `${received.length} of ${published}: ${kinds().join(" ")}`);
    await sleep(50);
    expect(received).toEqual(Array.from({ length: published }, (_, n) => n));
    expect(client.stats().gaps).toBe(0);
    await proxy.close();
  });
});

/**
 * A proxy in front of `port` that, at first, refuses WebSocket upgrades and holds back the body of
 * every event stream until it ends (as a buffering reverse proxy does); `passThrough()` lets both
 * through from then on.
 */
async function bufferingProxy(port: number) {
  let buffering = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest({ host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const type = String(answer.headers["content-type"] ?? "");
      if (buffering && type.startsWith("text/event-stream")) {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => res.end(Buffer.concat(chunks)));
      } else {
        answer.pipe(res);
      }
      answer.on("error", () => res.destroy());
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (buffering) {
      socket.destroy();
      return;
    }
    const upstream = netConnect(port, "127.0.0.1", () => {
      let raw = `${req.method ?? "GET"} ${req.url ?? "/"} HTTP/1.1\r\n`;
      for (let index = 0; index < req.rawHeaders.length; index += 2) raw += `${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}\r\n`;
      upstream.write(`${raw}\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    sse: `http://127.0.0.1:${address.port}/events`,
    ws: `ws://127.0.0.1:${address.port}/live`,
    passThrough() {
      buffering = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
