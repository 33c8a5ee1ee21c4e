/**
 * A spoke process (ws-spoke.test.ts): a bus over `createWebSocketTransport` to the hub at argv[2]
 * subscribes, publishes three events, receives them back through the hub, closes — and must then
 * exit by itself: no timer, socket or listener of the transport may keep it alive.
 */
import { WebSocket } from "ws";
import { createWebSocketTransport } from "../../templates/ts/runtime/transports/websocket.js";
import { createBus } from "./example-runtime.js";

const url = process.argv[2]!;
const bus = createBus({ transport: createWebSocketTransport(url, { WebSocket }) });
let received = 0;
const unsubscribe = bus.subscribe("message.part.delta", () => void (received += 1));
await unsubscribe.ready;
for (let n = 0; n < 3; n += 1) await bus.publish("message.part.delta", { sessionID: "s1", messageID: "m1", partID: "p1", field: "text", delta: `${n}` });
const deadline = Date.now() + 5000;
while (received < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
await bus.close();
process.stdout.write(`received ${received}; closed\n`);
