/**
 * The Rust side speaks the runtime's wire. A Rust program (test/runtime/rust-interop/, built on the
 * example catalogue's crate in generated/rust and the `redis` crate) and the TypeScript bus exchange
 * envelopes over a real redis-server, in both directions: what Rust publishes arrives validated and
 * typed on the bus, what the bus publishes Rust decodes and validates, and a message one side
 * refuses the other refuses with the same verdict. The crate's id, time and topic text are held
 * to JavaScript's byte for byte.
 *
 * One `cargo build` of the program (the crate copied beside it; `redis` is the program's
 * dependency, never the crate's) in the shared target folder; its Cargo.lock is committed, so a
 * warm machine builds offline in seconds.
 */
import { spawn } from "node:child_process";
import { cpSync } from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EventEnvelope } from "../../generated/ts/index.js";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisTransport } from "../../templates/ts/runtime/transports/redis/pubsub.js";
import { ROOT, workDir } from "../helpers.js";
import { cargo, CARGO_TARGET_DIR } from "../rust/cargo.js";
import { createBus } from "./example-runtime.js";
import { admin, connectPair, waitFor, type ClientName } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const PREFIX = "interop:";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: RedisServer;
let raw: Redis;
let program: string;

beforeAll(async () => {
  server = await startRedisServer();
  raw = admin(server.url);
  const dir = workDir("rust-interop", path.join(ROOT, "test", "runtime", "rust-interop"));
  cpSync(path.join(ROOT, "generated", "rust"), path.join(dir, "eventc-events"), { recursive: true });
  const built = cargo(["build", "--quiet"], dir);
  expect(built.status, built.stderr).toBe(0);
  program = path.join(CARGO_TARGET_DIR, "debug", "eventc-rust-interop");
});

afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
});

interface RustRun {
  /** Resolves once the program printed `{"ready":true}` (subscribed). */
  ready: Promise<void>;
  /** Every stdout line as JSON, once the program exited with 0. */
  lines: Promise<Record<string, unknown>[]>;
}

/** Runs the Rust program with `input` on stdin; fails on a non-zero exit or after 30 s. */
function runRust(args: string[], input = ""): RustRun {
  const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let signalReady = (): void => {};
  const readyLine = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('{"ready":true}\n')) signalReady();
  });
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const lines = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`rust ${args[0]} did not finish within 30 s\n${stdout}\n${stderr}`));
    }, 30_000);
    // "close", not "exit": only then has all of stdout been read.
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`rust ${args[0]} exited with ${code}\n${stdout}\n${stderr}`));
      else resolve(stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>));
    });
  });
  child.stdin.end(input);
  const ready = Promise.race([readyLine, lines.then(() => Promise.reject(new Error(`rust ${args[0]} exited before it was ready`)))]);
  ready.catch(() => {}); // only a subscriber is awaited for readiness
  return { ready, lines };
}

/** Lines of JSON text, one per item. */
const jsonLines = (items: readonly unknown[]): string => items.map((item) => `${JSON.stringify(item)}\n`).join("");

async function redisBus(client: ClientName, onError?: (error: BusError) => void) {
  const connections = await connectPair(client, server.url);
  const errors: BusError[] = [];
  const report = (error: BusError): void => {
    errors.push(error);
    onError?.(error);
  };
  const bus = createBus({ transport: createRedisTransport({ ...connections, prefix: PREFIX }), onError: report });
  return { bus, errors };
}

const delta = (sessionID: string) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: "hello" });

