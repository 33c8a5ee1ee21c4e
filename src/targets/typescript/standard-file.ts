/**
 * `standard.ts` of the SDK: Standard Schema v1 objects with the Standard JSON Schema extension —
 * one per event version (its payload), the `Event` union and the envelope — so the SDK plugs into
 * any Standard Schema consumer with no adapter. A module of its own, not re-exported by index.ts:
 * it carries the published JSON Schemas, which a program that only parses events does not need.
 *
 * The JSON Schemas are the `jsonschema` target's documents, built on request from the payload
 * shapes validate.ts already carries (shape.ts, `versionJsonSchema`): the SDK holds each payload's
 * description once. The union and the envelope embed the version documents they refer to (by `$id`)
 * under `$defs`, so each is self-contained. Data is JSON text for `JSON.parse`, typed
 * `JsonSchemaDocument`: the checker reads one string instead of building the type of an object literal.
 */
import type { Catalogue } from "../../ir/types.js";
import { envelopeSchema } from "../jsonschema/index.js";
import { docComment, jsonText, tsString } from "./escape.js";
import type { TypeScriptNames } from "./names.js";
import { payloadCheckerName, payloadCheckName, payloadShapeName } from "./validators-file.js";

export function standardFile(catalogue: Catalogue, names: TypeScriptNames): string {
  const versions = catalogue.events.flatMap((event) => event.versions.map((version) => ({ event, version })));
  const checkers = versions.map((_, index) => payloadCheckName(index));
  const publicNames = versions.map(({ event, version }) => payloadCheckerName(names, event, version));
  const shapes = versions.map((_, index) => payloadShapeName(index));
  const lines: string[] = [
    `import type { Event, EventEnvelope, ${[...new Set(versions.map(({ event, version }) => names.payload(event, version)))].sort().join(", ")} } from "./types.js";`,
    `import { ${[...checkers, ...shapes].sort().join(", ")} } from "./validate.js";`,
    'import { parseEnvelope, parseEvent } from "./catalogue.js";',
    'import { eventJsonSchema as eventUnionJsonSchema, versionJsonSchema, type Shape } from "./shape.js";',
    'import { payloadIssues, standardSchema, withResources, type JsonSchemaDocument, type PayloadCheck, type StandardSchemaV1, type ValidationIssue } from "./wire.js";',
    "",
    "/** A payload's Standard Schema: its check, and (Standard JSON Schema) its published JSON Schema, built from its shape on request. */",
    "function payloadSchema<T>(check: PayloadCheck, shape: Shape, wireType: string, description?: string): StandardSchemaV1<T> {",
    "  return standardSchema<T>(payloadIssues(check), () => versionJsonSchema(shape, wireType, description));",
    "}",
    "",
  ];
  versions.forEach(({ event, version }, index) => {
    const name = `${publicNames[index]!.slice("check".length, -"Payload".length)}PayloadSchema`;
    const payload = names.payload(event, version);
    const args = [checkers[index]!, shapes[index]!, tsString(version.wireType), ...(event.description === undefined ? [] : [tsString(event.description)])];
    lines.push(...docComment(`Standard Schema of a \`${version.wireType}\` payload.`));
    lines.push(`export const ${name}: StandardSchemaV1<${payload}> = /* @__PURE__ */ payloadSchema(${args.join(", ")});`, "");
  });
  const members = versions.map(({ event, version }) => (event.description === undefined ? [version.wireType] : [version.wireType, event.description]));
  lines.push(
    "/** The `Event` union as JSON Schema, every version's document embedded. */",
    "function eventJsonSchema(): JsonSchemaDocument {",
    `  const members = JSON.parse(${jsonText(members)}) as readonly (readonly [string, string?])[];`,
    `  const shapes: readonly Shape[] = [${shapes.join(", ")}];`,
    "  return eventUnionJsonSchema(members, shapes.map((shape, index) => versionJsonSchema(shape, members[index]![0], members[index]![1])));",
    "}",
    "",
    "// Standard Schema validates values: a string is not read as JSON text here, as parseEvent would.",
    "function eventIssues(value: unknown): readonly ValidationIssue[] {",
    '  if (typeof value === "string") return [{ path: "", message: "expected object, got string" }];',
    "  const result = parseEvent(value);",
    '  if (result.kind === "invalid") return result.issues;',
    '  return result.kind === "unknown" ? [{ path: "/type", message: "unknown event type" }] : [];',
    "}",
    "",
    "function envelopeIssues(value: unknown): readonly ValidationIssue[] {",
    '  if (typeof value === "string") return [{ path: "", message: "expected object, got string" }];',
    "  const result = parseEnvelope(value);",
    '  if (result.kind === "invalid") return result.issues;',
    '  return result.kind === "unknown" ? [{ path: "/event/type", message: "unknown event type" }] : [];',
    "}",
    "",
    "/** Standard Schema of any event document of the catalogue; an unknown wire type is an issue here. */",
    "export const EventSchema: StandardSchemaV1<Event> = /* @__PURE__ */ standardSchema(eventIssues, eventJsonSchema);",
    "",
    "/** Standard Schema of an envelope around any event of the catalogue. */",
    `export const EventEnvelopeSchema: StandardSchemaV1<EventEnvelope> = /* @__PURE__ */ standardSchema(envelopeIssues, () => withResources(JSON.parse(${jsonText(envelopeSchema())}) as JsonSchemaDocument, [eventJsonSchema()]));`,
    "",
  );
  return lines.join("\n");
}
