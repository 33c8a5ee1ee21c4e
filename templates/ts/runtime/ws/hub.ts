/**
 * The WebSocket hub: `createWebSocketHub(sse, options)` serves the streams of an SSE handler
 * (`createSseHandler`) over WebSockets, on the `ws` package's `WebSocketServer`. A connection
 * subscribes and unsubscribes with control messages (ws/protocol.ts); each subscription is a stream
 * of the handler's replay source — the same ids, the same resume (all or nothing, a `gap` otherwise),
 * the same snapshot, the same `authorize` and the same caps as an SSE connection — so a client moves
 * between SSE and WebSocket without losing or repeating an event.
 *
 * Guarantees and bounds (docs/websocket.md):
 * - Authentication at the upgrade: `hub.upgrade(request, socket, head)` (Node http's `upgrade`
 *   event) asks the handler's `authorize` with the selection the URL names (every event the handler
 *   serves when it names none) and refuses with its status (401, 403, …) before the upgrade — the
 *   socket gets an HTTP response and is destroyed; nothing is subscribed. Every subscribe message is
 *   authorized again with its own selection, which `authorize` may narrow or refuse.
 * - Caps: `maxConnections` sockets (429 at the upgrade), `maxSubscriptions` per socket (a `refused`
 *   message), `maxMessageBytes` per message (the server's `maxPayload`: ws closes with 1009), and the
 *   handler's caps per subscription (`maxChannels`, `maxServerChannels`, `maxConnections`: each
 *   subscription counts as one of its connections).
 * - Memory: each socket writes while its buffered amount is under `highWaterBytes`; one over
 *   `maxBufferedBytes` is a slow consumer: a `gap` per subscription, then close code `slow` (4008).
 * - Liveness: a socket that sends no subscribe or publish within `initTimeoutMs` is closed (4408);
 *   every `heartbeatMs` each socket is pinged, and one that did not answer the previous ping is terminated.
 * - Publishing (ws/publishes.ts): with a `bus` (and the `binding` to check against), a socket may
 *   publish envelopes on it — each checked against the catalogue, then `authorizePublish`, then
 *   published in arrival order and answered `published` or `rejected` with an HTTP status; at most
 *   `maxPublishesInFlight` per socket (429 past it). Without a bus every publish is rejected 405.
 *
 * No Node types: the request, the socket of the upgrade and the `ws` classes are typed by the members
 * used, and the hub imports neither `ws` nor a Node built-in — pass `WebSocketServer` from ws.
 */
import type { CatalogueShape } from "../core/binding.js";
import { BusError, messageOf } from "../core/errors.js";
import { logError, startTimer } from "../core/platform.js";
import { positiveInteger, wsDefaults } from "../core/policies.js";
import { nodeRequest, type NodeRequestLike } from "../sse/http.js";
import type { SseHandler } from "../sse/server.js";
import { HttpRefusal } from "../sse/selection.js";
import { WsHubConnection, type WsSocketLike } from "./connection.js";
import { utf8Length, WS_CLOSE } from "./protocol.js";
import { WsPublishing, type WsPublishOptions } from "./publishes.js";

export type { WsAuthorizePublish, WsPublishAuthorization } from "./publishes.js";

/** The part of a `ws` `WebSocketServer` the hub uses. */
export interface WsServerLike {
  handleUpgrade(request: never, socket: never, head: never, callback: (socket: WsSocketLike) => void): void;
  close(): unknown;
}

/** `WebSocketServer` from the ws package, as the hub constructs it. */
export type WsServerConstructor = new (options: { noServer: true; maxPayload: number; perMessageDeflate: false; clientTracking: false }) => WsServerLike;

/** The socket of an HTTP upgrade (Node's `Duplex`), as the hub refuses one. */
export interface UpgradeSocketLike {
  write(data: string): unknown;
  destroy(): unknown;
}

