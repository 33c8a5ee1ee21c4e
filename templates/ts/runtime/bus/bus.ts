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
 * - A subscriber that throws or rejects affects no other subscriber and not the publisher; the
 *   failure goes to `onError`. An `onError` that throws is ignored.
 * - `close()` is idempotent: it ends every stream, drops every subscription and closes the transport.
 * - Over a transport with positions (Redis Streams), a handler also receives the message's
 *   `position`; `subscribe(…, { from })` resumes after a position, and a gap (positions trimmed
 *   before they were read) reaches the subscriber's `onGap` — else `onError` as `stream-gap` —
 *   before anything after it is delivered.
 */
import { isWireId, MAX_ENVELOPE_ID_LENGTH, type EventEnvelope } from "../../wire.js";
import type {
  AnyEvent,
  CatalogueBinding,
  CatalogueShape,
  EventName,
  EventOfSelector,
  EventOfType,
  EventType,
  LatestTypeOf,
  PayloadOfType,
  Selector,
  VersionOf,
} from "../core/binding.js";
import { BusError, describeIssues, messageOf } from "../core/errors.js";
import { createMemoryTransport } from "../transports/memory.js";
import { acceptedNow, createClock, createIdSource, logError, type AbortSignalLike } from "../core/platform.js";
import { positiveInteger, runtimeDefaults, type OverflowPolicy } from "../core/policies.js";
import { createEventStream, type EventStream } from "./stream.js";
import { NotJsonData, wireCopy } from "../core/wire-copy.js";
import {
  channelName,
  filterKey,
  TRANSPORT_UP,
  type ChannelFilter,
  type PositionGap,
  type Transport,
  type TransportMessage,
  type TransportSubscribeOptions,
  type TransportStatus,
  type TransportSubscription,
} from "../transports/transport.js";

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
}

/** What a handler learns of a delivery besides the envelope. */
export interface Delivery {
  /** The event's position in its channel (Redis Streams: the entry ID): pass it as `from` to resume after it. Absent on transports without positions. */
  readonly position?: string;
}

export interface StreamOptions extends Pick<SubscribeOptions, "topic"> {
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

  /** Calls `handler` with every envelope `selector` matches: an event name (every version of it), `<domain>.*`, or `*`. */
  subscribe<S extends Selector<C>>(selector: S, handler: EnvelopeHandler<EventOfSelector<C, S>>, options?: SubscribeOptions): Unsubscribe;

  /** The envelopes `selector` matches, as an async iterator with a bounded buffer. */
  stream<S extends Selector<C>>(selector: S, options?: StreamOptions): EventStream<EventEnvelope<EventOfSelector<C, S>>>;

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

/** One subscriber: where its events go. */
interface Entry {
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
interface Route {
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

/** What publishing one wire type needs, looked up once per bus and type. */
interface PublishTarget {
  readonly name: string;
  readonly type: string;
  readonly topicPath: readonly string[] | undefined;
  /** The last topic published and its channel, so a run of one topic builds its channel name once. */
  lastTopic: string | undefined;
  lastChannel: string;
}

const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ["drop-oldest", "drop-newest", "error"];

const ignore = (): void => {};

const NO_POSITION: Delivery = Object.freeze({});

/** Inactive entries a route keeps before it may compact its array (see `Route.entries`). */
const COMPACT_AFTER = 16;


/** Creates a bus bound to a catalogue. The generated SDK wraps this as `createBus(options)`. */
export function createBusFor<C extends CatalogueShape>(binding: CatalogueBinding<C>, options: BusOptions = {}): Bus<C> {
  const transport = options.transport ?? createMemoryTransport();
  const validate = options.validate ?? true;
  const onError = options.onError ?? logError;
  const routes = new Map<string, Route>();
  const streams = new Set<EventStream<Envelope>>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let resumed = 0;

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
    }) ?? ignore;
  const onStatus = (observer: (status: TransportStatus) => void): (() => void) => {
    statusObservers.add(observer);
    return () => void statusObservers.delete(observer);
  };

