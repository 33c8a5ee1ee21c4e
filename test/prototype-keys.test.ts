/**
 * User text that names a member of Object.prototype — `__proto__`, `constructor`, `prototype`,
 * `toString`, `hasOwnProperty`, `valueOf` — as field names, named-type ids, event-name segments,
 * enum values and map keys, through `eventc generate`, `lock`, `check`, `diff` and the generated
 * TypeScript SDK. Every object keyed by user text must be a null-prototype object or a Map: a
 * plain `{}` loses `__proto__` on assignment and finds `constructor` on lookup.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, sortKeys } from "../src/ir/canonical.js";
import { SchemaReader } from "../src/ir/from-json-schema.js";
import { compareRawSchemas, schemaHash } from "../src/registry/check.js";
import { parseLockfile, serializeLockfile } from "../src/registry/lockfile.js";
import { modeResolver } from "../src/registry/options.js";
import type { Registry } from "../src/registry/types.js";
import { runCli, workDir, type CliResult } from "./helpers.js";

const NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;

/**
 * The catalogue: event `constructor` (payload fields, references to named types with those ids,
 * an enum and an enum-keyed map over those names), plus `prototype.tostring` and `hasownproperty`.
 * `changed` turns every such field, named-type field, enum value and map key into something else.
 */
function schemaModule(changed: boolean): string {
  const field = changed ? "z.number()" : "z.string()";
  const choices = changed ? `["other"] as const` : "NAMES";
  return `import { z } from "zod";
import { defineEvent } from "eventc";

const NAMES = ${JSON.stringify(NAMES)} as const;
const byName = <T>(make: (name: (typeof NAMES)[number]) => T): Record<string, T> => Object.fromEntries(NAMES.map((name) => [name, make(name)]));
const named = byName((id) => z.object({ [id]: ${field} }).meta({ id }));

export const ctor = defineEvent("constructor", {
  versions: {
    1: z.object({
      ...byName(() => ${field}),
      types: z.object(byName((id) => named[id]!)),
      kind: z.enum(${choices}),
      totals: z.record(z.enum(${choices}), z.number()),
      labels: z.record(z.string(), z.string()),
    }),
  },
});

export const prototypeToString = defineEvent("prototype.tostring", {
  versions: { 1: z.object({ valueOf: ${field} }) },
});

export const hasOwnProperty = defineEvent("hasownproperty", {
  versions: { 1: z.object({ constructor: ${field}.optional() }) },
});
`;
}

const CONFIG = `import { defineConfig } from "eventc";

export default defineConfig({ registry: { events: { hasownproperty: "backward" } } });
`;

