/**
 * Benchmark suite "worker": events host → worker thread → host over Node `worker_threads`, in one
 * run, side by side:
 * - eventc: a bus on each side over the Worker transports (`createWorkerHostTransport`,
 *   `createWorkerThreadTransport`), validation on (`trusted: false`, the default): the host publishes
 *   `message.part.delta` on topic "out", each publish awaited and at most IN_FLIGHT events not yet
 *   back; the thread's bus subscribes to it and publishes each event back on topic "back"; the host's
 *   bus receives it. Every event is built and validated by the
 *   publishing bus and validated again by the receiving one, on each leg.
 * - raw `postMessage` (the floor): the host posts the same envelope objects, the thread posts each
 *   back as it arrives.
 * - comlink: the host calls `echo(envelope)` on the thread's exposed object, `WINDOW` calls in
 *   flight, each resolving with the envelope back.
 * Each sample sends EVENTS events through one fresh worker per peer, the peers taking turns; the rate
 * is events round-tripped per second of wall time (median of the samples). The runtime and the example
 * SDK are transpiled as they are into .bench/worker.
 */
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { bindingOf, ROOT, transpileFolder, WORK } from "./measure.js";

export const name = "worker";
export const description = "Worker transport: host → worker thread → host with validation, against raw postMessage of the same envelopes (the floor) and comlink calls";

const EVENTS = 50_000;
/** comlink: calls in flight at once. */
const WINDOW = 256;
/** eventc: events sent and not yet back, at most (under the relay's `maxQueuedPublishes`). */
const IN_FLIGHT = 4096;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rate = (value) => (value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : `${(value / 1e3).toFixed(0)} k`);

const THREADS = {
  eventc: `
import { parentPort, workerData } from "node:worker_threads";
const { createBusFor } = await import(workerData.bus);
const { createWorkerThreadTransport } = await import(workerData.transport);
const sdk = await import(workerData.sdk);
const binding = {
  latestType: (name) => (Object.hasOwn(sdk.latestTypes, name) ? sdk.latestTypes[name] : undefined),
  meta: (type) => (sdk.isEventType(type) ? sdk.eventMeta[type] : undefined),
  parseEnvelope: sdk.parseEnvelope,
  validatePayload: sdk.validatePayload,
};
const bus = createBusFor(binding, { validate: workerData.validate, transport: createWorkerThreadTransport(parentPort, { trusted: workerData.trusted }) });
bus.subscribe("message.part.delta", (envelope) => void bus.publish("message.part.delta", { ...envelope.event.payload, sessionID: "back" }), { topic: "out" });
`,
  raw: `
import { parentPort } from "node:worker_threads";
parentPort.on("message", (message) => parentPort.postMessage(message));
`,
  comlink: `
import { parentPort, workerData } from "node:worker_threads";
const Comlink = await import(workerData.comlink);
const { default: nodeEndpoint } = await import(workerData.comlinkNode);
Comlink.expose({ echo: (envelope) => envelope }, nodeEndpoint(parentPort));
`,
};

async function load() {
  const dir = path.join(WORK, "worker");
  rmSync(dir, { recursive: true, force: true });
  await transpileFolder(path.join(ROOT, "generated", "ts"), path.join(dir, "sdk"));
  await transpileFolder(path.join(ROOT, "templates", "ts", "runtime"), path.join(dir, "sdk", "runtime"));
  for (const [peer, source] of Object.entries(THREADS)) writeFileSync(path.join(dir, `thread-${peer}.mjs`), source);
  const url = (file) => pathToFileURL(path.join(dir, file)).href;
  const sdk = await import(url("sdk/index.js"));
  const { createBusFor } = await import(url("sdk/runtime/bus/bus.js"));
  const { createWorkerHostTransport } = await import(url("sdk/runtime/transports/worker.js"));
  const modules = {
    bus: url("sdk/runtime/bus/bus.js"),
    transport: url("sdk/runtime/transports/worker.js"),
    sdk: url("sdk/index.js"),
    comlink: import.meta.resolve("comlink"),
    comlinkNode: import.meta.resolve("comlink/dist/esm/node-adapter.mjs"),
  };
  return { dir, binding: bindingOf(sdk), createBusFor, createWorkerHostTransport, modules, sdk };
}

/** One envelope per event, built once: what the raw and comlink peers send (the bus builds its own). */
function envelopes(count) {
  const time = new Date().toISOString();
  return Array.from({ length: count }, (_, n) => ({
    id: `e-${n}`,
    time,
    topic: "out",
    event: { type: "message.part.delta.v1", payload: { sessionID: "out", messageID: "msg_01", partID: "prt_01", field: "text", delta: `token ${n} ` } },
  }));
}

/** Resolves once the worker is running (its `online` event). */
function started(worker) {
  return new Promise((resolve, reject) => {
    worker.once("online", resolve);
    worker.once("error", reject);
  });
}

