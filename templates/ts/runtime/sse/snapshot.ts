/**
 * The late-joiner snapshot: the latest envelope of each coalesce key, which the SSE server sends a
 * new connection before its live stream (`createSseHandler(bus, { snapshot })`).
 *
 * The contract is `SnapshotStore`: `record` an envelope as the latest of its key, `read` the
 * entries a selection covers. Two stores implement it:
 * - `createMemorySnapshotStore` (`snapshot: true`): one process. The envelope recorded last is the
 *   latest (the handler's feed records in the order the bus delivered); `read` answers at once, so
 *   the snapshot is exactly the state after the envelopes the connection's live stream follows. The
 *   envelope's time plays no part, so a producer's wrong clock cannot hold a key here.
 * - `createRedisSnapshotStore` (sse/snapshot-redis.ts): shared by every instance. The latest is the
 *   envelope with the greatest `snapshotOrder` — its time, then its id — so instances that see
 *   events in different orders or late all converge on the same entry; `read` is a round trip and
 *   may include envelopes the connection's live stream brings again.
 *
 * Both keep the latest envelope per channel and coalesce key: the state of one topic is never
 * overwritten, nor erased, by an event of another topic whose coalesce key happens to be the same.
 * Both index their keys by channel and their channels by event name, so a read costs what its
 * selection covers — the channels of the names it selects (with topics: those topics' channels;
 * a wildcard: besides, one look at the event names the store holds, as many as the catalogue has
 * at most) and their entries — never the whole store.
 *
 * Who records: a handler in buffer mode records what its feed receives (every instance over pub/sub
 * receives every event, so each records it; a repeat is refused by the store as not newer). A
 * handler in transport mode has no feed: the publishers record, through `recordSnapshots(transport,
 * …)`, before each envelope enters the transport — so whatever a connection's live subscription
 * misses is already in the store when the connection reads it.
 */
import type { EventEnvelope } from "../../wire.js";
import { coalesceKeyOf } from "../../wire.js";
import type { AnyEvent, EventMetaLike } from "../core/binding.js";
import { acceptedNow } from "../core/platform.js";
import { positiveInteger, sseDefaults } from "../core/policies.js";
import { coveredNames, selectionMatcher, type SseSelection } from "./protocol.js";
import { channelName, type Transport } from "../transports/transport.js";

/** One envelope as a snapshot returns it. */
export interface SnapshotItem {
  /** The coalesce key (`coalesceKeyOf`: the event name and the values at its `coalesce` paths, as JSON). */
  readonly key: string;
  /** The event name (not the wire type). */
  readonly name: string;
  /** The envelope's topic: with `name`, its channel. */
  readonly topic: string | undefined;
  /** The envelope as JSON: the `data:` of its snapshot frame. */
  readonly json: string;
}

/** One envelope as it is recorded: the item and what orders it against another of its key. */
export interface SnapshotEntry extends SnapshotItem {
  /** The envelope id. */
  readonly id: string;
  /** The envelope time (RFC 3339, UTC). */
  readonly time: string;
}

/** What a connection reads: its selection — event selectors (a name, `<domain>.*`, `*`) and, optionally, topics — matched as `bus.subscribe` matches. */
export type SnapshotQuery = SseSelection;

export interface SnapshotStore {
  /**
   * Records `entry` as the latest of its key, unless the store keeps a newer one. Resolves once it is
   * stored; rejects (after reporting to the store's `onError`) when it could not be. Awaiting is
   * optional: the returned promise never counts as unhandled.
   */
  record(entry: SnapshotEntry): Promise<void>;
  /**
   * The latest entry of every key the query covers. An array: the state after exactly the entries
   * recorded so far. A promise: includes every entry recorded before the call (or a newer one of its
   * key), and may include entries recorded after it.
   */
  read(query: SnapshotQuery): readonly SnapshotItem[] | Promise<readonly SnapshotItem[]>;
  /** Keys kept, as this process last learned it (the Redis store: from its last write or read). */
  readonly size: number;
  /** Waits for what was recorded to be stored; later records are not stored. Connections the store was given stay open. */
  close(): Promise<void>;
}

