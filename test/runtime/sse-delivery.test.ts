/**
 * SSE delivery over real HTTP on one server: every event exactly once and in order across forced
 * disconnects (the server cuts the sockets; the client resumes with Last-Event-ID), through Node's
 * http handler and through the fetch-style handler; recovery is all or nothing; a late joiner gets
 * the current state first.
 */
import { afterEach, describe, expect, test } from "vitest";
import { connectSse, type SseStatus } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler, type SseHandler } from "../../templates/ts/runtime/sse/server.js";
import { binding, createBus } from "./example-runtime.js";
import { delta, openRaw, serve, sleep, waitFor, type ServedSse } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(via: "node" | "fetch", options: Partial<Parameters<typeof createSseHandler>[1]> = {}) {
  const bus = createBus();
  const handler: SseHandler = createSseHandler(bus, { binding, heartbeatMs: 1000, ...options });
  const served: ServedSse = await serve(handler, via);
  cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
  return { bus, handler, served };
}

/** Publishes `count` deltas, cutting every connection from the server's side `cuts` times along the way; resolves with what the client saw. */
async function exchange(via: "node" | "fetch", count: number, cuts: number) {
  const { bus, served } = await setup(via);
  const received: number[] = [];
  const statuses: SseStatus["kind"][] = [];
  const client = connectSse(served.url, {
    binding,
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
  const every = Math.floor(count / cuts);
  let cut = 0;
  for (let n = 0; n < count; n += 1) {
    void bus.publish("message.part.delta", delta(n));
    if ((n + 1) % every === 0 && cut < cuts) {
      // Each cut hits a live connection, in the middle of the flow: part of the batch is on the wire.
      await waitFor("the client to be back", () => statuses.filter((kind) => kind === "connected").length > cut);
      await new Promise((resolve) => setImmediate(resolve));
      if (served.cut() > 0) cut += 1;
    }
  }
  await waitFor(`${count} events`, () => received.length >= count, 30_000);
  // Connections cut this soon after going live count as failures: the last reconnect waits out its backoff.
  await waitFor("the connection after the last cut", () => client.stats().connections > cut, 5000);
  await sleep(20);
  return { received, statuses, stats: client.stats(), cut };
}

describe("SSE delivery across forced disconnects", () => {
  test("resumes_from_last_event_id_after_100_forced_disconnects_delivering_10000_events_exactly_once_in_order", async () => {
    const { received, statuses, stats, cut } = await exchange("node", 10_000, 100);
    expect(cut).toBe(100);
    expect(received).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
    expect(stats.connections).toBeGreaterThanOrEqual(101);
    expect(stats.duplicates).toBe(0); // the server replayed exactly what was missing; the client had nothing to drop
    expect(statuses).not.toContain("gap");
  });

  test("the_fetch_style_handler_through_a_real_Request_and_Response_resumes_the_same_way", async () => {
    const { received, statuses, stats } = await exchange("fetch", 2000, 20);
    expect(received).toEqual(Array.from({ length: 2000 }, (_, n) => n));
    expect(stats.connections).toBeGreaterThanOrEqual(21);
    expect(statuses).not.toContain("gap");
  });
});

describe("SSE recovery is all or nothing", () => {
  test("a_resume_id_older_than_the_replay_window_gets_a_gap_event_and_no_partial_replay", async () => {
    const { bus, served } = await setup("node", { replayWindow: 100 });
    const first = await bus.publish("message.part.delta", delta(0));
    for (let n = 1; n <= 150; n += 1) await bus.publish("message.part.delta", delta(n));
    const raw = await openRaw(served.url, { "last-event-id": first.id });
    const live = await raw.until((frame) => frame.event === "live");
    raw.close();
    const [gap, ...rest] = raw.frames;
    expect(gap?.event).toBe("gap");
    expect(JSON.parse(gap?.data ?? "")).toEqual({ reason: "resume-too-old", resync: true, lastEventId: first.id });
    expect(rest).toEqual([live]); // nothing replayed: not the 100 events still kept
    expect(JSON.parse(live.data)).toEqual({ resumed: false, replayed: 0, snapshot: 0 });
  });

  test("an_unknown_resume_id_from_another_server_gets_a_gap_event", async () => {
    const { served } = await setup("node");
    const raw = await openRaw(`${served.url}?lastEventId=start-elsewhere`);
    await raw.until((frame) => frame.event === "live");
    raw.close();
    expect(raw.frames.map((frame) => frame.event)).toEqual(["gap", "live"]);
  });

  test("a_resume_id_within_the_window_replays_exactly_the_selected_events_after_it_from_the_query_parameter_too", async () => {
    const { bus, served } = await setup("node");
    const sent = [];
    for (let n = 0; n < 10; n += 1) {
      sent.push(await bus.publish("message.part.delta", delta(n, n % 2 === 0 ? "s1" : "s2")));
      await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    }
    const raw = await openRaw(`${served.url}?events=message.part.delta&topic=s1&lastEventId=${encodeURIComponent(sent[3]!.id)}`);
    await raw.until((frame) => frame.event === "live");
    raw.close();
    const replayed = raw.frames.filter((frame) => frame.event === undefined).map((frame) => JSON.parse(frame.data).event.payload.delta);
    expect(replayed).toEqual(["4", "6", "8"]);
    expect(raw.frames.filter((frame) => frame.event === undefined).map((frame) => frame.id)).toEqual([sent[4]!.id, sent[6]!.id, sent[8]!.id]);
    const live = raw.frames.find((frame) => frame.event === "live")!;
    expect(JSON.parse(live.data)).toEqual({ resumed: true, replayed: 3, snapshot: 0 });
  });

  test("a_client_that_connected_before_anything_was_published_resumes_from_the_start", async () => {
    const { bus, served } = await setup("node");
    const first = await openRaw(served.url);
    const live = await first.until((frame) => frame.event === "live");
    first.close();
    await bus.publish("message.part.delta", delta(1));
    const again = await openRaw(served.url, { "last-event-id": live.id! });
    await again.until((frame) => frame.event === "live");
    again.close();
    expect(again.frames.map((frame) => frame.event ?? "message")).toEqual(["message", "live"]);
  });
});

describe("SSE late-joiner snapshot", () => {
  test("a_new_connection_first_receives_the_latest_envelope_of_each_coalesce_key_in_its_selection_then_the_live_stream", async () => {
    const { bus, served } = await setup("node", { snapshot: true });
    await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    await bus.publish("session.status", { sessionID: "s2", status: { type: "busy" } });
    await bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } });
    await bus.publish("message.part.delta", delta(1)); // no coalesce key: not state
    await bus.publish("todo.updated", { sessionID: "s1", todos: [] });
    const snapshots: string[] = [];
    const live: string[] = [];
    let connected = false;
    const client = connectSse(served.url, {
      binding,
      events: ["session.*"],
      topics: ["s1"],
      onEvent: (envelope, delivery) => {
        const line = `${envelope.event.type} ${JSON.stringify(envelope.event.payload)}`;
        (delivery.snapshot ? snapshots : live).push(line);
      },
      onStatus: (status) => void (status.kind === "connected" && (connected = true)),
    });
    cleanup.push(() => client.close());
    await waitFor("connected", () => connected);
    expect(snapshots).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"idle"}}']);
    await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    await waitFor("a live event", () => live.length === 1);
    expect(live).toEqual(['session.status.v2 {"sessionID":"s1","status":{"type":"busy"}}']);
  });
});
