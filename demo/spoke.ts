/**
 * A spoke: another process whose bus publishes into the demo through its WebSocket hub
 * (`createWebSocketTransport`), as a worker or a second service would. It announces one assistant
 * message on a session the page shows and streams its text in as deltas, then closes.
 *
 * `node --import jiti/register demo/spoke.ts ws://127.0.0.1:5173/live [deltas] [session]` while
 * `npm run demo` runs: the page shows the text arrive. Each published envelope's id is written to
 * stdout, one per line, in publish order.
 */
import { WebSocket } from "ws";
import { createBus } from "../generated/runtime/index.js";
import { createWebSocketTransport } from "../generated/runtime/transports/websocket.js";

const url = process.argv[2] ?? "ws://127.0.0.1:5173/live";
const deltas = Number(process.argv[3] ?? 50);
const sessionID = process.argv[4] ?? "ses_1";
if (!Number.isInteger(deltas) || deltas < 1) throw new Error(`spoke: deltas must be a whole number, 1 or more (was ${process.argv[3]})`);

const bus = createBus({ transport: createWebSocketTransport(url, { WebSocket }) });
const messageID = `msg_spoke_${process.pid}`;
const partID = `${messageID}_text`;
const ids: string[] = [];
try {
  const now = Date.now();
  const tokens = { input: 0, output: deltas, reasoning: 0, cache: { read: 0, write: 0 } };
  const info = { role: "assistant" as const, id: messageID, sessionID, parentID: `${messageID}_user`, modelID: "spoke", providerID: "demo", cost: 0, tokens, finish: null, time: { created: now } };
  ids.push((await bus.publish("message.updated", { info })).id);
  for (let n = 0; n < deltas; n += 1) {
    ids.push((await bus.publish("message.part.delta", { sessionID, messageID, partID, field: "text", delta: `${n === 0 ? "" : " "}word${n}` })).id);
  }
} finally {
  await bus.close();
}
process.stdout.write(`${ids.join("\n")}\n`);
