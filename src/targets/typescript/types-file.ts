/**
 * `types.ts` of the SDK: named types, one payload type and one event type per version, the
 * per-name unions, the `Event` union and the lookup types built on it. Written with ts-morph's
 * code writer (code-block-writer), each line at its real depth.
 */
import CodeBlockWriter from "code-block-writer";
import type { Catalogue } from "../../ir/types.js";
import type { TypeScriptNames } from "./names.js";
import { tsString } from "./escape.js";
import { docText, writeJsDoc, type TypeWriter } from "./type-expression.js";

export function newWriter(): CodeBlockWriter {
  return new CodeBlockWriter({ indentNumberOfSpaces: 2, useTabs: false, newLine: "\n", useSingleQuote: false });
}

function alias(writer: CodeBlockWriter, declaration: string, type: string, docs: string): void {
  writer.blankLineIfLastNot();
  writeJsDoc(writer, docs);
  writer.writeLine(`export type ${declaration} = ${type};`);
}

/** `{ "a.b": X; … }` over every event, one member per line. */
function nameMap(writer: CodeBlockWriter, catalogue: Catalogue, declaration: string, value: (index: number) => string, docs: string): void {
  writer.blankLineIfLastNot();
  writeJsDoc(writer, docs);
  writer.write(`export interface ${declaration} `).block(() => {
    catalogue.events.forEach((event, index) => writer.writeLine(`${tsString(event.name)}: ${value(index)};`));
  });
}

export function typesFile(catalogue: Catalogue, names: TypeScriptNames, types: TypeWriter): string {
  const writer = newWriter();
  writer.writeLine('import type { EventEnvelope as WireEnvelope } from "./wire.js";');
  for (const type of catalogue.types) types.writeDeclaration(writer, names.namedType(type.name), type.type, docText(type));

  const eventUnions: string[] = [];
  for (const event of catalogue.events) {
    const versionEvents: string[] = [];
    for (const version of event.versions) {
      const payloadName = names.payload(event, version);
      const description = [event.description, `Payload of \`${version.wireType}\`.`].filter((line) => line !== undefined).join("\n\n");
      types.writeDeclaration(writer, payloadName, version.payload, description);
      const eventName = names.eventVersion(event, version);
      writer.blankLineIfLastNot();
      if (event.description !== undefined) writeJsDoc(writer, docText(event));
      writer.write(`export interface ${eventName} `).block(() => {
        writer.writeLine(`type: ${tsString(version.wireType)};`);
        writer.writeLine(`payload: ${payloadName};`);
      });
      versionEvents.push(eventName);
    }
    alias(writer, names.eventUnion(event), versionEvents.join(" | "), `Every version of \`${event.name}\`.`);
    eventUnions.push(names.eventUnion(event));
  }

  alias(writer, "Event", eventUnions.join(" | "), "Any event of the catalogue: `type` names event and version, `payload` is that version's payload.");
  alias(writer, "EventType", 'Event["type"]', "Every wire type, e.g. `session.status.v2`.");
  alias(writer, "EventName", catalogue.events.map((event) => tsString(event.name)).join(" | "), "Every event name, e.g. `session.status`.");
  alias(writer, "EventOf<T extends EventType>", "Extract<Event, { type: T }>", "The event with wire type `T`.");
  alias(writer, "PayloadOf<T extends EventType>", 'EventOf<T>["payload"]', "The payload of wire type `T`.");
  nameMap(writer, catalogue, "EventsByName", (index) => names.eventUnion(catalogue.events[index]!), "Every version of each event, by name.");
  alias(writer, "EventOfName<N extends EventName>", "EventsByName[N]", "Any version of the event named `N`.");
  nameMap(writer, catalogue, "LatestTypes", (index) => tsString(catalogue.events[index]!.versions.at(-1)!.wireType), "The latest wire type of each event.");
  alias(writer, "LatestPayload<N extends EventName>", "PayloadOf<LatestTypes[N]>", "The payload of the latest version of `N`.");
  alias(writer, "EventEnvelope<E extends Event = Event>", "WireEnvelope<E>", "One event in transit, with its id, time and topic.");
  return writer.toString();
}
