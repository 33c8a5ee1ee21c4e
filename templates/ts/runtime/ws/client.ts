/**
 * The WebSocket client: `connectWebSocket(url, options)` subscribes to a hub (`createWebSocketHub`)
 * and is, in every other way, the SSE client (client/live-client.ts): the subscription's stream is
 * SSE text with the same ids, so the client validates, de-duplicates, resumes after the last id it
 * received (sent in the subscribe message of each new connection), backs off with full jitter, watches
 * for silence and reports the same statuses. An id saved from `connectSse` resumes here, and the
 * reverse.
 *
 * A connection ends, and the client reconnects with its backoff, when the hub closes it for a reason
 * worth retrying (going away, a failed subscription, a slow consumer after its gap, the init timeout,
 * an abnormal close). It closes for good on a close the same client would cause again (a bad
 * message, a message too big) and on a subscription refused with 400, 401, 403 or 404.
 *
 * Browsers, Deno, Bun and Node 22+ have `WebSocket`; on Node 20 pass the ws package's:
 * `connectWebSocket(url, { binding, WebSocket })`. This file imports eventsource-parser (through
 * client/live-client.ts) and no Node built-in; import it from `./ws/client.js`.
 */
import type { EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import { LiveRefused, connectLive, type LiveAttempt, type LiveChannel, type LiveClientOptions, type LiveConnection, type UpgradingParser } from "../client/live-client.js";
import type { EnvelopeParser } from "../client/receiver.js";
import { sseUrl } from "../sse/protocol.js";
import { WS_REFUSED, wsCloseRetries, wsSubscribeMessage, type WebSocketConstructor } from "./protocol.js";

export type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from "./protocol.js";
export type { UpgradingParser } from "../client/live-client.js";

/** What a WebSocket channel takes. */
export interface WebSocketChannelOptions {
  /** Default: the host's `WebSocket`. On Node 20: `WebSocket` from the ws package. */
  readonly WebSocket?: WebSocketConstructor;
}

/** `B`: what the client reads of the catalogue (with `version: "latest"`, an `UpgradingParser<E>`). */
export interface WebSocketClientOptions<E extends AnyEvent, B = EnvelopeParser<E>> extends LiveClientOptions<E, B>, WebSocketChannelOptions {}

/** The subscription this client holds on each connection. */
const SUB = "s";
const NORMAL = 1000;
const OPEN = 1;

/** Statuses of a refused subscribe that retrying would only repeat. */
function refusalIsFinal(status: unknown): boolean {
  return status === 400 || status === 401 || status === 403 || status === 404;
}

/** The hub at `url`, as one of the channels of `connectChannels` (client/channels.ts). */
export function webSocketChannel(url: string, options: WebSocketChannelOptions = {}): LiveChannel {
  const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocket === undefined) throw new TypeError("webSocketChannel needs WebSocket (browsers, Deno, Bun and Node 22+ have it): on Node 20 pass options.WebSocket from the ws package");
  return {
    kind: "websocket",
    name: "connectWebSocket",
    description: `the WebSocket stream of ${url}`,
    connect(attempt: LiveAttempt, lastEventId: string | undefined): Promise<void> {
      const selection = attempt.selection;
      // The selection rides on the URL too, so the hub can authorize it at the upgrade.
      const target = sseUrl(url, selection);
      // A control message is read whole: one longer than an event may be is not read at all.
      const maxMessage = attempt.maxEventSize;
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (error?: Error): void => {
          if (settled) return;
          settled = true;
          if (socket.readyState === OPEN) socket.close(NORMAL);
          if (error === undefined) resolve();
          else reject(error);
        };
        const socket = new WebSocket(target);
        attempt.signal.addEventListener("abort", () => settle(), { once: true });
        socket.addEventListener("open", () => socket.send(wsSubscribeMessage(SUB, { ...selection, lastEventId })));
        socket.addEventListener("message", (event) => {
          const data = event.data;
          if (typeof data !== "string") return settle(new Error("the hub sent a binary message"));
          if (data.startsWith("{")) {
            if (data.length > maxMessage) return settle(new Error(`the hub sent a control message of more than maxEventSize (${maxMessage}) characters`));
            let control: { op?: unknown; sub?: unknown; status?: unknown; message?: unknown } | undefined;
            try {
              control = JSON.parse(data) as typeof control;
            } catch {
              return settle(new Error("the hub sent a control message that is not JSON"));
            }
            if (control?.op !== WS_REFUSED || control.sub !== SUB) return;
            const why = `the hub refused the subscription: ${String(control.status)} ${typeof control.message === "string" ? control.message.slice(0, 500) : ""}`;
            return settle(refusalIsFinal(control.status) ? new LiveRefused(why) : new Error(why));
          }
          const newline = data.indexOf("\n");
          if (newline < 0 || data.slice(0, newline) !== SUB) return;
          attempt.feed(data.slice(newline + 1));
        });
        // An error is followed by a close, which says what to do; a refused upgrade is one (a browser shows no status).
        socket.addEventListener("error", () => {});
        socket.addEventListener("close", (event) => {
          const code = event.code ?? 1006;
          if (attempt.signal.aborted || wsCloseRetries(code)) return settle();
          settle(new LiveRefused(`the hub closed the connection for good: ${code}${event.reason === undefined || event.reason === "" ? "" : ` ${event.reason}`}`));
        });
      });
    },
  };
}

/** Subscribes to the hub at `url`, every envelope upgraded to the latest version of its event (`version: "latest"`). */
export function connectWebSocket<L extends AnyEvent>(url: string, options: WebSocketClientOptions<L, UpgradingParser<L>> & { readonly version: "latest" }): LiveConnection<EventEnvelope<L>>;
/** Subscribes to the hub at `url` (see the top of this file). */
export function connectWebSocket<E extends AnyEvent>(url: string, options: WebSocketClientOptions<E> & { readonly version?: undefined }): LiveConnection<EventEnvelope<E>>;
export function connectWebSocket<E extends AnyEvent>(url: string, options: WebSocketClientOptions<E, UpgradingParser<E>>): LiveConnection<EventEnvelope<E>> {
  return connectLive(webSocketChannel(url, options), options);
}
