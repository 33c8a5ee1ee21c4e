/**
 * A process whose bus talks to a worker and then has nothing to do (worker.test.ts): while it is
 * subscribed the worker keeps it alive (an event may come); once it unsubscribed it must exit by
 * itself — the host transport unrefs the idle worker and its heartbeat never keeps the process alive.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { createWorkerHostTransport } from "../../templates/ts/runtime/transports/worker.js";
import { createBus } from "./example-runtime.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const worker = new Worker(path.join(here, "worker-boot.mjs"), { workerData: { script: path.join(here, "worker-peer.ts"), mode: "subscribe" } });
const bus = createBus({ transport: createWorkerHostTransport(worker, { heartbeatMs: 50 }) });
// Subscribed, the worker keeps the process alive while an event may come: one is published from a
// timer that does not keep the process alive itself. Received, the subscription goes, and the idle
// transport must let the process exit.
const unsubscribe = bus.subscribe("message.part.delta", (envelope) => {
  unsubscribe();
  process.stdout.write(`received ${envelope.event.payload.delta} through the worker\n`);
});
await unsubscribe.ready;
setTimeout(() => void bus.publish("message.part.delta", { sessionID: "s1", messageID: "m1", partID: "p1", field: "text", delta: "7" }), 200).unref();