test("events_published_by_rust_arrive_validated_and_typed_on_the_typescript_bus", async () => {
  const { bus, errors } = await redisBus("ioredis");
  const everything: EventEnvelope[] = [];
  const statusOfS1: string[] = [];
  const all = bus.subscribe("*", (envelope) => void everything.push(envelope));
  const s1 = bus.subscribe(
    "session.status",
    (envelope) => {
      // Typed by the catalogue: the v2 status is an object, the v1 status a string.
      statusOfS1.push(envelope.event.type === "session.status.v2" ? `v2 ${envelope.event.payload.status.type}` : `v1 ${envelope.event.payload.status}`);
    },
    { topic: "s1" },
  );
  await Promise.all([all.ready, s1.ready]);

  const commands = [
    { event: { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "busy" } } } },
    { event: { type: "session.status.v1", payload: { sessionID: "s1", status: "idle" } } },
    { event: { type: "session.status.v2", payload: { sessionID: "s2", status: { type: "idle" } } } },
    { typed: "retry" },
    { event: { type: "file.edited.v1", payload: { file: "src/main.rs" } } },
    { event: { type: "session.error.v1", payload: { error: { name: "MessageOutputLengthError" } } } },
    { event: { type: "message.part.delta.v1", payload: delta("s3") } },
    // Sent unchecked by a careless producer: attempt must be at least 1.
    { event: { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "retry", attempt: 0, message: "x", next: 1 } } } },
    // A valid envelope on another event's channel.
    { event: { type: "file.edited.v1", payload: { file: "a.ts" } }, channel: "session.status:s1" },
  ];
  const sent = await runRust(["publish", server.url, PREFIX], jsonLines(commands)).lines;
  expect(sent.map((line) => line.channel)).toEqual([
    "interop:session.status:s1",
    "interop:session.status:s1",
    "interop:session.status:s2",
    "interop:session.status:s-typed",
    "interop:file.edited",
    "interop:session.error",
    "interop:message.part.delta:s3",
    "interop:session.status:s1",
    "interop:session.status:s1",
  ]);
  expect(sent.map((line) => line.issues)).toEqual([[], [], [], [], [], [], [], ["/event/payload/status/attempt: expected at least 1"], []]);

  const valid = sent.slice(0, 7).map((line) => line.envelope as EventEnvelope);
  await waitFor("seven events and four reports", () => everything.length === 7 && errors.length === 4);
  // Exactly as Rust built them: id, time, topic (absent when unscoped) and event.
  expect(everything).toEqual(valid);
  expect(everything.map((envelope) => envelope.topic)).toEqual(["s1", "s1", "s2", "s-typed", undefined, undefined, "s3"]);
  expect(everything.filter((envelope) => "topic" in envelope)).toHaveLength(5);
  expect(everything[3]?.event).toEqual({ type: "session.status.v2", payload: { sessionID: "s-typed", status: { type: "retry", attempt: 2, message: "rate limited", next: 1_700_000_000_000 } } });
  expect(statusOfS1).toEqual(["v2 busy", "v1 idle"]);
  for (const envelope of valid) {
    expect(envelope.id).toMatch(UUID_V4);
    expect(envelope.time).toMatch(ISO_MILLIS);
    expect(Math.abs(Date.parse(envelope.time) - Date.now())).toBeLessThan(60_000);
  }
  expect(new Set(valid.map((envelope) => envelope.id)).size).toBe(7);

  // Both bad messages travel on session.status:s1, which both subscriptions hear: reported twice each, delivered never.
  expect(errors.map((error) => `${error.code} ${String(error.channel)}`).sort()).toEqual([
    "message-invalid session.status:s1",
    "message-invalid session.status:s1",
    "message-wrong-channel session.status:s1",
    "message-wrong-channel session.status:s1",
  ]);
  expect(errors.find((error) => error.code === "message-invalid")?.message).toContain("/event/payload/status/attempt");
  expect(errors.find((error) => error.code === "message-wrong-channel")?.message).toContain('belong on "file.edited"');
  await bus.close();
});

test("events_published_by_the_typescript_bus_are_decoded_and_validated_in_rust_with_the_same_verdicts", async () => {
  // The TypeScript consumer's verdict on each message, in arrival order, to compare with Rust's.
  const verdicts: string[] = [];
  const producer = await redisBus("node-redis");
  const consumer = await redisBus("ioredis", (error) => void verdicts.push(error.code));
  const all = consumer.bus.subscribe("*", (envelope) => void verdicts.push(`ok ${envelope.event.type}`));
  await all.ready;
  const messages = 11;
  const rust = runRust(["subscribe", server.url, PREFIX, String(messages), `${PREFIX}*`]);
  await rust.ready;

  const published = [
    await producer.bus.publish("session.status", { sessionID: "s1", status: { type: "retry", attempt: 1, message: "busy upstream", next: 5 } }),
    await producer.bus.publish("session.status", { sessionID: "s2", status: "busy" }, { version: 1 }),
    await producer.bus.publish("file.edited", { file: "a.ts" }),
    await producer.bus.publish("session.error", { error: { name: "UnknownError", message: "boom" } }),
    await producer.bus.publish("session.error", { sessionID: "s1", error: { name: "MessageAbortedError", message: "stopped" } }),
    await producer.bus.publish("message.part.delta", delta("s3")),
  ];
  const envelope = (event: unknown, topic?: string) => JSON.stringify({ id: "e1", time: "2025-01-02T03:04:05Z", ...(topic === undefined ? {} : { topic }), event });
  const status = { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "idle" } } };
  await raw.publish(`${PREFIX}session.status:s1`, "not json {");
  await raw.publish(`${PREFIX}session.hibernated`, envelope({ type: "session.hibernated.v1", payload: {} }));
  await raw.publish(`${PREFIX}session.status:s1`, envelope({ type: "session.status.v2", payload: { sessionID: "s1", status: { type: "asleep" } } }, "s1"));
  await raw.publish(`${PREFIX}session.status:s1`, JSON.stringify({ time: "2025-01-02T03:04:05Z", event: status }));
  await raw.publish(`${PREFIX}session.status:s2`, envelope(status, "s1"));

  const lines = await rust.lines;
  const received = lines.slice(1);
  expect(received).toHaveLength(messages);
  const decoded = received.slice(0, published.length);
  expect(decoded.map((line) => line.envelope)).toEqual(published);
  expect(decoded.map((line) => line.variant)).toEqual(["SessionStatusV2", "SessionStatusV1", "FileEditedV1", "SessionErrorV1", "SessionErrorV1", "MessagePartDeltaV1"]);
  expect(decoded.map((line) => line.channel)).toEqual([
    "interop:session.status:s1",
    "interop:session.status:s2",
    "interop:file.edited",
    "interop:session.error",
    "interop:session.error:s1",
    "interop:message.part.delta:s3",
  ]);
  const refused = received.slice(published.length);
  expect(refused.map((line) => line.error)).toEqual(["message-undecodable", "message-unknown-type", "message-invalid", "message-invalid", "message-wrong-channel"]);
  expect(refused[1]?.message).toBe('unknown event type "session.hibernated.v1"');
  expect(refused[2]?.message).toContain("session.status.v2: unknown variant `asleep`");
  expect(refused[3]?.message).toContain("missing field `id`");
  expect(refused[4]?.message).toBe('arrived on channel "interop:session.status:s2", but its event and topic belong on "interop:session.status:s1"');

  // The TypeScript bus judged every message alike.
  await waitFor("the TypeScript verdicts", () => verdicts.length === messages);
  expect(verdicts).toEqual(received.map((line) => (line.error === undefined ? `ok ${(line.envelope as EventEnvelope).event.type}` : String(line.error))));
  await Promise.all([producer.bus.close(), consumer.bus.close()]);
});

