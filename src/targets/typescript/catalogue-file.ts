/**
 * `catalogue.ts` of the SDK: the metadata table, the shapes validators interpret, and the parse
 * functions and type guards bound to this catalogue's types.
 */
import { StructureKind, VariableDeclarationKind, type StatementStructures } from "ts-morph";
import type { Catalogue, EventDef, TypeNode } from "../../ir/types.js";
import type { TypeScriptNames } from "./names.js";

/** A node without documentation: what the validator needs and nothing else. */
function shapeOf(node: TypeNode): unknown {
  switch (node.kind) {
    case "array":
      return { ...strip(node), items: shapeOf(node.items) };
    case "tuple":
      return { ...strip(node), items: node.items.map(shapeOf), ...(node.rest ? { rest: shapeOf(node.rest) } : {}) };
    case "record":
      return { kind: "record", keys: shapeOf(node.keys), values: shapeOf(node.values) };
    case "object":
      return {
        kind: "object",
        fields: node.fields.map((field) => ({ name: field.name, type: shapeOf(field.type), optional: field.optional })),
        additional: typeof node.additional === "object" ? shapeOf(node.additional) : node.additional,
      };
    case "union":
      return { ...strip(node), members: node.members.map(shapeOf) };
    case "nullable":
      return { kind: "nullable", inner: shapeOf(node.inner) };
    default:
      return strip(node);
  }
}

function strip<T extends TypeNode>(node: T): Omit<T, "description" | "deprecated"> {
  const { description: _description, deprecated: _deprecated, ...rest } = node;
  return rest;
}

function constant(name: string, type: string, initializer: string, docs?: string): StatementStructures {
  return {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name, type, initializer }],
    ...(docs === undefined ? {} : { docs: [docs] }),
  };
}

function fn(name: string, signature: { parameters: [string, string][]; returnType: string; typeParameters?: string[] }, body: string, docs: string): StatementStructures {
  return {
    kind: StructureKind.Function,
    isExported: true,
    name,
    typeParameters: (signature.typeParameters ?? []).map((text) => {
      const [parameter, constraint] = text.split(" extends ");
      return constraint === undefined ? { name: parameter! } : { name: parameter!, constraint };
    }),
    parameters: signature.parameters.map(([parameter, type]) => ({ name: parameter, type })),
    returnType: signature.returnType,
    statements: [body],
    docs: [docs],
  };
}

function metaEntry(event: EventDef, index: number): string {
  const version = event.versions[index]!;
  const parts = [
    `name: ${JSON.stringify(event.name)}`,
    `version: ${version.version}`,
    `type: ${JSON.stringify(version.wireType)}`,
    `latest: ${index === event.versions.length - 1}`,
  ];
  if (event.coalesce !== undefined) parts.push(`coalesce: ${JSON.stringify(event.coalesce)}`);
  if (event.topic !== undefined) parts.push(`topic: ${JSON.stringify(event.topic)}`);
  return `${JSON.stringify(version.wireType)}: { ${parts.join(", ")} }`;
}

