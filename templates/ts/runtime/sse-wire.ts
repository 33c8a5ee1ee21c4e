/**
 * The SSE protocol between `sse-server.ts` and `sse-client.ts`: frame names, what each control
 * frame carries, the query parameters of a connection. Both sides import this file and nothing of
 * each other, so a browser bundle of the client carries no server code.
 *
 * A connection's stream, in order:
 * 1. `retry: <ms>` — the reconnection delay a plain `EventSource` uses.
 * 2. When the client asked to resume and the server cannot replay everything after its id: one
 *    `event: gap` frame (`SseGap`, `resync: true`). Never a partial replay.
 * 3. When the client resumed within the window: every event after its id, each an envelope frame.
 *    Otherwise, with the snapshot option: `event: snapshot` frames, the latest envelope of each
 *    coalesce key in the selection, without `id:` lines (they are state, not a position).
 * 4. `event: live` (`SseLive`), with `id:` the cursor to resume from when the server has one: what
 *    follows is the live stream.
 * 5. Envelope frames — `id: <cursor>` and `data: <envelope JSON>`, the default event type — and
 *    comment lines (`:`) as heartbeats. A gap later on (`overflow`, `trimmed`) is an `event: gap`.
 */

/** The `event:` names of control and snapshot frames; envelope frames have none (the default, `message`). */
export const SSE_GAP_EVENT = "gap";
export const SSE_LIVE_EVENT = "live";
export const SSE_SNAPSHOT_EVENT = "snapshot";

/** Query parameters a connection is selected by: `?events=session.*,todo.updated&topic=s1&lastEventId=…`. */
export const SSE_EVENTS_PARAM = "events";
export const SSE_TOPIC_PARAM = "topic";
/** The resume id for a first request that cannot send a `Last-Event-ID` header (a browser `EventSource`). The header wins. */
export const SSE_LAST_EVENT_ID_PARAM = "lastEventId";

/**
 * Why events are missing:
 * - `resume-too-old`: the id the client resumed from is older than what the server can replay
 *   (or unknown to it: another instance's buffer, a restarted server). Nothing was replayed.
 * - `overflow`: the client fell further behind than its bound while connected; the server ends the
 *   connection after this frame.
 * - `trimmed`: the transport's log lost events before they were read (Redis Streams retention).
 */
export type SseGapReason = "resume-too-old" | "overflow" | "trimmed";

/** The data of an `event: gap` frame. */
export interface SseGap {
  readonly reason: SseGapReason;
  /**
   * True when what the client holds can no longer be completed by resuming: rebuild state (the
   * snapshot that follows, or a fetch). False for an `overflow` the client can still resume from
   * (the transport keeps a log): reconnect with the same id.
   */
  readonly resync: boolean;
  /** The id the client resumed from or last received, when there is one. */
  readonly lastEventId?: string;
  /** For `trimmed`: the channel whose events were lost. */
  readonly channel?: string;
}

/** The data of an `event: live` frame. */
export interface SseLive {
  /** The requested resume was honoured: every event after the client's id was replayed before this frame. */
  readonly resumed: boolean;
  /** Envelope frames replayed before this frame. */
  readonly replayed: number;
  /** Snapshot frames sent before this frame. */
  readonly snapshot: number;
}

/** What a connection asks for: event selectors (an event name, `<domain>.*` or `*`) and, optionally, topics. */
export interface SseSelection {
  readonly events: readonly string[];
  /** Only envelopes with one of these topics (as `bus.subscribe(…, { topic })`); absent: every topic and unscoped events. */
  readonly topics?: readonly string[];
}

/** `base` with the selection and the resume id in its query (existing parameters of those names replaced). */
export function sseUrl(base: string, selection: Partial<SseSelection> = {}, lastEventId?: string): string {
  const hash = base.indexOf("#");
  const withoutHash = hash < 0 ? base : base.slice(0, hash);
  const question = withoutHash.indexOf("?");
  const path = question < 0 ? withoutHash : withoutHash.slice(0, question);
  const kept = (question < 0 ? "" : withoutHash.slice(question + 1))
    .split("&")
    .filter((pair) => pair !== "" && ![SSE_EVENTS_PARAM, SSE_TOPIC_PARAM, SSE_LAST_EVENT_ID_PARAM].includes(decodeURIComponent(pair.split("=")[0] ?? "")));
  const added: string[] = [];
  if (selection.events !== undefined && selection.events.length > 0) added.push(`${SSE_EVENTS_PARAM}=${selection.events.map(encodeURIComponent).join(",")}`);
  for (const topic of selection.topics ?? []) added.push(`${SSE_TOPIC_PARAM}=${encodeURIComponent(topic)}`);
  if (lastEventId !== undefined) added.push(`${SSE_LAST_EVENT_ID_PARAM}=${encodeURIComponent(lastEventId)}`);
  const query = [...kept, ...added].join("&");
  return query === "" ? path : `${path}?${query}`;
}

/** The `event: gap` frame. */
export function sseGapFrame(gap: SseGap): string {
  return `event: ${SSE_GAP_EVENT}\ndata: ${JSON.stringify(gap)}\n\n`;
}

/** The `event: live` frame, with `id:` the cursor to resume from when there is one. */
export function sseLiveFrame(live: SseLive, cursor: string | undefined): string {
  return `event: ${SSE_LIVE_EVENT}\n${cursor === undefined ? "" : `id: ${cursor}\n`}data: ${JSON.stringify(live)}\n\n`;
}
