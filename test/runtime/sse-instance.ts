/**
 * One SSE server instance as its own Node process, for sse-streams.test.ts:
 *
 *   sse-instance.ts <redis-url>   prints {"url": …, "ws": …} once it listens on 127.0.0.1
 *
 * It serves `createSseHandler(bus, { replayFrom: "transport" })` over a bus on the Redis Streams
 * transport, and a WebSocket hub serving that handler (`/live`, on the same port). Commands on stdin, one a line: `cut` destroys every open socket from the server's
 * side and prints `cut <n>`; `stop` closes handler, bus and server and lets the process end by
 * itself (no process.exit).
 */
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { createRedisStreamTransport } from "../../templates/ts/runtime/transports/redis/streams.js";
import { WebSocketServer } from "ws";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { createWebSocketHub } from "../../templates/ts/runtime/ws/hub.js";
import { eventNames } from "../../generated/ts/index.js";
import { binding, createBus } from "./example-runtime.js";
import { serve } from "./sse-kit.js";

const [url] = process.argv.slice(2);
const client = new Redis(String(url));
const bus = createBus({ transport: createRedisStreamTransport({ client }), onError: (error) => process.stderr.write(`${error.code}: ${error.message}\n`) });
const handler = createSseHandler(bus, { binding, eventNames, replayFrom: "transport", heartbeatMs: 1000 });
const hub = createWebSocketHub(handler, { WebSocketServer });
const served = await serve(handler, "node", "/events", hub.upgrade);
let served_connections = 0;
process.stdout.write(`${JSON.stringify({ url: served.url, ws: `ws://127.0.0.1:${served.port}/live` })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "cut") {
    const count = served.cut();
    served_connections += count;
    process.stdout.write(`cut ${count}\n`);
  } else if (line === "stop") {
    lines.close();
    void (async () => {
      await hub.close();
      await handler.close();
      await served.close();
      await bus.close();
      process.stdout.write(`stopped ${served_connections}\n`);
    })();
  }
});
