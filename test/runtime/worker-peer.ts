/**
 * The thread side of worker.test.ts: a bus over `createWorkerThreadTransport(parentPort)` that does
 * what `workerData.mode` says, and tells the host how it went with the application's own messages
 * (`{ report: … }`, which the transport passes over).
 */
import { parentPort, workerData } from "node:worker_threads";
import { createWorkerThreadTransport } from "../../templates/ts/runtime/transports/worker.js";
import { WORKER_PROTOCOL } from "../../templates/ts/runtime/transports/worker/protocol.js";
import { createBus } from "./example-runtime.js";

const port = parentPort!;
const { mode, count = 0, window } = workerData as { mode: string; count?: number; window?: number };
const say = (report: unknown): void => port.postMessage({ report });

const delta = (n: number, sessionID: string) => ({ sessionID, messageID: "m1", partID: "p1", field: "text", delta: `${n}` });

if (mode === "each-way") {
  // The host's events in, ours out: each side publishes `count`, on its own topic.
  const bus = createBus({ transport: createWorkerThreadTransport(port, window === undefined ? {} : { window }) });
  let next = 0;
  let ordered = true;
  const subscribed = bus.subscribe(
    "message.part.delta",
    (envelope) => {
      if (Number(envelope.event.payload.delta) !== next) ordered = false;
      next += 1;
      if (next === count) say({ received: next, ordered });
    },
    { topic: "from-host" },
  );
  await subscribed.ready;
  say({ ready: true });
  port.on("message", (message: { go?: boolean }) => {
    if (message.go !== true) return;
    void (async () => {
      for (let n = 0; n < count; n += 1) await bus.publish("message.part.delta", delta(n, "from-thread"));
      say({ published: count });
    })();
  });
} else if (mode === "subscribe-and-stall") {
  // Subscribes, then stops reading: its event loop is blocked until the host terminates it.
  const bus = createBus({ transport: createWorkerThreadTransport(port, window === undefined ? {} : { window }) });
  await bus.subscribe("message.part.delta", () => {}).ready;
  say({ ready: true });
  port.once("message", () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(stop, 0, 0, 60_000);
  });
} else if (mode === "subscribe") {
  // Subscribes and keeps reading until it is killed.
  const bus = createBus({ transport: createWorkerThreadTransport(port) });
  let received = 0;
  await bus.subscribe("message.part.delta", () => void (received += 1)).ready;
  say({ ready: true });
  setInterval(() => say({ received }), 50);
} else if (mode === "until-closed") {
  // Subscribes; when the host closes its side, reports how this side ended, and has nothing left to run.
  const bus = createBus({
    transport: createWorkerThreadTransport(port),
    onError: () => {},
    onStatus: (status) => {
      if (status.state === "ended") say({ ended: status.cause?.message });
    },
  });
  const stream = bus.stream("session.status");
  await bus.subscribe("message.part.delta", () => {}).ready;
  say({ ready: true });
  stream.next().then(
    () => say({ stream: "done" }),
    (error: unknown) => say({ stream: (error as Error).message }),
  );
} else if (mode === "trusted-binary") {
  // Trusted threads without validation: a payload may carry an ArrayBuffer, moved rather than copied.
  const bus = createBus({ validate: false, transport: createWorkerThreadTransport(port, { trusted: true }) });
  await bus.subscribe("message.part.delta", (envelope) => {
    const buffer = (envelope.event.payload as unknown as { buffer?: unknown }).buffer;
    say({ binary: buffer instanceof ArrayBuffer ? buffer.byteLength : String(buffer) });
  }).ready;
  say({ ready: true });
} else if (mode === "other-version") {
  port.postMessage({ eventc: "bus/999", t: "hello", window: 1 });
} else if (mode === "hostile") {
  // Speaks the protocol badly, then publishes one valid event: only that one may be delivered.
  const raw = (message: object): void => port.postMessage({ eventc: WORKER_PROTOCOL, ...message });
  raw({ t: "hello", window: 64 });
  port.on("message", (message: { eventc?: string; t?: string; key?: string; go?: boolean }) => {
    // The host's subscriptions are confirmed, so its `ready` resolves.
    if (message.eventc === WORKER_PROTOCOL && message.t === "sub") raw({ t: "subbed", key: message.key });
    if (message.go !== true) return;
    const valid = { id: "e-valid", time: "2026-01-01T00:00:00.000Z", topic: "s1", event: { type: "message.part.delta.v1", payload: delta(1, "s1") } };
    raw({ t: "pubs", channels: ["message.part.delta:s1"], envelopes: [{ ...valid, id: "e-bad-payload", event: { type: "message.part.delta.v1", payload: { delta: 5 } } }] });
    raw({ t: "pubs", channels: ["message.part.delta:s1"], envelopes: [{ ...valid, id: "e-unknown", event: { type: "no.such.v1", payload: {} } }] });
    raw({ t: "pubs", channels: ["message.part.delta:s2"], envelopes: [{ ...valid, id: "e-wrong-channel" }] });
    raw({ t: "pubs", channels: ["message.part.delta:s1"], envelopes: [JSON.parse('{"__proto__":{"polluted":true},"id":"e-proto","time":"2026-01-01T00:00:00.000Z","topic":"s1","event":{"type":"message.part.delta.v1","payload":{"sessionID":"s1","messageID":"m1","partID":"p1","field":"text","delta":"x"}},"constructor":{"prototype":{"polluted":true}}}')] });
    raw({ t: "pubs", channels: "not a list", envelopes: [] });
    raw({ t: "pubs", channels: ["message.part.delta:s1", "message.part.delta:s1"], envelopes: [valid] });
    raw({ t: "pubs", channels: [42], envelopes: [valid] });
    raw({ t: "credit", n: 1e12 });
    raw({ t: "sub", key: "no sigil" });
    raw({ t: "nonsense" });
    raw({ t: "hello", window: 64 });
    port.postMessage(null);
    port.postMessage("text");
    port.postMessage({ report: "application message" });
    for (let n = 0; n < 10_000; n += 1) raw({ t: "sub", key: `=flood.${n}` });
    raw({ t: "pubs", channels: ["message.part.delta:s1"], envelopes: [valid] });
    say({ sent: true });
  });
}
