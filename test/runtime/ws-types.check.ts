/**
 * Compile-only: the WebSocket hub's and client's structural types accept what applications hand
 * them — the ws package's `WebSocketServer` and `WebSocket`, the DOM's `WebSocket`, Node http's
 * `upgrade` event — and the events arrive typed by the catalogue. Checked by sse-types.test.ts.
 */
import { createServer } from "node:http";
import { WebSocket as NodeWebSocket, WebSocketServer } from "ws";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { connectWebSocket, type WebSocketConstructor } from "../../templates/ts/runtime/ws/client.js";
import { createWebSocketHub } from "../../templates/ts/runtime/ws/hub.js";
import { binding, createBus } from "./example-runtime.js";

const handler = createSseHandler(createBus(), { binding, authorize: (request) => request.header("authorization") !== undefined });
const hub = createWebSocketHub(handler, { WebSocketServer, maxSubscriptions: 8 });

export const server = createServer((req, res) => handler.node(req, res));
server.on("upgrade", hub.upgrade);
server.on("upgrade", (request, socket, head) => hub.upgrade(request, socket, head));

// Sockets of the application's own server, handed over.
export const own = new WebSocketServer({ noServer: true, maxPayload: 65_536 });
own.on("connection", (socket, request) => hub.accept(socket, request));

export const fromWs: WebSocketConstructor = NodeWebSocket;
export const fromTheBrowser: WebSocketConstructor = WebSocket;

export const client = connectWebSocket("ws://127.0.0.1/live", {
  binding,
  WebSocket: NodeWebSocket,
  events: ["session.*"],
  onEvent(envelope) {
    if (envelope.event.type === "session.status.v2") {
      const status: "idle" | "busy" | "retry" = envelope.event.payload.status.type;
      void status;
    }
  },
});
