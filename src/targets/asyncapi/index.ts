/**
 * The `asyncapi` target: the catalogue as one AsyncAPI 3.0.0 document (docs/asyncapi.md).
 *   asyncapi.json              the document: a channel per event, a message per version
 *                              (keyed by wire type), the application's send/receive operations
 *   schemas/<wire type>.json   the payload schemas that refer to named types (messages.ts says why),
 *                              byte for byte the `jsonschema` target's files
 *
 * Everything comes from the IR in its order (events by name, versions ascending) and from the
 * config's `asyncapi` settings; no timestamp or tool version, so the bytes depend on nothing else.
 * The document is JSON only: the package has no YAML writer, and AsyncAPI tools read JSON alike.
 * Every piece of the catalogue's text reaches the file through `JSON.stringify`, and every object
 * keyed by such text is made without prototype (`keyed`).
 */
import type { AsyncApiConfig } from "../../authoring.js";
import type { Catalogue, JsonSchema } from "../../ir/types.js";
import type { OutputFile, Target } from "../target.js";
import { channelOperations, claimKeys, eventChannel, keyed, type ChannelEntry } from "./channels.js";
import { ENVELOPE_TRAIT, envelopeTrait, messageEntries, schemaFiles, versionMessage } from "./messages.js";

/** The AsyncAPI version the document follows. */
export const ASYNCAPI_VERSION = "3.0.0";

/** `info` when the config says nothing. */
export const DEFAULT_INFO = {
  title: "Events",
  version: "0.1.0",
  description: "The event catalogue: one channel per event, one message per event version, each travelling in the envelope (id, time, topic, event).",
} as const;

/** The whole document for a catalogue and the config's settings. */
export function asyncApiDocument(catalogue: Catalogue, settings: AsyncApiConfig = {}): JsonSchema {
  const channels = channelEntries(catalogue);
  const document: JsonSchema = {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: settings.info?.title ?? DEFAULT_INFO.title,
      version: settings.info?.version ?? DEFAULT_INFO.version,
      description: settings.info?.description ?? DEFAULT_INFO.description,
    },
    defaultContentType: "application/json",
  };
  if (settings.servers !== undefined && Object.keys(settings.servers).length > 0) document.servers = servers(settings.servers);
  document.channels = keyed(channels.map((channel) => [channel.key, eventChannel(channel)] as const));
  document.operations = keyed(channels.flatMap((channel) => channelOperations(channel, settings.operations ?? "both")));
  document.components = {
    messages: keyed(channels.flatMap((channel) => channel.messages.map(({ entry, key }) => [key, versionMessage(entry, catalogue)] as const))),
    messageTraits: keyed([[ENVELOPE_TRAIT, envelopeTrait()]]),
  };
  return document;
}

/** Every event with its channel key and its versions' message keys, both derived once for the whole document. */
function channelEntries(catalogue: Catalogue): ChannelEntry[] {
  const channelKeys = claimKeys(catalogue.events.map((event) => event.name));
  const entries = catalogue.events.map((event) => ({ event, versions: messageEntries(event) }));
  const messageKeys = claimKeys(entries.flatMap(({ versions }) => versions.map((entry) => entry.wireType)));
  return entries.map(({ event, versions }) => ({
    event,
    key: channelKeys.get(event.name)!,
    messages: versions.map((entry) => ({ entry, key: messageKeys.get(entry.wireType)! })),
  }));
}

/** The config's servers in its order, each member in AsyncAPI's order. */
function servers(configured: NonNullable<AsyncApiConfig["servers"]>): Record<string, JsonSchema> {
  return keyed(
    Object.entries(configured).map(([name, server]) => {
      const entry: JsonSchema = { host: server.host, protocol: server.protocol };
      if (server.pathname !== undefined) entry.pathname = server.pathname;
      if (server.description !== undefined) entry.description = server.description;
      return [name, entry] as const;
    }),
  );
}

export const asyncApiTarget: Target = {
  id: "asyncapi",
  description: "AsyncAPI 3.0.0: a channel per event, a message per version with its JSON Schema, send and receive operations",
  folder: "asyncapi",
  emit(catalogue, options) {
    const document = asyncApiDocument(catalogue, options?.asyncapi);
    return [{ path: "asyncapi.json", contents: `${JSON.stringify(document, null, 2)}\n` }, ...schemaFiles(catalogue)] satisfies OutputFile[];
  },
};