/** The eventc peer: a bus on each side; `trusted` and `validate` as both sides set them. */
function eventcPeer(id, label, { trusted, validate }) {
  return {
    id,
    label,
    async run(runtime, count) {
      const worker = new Worker(path.join(runtime.dir, "thread-eventc.mjs"), { workerData: { ...runtime.modules, trusted, validate } });
      await started(worker);
      const transport = runtime.createWorkerHostTransport(worker, { trusted });
      const bus = runtime.createBusFor(runtime.binding, { transport, validate });
      let received = 0;
      let progress;
      await bus.subscribe(
        "message.part.delta",
        () => {
          received += 1;
          progress?.();
        },
        { topic: "back" },
      ).ready;
      // Publishes cross once the thread's subscription reached this side.
      await until(() => transport.stats().peerFilters > 0, worker);
      const payload = (n) => ({ sessionID: "out", messageID: "msg_01", partID: "prt_01", field: "text", delta: `token ${n} ` });
      const startedAt = performance.now();
      // As a producer does: each publish awaited (it waits only while the thread has granted no
      // credit), and at most IN_FLIGHT events not yet back — the thread relays each one with a
      // publish it does not await, so what it has not sent back yet is what it holds.
      let sent = 0;
      while (received < count) {
        while (sent < count && sent - received < IN_FLIGHT) await bus.publish("message.part.delta", payload(sent++));
        if (received < count) await new Promise((resolve) => (progress = resolve));
      }
      const ms = performance.now() - startedAt;
      await bus.close();
      await worker.terminate();
      return ms;
    },
  };
}

const PEERS = [
  eventcPeer("eventc", "eventc Worker transport, validation on (each leg validated on both sides)", { trusted: false, validate: true }),
  eventcPeer("eventc-trusted", "eventc Worker transport, trusted threads, validate: false (the transport alone)", { trusted: true, validate: false }),
  {
    id: "raw",
    label: "raw postMessage of the same envelopes, echoed (the floor)",
    async run(runtime, count) {
      const worker = new Worker(path.join(runtime.dir, "thread-raw.mjs"));
      await started(worker);
      const sent = envelopes(count);
      let received = 0;
      let done;
      const finished = new Promise((resolve) => (done = resolve));
      worker.on("message", () => void (++received === count && done()));
      const startedAt = performance.now();
      for (const envelope of sent) worker.postMessage(envelope);
      await finished;
      const ms = performance.now() - startedAt;
      await worker.terminate();
      return ms;
    },
  },
  {
    id: "comlink",
    label: `comlink: echo(envelope) calls, ${WINDOW} in flight`,
    async run(runtime, count) {
      const worker = new Worker(path.join(runtime.dir, "thread-comlink.mjs"), { workerData: runtime.modules });
      await started(worker);
      const remote = Comlink.wrap(nodeEndpoint(worker));
      const sent = envelopes(count);
      await remote.echo(sent[0]);
      const startedAt = performance.now();
      let next = 0;
      const lane = async () => {
        while (next < count) await remote.echo(sent[next++]);
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
      const ms = performance.now() - startedAt;
      remote[Comlink.releaseProxy]();
      await worker.terminate();
      return ms;
    },
  },
];

/** Waits for `probe`, failing when the worker errs. */
async function until(probe, worker) {
  let failure;
  worker.once("error", (error) => (failure = error));
  while (!probe()) {
    if (failure !== undefined) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function run({ samples }) {
  const runtime = await load();
  const times = Object.fromEntries(PEERS.map((peer) => [peer.id, []]));
  for (let sample = 0; sample < samples; sample += 1) {
    for (const peer of PEERS) times[peer.id].push(await peer.run(runtime, EVENTS));
  }
  const rates = Object.fromEntries(PEERS.map((peer) => [peer.id, (EVENTS * 1000) / median(times[peer.id])]));
  const lines = ["| run | events/s (median) | ms per sample (median) |", "| --- | ---: | ---: |"];
  for (const peer of PEERS) lines.push(`| ${peer.label} | ${rate(rates[peer.id])} | ${median(times[peer.id]).toFixed(0)} |`);
  return {
    rows: [],
    markdown: lines.join("\n"),
    ratios: [
      { label: "eventc ÷ raw postMessage, events/s (goal ≥ 0.7)", value: rates.eventc / rates.raw },
      { label: "eventc ÷ comlink, events/s", value: rates.eventc / rates.comlink },
      { label: "eventc, trusted threads without validation ÷ raw postMessage, events/s", value: rates["eventc-trusted"] / rates.raw },
    ],
    notes: [`${EVENTS.toLocaleString("en")} events per sample, host → worker thread → host, ${samples} samples, one fresh worker per peer and sample.`],
  };
}
