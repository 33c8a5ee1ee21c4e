/**
 * The SSE client against real HTTP servers: the heartbeat watchdog drops a silent connection and
 * makes it again (and heartbeats keep a quiet one), every frame is validated against the catalogue
 * and delivered once, reconnection backs off with full jitter and says `degraded`, a refusal is not
 * retried, the async iterator hands over what `onEvent` sees, and a browser bundle of the client
 * carries no Node built-in, no Redis code and no server code.
 */
import { createServer, type ServerResponse } from "node:http";
import path from "node:path";
import { build } from "esbuild";
import { afterEach, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/core/errors.js";
import { createCoalescerFor } from "../../templates/ts/runtime/coalescer.js";
import { connectSse, type SseStatus } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { ROOT } from "../helpers.js";
import { freePort } from "./redis-server.js";
import { binding, createBus } from "./example-runtime.js";
import { delta, serve, sleep, waitFor } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A hand-written SSE server: `respond` writes what each request gets. */
async function rawServer(respond: (res: ServerResponse, request: number) => void) {
  let requests = 0;
  const server = createServer((_req, res) => respond(res, requests++));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  cleanup.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${address.port}/`, requests: () => requests };
}

const envelope = (id: string, payload: unknown, type = "message.part.delta.v1") => JSON.stringify({ id, time: "2025-01-02T03:04:05.678Z", topic: "s1", event: { type, payload } });

describe("SSE client watchdog", () => {
  test("the_heartbeat_watchdog_drops_a_silent_connection_and_makes_it_again", async () => {
    const server = await rawServer((res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: live\ndata: {}\n\n"); // then silence: a proxy that swallowed the stream
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, watchdogMs: 100, backoffInitialMs: 5, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("three connections", () => server.requests() >= 3, 3000);
    const reconnecting = statuses.filter((status) => status.kind === "reconnecting");
    expect(reconnecting.length).toBeGreaterThanOrEqual(2);
    expect(reconnecting[0]).toMatchObject({ error: { message: "no data from the server for 100 ms (watchdog)" } });
  });

  test("heartbeats_keep_a_quiet_connection_open", async () => {
    const bus = createBus();
    const handler = createSseHandler(bus, { binding, heartbeatMs: 30 });
    const served = await serve(handler);
    cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
    const client = connectSse(served.url, { binding, watchdogMs: 150 });
    cleanup.push(() => client.close());
    await sleep(600);
    expect(client.stats().connections).toBe(1);
  });
});

describe("SSE client validation and de-duplication", () => {
  test("every_frame_is_validated_against_the_catalogue_and_each_envelope_is_delivered_once", async () => {
    const server = await rawServer((res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`id: 1\ndata: ${envelope("e1", delta(1))}\n\n`);
      res.write(`id: 2\ndata: ${envelope("e2", { sessionID: "s1" })}\n\n`); // payload fields missing
      res.write(`id: 3\ndata: ${envelope("e3", {}, "session.future.v9")}\n\n`); // a newer producer's event
      res.write("id: 4\ndata: {not json\n\n");
      res.write(`id: 45\ndata: ${envelope("e45", delta(45)).replace('{"id":"e45"', '{"id":"e45","id":"e45"')}\n\n`); // a repeated member name
      res.write(`id: 5\ndata: ${envelope("e1", delta(1))}\n\n`); // the same envelope again
      res.write(`id: 6\ndata: ${envelope("e6", delta(6))}\n\n`);
    });
    const delivered: string[] = [];
    const errors: BusError[] = [];
    const client = connectSse(server.url, { binding, onEvent: (envelope) => delivered.push(envelope.id), onError: (error) => errors.push(error) });
    cleanup.push(() => client.close());
    await waitFor("the last envelope", () => delivered.includes("e6"));
    expect(delivered).toEqual(["e1", "e6"]);
    expect(errors.map((error) => error.code)).toEqual(["message-invalid", "message-unknown-type", "message-undecodable", "message-undecodable"]);
    expect(errors[3]?.message).toContain("a member name is repeated in an object");
    expect(client.stats()).toMatchObject({ delivered: 2, duplicates: 1, dropped: 4 });
    expect(client.lastEventId).toBe("6");
  });
});

describe("SSE client reconnection", () => {
  test("reconnection_delays_are_full_jitter_under_a_doubling_bound_and_the_status_turns_degraded", async () => {
    const port = await freePort(); // nothing listens: every attempt fails at once
    const statuses: SseStatus[] = [];
    const client = connectSse(`http://127.0.0.1:${port}/`, { binding, backoffInitialMs: 20, backoffMaxMs: 80, degradedAfter: 3, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("six attempts", () => statuses.filter((status) => status.kind === "reconnecting").length >= 6, 5000);
    client.close();
    const delays = statuses.flatMap((status) => (status.kind === "reconnecting" ? [[status.attempt, status.delayMs]] : []));
    const bounds = [20, 40, 80, 80, 80, 80];
    delays.slice(0, 6).forEach(([attempt, delay], index) => {
      expect(attempt).toBe(index + 1);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(bounds[index]!);
    });
    const kinds = statuses.map((status) => status.kind);
    expect(kinds.slice(0, 7)).toEqual(["connecting", "reconnecting", "reconnecting", "reconnecting", "degraded", "reconnecting", "degraded"]);
    expect(kinds.at(-1)).toBe("closed");
  });

  test("a_server_error_is_retried_and_a_204_ends_the_stream_for_good", async () => {
    const server = await rawServer((res, request) => {
      if (request === 0) res.writeHead(503).end();
      else res.writeHead(204).end();
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, backoffInitialMs: 5, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("closed", () => statuses.some((status) => status.kind === "closed"));
    expect(server.requests()).toBe(2);
    expect(statuses.at(-1)).toMatchObject({ kind: "closed", error: { message: "the server answered 204 No Content: no more events" } });
  });
});

