/**
 * The demo page: the generated client — over SSE, a WebSocket or polling, switched live with the
 * channel button (or `?channel=websocket`, `?channel=polling`) — feeds the generated coalescer, which
 * hands the page one batch per frame to render. A switch resumes on the new channel from the last id
 * of the old one: the channels share their ids, so nothing is lost or repeated.
 *
 * What the page shows, and when:
 * - the connection's status in words — live (and whether a reconnect resumed), reconnecting,
 *   the server unreachable, the server's event transport (Redis) down and back;
 * - a gap — events that can no longer be replayed — as a banner that stays until the page has
 *   rebuilt its state: it drops the connection and opens a new one without a resume id, whose
 *   snapshot frames (the latest state of every key) replace what the page held;
 * - events/s and frames/s over the last minute.
 *
 * What the page received is kept on `window.__demo` for the browser test (the newest 100,000 ids).
 */
import { binding, createCoalescer } from "../generated/runtime/index.js";
import { connectChannels } from "../generated/runtime/client/channels.js";
import { pollingChannel, sseChannel, type SseConnection, type SseStatus } from "../generated/runtime/sse/client.js";
import { webSocketChannel } from "../generated/runtime/ws/client.js";
import type { SseGap } from "../generated/runtime/sse/protocol.js";
import type { Event, EventEnvelope } from "../generated/ts/index.js";
import { createRateChart } from "./chart.js";
import type { DemoPageConfig } from "./page.js";

type Envelope = EventEnvelope<Event>;

interface DemoState {
  /** Live envelope ids in arrival order (snapshot frames excluded), and the channel of each. */
  received: string[];
  channels: string[];
  /** Ids let go of to keep the lists bounded. */
  forgotten: number;
  /** Snapshot envelopes received (a late joiner's first frames, and every resync's). */
  snapshot: number;
  /** Statuses heard, as `kind` or `kind:reason` (the newest 1,000). */
  statuses: string[];
  /** The resume id the first live envelope came after: where this page's live stream began. */
  firstLive: string | undefined;
  /** Connections opened from scratch to rebuild state after a gap. */
  resyncs: number;
  /** The channel in use, and the switches made. */
  channel: Channel;
  switches: number;
  charts: { events: readonly number[]; frames: readonly number[] };
}

const MAX_KEPT = 100_000;
const element = (id: string): HTMLElement => document.getElementById(id)!;
const config = JSON.parse(element("demo-config").textContent ?? "{}") as DemoPageConfig;
const eventsChart = createRateChart(element("events-chart") as unknown as SVGSVGElement, element("events-rate"));
const framesChart = createRateChart(element("frames-chart") as unknown as SVGSVGElement, element("frames-rate"));
type Channel = "sse" | "websocket" | "polling";
const CHANNELS: readonly Channel[] = ["sse", "websocket", "polling"];
const LABELS: { readonly [channel in Channel]: string } = { sse: "SSE", websocket: "WebSocket", polling: "Polling" };
const state: DemoState = {
  received: [],
  channels: [],
  forgotten: 0,
  snapshot: 0,
  statuses: [],
  firstLive: undefined,
  resyncs: 0,
  channel: CHANNELS.find((channel) => channel === new URLSearchParams(location.search).get("channel")) ?? "sse",
  switches: 0,
  charts: { events: eventsChart.samples, frames: framesChart.samples },
};
const demo = globalThis as unknown as { __demo: DemoState; __demoLastEventId: () => string | undefined };
demo.__demo = state;
demo.__demoLastEventId = () => connection.lastEventId;
element("transport").textContent = config.transport;

// ---- the sessions table -------------------------------------------------------------------------

interface SessionView {
  status: string;
  text: string;
  tool: string;
  /** The part whose text is shown, and whether its whole text arrived (later deltas are already in it). */
  part: string;
  whole: boolean;
}

const sessions = new Map<string, SessionView>();
let flushes = 0;
let framesThisSecond = 0;
let eventsThisSecond = 0;

function view(sessionID: string): SessionView {
  let found = sessions.get(sessionID);
  if (found === undefined) {
    found = { status: "—", text: "", tool: "", part: "", whole: false };
    sessions.set(sessionID, found);
  }
  return found;
}

