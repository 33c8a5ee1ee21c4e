/**
 * How the runtime is bound to one catalogue without importing it.
 *
 * The bus is generic over a `CatalogueShape` — a type-only description of the generated SDK's
 * `EventsByName` and `LatestTypes` — and reads the catalogue at run time through a
 * `CatalogueBinding`: four functions over the SDK's `eventMeta`, `latestTypes`, `parseEnvelope` and
 * `validatePayload`, and a fifth, optional, over its `upgradeEvent` — what `version: "latest"` needs.
 * The generated `runtime/index.ts` writes that binding once and exports a `createBus` fully typed by
 * the catalogue:
 *
 * ```ts
 * export interface Catalogue { events: EventsByName; latest: LatestTypes }
 * export const binding: CatalogueBinding<Catalogue> = {
 *   latestType: (name) => (Object.hasOwn(latestTypes, name) ? latestTypes[name as EventName] : undefined),
 *   meta: (type) => (isEventType(type) ? eventMeta[type] : undefined),
 *   parseEnvelope,
 *   validatePayload,
 *   upgradeEvent: (event) => (isEventType(event.type) ? upgradeEvent(event) : UNKNOWN_TYPE),
 * };
 * export function createBus(options: BusOptions = {}): Bus<Catalogue> {
 *   return createBusFor(binding, options);
 * }
 * ```
 */
import type { EnvelopeParseResult, MigrationResult, ValidationIssue } from "../../wire.js";

/** An event document as every catalogue shapes it: `{ type: "<name>.v<N>", payload }`. */
export interface AnyEvent {
  readonly type: string;
  readonly payload: unknown;
}

/** Type-level description of a catalogue. */
export interface CatalogueShape {
  /** Every version of each event, by event name: the SDK's `EventsByName`. */
  readonly events: object;
  /** The latest wire type of each event, by event name: the SDK's `LatestTypes`. */
  readonly latest: object;
}

/** What the runtime needs to know of one wire type (a subset of the SDK's `EventMeta`). */
export interface EventMetaLike {
  readonly name: string;
  readonly version: number;
  /** Payload path whose value scopes the event's channel (the envelope's `topic`). */
  readonly topic?: readonly string[];
  /**
   * Payload paths whose values identify one state snapshot: the coalescer's key (`[]` = one key per
   * event name; absent = never merged). The SDK's `eventMeta` carries it already.
   */
  readonly coalesce?: readonly (readonly string[])[];
}

/** The catalogue at run time. Every function is total: unknown input gives `undefined` or a result, never a throw. */
export interface CatalogueBinding<C extends CatalogueShape> {
  /** The latest wire type of event `name`; undefined when the catalogue has no such event. */
  latestType(name: string): EventType<C> | undefined;
  /** Name, version, topic and coalesce paths of wire type `type`; undefined when the catalogue has no such type. */
  meta(type: string): EventMetaLike | undefined;
  /** Validates an envelope and its event (the SDK's `parseEnvelope`). */
  parseEnvelope(input: unknown): EnvelopeParseResult<CatalogueEvent<C>>;
  /** Every problem with `payload` as the payload of `type`; empty when valid (the SDK's `validatePayload`). */
  validatePayload(type: EventType<C>, payload: unknown): readonly ValidationIssue[];
  /**
   * Moves an event of the catalogue to the latest version of its event through the declared
   * migrations (the SDK's `upgradeEvent`): the same event when it is there already, a new one
   * otherwise, `{ kind: "unavailable", issues }` when a step on the way declares no migration (or
   * the type is unknown). The event given is never changed. What `version: "latest"` needs: without
   * it, a subscription with the option is refused (`subscribe-invalid`), and a client or coalescer
   * with it throws a `TypeError` as it is made. Optional, so that a binding written by hand before it
   * existed still binds; the generated binding has it (the type stays `CatalogueBinding<C>`, from
   * which the runtime's functions infer `C`).
   */
  upgradeEvent?(event: CatalogueEvent<C>): MigrationResult<LatestEvent<C>>;
}


