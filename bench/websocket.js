/**
 * Benchmark suite "websocket": fan-out from one WebSocket server to 1,000 concurrent clients on
 * loopback — eventc's hub (`createWebSocketHub` over an SSE handler and its in-process bus) against
 * socket.io with connection-state recovery on, and against raw `ws` broadcast of the same envelope
 * bytes (the floor: one `send` per client of a string built once per event, nothing kept for resume),
 * the same load in the same run.
 *
 * Three processes per peer, as in the sse suite (bench/fanout.js): this one orchestrates; a server
 * process (`--role server`) publishes; a clients process (`--role clients`) holds the 1,000 sockets —
 * the ws package's client for every peer, speaking socket.io's Engine.IO protocol by hand for
 * socket.io (`40` to join the namespace, `3` to answer a ping), so the clients' own cost is alike and
 * small. Every peer sends the envelope `{ id, time, topic, event }`; eventc publishes through
 * `bus.publish` (validation included) and its hub sends each subscription the SSE frames of the
 * stream (what a client resumes from); socket.io through `io.emit("message", envelope)` (recovery
 * keeps each packet with its offset); ws through `client.send(json)` to every client. Each payload
 * carries its publish time.
 *
 * Per sample, each peer in fresh processes, the peers taking turns: a burst of BURST events published
 * in batches of 100 per turn — events/s is BURST over the time from the first publish to the last
 * delivery to the last client — then a steady RATE events/s for STEADY_MS: p50/p99 of every
 * delivery's latency. Hub memory: the server process's peak RSS, sampled every 20 ms, and its growth
 * over what it used before the clients connected.
 *
 * The runtime and the example SDK (generated/ts) are transpiled as they are to JavaScript in
 * .bench/websocket; nothing of the runtime is re-implemented here.
 */
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { envelopeSource, fanoutRow, measureFanout, serveOrders, summarize, trackPhases } from "./fanout.js";
import { bindingOf, ROOT, transpileFolder, WORK } from "./measure.js";

export const name = "websocket";
export const description =
  "WebSocket fan-out to 1,000 clients on loopback: eventc createWebSocketHub vs socket.io (connection-state recovery on) vs raw ws broadcast (events/s, p50/p99 delivery latency, hub memory)";

const CLIENTS = 1000;
const BURST = 1000;
const RATE = 20;
const STEADY_MS = 4000;
const DIR = path.join(WORK, "websocket");
const SELF = fileURLToPath(import.meta.url);
const PEERS = ["eventc", "socket.io", "ws"];

async function transpile() {
  rmSync(DIR, { recursive: true, force: true });
  await transpileFolder(path.join(ROOT, "generated", "ts"), path.join(DIR, "sdk"));
  await transpileFolder(path.join(ROOT, "templates", "ts", "runtime"), path.join(DIR, "sdk", "runtime"));
}

// ---- The server process -----------------------------------------------------------------------

async function serverRole(peer) {
  const server = createServer((_req, res) => res.writeHead(404).end());
  let publish;
  let stats = () => ({});
  let close = () => {};
  if (peer === "eventc") {
    const url = (file) => pathToFileURL(path.join(DIR, "sdk", file)).href;
    const sdk = await import(url("index.js"));
    const { createBusFor } = await import(url("runtime/bus/bus.js"));
    const { createSseHandler } = await import(url("runtime/sse/server.js"));
    const { createWebSocketHub } = await import(url("runtime/ws/hub.js"));
    const { WebSocketServer } = await import("ws");
    const binding = bindingOf(sdk);
    const bus = createBusFor(binding);
    const handler = createSseHandler(bus, { binding, maxConnections: CLIENTS * 2 });
    const hub = createWebSocketHub(handler, { WebSocketServer, maxConnections: CLIENTS * 2 });
    await handler.ready;
    server.on("upgrade", hub.upgrade);
    publish = (payload) => void bus.publish("message.part.delta", payload);
    stats = () => ({ hub: hub.stats(), handler: handler.stats() });
    close = () => void hub.close();
  } else if (peer === "socket.io") {
    const { Server } = await import("socket.io");
    const io = new Server(server, { serveClient: false, transports: ["websocket"], connectionStateRecovery: {} });
    const envelope = envelopeSource();
    publish = (payload) => void io.emit("message", envelope(payload));
    stats = () => ({ connections: io.engine.clientsCount });
    close = () => void io.close();
  } else {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ server });
    const envelope = envelopeSource();
    publish = (payload) => {
      const text = JSON.stringify(envelope(payload));
      for (const client of wss.clients) client.send(text);
    };
    stats = () => ({ connections: wss.clients.size });
    close = () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    };
  }
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  serveOrders({
    publish,
    stats,
    stop: (done) => {
      close();
      server.closeAllConnections();
      server.close(done);
    },
  });
  process.send({ type: "listening", port: server.address().port });
}

