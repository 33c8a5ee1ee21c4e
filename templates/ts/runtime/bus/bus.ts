/**
 * The typed event bus: publish, subscribe, stream, close — over any `Transport`, bound to one
 * catalogue through a `CatalogueBinding` (see `core/binding.ts`).
 *
 * Guarantees, whatever the transport:
 * - `publish` validates the payload (unless `validate: false`), wraps it in an envelope
 *   `{ id, time, topic?, event }` and resolves with that envelope once the transport accepted it;
 *   it rejects with a `BusError` (`publish-invalid`, `publish-failed`, `closed`) otherwise.
 *   Validation checks what goes on the wire: the payload is copied as JSON data first — own
 *   enumerable fields, each read once — and a payload JSON would send differently (an inherited
 *   field, `toJSON`, a class instance, a Map or Date, a function, undefined in an array, a cycle) is
 *   refused; the copy is validated, sent, and handed to in-process subscribers, so they receive
 *   what a subscriber in another process decodes, and a publisher changing its object afterwards
 *   changes nothing that was published.
 * - A subscriber receives the envelope of any version of the events it selected, in the order the
 *   transport delivers them (per topic: publish order). It never receives a message that failed
 *   ingress validation (unknown type, invalid envelope or payload, wrong channel): those are
 *   reported to `onError` and dropped.
 * - With `version: "latest"`, a subscriber receives every version upgraded to the latest version of
 *   its event (core/upgrade.ts: id, time and topic kept), in the same order; an event a step of which
 *   declares no migration is reported to `onError` (`upgrade-unavailable`) for each such subscriber
 *   and not delivered to it — every other subscriber is unaffected.
 * - A subscriber that throws or rejects affects no other subscriber and not the publisher; the
 *   failure goes to `onError`. An `onError` that throws is ignored.
 * - `close()` is idempotent: it ends every stream, drops every subscription and closes the transport.
 * - Over a transport with positions (Redis Streams), a handler also receives the message's
 *   `position`; `subscribe(…, { from })` resumes after a position, and a gap (positions trimmed
 *   before they were read) reaches the subscriber's `onGap` — else `onError` as `stream-gap` —
 *   before anything after it is delivered.
 */
import type { EventEnvelope } from "../../wire.js";
import {
  scopedEvents,
  type AnyEvent,
  type CatalogueBinding,
  type CatalogueShape,
  type EventName,
  type EventOfSelector,
  type EventOfType,
  type LatestOfSelector,
  type LatestTypeOf,
  type PayloadOfType,
  type Selector,
  type VersionOf,
} from "../core/binding.js";
import { BusError, messageOf } from "../core/errors.js";
import { upgradeEnvelope, type EventUpgrader } from "../core/upgrade.js";
import { logError, type AbortSignalLike } from "../core/platform.js";
import { positiveInteger, runtimeDefaults, type OverflowPolicy } from "../core/policies.js";
import { channelName, TRANSPORT_UP, type ChannelFilter, type PositionGap, type Transport, type TransportStatus } from "../transports/transport.js";
import { createMemoryTransport } from "../transports/memory.js";
import { publisherFor, type PublishRequest } from "./publisher.js";
import { RouteTable, type Entry, type Route } from "./routes.js";
import { createEventStream, type EventStream } from "./stream.js";

export interface BusOptions {
  /** Where events travel. Default: a new in-process transport. The bus closes it in `close()`. */
  readonly transport?: Transport;
  /**
   * Check each published payload against its schema. Default `true`: what is checked is what goes on
   * the wire — a copy of the payload as JSON data (see `publish`), which is also what is sent and
   * what in-process subscribers receive. `false`: the payload object is sent as it is. Messages from
   * another process are validated regardless.
   */
  readonly validate?: boolean;
  /** Receives every failure that has no caller to reject: failing subscribers, dropped messages, lost connections. Default: the console, repeated failures of one kind once per `runtimeDefaults.errorLogInterval`. */
  readonly onError?: (error: BusError) => void;
  /** Called when the transport goes `down` (a connection lost) and back `up` (see `Bus.onStatus`). */
  readonly onStatus?: (status: TransportStatus) => void;
}

export interface PublishOptions {
  /**
   * The envelope's topic, for an event with a `topic` path. Default: the value at that path in the
   * payload (absent: unscoped). An event none of whose versions has a topic path is always unscoped.
   */
  readonly topic?: string;
  /**
   * The envelope's id, for a producer that gives each event its own (an idempotent producer: the
   * same id again marks a retry). It must keep the id grammar — 1 to 256 visible ASCII characters,
   * no space (`isWireId`) — or the publish is refused (`publish-invalid`). Default: an id the bus
   * generates, unique within the bus.
   */
  readonly id?: string;
}

