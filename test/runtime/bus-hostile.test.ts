/**
 * The bus when its own users turn against it: subscribers that publish to each other forever,
 * producers that never yield, payloads that are not what they seem (inherited fields, `toJSON`,
 * accessors, class instances), caller-given envelope ids, tens of thousands of subscriptions on one
 * route, a Redis outage that fails every publish, and the transport status across a real
 * redis-server killed and restarted.
 */
import type { Redis } from "ioredis";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { EventEnvelope } from "../../generated/ts/index.js";
import { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createErrorLog, logError, runLater } from "../../templates/ts/runtime/core/platform.js";
import { createRedisTransport, type RedisConnection } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import type { TransportStatus } from "../../templates/ts/runtime/transports/transport.js";
import { createBus } from "./example-runtime.js";
import { settle } from "./turns.js";
import { admin, CLIENTS, connectPair, sleep, waitFor } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";


function errorsOf(): { errors: BusError[]; onError: (error: BusError) => void } {
  const errors: BusError[] = [];
  return { errors, onError: (error) => void errors.push(error) };
}

/** A valid `permission.asked` payload: optional `callID`, an array, and a free-form `metadata` object. */
const asked = () => ({ id: "p1", sessionID: "s1", messageID: "m1", permission: "bash" as const, patterns: ["ls"], title: "List", metadata: { depth: 1 } });

/** A full collection, so that heap samples count what is retained, not garbage not yet collected. */
const collect: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/**
 * Runs `start` (which begins an endless exchange) for `ms` while a 10 ms interval timer counts its
 * ticks and, every tenth tick, samples the heap after a full collection; `stop` ends the exchange
 * from that timer. `heapGrowth` is what the heap retained beyond its first sample — a queue that
 * grows with the exchange shows there, garbage does not. An exchange also checks a `guardFor` bound
 * itself, so a runtime whose delivery never yields to the timer fails the test instead of hanging it.
 */
async function underLoad(ms: number, start: () => void, stop: () => void): Promise<{ ticks: number; heapGrowth: number }> {
  const heap: number[] = [];
  let ticks = 0;
  let stopped = false;
  const done = new Promise<void>((resolve) => {
    const started = Date.now();
    const timer = setInterval(() => {
      ticks += 1;
      if (ticks % 10 === 1) {
        collect();
        heap.push(process.memoryUsage().heapUsed);
      }
      if (Date.now() - started >= ms && !stopped) {
        stopped = true;
        clearInterval(timer);
        stop();
        resolve();
      }
    }, 10);
    // Also stops, at the latest, a while after the deadline when the interval never got to run.
    setTimeout(() => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stop();
      resolve();
    }, ms + 1000);
  });
  start();
  await done;
  const first = heap[0] ?? 0;
  return { ticks, heapGrowth: heap.length < 2 ? Number.POSITIVE_INFINITY : Math.max(...heap) - first };
}

/** A hard bound for an exchange that may starve every timer: a time and a count the exchange itself checks. */
function guardFor(ms: number): () => boolean {
  const end = Date.now() + ms + 3000;
  let calls = 0;
  return () => (calls += 1) > 2_000_000 || Date.now() > end;
}

