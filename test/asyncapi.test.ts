/**
 * The AsyncAPI target, read by the official parser (@asyncapi/parser, pinned): the document of the
 * example catalogue and of every golden case parses with no error, warning or hint — the one
 * diagnostic it gives is the information that AsyncAPI 3.1.0 exists, since the document follows
 * 3.0.0 on purpose — and says what the catalogue says: a message per version keyed by wire type
 * whose payload is the `jsonschema` target's schema of that version, a channel per event on the
 * runtime's channel, the config's info, servers and operations, the same bytes every time.
 *
 * The documents are emitted in memory and written to a scratch folder only so that the parser
 * resolves the payload files beside them the way it does for a user.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DiagnosticSeverity, Parser, type Diagnostic } from "@asyncapi/parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { resolveConfig } from "../src/config.js";
import { EventcError } from "../src/errors.js";
import { emitTargets } from "../src/generate.js";
import type { Catalogue, EventDef, TypeNode } from "../src/ir/types.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import type { TargetOptions } from "../src/targets/target.js";
import { caseFolders, ROOT } from "./helpers.js";

interface Ref {
  $ref: string;
}

interface MessageJson {
  name: string;
  title: string;
  summary?: string;
  description?: string;
  contentType?: string;
  deprecated?: boolean;
  traits?: Ref[];
  payload?: Record<string, unknown>;
  "x-eventcatalog-message-version": string;
  "x-eventc-event": string;
}

interface ChannelJson {
  address: string;
  title: string;
  description?: string;
  parameters?: Record<string, { description: string; location: string }>;
  messages: Record<string, Ref>;
  "x-eventc-topic-path"?: string[];
  "x-eventc-coalesce-key"?: string[][];
  "x-eventc-replay": { resume: string; snapshot: string };
}

interface AsyncApiJson {
  asyncapi: string;
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers?: Record<string, { host: string; protocol: string; pathname?: string; description?: string }>;
  channels: Record<string, ChannelJson>;
  operations: Record<string, { action: string; channel: Ref; title: string; messages: Ref[] }>;
  components: { messages: Record<string, MessageJson>; messageTraits: Record<string, unknown> };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "eventc-asyncapi-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CASES = path.join(ROOT, "test", "cases");
const CATALOGUES: [string, string][] = [["example", path.join(ROOT, "schemas")], ...caseFolders(CASES).map((name): [string, string] => [name, path.join(CASES, name, "schemas")])];

/** The document's files by path inside the target's folder (`asyncapi.json`, `schemas/…`). */
function asyncApiFiles(catalogue: Catalogue, options: TargetOptions = {}): Map<string, string> {
  return new Map(emitTargets(catalogue, ["asyncapi"], options).map((file) => [file.path.slice("asyncapi/".length), file.contents]));
}

function documentOf(files: Map<string, string>): AsyncApiJson {
  return JSON.parse(files.get("asyncapi.json")!) as AsyncApiJson;
}

/** Writes the files into a folder of their own and parses the document there, with the parser's default rules. */
async function parse(name: string, files: Map<string, string>) {
  const folder = path.join(scratch, name);
  for (const [file, contents] of files) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), contents);
  }
  return new Parser().parse(files.get("asyncapi.json")!, { source: path.join(folder, "asyncapi.json") });
}

/**
 * The parser's diagnostics but one: with 3.0.0 it always informs that 3.1.0 is the latest version.
 * That one is checked to be exactly that information, so any other finding, of any severity, shows.
 */
function findings(diagnostics: Diagnostic[]): Diagnostic[] {
  const versionNote = diagnostics.filter((diagnostic) => diagnostic.code === "asyncapi-latest-version");
  expect(versionNote.map((diagnostic) => [diagnostic.severity, diagnostic.message])).toEqual([
    [DiagnosticSeverity.Information, 'The latest version of AsyncAPi is not used. It is recommended update to the "3.1.0" version.'],
  ]);
  return diagnostics.filter((diagnostic) => diagnostic.code !== "asyncapi-latest-version");
}

