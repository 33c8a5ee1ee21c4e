/**
 * The SSE protocol between `sse/server.ts` and `sse/client.ts`: frame names, what each control
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
import { isWireId, MAX_CURSOR_LENGTH } from "../../wire.js";

/** The `event:` names of control and snapshot frames; envelope frames have none (the default, `message`). */
export const SSE_GAP_EVENT = "gap";
export const SSE_LIVE_EVENT = "live";
export const SSE_SNAPSHOT_EVENT = "snapshot";
export const SSE_STATUS_EVENT = "status";

/** Query parameters a connection is selected by: `?events=session.*,todo.updated&topic=s1&lastEventId=…`. */
export const SSE_EVENTS_PARAM = "events";
export const SSE_TOPIC_PARAM = "topic";
/**
 * `?poll=1`: answer with what there is after the resume id and end the response — the frames of a
 * connection up to its first events (or its `live` frame alone after the handler's `pollWait`).
 * The next poll resumes after the last id received, as a reconnect does.
 */
export const SSE_POLL_PARAM = "poll";
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

/**
 * The data of an `event: status` frame: the server's bus can (`up`) or cannot (`down`) move events
 * now — its transport lost Redis, say. Sent to every connection when it changes, and right after the
 * `live` frame to a connection that opens while it is `down`. While `down`, the connection stays open
 * and events may be missing until `up`; `connectSse` reports `degraded` with the reason.
 */
export interface SseServerStatus {
  readonly transport: "up" | "down";
  /** For `down`: why, as the server words it. */
  readonly reason?: string;
}

/** What a connection asks for: event selectors (an event name, `<domain>.*` or `*`) and, optionally, topics. */
export interface SseSelection {
  readonly events: readonly string[];
  /** Only envelopes with one of these topics (as `bus.subscribe(…, { topic })`); absent: every topic and unscoped events. */
  readonly topics?: readonly string[];
}

/** Whether `selector` is a wildcard (`*`, `<domain>.*`), and the name prefix it stands for. */
function wildcardPrefix(selector: string): string | undefined {
  return selector === "*" ? "" : selector.endsWith(".*") ? selector.slice(0, -1) : undefined;
}

/**
 * The event names `selectors` cover among `names`: an event name as it is, a wildcard (`*`,
 * `<domain>.*`) every one of `names` under its prefix.
 */
export function coveredNames(selectors: readonly string[], names: Iterable<string>): Set<string> {
  const covered = new Set<string>();
  const prefixes: string[] = [];
  for (const selector of selectors) {
    const prefix = wildcardPrefix(selector);
    if (prefix === undefined) covered.add(selector);
    else prefixes.push(prefix);
  }
  if (prefixes.length > 0) for (const name of names) if (prefixes.some((prefix) => name.startsWith(prefix))) covered.add(name);
  return covered;
}

/**
 * The test a selection compiles to, over an envelope's event name and topic, matched as
 * `bus.subscribe` matches: with topics, an envelope without one does not match. Each name's answer
 * is remembered (as many as the names asked about).
 */
export function selectionMatcher(selection: SseSelection): (name: string, topic: string | undefined) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const selector of selection.events) {
    const prefix = wildcardPrefix(selector);
    if (prefix === undefined) exact.add(selector);
    else prefixes.push(prefix);
  }
  const byName = new Map<string, boolean>();
  const wantsName = (name: string): boolean => {
    let wanted = byName.get(name);
    if (wanted === undefined) {
      wanted = exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
      byName.set(name, wanted);
    }
    return wanted;
  };
  const topics = selection.topics === undefined ? undefined : new Set(selection.topics);
  return topics === undefined ? wantsName : (name, topic) => topic !== undefined && topics.has(topic) && wantsName(name);
}

/**
 * The last line of defence of every frame writer: the text after `id: ` and `data: ` is one line.
 * An id must keep the id grammar (`isWireId`, at most `MAX_CURSOR_LENGTH` characters) — so it can be
 * sent back as a `Last-Event-ID` header as it is — and data holds no line break (JSON text from
 * `JSON.stringify` never does). What fails is not framed: the writer gets `undefined` and drops it.
 */
export function sseFrame(event: string | undefined, id: string | undefined, data: string): string | undefined {
  if (id !== undefined && !isWireId(id, MAX_CURSOR_LENGTH)) return undefined;
  if (LINE_BREAK.test(data)) return undefined;
  return `${event === undefined ? "" : `event: ${event}\n`}${id === undefined ? "" : `id: ${id}\n`}data: ${data}\n\n`;
}

const LINE_BREAK = /[\r\n]/;

/** `base` with the selection, the resume id and `poll` in its query (existing parameters of those names replaced). */
export function sseUrl(base: string, selection: Partial<SseSelection> = {}, lastEventId?: string, poll = false): string {
  const hash = base.indexOf("#");
  const withoutHash = hash < 0 ? base : base.slice(0, hash);
  const question = withoutHash.indexOf("?");
  const path = question < 0 ? withoutHash : withoutHash.slice(0, question);
  const kept = (question < 0 ? "" : withoutHash.slice(question + 1))
    .split("&")
    .filter((pair) => pair !== "" && ![SSE_EVENTS_PARAM, SSE_TOPIC_PARAM, SSE_LAST_EVENT_ID_PARAM, SSE_POLL_PARAM].includes(decodeURIComponent(pair.split("=")[0] ?? "")));
  const added: string[] = [];
  if (selection.events !== undefined && selection.events.length > 0) added.push(`${SSE_EVENTS_PARAM}=${selection.events.map(encodeURIComponent).join(",")}`);
  for (const topic of selection.topics ?? []) added.push(`${SSE_TOPIC_PARAM}=${encodeURIComponent(topic)}`);
  if (lastEventId !== undefined) added.push(`${SSE_LAST_EVENT_ID_PARAM}=${encodeURIComponent(lastEventId)}`);
  if (poll) added.push(`${SSE_POLL_PARAM}=1`);
  const query = [...kept, ...added].join("&");
  return query === "" ? path : `${path}?${query}`;
}

/** The `event: gap` frame (a `lastEventId` or `channel` that breaks the frame rules is left out). */
export function sseGapFrame(gap: SseGap): string {
  const safe: SseGap = {
    reason: gap.reason,
    resync: gap.resync,
    ...(gap.lastEventId !== undefined && isWireId(gap.lastEventId, MAX_CURSOR_LENGTH) ? { lastEventId: gap.lastEventId } : {}),
    ...(gap.channel === undefined ? {} : { channel: gap.channel }),
  };
  return sseFrame(SSE_GAP_EVENT, undefined, JSON.stringify(safe)) as string;
}

/** The `event: status` frame. */
export function sseStatusFrame(status: SseServerStatus): string {
  return sseFrame(SSE_STATUS_EVENT, undefined, JSON.stringify(status)) as string;
}

/** The `event: live` frame, with `id:` the cursor to resume from when there is one that keeps the id grammar. */
export function sseLiveFrame(live: SseLive, cursor: string | undefined): string {
  const id = cursor !== undefined && isWireId(cursor, MAX_CURSOR_LENGTH) ? cursor : undefined;
  return sseFrame(SSE_LIVE_EVENT, id, JSON.stringify(live)) as string;
}
