/**
 * The demo page: the generated SSE client feeds the generated coalescer, which hands the page one
 * batch per frame to render. What the page received is kept on `window.__demo` for the browser test.
 */
import { binding, createCoalescer } from "../generated/runtime/index.js";
import { connectSse, type SseStatus } from "../generated/runtime/sse-client.js";
import type { Event, EventEnvelope } from "../generated/ts/index.js";

interface DemoState {
  /** Live envelope ids in arrival order (snapshot frames excluded). */
  received: string[];
  /** Snapshot envelopes received (a late joiner's first frames). */
  snapshot: number;
  statuses: string[];
}

const state: DemoState = { received: [], snapshot: 0, statuses: [] };
(globalThis as unknown as { __demo: DemoState }).__demo = state;

interface SessionView {
  status: string;
  text: string;
  tool: string;
  /** The part whose text is shown, and whether its whole text arrived (later deltas are already in it). */
  part: string;
  whole: boolean;
}

const sessions = new Map<string, SessionView>();
const element = (id: string): HTMLElement => document.getElementById(id)!;
let flushes = 0;

function view(sessionID: string): SessionView {
  let found = sessions.get(sessionID);
  if (found === undefined) {
    found = { status: "—", text: "", tool: "", part: "", whole: false };
    sessions.set(sessionID, found);
  }
  return found;
}

function apply(envelope: EventEnvelope<Event>): void {
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
  element("received").textContent = String(state.received.length);
  element("flushes").textContent = String(flushes);
  const rows = [...sessions.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  element("sessions").replaceChildren(
    ...rows.map(([id, session]) => {
      const row = document.createElement("tr");
      for (const text of [id, session.status, session.text, session.tool]) {
        const cell = document.createElement("td");
        cell.textContent = text;
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

function showStatus(status: SseStatus): void {
  state.statuses.push(status.kind);
  const badge = element("status");
  badge.dataset["kind"] = status.kind;
  badge.textContent = status.kind;
}

connectSse(new URL("/events", location.href).href, {
  binding,
  backoffInitialMs: 200,
  backoffMaxMs: 2000,
  onStatus: showStatus,
  onEvent: (envelope, delivery) => {
    if (delivery.snapshot) state.snapshot += 1;
    else state.received.push(envelope.id);
    coalescer.push(envelope as EventEnvelope<Event>);
  },
});
