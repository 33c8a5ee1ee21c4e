/**
 * Compile-only: the WebSocket hub's, client's and spoke transport's structural types accept what
 * applications hand them — the ws package's `WebSocketServer` and `WebSocket`, the DOM's `WebSocket`,
 * Node http's `upgrade` event — and the events arrive typed by the catalogue, `authorizePublish`'s
 * envelopes included. Checked by sse-types.test.ts.
 */
import { createServer } from "node:http";
import { WebSocket as NodeWebSocket, WebSocketServer } from "ws";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { connectWebSocket, type WebSocketConstructor } from "../../templates/ts/runtime/ws/client.js";
import { createWebSocketTransport, type SpokeSocketConstructor } from "../../templates/ts/runtime/transports/websocket.js";
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

// A hub that takes publishes: `authorizePublish` sees envelopes typed by the catalogue.
const hubBus = createBus();
export const publishing = createWebSocketHub(createSseHandler(hubBus, { binding }), {
  WebSocketServer,
  bus: hubBus,
  binding,
  maxPublishesInFlight: 32,
  authorizePublish: async (request, envelope) => {
    if (envelope.event.type === "session.status.v2") {
      const status: "idle" | "busy" | "retry" = envelope.event.payload.status.type;
      if (status === "retry") return { status: 409, message: "Not now." };
    }
    // @ts-expect-error: not an event type of the catalogue
    if (envelope.event.type === "session.nope.v1") return false;
    return request.header("authorization") !== undefined;
  },
});

// A spoke: the ws package's WebSocket, or the host's.
export const spokeFromWs: SpokeSocketConstructor = NodeWebSocket;
export const spokeFromTheBrowser: SpokeSocketConstructor = WebSocket;
export const spoke = createBus({ transport: createWebSocketTransport("ws://127.0.0.1/live", { WebSocket: NodeWebSocket, maxQueuedPublishes: 100 }) });
export const browserSpoke = createBus({ transport: createWebSocketTransport("wss://example.com/live") });
