/**
 * Compile-only: the Worker transports accept what applications hand them — Node's `Worker` and
 * `parentPort`, the DOM's `Worker`, `MessagePort` and a worker's scope — and their buses are typed by
 * the catalogue. Checked by sse-types.test.ts.
 */
import { MessageChannel as NodeMessageChannel, parentPort, Worker as NodeWorker } from "node:worker_threads";
import { createWorkerHostTransport, createWorkerThreadTransport, type WorkerTransportOptions } from "../../templates/ts/runtime/transports/worker.js";
import { createBus } from "./example-runtime.js";

const options: WorkerTransportOptions = { window: 256, overflow: "drop-oldest", transfer: () => [] };

export const fromNodeWorker = createBus({ transport: createWorkerHostTransport(new NodeWorker("./thread.js"), options) });
export const fromParentPort = createBus({ transport: createWorkerThreadTransport(parentPort) });
export const fromNodePort = createBus({ transport: createWorkerThreadTransport(new NodeMessageChannel().port1) });
export const fromWebWorker = createBus({ transport: createWorkerHostTransport(new Worker("/worker.js", { type: "module" })) });
export const fromWebPort = createBus({ transport: createWorkerThreadTransport(new MessageChannel().port2) });
export const fromScope = createBus({ transport: createWorkerThreadTransport() });

export const typed: Promise<string> = fromWebWorker.publish("session.status", { sessionID: "s1", status: { type: "idle" } }).then((envelope) => envelope.id);
fromNodeWorker.subscribe("session.status", (envelope) => {
  const type: "session.status.v1" | "session.status.v2" = envelope.event.type;
  void type;
});
