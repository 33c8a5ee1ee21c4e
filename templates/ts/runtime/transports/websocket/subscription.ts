/**
 * One subscription of a WebSocket spoke (transports/websocket.ts) on its hub, as one object: the
 * channel filter the bus asked for and the hub selection it maps to, the listener, where its stream
 * stands (the last id received, sent again to resume after a reconnect), the ids it delivered (the
 * newest `dedupe` of them, so a replay that overlaps delivers nothing twice) and the parser of the
 * current connection's stream.
 *
 * A filter maps to a selection of the hub (the SSE handler's selections):
 * - exact channel `<name>` → events `[name]`; `<name>:<topic>` → events `[name]`, topics `[topic]`;
 * - prefix `<domain>.` → events `["<domain>.*"]`; `<name>:` → events `[name]`; `""` → `["*"]`.
 * A selection may be wider than its filter (`<name>` of an event with a topic path is served every
 * topic of it): what falls outside the filter is not delivered.
 *
 * The stream is SSE text (sse/protocol.ts): envelope frames are handed to the listener (the bus
 * validates them), the `live` frame confirms the subscription (`ready`), a `gap` frame is reported —
 * events may be missing — and delivery goes on. Snapshot and status frames are not events and are not
 * delivered. What the hub sends is bounded: one event (its lines since the last blank line) may have
 * `maxEventSize` characters; past it `feed` says so and the connection is dropped.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import { isWireId, MAX_CURSOR_LENGTH, readJsonText } from "../../../wire.js";
import { SeenIds } from "../../client/receiver.js";
import { BusError, describeIssues } from "../../core/errors.js";
import { SSE_GAP_EVENT, SSE_LIVE_EVENT, type SseSelection } from "../../sse/protocol.js";
import { wsSubscribeMessage } from "../../ws/protocol.js";
import { channelName, filterMatches, type ChannelFilter, type TransportListener } from "../transport.js";

export interface HubSubscriptionSettings {
  readonly dedupe: number;
  readonly maxEventSize: number;
  /** Faults of this subscription's stream (a gap, an undecodable frame). */
  readonly report: (error: BusError) => void;
}

const ignore = (): void => {};

/** The hub selection of a channel filter (see the top of this file). */
export function hubSelection(filter: ChannelFilter): SseSelection {
  if ("channel" in filter) {
    const colon = filter.channel.indexOf(":");
    return colon < 0 ? { events: [filter.channel] } : { events: [filter.channel.slice(0, colon)], topics: [filter.channel.slice(colon + 1)] };
  }
  const prefix = filter.prefix;
  if (prefix === "") return { events: ["*"] };
  if (prefix.endsWith(".")) return { events: [`${prefix}*`] };
  if (prefix.endsWith(":") && !prefix.slice(0, -1).includes(":")) return { events: [prefix.slice(0, -1)] };
  throw new BusError("subscribe-invalid", `The WebSocket transport cannot subscribe to channels starting with "${prefix}": a hub serves event names, "<domain>.*", "*" and every topic of one event.`);
}

/** The channel an arriving envelope belongs on, read from its type and topic; undefined when it has no string type. */
function channelOf(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const event = Object.hasOwn(data, "event") ? (data as { readonly event: unknown }).event : undefined;
  const type = typeof event === "object" && event !== null && Object.hasOwn(event, "type") ? (event as { readonly type: unknown }).type : undefined;
  if (typeof type !== "string") return undefined;
  const topic = Object.hasOwn(data, "topic") ? (data as { readonly topic: unknown }).topic : undefined;
  const name = type.replace(/\.v\d+$/, "");
  return typeof topic === "string" ? channelName(name, topic) : name;
}

function idOf(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || !Object.hasOwn(data, "id")) return undefined;
  const id = (data as { readonly id: unknown }).id;
  return typeof id === "string" ? id : undefined;
}