function apply(envelope: Envelope): void {
  const event = envelope.event;
  switch (event.type) {
    case "session.created.v1":
      view(event.payload.info.id);
      break;
    case "session.status.v2":
      view(event.payload.sessionID).status = event.payload.status.type;
      break;
    case "session.status.v1":
      view(event.payload.sessionID).status = event.payload.status;
      break;
    case "message.part.updated.v1": {
      const part = event.payload.part;
      if (part.type === "text") {
        // A frame may hold a part's whole text (coalesced into the slot of its first update) before
        // the deltas it already contains: once the whole text is there, those deltas are skipped.
        const session = view(part.sessionID);
        session.part = part.id;
        session.text = part.text;
        session.whole = part.text !== "";
      }
      if (part.type === "tool") view(part.sessionID).tool = `${part.tool}: ${part.state.status}`;
      break;
    }
    case "message.part.delta.v1": {
      const session = view(event.payload.sessionID);
      if (session.part === event.payload.partID && !session.whole) session.text += event.payload.delta;
      break;
    }
    default:
      break;
  }
}

function render(): void {
  flushes += 1;
  framesThisSecond += 1;
  element("received").textContent = String(state.received.length + state.forgotten);
  element("flushes").textContent = String(flushes);
  const rows = [...sessions.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  element("sessions").replaceChildren(
    ...rows.map(([id, session]) => {
      const row = document.createElement("tr");
      for (const text of [id, session.status, session.text, session.tool]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        cell.title = text;
        row.append(cell);
      }
      row.dataset["session"] = id;
      return row;
    }),
  );
}

const coalescer = createCoalescer({
  onFlush: (batch) => {
    for (const envelope of batch) apply(envelope);
    render();
  },
});

setInterval(() => {
  eventsChart.add(eventsThisSecond);
  framesChart.add(framesThisSecond);
  eventsThisSecond = 0;
  framesThisSecond = 0;
}, 1000);

// ---- status and gaps ----------------------------------------------------------------------------

/** What the badge says for each status. */
function describe(status: SseStatus): string {
  switch (status.kind) {
    case "connecting":
      return "connecting…";
    case "connected":
      if (status.recovered) return "live again: the server's event transport is back";
      // Replayed from the server's buffer before the live frame (from a stream, the replay follows it).
      if (!status.live.resumed) return "live";
      return status.live.replayed === 0 ? "live, resumed" : `live, resumed: ${status.live.replayed} missed events replayed`;
    case "reconnecting":
      return `reconnecting in ${(status.delayMs / 1000).toFixed(1)} s (attempt ${status.attempt})`;
    case "degraded":
      if (status.reason === "server-down") return `degraded: the server's event transport is down${status.server.reason === undefined ? "" : ` (${status.server.reason})`}; events may be missing until it is back`;
      if (status.reason === "live-timeout") return "connected, waiting for the server to go live…";
      if (status.reason === "polling") return "polling: live updates arrive later for now";
      return `server unreachable, still trying (attempt ${status.attempt})`;
    case "fallback":
      return `${status.from} failed: trying ${status.to}`;
    case "restored":
      return `back on ${status.to}`;
    case "gap":
      return "events lost";
    case "closed":
      return status.error === undefined ? "closed" : `closed: ${status.error.message}`;
  }
}

function showStatus(kind: string, text: string): void {
  const badge = element("status");
  badge.dataset["kind"] = kind;
  badge.textContent = text;
  badge.title = text;
}

const clock = (): string => new Date().toLocaleTimeString("en-GB");

function gapText(gap: SseGap): string {
  switch (gap.reason) {
    case "resume-too-old":
      return "the server could not replay what was missed";
    case "overflow":
      return "this page fell too far behind";
    case "trimmed":
      return `the server's log lost events${gap.channel === undefined ? "" : ` of ${gap.channel}`}`;
  }
}

/** What was lost and when, while the page waits for the new connection's state. */
let resyncing: { text: string; at: string } | undefined;
/** The new connection's frames replace the page's state: cleared at its first frame, not before, so the table does not blink. */
let resetPending = false;
let gaps = 0;

function onGap(gap: SseGap): void {
  gaps += 1;
  element("gaps").textContent = String(gaps);
  // An overflow the server can still replay (`resync: false`) loses nothing: the client resumes.
  if (!gap.resync) return;
  const at = clock();
  resyncing = { text: gapText(gap), at };
  const banner = element("gap");
  banner.textContent = `Events were lost at ${at}: ${resyncing.text}. Rebuilding from the server's current state…`;
  banner.hidden = false;
  state.resyncs += 1;
  showStatus("resyncing", "resyncing…");
  const old = connection;
  resetPending = true;
  connection = connect();
  old.close();
}

function resynced(): void {
  if (resyncing === undefined) return;
  const note = element("last-gap");
  note.textContent = `The last gap: at ${resyncing.at} ${resyncing.text}; the page was rebuilt at ${clock()}.`;
  note.title = note.textContent;
  element("gap").hidden = true;
  resyncing = undefined;
}

/** Applies what the old connection delivered, then forgets every session: the new connection's frames are the state. */
function resetState(): void {
  if (!resetPending) return;
  resetPending = false;
  coalescer.flush();
  sessions.clear();
}

// ---- the connection -----------------------------------------------------------------------------

function remember(envelope: Envelope): void {
  const name = envelope.event.type.replace(/\.v\d+$/, "");
  state.received.push(envelope.id);
  state.channels.push(envelope.topic === undefined ? name : `${name}:${envelope.topic}`);
  if (state.received.length > MAX_KEPT) {
    const drop = MAX_KEPT / 2;
    state.received.splice(0, drop);
    state.channels.splice(0, drop);
    state.forgotten += drop;
  }
}

/** Counts connections made: only the newest one's callbacks count (a replaced one may still be mid-read). */
let generation = 0;

/**
 * A connection on the page's channel: from scratch — no resume id, so the server starts it with the
 * snapshot — or, switching channel, resuming after `lastEventId`.
 */
function connect(lastEventId?: string): SseConnection<Envelope> {
  generation += 1;
  const mine = generation;
  const url = new URL(state.channel === "websocket" ? "/live" : "/events", location.href);
  if (state.channel === "websocket") url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const channel = state.channel === "websocket" ? webSocketChannel(url.href) : state.channel === "polling" ? pollingChannel(url.href) : sseChannel(url.href);
  element("channel").textContent = LABELS[state.channel];
  // The client reports `connecting` before it returns: `made` is read only in later callbacks.
  const made: SseConnection<Envelope> = connectChannels<Event>([channel], {
    binding,
    events: config.events,
    topics: config.topics,
    ...(lastEventId === undefined ? {} : { lastEventId }),
    backoffInitialMs: 200,
    backoffMaxMs: 2000,
    onStatus: (status) => {
      if (mine !== generation) return;
      state.statuses.push(status.kind === "degraded" ? `degraded:${status.reason}` : status.kind);
      if (state.statuses.length > 1000) state.statuses.shift();
      if (status.kind === "gap") return onGap(status.gap);
      if (status.kind === "connected") {
        resetState();
        resynced();
      }
      if (status.kind === "connecting" && resyncing !== undefined) return;
      showStatus(status.kind, describe(status));
    },
    onEvent: (envelope, delivery) => {
      if (mine !== generation) return;
      resetState();
      if (delivery.snapshot) state.snapshot += 1;
      else {
        // The client takes the id of a frame after handing its envelope over: here it is still the
        // id this envelope came after.
        state.firstLive ??= made.lastEventId;
        remember(envelope);
        eventsThisSecond += 1;
      }
      coalescer.push(envelope);
    },
  });
  return made;
}

let connection: SseConnection<Envelope> = connect();

/** Moves to the next channel (SSE → WebSocket → polling → SSE), resuming after the last id the current one received. */
function switchChannel(): void {
  const old = connection;
  state.channel = CHANNELS[(CHANNELS.indexOf(state.channel) + 1) % CHANNELS.length] as Channel;
  state.switches += 1;
  // Whatever the old connection still reads is dropped (its callbacks no longer count): the new one
  // replays everything after the last id the page took.
  connection = connect(old.lastEventId);
  old.close();
}
element("channel").addEventListener("click", switchChannel);