describe.each(CATALOGUES)("the AsyncAPI document of %s", (name, schemasDir) => {
  let catalogue: Catalogue;
  let files: Map<string, string>;
  let document: AsyncApiJson;
  /** The jsonschema target's files, by name. */
  let published: Map<string, string>;

  beforeAll(async () => {
    catalogue = await loadCatalogue({ schemasDir, cwd: path.dirname(schemasDir) });
    files = asyncApiFiles(catalogue);
    document = documentOf(files);
    published = new Map(emitTargets(catalogue, ["jsonschema"]).map((file) => [file.path.slice("jsonschema/".length), file.contents]));
  });

  test("parses_with_no_error_warning_or_hint", async () => {
    const parsed = await parse(name, files);
    expect(findings(parsed.diagnostics).map((diagnostic) => `${diagnostic.code} at ${diagnostic.path.join("/")}: ${diagnostic.message}`)).toEqual([]);
    expect(parsed.document).toBeDefined();
    expect(document.asyncapi).toBe("3.0.0");
  });

  test("each_message_is_keyed_by_wire_type_and_carries_the_published_schema_of_its_version", () => {
    const wireTypes = catalogue.events.flatMap((event) => event.versions.map((version) => version.wireType));
    expect(Object.keys(document.components.messages)).toEqual(wireTypes);
    for (const event of catalogue.events) {
      for (const version of event.versions) {
        const message = document.components.messages[version.wireType]!;
        expect(message).toMatchObject({ name: version.wireType, contentType: "application/json", "x-eventcatalog-message-version": String(version.version), "x-eventc-event": event.name });
        expect(message.traits).toEqual([{ $ref: "#/components/messageTraits/envelope" }]);
        const schemaFile = `${version.wireType}.json`;
        const payload = message.payload!;
        if (typeof payload.$ref === "string") {
          // A schema with named types sits beside the document, as the same bytes.
          expect(payload).toEqual({ $ref: `schemas/${schemaFile}` });
          expect(files.get(`schemas/${schemaFile}`)).toBe(published.get(schemaFile));
        } else {
          expect(payload).toEqual(JSON.parse(published.get(schemaFile)!));
          expect(payload.$defs).toBeUndefined();
        }
      }
    }
    const beside = [...files.keys()].filter((file) => file !== "asyncapi.json");
    expect(beside).toEqual(beside.filter((file) => /^schemas\/.+\.json$/.test(file)));
  });

  test("one_channel_per_event_on_the_runtime_channel_with_the_topic_as_parameter", () => {
    expect(Object.keys(document.channels)).toEqual(catalogue.events.map((event) => event.name));
    for (const event of catalogue.events) {
      const channel = document.channels[event.name]!;
      expect(Object.values(channel.messages)).toEqual(event.versions.map((version) => ({ $ref: `#/components/messages/${version.wireType}` })));
      expect(channel["x-eventc-coalesce-key"]).toEqual(event.coalesce);
      expect(channel["x-eventc-replay"]).toEqual({ resume: "last-event-id", snapshot: event.coalesce === undefined ? "none" : "latest-per-coalesce-key" });
      if (event.topic === undefined) {
        expect(channel.address).toBe(event.name);
        expect(channel.parameters).toBeUndefined();
        expect(channel["x-eventc-topic-path"]).toBeUndefined();
      } else {
        const parameter = event.topic.join(".").replace(/[^A-Za-z0-9_-]/gu, "_");
        expect(channel.address).toBe(`${event.name}:{${parameter}}`);
        expect(Object.keys(channel.parameters!)).toEqual([parameter]);
        expect(channel.parameters![parameter]!.location).toBe("$message.header#/topic");
        expect(channel["x-eventc-topic-path"]).toEqual(event.topic);
      }
    }
  });

  test("the_application_sends_and_receives_every_defined_version_as_EventCatalog_reads_them", async () => {
    expect(Object.keys(document.operations)).toEqual(catalogue.events.flatMap((event) => [`${event.name}.send`, `${event.name}.receive`]));
    // EventCatalog's generator walks each operation's messages: the message id and the version extension.
    const parsed = await parse(`${name}-read`, files);
    const read = parsed.document!.operations().all().flatMap((operation) =>
      operation.messages().all().map((message) => [operation.action(), message.id(), message.extensions().get("x-eventcatalog-message-version")?.value<unknown>()]),
    );
    const versions = catalogue.events.flatMap((event) => event.versions);
    expect(read).toEqual(catalogue.events.flatMap((event) => ["send", "receive"].flatMap((action) => event.versions.map((version) => [action, version.wireType, String(version.version)]))));
    expect(read.length).toBe(2 * versions.length);
  });
});

