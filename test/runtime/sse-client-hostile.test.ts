/**
 * The SSE client against hostile servers, each a hand-written node:http server sending exactly what
 * it means to: an id that could not be sent back locks no client out (the client forgets it and
 * resumes without it), a line without an end or an event without an end costs at most
 * `maxEventSize` before the connection is dropped, reported and made again, a server that accepts
 * and drops at once is met with a growing backoff, a stream that never says `live` turns the status
 * `degraded`, and the server's own status frames (its transport down, up) reach `onStatus`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { connectSse, type SseFetch, type SseStatus } from "../../templates/ts/runtime/sse/client.js";
import { binding } from "./example-runtime.js";
import { delta, drained, sleep, waitFor } from "./sse-kit.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A hand-written SSE server: `respond` answers request number `n` (from 0); every request's `Last-Event-ID` is kept. */
async function rawServer(respond: (res: ServerResponse, n: number, req: IncomingMessage) => void) {
  const resumeIds: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    const header = req.headers["last-event-id"];
    resumeIds.push(typeof header === "string" ? header : undefined);
    respond(res, resumeIds.length - 1, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  cleanup.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${address.port}/`, requests: () => resumeIds.length, resumeIds };
}

const stream = (res: ServerResponse): void => void res.writeHead(200, { "content-type": "text/event-stream" });
const LIVE = `event: live\ndata: ${JSON.stringify({ resumed: false, replayed: 0, snapshot: 0 })}\n\n`;
const envelope = (id: string, n: number) => JSON.stringify({ id, time: "2025-01-02T03:04:05.678Z", topic: "s1", event: { type: "message.part.delta.v1", payload: delta(n) } });

/** The host's fetch, counting the bytes the client reads from each response body (the first response's at index 0, …). */
function countingFetch(): { fetch: SseFetch; read: number[] } {
  const read: number[] = [];
  const counted: SseFetch = async (url, init) => {
    const response = await fetch(url, init as RequestInit);
    const index = read.push(0) - 1;
    const body = response.body;
    return {
      status: response.status,
      headers: response.headers,
      body:
        body === null
          ? null
          : {
              getReader() {
                const reader = body.getReader();
                return {
                  async read() {
                    const next = await reader.read();
                    read[index] = (read[index] ?? 0) + (next.value?.byteLength ?? 0);
                    return next;
                  },
                  cancel: (reason?: unknown) => reader.cancel(reason),
                };
              },
            },
    };
  };
  return { fetch: counted, read };
}

/** Writes `total` characters of `unit` repeated, in chunks, with back-pressure, until done or the client hangs up; resolves with what was written. */
async function flood(res: ServerResponse, unit: string, total: number): Promise<number> {
  const chunk = unit.repeat(Math.ceil(65_536 / unit.length));
  let written = 0;
  while (written < total && !res.destroyed) {
    written += chunk.length;
    if (!res.write(chunk)) await drained(res);
  }
  return written;
}

describe("SSE client: ids it could not send back", () => {
  test("a_frame_id_outside_the_id_grammar_is_forgotten_reported_and_the_client_resumes_without_it", async () => {
    const server = await rawServer((res, n) => {
      stream(res);
      if (n === 0) res.end(`id: c1\n${LIVE}id: poisoned-€\ndata: ${envelope("e1", 1)}\n\n`);
      else if (n === 1) res.end(`id: c2\n${LIVE}id: ab\u0001cd\ndata: ${envelope("e2", 2)}\n\n`);
      else if (n === 2) res.end(`id: ${"x".repeat(4097)}\n${LIVE}id: c3\ndata: ${envelope("e3", 3)}\n\n`);
      else res.write(LIVE); // stays open
    });
    const delivered: string[] = [];
    const errors: BusError[] = [];
    const client = connectSse(server.url, { binding, backoffInitialMs: 5, onEvent: (envelope) => delivered.push(envelope.id), onError: (error) => errors.push(error) });
    cleanup.push(() => client.close());
    await waitFor("a fourth connection", () => server.requests() >= 4, 5000, () => `${server.requests()} requests`);
    // The poisoned ids were never sent back, not even the good one before them (the position is unknown); the good one after was.
    expect(server.resumeIds.slice(0, 4)).toEqual([undefined, undefined, undefined, "c3"]);
    expect(client.lastEventId).toBe("c3");
    expect(delivered).toEqual(["e1", "e2", "e3"]);
    expect(errors.map((error) => error.code)).toEqual(["resume-id-invalid", "resume-id-invalid", "resume-id-invalid"]);
    expect(errors[0]?.message).toBe('Forgot the SSE id "poisoned-€" the server sent: it breaks the id grammar (1 to 4096 visible ASCII characters), so the client resumes without an id.');
  });

  test("a_saved_lastEventId_outside_the_id_grammar_is_ignored_with_a_report_and_the_client_connects_without_it", async () => {
    const server = await rawServer((res) => {
      stream(res);
      res.write(LIVE);
    });
    const errors: BusError[] = [];
    let connected = false;
    const client = connectSse(server.url, {
      binding,
      lastEventId: "saved\u0001id",
      onError: (error) => errors.push(error),
      onStatus: (status) => void (status.kind === "connected" && (connected = true)),
    });
    cleanup.push(() => client.close());
    expect(client.lastEventId).toBeUndefined();
    await waitFor("connected", () => connected, 3000);
    expect(server.resumeIds).toEqual([undefined]);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ["resume-id-invalid", 'Ignored the saved lastEventId "saved\\u0001id": it breaks the id grammar (1 to 4096 visible ASCII characters), so the client resumes without an id.'],
    ]);
  });
});

describe("SSE client: bounded events", () => {
  test("a_16_MiB_line_without_an_end_is_dropped_at_maxEventSize_reported_and_the_connection_made_again", async () => {
    const sent: number[] = [];
    const server = await rawServer((res, n) => {
      stream(res);
      res.write(LIVE);
      if (n === 0) void flood(res, "data: ", 16 * 1024 * 1024).then((written) => sent.push(written)); // then stays open
    });
    const errors: BusError[] = [];
    const statuses: SseStatus[] = [];
    const counting = countingFetch();
    const client = connectSse(server.url, { binding, backoffInitialMs: 5, fetch: counting.fetch, onError: (error) => errors.push(error), onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("a second connection", () => server.requests() >= 2, 10_000, () => `${server.requests()} requests`);
    await waitFor("the flood to stop", () => sent.length === 1, 5000);
    // The client read little more than the bound, then hung up long before the 16 MiB were out.
    expect(counting.read[0]).toBeGreaterThan(1024 * 1024);
    expect(counting.read[0]).toBeLessThan(1024 * 1024 + 256 * 1024);
    expect(sent[0]).toBeLessThan(16 * 1024 * 1024);
    const message = "The server sent more than maxEventSize (1048576) characters of one event; the connection was dropped.";
    expect(errors.map((error) => [error.code, error.message])).toEqual([["connection-lost", message]]);
    expect(statuses.find((status) => status.kind === "reconnecting")).toMatchObject({ attempt: 1, error: { message } });
  });

  test("endless_data_lines_without_a_blank_line_are_dropped_at_maxEventSize_and_events_before_them_still_arrive", async () => {
    const sent: number[] = [];
    const server = await rawServer((res, n) => {
      stream(res);
      res.write(`${LIVE}id: c1\ndata: ${envelope("e1", 1)}\n\n`);
      if (n === 0) void flood(res, "data: 0123456789\n", 16 * 1024 * 1024).then((written) => sent.push(written));
    });
    const errors: BusError[] = [];
    const delivered: string[] = [];
    const counting = countingFetch();
    const client = connectSse(server.url, { binding, backoffInitialMs: 5, maxEventSize: 65_536, fetch: counting.fetch, onError: (error) => errors.push(error), onEvent: (envelope) => delivered.push(envelope.id) });
    cleanup.push(() => client.close());
    await waitFor("a second connection", () => server.requests() >= 2, 10_000);
    await waitFor("the flood to stop", () => sent.length === 1, 5000);
    expect(counting.read[0]).toBeGreaterThan(65_536);
    expect(counting.read[0]).toBeLessThan(65_536 + 256 * 1024);
    expect(sent[0]).toBeLessThan(16 * 1024 * 1024);
    expect(errors.map((error) => error.message)).toEqual(["The server sent more than maxEventSize (65536) characters of one event; the connection was dropped."]);
    expect(delivered).toEqual(["e1"]); // the replayed copy on the second connection is a duplicate
    expect(server.resumeIds.slice(0, 2)).toEqual([undefined, "c1"]);
  });

  test("an_event_up_to_maxEventSize_arrives_and_one_over_it_in_a_single_read_is_dropped_too", async () => {
    const server = await rawServer((res, n) => {
      stream(res);
      const small = envelope("e1", 1);
      const big = envelope("e2", 2).replace('"delta":"2"', `"delta":"2${"y".repeat(1200)}"`);
      if (n === 0) res.write(`${LIVE}data: ${small}\n\ndata: ${big}\n\n`);
      else res.write(LIVE);
    });
    const errors: BusError[] = [];
    const delivered: string[] = [];
    const client = connectSse(server.url, { binding, backoffInitialMs: 5, maxEventSize: 1000, onError: (error) => errors.push(error), onEvent: (envelope) => delivered.push(envelope.id) });
    cleanup.push(() => client.close());
    await waitFor("a second connection", () => server.requests() >= 2, 5000);
    expect(delivered).toEqual(["e1"]);
    expect(errors.map((error) => error.code)).toEqual(["connection-lost"]);
  });

  test("events_under_maxEventSize_with_any_line_end_all_arrive_when_reads_split_their_blank_lines", async () => {
    const ends = ["\n", "\r\n", "\r"];
    // Each write ends inside a blank line, so the next read begins with its second line end.
    const writes = [LIVE];
    for (let n = 0; n < 300; n += 1) {
      const end = ends[n % 3]!;
      writes.push(`: note${end}id: c${n}${end}data: ${envelope(`e${n}`, n)}${end}`, end); // about 220 characters an event
    }
    writes.push(": a lone CR at the end waits for what follows it\n");
    const server = await rawServer((res) => {
      stream(res);
      void (async () => {
        for (let index = 0; index < writes.length && !res.destroyed; index += 1) {
          res.write(writes[index]!);
          if (index % 2 === 1) await sleep(1); // after the first line end of a blank line
        }
      })();
    });
    const errors: BusError[] = [];
    const delivered: string[] = [];
    const client = connectSse(server.url, { binding, maxEventSize: 300, onError: (error) => errors.push(error), onEvent: (envelope) => delivered.push(envelope.id) });
    cleanup.push(() => client.close());
    await waitFor("every event", () => delivered.length === 300 || errors.length > 0, 10_000, () => `${delivered.length} delivered`);
    expect(errors).toEqual([]);
    expect(client.stats().connections).toBe(1);
    expect(client.lastEventId).toBe("c299");
  });

  test("maxEventSize_must_be_a_positive_integer", () => {
    expect(() => connectSse("http://127.0.0.1:1/", { binding, maxEventSize: 0 })).toThrow(RangeError);
  });
});

describe("SSE client: backoff against a server that accepts and drops", () => {
  test("a_connection_that_goes_live_and_drops_at_once_does_not_start_the_backoff_over", async () => {
    const server = await rawServer((res) => {
      stream(res);
      res.end(LIVE);
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, backoffInitialMs: 10, backoffMaxMs: 10_000, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("five reconnections", () => statuses.filter((status) => status.kind === "reconnecting").length >= 5, 5000);
    client.close();
    const attempts = statuses.flatMap((status) => (status.kind === "reconnecting" ? [status.attempt] : []));
    expect(attempts.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  test("a_connection_that_stayed_live_for_healthyAfterMs_starts_the_backoff_over", async () => {
    const server = await rawServer((res) => {
      stream(res);
      res.write(LIVE);
      setTimeout(() => res.end(), 120);
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, backoffInitialMs: 10, healthyAfterMs: 50, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("three reconnections", () => statuses.filter((status) => status.kind === "reconnecting").length >= 3, 5000);
    const attempts = statuses.flatMap((status) => (status.kind === "reconnecting" ? [status.attempt] : []));
    expect(attempts.slice(0, 3)).toEqual([1, 1, 1]);
  });

  test("refused_and_dropped_connections_that_never_went_live_count_as_failures", async () => {
    const server = await rawServer((res, n) => {
      if (n % 2 === 0) res.writeHead(503).end();
      else {
        stream(res);
        res.end(": hello\n\n"); // accepted, dropped before live
      }
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, backoffInitialMs: 5, backoffMaxMs: 10_000, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("four reconnections", () => statuses.filter((status) => status.kind === "reconnecting").length >= 4, 5000);
    client.close();
    const attempts = statuses.flatMap((status) => (status.kind === "reconnecting" ? [status.attempt] : []));
    expect(attempts.slice(0, 4)).toEqual([1, 2, 3, 4]);
  });
});

describe("SSE client: degraded while connected", () => {
  test("comments_without_a_live_frame_turn_the_status_degraded_after_liveTimeoutMs_and_the_connection_is_kept", async () => {
    const open: ServerResponse[] = [];
    const server = await rawServer((res) => {
      stream(res);
      open.push(res);
      const beat = setInterval(() => res.write(": still here\n\n"), 20);
      res.on("close", () => clearInterval(beat));
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, liveTimeoutMs: 100, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("degraded", () => statuses.some((status) => status.kind === "degraded"), 3000);
    expect(statuses).toEqual([
      { kind: "connecting", attempt: 0 },
      { kind: "degraded", reason: "live-timeout", attempt: 0, error: new Error("no live frame from the server within 100 ms (liveTimeoutMs)") },
    ]);
    open[0]!.write(LIVE);
    await waitFor("connected", () => statuses.some((status) => status.kind === "connected"), 3000);
    expect(client.stats().connections).toBe(1);
    expect(server.requests()).toBe(1);
  });

  test("the_servers_transport_down_and_up_frames_turn_the_status_degraded_and_then_connected_again", async () => {
    const open: ServerResponse[] = [];
    const live = { resumed: false, replayed: 0, snapshot: 2 };
    const server = await rawServer((res) => {
      stream(res);
      open.push(res);
      res.write(`event: live\ndata: ${JSON.stringify(live)}\n\nevent: status\ndata: {"transport":"up"}\n\n`); // up while up: nothing to say
    });
    const statuses: SseStatus[] = [];
    const client = connectSse(server.url, { binding, onStatus: (status) => statuses.push(status) });
    cleanup.push(() => client.close());
    await waitFor("connected", () => statuses.some((status) => status.kind === "connected"), 3000);
    open[0]!.write('event: status\ndata: {"transport":"down","reason":"Redis connection lost: ECONNREFUSED"}\n\n');
    await waitFor("degraded", () => statuses.some((status) => status.kind === "degraded"), 3000);
    open[0]!.write('event: status\ndata: {"transport":"up"}\n\n');
    await waitFor("recovered", () => statuses.length >= 4, 3000);
    await sleep(20);
    expect(statuses).toEqual([
      { kind: "connecting", attempt: 0 },
      { kind: "connected", live, recovered: false, channel: "sse" },
      {
        kind: "degraded",
        reason: "server-down",
        attempt: 0,
        error: new Error("the server's event transport is down (events may be missing until it is up): Redis connection lost: ECONNREFUSED"),
        server: { transport: "down", reason: "Redis connection lost: ECONNREFUSED" },
      },
      { kind: "connected", live, recovered: true, channel: "sse" },
    ]);
    expect(client.stats().connections).toBe(1);
  });
});
