// What the fan-out suites (sse, websocket) share: a server process and a clients process per peer,
// driven over IPC; phases of a burst and a steady rate; every delivery's latency from the publish
// time its payload carries (one clock for every process: performance.timeOrigin + now()).
import { fork } from "node:child_process";

export const DEADLINE_MS = 120_000;

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
export const now = () => performance.timeOrigin + performance.now();
export const mib = (bytes) => bytes / 1024 / 1024;

/** The payload every peer publishes: its `delta` carries the phase tag, the number and the publish time. */
export const payload = (tag, n) => ({ sessionID: "s1", messageID: "m1", partID: "p1", field: "text", delta: `${tag}:${n}|${now()}` });

/** The envelope the peers without a bus send, shaped as eventc's, with ids e1, e2, …. */
export function envelopeSource() {
  let sequence = 0;
  return (payload) => {
    const id = `e${(sequence += 1)}`;
    return { id, time: new Date().toISOString(), topic: payload.sessionID, event: { type: "message.part.delta.v1", payload } };
  };
}

/** A child process of `file` with `args`, and `next(type)`: the next IPC message of that type (within the deadline). */
export function child(file, args, suite) {
  const process_ = fork(file, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
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
      const timer = setTimeout(() => reject(new Error(`${suite} bench: no "${type}" from ${args.join(" ")} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      waiting.push({ type, resolve: (message) => (clearTimeout(timer), resolve(message)), reject: (error) => (clearTimeout(timer), reject(error)) });
    });
  const exited = new Promise((resolve) => process_.on("exit", resolve));
  return { send: (message) => process_.send(message), next, exited, kill: () => process_.kill("SIGKILL") };
}

/**
 * The server side of a peer: `publish(payload)` for each event, `stats()` for the notes. Answers the
 * orchestrator's `burst`, `steady`, `memory` and `stop` messages; samples its own RSS every 20 ms.
 */
export function serveOrders({ publish, stats, stop }) {
  let peakRss = process.memoryUsage().rss;
  const baseline = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
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
      stop(() => process.disconnect());
    }
  });
}

/**
 * The clients side: counts, per client, the events of the current phase found in the text it
 * received (`"delta":"<tag>:<n>|<sent>"`), and reports the phase once every client saw all of them.
 * `connect(url, onConnected)` opens the clients; each calls `received(state, text)` with whole frames.
 */
export function trackPhases(clients) {
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
    if (phase === undefined || phase.done || phase.complete < clients) return;
    phase.done = true;
    const sorted = Float64Array.from(phase.latencies).sort();
    process.send({ type: "received", firstSent: phase.firstSent, lastReceived: phase.lastReceived, p50: percentile(sorted, 50), p99: percentile(sorted, 99), deliveries: phase.latencies.length });
  };
  return {
    /** A new client's state. */
    client: () => ({ count: 0, phaseTag: undefined }),
    received(state, text) {
      const count = seen(text);
      if (count === 0 || phase === undefined) return;
      const before = state.phaseTag === phase.tag ? state.count : 0;
      state.count = before + count;
      state.phaseTag = phase.tag;
      if (before < phase.count && state.count >= phase.count) {
        phase.complete += 1;
        check();
      }
    },
    expect(tag, count) {
      phase = { tag, count, capacity: count * clients, latencies: [], firstSent: Infinity, lastReceived: 0, complete: 0, done: false };
    },
  };
}

/** Runs the phases against one peer's server and clients processes; the medians of `samples` runs. */
export async function measureFanout(file, peer, { samples, burst, rate, steadyMs, suite, connectUrl }) {
  const server = child(file, ["--role", "server", "--peer", peer], suite);
  const clients = child(file, ["--role", "clients", "--peer", peer], suite);
  try {
    const { port } = await server.next("listening");
    await clients.next("started");
    clients.send({ type: "connect", url: connectUrl(port) });
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
      const burstRun = await phase(`b${sample}`, "burst", burst);
      const steady = await phase(`s${sample}`, "steady", Math.round((rate * steadyMs) / 1000), { rate });
      runs.push({ rate: (burst / (burstRun.lastReceived - burstRun.firstSent)) * 1000, burstP99: burstRun.p99, p50: steady.p50, p99: steady.p99 });
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
export function summarize(runs) {
  const pick = (key) => median(runs.map((run) => run[key]));
  return { rate: pick("rate"), burstP99: pick("burstP99"), p50: pick("p50"), p99: pick("p99"), peakRssMiB: pick("peakRssMiB"), growthMiB: pick("growthMiB"), stats: runs.at(-1).stats };
}

/** The table row of one peer. */
export function fanoutRow(label, result, clients) {
  const ms = (value) => `${value.toFixed(1)} ms`;
  return `| ${label} | ${(result.rate / 1000).toFixed(1)} k | ${((result.rate * clients) / 1e6).toFixed(2)} M | ${ms(result.burstP99)} | ${ms(result.p50)} / ${ms(result.p99)} | ${result.peakRssMiB.toFixed(0)} | ${result.growthMiB.toFixed(0)} |`;
}