export function catalogueFile(catalogue: Catalogue, names: TypeScriptNames): StatementStructures[] {
  const versions = catalogue.events.flatMap((event) => event.versions.map((version) => ({ event, version })));
  const typeImports = ["Event", "EventName", "EventOf", "EventOfName", "EventType", "LatestTypes", "PayloadOf"];
  for (const event of catalogue.events) {
    typeImports.push(names.eventUnion(event), ...event.versions.map((version) => names.eventVersion(event, version)));
  }
  const statements: StatementStructures[] = [
    { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: "./types.js", namedImports: typeImports.sort() },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "./wire.js",
      namedImports: [
        "check",
        "parseEnvelopeWith",
        "parseEventWith",
        { name: "EnvelopeParseResult", isTypeOnly: true },
        { name: "EventParseResult", isTypeOnly: true },
        { name: "ValidationIssue", isTypeOnly: true },
        { name: "WireShape", isTypeOnly: true },
        { name: "WireShapes", isTypeOnly: true },
      ],
    },
    {
      kind: StructureKind.Interface,
      name: "EventMeta",
      isExported: true,
      docs: ["What the runtime knows of one event version."],
      properties: [
        { name: "name", isReadonly: true, type: "EventName" },
        { name: "version", isReadonly: true, type: "number" },
        { name: "type", isReadonly: true, type: "T" },
        { name: "latest", isReadonly: true, type: "boolean", docs: ["The highest version of its event."] },
        { name: "coalesce", isReadonly: true, hasQuestionToken: true, type: "readonly (readonly string[])[]", docs: ["Payload paths whose values identify one state snapshot."] },
        { name: "topic", isReadonly: true, hasQuestionToken: true, type: "readonly string[]", docs: ["Payload path that scopes the channel."] },
      ],
      typeParameters: [{ name: "T", constraint: "EventType", default: "EventType" }],
    },
    constant(
      "eventMeta",
      "{ readonly [T in EventType]: EventMeta<T> }",
      `{\n${catalogue.events.flatMap((event) => event.versions.map((_, index) => `  ${metaEntry(event, index)},`)).join("\n")}\n}`,
      "Every event version of the catalogue, by wire type.",
    ),
    constant("eventTypes", "readonly EventType[]", JSON.stringify(versions.map(({ version }) => version.wireType), null, 2), "Every wire type, sorted."),
    constant("eventNames", "readonly EventName[]", JSON.stringify(catalogue.events.map((event) => event.name), null, 2), "Every event name, sorted."),
    constant(
      "latestTypes",
      "LatestTypes",
      `{\n${catalogue.events.map((event) => `  ${JSON.stringify(event.name)}: ${JSON.stringify(event.versions.at(-1)!.wireType)},`).join("\n")}\n}`,
      "The latest wire type of each event name.",
    ),
    constant(
      "namedShapes",
      "WireShapes",
      JSON.stringify(Object.fromEntries(catalogue.types.map((type) => [type.name, shapeOf(type.type)])), null, 2),
      "WireShapes of the named types, for validation.",
    ),
    constant(
      "payloadShapes",
      "{ readonly [T in EventType]: WireShape }",
      JSON.stringify(Object.fromEntries(versions.map(({ version }) => [version.wireType, shapeOf(version.payload)])), null, 2),
      "WireShape of each version's payload, for validation.",
    ),
    fn("isEventType", { parameters: [["type", "string"]], returnType: "type is EventType" }, "return Object.hasOwn(eventMeta, type);", "Is `type` a wire type of this catalogue?"),
    fn(
      "parseEvent",
      { parameters: [["input", "unknown"]], returnType: "EventParseResult<Event>" },
      "return parseEventWith<Event>(payloadShapes, namedShapes, input);",
      "Validates an event document. Unknown wire types are an explicit `unknown` result, never a throw.",
    ),
    fn(
      "parseEnvelope",
      { parameters: [["input", "unknown"]], returnType: "EnvelopeParseResult<Event>" },
      "return parseEnvelopeWith<Event>(payloadShapes, namedShapes, input);",
      "Validates an envelope and the event inside it. Unknown wire types are an explicit `unknown` result.",
    ),
    fn(
      "validatePayload",
      { typeParameters: ["T extends EventType"], parameters: [["type", "T"], ["payload", "unknown"]], returnType: "ValidationIssue[]" },
      "const issues: ValidationIssue[] = [];\ncheck(payloadShapes[type], payload, namedShapes, \"\", issues);\nreturn issues;",
      "Every problem with `payload` as the payload of `type`; empty when it is valid.",
    ),
    fn("isEvent", { parameters: [["input", "unknown"]], returnType: "input is Event" }, 'return parseEvent(input).kind === "event";', "Is `input` a valid event of this catalogue?"),
    fn(
      "isEventOfType",
      { typeParameters: ["T extends EventType"], parameters: [["event", "{ type: string }"], ["type", "T"]], returnType: "event is EventOf<T>" },
      "return event.type === type;",
      "Narrows an event to wire type `type`.",
    ),
    fn(
      "isEventOfName",
      { typeParameters: ["N extends EventName"], parameters: [["event", "{ type: string }"], ["name", "N"]], returnType: "event is EventOfName<N>" },
      "return isEventType(event.type) && eventMeta[event.type].name === name;",
      "Narrows an event to any version of the event named `name`.",
    ),
    fn(
      "eventName",
      { parameters: [["type", "EventType"]], returnType: "EventName" },
      "return eventMeta[type].name;",
      "The event name of a wire type: `session.status.v2` → `session.status`.",
    ),
    fn("eventVersion", { parameters: [["type", "EventType"]], returnType: "number" }, "return eventMeta[type].version;", "The version of a wire type."),
    fn(
      "latestEvent",
      { typeParameters: ["N extends EventName"], parameters: [["name", "N"], ["payload", "PayloadOf<LatestTypes[N]>"]], returnType: "EventOf<LatestTypes[N]>" },
      "return { type: latestTypes[name], payload } as EventOf<LatestTypes[N]>;",
      "Builds the latest version's event document for `name`.",
    ),
  ];
  for (const event of catalogue.events) {
    statements.push(
      fn(
        names.nameGuard(event),
        { parameters: [["event", "{ type: string }"]], returnType: `event is ${names.eventUnion(event)}` },
        `return isEventOfName(event, ${JSON.stringify(event.name)});`,
        `Narrows an event to any version of \`${event.name}\`.`,
      ),
    );
    for (const version of event.versions) {
      statements.push(
        fn(
          names.versionGuard(event, version),
          { parameters: [["event", "{ type: string }"]], returnType: `event is ${names.eventVersion(event, version)}` },
          `return event.type === ${JSON.stringify(version.wireType)};`,
          `Narrows an event to \`${version.wireType}\`.`,
        ),
      );
    }
  }
  return statements;
}
