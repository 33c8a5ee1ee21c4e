/**
 * The WebSocket protocol between `ws/hub.ts` and `ws/client.ts`. A subscription's stream is the SSE
 * stream of the same selection — the same frames, `id:` lines, `gap`, `live`, `snapshot` and `status`
 * frames (sse/protocol.ts) — so the ids, the resume and the gaps are those of SSE, and a client that
 * saw an id over one channel resumes from it over the other.
 *
 * Client → hub, one JSON object per text message (at most the hub's `maxMessageBytes`):
 * - `{"op":"subscribe","sub":"<id>","events":[…],"topics":[…],"lastEventId":"<id>"}` — `sub` names the
 *   subscription on this connection (`WS_SUB_ID`: 1 to 64 of `A-Z a-z 0-9 _ . : -`); `events`,
 *   `topics` and `lastEventId` are optional and read as an SSE request's query and `Last-Event-ID`.
 * - `{"op":"unsubscribe","sub":"<id>"}`.
 * - `{"op":"publish","ref":"<ref>","envelope":{"id":…,"time":…,"topic":…,"event":{…}}}` — publishes
 *   an envelope on the hub's bus (a spoke: `createWebSocketTransport`). `ref` (`WS_REF`, the grammar of
 *   `WS_SUB_ID`) names the publish in the hub's answer; the client chooses it, one per publish in
 *   flight. The envelope is held to the wire's document rules and validated against the catalogue
 *   (type, payload, topic scoping) before the hub's `authorizePublish` sees it, then published with
 *   its id kept and its time stamped by the hub. Publishes of one socket go on the bus in the order
 *   they arrived, whatever order their answers take.
 *
 * Hub → client, text messages:
 * - `<sub>\n<SSE text>` — the next part of subscription `sub`'s stream (one or more whole frames);
 * - `{"op":"refused","sub":"<id>","status":<http status>,"message":"…"}` — a subscription the hub
 *   did not open: 400 (the selection), 403 and other statuses from `authorize`, 409 (`sub` in use),
 *   429 (caps), 503 (closing).
 * - `{"op":"published","ref":"<ref>"}` — publish `ref` is on the hub's bus (the bus accepted it).
 * - `{"op":"rejected","ref":"<ref>","status":<http status>,"message":"…"}` — publish `ref` was not
 *   published, and never will be: 400 (not an envelope of the catalogue: its type, payload or topic
 *   scoping; the document rules), 403 (`authorizePublish` said false) and the statuses of its
 *   refusals, 405 (the hub takes no publishes: no `bus`), 429 (`maxPublishesInFlight` in flight
 *   already), 500 (`authorizePublish` failed), 503 (the bus did not take it: closed, or its transport failed).
 *   A socket the hub closes (its own close, a bad message) gets no answer to what it had in flight.
 * A message that starts with `{` is a control message; a subscription id never does.
 *
 * Close codes (`WS_CLOSE`) tell a client whether to reconnect: see `wsCloseRetries`.
 */

/** A subscription id: what the hub prefixes every part of its stream with. */
export const WS_SUB_ID: RegExp = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A publish reference: what the hub's answer to one publish names (the grammar of `WS_SUB_ID`). */
export const WS_REF: RegExp = WS_SUB_ID;

export const WS_SUBSCRIBE = "subscribe";
export const WS_UNSUBSCRIBE = "unsubscribe";
export const WS_REFUSED = "refused";
export const WS_PUBLISH = "publish";
export const WS_PUBLISHED = "published";
export const WS_REJECTED = "rejected";

/** The close codes the hub uses (`WS_CLOSE`). */
export interface WsCloseCodes {
  /** The client closed. */
  readonly normal: 1000;
  /** The hub is closing (a restart, a deploy): reconnect, to this hub or another. */
  readonly goingAway: 1001;
  /** A message over `maxMessageBytes` (ws closes with it). */
  readonly tooBig: 1009;
  /** A subscription failed on the hub (its transport refused): reconnect with backoff. */
  readonly failed: 1011;
  /** The hub holds `maxConnections` sockets already (a socket accepted by the application's own server): reconnect with backoff. */
  readonly tryAgainLater: 1013;
  /** A message that is not a control message: not JSON, binary, an unknown `op`, a malformed field. */
  readonly badMessage: 4000;
  /** The client fell behind (its budget of buffered bytes, or the replay window): a `gap` went first; reconnect and resume. */
  readonly slow: 4008;
  /** `authorize` refused a socket accepted by the application's own server (`hub.accept`; the hub's own upgrade answers with the HTTP status instead). */
  readonly refused: 4403;
  /** No subscribe message within the hub's `initTimeoutMs`. */
  readonly initTimeout: 4408;
}

/**
 * The close codes the hub uses. Reconnect (and resume) after `goingAway`, `failed`, `tryAgainLater`,
 * `slow`, `initTimeout` and an abnormal close (1006: a socket the heartbeat terminated, a network
 * drop); do not after `badMessage` or `tooBig`, which the same client would only send again, nor
 * after `refused`.
 */
export const WS_CLOSE: WsCloseCodes = { normal: 1000, goingAway: 1001, tooBig: 1009, failed: 1011, tryAgainLater: 1013, badMessage: 4000, slow: 4008, refused: 4403, initTimeout: 4408 };

/** Whether a client should reconnect after the hub closed with `code`. */
export function wsCloseRetries(code: number): boolean {
  return code !== WS_CLOSE.badMessage && code !== WS_CLOSE.tooBig && code !== WS_CLOSE.refused && code !== WS_CLOSE.normal;
}

/** A subscribe message. */
export function wsSubscribeMessage(sub: string, ask: { readonly events?: readonly string[]; readonly topics?: readonly string[]; readonly lastEventId?: string | undefined }): string {
  return JSON.stringify({
    op: WS_SUBSCRIBE,
    sub,
    ...(ask.events === undefined ? {} : { events: ask.events }),
    ...(ask.topics === undefined ? {} : { topics: ask.topics }),
    ...(ask.lastEventId === undefined ? {} : { lastEventId: ask.lastEventId }),
  });
}

/** A publish message: `envelope` is sent as JSON text (the caller's, already encoded). */
export function wsPublishMessage(ref: string, envelopeJson: string): string {
  return `{"op":"${WS_PUBLISH}","ref":${JSON.stringify(ref)},"envelope":${envelopeJson}}`;
}

/** The UTF-8 length of `text` (a lone surrogate is written as U+FFFD, 3 bytes): what a message costs against `maxMessageBytes`. */
export function utf8Length(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      index += 1;
    } else length += 3;
  }
  return length;
}

/** What a client of the hub reads of a WebSocket event: `data` of a message, `code` and `reason` of a close. */
export interface WebSocketEventLike {
  readonly type: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

/** The part of a WebSocket (the browser's, or the ws package's) a client of the hub uses: `connectWebSocket`, the spoke transport. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: WebSocketEventLike) => void): void;
}

/** The `WebSocket` constructor (the host's, or the ws package's `WebSocket`). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;
