/**
 * The coalescing client: between a fast source of envelopes (a bus subscription, the SSE client) and
 * a consumer that should see at most one batch per frame (a UI). It takes envelopes
 * `{ id, time, topic?, event }` — what subscribers and the SSE client receive — and hands the same
 * envelope objects to `onFlush` in batches.
 *
 * Keys. An envelope's coalesce key comes from the `coalesce` paths of its wire type in the catalogue:
 * the event name and the value at each path, compared as JSON values — two envelopes share a key
 * exactly when the SDK's `coalesceKey(event)` gives both the same text (so versions of one event
 * share keys; an absent value counts as `null`). `coalesce: []` is one key per event name. A wire
 * type without `coalesce`, or one the catalogue does not know, has no key: never merged.
 *
 * With `version: "latest"`, each envelope is upgraded to the latest version of its event as it is
 * pushed (core/upgrade.ts: a new envelope, id, time and topic kept; the same object when it is
 * there already), and keyed, queued and flushed as that: a v1 and a v2 of one key merge, and the
 * batch holds latest versions only. One a step of which declares no migration is reported to
 * `onError` (`upgrade-unavailable`) and not queued (nor counted in `received`).
 *
 * Ordering, exactly:
 * 1. The queue is a list of slots in arrival order. An envelope without a key always takes a new slot
 *    at the end. An envelope with a key takes a new slot at the end unless an envelope of that key
 *    is queued: then it replaces that envelope in its slot, and the slot keeps its position.
 * 2. So a batch lists, in order of arrival, every un-keyed envelope and the first arrival of every
 *    key — each key's slot holding the newest envelope of that key. Un-keyed envelopes are never
 *    dropped, merged or reordered among themselves. A replacement may land ahead of envelopes that
 *    arrived between it and the one it replaced: `A1, X, A2` (A1 and A2 of one key) flushes as
 *    `[A2, X]`. Apply keyed envelopes as state (the newest wins), not as steps.
 * 3. A flush hands the whole queue to `onFlush` and starts an empty one: keys never reach back into a
 *    batch already handed over, so batches in order are the envelopes in order, less the replaced
 *    ones. `received = replaced + delivered + size` at every moment (see `stats()`).
 *
 * Timing:
 * - Frame flushes: the first envelope into an empty queue starts a timer for the frame's end; two
 *   frame flushes are at least `frameMs` apart (default 16), so an envelope waits at most one frame,
 *   and one arriving after a quiet frame is flushed on the next turn of the event loop.
 * - Immediate: an envelope for which `immediate(envelope)` is true is queued as above, and the whole
 *   queue is flushed in a microtask — after the current synchronous code, before any timer or render.
 *   Immediate envelopes pushed in one synchronous run share that flush.
 * - Bounded memory: when the queue reaches `maxQueued` slots (default 10,000) it is flushed at once,
 *   inside the `push` that filled it (an early flush, counted in `stats().earlyFlushes`). Nothing is
 *   ever dropped; the frame bound gives way to the memory bound, which only a source faster than
 *   `maxQueued` new slots per frame reaches. Memory: at most `maxQueued` envelopes queued, plus the
 *   batches the consumer still holds.
 * - `flush()` flushes now; `close()` flushes what is queued, then releases the timer. Every flush
 *   restarts the frame: the next frame flush is at least `frameMs` after it.
 * - Double buffer: a batch handed to `onFlush` is never touched again; envelopes pushed from inside
 *   `onFlush` go to the next batch.
 * - Floods: `push` calls `onFlush` only when the queue is full; frame flushes run from a timer, so
 *   the producer's loop is never slowed by the consumer's rendering. A source that never yields to
 *   the event loop (an async iterator fed from a buffer resolves on microtasks only) starves every
 *   timer, the frame's included: feed it through `consume(source)`, which yields to the event loop
 *   whenever a frame flush is due.
 *
 * The frame is measured with `Date.now()` and checked again when the timer fires: a host timer can
 * fire early against the clock (Node measures from the start of its loop turn); a clock set back
 * delays a flush by at most one frame. Timers go through `core/platform.ts` (no DOM or Node types): it runs
 * in browsers, Node, Deno and Bun.
 */
import type { EventEnvelope } from "../wire.js";
import type { AnyEvent, CatalogueBinding, CatalogueEvent, CatalogueShape, LatestEvent } from "./core/binding.js";
import { BusError, messageOf } from "./core/errors.js";
import { upgradeEnvelope, upgraderOf } from "./core/upgrade.js";
import { logError, startTimer } from "./core/platform.js";
import { positiveInteger, runtimeDefaults } from "./core/policies.js";