/**
 * The order of envelopes of one key in a shared store: the time, normalized to nine fractional
 * digits so the text sorts as the time does, then the id — which breaks ties between envelopes of
 * the same instant (within one bus ids grow with each publish). Compared as bytes; a time that is not
 * RFC 3339 UTC sorts before every one that is. With `notAfter` (epoch milliseconds: the recording
 * clock plus the accepted skew), a time later than it orders as `notAfter`: an envelope stamped far
 * in the future cannot hold its key against newer ones past that instant.
 */
export function snapshotOrder(time: string, id: string, notAfter?: number): string {
  let at = orderedTime(time);
  const ceiling = notAfter === undefined ? undefined : new Date(notAfter);
  // A ceiling past what a Date can hold (a huge clockSkew) bounds nothing.
  if (ceiling !== undefined && !Number.isNaN(ceiling.getTime()) && at !== "") {
    const bound = orderedTime(ceiling.toISOString());
    if (bound !== "" && at > bound) at = bound;
  }
  return `${at} ${id.replace(/\n/g, " ")}`;
}

/** `time` as it sorts: RFC 3339 UTC with nine fractional digits; "" when it is not RFC 3339 UTC. */
function orderedTime(time: string): string {
  const match = RFC3339_UTC.exec(time);
  return match === null ? "" : `${match[1] as string}.${(match[2] ?? "").padEnd(9, "0").slice(0, 9)}`;
}

const RFC3339_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/** What the snapshot needs of the catalogue: each wire type's name and coalesce paths (the generated `binding` has it). */
export interface SnapshotCatalogue {
  meta(type: string): EventMetaLike | undefined;
}

/** The entry of `envelope`, or undefined when its event has no coalesce key (not state). `json` when the caller has it already. */
export function snapshotEntryOf(catalogue: SnapshotCatalogue, envelope: EventEnvelope<AnyEvent>, json?: string): SnapshotEntry | undefined {
  const meta = catalogue.meta(envelope.event.type);
  if (meta === undefined) return undefined;
  const key = coalesceKeyOf(meta.name, meta.coalesce, envelope.event.payload);
  if (key === undefined) return undefined;
  return { key, name: meta.name, topic: envelope.topic, json: json ?? JSON.stringify(envelope), id: envelope.id, time: envelope.time };
}

/** The test a query compiles to, over an entry's name and topic. */
export function snapshotMatcher(query: SnapshotQuery): (name: string, topic: string | undefined) => boolean {
  return selectionMatcher(query);
}

// ---- In memory: one process ----

export interface MemorySnapshotStoreOptions {
  /** Keys kept; past it, the key updated longest ago goes. Default `sseDefaults.snapshotKeys` (10,000). */
  readonly maxKeys?: number;
}

/** One key of the memory store: its item, where it is indexed, and when it was last updated. */
interface MemorySlot {
  readonly item: SnapshotItem;
  readonly channel: string;
  /** Update count at its last update: a read returns its items in update order. */
  readonly updated: number;
}

/**
 * The snapshot of one process: per channel and coalesce key, the entry recorded last wins; `maxKeys`
 * keys, least recently updated evicted first. A read visits the channels its selection covers.
 */