export interface SubscribeOptions {
  /** Only events with this topic (for events with a `topic` path). Default: every topic, and unscoped events. */
  readonly topic?: string;
  /**
   * Resume: deliver the events after this position (a `Delivery.position` this subscriber saw), so
   * nothing published meanwhile is missed. Only over a transport with positions (Redis Streams) and
   * for one channel (an event with `topic`, or an event without a topic path); otherwise
   * `subscribe-invalid`. Default (or `undefined`): only events published after `ready`.
   */
  readonly from?: string | undefined;
  /**
   * Called when events this subscriber should have received were trimmed away before they were read
   * (the `from` position is older than what the transport keeps, or a reader fell that far behind):
   * resync needed. Comes before the first event after the gap; unsubscribing here delivers nothing
   * more. Default: reported to `onError` as `stream-gap`.
   */
  readonly onGap?: (gap: PositionGap) => void;
  /**
   * `"latest"`: deliver every version of the selected events upgraded to the latest version of its
   * event through the declared migrations — the envelope's id, time and topic kept — typed as that
   * version (for `<domain>.*` and `*`, each event at its own latest version). An event a step of
   * which declares no migration is reported (`upgrade-unavailable`) and not delivered to this
   * subscriber. Default: every event as it was published. Needs a binding with `upgradeEvent` (the
   * generated one has it), else `subscribe-invalid`.
   */
  readonly version?: "latest" | undefined;
}

/** What a handler learns of a delivery besides the envelope. */
export interface Delivery {
  /** The event's position in its channel (Redis Streams: the entry ID): pass it as `from` to resume after it. Absent on transports without positions. */
  readonly position?: string;
}

export interface StreamOptions extends Pick<SubscribeOptions, "topic" | "version"> {
  /** Ends the stream when aborted (the iteration completes; buffered events are discarded). */
  readonly signal?: AbortSignalLike;
  /** Events held for a consumer that is behind. Default `runtimeDefaults.streamBuffer` (1024). */
  readonly buffer?: number;
  /** What happens when that buffer is full. Default `runtimeDefaults.streamOverflow` (`"error"`). */
  readonly overflow?: OverflowPolicy;
}

/** Stops a subscription (idempotent); `ready` resolves once the transport confirmed it. */
export interface Unsubscribe {
  (): void;
  readonly ready: Promise<void>;
  /**
   * Over a transport with positions, for a subscription to one channel: the position it started
   * after — every event of the channel after it reaches the handler — known once `ready`, so a
   * consumer that has received nothing yet still has a position to resume from. Undefined before
   * `ready`, for a subscription to several channels, and on a transport without positions.
   */
  position(): string | undefined;
}

export type EnvelopeHandler<E> = (envelope: EventEnvelope<E>, delivery: Delivery) => unknown;

/** The events a subscription to `S` receives: as published, or (`V` = `"latest"`) at the latest version of each. */
export type SubscribedEvent<C extends CatalogueShape, S extends string, V extends "latest" | undefined> = V extends "latest" ? LatestOfSelector<C, S> : EventOfSelector<C, S>;

export interface Bus<C extends CatalogueShape> {
  /** Publishes the latest version of `name`. Resolves with the envelope sent. */
  publish<N extends EventName<C>>(
    name: N,
    payload: PayloadOfType<C, LatestTypeOf<C, N>>,
    options?: PublishOptions & { readonly version?: undefined },
  ): Promise<EventEnvelope<EventOfType<C, LatestTypeOf<C, N>>>>;
  /** Publishes version `version` of `name`. Resolves with the envelope sent. */
  publish<N extends EventName<C>, V extends VersionOf<C, N>>(
    name: N,
    payload: PayloadOfType<C, `${N}.v${V}`>,
    options: PublishOptions & { readonly version: V },
  ): Promise<EventEnvelope<EventOfType<C, `${N}.v${V}`>>>;

  /**
   * Calls `handler` with every envelope `selector` matches: an event name (every version of it),
   * `<domain>.*`, or `*` — with `version: "latest"`, each upgraded to the latest version of its event.
   */
  subscribe<S extends Selector<C>, V extends "latest" | undefined = undefined>(
    selector: S,
    handler: EnvelopeHandler<SubscribedEvent<C, S, V>>,
    options?: SubscribeOptions & { readonly version?: V },
  ): Unsubscribe;

  /** The envelopes `selector` matches (with `version: "latest"`, upgraded), as an async iterator with a bounded buffer. */
  stream<S extends Selector<C>, V extends "latest" | undefined = undefined>(
    selector: S,
    options?: StreamOptions & { readonly version?: V },
  ): EventStream<EventEnvelope<SubscribedEvent<C, S, V>>>;

