/**
 * The page side of worker-browser.test.ts (bundled for chromium): a bus over a Web Worker's host
 * transport. `window.__run(plan)` runs one plan and resolves with what it saw.
 */
import type { TransportStatus } from "../../templates/ts/runtime/transports/transport.js";
import { createWorkerHostTransport } from "../../templates/ts/runtime/transports/worker.js";
import { createBus } from "./example-runtime.js";

const delta = (n: number, sessionID: string) => ({ sessionID, messageID: "m1", partID: "p1", field: "text", delta: `${n}` });

/** The worker's messages of the application (not the transport's), as they come. */
function reportsOf(worker: Worker): Record<string, unknown>[] {
  const reports: Record<string, unknown>[] = [];
  worker.addEventListener("message", (event: MessageEvent) => {
    const report = (event.data as { report?: unknown } | null)?.report;
    if (typeof report === "object" && report !== null) reports.push(report as Record<string, unknown>);
  });
  return reports;
}

async function until(probe: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function eachWay(count: number): Promise<unknown> {
  const worker = new Worker("/worker.js");
  const reports = reportsOf(worker);
  const bus = createBus({ transport: createWorkerHostTransport(worker) });
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
  worker.postMessage({ start: "each-way", count });
  await until(() => reports.some((report) => "ready" in report), 10_000, "the worker to subscribe");
  worker.postMessage({ go: true });
  for (let n = 0; n < count; n += 1) await bus.publish("message.part.delta", delta(n, "from-host"));
  await until(() => next >= count && reports.some((report) => "received" in report), 60_000, "both sides' events");
  await bus.close();
  worker.terminate();
  return { here: { received: next, ordered }, there: reports.find((report) => "received" in report) };
}

async function terminated(): Promise<unknown> {
  const worker = new Worker("/worker.js");
  const reports = reportsOf(worker);
  const statuses: TransportStatus[] = [];
  const transport = createWorkerHostTransport(worker, { window: 64, heartbeatMs: 50, livenessTimeoutMs: 300 });
  const bus = createBus({ transport, onError: () => {}, onStatus: (status) => statuses.push(status) });
  const stream = bus.stream("session.status");
  worker.postMessage({ start: "subscribe" });
  await until(() => reports.some((report) => "ready" in report), 10_000, "the worker to subscribe");
  const settled: Promise<string>[] = [];
  for (let n = 0; n < 2000; n += 1) settled.push(bus.publish("message.part.delta", delta(n, "s1")).then(() => "ok", () => "rejected"));
  const heldBefore = transport.stats().held;
  // A Web Worker terminated says nothing: the host takes it for gone when it answers no ping.
  worker.terminate();
  const outcomes = await Promise.all(settled);
  let streamError = "";
  try {
    while (!(await stream.next()).done);
  } catch (error) {
    streamError = (error as Error).message;
  }
  return { heldBefore, rejected: outcomes.filter((outcome) => outcome === "rejected").length, heldAfter: transport.stats().held, ended: statuses.at(-1)?.state, streamError };
}

(globalThis as unknown as { __run: (plan: { kind: string; count?: number }) => Promise<unknown> }).__run = (plan) => (plan.kind === "each-way" ? eachWay(plan.count ?? 0) : terminated());