describe("the config's settings", () => {
  let catalogue: Catalogue;
  beforeAll(async () => {
    catalogue = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas"), cwd: ROOT });
  });

  test("without settings: title Events, version 0.1.0, no servers, both operations", () => {
    const document = documentOf(asyncApiFiles(catalogue));
    expect(document.info).toMatchObject({ title: "Events", version: "0.1.0" });
    expect(document.servers).toBeUndefined();
    expect(new Set(Object.values(document.operations).map((operation) => operation.action))).toEqual(new Set(["send", "receive"]));
  });

  test("info_servers_and_operations_flow_from_eventc_config_into_the_document", async () => {
    const dir = path.join(scratch, "config-flow");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "eventc.config.ts"),
      `export default {
  asyncapi: {
    info: { title: "Acme events", version: "2.1.0", description: "What Acme's services tell each other." },
    servers: {
      production: { host: "events.acme.example:6379", protocol: "redis", description: "The shared Redis." },
      stream: { host: "api.acme.example", protocol: "https", pathname: "/events" },
    },
    operations: "receive",
  },
};
`,
    );
    const config = await resolveConfig(dir);
    const files = asyncApiFiles(catalogue, config.targetOptions);
    const document = documentOf(files);
    expect(document.info).toEqual({ title: "Acme events", version: "2.1.0", description: "What Acme's services tell each other." });
    expect(document.servers).toEqual({
      production: { host: "events.acme.example:6379", protocol: "redis", description: "The shared Redis." },
      stream: { host: "api.acme.example", protocol: "https", pathname: "/events" },
    });
    expect(Object.keys(document.servers!)).toEqual(["production", "stream"]);
    expect(Object.keys(document.operations)).toEqual(catalogue.events.map((event) => `${event.name}.receive`));
    expect(findings((await parse("config-flow", files)).diagnostics)).toEqual([]);
  });

  test("operations_send_only", () => {
    const document = documentOf(asyncApiFiles(catalogue, { asyncapi: { operations: "send" } }));
    expect(Object.values(document.operations).map((operation) => operation.action)).toEqual(catalogue.events.map(() => "send"));
  });
});

/** A catalogue of one event, made as the loader would make it, with what no golden case has. */
function catalogueOf(event: Partial<EventDef> & Pick<EventDef, "name">): Catalogue {
  const payload: TypeNode = { kind: "object", fields: [{ name: "a b", type: { kind: "string" }, optional: false }], additional: "ignore" };
  return {
    events: [
      {
        versions: [2, 4].map((version) => ({ version, wireType: `${event.name}.v${version}`, payload })),
        retired: [],
        source: { file: "schemas/odd.ts", exportName: "odd" },
        ...event,
      },
    ],
    types: [],
  };
}

describe("what the golden cases do not show", () => {
  test("a_retired_version_is_a_deprecated_message_on_no_channel_or_operation", async () => {
    const files = asyncApiFiles(catalogueOf({ name: "order.placed", description: "An order was placed.", retired: [1, 3] }));
    const document = documentOf(files);
    expect(Object.keys(document.components.messages)).toEqual(["order.placed.v1", "order.placed.v2", "order.placed.v3", "order.placed.v4"]);
    expect(document.components.messages["order.placed.v3"]).toEqual({
      name: "order.placed.v3",
      title: "order.placed v3",
      summary: "Retired: withdrawn on purpose. No producer sends it, and readers refuse it as an unknown wire type.",
      description: "An order was placed.",
      deprecated: true,
      "x-eventcatalog-message-version": "3",
      "x-eventc-event": "order.placed",
    });
    expect(document.components.messages["order.placed.v2"]!.deprecated).toBeUndefined();
    expect(Object.keys(document.channels["order.placed"]!.messages)).toEqual(["order.placed.v2", "order.placed.v4"]);
    expect(document.operations["order.placed.send"]!.messages).toEqual([
      { $ref: "#/channels/order.placed/messages/order.placed.v2" },
      { $ref: "#/channels/order.placed/messages/order.placed.v4" },
    ]);
    expect(findings((await parse("retired", files)).diagnostics)).toEqual([]);
  });

  test("prototype_names_and_hostile_topic_paths_stay_plain_keys_and_valid_parameters", async () => {
    const hostile = 'a b}{"\u2028/~';
    const files = asyncApiFiles(catalogueOf({ name: "constructor", description: 'Says "*/" and \u2028 and }{.', topic: [hostile, "__proto__"], coalesce: [] }));
    const document = documentOf(files);
    const channel = document.channels["constructor"]!;
    expect(Object.hasOwn(document.channels, "constructor")).toBe(true);
    // Each character outside [A-Za-z0-9_-], the path's dot included, is "_".
    expect(channel.address).toBe("constructor:{a_b_________proto__}");
    expect(channel["x-eventc-topic-path"]).toEqual([hostile, "__proto__"]);
    expect(channel["x-eventc-coalesce-key"]).toEqual([]);
    expect(channel["x-eventc-replay"].snapshot).toBe("latest-per-coalesce-key");
    expect(channel.description).toBe('Says "*/" and \u2028 and }{.');
    expect(findings((await parse("hostile", files)).diagnostics)).toEqual([]);
  });
});