export interface CoalescerOptions<E extends EventEnvelope<AnyEvent>> {
  /** Receives each batch. The array is the coalescer's no more: keep it, it is never mutated. */
  readonly onFlush: (batch: readonly E[]) => unknown;
  /** Milliseconds of one frame; two frame flushes are at least this far apart. Default `runtimeDefaults.coalesceFrame` (16). */
  readonly frameMs?: number;
  /** Slots one batch may hold; a queue that reaches it is flushed at once. Default `runtimeDefaults.coalesceMaxQueued` (10,000). */
  readonly maxQueued?: number;
  /** Envelopes that must not wait for the frame (errors, say): the queue is flushed in a microtask. */
  readonly immediate?: (envelope: E) => boolean;
  /**
   * `"latest"`: upgrade each envelope pushed to the latest version of its event before it is keyed
   * (see the top of coalescer.ts). Needs a binding with `upgradeEvent` (the generated one has it).
   * Default: envelopes are queued as they are pushed.
   */
  readonly version?: "latest" | undefined;
  /**
   * Receives a `BusError`: `subscriber-failed` when `onFlush` throws or rejects, `upgrade-unavailable`
   * for an envelope `version: "latest"` could not upgrade. Default: the console.
   */
  readonly onError?: (error: BusError) => void;
}

/** Counters since creation. At every moment `received = replaced + delivered + size`. */
export interface CoalescerStats {
  /** Envelopes pushed (before `close()`). */
  readonly received: number;
  /** Envelopes replaced in their slot by a newer one of the same key. */
  readonly replaced: number;
  /** Envelopes handed to `onFlush`. */
  readonly delivered: number;
  /** Calls of `onFlush`, for whatever reason. */
  readonly flushes: number;
  /** Of those, flushes of a queue that reached `maxQueued`. */
  readonly earlyFlushes: number;
  /** Of those, microtask flushes for an `immediate` envelope. */
  readonly immediateFlushes: number;
}

export interface Coalescer<E extends EventEnvelope<AnyEvent>> {
  /** Queues an envelope (see the ordering rules at the top of coalescer.ts). Ignored after `close()`. */
  push(envelope: E): void;
  /**
   * Pushes every envelope of `source` (sync or async), yielding to the event loop whenever a frame
   * flush is due, so frames flush during a source that never waits. Resolves when the source ends,
   * or after `close()` (the source's iterator is returned).
   */
  consume(source: Iterable<E> | AsyncIterable<E>): Promise<void>;
  /** Flushes the queue now, if it holds anything. */
  flush(): void;
  /** Flushes what is queued, cancels the timer and ignores later pushes. Idempotent. */
  close(): void;
  /** Slots queued now. */
  readonly size: number;
  stats(): CoalescerStats;
}

/**
 * Where each key of one event name has its slot in the current queue; every version of the name
 * shares it. A key of n paths is a path through n nested maps, one per value; keys with different
 * numbers of paths can never be equal, so each number has its own table.
 */
interface KeySlots {
  /** `coalesce: []`: the slot of the name's one key, or -1. */
  whole: number;
  /** By number of paths: value → … → slot. */
  readonly tables: Map<number, Table>;
  /** Holds a slot of the current queue (it is in `touched`). */
  used: boolean;
}

/** One level of a key table: a canonical value → the next level, or the slot at the last. */
type Table = Map<unknown, unknown>;

/** How the key of one wire type is read, compiled once from its `coalesce` paths. */
interface KeyPlan {
  readonly slots: KeySlots;
  readonly paths: readonly (readonly string[])[];
  /** `slots.tables` for this number of paths (unused for `[]`). */
  readonly table: Table;
}

/** How many envelopes `consume` pushes between two looks at the clock. */
const CONSUME_CHECK = 256;

const resolved: Promise<void> = Promise.resolve();

/** The value at `path`, as the SDK's `coalesceKeyOf` reads it: through plain objects only; absent is `null`. */
function valueAt(payload: unknown, path: readonly string[]): unknown {
  let value = payload;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[segment];
  }
  return value === undefined ? null : value;
}

/**
 * Creates a coalescer bound to a catalogue, taking envelopes of any version and flushing them at the
 * latest version of their event (`version: "latest"`; `binding.upgradeEvent` is read too, and a
 * binding without it is refused with a `TypeError`).
 */
