/**
 * What an SSE connection asks for, read from its request before anything is subscribed: the
 * selection (event selectors and topics) and the id it resumes from. Everything here is a peer's
 * input, so it is parsed against one grammar and bounded before use:
 *
 * - A selection is a set: selectors and topics are de-duplicated and put in one canonical order, so
 *   `?topic=x&topic=x` is one channel, and two requests that ask for the same thing get the same
 *   plan key (and share encoded chunks).
 * - Every selector is `*`, `<domain>.*` or an event name of the catalogue; every topic is well-formed
 *   text. Anything else is a 400 that names it.
 * - Its cost is counted before it is paid: the channels a selection covers (an event name with one
 *   topic, or an unscoped event) — `selectionChannels` — are checked against the per-connection cap
 *   (`maxChannels`) by the server before it subscribes to anything.
 * - The resume id (`Last-Event-ID`, or `?lastEventId=`) must keep the id grammar (`isWireId`, at
 *   most `MAX_CURSOR_LENGTH` characters); one that does not is an id the server cannot know, so the
 *   connection gets a `gap` and the live stream, as for any unknown id.
 */
import { isWellFormed, isWireId, MAX_CURSOR_LENGTH } from "../../wire.js";
import { coveredNames, selectionMatcher, SSE_EVENTS_PARAM, SSE_LAST_EVENT_ID_PARAM, SSE_POLL_PARAM, SSE_TOPIC_PARAM, type SseSelection } from "./protocol.js";

/** A request the server answers with an HTTP status instead of an event stream. */
export class HttpRefusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

/** The request's query: its selection (the handler's feed when it names no event) and its resume id. */
export interface SelectionRequest {
  readonly selection: SseSelection;
  /** The resume id, when the request has one that keeps the id grammar. */
  readonly lastEventId: string | undefined;
  /** True when the request had a resume id the grammar refuses (it resumes nothing: a gap follows). */
  readonly badLastEventId: boolean;
  /** `?poll=1`: answer with what there is and end the response (see `SSE_POLL_PARAM`). */
  readonly poll?: boolean;
}

/** Reads the selection and the resume id of a request; `header` is its `Last-Event-ID` (which wins over the query). */
export function readSelectionRequest(url: string, header: string | undefined, served: readonly string[]): SelectionRequest {
  const question = url.indexOf("?");
  const query = question < 0 ? "" : (url.slice(question + 1).split("#")[0] ?? "");
  const events: string[] = [];
  const topics: string[] = [];
  let queryId: string | undefined;
  let poll = false;
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((equals < 0 ? pair : pair.slice(0, equals)).replace(/\+/g, " "));
      value = equals < 0 ? "" : decodeURIComponent(pair.slice(equals + 1).replace(/\+/g, " "));
    } catch {
      throw new HttpRefusal(400, "Malformed query string.");
    }
    if (key === SSE_EVENTS_PARAM) {
      for (const part of value.split(",")) {
        const selector = part.trim();
        if (selector !== "") events.push(selector);
      }
    } else if (key === SSE_TOPIC_PARAM) {
      if (!isWellFormed(value)) throw new HttpRefusal(400, "A topic is not well-formed text.");
      topics.push(value);
    } else if (key === SSE_LAST_EVENT_ID_PARAM && value !== "") {
      queryId = value;
    } else if (key === SSE_POLL_PARAM) {
      if (value !== "1") throw new HttpRefusal(400, `${SSE_POLL_PARAM} takes 1.`);
      poll = true;
    }
  }
  const asked = header !== undefined && header !== "" ? header : queryId;
  const valid = asked === undefined || isWireId(asked, MAX_CURSOR_LENGTH);
  return {
    selection: canonicalSelection({ events: events.length > 0 ? events : served, ...(topics.length > 0 ? { topics } : {}) }),
    lastEventId: valid ? asked : undefined,
    badLastEventId: !valid,
    poll,
  };
}

/**
 * What another live channel asks for in a message of its own (a WebSocket subscribe, a poll): event
 * selectors, topics and a resume id, each as the peer sent it — nothing is trusted until read here.
 */
export interface SelectionAsk {
  readonly events?: unknown;
  readonly topics?: unknown;
  readonly lastEventId?: unknown;
}

/** At most this many selectors and topics in one ask; the channel cap then bounds what they cover. */
const MAX_ASK_ITEMS = 1024;

/**
 * Reads an ask as `readSelectionRequest` reads a query: selectors and topics are lists of text (the
 * handler's feed when no event is named), each topic well-formed; a resume id that breaks the id
 * grammar resumes nothing. Anything else is a 400 that names it.
 */
