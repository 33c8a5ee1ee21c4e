/**
 * Benchmark suite "sse": fan-out from one SSE server to 1,000 concurrent clients on loopback —
 * eventc's `createSseHandler` over its in-process bus against better-sse's channel broadcast, the
 * same load in the same run.
 *
 * Three processes per peer, so the server has a core to itself: this one orchestrates; a server
 * process (this file with `--role server`) publishes; a clients process (`--role clients`) holds the
 * 1,000 HTTP connections (raw sockets, so the readers' own cost stays small) and reads every frame. Both servers
 * send the same envelope `{ id, time, topic, event }` with an `id:` line; eventc publishes through
 * `bus.publish` (validation included) and better-sse through `channel.broadcast(envelope, "message",
 * { eventId })`, as each is meant to be used. Each event's payload carries its publish time
 * (`performance.timeOrigin + performance.now()`, one clock for both processes).
 *
 * Per sample, each peer in fresh processes, the peers alternating: a burst of BURST events published in batches of 100 per turn — events/s is BURST over
 * the time from the first publish to the last delivery to the last client (every client receives
 * every event); then a steady RATE events/s for STEADY_MS — p50/p99 of every delivery's latency, at a
 * rate both peers sustain (so the figure is the delivery path, not a queue building up).
 * Server memory: the server process's peak RSS, sampled every 20 ms, and its RSS growth over what
 * it used before the clients connected. Loopback only (127.0.0.1); every wait has a deadline.
 *
 * The runtime and the example SDK (generated/ts) are transpiled as they are to JavaScript in
 * .bench/sse; nothing of the runtime is re-implemented here.
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { connect } from "node:net";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ROOT, transpileFolder, WORK } from "./measure.js";

export const name = "sse";
export const description = "SSE fan-out to 1,000 clients on loopback: eventc createSseHandler vs better-sse (events/s, p50/p99 delivery latency, server memory)";

const CLIENTS = 1000;
const BURST = 1000;
const RATE = 20;
const STEADY_MS = 4000;
const DEADLINE_MS = 120_000;
const DIR = path.join(WORK, "sse");
const SELF = fileURLToPath(import.meta.url);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const now = () => performance.timeOrigin + performance.now();
const mib = (bytes) => bytes / 1024 / 1024;

/** The example SDK and the runtime templates as JavaScript. */
async function transpile() {
  rmSync(DIR, { recursive: true, force: true });
  await transpileFolder(path.join(ROOT, "generated", "ts"), path.join(DIR, "sdk"));
  await transpileFolder(path.join(ROOT, "templates", "ts", "runtime"), path.join(DIR, "sdk", "runtime"));
}

// ---- The server process -----------------------------------------------------------------------

async function serverRole(peer) {
  let publish;
  let stats = () => ({});
  let handle;
  if (peer === "eventc") {
    const url = (file) => pathToFileURL(path.join(DIR, "sdk", file)).href;
    const sdk = await import(url("index.js"));
    const { createBusFor } = await import(url("runtime/bus/bus.js"));
    const { createSseHandler } = await import(url("runtime/sse/server.js"));
    const binding = {
      latestType: (name) => (Object.hasOwn(sdk.latestTypes, name) ? sdk.latestTypes[name] : undefined),
      meta: (type) => (sdk.isEventType(type) ? sdk.eventMeta[type] : undefined),
      parseEnvelope: sdk.parseEnvelope,
      validatePayload: sdk.validatePayload,
    };
    const bus = createBusFor(binding);
    const handler = createSseHandler(bus, { binding });
    await handler.ready;
    publish = (payload) => void bus.publish("message.part.delta", payload);
    stats = () => handler.stats();
    handle = handler.node;
  } else {
    const { createChannel, createSession } = await import("better-sse");
    const channel = createChannel();
    let sequence = 0;
    publish = (payload) => {
      const id = `e${(sequence += 1)}`;
      const envelope = { id, time: new Date().toISOString(), topic: payload.sessionID, event: { type: "message.part.delta.v1", payload } };
      channel.broadcast(envelope, "message", { eventId: id });
    };
    stats = () => ({ connections: channel.sessionCount });
    handle = (req, res) => void createSession(req, res).then((session) => channel.register(session));
  }
  const server = createServer(handle);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  let peakRss = process.memoryUsage().rss;
  const baseline = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const payload = (tag, n) => ({ sessionID: "s1", messageID: "m1", partID: "p1", field: "text", delta: `${tag}:${n}|${now()}` });
  process.on("message", async (message) => {
    if (message.type === "burst") {
      for (let n = 0; n < message.count; ) {
        const end = Math.min(message.count, n + 100);
        for (; n < end; n += 1) publish(payload(message.tag, n));
        await new Promise((resolve) => setImmediate(resolve));
      }
      process.send({ type: "published" });
    } else if (message.type === "steady") {
      const started = performance.now();
      const interval = 1000 / message.rate;
      for (let n = 0; n < message.count; n += 1) {
        const due = started + n * interval - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        publish(payload(message.tag, n));
      }
      process.send({ type: "published" });
    } else if (message.type === "memory") {
      process.send({ type: "memory", peakRss, baseline, rss: process.memoryUsage().rss, stats: stats() });
    } else if (message.type === "stop") {
      clearInterval(sampler);
      server.closeAllConnections();
      server.close(() => process.disconnect());
    }
  });
  process.send({ type: "listening", port: server.address().port });
}