/** Peer text in a message: JSON-quoted, cut to 80 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

export class HubSubscription {
  /** Its id on the hub (`WS_SUB_ID`), one per subscription of the transport. */
  readonly sub: string;
  readonly filter: ChannelFilter;
  readonly selection: SseSelection;
  /** Resolves on the first `live` frame; rejects when the hub refused it for good or the transport closed first. */
  readonly ready: Promise<void>;
  readonly #listener: TransportListener;
  readonly #settings: HubSubscriptionSettings;
  readonly #seen: SeenIds;
  readonly #description: string;
  #lastEventId: string | undefined;
  #parser: EventSourceParser | undefined;
  /** Characters of the event being received (since the last blank line), and the character before the last read. */
  #eventSize = 0;
  #previous = 0;
  #oversized = false;
  #settle: { resolve(): void; reject(error: Error): void } | undefined;
  #active = true;

  constructor(sub: string, filter: ChannelFilter, listener: TransportListener, settings: HubSubscriptionSettings) {
    this.sub = sub;
    this.filter = filter;
    this.selection = hubSelection(filter);
    this.#listener = listener;
    this.#settings = settings;
    this.#seen = new SeenIds(settings.dedupe);
    this.#description = "channel" in filter ? `channel "${filter.channel}"` : `channels starting with "${filter.prefix}"`;
    this.ready = new Promise<void>((resolve, reject) => void (this.#settle = { resolve, reject }));
    this.ready.catch(ignore); // the bus reports it; a caller awaiting `ready` still sees it
  }

  get active(): boolean {
    return this.#active;
  }

  /** The subscribe message for a new connection: resuming after the last id received, when there is one. */
  subscribeMessage(): string {
    this.#parser = createParser({ onEvent: (message) => this.#onMessage(message) });
    this.#eventSize = 0;
    this.#previous = 0;
    this.#oversized = false;
    return wsSubscribeMessage(this.sub, { ...this.selection, lastEventId: this.#lastEventId });
  }

  /** The next part of its stream on the current connection; an error when the hub sent more than `maxEventSize` of one event. */
  feed(text: string): BusError | undefined {
    if (!this.#active || this.#parser === undefined) return undefined;
    this.#parser.feed(text);
    if (this.#oversized || this.#measure(text) > this.#settings.maxEventSize) {
      this.#parser = undefined;
      return new BusError("connection-lost", `The hub sent more than maxEventSize (${this.#settings.maxEventSize}) characters of one event on ${this.#description}; the connection was dropped.`);
    }
    return undefined;
  }

  /** What it listens to, for messages: `channel "a.b"`, `channels starting with "a."`. */
  get description(): string {
    return this.#description;
  }

  /**
   * Nothing more is delivered. A `ready` still pending resolves (an unsubscribe) or rejects with
   * `error` (refused for good, the transport closed); true when it was pending.
   */
  close(error?: BusError): boolean {
    this.#active = false;
    this.#parser = undefined;
    const settle = this.#settle;
    this.#settle = undefined;
    if (error === undefined) settle?.resolve();
    else settle?.reject(error);
    return settle !== undefined;
  }

  #onMessage(message: EventSourceMessage): void {
    if (!this.#active) return;
    if (message.data.length > this.#settings.maxEventSize) {
      this.#oversized = true;
      return;
    }
    switch (message.event) {
      case undefined:
      case "message":
        this.#deliver(message.data);
        break;
      case SSE_LIVE_EVENT: {
        const settle = this.#settle;
        this.#settle = undefined;
        settle?.resolve();
        break;
      }
      case SSE_GAP_EVENT: {
        const gap = readGap(message.data);
        // The buffer this subscription fell out of is gone: resuming from the old id would only say so again.
        if (gap.reason === "overflow" && gap.resync) this.#lastEventId = undefined;
        this.#settings.report(
          new BusError("stream-gap", `The hub could not deliver every event of ${this.#description}${gap.lastEventId === undefined ? "" : ` after ${quote(gap.lastEventId)}`} (${gap.reason}): events may be missing; delivery goes on.`),
        );
        return; // a gap frame carries no id
      }
      default:
        return; // snapshot (state, not an event) and status frames
    }
    if (message.id !== undefined) this.#lastEventId = isWireId(message.id, MAX_CURSOR_LENGTH) ? message.id : undefined;
  }

  #deliver(text: string): void {
    const read = readJsonText(text);
    if (!read.ok) {
      this.#settings.report(new BusError("message-undecodable", `Dropped a frame from the hub on ${this.#description} that is not a JSON document the wire accepts: ${describeIssues([read.issue])}`, { envelope: text.slice(0, 1000) }));
      return;
    }
    const data = read.value;
    const own = channelOf(data);
    if (own !== undefined && !filterMatches(this.filter, own)) return; // outside the filter: the selection is wider
    const id = idOf(data);
    if (id !== undefined) {
      if (this.#seen.has(id)) return;
      this.#seen.add(id);
    }
    // Without a type to name its channel: delivered on the filter's own, for the bus to report.
    this.#listener({ channel: own ?? ("channel" in this.filter ? this.filter.channel : this.filter.prefix), data });
  }

  /** The characters of the event being received after `text` (what follows its last blank line). */
  #measure(text: string): number {
    this.#eventSize += text.length;
    for (let index = text.length - 1; index >= 0; index -= 1) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      const before = index === 0 ? this.#previous : text.charCodeAt(index - 1);
      // Two line ends in a row make a blank line, except CR LF, which is one line end.
      if ((before === 10 || before === 13) && !(before === 13 && code === 10)) {
        this.#eventSize = text.length - index - 1;
        break;
      }
    }
    if (text.length > 0) this.#previous = text.charCodeAt(text.length - 1);
    return this.#eventSize;
  }
}

/** The data of a gap frame, read defensively (a reason is one of the known ones, an id keeps the id grammar). */
function readGap(data: string): { readonly reason: string; readonly resync: boolean; readonly lastEventId?: string } {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    value = undefined;
  }
  const field = (name: string): unknown => (typeof value === "object" && value !== null && Object.hasOwn(value, name) ? (value as { readonly [key: string]: unknown })[name] : undefined);
  const reason = field("reason");
  const lastEventId = field("lastEventId");
  return {
    reason: reason === "resume-too-old" || reason === "overflow" || reason === "trimmed" ? reason : "unknown",
    resync: field("resync") !== false,
    ...(isWireId(lastEventId, MAX_CURSOR_LENGTH) ? { lastEventId } : {}),
  };
}
