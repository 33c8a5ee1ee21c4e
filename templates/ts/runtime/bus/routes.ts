/**
 * The bus's subscriptions: one route per channel filter, shared by every subscriber that selects it,
 * each with one transport subscription — so a message is admitted (validated, its channel checked)
 * once however many subscribers it reaches. A subscriber that throws or rejects is reported and
 * affects no other; a gap (Redis Streams) reaches every subscriber of the route before anything after
 * it. `closeAll()` drops every transport subscription.
 */
import type { EventEnvelope } from "../../wire.js";
import type { AnyEvent, CatalogueBinding, CatalogueShape } from "../core/binding.js";
import { BusError, describeIssues, messageOf } from "../core/errors.js";
import type { Delivery, EnvelopeHandler } from "./bus.js";
import {
  channelName,
  filterKey,
  type ChannelFilter,
  type PositionGap,
  type Transport,
  type TransportMessage,
  type TransportSubscribeOptions,
  type TransportSubscription,
} from "../transports/transport.js";

type Envelope = EventEnvelope<AnyEvent>;

/** One subscriber: where its events go. */
export interface Entry {
  readonly topic: string | undefined;
  readonly handler: EnvelopeHandler<AnyEvent>;
  readonly onGap: ((gap: PositionGap) => void) | undefined;
  active: boolean;
}

/**
 * One transport subscription, shared by every subscriber with the same channel filter: each message
 * is validated once. A filter comes from one selector only (`*` → every channel, `<domain>.*` →
 * `<domain>.`, an event name → its channel and `<name>:`, with a topic → `<name>:<topic>`), so every
 * message the transport delivers to a route is one its subscribers selected; only the topic is
 * left to test per subscriber.
 */
export interface Route {
  readonly key: string;
  /**
   * Its subscribers in subscription order. A new one is appended in place; one that leaves turns
   * inactive and stays until the inactive ones are the majority, when the array is replaced by a
   * compacted copy (see `detach`): adding and removing cost O(1) amortised. A delivery iterates the
   * array it found up to the length it found, so subscribing during a delivery takes effect from the
   * next message, and unsubscribing at once.
   */
  entries: Entry[];
  /** Its active subscribers; at 0 the route and its transport subscription go. */
  live: number;
  subscription?: TransportSubscription;
}

const NO_POSITION: Delivery = Object.freeze({});

/** Inactive entries a route keeps before it may compact its array (see `Route.entries`). */
const COMPACT_AFTER = 16;

export class RouteTable<C extends CatalogueShape> {
  readonly #binding: CatalogueBinding<C>;
  readonly #transport: Transport;
  readonly #report: (error: Error) => void;
  readonly #routes = new Map<string, Route>();
  /** Routes made to resume from a position, counted so each has a key of its own. */
  #resumed = 0;

  constructor(binding: CatalogueBinding<C>, transport: Transport, report: (error: Error) => void) {
    this.#binding = binding;
    this.#transport = transport;
    this.#report = report;
  }

