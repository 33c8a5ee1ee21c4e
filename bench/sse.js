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
import { createServer } from "node:http";
import { connect } from "node:net";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { envelopeSource, fanoutRow, measureFanout, serveOrders, summarize, trackPhases } from "./fanout.js";
import { bindingOf, ROOT, transpileFolder, WORK } from "./measure.js";

export const name = "sse";
export const description = "SSE fan-out to 1,000 clients on loopback: eventc createSseHandler vs better-sse (events/s, p50/p99 delivery latency, server memory)";

const CLIENTS = 1000;
const BURST = 1000;
const RATE = 20;
const STEADY_MS = 4000;
const DIR = path.join(WORK, "sse");
const SELF = fileURLToPath(import.meta.url);

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
    const binding = bindingOf(sdk);
    const bus = createBusFor(binding);
    const handler = createSseHandler(bus, { binding });
    await handler.ready;
    publish = (payload) => void bus.publish("message.part.delta", payload);
    stats = () => handler.stats();
    handle = handler.node;
  } else {
    const { createChannel, createSession } = await import("better-sse");
    const channel = createChannel();
    const envelopeOf = envelopeSource();
    publish = (payload) => {
      const envelope = envelopeOf(payload);
      channel.broadcast(envelope, "message", { eventId: envelope.id });
    };
    stats = () => ({ connections: channel.sessionCount });
    handle = (req, res) => void createSession(req, res).then((session) => channel.register(session));
  }
  const server = createServer(handle);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  serveOrders({
    publish,
    stats,
    stop: (done) => {
      server.closeAllConnections();
      server.close(done);
    },
  });
  process.send({ type: "listening", port: server.address().port });
}

// ---- The clients process ----------------------------------------------------------------------

function clientsRole() {
  const sockets = [];
  const phases = trackPhases(CLIENTS);
  process.on("message", (message) => {
    if (message.type === "connect") {
      let connected = 0;
      const { port } = new URL(message.url);
      for (let n = 0; n < CLIENTS; n += 1) {
        const state = { ...phases.client(), tail: "", ready: false };
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
          phases.received(state, text.slice(0, end));
        });
        socket.on("error", (error) => process.send({ type: "error", message: error.message }));
      }
    } else if (message.type === "expect") {
      phases.expect(message.tag, message.count);
      process.send({ type: "expecting" });
    } else if (message.type === "stop") {
      for (const socket of sockets) socket.destroy();
      process.disconnect();
    }
  });
  process.send({ type: "started" });
}

// ---- Orchestration ----------------------------------------------------------------------------

const measurePeer = (peer) => measureFanout(SELF, peer, { samples: 1, burst: BURST, rate: RATE, steadyMs: STEADY_MS, suite: "sse", connectUrl: (port) => `http://127.0.0.1:${port}/events` });

export async function run({ samples }) {
  await transpile();
  // Peers alternate, each sample in fresh processes, so a noisy moment on the machine hits both alike.
  const runs = { eventc: [], better: [] };
  for (let sample = 0; sample < samples; sample += 1) {
    runs.eventc.push(await measurePeer("eventc"));
    runs.better.push(await measurePeer("better-sse"));
  }
  const eventc = summarize(runs.eventc);
  const better = summarize(runs.better);
  const row = (label, result) => fanoutRow(label, result, CLIENTS);
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
