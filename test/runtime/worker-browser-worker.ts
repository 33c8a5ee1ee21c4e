/**
 * The worker side of worker-browser.test.ts (bundled for chromium as a Web Worker): its bus over
 * `createWorkerThreadTransport()` — the worker's global scope by default. The page says what to do.
 */
import { createWorkerThreadTransport } from "../../templates/ts/runtime/transports/worker.js";
import { createBus } from "./example-runtime.js";

const scope = globalThis as unknown as { postMessage(message: unknown): void; addEventListener(type: "message", listener: (event: { data: unknown }) => void): void };
const say = (report: unknown): void => scope.postMessage({ report });
const delta = (n: number, sessionID: string) => ({ sessionID, messageID: "m1", partID: "p1", field: "text", delta: `${n}` });

const bus = createBus({ transport: createWorkerThreadTransport() });
let count = 0;

scope.addEventListener("message", (event) => {
  const message = event.data as { start?: string; count?: number; go?: boolean } | null;
  if (message?.start === "each-way") {
    count = message.count ?? 0;
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
    void subscribed.ready.then(() => say({ ready: true }));
  } else if (message?.start === "subscribe") {
    void bus.subscribe("message.part.delta", () => {}).ready.then(() => say({ ready: true }));
  } else if (message?.go === true) {
    void (async () => {
      for (let n = 0; n < count; n += 1) await bus.publish("message.part.delta", delta(n, "from-thread"));
    })();
  }
});
