/**
 * `isEvent(...names)`: a type guard on envelopes for `filter`, true for an envelope whose event is of
 * one of the given wire types (`"session.status.v2"`) or event names (`"session.status"`: every
 * version of it). `filter(isEvent("session.status.v2"))` narrows the stream's envelopes to that event:
 * the type is taken from the envelopes the stream carries, so a bus stream's catalogue types flow
 * through. A name none of the stream's events has narrows to nothing (`EventEnvelope<never>`).
 */
import type { EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";

/** The events of `E` whose wire type is `K`, or whose name is `K` (every version). */
export type EventOf<E, K extends string> = Extract<E, { readonly type: K } | { readonly type: `${K}.v${number}` }>;

/** A guard on envelopes, generic over the events they carry (see `isEvent`). */
export type EnvelopeGuard<K extends string> = <E extends AnyEvent>(envelope: EventEnvelope<E>) => envelope is EventEnvelope<EventOf<E, K>>;

export function isEvent<K extends string>(...names: readonly K[]): EnvelopeGuard<K> {
  const wanted = new Set<string>(names);
  return <E extends AnyEvent>(envelope: EventEnvelope<E>): envelope is EventEnvelope<EventOf<E, K>> => {
    const type = envelope.event.type;
    if (wanted.has(type)) return true;
    const version = type.lastIndexOf(".v");
    return version > 0 && wanted.has(type.slice(0, version)) && /^[1-9]\d*$/.test(type.slice(version + 2));
  };
}