describe("in-process delivery yields to the event loop", () => {
  test("two_subscribers_publishing_to_each_other_let_a_timer_fire_every_10ms_and_memory_stay_bounded", async () => {
    const bus = createBus({ validate: false });
    const guard = guardFor(1000);
    let hops = 0;
    let offA = (): void => {};
    let offB = (): void => {};
    const result = await underLoad(
      1000,
      () => {
        offA = bus.subscribe("file.edited", () => {
          hops += 1;
          if (!guard()) void bus.publish("session.compacted", { sessionID: "s1" });
        });
        offB = bus.subscribe("session.compacted", () => {
          hops += 1;
          if (!guard()) void bus.publish("file.edited", { file: "a" });
        });
        void bus.publish("file.edited", { file: "a" });
      },
      () => {
        offA();
        offB();
      },
    );
    expect(result.ticks).toBeGreaterThanOrEqual(30);
    expect(hops).toBeGreaterThan(1000);
    expect(result.heapGrowth).toBeLessThan(16 * 1024 * 1024);
    // Unsubscribing stopped it: nothing more arrives.
    const after = hops;
    await sleep(50);
    expect(hops).toBe(after);
    await bus.close();
  });

  test("a_ping_pong_of_awaited_publishes_lets_a_timer_fire_every_10ms", async () => {
    const bus = createBus({ validate: false });
    const guard = guardFor(1000);
    let hops = 0;
    const offs: (() => void)[] = [];
    const result = await underLoad(
      1000,
      () => {
        // Each hop publishes after its handler returned, from a promise chain: no delivery is running then.
        offs.push(
          bus.subscribe("file.edited", async () => {
            hops += 1;
            await null;
            if (!guard()) await bus.publish("session.compacted", { sessionID: "s1" });
          }),
        );
        offs.push(
          bus.subscribe("session.compacted", async () => {
            hops += 1;
            await bus.publish("message.removed", { sessionID: "s1", messageID: "m1" });
            if (!guard()) await bus.publish("file.edited", { file: "a" });
          }),
        );
        void bus.publish("file.edited", { file: "a" });
      },
      () => {
        for (const off of offs) off();
      },
    );
    expect(result.ticks).toBeGreaterThanOrEqual(30);
    expect(hops).toBeGreaterThan(1000);
    await bus.close();
  });

  test("a_producer_awaiting_each_publish_in_an_endless_loop_lets_a_timer_fire_and_memory_stay_bounded", async () => {
    const bus = createBus({ validate: false });
    const guard = guardFor(1000);
    let received = 0;
    let running = true;
    const off = bus.subscribe("file.edited", () => void (received += 1));
    const result = await underLoad(
      1000,
      () =>
        void (async () => {
          while (running && !guard()) await bus.publish("file.edited", { file: "a" });
        })(),
      () => {
        running = false;
      },
    );
    off();
    expect(result.ticks).toBeGreaterThanOrEqual(30);
    expect(received).toBeGreaterThan(1000);
    expect(result.heapGrowth).toBeLessThan(16 * 1024 * 1024);
    await bus.close();
  });

  test("what_a_subscriber_publishes_in_reaction_is_delivered_after_everything_already_waiting", async () => {
    const bus = createBus({ validate: false });
    const order: string[] = [];
    bus.subscribe("file.edited", (envelope) => {
      order.push(envelope.event.payload.file);
      if (envelope.event.payload.file === "1") void bus.publish("file.edited", { file: "reaction" });
    });
    for (const file of ["1", "2", "3"]) void bus.publish("file.edited", { file });
    await waitFor("4 deliveries", () => order.length === 4, 2000);
    expect(order).toEqual(["1", "2", "3", "reaction"]);
    await bus.close();
  });
});