// ---- The clients process ----------------------------------------------------------------------

function clientsRole() {
  const sockets = [];
  /** The current phase: its tag, how many events each client must see, what they saw. */
  let phase;
  const MARK = '"delta":"';
  const seen = (text) => {
    if (phase === undefined) return 0;
    let count = 0;
    let at = text.indexOf(MARK);
    while (at >= 0) {
      const start = at + MARK.length;
      const colon = text.indexOf(":", start);
      const bar = text.indexOf("|", colon);
      const quote = text.indexOf('"', bar);
      if (text.slice(start, colon) === phase.tag) {
        const sentAt = Number(text.slice(bar + 1, quote));
        const at_ = now();
        if (phase.latencies.length < phase.capacity) phase.latencies.push(at_ - sentAt);
        phase.firstSent = Math.min(phase.firstSent, sentAt);
        phase.lastReceived = Math.max(phase.lastReceived, at_);
        count += 1;
      }
      at = text.indexOf(MARK, quote);
    }
    return count;
  };
  const check = () => {
    if (phase === undefined || phase.done) return;
    if (phase.complete < CLIENTS) return;
    phase.done = true;
    const sorted = Float64Array.from(phase.latencies).sort();
    process.send({ type: "received", firstSent: phase.firstSent, lastReceived: phase.lastReceived, p50: percentile(sorted, 50), p99: percentile(sorted, 99), deliveries: phase.latencies.length });
  };
  process.on("message", (message) => {
    if (message.type === "connect") {
      let connected = 0;
      const { port } = new URL(message.url);
      for (let n = 0; n < CLIENTS; n += 1) {
        const state = { tail: "", count: 0, ready: false };
        // A raw socket and a hand-written request: the clients' own cost (HTTP parsing, streams,
        // UTF-8 decoding) stays small, so the figures are the server's. Chunked-encoding lines
        // fall between writes, never inside a frame, so frames are read from the raw text.
        const socket = connect(Number(port), "127.0.0.1", () => socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`));
        socket.setNoDelay(true);
        sockets.push(socket);
        socket.on("data", (buffer) => {
          const chunk = buffer.toString("latin1");
          if (!state.ready) {
            state.ready = true;
            connected += 1;
            if (connected === CLIENTS) process.send({ type: "connected" });
          }
          const text = state.tail + chunk;
          const end = text.lastIndexOf("\n\n");
          if (end < 0) {
            state.tail = text;
            return;
          }
          state.tail = text.slice(end + 2);
          const count = seen(text.slice(0, end));
          if (count > 0 && phase !== undefined) {
            const before = state.phaseTag === phase.tag ? state.count : 0;
            state.count = before + count;
            state.phaseTag = phase.tag;
            if (before < phase.count && state.count >= phase.count) {
              phase.complete += 1;
              check();
            }
          }
        });
        socket.on("error", (error) => process.send({ type: "error", message: error.message }));
      }
    } else if (message.type === "expect") {
      phase = { tag: message.tag, count: message.count, capacity: message.count * CLIENTS, latencies: [], firstSent: Infinity, lastReceived: 0, complete: 0, done: false };
      process.send({ type: "expecting" });
    } else if (message.type === "stop") {
      for (const socket of sockets) socket.destroy();
      process.disconnect();
    }
  });
  process.send({ type: "started" });
}

// ---- Orchestration ----------------------------------------------------------------------------

function child(args) {
  const process_ = fork(SELF, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = [];
  /** Messages no one waited for yet, in arrival order. */
  const early = [];
  process_.on("message", (message) => {
    if (message.type === "error") {
      for (const wait of waiting.splice(0)) wait.reject(new Error(message.message));
      return;
    }
    const index = waiting.findIndex((wait) => wait.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(message);
    else early.push(message);
  });
  const next = (type) =>
    new Promise((resolve, reject) => {
      const index = early.findIndex((message) => message.type === type);
      if (index >= 0) return resolve(early.splice(index, 1)[0]);
      const timer = setTimeout(() => reject(new Error(`sse bench: no "${type}" from ${args.join(" ")} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      waiting.push({ type, resolve: (message) => (clearTimeout(timer), resolve(message)), reject: (error) => (clearTimeout(timer), reject(error)) });
    });
  const exited = new Promise((resolve) => process_.on("exit", resolve));
  return { send: (message) => process_.send(message), next, exited, kill: () => process_.kill("SIGKILL") };
}

async function measurePeer(peer, samples) {
  const server = child(["--role", "server", "--peer", peer]);
  const clients = child(["--role", "clients"]);
  try {
    const { port } = await server.next("listening");
    await clients.next("started");
    clients.send({ type: "connect", url: `http://127.0.0.1:${port}/events` });
    await clients.next("connected");
    const phase = async (tag, type, count, extra = {}) => {
      clients.send({ type: "expect", tag, count });
      await clients.next("expecting");
      const received = clients.next("received");
      server.send({ type, tag, count, ...extra });
      await server.next("published");
      return received;
    };
    await phase("warm", "burst", 200);
    const runs = [];
    for (let sample = 0; sample < samples; sample += 1) {
      const burst = await phase(`b${sample}`, "burst", BURST);
      const steady = await phase(`s${sample}`, "steady", Math.round((RATE * STEADY_MS) / 1000), { rate: RATE });
      runs.push({ rate: (BURST / (burst.lastReceived - burst.firstSent)) * 1000, burstP99: burst.p99, p50: steady.p50, p99: steady.p99 });
    }
    server.send({ type: "memory" });
    const memory = await server.next("memory");
    return {
      rate: median(runs.map((run) => run.rate)),
      burstP99: median(runs.map((run) => run.burstP99)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      peakRssMiB: mib(memory.peakRss),
      growthMiB: mib(memory.peakRss - memory.baseline),
      stats: memory.stats,
    };
  } finally {
    server.send({ type: "stop" });
    clients.send({ type: "stop" });
    const deadline = setTimeout(() => (server.kill(), clients.kill()), 10_000);
    await Promise.all([server.exited, clients.exited]);
    clearTimeout(deadline);
  }
}

/** The medians of `runs`, one result per sample. */
function summarize(runs) {
  const pick = (key) => median(runs.map((run) => run[key]));
  return { rate: pick("rate"), burstP99: pick("burstP99"), p50: pick("p50"), p99: pick("p99"), peakRssMiB: pick("peakRssMiB"), growthMiB: pick("growthMiB"), stats: runs.at(-1).stats };
}

export async function run({ samples }) {
  await transpile();
  // Peers alternate, each sample in fresh processes, so a noisy moment on the machine hits both alike.
  const runs = { eventc: [], better: [] };
  for (let sample = 0; sample < samples; sample += 1) {
    runs.eventc.push(await measurePeer("eventc", 1));
    runs.better.push(await measurePeer("better-sse", 1));
  }
  const eventc = summarize(runs.eventc);
  const better = summarize(runs.better);
  const ms = (value) => `${value.toFixed(1)} ms`;
  const row = (label, result) =>
    `| ${label} | ${(result.rate / 1000).toFixed(1)} k | ${((result.rate * CLIENTS) / 1e6).toFixed(2)} M | ${ms(result.burstP99)} | ${ms(result.p50)} / ${ms(result.p99)} | ${result.peakRssMiB.toFixed(0)} | ${result.growthMiB.toFixed(0)} |`;
  const markdown = [
    `| ${CLIENTS} clients on loopback, one server process | events/s (burst of ${BURST}) | deliveries/s | p99 in the burst | p50 / p99 at ${RATE} events/s | server peak RSS MiB | RSS growth MiB |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    row("eventc createSseHandler (in-process bus, validated publish)", eventc),
    row("better-sse channel.broadcast", better),
  ].join("\n");
  return {
    rows: [],
    markdown,
    ratios: [
      { label: "eventc ÷ better-sse, events/s fanned out to 1,000 clients (goal > 1)", value: eventc.rate / better.rate },
      { label: "better-sse ÷ eventc, p99 delivery latency at a steady rate (goal > 1)", value: better.p99 / eventc.p99 },
      { label: "better-sse ÷ eventc, p99 delivery latency in the burst", value: better.burstP99 / eventc.burstP99 },
      { label: "better-sse ÷ eventc, server peak RSS", value: better.peakRssMiB / eventc.peakRssMiB },
    ],
    notes: [`eventc's handler after the run: ${JSON.stringify(eventc.stats)} (the replay buffer is bounded by replayWindow; nothing is queued per connection).`],
  };
}

// ---- Entry for the child processes --------------------------------------------------------------

const roleAt = process.argv.indexOf("--role");
if (roleAt >= 0 && process.argv[1] === SELF) {
  const role = process.argv[roleAt + 1];
  if (role === "server") await serverRole(process.argv[process.argv.indexOf("--peer") + 1]);
  else if (role === "clients") clientsRole();
}
