/**
 * `types.ts` of the SDK: named types, one payload type and one event type per version, the
 * per-name unions, the `Event` union and the lookup types built on it, each line at its real depth.
 */
import type { Catalogue } from "../../ir/types.js";
import type { TypeScriptNames } from "./names.js";
import { tsString } from "./escape.js";
import { Source } from "./source.js";
import { docText, type TypeWriter } from "./type-expression.js";

function alias(source: Source, declaration: string, type: string, docs: string): void {
  source.blank().docs(docs).line(`export type ${declaration} = ${type};`);
}

/** `{ "a.b": X; … }` over every event, one member per line. */
function nameMap(source: Source, catalogue: Catalogue, declaration: string, value: (index: number) => string, docs: string): void {
  source.blank().docs(docs);
  source.block(`export interface ${declaration} {`, () => {
    catalogue.events.forEach((event, index) => source.line(`${tsString(event.name)}: ${value(index)};`));
  });
}

export function typesFile(catalogue: Catalogue, names: TypeScriptNames, types: TypeWriter): string {
  const source = new Source();
  source.line('import type { EventEnvelope as WireEnvelope } from "./wire.js";');
  for (const type of catalogue.types) types.declaration(source, names.namedType(type.name), type.type, docText(type));

  const eventUnions: string[] = [];
  for (const event of catalogue.events) {
    const versionEvents: string[] = [];
    for (const version of event.versions) {
      const payloadName = names.payload(event, version);
      const description = [event.description, `Payload of \`${version.wireType}\`.`].filter((line) => line !== undefined).join("\n\n");
      types.declaration(source, payloadName, version.payload, description);
      const eventName = names.eventVersion(event, version);
      source.blank();
      if (event.description !== undefined) source.docs(docText(event));
      source.block(`export interface ${eventName} {`, () => {
        source.line(`type: ${tsString(version.wireType)};`);
        source.line(`payload: ${payloadName};`);
      });
      versionEvents.push(eventName);
    }
    alias(source, names.eventUnion(event), versionEvents.join(" | "), `Every version of \`${event.name}\`.`);
    eventUnions.push(names.eventUnion(event));
  }

  alias(source, "Event", eventUnions.join(" | "), "Any event of the catalogue: `type` names event and version, `payload` is that version's payload.");
  // The keys of a declared interface: `Event["type"]` would have the checker read `type` off every version.
  alias(source, "EventType", "keyof EventsByType", "Every wire type, e.g. `session.status.v2`.");
  alias(source, "EventName", catalogue.events.map((event) => tsString(event.name)).join(" | "), "Every event name, e.g. `session.status`.");
  // Lookups by wire type read a declared interface: `Extract<Event, { type: T }>` would make the
  // checker distribute a conditional type over every version of the catalogue at each use.
  source.blank().docs("Each version's event, by wire type.");
  source.block("export interface EventsByType {", () => {
    for (const event of catalogue.events) {
      for (const version of event.versions) source.line(`${tsString(version.wireType)}: ${names.eventVersion(event, version)};`);
    }
  });
  alias(source, "EventOf<T extends EventType>", "EventsByType[T]", "The event with wire type `T`.");
  // Declared too: `EventsByType[T]["payload"]` would have the checker relate every version to `payload`'s key.
  source.blank().docs("Each version's payload, by wire type.");
  source.block("export interface PayloadsByType {", () => {
    for (const event of catalogue.events) {
      for (const version of event.versions) source.line(`${tsString(version.wireType)}: ${names.payload(event, version)};`);
    }
  });
  alias(source, "PayloadOf<T extends EventType>", "PayloadsByType[T]", "The payload of wire type `T`.");
  nameMap(source, catalogue, "EventsByName", (index) => names.eventUnion(catalogue.events[index]!), "Every version of each event, by name.");
  alias(source, "EventOfName<N extends EventName>", "EventsByName[N]", "Any version of the event named `N`.");
  nameMap(source, catalogue, "LatestTypes", (index) => tsString(catalogue.events[index]!.versions.at(-1)!.wireType), "The latest wire type of each event.");
  alias(source, "LatestPayload<N extends EventName>", "PayloadOf<LatestTypes[N]>", "The payload of the latest version of `N`.");
  // Computed where used, not declared per version: a catalogue's type-check pays nothing for them unless a program upgrades.
  alias(source, "LatestEvent", "EventOf<LatestTypes[EventName]>", "Any event at the latest version of its event: what an upgrading reader delivers.");
  alias(source, "NameOfType<T extends string>", "{ [N in EventName]: T extends EventOfName<N>[\"type\"] ? N : never }[EventName]", "The event name of wire type `T`.");
  alias(source, "LatestOf<E extends { type: string }>", "EventOf<LatestTypes[NameOfType<E[\"type\"]>]>", "The latest version's event of the event `E` is a version of.");
  alias(source, "EventEnvelope<E extends Event = Event>", "WireEnvelope<E>", "One event in transit, with its id, time and topic.");
  return source.toString();
}