describe("a later macrotask on every host", () => {
  test.each([
    ["setImmediate", []],
    ["a MessageChannel", ["setImmediate"]],
    ["setTimeout", ["setImmediate", "MessageChannel"]],
  ] as const)("runLater_with_%s_runs_callbacks_in_order_after_the_pending_microtasks", async (_, hidden) => {
    for (const name of hidden) vi.stubGlobal(name, undefined);
    try {
      const order: string[] = [];
      await new Promise<void>((resolve) => {
        runLater(() => {
          order.push("first");
          runLater(() => {
            order.push("third");
            resolve();
          });
        });
        runLater(() => void order.push("second"));
        void Promise.resolve().then(() => void order.push("microtask"));
      });
      expect(order).toEqual(["microtask", "first", "second", "third"]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("validate: true checks what goes on the wire", () => {
  test("a_payload_whose_field_is_inherited_is_refused_not_sent_without_it", async () => {
    const bus = createBus();
    const seen: unknown[] = [];
    bus.subscribe("file.edited", (envelope) => void seen.push(envelope));
    const payload = Object.create({ file: "inherited" }) as { file: string };
    const refusal = await bus.publish("file.edited", payload).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BusError);
    expect(refusal).toMatchObject({ code: "publish-invalid", message: expect.stringContaining("not a plain object") });
    await settle();
    expect(seen).toEqual([]);
    await bus.close();
  });

  test("a_payload_or_value_with_toJSON_a_class_instance_or_a_non_json_value_is_refused_with_its_path", async () => {
    const bus = createBus();
    const refused = async (payload: unknown) => {
      const error = (await bus.publish("permission.asked", payload as never).catch((caught: unknown) => caught)) as BusError;
      expect(error).toBeInstanceOf(BusError);
      expect(error.code).toBe("publish-invalid");
      return error.message;
    };
    expect(await refused({ ...asked(), toJSON: () => ({ evil: true }) })).toMatch(/\(root\): has toJSON/);
    expect(await refused({ ...asked(), metadata: { when: new Date(0) } })).toMatch(/\/metadata\/when: .*Date/);
    class Metadata {
      depth = 1;
    }
    expect(await refused({ ...asked(), metadata: new Metadata() })).toMatch(/\/metadata: .*Metadata/);
    expect(await refused({ ...asked(), metadata: new Map([["depth", 1]]) })).toMatch(/\/metadata: .*Map/);
    expect(await refused({ ...asked(), metadata: { run: () => 1 } })).toMatch(/\/metadata\/run: .*function/);
    expect(await refused({ ...asked(), metadata: { big: 1n } })).toMatch(/\/metadata\/big: .*bigint/);
    expect(await refused({ ...asked(), patterns: ["a", undefined] })).toMatch(/\/patterns\/1: /);
    // eslint-disable-next-line no-sparse-arrays
    expect(await refused({ ...asked(), patterns: ["a", , "c"] })).toMatch(/\/patterns\/1: /);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(await refused({ ...asked(), metadata: cyclic })).toMatch(/nested deeper than/);
    const throwing = { ...asked() };
    Object.defineProperty(throwing, "title", {
      enumerable: true,
      get: () => {
        throw new Error("no title today");
      },
    });
    expect(await refused(throwing)).toMatch(/\/title: .*no title today/);
    await bus.close();
  });

  test("in_process_subscribers_receive_exactly_what_a_remote_subscriber_would_decode", async () => {
    const bus = createBus();
    const seen: EventEnvelope[] = [];
    bus.subscribe("permission.asked", (envelope) => void seen.push(envelope));
    let reads = 0;
    const payload: Record<string, unknown> = { ...asked(), callID: undefined, metadata: { score: -0, tags: ["x"] } };
    Object.defineProperty(payload, "title", { enumerable: true, get: () => `read ${(reads += 1)}` });
    Object.defineProperty(payload, "hidden", { enumerable: false, value: "never on the wire" });
    const envelope = await bus.publish("permission.asked", payload as never);
    // The publisher changes its object afterwards: what was published stays as it was.
    (payload["metadata"] as { tags: string[] }).tags.push("later");
    payload["patterns"] = ["changed"];
    await settle();
    expect(seen).toHaveLength(1);
    const received = seen[0] as EventEnvelope;
    const wire = JSON.parse(JSON.stringify(envelope)) as unknown;
    expect(received).toStrictEqual(wire);
    expect(received.event.payload).toStrictEqual({ id: "p1", sessionID: "s1", messageID: "m1", permission: "bash", patterns: ["ls"], title: "read 1", metadata: { score: 0, tags: ["x"] } });
    expect(reads).toBe(1);
    await bus.close();
  });

  test("null_is_json_data_wherever_the_schema_allows_it_and_is_sent_as_it_is", async () => {
    const bus = createBus();
    const seen: EventEnvelope[] = [];
    bus.subscribe("*", (envelope) => void seen.push(envelope));
    const info = {
      role: "assistant" as const,
      id: "m1",
      sessionID: "s1",
      parentID: "u1",
      modelID: "model",
      providerID: "provider",
      cost: 0,
      tokens: { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 0 } },
      finish: null, // a nullable field while the reply streams
      time: { created: 1 },
    };
    await bus.publish("message.updated", { info });
    await bus.publish("permission.asked", { ...asked(), metadata: { nothing: null, list: [null, 1, { deep: null }] } });
    await settle();
    expect(seen.map((envelope) => envelope.event.payload)).toStrictEqual([{ info }, { ...asked(), metadata: { nothing: null, list: [null, 1, { deep: null }] } }]);
    await bus.close();
  });

  test("validate_false_still_sends_the_payload_object_as_it_is", async () => {
    const bus = createBus({ validate: false });
    const payload = { file: "a" };
    const envelope = await bus.publish("file.edited", payload);
    expect(envelope.event.payload).toBe(payload);
    await bus.close();
  });
});

describe("caller-given envelope ids", () => {
  test("publish_takes_a_caller_given_id_and_refuses_one_that_breaks_the_id_grammar", async () => {
    const bus = createBus();
    const seen: string[] = [];
    bus.subscribe("file.edited", (envelope) => void seen.push(envelope.id));
    expect((await bus.publish("file.edited", { file: "a" }, { id: "order-42:attempt/1" })).id).toBe("order-42:attempt/1");
    for (const id of ["", "has space", "line\nbreak", "é", "x".repeat(257), 42 as unknown as string]) {
      const error = await bus.publish("file.edited", { file: "b" }, { id }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "publish-invalid", message: expect.stringContaining("envelope id") });
    }
    expect((await bus.publish("file.edited", { file: "c" }, { id: "x".repeat(256) })).id).toHaveLength(256);
    await settle();
    expect(seen).toEqual(["order-42:attempt/1", "x".repeat(256)]);
    await bus.close();
  });
});

describe("subscriptions on one route", () => {
  test("twenty_thousand_subscriptions_on_one_route_are_added_and_removed_in_linear_time", async () => {
    const bus = createBus();
    const started = performance.now();
    const offs = Array.from({ length: 20_000 }, () => bus.subscribe("file.edited", () => {}));
    for (const off of offs) off();
    const elapsed = performance.now() - started;
    // A copy of the route per subscribe and per unsubscribe took 5 s here (O(n²)); linear takes ~0.1 s.
    expect(elapsed).toBeLessThan(1000);
    await bus.close();
  });

  test("subscribing_or_unsubscribing_during_delivery_takes_effect_from_the_next_message_on", async () => {
    const bus = createBus();
    const got: string[] = [];
    const offs: (() => void)[] = [];
    let late: (() => void) | undefined;
    bus.subscribe("file.edited", (envelope) => {
      const file = envelope.event.payload.file;
      got.push(`first:${file}`);
      if (file === "1") late = bus.subscribe("file.edited", (later) => void got.push(`late:${later.event.payload.file}`));
      if (file === "2") for (const off of offs) off();
    });
    for (let n = 0; n < 40; n += 1) {
      offs.push(bus.subscribe("file.edited", (envelope) => void got.push(`other${n}:${envelope.event.payload.file}`)));
    }
    for (let n = 0; n < 20; n += 1) offs[n * 2]?.(); // holes in the route before delivery
    for (const file of ["1", "2", "3"]) void bus.publish("file.edited", { file });
    await settle();
    const others = (file: string) => Array.from({ length: 20 }, (_, n) => `other${n * 2 + 1}:${file}`);
    expect(got).toEqual(["first:1", ...others("1"), "first:2", "late:2", "first:3", "late:3"]);
    late?.();
    await bus.close();
  });
});

describe("the default onError", () => {
  // An interval well beyond what the loops of these tests take, however loaded the machine.
  const INTERVAL = 1000;

  test("repeated_failures_of_one_kind_are_written_once_then_as_one_summary_line_per_interval_without_stacks", async () => {
    const lines: unknown[][] = [];
    const log = createErrorLog({ interval: INTERVAL, kinds: 8, write: (...data) => void lines.push(data) });
    const lost = new BusError("connection-lost", "Redis publisher connection (ioredis): connect ECONNREFUSED; the client is reconnecting.", { cause: new Error("ECONNREFUSED") });
    for (let n = 0; n < 1000; n += 1) log(new BusError("publish-failed", `Did not publish on "file.edited": Redis is unreachable (${n}).`, { channel: "file.edited", cause: lost }));
    log(lost);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual(['eventc: publish-failed on channel "file.edited": Did not publish on "file.edited": Redis is unreachable (0).']);
    expect(lines[1]).toEqual(["eventc: connection-lost: Redis publisher connection (ioredis): connect ECONNREFUSED; the client is reconnecting."]);
    await sleep(INTERVAL * 1.2);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toEqual(['eventc: publish-failed on channel "file.edited": 999 more in the last 1 s, the last: Did not publish on "file.edited": Redis is unreachable (999).']);
    // Quiet for a whole interval: the kind is forgotten, so its next failure is written in full.
    await sleep(INTERVAL * 1.2);
    log(new BusError("publish-failed", "Did not publish on \"file.edited\": again.", { channel: "file.edited" }));
    expect(lines).toHaveLength(4);
    // A failure that is a bug (a throwing subscriber, an unknown error) keeps its stack: written as the error.
    const failing = new BusError("subscriber-failed", "A subscriber to \"file.edited.v1\" failed: boom", { cause: new Error("boom") });
    log(failing);
    expect(lines[4]).toEqual([failing]);
    for (const line of lines.slice(0, 4)) expect(typeof line[0] === "string" && !line[0].includes("\n")).toBe(true);
  });

  test("failures_on_ever_new_channels_are_bounded_by_the_kinds_remembered", async () => {
    const lines: unknown[][] = [];
    const log = createErrorLog({ interval: INTERVAL, kinds: 8, write: (...data) => void lines.push(data) });
    for (let n = 0; n < 10_000; n += 1) log(new BusError("message-invalid", `Dropped an invalid message on channel "c${n}".`, { channel: `c${n}` }));
    // 8 kinds by channel, then one for the code across every other channel.
    expect(lines).toHaveLength(9);
    expect(lines[8]).toEqual(['eventc: message-invalid on channel "c8": Dropped an invalid message on channel "c8".']);
    await sleep(INTERVAL * 1.2);
    expect(lines).toHaveLength(10);
    expect(String(lines[9]?.[0])).toMatch(/^eventc: message-invalid \(other channels\): 9991 more in the last 1 s/);
  });
});

describe("over a real redis-server", () => {
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

  test("a_payload_with_toJSON_or_an_inherited_field_never_reaches_a_remote_subscriber", async () => {
    const producer = createBus({ transport: createRedisTransport(await connectPair("ioredis", server.url)) });
    const consumer = errorsOf();
    const remote = createBus({ transport: createRedisTransport(await connectPair("ioredis", server.url)), onError: consumer.onError });
    const seen: unknown[] = [];
    await remote.subscribe("*", (envelope) => void seen.push(envelope.event.payload)).ready;
    const evil = { file: "a", toJSON: () => ({ evil: true }) };
    await expect(producer.publish("file.edited", evil)).rejects.toMatchObject({ code: "publish-invalid" });
    await expect(producer.publish("session.compacted", Object.create({ sessionID: "s1" }) as never)).rejects.toMatchObject({ code: "publish-invalid" });
    await producer.publish("file.edited", { file: "probe" });
    await waitFor("the probe", () => seen.length > 0);
    expect(seen).toEqual([{ file: "probe" }]);
    expect(consumer.errors).toEqual([]);
    await Promise.all([producer.close(), remote.close()]);
  });

  test("error_messages_name_the_channel_without_the_transport_prefix", async () => {
    const connections = await connectPair("ioredis", server.url);
    // A serializer that refuses one payload, for the encoding failure's message.
    const serializer = {
      encode: (value: unknown) => {
        if ((value as { event: { payload: { file?: string } } }).event.payload.file === "x") throw new Error("no x");
        return JSON.stringify(value);
      },
      decode: (text: string): unknown => JSON.parse(text),
    };
    const transport = createRedisTransport({ ...connections, prefix: "app:", maxQueuedPublishes: 1, serializer });
    const bus = createBus({ transport, onError: () => {} });
    const encodeError = (await bus.publish("file.edited", { file: "x" }).catch((error: unknown) => error)) as BusError;
    expect(encodeError.message).toContain('"file.edited"');
    expect(encodeError.message).not.toContain("app:");
    (connections.publisher as Redis).disconnect(true);
    await waitFor("the publisher to notice", () => (connections.publisher as Redis).status !== "ready");
    const held = bus.publish("file.edited", { file: "held" }).catch(() => {});
    const overflow = (await bus.publish("file.edited", { file: "over" }).catch((error: unknown) => error)) as BusError;
    expect(overflow).toMatchObject({ code: "publish-failed", channel: "file.edited" });
    expect(overflow.message).toContain('"file.edited"');
    expect(overflow.message).not.toContain("app:");
    await held;
    await bus.close();
    const closed = (await bus.publish("file.edited", { file: "late" }).catch((error: unknown) => error)) as BusError;
    expect(closed.message).not.toContain("app:");
    const afterClose = (await transport.publish("file.edited", {}).catch((error: unknown) => error)) as BusError;
    expect(afterClose.message).toContain('"file.edited"');
    expect(afterClose.message).not.toContain("app:");
  });

  test("the_default_onError_writes_a_redis_outage_as_a_few_lines_without_stacks", async () => {
    const written: unknown[][] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...data: unknown[]) => void written.push(data));
    try {
      const local = await startRedisServer();
      const connections = await connectPair("ioredis", local.url);
      const bus = createBus({ transport: createRedisTransport({ ...connections, maxQueuedPublishes: 1 }) });
      await bus.subscribe("file.edited", () => {}).ready;
      await local.kill();
      await waitFor("the publisher to notice", () => (connections.publisher as Redis).status !== "ready");
      // An application that hands every failed publish to the default log, as a 4 s outage did 16 340 times.
      const failures = Array.from({ length: 500 }, (_, n) => bus.publish("file.edited", { file: String(n) }).catch((error: Error) => logError(error)));
      await Promise.all(failures.slice(1));
      await local.start();
      await waitFor("the publisher to reconnect", () => (connections.publisher as Redis).status === "ready");
      await Promise.all(failures);
      await bus.close();
      await local.stop();
    } finally {
      spy.mockRestore();
    }
    // connection-lost for each connection, publish-failed once: no summary yet within the 5 s interval.
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.length).toBeLessThanOrEqual(4);
    for (const data of written) {
      expect(data).toHaveLength(1);
      expect(typeof data[0]).toBe("string");
      expect(data[0] as string).not.toContain("\n");
    }
  });

  describe.each(CLIENTS)("transport status with %s", (client) => {
    test("redis_killed_and_restarted_reports_down_once_then_up_once_through_the_bus", async () => {
      const local = await startRedisServer();
      try {
        const connections = await connectPair(client, local.url);
        const transport = createRedisTransport(connections);
        const fromTransport: string[] = [];
        transport.onStatus?.((status) => void fromTransport.push(status.state));
        const fromOption: TransportStatus[] = [];
        const bus = createBus({ transport, onError: () => {}, onStatus: (status) => void fromOption.push(status) });
        const fromBus: string[] = [];
        bus.onStatus((status) => void fromBus.push(status.state));
        const received: string[] = [];
        await bus.subscribe("file.edited", (envelope) => void received.push(envelope.event.payload.file)).ready;
        expect(bus.status().state).toBe("up");
        await local.kill();
        await waitFor("down", () => bus.status().state === "down");
        expect(fromOption[0]?.cause).toBeInstanceOf(Error);
        // Reconnection attempts against a dead server change nothing.
        await sleep(600);
        await local.start();
        await waitFor("up", () => bus.status().state === "up", 15_000);
        expect(fromTransport).toEqual(["down", "up"]);
        expect(fromBus).toEqual(["down", "up"]);
        expect(fromOption.map((status) => status.state)).toEqual(["down", "up"]);
        // Up means both connections work again.
        await waitFor("a delivery after up", async () => {
          await bus.publish("file.edited", { file: "after" });
          await sleep(20);
          return received.includes("after");
        });
        await bus.close();
      } finally {
        await local.stop();
      }
    });

    test("the_subscriber_connection_lost_alone_reports_down_then_up", async () => {
      const local = await startRedisServer();
      const localRaw = admin(local.url);
      try {
        const connections = await connectPair(client, local.url);
        const states: string[] = [];
        const bus = createBus({ transport: createRedisTransport(connections), onError: () => {}, onStatus: (status) => void states.push(status.state) });
        await bus.subscribe("file.edited", () => {}).ready;
        await localRaw.call("CLIENT", "KILL", "TYPE", "pubsub");
        await waitFor("down then up", () => states.length === 2, 10_000);
        expect(states).toEqual(["down", "up"]);
        expect(isUp(connections.publisher)).toBe(true);
        await bus.close();
      } finally {
        localRaw.disconnect();
        await local.stop();
      }
    });
  });
});

function isUp(connection: RedisConnection): boolean {
  return "status" in connection ? connection.status === "ready" : connection.isReady === true;
}