/** JSON text of an object with these entries, so that `__proto__` becomes an own key as on the wire. */
const objectText = (entries: Array<[string, string]>): string => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`;

/** A valid `constructor.v1` document, parsed from JSON text as a reader receives it. */
function validDocument(): Record<string, unknown> {
  const payload = objectText([
    ...NAMES.map((name): [string, string] => [name, '"x"']),
    ["types", objectText(NAMES.map((name) => [name, objectText([[name, '"x"']])]))],
    ["kind", '"toString"'],
    ["totals", objectText(NAMES.map((name) => [name, "1"]))],
    ["labels", objectText([["__proto__", '"a"'], ["constructor", '"b"'], ["hasOwnProperty", '"c"']])],
  ]);
  return JSON.parse(`{"type":"constructor.v1","payload":${payload}}`) as Record<string, unknown>;
}

interface Finding {
  rule: string;
  event: string;
  path: string;
  severity: string;
}

const findingsOf = (result: CliResult): string[] =>
  (JSON.parse(result.stdout) as { findings: Finding[] }).findings.map((finding) => `${finding.severity} ${finding.rule} ${finding.event} ${finding.path}`);

/** Every breaking finding the changed catalogue must produce, one per renamed field, value or key. */
const EXPECTED_BREAKS = [
  ...NAMES.map((name) => `error FIELD_TYPE_CHANGED constructor /${name}`),
  "error ENUM_VALUE_ADDED constructor /kind",
  ...NAMES.map(() => "error ENUM_VALUE_REMOVED constructor /kind"),
  "error RECORD_KEYS_CHANGED constructor /totals",
  ...NAMES.map((name) => `error FIELD_TYPE_CHANGED constructor /types/${name}/${name}`),
  "error FIELD_TYPE_CHANGED hasownproperty /constructor",
  "error FIELD_TYPE_CHANGED prototype.tostring /valueOf",
].sort();

describe("names of Object.prototype members as user text", () => {
  let dir: string;

  beforeAll(() => {
    dir = workDir("prototype-keys");
    mkdirSync(path.join(dir, "schemas"));
    writeFileSync(path.join(dir, "eventc.config.ts"), CONFIG);
  });

  function writeSchemas(changed: boolean): void {
    writeFileSync(path.join(dir, "schemas", "events.ts"), schemaModule(changed));
  }

  it("eventc generate keeps every field, named type and enum value", () => {
    writeSchemas(false);
    const result = runCli(["generate", "--out", "generated"], dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const schema = JSON.parse(readFileSync(path.join(dir, "generated", "jsonschema", "constructor.v1.json"), "utf8")) as {
      properties: Record<string, { enum?: string[] }>;
      $defs: Record<string, { properties: Record<string, unknown> }>;
    };
    expect(Object.keys(schema.properties)).toEqual([...NAMES, "types", "kind", "totals", "labels"]);
    expect(Object.keys(schema.$defs).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(Object.keys(schema.$defs[name]!.properties)).toEqual([name]);
    expect(schema.properties.kind!.enum).toEqual([...NAMES]);
  });

  it("the generated TypeScript SDK accepts those fields, requires them, and reports unknown wire types", async () => {
    const sdk = (await import(pathToFileURL(path.join(dir, "generated", "ts", "index.ts")).href)) as { parseEvent(input: unknown): { kind: string; issues?: unknown[] } };
    expect(sdk.parseEvent(validDocument())).toEqual({ kind: "event", event: validDocument() });
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const document = validDocument();
      delete (document.payload as Record<string, unknown>)[name];
      expect(sdk.parseEvent(document), `payload without "${name}"`).toEqual({ kind: "invalid", issues: [{ path: `/payload/${name}`, message: "required" }] });
    }
    const missingInNamed = validDocument();
    delete ((missingInNamed.payload as { types: Record<string, Record<string, unknown>> }).types.toString as Record<string, unknown>).toString;
    expect(sdk.parseEvent(missingInNamed)).toEqual({ kind: "invalid", issues: [{ path: "/payload/types/toString/toString", message: "required" }] });
    const badEnum = validDocument();
    (badEnum.payload as Record<string, unknown>).kind = "hasownproperty";
    expect(sdk.parseEvent(badEnum).kind).toBe("invalid");
    for (const type of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", "prototype"]) {
      const unknown = JSON.parse(`{"type":${JSON.stringify(type)},"payload":{}}`) as unknown;
      expect(sdk.parseEvent(unknown), `wire type "${type}"`).toEqual({ kind: "unknown", event: { type, payload: {} } });
    }
  });

  it("the SDK's Standard JSON Schema keeps them as the published JSON Schema does", async () => {
    const standard = (await import(pathToFileURL(path.join(dir, "generated", "ts", "standard.ts")).href)) as Record<
      string,
      { "~standard": { jsonSchema: { input(options: { target: string }): Record<string, unknown> } } }
    >;
    const published = JSON.parse(readFileSync(path.join(dir, "generated", "jsonschema", "constructor.v1.json"), "utf8")) as Record<string, unknown>;
    const embedded = standard.ConstructorV1PayloadSchema!["~standard"].jsonSchema.input({ target: "draft-2020-12" });
    const properties = embedded.properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual([...NAMES, "types", "kind", "totals", "labels"]);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(embedded))).toEqual(published);
  });

  it("eventc lock records them; eventc check reports a change to each as breaking", () => {
    writeSchemas(false);
    const lock = runCli(["lock"], dir);
    expect(lock.stderr).toBe("");
    expect(lock.status).toBe(0);
    const lockfile = JSON.parse(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")) as {
      events: Record<string, { versions: Record<string, { schema: { properties: Record<string, unknown>; $defs: Record<string, unknown> } }> }>;
    };
    expect(Object.keys(lockfile.events)).toEqual(["constructor", "hasownproperty", "prototype.tostring"]);
    const schema = lockfile.events.constructor!.versions["1"]!.schema;
    expect(Object.keys(schema.properties).sort()).toEqual([...NAMES, "types", "kind", "totals", "labels"].sort());
    expect(Object.keys(schema.$defs).sort()).toEqual([...NAMES].sort());
    expect(runCli(["check"], dir).status).toBe(0);

    writeSchemas(true);
    const check = runCli(["check", "--format", "json"], dir);
    expect(check.stderr).toBe("");
    expect(check.status).toBe(1);
    expect(findingsOf(check).filter((finding) => finding.startsWith("error")).sort()).toEqual(EXPECTED_BREAKS);
    expect(runCli(["lock"], dir).status).toBe(1);
  });

  it("eventc diff compares lockfiles, folders and JSON Schema files with those names", () => {
    writeSchemas(false);
    expect(runCli(["generate", "--out", "before"], dir).status).toBe(0);
    writeSchemas(true);
    expect(runCli(["generate", "--out", "after"], dir).status).toBe(0);
    const registry = runCli(["diff", "eventc.lock.json", "schemas", "--format", "json"], dir);
    expect(registry.stderr).toBe("");
    expect(registry.status).toBe(1);
    expect(findingsOf(registry).filter((finding) => finding.startsWith("error")).sort()).toEqual(EXPECTED_BREAKS);
    const files = runCli(["diff", "before/jsonschema/constructor.v1.json", "after/jsonschema/constructor.v1.json", "--format", "json"], dir);
    expect(files.stderr).toBe("");
    expect(files.status).toBe(1);
    expect(findingsOf(files).filter((finding) => finding.startsWith("error") && finding.includes("FIELD_TYPE_CHANGED")).sort()).toEqual(
      [...NAMES.map((name) => `/${name}`), ...NAMES.map((name) => `/types/${name}/${name}`)].map((at) => `error FIELD_TYPE_CHANGED constructor.v1 ${at}`).sort(),
    );
  });
});

describe("objects keyed by user text have no prototype", () => {
  it("sortKeys and canonicalJson keep __proto__ and read no inherited key", () => {
    const value = JSON.parse(`{"b":{"__proto__":{"type":"string"},"constructor":1},"a":[{"toString":2}]}`) as unknown;
    expect(canonicalJson(value)).toBe(`{"a":[{"toString":2}],"b":{"__proto__":{"type":"string"},"constructor":1}}`);
    const sorted = sortKeys(value) as Record<string, Record<string, unknown>>;
    expect(Object.keys(sorted.b!)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(sorted.b)).toBe(null);
  });

  it("a per-event mode lookup finds only configured events", () => {
    const modeFor = modeResolver({ events: { hasownproperty: "backward" } }, undefined);
    for (const name of ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty"]) expect(modeFor(name)).toBe("full");
    expect(modeFor("hasownproperty")).toBe("backward");
  });

  it("SchemaReader resolves only $defs that exist and reads __proto__ properties", () => {
    const schema = JSON.parse(`{"type":"object","properties":{"__proto__":{"$ref":"#/$defs/__proto__"},"toString":{"type":"string"}},"required":["__proto__","toString"],"$defs":{"__proto__":{"type":"object","properties":{"constructor":{"type":"number"}},"required":["constructor"]}}}`) as Record<string, unknown>;
    const reader = new SchemaReader(schema);
    expect(reader.readRoot()).toEqual({
      kind: "object",
      fields: [
        { name: "__proto__", type: { kind: "ref", name: "__proto__" }, optional: false },
        { name: "toString", type: { kind: "string" }, optional: false },
      ],
      additional: "ignore",
    });
    expect(reader.namedType("__proto__").type).toEqual({ kind: "object", fields: [{ name: "constructor", type: { kind: "number", integer: false }, optional: false }], additional: "ignore" });
    for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf"]) {
      expect(() => new SchemaReader({ $ref: `#/$defs/${name}`, $defs: {} }).readRoot()).toThrow(`$ref points at "${name}", which is not under $defs`);
      expect(() => new SchemaReader({ $ref: `#/properties/${name}`, properties: {} }).readRoot()).toThrow(`$ref "#/properties/${name}" does not resolve`);
    }
  });

  it("a change to a __proto__ field is reported by eventc diff of two JSON Schemas", () => {
    const schema = (type: string) => JSON.parse(`{"title":"x.v1","type":"object","properties":{"__proto__":{"type":"${type}"}},"required":["__proto__"]}`) as Record<string, unknown>;
    const result = compareRawSchemas(schema("string"), schema("number"), { policy: "strict", mode: "full", label: "x.v1" });
    expect(result.findings.map((finding) => `${finding.rule} ${finding.path}`)).toEqual(["FIELD_TYPE_CHANGED /__proto__"]);
  });

  it("a lockfile with such event names and fields round-trips", () => {
    const schema = JSON.parse(`{"properties":{"__proto__":{"type":"string"},"constructor":{"type":"number"}},"type":"object"}`) as Record<string, unknown>;
    const registry: Registry = {
      events: ["constructor", "hasownproperty", "prototype.tostring"].map((name) => ({ name, retired: [], versions: [{ version: 1, schema, hash: schemaHash(schema), history: [] }] })),
    };
    const text = serializeLockfile(registry);
    expect(text).toContain(`"__proto__": {`);
    const parsed = parseLockfile(JSON.parse(text), "eventc.lock.json");
    expect(parsed.events.map((event) => event.name)).toEqual(["constructor", "hasownproperty", "prototype.tostring"]);
    expect(Object.keys(parsed.events[0]!.versions[0]!.schema.properties as object)).toEqual(["__proto__", "constructor"]);
    expect(() => parseLockfile(JSON.parse(`{"lockfileVersion":2,"events":{"constructor":{"versions":{}}}}`), "x.json")).not.toThrow();
    // Not a name a catalogue can define: rejected as such, never read through Object.prototype.
    expect(() => parseLockfile(JSON.parse(`{"lockfileVersion":2,"events":{"toString":{"versions":{}}}}`), "x.json")).toThrow("invalid lockfile: invalid event name");
  });
});