describe("SSE client as an async iterator", () => {
  test("for_await_receives_what_onEvent_receives_and_ends_on_close", async () => {
    const bus = createBus();
    const handler = createSseHandler(bus, { binding });
    const served = await serve(handler);
    cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
    let connected = false;
    const viaCallback: string[] = [];
    const client = connectSse(served.url, {
      binding,
      onEvent: (envelope) => viaCallback.push(envelope.id),
      onStatus: (status) => void (status.kind === "connected" && (connected = true)),
    });
    const iterated: string[] = [];
    const reading = (async () => {
      for await (const envelope of client) {
        iterated.push(envelope.id);
        if (iterated.length === 3) client.close();
      }
    })();
    await waitFor("connected", () => connected);
    for (let n = 0; n < 5; n += 1) await bus.publish("message.part.delta", delta(n));
    await reading;
    expect(iterated).toEqual(viaCallback.slice(0, 3));
  });
});

describe("SSE client feeding a coalescer", () => {
  test("a_coalescer_consumes_the_client_and_ends_with_the_last_state_of_each_key_and_every_unkeyed_event_in_order", async () => {
    const bus = createBus();
    const handler = createSseHandler(bus, { binding });
    const served = await serve(handler);
    cleanup.push(() => bus.close(), () => handler.close(), () => served.close());
    let connected = false;
    const client = connectSse(served.url, { binding, onStatus: (status) => void (status.kind === "connected" && (connected = true)) });
    const state = new Map<string, string>();
    const deltas: number[] = [];
    let batches = 0;
    const coalescer = createCoalescerFor(binding, {
      onFlush(batch) {
        batches += 1;
        for (const envelope of batch) {
          if (envelope.event.type === "session.status.v2") state.set(envelope.event.payload.sessionID, envelope.event.payload.status.type);
          if (envelope.event.type === "message.part.delta.v1") deltas.push(Number(envelope.event.payload.delta));
        }
      },
    });
    const consuming = coalescer.consume(client);
    await waitFor("connected", () => connected);
    const kinds = ["busy", "idle", "busy"] as const;
    for (let n = 0; n < 300; n += 1) {
      void bus.publish("session.status", { sessionID: `s${n % 3}`, status: { type: kinds[n % kinds.length]! } });
      void bus.publish("message.part.delta", delta(n));
    }
    await waitFor("every delta", () => deltas.length === 300);
    client.close();
    await consuming;
    coalescer.close();
    expect(deltas).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(Object.fromEntries(state)).toEqual({ s0: "busy", s1: "idle", s2: "busy" });
    expect(batches).toBeLessThan(300);
  });
});

describe("SSE client in a browser bundle", () => {
  test("a_browser_bundle_of_the_client_and_the_coalescer_contains_no_node_built_in_no_redis_code_and_no_server_code", async () => {
    const result = await build({
      stdin: {
        contents: `import { connectSse } from "./generated/runtime/sse/client.js";
import { createCoalescerFor } from "./generated/runtime/coalescer.js";
import { eventMeta, isEventType, parseEnvelope } from "./generated/ts/index.js";
const meta = (type) => (isEventType(type) ? eventMeta[type] : undefined);
export const open = (url, onFlush) => createCoalescerFor({ meta }, { onFlush }).consume(connectSse(url, { binding: { parseEnvelope } }));`,
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const code = result.outputFiles[0]!.text;
    const inputs = Object.keys(result.metafile.inputs).map((input) => input.split(path.sep).join("/").replace(/^.*generated\/runtime\//, ""));
    expect(inputs.some((input) => input.includes("eventsource-parser"))).toBe(true);
    expect(inputs).toContain("coalescer.ts");
    for (const forbidden of ["transports/redis/pubsub.ts", "transports/redis/streams.ts", "sse/server.ts", "sse/http.ts", "bus/bus.ts", "transports/memory.ts"]) expect(inputs).not.toContain(forbidden);
    expect(code).not.toMatch(/from\s*"node:|require\(|process\.|Buffer\./);
    for (const name of ["XREAD", "XADD", "pSubscribe", "spublish", "writeHead"]) expect(code.includes(name), name).toBe(false);
    // The client's own share (runtime modules and the parser; the rest is the SDK: validators, wire rules), minified.
    // About 19.5 kB with the bounds against a hostile server (event size, id grammar, backoff, live timeout, server status),
    // the default onError that writes repeated failures once (core/platform.ts), and the receiver and backoff the client
    // shares with the other live channels' clients (client/): 370 bytes more gzipped than the client that had its own.
    // About 21.2 kB with the hooks of the client over several channels (polling, the ladder's questions at each
    // attempt; the ladder itself, client/ladder.ts, is left out): 480 bytes more gzipped.
    // About 22.1 kB with `version: "latest"` in the client and the coalescer (core/upgrade.ts: the upgrade, its
    // `upgrade-unavailable` report and the binding check; their call sites): 195 bytes more gzipped.
    const output = Object.values(result.metafile.outputs)[0]!;
    const own = Object.entries(output.inputs).filter(([input]) => !input.startsWith("generated/ts/")).reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
    expect(inputs).not.toContain("client/ladder.ts");
    expect(own).toBeLessThan(22_400);
  });
});
