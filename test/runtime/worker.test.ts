/**
 * The Worker transports over real Node `worker_threads`: a bus in this thread and a bus in a worker
 * exchange 100,000 events each way, in order; a worker killed mid-flood rejects every held publish
 * and ends every stream with the cause (no hang, nothing left behind); a worker that stops reading
 * holds this side's memory to its bounds; a worker that speaks the protocol badly gets nothing invalid
 * delivered; an idle host transport does not keep the process alive.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import type { TransportStatus } from "../../templates/ts/runtime/transports/transport.js";
import { createWorkerHostTransport, type WorkerTransport, type WorkerTransportOptions } from "../../templates/ts/runtime/transports/worker.js";
import { ROOT } from "../helpers.js";
import { createBus } from "./example-runtime.js";
import { waitFor } from "./sse-kit.js";

const BOOT = path.join(ROOT, "test", "runtime", "worker-boot.mjs");
const PEER = path.join(ROOT, "test", "runtime", "worker-peer.ts");

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const delta = (n: number, sessionID: string) => ({ sessionID, messageID: "m1", partID: "p1", field: "text", delta: `${n}` });

/** A worker running worker-peer.ts in `mode`, the host transport over it and a bus on that; the worker's reports as they come. */
function start(mode: string, data: Record<string, unknown> = {}, options: WorkerTransportOptions = {}, busOptions: { validate?: boolean } = {}) {
  const worker = new Worker(BOOT, { workerData: { script: PEER, mode, ...data } });
  const reports: Record<string, unknown>[] = [];
  worker.on("message", (message: { report?: unknown } | null) => {
    const report = typeof message === "object" && message !== null ? message.report : undefined;
    if (typeof report === "object" && report !== null) reports.push(report as Record<string, unknown>);
  });
  const errors: BusError[] = [];
  const statuses: TransportStatus[] = [];
  const transport: WorkerTransport = createWorkerHostTransport(worker, options);
  const bus = createBus({ ...busOptions, transport, onError: (error) => errors.push(error), onStatus: (status) => statuses.push(status) });
  cleanup.push(
    () => bus.close(),
    () => worker.terminate(),
  );
  const report = (key: string) => reports.find((entry) => key in entry);
  return { worker, transport, bus, reports, report, errors, statuses };
}