export function readSelectionAsk(ask: SelectionAsk, served: readonly string[]): SelectionRequest {
  const list = (value: unknown, what: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length > MAX_ASK_ITEMS || !value.every((item) => typeof item === "string" && isWellFormed(item))) {
      throw new HttpRefusal(400, `The ${what} are not a list of at most ${MAX_ASK_ITEMS} texts.`);
    }
    return value as string[];
  };
  const events = list(ask.events, "events");
  const topics = list(ask.topics, "topics");
  const asked = ask.lastEventId;
  if (asked !== undefined && typeof asked !== "string") throw new HttpRefusal(400, "The resume id is not text.");
  const valid = asked === undefined || asked === "" || isWireId(asked, MAX_CURSOR_LENGTH);
  return {
    selection: canonicalSelection({ events: events !== undefined && events.length > 0 ? events : served, ...(topics !== undefined && topics.length > 0 ? { topics } : {}) }),
    lastEventId: valid && asked !== "" ? asked : undefined,
    badLastEventId: !valid,
  };
}

/** The selection as a set: selectors and topics de-duplicated and sorted (code-unit order). */
export function canonicalSelection(selection: SseSelection): SseSelection {
  if (!Array.isArray(selection.events)) throw new HttpRefusal(400, "The selection names no event.");
  const events = [...new Set(selection.events)].sort(byCodeUnits);
  if (selection.topics === undefined) return { events };
  if (!Array.isArray(selection.topics)) throw new HttpRefusal(400, "The selection's topics are not a list.");
  return { events, topics: [...new Set(selection.topics)].sort(byCodeUnits) };
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a plan needs to know of the catalogue and the handler. */
export interface SelectionCatalogue {
  /** Whether `name` is an event of the catalogue. */
  isEvent(name: string): boolean;
  /** Whether any version of `name` has a topic path (a channel per topic). */
  isScoped(name: string): boolean;
  /** Every event name, when the handler knows them (the SDK's `eventNames`). */
  readonly eventNames: readonly string[] | undefined;
  /** Buffer mode: the selectors the handler serves; undefined in transport mode (every event). */
  readonly served: readonly string[] | undefined;
}

/** A validated, canonical selection and the test it compiles to. */
export interface SelectionPlan {
  readonly selection: SseSelection;
  /** Equal for equal selections: connections at the same position with the same key are sent the same bytes. */
  readonly key: string;
  /** The channels it covers, counted against `maxChannels` (see `selectionChannels`). */
  readonly channels: number;
  readonly wants: (name: string, topic: string | undefined) => boolean;
}

/**
 * Validates a (canonical) selection against the catalogue and what the handler serves, counts its
 * channels and refuses one over `maxChannels` — all before anything is subscribed.
 */
export function planSelection(selection: SseSelection, catalogue: SelectionCatalogue, maxChannels: number): SelectionPlan {
  const canonical = canonicalSelection(selection);
  if (canonical.events.length === 0) throw new HttpRefusal(400, "The selection names no event.");
  for (const selector of canonical.events) {
    if (typeof selector !== "string") throw new HttpRefusal(400, "A selector is not text.");
    if (selector !== "*" && !selector.endsWith(".*") && !catalogue.isEvent(selector)) throw new HttpRefusal(400, `Unknown event "${clip(selector)}": not an event name, "<domain>.*" or "*".`);
    if (catalogue.served !== undefined && !catalogue.served.some((served) => covers(served, selector))) throw new HttpRefusal(400, `"${clip(selector)}" is not served here.`);
  }
  const channels = selectionChannels(canonical, catalogue);
  if (channels > maxChannels) {
    throw new HttpRefusal(400, `The selection covers ${channels} channels; a connection may select at most ${maxChannels} (maxChannels).`);
  }
  // The names asked about are those of the buffered envelopes: the catalogue's, so the memo is bounded.
  return { selection: canonical, key: JSON.stringify([canonical.events, canonical.topics ?? null]), channels, wants: selectionMatcher(canonical) };
}

/**
 * The channels a selection covers, the unit of every cap. With the catalogue's event names: each
 * event name the selectors cover counts once per topic when topics are given (none when it is
 * unscoped), once otherwise. Without them (a buffer-mode handler not given `eventNames`): each selector counts once
 * per topic.
 */
export function selectionChannels(selection: SseSelection, catalogue: SelectionCatalogue): number {
  const topics = selection.topics?.length;
  const names = catalogue.eventNames;
  if (names === undefined) return selection.events.length * Math.max(1, topics ?? 1);
  const covered = coveredNames(selection.events, names);
  // With topics, an unscoped event has no channel to select (as `bus.subscribe(…, { topic })`).
  let count = 0;
  for (const name of covered) count += topics === undefined ? 1 : catalogue.isScoped(name) ? topics : 0;
  return count;
}

/** Does the served selector `served` include everything `selector` selects? */
function covers(served: string, selector: string): boolean {
  if (served === "*" || served === selector) return true;
  if (!served.endsWith(".*")) return false;
  return selector.startsWith(served.slice(0, -1));
}

/** A peer's text quoted in a refusal, cut short. */
function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
