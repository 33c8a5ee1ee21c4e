/**
 * The SSE server's contract at its edges, over real HTTP: who may connect and to what (authorize:
 * refusals and narrowing; invalid selections), what an idle connection receives (heartbeats), and
 * what a client that stops reading costs (bounded memory, a gap frame, the connection ended).
 */
import { get, type IncomingMessage } from "node:http";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { afterEach, describe, expect, test } from "vitest";
import { connectSse, type SseStatus } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler, type SseHandlerOptions } from "../../templates/ts/runtime/sse/server.js";
import { binding, createBus, type Catalogue } from "./example-runtime.js";
import { delta, openRaw, serve, sleep, waitFor } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options: Partial<SseHandlerOptions<Catalogue>> = {}, via: "node" | "fetch" = "node") {
  const bus = createBus();
  const handler = createSseHandler(bus, { binding, ...options });
  const served = await serve(handler, via);
  cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
  return { bus, handler, served };
}

describe("SSE authorization and selection", () => {
  test.each(["node", "fetch"] as const)("authorize_refusing_answers_403_and_the_client_does_not_retry_%s", async (via) => {
    const { served } = await setup({ authorize: () => false }, via);
    const raw = await openRaw(served.url);
    expect(raw.status).toBe(403);
    const statuses: SseStatus[] = [];
    const client = connectSse(served.url, { binding, backoffInitialMs: 5, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("closed", () => statuses.some((status) => status.kind === "closed"));
    await sleep(50);
    expect(client.stats().connections).toBe(1);
    expect(statuses.at(-1)).toMatchObject({ kind: "closed", error: { message: "the server refused the event stream: HTTP 403" } });
  });

  test("authorize_sees_the_request_headers_and_answers_its_own_status", async () => {
    const { served } = await setup({
      authorize: (request, selection) => (request.header("authorization") === "Bearer s1" ? selection.topics?.every((topic) => topic === "s1") : { status: 401, message: "Who are you?" }),
    });
    expect((await openRaw(`${served.url}?topic=s1`)).status).toBe(401);
    expect(await (await openRaw(`${served.url}?topic=s1`)).text).toBe("Who are you?");
    expect((await openRaw(`${served.url}?topic=s2`, { authorization: "Bearer s1" })).status).toBe(403);
    const allowed = await openRaw(`${served.url}?topic=s1`, { authorization: "Bearer s1" });
    expect(allowed.status).toBe(200);
    allowed.close();
  });

  test("authorize_narrows_a_selection_to_the_events_and_topics_the_caller_may_see", async () => {
    const { bus, served } = await setup({ authorize: () => ({ events: ["session.status"], topics: ["s1"] }) });
    const seen: string[] = [];
    let connected = false;
    const client = connectSse(served.url, {
      binding,
      events: ["*"],
      onEvent: (envelope) => seen.push(`${envelope.event.type}@${envelope.topic ?? "-"}`),
      onStatus: (status) => void (status.kind === "connected" && (connected = true)),
    });
    cleanup.push(() => client.close());
    await waitFor("connected", () => connected);
    await bus.publish("session.status", { sessionID: "s2", status: { type: "busy" } });
    await bus.publish("message.part.delta", delta(1, "s1"));
    await bus.publish("installation.update-available", { version: "2.0.0" });
    await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    await waitFor("one event", () => seen.length > 0);
    await sleep(30);
    expect(seen).toEqual(["session.status.v2@s1"]);
  });

  test("an_unknown_event_a_selector_the_server_does_not_serve_and_a_method_other_than_GET_are_refused", async () => {
    const { served } = await setup({ feed: ["session.*"] });
    const unknown = await openRaw(`${served.url}?events=session.nope`);
    expect([unknown.status, await unknown.text]).toEqual([400, 'Unknown event "session.nope": not an event name, "<domain>.*" or "*".']);
    const notServed = await openRaw(`${served.url}?events=message.*`);
    expect([notServed.status, await notServed.text]).toEqual([400, '"message.*" is not served here.']);
    const post = await fetch(served.url, { method: "POST" });
    expect(post.status).toBe(405);
    const served_ = await openRaw(`${served.url}?events=session.status,session.updated`);
    expect(served_.status).toBe(200);
    served_.close();
  });
});

describe("SSE heartbeat", () => {
  test("an_idle_connection_receives_a_comment_every_heartbeat_interval", async () => {
    const { served } = await setup({ heartbeatMs: 40 });
    const raw = await openRaw(served.url);
    await sleep(300);
    raw.close();
    const comments = (await raw.text).split("\n\n").filter((block) => block === ":").length;
    expect(comments).toBeGreaterThanOrEqual(4);
    expect(comments).toBeLessThanOrEqual(8);
  });
});

describe("SSE back-pressure", () => {
  test.each(["node", "fetch"] as const)("a_client_that_stops_reading_costs_bounded_server_memory_then_gets_a_gap_event_and_is_disconnected_%s", async (via) => {
    const window = 2000;
    const { bus, handler, served } = await setup({ replayWindow: window, closeTimeoutMs: 20_000 }, via);
    // A client that connects and then reads nothing: the kernel's buffers fill, then the server's.
    let response: IncomingMessage | undefined;
    await new Promise<void>((resolve) => {
      get(served.url, (res) => {
        response = res;
        res.pause();
        resolve();
      });
    });
    const frames: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (frame) => frames.push(frame) });
    const pad = "x".repeat(2048);
    let peakBuffered = 0;
    let published = 0;
    // Publish until the server gives up on the client: far more than its socket and the window hold.
    while (handler.stats().overflows === 0 && published < 200_000) {
      for (let n = 0; n < 500; n += 1) void bus.publish("message.part.delta", delta(published++, "s1", pad));
      await new Promise((resolve) => setImmediate(resolve));
      peakBuffered = Math.max(peakBuffered, served.buffered());
      expect(handler.stats().buffered).toBeLessThanOrEqual(window);
    }
    expect(handler.stats()).toMatchObject({ overflows: 1, connections: 0, queuedFrames: 0 });
    // What the server holds for the client beyond the shared window: at most one write batch and the gap frame.
    expect(peakBuffered).toBeLessThan(256 * 1024);
    // The client reads again: everything sent, then the gap, then the end of the stream.
    await new Promise<void>((resolve) => {
      response!.on("data", (chunk: Buffer) => parser.feed(chunk.toString()));
      response!.on("end", resolve);
      response!.resume();
    });
    const last = frames.at(-1)!;
    expect(last.event).toBe("gap");
    expect(JSON.parse(last.data)).toEqual({ reason: "overflow", resync: true });
    const deltas = frames.filter((frame) => frame.event === undefined).map((frame) => Number(JSON.parse(frame.data).event.payload.delta.slice(0, -pad.length)));
    expect(deltas).toEqual(Array.from({ length: deltas.length }, (_, n) => n)); // in order, none skipped, before the gap
    expect(deltas.length).toBeLessThan(published);
  });
});