export interface WebSocketHubOptions<C extends CatalogueShape = CatalogueShape> extends WsPublishOptions<C> {
  /** `WebSocketServer` from the ws package: the hub makes its own (no server of its own, `maxPayload` = `maxMessageBytes`, no compression). */
  readonly WebSocketServer: WsServerConstructor;
  /** Bytes one message from a client may have. Default `wsDefaults.maxMessageBytes` (65,536). */
  readonly maxMessageBytes?: number;
  /** Subscriptions one socket may hold. Default `wsDefaults.maxSubscriptions` (64). */
  readonly maxSubscriptions?: number;
  /** Sockets open at once; one more upgrade gets 429. Default `wsDefaults.maxConnections` (10,000). */
  readonly maxConnections?: number;
  /** Buffered bytes of a socket at which its subscriptions wait. Default `wsDefaults.highWaterBytes` (1 MiB). */
  readonly highWaterBytes?: number;
  /** Buffered bytes past which a socket is a slow consumer (gap, close 4008). Default `wsDefaults.maxBufferedBytes` (8 MiB). */
  readonly maxBufferedBytes?: number;
  /** Milliseconds between pings; a socket that did not answer the last one is terminated. Default `wsDefaults.heartbeat` (15,000). */
  readonly heartbeatMs?: number;
  /** Milliseconds a socket may take to its first subscribe message. Default `wsDefaults.initTimeout` (10,000). */
  readonly initTimeoutMs?: number;
  /** Milliseconds a closing socket may take to answer the close handshake before it is terminated. Default `wsDefaults.closeTimeout` (5000). */
  readonly closeTimeoutMs?: number;
  /** Publishes one socket may have in flight (received, not yet answered); one more is rejected 429. Default `wsDefaults.maxPublishesInFlight` (64). */
  readonly maxPublishesInFlight?: number;
  /** Failures with no client to tell. Default: the console. */
  readonly onError?: (error: BusError) => void;
}

export interface WebSocketHubStats {
  readonly connections: number;
  /** Subscriptions of every socket, those being admitted included. */
  readonly subscriptions: number;
  /** Upgrades refused (authorize, caps, closing), and sockets `accept` closed for `authorize`. */
  readonly refusedUpgrades: number;
  /** Publishes of every socket received and not yet answered. */
  readonly publishesInFlight: number;
}

export interface WebSocketHub {
  /** For Node http's `upgrade` event: `server.on("upgrade", hub.upgrade)`. */
  readonly upgrade: (request: NodeRequestLike, socket: UpgradeSocketLike, head: unknown) => void;
  /**
   * For a socket the application's own `WebSocketServer` accepted: `wss.on("connection", (socket,
   * request) => hub.accept(socket, request))`. `authorize` decides the request as at an upgrade, but
   * after it: a refusal closes the socket with `refused` (4403); every subscribe is authorized on its
   * own all the same, so nothing is delivered before the decision that was not allowed, and publishes
   * wait for the decision (never published when it refuses). That server's
   * `maxPayload` is the message bound (ws's default is 100 MiB: set it, to `maxMessageBytes` say).
   */
  readonly accept: (socket: WsSocketLike, request: NodeRequestLike) => void;
  stats(): WebSocketHubStats;
  /** Closes every socket (`goingAway`, 1001) and refuses later upgrades (503). Not the SSE handler. */
  close(): Promise<void>;
}

const STATUS_TEXT: { readonly [status: number]: string } = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable" };

/** Refuses an upgrade with an HTTP response on its socket, then destroys it. */
function refuseUpgrade(socket: UpgradeSocketLike, refusal: HttpRefusal): void {
  const body = refusal.message;
  const length = utf8Length(body);
  try {
    socket.write(`HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? "Refused"}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${length}\r\n\r\n${body}`);
  } finally {
    socket.destroy();
  }
}