// ---- The clients process ----------------------------------------------------------------------

async function clientsRole(peer) {
  const { WebSocket } = await import("ws");
  const sockets = [];
  const phases = trackPhases(CLIENTS);
  process.on("message", (message) => {
    if (message.type === "connect") {
      let connected = 0;
      const ready = (state) => {
        if (state.ready) return;
        state.ready = true;
        connected += 1;
        if (connected === CLIENTS) process.send({ type: "connected" });
      };
      for (let n = 0; n < CLIENTS; n += 1) {
        const state = { ...phases.client(), ready: false };
        const target = peer === "eventc" ? `${message.url}/live?events=message.part.delta` : peer === "socket.io" ? `${message.url}/socket.io/?EIO=4&transport=websocket` : `${message.url}/`;
        const socket = new WebSocket(target, { perMessageDeflate: false });
        sockets.push(socket);
        socket.on("open", () => {
          if (peer === "eventc") socket.send(JSON.stringify({ op: "subscribe", sub: "s", events: ["message.part.delta"] }));
          else if (peer === "ws") ready(state);
        });
        socket.on("message", (data) => {
          const text = data.toString();
          if (peer === "eventc") {
            if (!state.ready && text.includes("event: live")) ready(state);
          } else if (peer === "socket.io") {
            // Engine.IO: "0" open → join the namespace ("40"); "40…" joined; "2" ping → "3" pong; "42[…]" an event.
            if (text.startsWith("0")) return socket.send("40");
            if (text.startsWith("40")) return ready(state);
            if (text === "2") return socket.send("3");
          }
          phases.received(state, text);
        });
        socket.on("error", (error) => process.send({ type: "error", message: error.message }));
      }
    } else if (message.type === "expect") {
      phases.expect(message.tag, message.count);
      process.send({ type: "expecting" });
    } else if (message.type === "stop") {
      for (const socket of sockets) socket.terminate();
      process.disconnect();
    }
  });
  process.send({ type: "started" });
}

// ---- Orchestration ----------------------------------------------------------------------------

const measurePeer = (peer) => measureFanout(SELF, peer, { samples: 1, burst: BURST, rate: RATE, steadyMs: STEADY_MS, suite: "websocket", connectUrl: (port) => `ws://127.0.0.1:${port}` });

export async function run({ samples }) {
  await transpile();
  // Peers take turns, each sample in fresh processes, so a noisy moment on the machine hits all alike.
  const runs = Object.fromEntries(PEERS.map((peer) => [peer, []]));
  for (let sample = 0; sample < samples; sample += 1) for (const peer of PEERS) runs[peer].push(await measurePeer(peer));
  const [eventc, socketio, ws] = PEERS.map((peer) => summarize(runs[peer]));
  const markdown = [
    `| ${CLIENTS} clients on loopback, one server process | events/s (burst of ${BURST}) | deliveries/s | p99 in the burst | p50 / p99 at ${RATE} events/s | server peak RSS MiB | RSS growth MiB |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    fanoutRow("eventc createWebSocketHub (in-process bus, validated publish, resumable ids)", eventc, CLIENTS),
    fanoutRow("socket.io io.emit, connection-state recovery on", socketio, CLIENTS),
    fanoutRow("floor: raw ws, one send of the same JSON per client", ws, CLIENTS),
  ].join("\n");
  return {
    rows: [],
    markdown,
    ratios: [
      { label: "eventc ÷ socket.io, events/s fanned out to 1,000 clients (goal ≥ 2)", value: eventc.rate / socketio.rate },
      { label: "eventc ÷ socket.io, p99 delivery latency at a steady rate (goal ≤ 0.5)", value: eventc.p99 / socketio.p99 },
      { label: "eventc ÷ raw ws broadcast, events/s (goal ≥ 0.8)", value: eventc.rate / ws.rate },
      { label: "eventc ÷ socket.io, hub peak RSS", value: eventc.peakRssMiB / socketio.peakRssMiB },
    ],
    notes: [`eventc's hub and handler after the run: ${JSON.stringify(eventc.stats)}.`],
  };
}

// ---- Entry for the child processes --------------------------------------------------------------

const roleAt = process.argv.indexOf("--role");
if (roleAt >= 0 && process.argv[1] === SELF) {
  const role = process.argv[roleAt + 1];
  const peer = process.argv[process.argv.indexOf("--peer") + 1];
  if (role === "server") await serverRole(peer);
  else if (role === "clients") await clientsRole(peer);
}