/** Every event name, e.g. `session.status`. */
export type EventName<C extends CatalogueShape> = keyof C["latest"] & string;

/** Any event of the catalogue: the union of every version of every event. */
export type CatalogueEvent<C extends CatalogueShape> = Extract<C["events"][keyof C["events"]], AnyEvent>;

/** Every wire type, e.g. `session.status.v2`. */
export type EventType<C extends CatalogueShape> = CatalogueEvent<C>["type"];

/** Any version of the event named `N`. */
export type EventOfName<C extends CatalogueShape, N extends string> = N extends keyof C["events"] ? Extract<C["events"][N], AnyEvent> : never;

/** The event with wire type `T`. */
export type EventOfType<C extends CatalogueShape, T extends string> = Extract<CatalogueEvent<C>, { readonly type: T }>;

/** The payload of wire type `T`. */
export type PayloadOfType<C extends CatalogueShape, T extends string> = EventOfType<C, T>["payload"];

/** The latest wire type of event `N`. */
export type LatestTypeOf<C extends CatalogueShape, N extends string> = N extends keyof C["latest"] ? Extract<C["latest"][N], string> : never;

type VersionOfType<N extends string, T> = T extends `${N}.v${infer V extends number}` ? V : never;

/** The version numbers of event `N`, e.g. `1 | 2`. */
export type VersionOf<C extends CatalogueShape, N extends string> = VersionOfType<N, EventOfName<C, N>["type"]>;

/** The latest version of every event: what a consumer with `version: "latest"` receives. */
export type LatestEvent<C extends CatalogueShape> = EventOfType<C, LatestTypeOf<C, EventName<C>>>;

/** Every dotted prefix of a name: `message.part.delta` → `message` | `message.part`. */
type Domains<N extends string> = N extends `${infer Head}.${infer Rest}` ? Head | `${Head}.${Domains<Rest>}` : never;

/** What `subscribe` and `stream` accept: an event name, `<domain>.*` (every event under a dotted prefix), or `*`. */
export type Selector<C extends CatalogueShape> = EventName<C> | `${Domains<EventName<C>>}.*` | "*";

/** The events a selector receives. */
export type EventOfSelector<C extends CatalogueShape, S extends string> = S extends "*"
  ? CatalogueEvent<C>
  : S extends `${infer Domain}.*`
    ? EventOfName<C, Extract<EventName<C>, `${Domain}.${string}`>>
    : EventOfName<C, S>;

/** The names of the events a selector receives. */
type NameOfSelector<C extends CatalogueShape, S extends string> = S extends "*" ? EventName<C> : S extends `${infer Domain}.*` ? Extract<EventName<C>, `${Domain}.${string}`> : S;

/**
 * The events a selector receives with `version: "latest"`: each selected event at its own latest
 * version (for `<domain>.*` and `*`, the union of the latest versions of every event selected).
 */
export type LatestOfSelector<C extends CatalogueShape, S extends string> = EventOfType<C, LatestTypeOf<C, NameOfSelector<C, S>>>;

/**
 * Whether any version of an event has a topic path — so it has a channel per topic, and "every
 * topic" is a prefix — read from the catalogue once per name.
 */
export function scopedEvents<C extends CatalogueShape>(binding: CatalogueBinding<C>): (name: string) => boolean {
  const cache = new Map<string, boolean>();
  return (name) => {
    let scoped = cache.get(name);
    if (scoped === undefined) {
      const latest = binding.latestType(name);
      const versions = latest === undefined ? 0 : (binding.meta(latest)?.version ?? 0);
      scoped = false;
      for (let version = 1; version <= versions && !scoped; version += 1) scoped = binding.meta(`${name}.v${version}`)?.topic !== undefined;
      cache.set(name, scoped);
    }
    return scoped;
  };
}