describe("determinism", () => {
  test("emitting_twice_and_from_a_fresh_load_gives_the_same_bytes", async () => {
    const schemasDir = path.join(ROOT, "schemas");
    const first = await loadCatalogue({ schemasDir, cwd: ROOT });
    const options: TargetOptions = { asyncapi: { servers: { b: { host: "b.example", protocol: "wss" }, a: { host: "a.example", protocol: "redis" } } } };
    const once = [...asyncApiFiles(first, options)];
    expect([...asyncApiFiles(first, options)]).toEqual(once);
    expect([...asyncApiFiles(await loadCatalogue({ schemasDir, cwd: ROOT }), options)]).toEqual(once);
  });
});

describe("asyncapi settings in eventc.config.ts are validated", () => {
  test.each([
    ['{ operations: "publish" }', 'invalid config: "asyncapi.operations": the application\'s operations: "send", "receive" or "both"'],
    ['{ info: { title: "" } }', 'invalid config: "asyncapi.info.title": a title, e.g. "Acme events"'],
    ["{ info: { version: 2 } }", 'invalid config: "asyncapi.info.version": the API\'s version, e.g. "1.4.0"'],
    ['{ info: { name: "Acme" } }', 'invalid config: "asyncapi.info": Unrecognized key: "name"'],
    ['{ servers: { "prod east": { host: "a.example", protocol: "redis" } } }', 'invalid config: "asyncapi.servers.prod east": a server name is letters, digits, "_" and "-", e.g. "production"'],
    ['{ servers: { ["__proto__"]: { host: "a.example", protocol: "redis" } } }', 'invalid config: "asyncapi.servers.__proto__": "__proto__" cannot name a server; choose another name'],
    ['{ servers: { prod: { host: "redis://a.example:6379", protocol: "redis" } } }', 'invalid config: "asyncapi.servers.prod.host": a host name, optionally with a port, e.g. "events.example.com:6379" (no scheme or path: those are "protocol" and "pathname")'],
    ['{ servers: { prod: { host: "a.example" } } }', 'invalid config: "asyncapi.servers.prod.protocol": a protocol, e.g. "redis", "https" or "wss"'],
    ['{ servers: { prod: { host: "a.example", protocol: "https", pathname: "events" } } }', 'invalid config: "asyncapi.servers.prod.pathname": a path starting with "/", e.g. "/events"'],
    ['{ servers: { prod: { host: "a.example", protocol: "https", url: "https://a.example" } } }', 'invalid config: "asyncapi.servers.prod": Unrecognized key: "url"'],
    ['{ servers: [{ host: "a.example", protocol: "redis" }] }', 'invalid config: "asyncapi.servers": servers by name, e.g. { production: { host: "events.example.com:6379", protocol: "redis" } }'],
    ["{ channels: {} }", 'invalid config: "asyncapi": Unrecognized key: "channels"'],
  ])("asyncapi %s is an input error", async (asyncapi, message) => {
    const dir = path.join(scratch, `bad-${asyncapi.replace(/\W+/g, "-")}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "eventc.config.ts"), `export default { asyncapi: ${asyncapi} };\n`);
    const error = await resolveConfig(dir).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    // An EventcError is an input error: the CLI prints `eventc: <format()>` and exits 2.
    expect(error).toBeInstanceOf(EventcError);
    expect((error as EventcError).format()).toBe(`eventc.config.ts: ${message}`);
  });
});