export function createWebSocketHub<C extends CatalogueShape = CatalogueShape>(sse: SseHandler, options: WebSocketHubOptions<C>): WebSocketHub {
  const maxMessageBytes = positiveInteger("maxMessageBytes", options.maxMessageBytes, wsDefaults.maxMessageBytes);
  const maxConnections = positiveInteger("maxConnections", options.maxConnections, wsDefaults.maxConnections);
  const heartbeatMs = positiveInteger("heartbeatMs", options.heartbeatMs, wsDefaults.heartbeat);
  const onError = options.onError ?? logError;
  const report = (error: unknown): void => {
    try {
      onError(error instanceof BusError ? error : new BusError("subscribe-failed", messageOf(error), { cause: error }));
    } catch {
      // onError must not break delivery.
    }
  };
  const publishing = new WsPublishing(
    options as WsPublishOptions<CatalogueShape>,
    positiveInteger("maxPublishesInFlight", options.maxPublishesInFlight, wsDefaults.maxPublishesInFlight),
    report,
  );
  const server = new options.WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, perMessageDeflate: false, clientTracking: false });
  const connections = new Set<WsHubConnection>();
  /** Upgrades being authorized: they hold a place under `maxConnections`. */
  let upgrading = 0;
  let refusedUpgrades = 0;
  let closed = false;
  let cancelBeat: (() => void) | undefined;

  const beat = (): void => {
    cancelBeat = undefined;
    for (const connection of [...connections]) connection.beat();
    if (connections.size > 0) cancelBeat = startTimer(heartbeatMs, beat);
  };

  const settings = {
    sse,
    publishing,
    maxSubscriptions: positiveInteger("maxSubscriptions", options.maxSubscriptions, wsDefaults.maxSubscriptions),
    highWaterBytes: positiveInteger("highWaterBytes", options.highWaterBytes, wsDefaults.highWaterBytes),
    maxBufferedBytes: positiveInteger("maxBufferedBytes", options.maxBufferedBytes, wsDefaults.maxBufferedBytes),
    initTimeoutMs: positiveInteger("initTimeoutMs", options.initTimeoutMs, wsDefaults.initTimeout),
    closeTimeoutMs: positiveInteger("closeTimeoutMs", options.closeTimeoutMs, wsDefaults.closeTimeout),
    report,
    closed: (connection: WsHubConnection): void => {
      connections.delete(connection);
      if (connections.size === 0) {
        cancelBeat?.();
        cancelBeat = undefined;
      }
    },
  };

  const refuse = (socket: UpgradeSocketLike, refusal: HttpRefusal): void => {
    refusedUpgrades += 1;
    refuseUpgrade(socket, refusal);
  };

  const upgrade = (request: NodeRequestLike, socket: UpgradeSocketLike, head: unknown): void => {
    if (closed) return refuse(socket, new HttpRefusal(503, "The hub is closed."));
    if (connections.size + upgrading >= maxConnections) return refuse(socket, new HttpRefusal(429, `Too many connections: this hub serves at most ${maxConnections} at once (maxConnections).`));
    upgrading += 1;
    const view = nodeRequest(request);
    sse.authorizeRequest(view).then(
      (refusal) => {
        upgrading -= 1;
        if (refusal !== undefined) return refuse(socket, refusal);
        if (closed) return refuse(socket, new HttpRefusal(503, "The hub is closed."));
        server.handleUpgrade(request as never, socket as never, head as never, (ws) => {
          if (closed) return ws.close(WS_CLOSE.goingAway, "the hub is closing");
          connections.add(new WsHubConnection(ws, view, settings, true));
          cancelBeat ??= startTimer(heartbeatMs, beat);
        });
      },
      (error: unknown) => {
        upgrading -= 1;
        report(error);
        refuse(socket, new HttpRefusal(500, "Internal error."));
      },
    );
  };

  const accept = (socket: WsSocketLike, request: NodeRequestLike): void => {
    if (closed) return socket.close(WS_CLOSE.goingAway, "the hub is closing");
    if (connections.size + upgrading >= maxConnections) return socket.close(WS_CLOSE.tryAgainLater, "too many connections");
    const view = nodeRequest(request);
    // Open at once, so no message is lost while `authorize` decides; each subscribe is authorized
    // anyway, and publishes wait for the decision.
    const connection = new WsHubConnection(socket, view, settings, false);
    connections.add(connection);
    cancelBeat ??= startTimer(heartbeatMs, beat);
    sse.authorizeRequest(view).then(
      (refusal) => {
        if (refusal === undefined) return connection.admit();
        refusedUpgrades += 1;
        // A close reason is at most 123 bytes: the status, not the application's text.
        connection.close(WS_CLOSE.refused, `refused: ${refusal.status}`);
      },
      (error: unknown) => {
        report(error);
        connection.close(WS_CLOSE.failed, "authorization failed");
      },
    );
  };

  return {
    upgrade,
    accept,
    stats() {
      let subscriptions = 0;
      let publishesInFlight = 0;
      for (const connection of connections) {
        subscriptions += connection.subscriptions;
        publishesInFlight += connection.publishesInFlight;
      }
      return { connections: connections.size, subscriptions, refusedUpgrades, publishesInFlight };
    },
    close() {
      if (!closed) {
        closed = true;
        for (const connection of [...connections]) connection.close(WS_CLOSE.goingAway, "the hub is closing");
        cancelBeat?.();
        cancelBeat = undefined;
        server.close();
      }
      return Promise.resolve();
    },
  };
}