  /** The wire type for `name` at `version` (latest when absent), or undefined when the catalogue has none. */
  const typeOf = (name: string, version: number | undefined): EventType<C> | undefined => {
    if (version === undefined) return binding.latestType(name);
    const type = `${name}.v${version}`;
    return binding.meta(type)?.name === name ? (type as EventType<C>) : undefined;
  };

  /**
   * Does any version of `name` have a topic path? An event that has none lives on one channel, so
   * subscribing to all of it takes no prefix subscription (which sharded pub/sub cannot make).
   */
  const scopedCache = new Map<string, boolean>();
  const isScoped = (name: string): boolean => {
    let scoped = scopedCache.get(name);
    if (scoped === undefined) {
      const latest = binding.latestType(name);
      const versions = latest === undefined ? 0 : (binding.meta(latest)?.version ?? 0);
      scoped = false;
      for (let version = 1; version <= versions && !scoped; version += 1) scoped = binding.meta(`${name}.v${version}`)?.topic !== undefined;
      scopedCache.set(name, scoped);
    }
    return scoped;
  };

  // Publish targets: by event name for the latest version, by wire type for a named one.
  const latestTargets = new Map<string, PublishTarget>();
  const versionTargets = new Map<string, PublishTarget>();
  // The last latest-version target, for a run of publishes of one event.
  let recentName: string | undefined;
  let recentTarget: PublishTarget | undefined;
  const publishTarget = (name: string, version: number | undefined): PublishTarget | undefined => {
    if (version === undefined && name === recentName) return recentTarget;
    const cache = version === undefined ? latestTargets : versionTargets;
    const key = version === undefined ? name : `${name}.v${version}`;
    let target = cache.get(key);
    if (target === undefined) {
      const type = typeOf(name, version);
      if (type === undefined) return undefined;
      target = { name, type, topicPath: binding.meta(type)?.topic, lastTopic: undefined, lastChannel: name };
      cache.set(key, target);
    }
    if (version === undefined) {
      recentName = name;
      recentTarget = target;
    }
    return target;
  };
  const channelOf = (target: PublishTarget, topic: string | undefined): string => {
    if (topic === undefined) return target.name;
    if (topic !== target.lastTopic) {
      target.lastChannel = channelName(target.name, topic);
      target.lastTopic = topic;
    }
    return target.lastChannel;
  };
  const nextId = createIdSource();
  const now = createClock();

  const publishFailed = (error: unknown, type: string, channel: string, envelope: Envelope): BusError =>
    error instanceof BusError ? error : new BusError("publish-failed", `Could not publish "${type}" on channel "${channel}": ${messageOf(error)}`, { cause: error, channel, envelope });