export function createCoalescerFor<C extends CatalogueShape>(
  binding: CatalogueBinding<C>,
  options: CoalescerOptions<EventEnvelope<LatestEvent<C>>> & { readonly version: "latest" },
): Coalescer<EventEnvelope<CatalogueEvent<C>>>;
/**
 * Creates a coalescer bound to a catalogue: the generated `binding` (only its `meta` is read, for
 * each wire type's `coalesce` paths). Its envelopes are the catalogue's, or name a narrower `E`
 * (the envelopes of one subscription, say).
 */
export function createCoalescerFor<C extends CatalogueShape, E extends EventEnvelope<AnyEvent> = EventEnvelope<CatalogueEvent<C>>>(
  binding: CatalogueBinding<C>,
  options: CoalescerOptions<E> & { readonly version?: undefined },
): Coalescer<E>;
export function createCoalescerFor<C extends CatalogueShape, E extends EventEnvelope<AnyEvent>>(binding: CatalogueBinding<C>, options: CoalescerOptions<E>): Coalescer<E> {
  const onFlush = options.onFlush;
  const frameMs = positiveInteger("frameMs", options.frameMs, runtimeDefaults.coalesceFrame);
  const maxQueued = positiveInteger("maxQueued", options.maxQueued, runtimeDefaults.coalesceMaxQueued);
  const immediate = options.immediate;
  const onError = options.onError ?? logError;
  const upgrader = options.version === "latest" ? upgraderOf<AnyEvent>(binding) : undefined;

  /** Known wire types → how to read their key (null: never merged). Unknown types are not cached. */
  const plans = new Map<string, KeyPlan | null>();
  const slotsByName = new Map<string, KeySlots>();
  /** The key tables holding slots of the current queue: cleared at each flush. */
  let touched: KeySlots[] = [];
  let queue: E[] = [];
  let cancelTimer: (() => void) | undefined;
  let immediatePending = false;
  /** Date.now() of the last flush. */
  let lastFlush = Number.NEGATIVE_INFINITY;
  let closed = false;
  let received = 0;
  let replaced = 0;
  let delivered = 0;
  let flushes = 0;
  let earlyFlushes = 0;
  let immediateFlushes = 0;

  /** Object and array values of the current queue's keys: JSON text → one token object per text. */
  const objectTokens = new Map<string, object>();

  const planOf = (type: string): KeyPlan | null => {
    const meta = binding.meta(type);
    if (meta === undefined) return null;
    let plan: KeyPlan | null = null;
    const paths = meta.coalesce;
    if (paths !== undefined) {
      let slots = slotsByName.get(meta.name);
      if (slots === undefined) {
        slots = { whole: -1, tables: new Map(), used: false };
        slotsByName.set(meta.name, slots);
      }
      let table = slots.tables.get(paths.length);
      if (table === undefined) {
        table = new Map();
        slots.tables.set(paths.length, table);
      }
      plan = { slots, paths, table };
    }
    plans.set(type, plan);
    return plan;
  };

  /**
   * A value as a map key that is equal for two values exactly when their JSON texts are: strings,
   * booleans and finite numbers as themselves (a Map equates -0 with 0, as JSON does); what JSON
   * writes as `null` as null; an object or array as a token object shared by every value of the
   * same JSON text (a `toJSON` giving a primitive: that primitive).
   */
  const canonical = (value: unknown): unknown => {
    switch (typeof value) {
      case "string":
      case "boolean":
      case "bigint":
        return value;
      case "number":
        return Number.isFinite(value) ? value : null;
      case "object": {
        if (value === null) return null;
        const text = JSON.stringify(value);
        if (text === undefined) return null;
        const first = text.charCodeAt(0);
        // 123 `{`, 91 `[`
        if (first !== 123 && first !== 91) return JSON.parse(text) as unknown;
        let token = objectTokens.get(text);
        if (token === undefined) {
          token = {};
          objectTokens.set(text, token);
        }
        return token;
      }
      default:
        // undefined, a function, a symbol
        return null;
    }
  };

  /** The queued slot of the key of `payload` under `plan`, or -1 after reserving `next` for it. */
  const claimSlot = (plan: KeyPlan, payload: unknown, next: number): number => {
    const paths = plan.paths;
    const last = paths.length - 1;
    if (last < 0) {
      const slot = plan.slots.whole;
      if (slot < 0) plan.slots.whole = next;
      return slot;
    }
    let level = plan.table;
    for (let index = 0; index < last; index += 1) {
      const key = canonical(valueAt(payload, paths[index] as readonly string[]));
      let inner = level.get(key) as Table | undefined;
      if (inner === undefined) {
        inner = new Map();
        level.set(key, inner);
      }
      level = inner;
    }
    const key = canonical(valueAt(payload, paths[last] as readonly string[]));
    const slot = level.get(key) as number | undefined;
    if (slot !== undefined) return slot;
    level.set(key, next);
    return -1;
  };

  const tell = (error: BusError): void => {
    try {
      onError(error);
    } catch {
      // An onError that throws must not stop the coalescer.
    }
  };
  const report = (error: unknown): void => tell(new BusError("subscriber-failed", `The coalescer's onFlush failed: ${messageOf(error)}`, { cause: error }));

  /** Hands the queue to `onFlush` and starts an empty one (the batch is never touched again). */
  const deliver = (): void => {
    const batch = queue;
    queue = [];
    for (const slots of touched) {
      slots.whole = -1;
      for (const table of slots.tables.values()) table.clear();
      slots.used = false;
    }
    touched = [];
    if (objectTokens.size > 0) objectTokens.clear();
    if (cancelTimer !== undefined) {
      cancelTimer();
      cancelTimer = undefined;
    }
    lastFlush = Date.now();
    flushes += 1;
    delivered += batch.length;
    try {
      const result = onFlush(batch);
      if (typeof result === "object" && result !== null && typeof (result as PromiseLike<unknown>).then === "function") {
        (result as PromiseLike<unknown>).then(undefined, report);
      }
    } catch (error) {
      report(error);
    }
  };

  /** Milliseconds until a frame flush may happen: 0 when it may now (or the clock went back). */
  const untilFrame = (): number => {
    const wait = lastFlush + frameMs - Date.now();
    return wait > 0 && wait <= frameMs ? wait : 0;
  };

  const onFrame = (): void => {
    cancelTimer = undefined;
    if (queue.length === 0) return;
    // A host timer can fire early against the clock (Node measures from the start of its loop turn).
    const wait = untilFrame();
    if (wait > 0) cancelTimer = startTimer(wait, onFrame);
    else deliver();
  };

  const onImmediate = (): void => {
    immediatePending = false;
    if (queue.length > 0) {
      immediateFlushes += 1;
      deliver();
    }
  };

  const push = (given: E): void => {
    if (closed) return;
    const envelope = upgrader === undefined ? given : (upgradeEnvelope(upgrader, given, tell) as E | undefined);
    if (envelope === undefined) return;
    received += 1;
    const event = envelope.event;
    let plan = plans.get(event.type);
    if (plan === undefined) plan = planOf(event.type);
    const next = queue.length;
    const slot = plan === null ? -1 : claimSlot(plan, event.payload, next);
    if (slot >= 0) {
      queue[slot] = envelope;
      replaced += 1;
    } else {
      if (plan !== null && !plan.slots.used) {
        plan.slots.used = true;
        touched.push(plan.slots);
      }
      queue.push(envelope);
      if (cancelTimer === undefined) cancelTimer = startTimer(untilFrame(), onFrame);
    }
    if (immediate !== undefined && immediate(envelope) && !immediatePending) {
      immediatePending = true;
      void resolved.then(onImmediate);
    }
    if (queue.length >= maxQueued) {
      earlyFlushes += 1;
      deliver();
    }
  };

  /** Whether a frame flush is waiting for the event loop: its timer is set and its time has come. */
  const frameDue = (): boolean => cancelTimer !== undefined && Date.now() - lastFlush >= frameMs;

  const nextTurn = (): Promise<void> =>
    new Promise<void>((resolve) => {
      startTimer(0, resolve);
    });

  const consume = async (source: Iterable<E> | AsyncIterable<E>): Promise<void> => {
    let count = 0;
    if (Symbol.asyncIterator in source) {
      for await (const envelope of source) {
        if (closed) return;
        push(envelope);
        if (++count === CONSUME_CHECK) {
          count = 0;
          if (frameDue()) await nextTurn();
        }
      }
      return;
    }
    for (const envelope of source) {
      if (closed) return;
      push(envelope);
      if (++count === CONSUME_CHECK) {
        count = 0;
        if (frameDue()) await nextTurn();
      }
    }
  };

  return {
    push,
    consume,
    flush(): void {
      if (!closed && queue.length > 0) deliver();
    },
    close(): void {
      if (closed) return;
      closed = true;
      if (queue.length > 0) deliver();
      if (cancelTimer !== undefined) {
        cancelTimer();
        cancelTimer = undefined;
      }
      plans.clear();
      slotsByName.clear();
    },
    get size(): number {
      return queue.length;
    },
    stats(): CoalescerStats {
      return { received, replaced, delivered, flushes, earlyFlushes, immediateFlushes };
    },
  };
}
