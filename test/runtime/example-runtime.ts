/**
 * The runtime bound to the example SDK in generated/ts, written by hand: this is the `runtime.ts`
 * the SDK generator is to emit (with `../wire.js`-relative imports inside the SDK folder).
 */
import { eventMeta, isEventType, latestTypes, parseEnvelope, upgradeEvent, validatePayload, type EventName, type EventsByName, type LatestTypes } from "../../generated/ts/index.js";
import type { CatalogueBinding } from "../../templates/ts/runtime/core/binding.js";
import { createBusFor, type Bus, type BusOptions } from "../../templates/ts/runtime/bus/bus.js";

/** The catalogue's types, as the runtime's generics read them. */
export interface Catalogue {
  events: EventsByName;
  latest: LatestTypes;
}

export const binding: CatalogueBinding<Catalogue> = {
  latestType: (name) => (Object.hasOwn(latestTypes, name) ? latestTypes[name as EventName] : undefined),
  meta: (type) => (isEventType(type) ? eventMeta[type] : undefined),
  parseEnvelope,
  validatePayload,
  upgradeEvent: (event) => (isEventType(event.type) ? upgradeEvent(event) : { kind: "unavailable", issues: [{ path: "/type", message: "unknown type" }] }),
};

/** A bus typed by the catalogue. */
export function createBus(options: BusOptions = {}): Bus<Catalogue> {
  return createBusFor(binding, options);
}