/** The envelope topic the TypeScript bus writes for a value at a topic path (`topicAt` in templates/ts/runtime/bus/bus.ts). */
const typescriptTopic = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? JSON.stringify(value) : null;

/** `count` finite doubles from random bit patterns: every exponent, subnormals included. */
function randomDoubles(count: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  const doubles: number[] = [];
  while (doubles.length < count) {
    view.setUint32(0, Math.floor(Math.random() * 2 ** 32));
    view.setUint32(4, Math.floor(Math.random() * 2 ** 32));
    const value = view.getFloat64(0);
    if (Number.isFinite(value)) doubles.push(value);
  }
  return doubles;
}

test("topic_text_is_the_typescript_topic_byte_for_byte_for_strings_numbers_and_booleans", async () => {
  const values: unknown[] = [
    "s1", "a:b", "日本語 🎉", "", true, false, null, { id: 1 }, [1],
    0, 1, -1, 42, 0.5, 0.1, 0.1 + 0.2, -1.5, 1e21, 1e20, 123456789012345680000, 1e-6, 1e-7, 1.5e-7, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 64,
    5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1 / 3, 100, 1e100, 7.5e-5,
    // Halfway between two shortest forms: JavaScript takes the even one (…585.2, not …585.3).
    1104507819559585.25,
    ...randomDoubles(2_000),
    ...Array.from({ length: 500 }, () => (2 ** 50 + Math.floor(Math.random() * 2 ** 53)) / 8),
    ...Array.from({ length: 200 }, () => Math.round((Math.random() - 0.5) * 2 ** 54)),
  ];
  // Texts serde reads as integers, floats or u64, which JavaScript reads as the nearest double.
  const texts = [...values.map((value) => JSON.stringify(value)), "-0", "1.0", "1E3", "12345678901234567890", "-9223372036854775808", "0.30000000000000004"];
  const expected = [...values.map(typescriptTopic), ...texts.slice(values.length).map((text) => typescriptTopic(JSON.parse(text)))];
  const lines = await runRust(["topic-text"], texts.join("\n") + "\n").lines;
  expect(lines).toEqual(expected);
});

test("utc_time_is_javascripts_toISOString_from_year_0_to_9999", async () => {
  const earliest = new Date("0000-01-01T00:00:00.000Z").getTime();
  const latest = new Date("9999-12-31T23:59:59.999Z").getTime();
  const instants = [
    0, -1, 1, Date.now(), earliest, latest,
    Date.parse("2000-02-29T12:34:56.789Z"), Date.parse("1900-03-01T00:00:00.000Z"), Date.parse("2100-02-28T23:59:59.999Z"),
    Date.parse("2024-12-31T23:59:59.999Z"), Date.parse("1600-02-29T00:00:00.000Z"), Date.parse("1969-12-31T00:00:00.000Z"),
    ...Array.from({ length: 2_000 }, () => earliest + Math.floor(Math.random() * (latest - earliest))),
  ];
  const lines = await runRust(["utc-time"], instants.map((instant) => `${instant}\n`).join("")).lines;
  expect(lines).toEqual(instants.map((instant) => new Date(instant).toISOString()));
});

test("envelope_ids_are_uuid_v4_and_never_repeat_within_or_across_processes", async () => {
  const [one, two] = await Promise.all([runRust(["ids", "20000"]).lines, runRust(["ids", "20000"]).lines]);
  const ids = [...one!, ...two!].map(String);
  expect(ids).toHaveLength(40_000);
  expect(ids.filter((id) => !UUID_V4.test(id))).toEqual([]);
  expect(new Set(ids).size).toBe(40_000);
});