  /** The transport's status now: `up`, or `down` while a connection it needs is lost (always `up` in process). */
  status(): TransportStatus;
  /**
   * Calls `observer` on every change of the transport's status: `down` when a connection is lost,
   * `up` once it is back — the recovery signal after a `connection-lost` error. Returns a function
   * that removes the observer.
   */
  onStatus(observer: (status: TransportStatus) => void): () => void;

  /** Ends every stream and subscription and closes the transport. Idempotent. */
  close(): Promise<void>;
}

type Envelope = EventEnvelope<AnyEvent>;

const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ["drop-oldest", "drop-newest", "error"];

const ignore = (): void => {};

/** Creates a bus bound to a catalogue. The generated SDK wraps this as `createBus(options)`. */
export function createBusFor<C extends CatalogueShape>(binding: CatalogueBinding<C>, options: BusOptions = {}): Bus<C> {
  const transport = options.transport ?? createMemoryTransport();
  const onError = options.onError ?? logError;
  /** Open streams, each with the function that ends it with an error (the transport ended). */
  const streams = new Map<EventStream<Envelope>, (error: BusError) => void>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const report = (error: Error): void => {
    const busError = error instanceof BusError ? error : new BusError("connection-lost", messageOf(error), { cause: error });
    try {
      onError(busError);
    } catch {
      // An onError that throws must not break delivery to anyone else.
    }
  };
  const stopObserving = transport.onError(report);

  let currentStatus: TransportStatus = TRANSPORT_UP;
  const statusObservers = new Set<(status: TransportStatus) => void>();
  if (options.onStatus !== undefined) statusObservers.add(options.onStatus);
  const stopStatus =
    transport.onStatus?.((status) => {
      if (status.state === currentStatus.state) return;
      currentStatus = status;
      for (const observer of [...statusObservers]) {
        try {
          observer(status);
        } catch (error) {
          report(new BusError("subscriber-failed", `An onStatus observer failed: ${messageOf(error)}`, { cause: error }));
        }
      }
      if (status.state !== "ended") return;
      // Nothing will arrive again: every stream ends with the cause, after what it buffered.
      const cause = status.cause instanceof BusError ? status.cause : new BusError("connection-lost", `The transport ended${status.cause === undefined ? "" : `: ${messageOf(status.cause)}`}.`, { cause: status.cause });
      for (const [, fail] of [...streams]) fail(cause);
    }) ?? ignore;
  const onStatus = (observer: (status: TransportStatus) => void): (() => void) => {
    statusObservers.add(observer);
    return () => void statusObservers.delete(observer);
  };

  // An event without a topic path lives on one channel, so subscribing to all of it takes no prefix
  // subscription (which sharded pub/sub cannot make).
  const isScoped = scopedEvents(binding);
  const send = publisherFor(binding, transport, { validate: options.validate ?? true, isScoped });
  const publish = (name: string, given: unknown, request?: PublishRequest): Promise<Envelope> =>
    closed ? Promise.reject(new BusError("closed", `Cannot publish "${name}": the bus is closed.`)) : send(name, given, request);
  const routes = new RouteTable(binding, transport, report);

  // One upgrade per envelope, shared by the `version: "latest"` subscribers it reaches one after the
  // other (the routes of one message hand each the same envelope object). An envelope that cannot be
  // upgraded is tried, and reported, once for each of them.
  const upgrader = binding.upgradeEvent === undefined ? undefined : (binding as EventUpgrader<AnyEvent>);
  let lastGiven: Envelope | undefined;
  let lastUpgraded: Envelope | undefined;
  const upgrading =
    (latest: EventUpgrader<AnyEvent>, handler: EnvelopeHandler<AnyEvent>): EnvelopeHandler<AnyEvent> =>
    (envelope, delivery) => {
      let upgraded = envelope === lastGiven ? lastUpgraded : undefined;
      if (upgraded === undefined) {
        upgraded = upgradeEnvelope(latest, envelope, report);
        lastGiven = envelope;
        lastUpgraded = upgraded;
      }
      return upgraded === undefined ? undefined : handler(upgraded, delivery);
    };

  /** Transport filters for a selector: one channel per topic, prefixes for wildcards. */
  const plan = (selector: string, topic: string | undefined): ChannelFilter[] => {
    if (selector === "*") return [{ prefix: "" }];
    if (selector.endsWith(".*")) return [{ prefix: selector.slice(0, -1) }];
    if (binding.latestType(selector) === undefined) {
      throw new BusError("subscribe-invalid", `Cannot subscribe to "${selector}": not an event name, "<domain>.*" or "*".`);
    }
    const scoped = isScoped(selector);
    if (topic !== undefined && !scoped) {
      throw new BusError("subscribe-invalid", `Cannot subscribe to "${selector}" with topic "${topic}": the event has no topic path, so it is never scoped.`);
    }
    // Every topic of a scoped event: its unscoped channel (an absent optional topic field) and `<name>:*`.
    const filters: ChannelFilter[] =
      topic !== undefined ? [{ channel: channelName(selector, topic) }] : scoped ? [{ channel: selector }, { prefix: `${selector}:` }] : [{ channel: selector }];
    return filters;
  };

  const subscribe = (selector: string, handler: EnvelopeHandler<AnyEvent>, subscribeOptions: SubscribeOptions = {}): Unsubscribe => {
    if (closed) throw new BusError("closed", `Cannot subscribe to "${selector}": the bus is closed.`);
    const filters = plan(selector, subscribeOptions.topic);
    const { from } = subscribeOptions;
    if (from !== undefined && transport.positions !== true) {
      throw new BusError("subscribe-invalid", `Cannot subscribe to "${selector}" from position ${from}: the transport has no positions (use the Redis Streams transport).`);
    }
    if (from !== undefined && (filters.length !== 1 || !("channel" in (filters[0] as ChannelFilter)))) {
      throw new BusError("subscribe-invalid", `Cannot subscribe to "${selector}" from position ${from}: a position belongs to one channel; name an event with its topic, or an event without a topic path.`);
    }
    let deliver = handler;
    if (subscribeOptions.version === "latest") {
      if (upgrader === undefined) throw new BusError("subscribe-invalid", `Cannot subscribe to "${selector}" with version "latest": the catalogue binding has no upgradeEvent.`);
      deliver = upgrading(upgrader, handler);
    } else if (subscribeOptions.version !== undefined) {
      throw new BusError("subscribe-invalid", `Cannot subscribe to "${selector}" with version ${JSON.stringify(subscribeOptions.version)}: only "latest" is known.`);
    }
    const entry: Entry = { topic: subscribeOptions.topic, handler: deliver, onGap: subscribeOptions.onGap, active: true };
    const attached: Route[] = [];
    try {
      for (const filter of filters) attached.push(routes.attach(filter, entry, from));
    } catch (error) {
      for (const route of attached) routes.detach(route, entry);
      throw error;
    }
    // Where this subscriber starts: where a confirmed route it joins stands now, else where the
    // transport subscription starts (read as it is confirmed, before anything can be delivered).
    let start: string | undefined;
    const only = attached.length === 1 ? attached[0]?.subscription : undefined;
    if (only?.position !== undefined) {
      start = only.position();
      if (start === undefined) only.ready.then(() => void (start ??= only.position?.()), ignore);
    }
    const ready = Promise.all(attached.map((route) => route.subscription?.ready)).then(ignore);
    ready.catch(ignore); // reported through onError by attach(); awaiting `ready` still sees the rejection
    const unsubscribe = (): void => {
      if (!entry.active) return;
      entry.active = false;
      for (const route of attached) routes.detach(route, entry);
    };
    return Object.assign(unsubscribe, { ready, position: () => start });
  };

  const stream = (selector: string, streamOptions: StreamOptions = {}): EventStream<Envelope> => {
    const buffer = positiveInteger("stream buffer", streamOptions.buffer, runtimeDefaults.streamBuffer);
    const overflow = streamOptions.overflow ?? runtimeDefaults.streamOverflow;
    if (!OVERFLOW_POLICIES.includes(overflow)) throw new RangeError(`stream overflow must be one of ${OVERFLOW_POLICIES.join(", ")}, got ${String(overflow)}`);
    const subscribeOptions: SubscribeOptions = { ...(streamOptions.topic === undefined ? {} : { topic: streamOptions.topic }), version: streamOptions.version };
    let failStream: (error: BusError) => void = ignore;
    const created: EventStream<Envelope> = createEventStream<Envelope>(
      { buffer, overflow, signal: streamOptions.signal, description: `"${selector}"` },
      (push, fail) => {
        failStream = fail;
        const unsubscribe = subscribe(selector, push, subscribeOptions);
        const release = (): void => {
          unsubscribe();
          streams.delete(created);
        };
        return Object.assign(release, { ready: unsubscribe.ready });
      },
    );
    if (streamOptions.signal?.aborted !== true) streams.set(created, failStream);
    return created;
  };

  const shutdown = async (): Promise<void> => {
    for (const open of [...streams.keys()]) void open.return();
    routes.closeAll();
    try {
      await transport.close();
    } finally {
      stopObserving();
      stopStatus();
      statusObservers.clear();
    }
  };

  const close = (): Promise<void> => {
    if (closing === undefined) {
      closed = true;
      closing = shutdown();
    }
    return closing;
  };

  // One cast: the implementations take the catalogue's types as plain strings and payloads.
  return { publish, subscribe, stream, status: () => currentStatus, onStatus, close } as unknown as Bus<C>;
}

