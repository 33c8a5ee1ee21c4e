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
 *
 * Hub → client, text messages:
 * - `<sub>\n<SSE text>` — the next part of subscription `sub`'s stream (one or more whole frames);
 * - `{"op":"refused","sub":"<id>","status":<http status>,"message":"…"}` — a subscription the hub
 *   did not open: 400 (the selection), 403 and other statuses from `authorize`, 409 (`sub` in use),
 *   429 (caps), 503 (closing).
 * A message that starts with `{` is a control message; a subscription id never does.
 *
 * Close codes (`WS_CLOSE`) tell a client whether to reconnect: see `wsCloseRetries`.
 */

/** A subscription id: what the hub prefixes every part of its stream with. */
export const WS_SUB_ID: RegExp = /^[A-Za-z0-9_.:-]{1,64}$/;

export const WS_SUBSCRIBE = "subscribe";
export const WS_UNSUBSCRIBE = "unsubscribe";
export const WS_REFUSED = "refused";

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