  /** Envelope from an untrusted transport, or undefined (reported) when it must not reach subscribers. */
  #admit(message: TransportMessage): Envelope | undefined {
    const { channel, data } = message;
    const result = this.#binding.parseEnvelope(data);
    if (result.kind === "invalid") {
      this.#report(new BusError("message-invalid", `Dropped an invalid message on channel "${channel}": ${describeIssues(result.issues)}`, { channel, issues: result.issues, envelope: data }));
      return undefined;
    }
    if (result.kind === "unknown") {
      this.#report(new BusError("message-unknown-type", `Dropped an event of unknown type "${result.envelope.event.type}" on channel "${channel}".`, { channel, envelope: data }));
      return undefined;
    }
    const envelope: Envelope = result.envelope;
    const meta = this.#binding.meta(envelope.event.type);
    const expected = meta === undefined ? undefined : channelName(meta.name, envelope.topic);
    if (expected !== channel) {
      this.#report(
        new BusError("message-wrong-channel", `Dropped "${envelope.event.type}" on channel "${channel}": its event and topic belong on "${String(expected)}".`, {
          channel,
          envelope: data,
        }),
      );
      return undefined;
    }
    return envelope;
  }

  #subscriberFailed(error: unknown, envelope: Envelope): void {
    this.#report(new BusError("subscriber-failed", `A subscriber to "${envelope.event.type}" failed: ${messageOf(error)}`, { cause: error, envelope }));
  }

  #invoke(entry: Entry, envelope: Envelope, delivery: Delivery): void {
    try {
      const result = entry.handler(envelope, delivery);
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.#subscriberFailed(error, envelope));
    } catch (error) {
      this.#subscriberFailed(error, envelope);
    }
  }

  #deliver(route: Route, message: TransportMessage): void {
    const envelope = this.#transport.trusted ? (message.data as Envelope) : this.#admit(message);
    if (envelope === undefined) return;
    // The channel was checked against the envelope above (or is our own), and matches the route's filter.
    const delivery = message.position === undefined ? NO_POSITION : { position: message.position };
    const entries = route.entries;
    const count = entries.length;
    for (let index = 0; index < count; index += 1) {
      const entry = entries[index] as Entry;
      if (entry.active && (entry.topic === undefined || entry.topic === envelope.topic)) this.#invoke(entry, envelope, delivery);
    }
  }

  /** A gap reaches every subscriber of the route: its own `onGap`, else `onError`. */
  #signalGap(route: Route, gap: PositionGap): void {
    const entries = route.entries;
    const count = entries.length;
    for (let index = 0; index < count; index += 1) {
      const entry = entries[index] as Entry;
      if (!entry.active) continue;
      if (entry.onGap === undefined) {
        this.#report(new BusError("stream-gap", `Events on channel "${gap.channel}" after position ${gap.after} and before ${gap.next} were trimmed away before they were read; delivery continues at ${gap.next}.`, { channel: gap.channel }));
        continue;
      }
      try {
        entry.onGap(gap);
      } catch (error) {
        this.#report(new BusError("subscriber-failed", `An onGap handler on channel "${gap.channel}" failed: ${messageOf(error)}`, { cause: error, channel: gap.channel }));
      }
    }
  }

  /** Puts `entry` on the route of `filter` (a new transport subscription when there is none; always one of its own when resuming `from` a position). */
  attach(filter: ChannelFilter, entry: Entry, from: string | undefined): Route {
    // A subscription resuming from a position reads its own way through the log: never shared.
    const key = from === undefined ? filterKey(filter) : `${filterKey(filter)}@${from}#${(this.#resumed += 1)}`;
    const existing = this.#routes.get(key);
    if (existing !== undefined) {
      existing.entries.push(entry);
      existing.live += 1;
      return existing;
    }
    const route: Route = { key, entries: [entry], live: 1 };
    const listener = (message: TransportMessage): void => this.#deliver(route, message);
    let subscription: TransportSubscription;
    if (this.#transport.positions === true) {
      const positionOptions: TransportSubscribeOptions = { onGap: (gap) => this.#signalGap(route, gap), ...(from === undefined ? {} : { from }) };
      subscription = this.#transport.subscribe(filter, listener, positionOptions);
    } else {
      subscription = this.#transport.subscribe(filter, listener);
    }
    route.subscription = subscription;
    this.#routes.set(key, route);
    subscription.ready.catch((error: unknown) => {
      this.#report(error instanceof BusError ? error : new BusError("subscribe-failed", `Could not subscribe to ${describeFilter(filter)}: ${messageOf(error)}`, { cause: error }));
    });
    return route;
  }

  /** Takes `entry` (leaving every route it is on) out of `route`. */
  detach(route: Route, entry: Entry): void {
    entry.active = false;
    route.live -= 1;
    if (route.live > 0) {
      const inactive = route.entries.length - route.live;
      if (inactive >= COMPACT_AFTER && inactive * 2 > route.entries.length) route.entries = route.entries.filter((other) => other.active);
      return;
    }
    if (this.#routes.get(route.key) === route) this.#routes.delete(route.key);
    route.subscription?.unsubscribe();
  }

  /** Every route dropped, its subscribers made inactive and its transport subscription ended. */
  closeAll(): void {
    for (const route of this.#routes.values()) {
      for (const entry of route.entries) entry.active = false;
      route.subscription?.unsubscribe();
    }
    this.#routes.clear();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function describeFilter(filter: ChannelFilter): string {
  return "channel" in filter ? `channel "${filter.channel}"` : `channels starting with "${filter.prefix}"`;
}
