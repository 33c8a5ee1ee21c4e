/**
 * Messages of the AsyncAPI document: one per event version, keyed by its wire type, and the
 * envelope every one of them travels in, described once as a message trait.
 *
 * A message's payload is the version's published JSON Schema — the very document the `jsonschema`
 * target writes (`versionSchema`), never a second lowering of the IR:
 * - inline, when the schema is self-contained;
 * - a reference to `schemas/<wire type>.json` beside the document, holding the same bytes as the
 *   `jsonschema` target's file, when the schema refers to named types. Its references
 *   (`#/$defs/…`) are relative to the schema itself, as its `$id` says; AsyncAPI tools resolve
 *   them against the document they sit in instead, so inside `asyncapi.json` they would point
 *   at nothing. In a file of its own, each resolves where it should.
 *
 * The dialect is declared by each schema's `$schema` (draft 2020-12), not by `schemaFormat`:
 * AsyncAPI 3.0 names JSON Schema draft-07 as its only JSON Schema format, and its parser
 * registers no other, so a 2020-12 `schemaFormat` would be refused as unknown.
 *
 * Retired versions (withdrawn on purpose) have a message too, `deprecated`, without payload —
 * the IR keeps no schema for them — and no channel or operation lists it: nothing sends them
 * any more, and readers refuse them as unknown wire types.
 */
import type { Catalogue, EventDef, EventVersion, JsonSchema } from "../../ir/types.js";
import { envelopeSchema } from "../jsonschema/index.js";
import { versionSchema, versionSchemaId } from "../jsonschema/schema.js";
import type { OutputFile } from "../target.js";
import { pointer } from "./channels.js";

/** Key of the envelope trait under `components.messageTraits`. */
export const ENVELOPE_TRAIT = "envelope";

/** Folder, beside the document, of the payload schemas that refer to named types. */
export const SCHEMA_FOLDER = "schemas";

/** One version of an event as the document lists it: defined (with a payload) or retired. */
export interface MessageEntry {
  event: EventDef;
  version: number;
  wireType: string;
  /** The defined version; absent for a retired one. */
  defined?: EventVersion;
}

/** Every version of an event, defined and retired, ascending: the order its messages take. */
export function messageEntries(event: EventDef): MessageEntry[] {
  const entries: MessageEntry[] = event.versions.map((defined) => ({ event, version: defined.version, wireType: defined.wireType, defined }));
  for (const version of event.retired) entries.push({ event, version, wireType: `${event.name}.v${version}` });
  return entries.sort((a, b) => a.version - b.version);
}

/**
 * The message of one version. `x-eventcatalog-message-version` is a string, as EventCatalog's
 * versions are; `x-eventc-event` names the event, so a retired message (on no channel) still
 * says whose version it was.
 */
export function versionMessage(entry: MessageEntry, catalogue: Catalogue): JsonSchema {
  const { event, version, wireType, defined } = entry;
  const message: JsonSchema = { name: wireType, title: `${event.name} v${version}` };
  if (defined === undefined) {
    message.summary = "Retired: withdrawn on purpose. No producer sends it, and readers refuse it as an unknown wire type.";
  }
  if (event.description !== undefined) message.description = event.description;
  if (defined !== undefined) {
    message.contentType = "application/json";
    message.traits = [{ $ref: pointer("components", "messageTraits", ENVELOPE_TRAIT) }];
    const schema = versionSchema(defined, catalogue, event.description);
    message.payload = selfContained(schema) ? schema : { $ref: `${SCHEMA_FOLDER}/${versionSchemaId(wireType)}` };
  } else {
    message.deprecated = true;
  }
  message["x-eventcatalog-message-version"] = String(version);
  message["x-eventc-event"] = event.name;
  return message;
}

/** The files beside the document: the payload schemas the messages refer to, as the `jsonschema` target writes them. */
export function schemaFiles(catalogue: Catalogue): OutputFile[] {
  const files: OutputFile[] = [];
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const schema = versionSchema(version, catalogue, event.description);
      if (!selfContained(schema)) files.push({ path: `${SCHEMA_FOLDER}/${versionSchemaId(version.wireType)}`, contents: `${JSON.stringify(schema, null, 2)}\n` });
    }
  }
  return files;
}

/** A version schema refers to nothing outside itself when it has no named types (`$ref`s only ever point into `$defs`). */
function selfContained(schema: JsonSchema): boolean {
  return schema.$defs === undefined;
}

/**
 * The envelope, once for every message: its members other than the event as the message's
 * headers, with the same schemas as `envelope.json`. On the wire they are not separate headers:
 * the message text is one JSON object, `{"id", "time", "topic"?, "event": {"type": <wire type>,
 * "payload": <payload>}}`, which the headers' description says.
 */
export function envelopeTrait(): JsonSchema {
  const members = envelopeSchema().properties as Record<string, JsonSchema>;
  return {
    headers: {
      type: "object",
      description:
        'The envelope around the payload. The message text is one JSON object, {"id", "time", "topic", "event": {"type": <the message name, the wire type>, "payload": <the payload>}}: these members sit beside the event document, not in transport headers. "topic", when present, scopes the envelope to the channel <event name>:<topic>; by default it is the payload\'s value at the event\'s topic path, as text.',
      properties: { id: members.id, time: members.time, topic: members.topic },
      required: ["id", "time"],
    },
  };
}