export function createMemorySnapshotStore(options: MemorySnapshotStoreOptions = {}): SnapshotStore {
  const maxKeys = positiveInteger("maxKeys", options.maxKeys, sseDefaults.snapshotKeys);
  /** Every key, `<channel>\n<coalesce key>`, in update order (Map order): the first is the one updated longest ago. */
  const slots = new Map<string, MemorySlot>();
  /** Per channel, its keys by coalesce key. */
  const channels = new Map<string, Map<string, MemorySlot>>();
  /** Per event name, its channels that hold keys. */
  const names = new Map<string, Set<string>>();
  let updates = 0;
  let closed = false;

  const remove = (id: string): void => {
    const slot = slots.get(id);
    if (slot === undefined) return;
    slots.delete(id);
    const keys = channels.get(slot.channel);
    keys?.delete(slot.item.key);
    if (keys === undefined || keys.size > 0) return;
    channels.delete(slot.channel);
    const held = names.get(slot.item.name);
    held?.delete(slot.channel);
    if (held !== undefined && held.size === 0) names.delete(slot.item.name);
  };

  return {
    record(entry) {
      if (closed) return acceptedNow;
      const channel = channelName(entry.name, entry.topic);
      const id = `${channel}\n${entry.key}`;
      // Remove first so the key moves to the end: Map order is update order.
      remove(id);
      const slot: MemorySlot = { item: { key: entry.key, name: entry.name, topic: entry.topic, json: entry.json }, channel, updated: updates++ };
      slots.set(id, slot);
      let keys = channels.get(channel);
      if (keys === undefined) channels.set(channel, (keys = new Map()));
      keys.set(entry.key, slot);
      let held = names.get(entry.name);
      if (held === undefined) names.set(entry.name, (held = new Set()));
      held.add(channel);
      if (slots.size > maxKeys) remove(slots.keys().next().value as string);
      return acceptedNow;
    },
    read(query) {
      const found: MemorySlot[] = [];
      const collect = (channel: string): void => {
        for (const slot of channels.get(channel)?.values() ?? []) found.push(slot);
      };
      const topics = query.topics === undefined ? undefined : new Set(query.topics);
      for (const name of coveredNames(query.events, names.keys())) {
        if (topics === undefined) for (const channel of names.get(name) ?? []) collect(channel);
        else for (const topic of topics) collect(channelName(name, topic));
      }
      found.sort((a, b) => a.updated - b.updated);
      return found.map((slot) => slot.item);
    },
    get size() {
      return slots.size;
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

// ---- Recording at the publisher: for handlers that replay from the transport ----

export interface RecordSnapshotsOptions {
  /** The catalogue (the generated `binding`): which events are state, and their keys. */
  readonly binding: SnapshotCatalogue;
  readonly store: SnapshotStore;
}

const ignore = (): void => {};

/**
 * `transport`, recording each published envelope that has a coalesce key in `store` before handing
 * it to the transport — so a connection that subscribes to its channels, then reads the store, finds
 * every envelope its subscription missed there (or a newer one of its key). A publish waits for its
 * record (records share the store's writes, one in flight at a time); when the store fails, it
 * is reported by the store and the envelope is published all the same. Envelopes of one channel
 * enter the transport in publish order. `close()` waits for publishes still being recorded, then
 * closes the transport (not the store).
 */
export function recordSnapshots(transport: Transport, options: RecordSnapshotsOptions): Transport {
  const { binding, store } = options;
  /** Per channel, the publish entered last while some publish of the channel still waits for its record. */
  const waiting = new Map<string, Promise<void>>();
  let closing: Promise<void> | undefined;
  const recording: Transport = {
    trusted: transport.trusted,
    publish(channel, envelope) {
      const entry = typeof envelope === "object" && envelope !== null ? snapshotEntryOf(binding, envelope as EventEnvelope<AnyEvent>) : undefined;
      const ahead = waiting.get(channel);
      if (entry === undefined && ahead === undefined) return transport.publish(channel, envelope);
      const recorded = entry === undefined ? undefined : store.record(entry).then(ignore, ignore);
      const gate = ahead === undefined ? (recorded as Promise<void>) : recorded === undefined ? ahead : Promise.all([ahead, recorded]).then(ignore);
      let published: Promise<void> | undefined;
      const entered = gate.then(() => {
        try {
          published = transport.publish(channel, envelope);
        } catch (error) {
          published = Promise.reject(error);
        }
      });
      waiting.set(channel, entered);
      void entered.then(() => {
        if (waiting.get(channel) === entered) waiting.delete(channel);
      });
      return entered.then(() => published as Promise<void>);
    },
    subscribe: (filter, listener, subscribeOptions) => transport.subscribe(filter, listener, subscribeOptions),
    onError: (observer) => transport.onError(observer),
    close() {
      closing ??= Promise.all([...waiting.values()]).then(() => transport.close());
      return closing;
    },
  };
  // What the wrapped transport offers beyond the contract's required members stays offered: its
  // positions, and its status (a bus over it reports `down` and `up`, and the SSE server tells clients).
  const onStatus = transport.onStatus?.bind(transport);
  return {
    ...recording,
    ...(transport.positions === undefined ? {} : { positions: transport.positions }),
    ...(onStatus === undefined ? {} : { onStatus }),
  };
}