describe("Worker transport over worker_threads", () => {
  test("one_hundred_thousand_events_each_way_arrive_in_order_exactly_once", { timeout: 120_000 }, async () => {
    const count = 100_000;
    const { worker, bus, report, errors } = start("each-way", { count });
    let next = 0;
    let ordered = true;
    await bus.subscribe(
      "message.part.delta",
      (envelope) => {
        if (Number(envelope.event.payload.delta) !== next) ordered = false;
        next += 1;
      },
      { topic: "from-thread" },
    ).ready;
    await waitFor("the worker subscribed", () => report("ready") !== undefined, 20_000);
    worker.postMessage({ go: true });
    for (let n = 0; n < count; n += 1) await bus.publish("message.part.delta", delta(n, "from-host"));
    await waitFor("the worker's events here", () => next >= count, 60_000);
    await waitFor("the host's events there", () => report("received") !== undefined, 60_000);
    expect(report("received")).toEqual({ received: count, ordered: true });
    expect([next, ordered]).toEqual([count, true]);
    expect(errors).toEqual([]);
  });

  test("a_worker_killed_mid_flood_rejects_every_held_publish_and_ends_every_stream_with_the_cause", { timeout: 60_000 }, async () => {
    const { worker, transport, bus, report, statuses } = start("subscribe", {}, { window: 64 });
    // A stream of what the worker would publish (nothing of this side's flood reaches it).
    const stream = bus.stream("session.status");
    await waitFor("the worker subscribed", () => report("ready") !== undefined, 20_000);
    const settled: Promise<"ok" | "rejected">[] = [];
    for (let n = 0; n < 5000; n += 1) settled.push(bus.publish("message.part.delta", delta(n, "s1")).then(() => "ok" as const, () => "rejected" as const));
    expect(transport.stats().held).toBeGreaterThan(0);
    await worker.terminate();
    const outcomes = await Promise.all(settled);
    expect(outcomes).toContain("rejected");
    expect(transport.stats().held).toBe(0);
    await waitFor("ended", () => statuses.some((status) => status.state === "ended"));
    // The stream ends with the cause after what it had buffered: no hang.
    let failure: unknown;
    try {
      for (;;) {
        const result = await stream.next();
        if (result.done === true) break;
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: "worker-failed", message: expect.stringContaining("exited") });
    await expect(bus.publish("message.part.delta", delta(0, "s1"))).rejects.toMatchObject({ message: expect.stringContaining("exited") });
    expect(() => bus.subscribe("session.status", () => {})).toThrow(/exited/);
  });

  test("a_worker_that_stops_reading_holds_this_side_to_its_bounds", { timeout: 60_000 }, async () => {
    const { worker, transport, bus, report } = start("subscribe-and-stall", { window: 32 }, { maxQueuedPublishes: 500 });
    await waitFor("the worker subscribed", () => report("ready") !== undefined, 20_000);
    worker.postMessage({ stall: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const settled: Promise<"ok" | "rejected">[] = [];
    for (let n = 0; n < 20_000; n += 1) settled.push(bus.publish("message.part.delta", delta(n, "s1")).then(() => "ok" as const, () => "rejected" as const));
    // At most its window crossed, at most maxQueuedPublishes held; the rest refused at once.
    expect(transport.stats().held).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rejected = (await Promise.race([Promise.all(settled.slice(600)), new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), 2000))])) as ("ok" | "rejected")[] | "pending";
    expect(rejected).not.toBe("pending");
    expect((rejected as string[]).every((outcome) => outcome === "rejected")).toBe(true);
    await worker.terminate();
    await Promise.all(settled);
    expect(transport.stats().held).toBe(0);
  });

  test("a_worker_that_breaks_the_protocol_gets_nothing_invalid_delivered", { timeout: 60_000 }, async () => {
    const { worker, transport, bus, report, errors } = start("hostile", {}, { maxPeerFilters: 100 });
    const received: string[] = [];
    const envelopes: object[] = [];
    await bus.subscribe("message.part.delta", (envelope) => {
      received.push(envelope.id);
      envelopes.push(envelope);
    }).ready;
    worker.postMessage({ go: true });
    await waitFor("the worker sent everything", () => report("sent") !== undefined, 20_000);
    await waitFor("the valid event", () => received.length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A valid envelope with `__proto__` and `constructor` members is delivered as the catalogue reads
    // it (members it does not know are data): no prototype is touched, its own or any other.
    expect(received).toEqual(["e-proto", "e-valid"]);
    expect(Object.getPrototypeOf(envelopes[0])).toBe(Object.prototype);
    expect(Object.getPrototypeOf(envelopes[1])).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(transport.stats().peerFilters).toBeLessThanOrEqual(100);
    const codes = new Set(errors.map((error) => error.code));
    expect(codes).toContain("message-invalid");
    expect(codes).toContain("message-unknown-type");
    expect(codes).toContain("message-wrong-channel");
  });

  test("a_worker_of_another_protocol_version_ends_the_link", { timeout: 30_000 }, async () => {
    const { statuses, bus } = start("other-version");
    await waitFor("ended", () => statuses.some((status) => status.state === "ended"), 20_000);
    expect(statuses.at(-1)?.cause?.message).toMatch(/another protocol.*bus\/999/);
    await expect(bus.publish("session.status", { sessionID: "s", status: { type: "idle" } })).rejects.toThrow();
  });

  test("between_trusted_threads_a_transfer_moves_an_arraybuffer_instead_of_copying_it", { timeout: 30_000 }, async () => {
    const { transport, bus, report } = start("trusted-binary", {}, { trusted: true, transfer: (envelope) => [(envelope as { event: { payload: { buffer: ArrayBuffer } } }).event.payload.buffer] }, { validate: false });
    await waitFor("the worker subscribed", () => report("ready") !== undefined, 20_000);
    await waitFor("the thread's subscription here", () => transport.stats().peerFilters > 0, 10_000);
    const buffer = new ArrayBuffer(4096);
    await bus.publish("message.part.delta", { ...delta(0, "s1"), buffer } as unknown as ReturnType<typeof delta>);
    await waitFor("the buffer there", () => report("binary") !== undefined, 10_000);
    expect(report("binary")).toEqual({ binary: 4096 });
    // Moved, not copied: this side's buffer is detached.
    expect(buffer.byteLength).toBe(0);
  });

  test("closing_the_host_side_ends_the_threads_side_and_the_worker_exits_by_itself", { timeout: 30_000 }, async () => {
    const { worker, bus, report } = start("until-closed");
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    await waitFor("the worker subscribed", () => report("ready") !== undefined, 20_000);
    await bus.close();
    await waitFor("the thread's side ended", () => report("ended") !== undefined && report("stream") !== undefined, 10_000);
    expect(report("ended")).toEqual({ ended: "The host closed its side of the Worker transport." });
    expect(report("stream")).toEqual({ stream: "The host closed its side of the Worker transport." });
    // Its listeners gone, the worker has nothing left to run.
    expect(await exited).toBe(0);
  });

  test("a_subscribed_host_transport_keeps_the_process_alive_and_an_idle_one_does_not", { timeout: 30_000 }, async () => {
    const script = path.join(ROOT, "test", "runtime", "worker-idle-host.ts");
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "jiti", "lib", "jiti-cli.mjs"), script], { cwd: ROOT });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    const killer = setTimeout(() => child.kill(), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(killer);
    expect(output).toContain("received 7 through the worker");
    expect(code).toBe(0);
  });
});
