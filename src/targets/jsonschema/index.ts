/**
 * The `jsonschema` target: draft 2020-12 schemas, self-contained except where noted.
 *   <wire type>.json  one per event version: the payload, named types under `$defs`
 *   event.json        the union of every event document `{ "type": …, "payload": … }`; each
 *                     payload refers to its version's file by `$id`
 *   envelope.json     the envelope around one event (refers to event.json)
 * `$id`s are file names, so the references resolve wherever the folder is served or loaded.
 */
import type { Catalogue, JsonSchema } from "../../ir/types.js";
import type { OutputFile, Target } from "../target.js";
import { DIALECT, versionSchema, versionSchemaId } from "./schema.js";

/**
 * RFC 3339 date-time in UTC, as envelopes carry it: a real calendar date (leap years counted),
 * hours 00–23, minutes and seconds 00–59, an optional fraction, `Z` (Zod 4's `z.iso.datetime()`
 * pattern). The TypeScript SDK (`ENVELOPE_TIME` in wire.ts) and the Rust crate check the same one.
 */
export const ENVELOPE_TIME_PATTERN =
  "^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?Z$";

/**
 * The id grammar (docs/wire-format.md, "Ids"): 1 to 256 visible ASCII characters. The TypeScript SDK
 * (`isWireId` in wire.ts) and the Rust crate (`is_wire_id`) check the same.
 */
export const ENVELOPE_ID_PATTERN = "^[!-~]{1,256}$";

export function eventUnionSchema(catalogue: Catalogue): JsonSchema {
  const members: JsonSchema = {};
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const member: JsonSchema = {
        type: "object",
        properties: { type: { type: "string", const: version.wireType }, payload: { $ref: versionSchemaId(version.wireType) } },
        required: ["type", "payload"],
      };
      if (event.description !== undefined) member.description = event.description;
      members[version.wireType] = member;
    }
  }
  return {
    $schema: DIALECT,
    $id: "event.json",
    title: "Event",
    description: "One event of the catalogue: a wire type naming event and version, and its payload.",
    oneOf: Object.keys(members).map((wireType) => ({ $ref: `#/$defs/${wireType}` })),
    $defs: members,
  };
}

export function envelopeSchema(): JsonSchema {
  return {
    $schema: DIALECT,
    $id: "envelope.json",
    title: "EventEnvelope",
    description: "One event in transit: its identity, time and channel scope around the event document.",
    type: "object",
    properties: {
      id: {
        type: "string",
        pattern: ENVELOPE_ID_PATTERN,
        description: "Unique id of this occurrence, 1 to 256 visible ASCII characters (the id grammar); SSE `id:` lines carry it.",
      },
      time: { type: "string", format: "date-time", pattern: ENVELOPE_TIME_PATTERN, description: "When it happened, RFC 3339 in UTC." },
      topic: { type: "string", description: "Value of the event's topic path, when it has one." },
      event: { $ref: "event.json" },
    },
    required: ["id", "time", "event"],
  };
}

const json = (schema: JsonSchema): string => `${JSON.stringify(schema, null, 2)}\n`;

export const jsonSchemaTarget: Target = {
  id: "jsonschema",
  description: "JSON Schema (draft 2020-12): one per event version, the event union and the envelope",
  folder: "jsonschema",
  emit(catalogue) {
    const files: OutputFile[] = [];
    for (const event of catalogue.events) {
      for (const version of event.versions) {
        files.push({ path: `${version.wireType}.json`, contents: json(versionSchema(version, catalogue, event.description)) });
      }
    }
    files.push({ path: "event.json", contents: json(eventUnionSchema(catalogue)) });
    files.push({ path: "envelope.json", contents: json(envelopeSchema()) });
    return files;
  },
};