  // The hot path: nothing allocated but the envelope, its event, its id and the promise returned, plus what the transport queues and, with validation, the payload's copy (docs/runtime.md, "Performance").
  const publish = (name: string, given: unknown, publishOptions?: { topic?: string; version?: number; id?: string }): Promise<Envelope> => {
    if (closed) return Promise.reject(new BusError("closed", `Cannot publish "${name}": the bus is closed.`));
    const version = publishOptions?.version;
    const target = publishTarget(name, version);
    if (target === undefined) {
      const message = binding.latestType(name) === undefined ? `Unknown event "${name}".` : `Event "${name}" has no version ${String(version)}.`;
      return Promise.reject(new BusError("publish-invalid", `Did not publish: ${message}`));
    }
    const type = target.type;
    const explicitTopic = publishOptions?.topic;
    if (explicitTopic !== undefined && !isScoped(name)) {
      return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}" with topic "${explicitTopic}": the event has no topic path, so it is never scoped.`));
    }
    const givenId = publishOptions?.id;
    if (givenId !== undefined && !isWireId(givenId)) {
      const refused: unknown = givenId;
      const shown = typeof refused === "string" ? JSON.stringify(refused.length > 64 ? `${refused.slice(0, 64)}…` : refused) : `a ${typeof refused}`;
      return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}" with envelope id ${shown}: an envelope id is 1 to ${MAX_ENVELOPE_ID_LENGTH} visible ASCII characters, no space.`));
    }
    let payload = given;
    if (validate) {
      const copied = wireCopy(given);
      if (copied instanceof NotJsonData) {
        const issues = [{ path: copied.path, message: copied.message }];
        return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}": the payload is not plain JSON data: ${describeIssues(issues)}`, { issues }));
      }
      payload = copied;
      const issues = binding.validatePayload(type as EventType<C>, payload);
      if (issues.length > 0) return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}": invalid payload: ${describeIssues(issues)}`, { issues }));
    }
    const topic = explicitTopic ?? topicAt(target.topicPath, payload);
    const event: AnyEvent = { type, payload };
    const id = givenId ?? nextId();
    const envelope: Envelope = topic === undefined ? { id, time: now(), event } : { id, time: now(), topic, event };
    const channel = channelOf(target, topic);
    let sent: Promise<void>;
    try {
      // Handed to the transport in the caller's turn: publish order is transport order.
      sent = transport.publish(channel, envelope);
    } catch (error) {
      return Promise.reject(publishFailed(error, type, channel, envelope));
    }
    if (sent === acceptedNow) return Promise.resolve(envelope);
    return sent.then(
      () => envelope,
      (error: unknown) => {
        throw publishFailed(error, type, channel, envelope);
      },
    );
  };

  /** Envelope from an untrusted transport, or undefined (reported) when it must not reach subscribers. */
  const admit = (message: TransportMessage): Envelope | undefined => {
    const { channel, data } = message;
    const result = binding.parseEnvelope(data);
    if (result.kind === "invalid") {
      report(new BusError("message-invalid", `Dropped an invalid message on channel "${channel}": ${describeIssues(result.issues)}`, { channel, issues: result.issues, envelope: data }));
      return undefined;
    }
    if (result.kind === "unknown") {
      report(new BusError("message-unknown-type", `Dropped an event of unknown type "${result.envelope.event.type}" on channel "${channel}".`, { channel, envelope: data }));
      return undefined;
    }
    const envelope: Envelope = result.envelope;
    const meta = binding.meta(envelope.event.type);
    const expected = meta === undefined ? undefined : channelName(meta.name, envelope.topic);
    if (expected !== channel) {
      report(
        new BusError("message-wrong-channel", `Dropped "${envelope.event.type}" on channel "${channel}": its event and topic belong on "${String(expected)}".`, {
          channel,
          envelope: data,
        }),
      );
      return undefined;
    }
    return envelope;
  };

  const subscriberFailed = (error: unknown, envelope: Envelope): void => {
    report(new BusError("subscriber-failed", `A subscriber to "${envelope.event.type}" failed: ${messageOf(error)}`, { cause: error, envelope }));
  };

  const invoke = (entry: Entry, envelope: Envelope, delivery: Delivery): void => {
    try {
      const result = entry.handler(envelope, delivery);
      if (isThenable(result)) result.then(undefined, (error: unknown) => subscriberFailed(error, envelope));
    } catch (error) {
      subscriberFailed(error, envelope);
    }
  };

  const deliver = (route: Route, message: TransportMessage): void => {
    const envelope = transport.trusted ? (message.data as Envelope) : admit(message);
    if (envelope === undefined) return;
    // The channel was checked against the envelope above (or is our own), and matches the route's filter.
    const delivery = message.position === undefined ? NO_POSITION : { position: message.position };
    const entries = route.entries;
    const count = entries.length;
    for (let index = 0; index < count; index += 1) {
      const entry = entries[index] as Entry;
      if (entry.active && (entry.topic === undefined || entry.topic === envelope.topic)) invoke(entry, envelope, delivery);
    }
  };

  /** A gap reaches every subscriber of the route: its own `onGap`, else `onError`. */
  const signalGap = (route: Route, gap: PositionGap): void => {
    const entries = route.entries;
    const count = entries.length;
    for (let index = 0; index < count; index += 1) {
      const entry = entries[index] as Entry;
      if (!entry.active) continue;
      if (entry.onGap === undefined) {
        report(new BusError("stream-gap", `Events on channel "${gap.channel}" after position ${gap.after} and before ${gap.next} were trimmed away before they were read; delivery continues at ${gap.next}.`, { channel: gap.channel }));
        continue;
      }
      try {
        entry.onGap(gap);
      } catch (error) {
        report(new BusError("subscriber-failed", `An onGap handler on channel "${gap.channel}" failed: ${messageOf(error)}`, { cause: error, channel: gap.channel }));
      }
    }
  };

  const attach = (filter: ChannelFilter, entry: Entry, from: string | undefined): Route => {
    // A subscription resuming from a position reads its own way through the log: never shared.
    const key = from === undefined ? filterKey(filter) : `${filterKey(filter)}@${from}#${(resumed += 1)}`;
    const existing = routes.get(key);
    if (existing !== undefined) {
      existing.entries.push(entry);
      existing.live += 1;
      return existing;
    }
    const route: Route = { key, entries: [entry], live: 1 };
    const listener = (message: TransportMessage): void => deliver(route, message);
    let subscription: TransportSubscription;
    if (transport.positions === true) {
      const positionOptions: TransportSubscribeOptions = { onGap: (gap) => signalGap(route, gap), ...(from === undefined ? {} : { from }) };
      subscription = transport.subscribe(filter, listener, positionOptions);
    } else {
      subscription = transport.subscribe(filter, listener);
    }
    route.subscription = subscription;
    routes.set(key, route);
    subscription.ready.catch((error: unknown) => {
      report(error instanceof BusError ? error : new BusError("subscribe-failed", `Could not subscribe to ${describeFilter(filter)}: ${messageOf(error)}`, { cause: error }));
    });
    return route;
  };

  /** Takes `entry` (leaving every route it is on) out of `route`. */
  const detach = (route: Route, entry: Entry): void => {
    entry.active = false;
    route.live -= 1;
    if (route.live > 0) {
      const inactive = route.entries.length - route.live;
      if (inactive >= COMPACT_AFTER && inactive * 2 > route.entries.length) route.entries = route.entries.filter((other) => other.active);
      return;
    }
    if (routes.get(route.key) === route) routes.delete(route.key);
    route.subscription?.unsubscribe();
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
    const entry: Entry = { topic: subscribeOptions.topic, handler, onGap: subscribeOptions.onGap, active: true };
    const attached: Route[] = [];
    try {
      for (const filter of filters) attached.push(attach(filter, entry, from));
    } catch (error) {
      for (const route of attached) detach(route, entry);
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
      for (const route of attached) detach(route, entry);
    };
    return Object.assign(unsubscribe, { ready, position: () => start });
  };

  const stream = (selector: string, streamOptions: StreamOptions = {}): EventStream<Envelope> => {
    const buffer = positiveInteger("stream buffer", streamOptions.buffer, runtimeDefaults.streamBuffer);
    const overflow = streamOptions.overflow ?? runtimeDefaults.streamOverflow;
    if (!OVERFLOW_POLICIES.includes(overflow)) throw new RangeError(`stream overflow must be one of ${OVERFLOW_POLICIES.join(", ")}, got ${String(overflow)}`);
    const topicOption: SubscribeOptions = streamOptions.topic === undefined ? {} : { topic: streamOptions.topic };
    const created: EventStream<Envelope> = createEventStream<Envelope>(
      { buffer, overflow, signal: streamOptions.signal, description: `"${selector}"` },
      (push) => {
        const unsubscribe = subscribe(selector, push, topicOption);
        const release = (): void => {
          unsubscribe();
          streams.delete(created);
        };
        return Object.assign(release, { ready: unsubscribe.ready });
      },
    );
    if (streamOptions.signal?.aborted !== true) streams.add(created);
    return created;
  };

  const shutdown = async (): Promise<void> => {
    for (const open of [...streams]) void open.return();
    for (const route of routes.values()) {
      for (const entry of route.entries) entry.active = false;
      route.subscription?.unsubscribe();
    }
    routes.clear();
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

/** The envelope topic at `path` in `payload`: a string as is, a number or boolean as its JSON text; otherwise none. */
function topicAt(path: readonly string[] | undefined, payload: unknown): string | undefined {
  if (path === undefined) return undefined;
  let value: unknown = payload;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  return undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function describeFilter(filter: ChannelFilter): string {
  return "channel" in filter ? `channel "${filter.channel}"` : `channels starting with "${filter.prefix}"`;
}
