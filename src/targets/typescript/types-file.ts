/**
 * `types.ts` of the SDK: named types, one payload type and one event type per version, the
 * per-name unions, the `Event` union and the lookup types built on it.
 */
import { StructureKind, type InterfaceDeclarationStructure, type StatementStructures, type TypeAliasDeclarationStructure } from "ts-morph";
import type { Catalogue, TypeNode } from "../../ir/types.js";
import type { TypeScriptNames } from "./names.js";
import { docText, type TypeWriter } from "./type-expression.js";
import { propertyKey } from "./names.js";

function docs(text: string): { docs?: string[] } {
  return text === "" ? {} : { docs: [text] };
}

/** An interface for object nodes (better editor hovers), a type alias for anything else. */
function declaration(name: string, node: TypeNode, description: string, types: TypeWriter): StatementStructures {
  if (node.kind === "object" && node.fields.length > 0) {
    const open = node.additional !== "ignore" && node.additional !== "reject";
    const structure: InterfaceDeclarationStructure = {
      kind: StructureKind.Interface,
      name,
      isExported: true,
      ...docs(description),
      properties: node.fields.map((field) => ({
        name: propertyKey(field.name),
        hasQuestionToken: field.optional,
        type: types.of(field.type),
        ...docs(docText(field)),
      })),
      indexSignatures: open ? [{ keyName: "key", keyType: "string", returnType: "unknown" }] : [],
    };
    return structure;
  }
  const alias: TypeAliasDeclarationStructure = { kind: StructureKind.TypeAlias, name, isExported: true, type: types.of(node), ...docs(description) };
  return alias;
}

/** `alias("EventOf<T extends EventType>", …)`: a type parameter may be written into the name. */
function alias(nameWithParameters: string, type: string, description = ""): TypeAliasDeclarationStructure {
  const [, name, parameter] = /^(\w+)(?:<(.*)>)?$/.exec(nameWithParameters)!;
  const typeParameters = parameter === undefined ? [] : [typeParameter(parameter)];
  return { kind: StructureKind.TypeAlias, name: name!, isExported: true, type, typeParameters, ...docs(description) };
}

function typeParameter(text: string): { name: string; constraint?: string; default?: string } {
  const [, name, constraint, fallback] = /^(\w+)(?: extends ([^=]+?))?(?: = (.+))?$/.exec(text)!;
  return { name: name!, ...(constraint === undefined ? {} : { constraint }), ...(fallback === undefined ? {} : { default: fallback }) };
}

export function typesFile(catalogue: Catalogue, names: TypeScriptNames, types: TypeWriter): StatementStructures[] {
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./wire.js",
      namedImports: [{ name: "EventEnvelope", alias: "WireEnvelope" }],
    },
  ];
  for (const type of catalogue.types) {
    statements.push(declaration(names.namedType(type.name), type.type, docText(type), types));
  }
  const eventMembers: string[] = [];
  for (const event of catalogue.events) {
    const versionEvents: string[] = [];
    for (const version of event.versions) {
      const payloadName = names.payload(event, version);
      const description = [event.description, `Payload of \`${version.wireType}\`.`].filter((line) => line !== undefined).join("\n\n");
      statements.push(declaration(payloadName, version.payload, description, types));
      const eventName = names.eventVersion(event, version);
      statements.push({
        kind: StructureKind.Interface,
        name: eventName,
        isExported: true,
        ...docs(event.description ?? ""),
        properties: [
          { name: "type", type: JSON.stringify(version.wireType) },
          { name: "payload", type: payloadName },
        ],
      });
      versionEvents.push(eventName);
    }
    statements.push(alias(names.eventUnion(event), versionEvents.join(" | "), `Every version of \`${event.name}\`.`));
    eventMembers.push(names.eventUnion(event));
  }
  const nameMap = (value: (index: number) => string): string =>
    `{\n${catalogue.events.map((event, index) => `  ${JSON.stringify(event.name)}: ${value(index)};`).join("\n")}\n}`;
  statements.push(
    alias("Event", eventMembers.join(" | "), "Any event of the catalogue: `type` names event and version, `payload` is that version's payload."),
    alias("EventType", 'Event["type"]', "Every wire type, e.g. `session.status.v2`."),
    alias("EventName", catalogue.events.map((event) => JSON.stringify(event.name)).join(" | "), "Every event name, e.g. `session.status`."),
    alias("EventOf<T extends EventType>", "Extract<Event, { type: T }>", "The event with wire type `T`."),
    alias("PayloadOf<T extends EventType>", 'EventOf<T>["payload"]', "The payload of wire type `T`."),
    alias("EventsByName", nameMap((index) => names.eventUnion(catalogue.events[index]!)), "Every version of each event, by name."),
    alias("EventOfName<N extends EventName>", "EventsByName[N]", "Any version of the event named `N`."),
    alias("LatestTypes", nameMap((index) => JSON.stringify(catalogue.events[index]!.versions.at(-1)!.wireType)), "The latest wire type of each event."),
    alias("LatestPayload<N extends EventName>", "PayloadOf<LatestTypes[N]>", "The payload of the latest version of `N`."),
    alias("EventEnvelope<E extends Event = Event>", "WireEnvelope<E>", "One event in transit, with its id, time and topic."),
  );
  return statements;
}
