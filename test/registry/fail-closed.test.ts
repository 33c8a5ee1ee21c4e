/**
 * The comparer fails closed: a JSON Schema keyword it does not model where it stands is an
 * UNSUPPORTED_KEYWORD finding that breaks both directions, never silently ignored. Each case is a
 * pair whose old schema accepts a witness document the new one rejects (checked with ajv): the
 * keywords the model understands must break backward through a rule, the others fail closed. The
 * catalogue's own schemas must never trip the rule, and no input may end in an internal error.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventcError } from "../../src/errors.js";
import { Algebra } from "../../src/registry/model/algebra.js";
import { DocumentReader } from "../../src/registry/model/read.js";
import type { JsonSchema } from "../../src/ir/types.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { compareRawSchemas, registryFromCatalogue } from "../../src/registry/check.js";
import { readLockfile } from "../../src/registry/lockfile.js";
import { allRules } from "../../src/registry/rules/index.js";
import { ROOT, runCli, workDir } from "../helpers.js";
import { toDraft07 } from "./support/raw-schema.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (ajv: Ajv2020 | Ajv) => void;
const ajv2020 = new Ajv2020({ strict: false });
addFormats(ajv2020);
const ajv07 = new Ajv({ strict: false });
addFormats(ajv07);

const object = (properties: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ title: "x.v1", type: "object", properties, ...extra });

interface Case {
  name: string;
  previous: JsonSchema;
  current: JsonSchema;
  /** Valid under `previous`, invalid under `current` (none for keywords no validator in use knows). */
  witness?: unknown;
  /** The UNSUPPORTED_KEYWORD findings expected, as `<pointer> <side>`. */
  unsupported: string[];
  /** Validate with draft-07 semantics (`dependencies`). */
  draft07?: boolean;
  /** The witness carries an undeclared field, which a tolerant producer never sends. */
  strictOnly?: boolean;
}

const STRINGS = { type: "array", items: { type: "string" } };
const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

/**
 * Keywords the comparer once failed closed on and now models: each pair's witness crosses
 * backward, and the verdict says so without an UNSUPPORTED_KEYWORD finding.
 */
const MODELLED: Case[] = [
  { name: "uniqueItems added", previous: object({ tags: STRINGS }), current: object({ tags: { ...STRINGS, uniqueItems: true } }), witness: { tags: ["a", "a"] }, unsupported: [] },
  { name: "minProperties added", previous: object({ a: { type: "string" } }), current: object({ a: { type: "string" } }, { minProperties: 1 }), witness: {}, unsupported: [] },
  { name: "maxProperties added", previous: object({ a: { type: "string" } }), current: object({ a: { type: "string" } }, { maxProperties: 0 }), witness: { a: "x" }, unsupported: [] },
  {
    name: "dependentRequired added",
    previous: object({ a: { type: "string" }, b: { type: "string" } }),
    current: object({ a: { type: "string" }, b: { type: "string" } }, { dependentRequired: { a: ["b"] } }),
    witness: { a: "x" },
    unsupported: [],
  },
  {
    name: "dependencies added",
    previous: object({ a: { type: "string" }, b: { type: "string" } }, { $schema: DRAFT_07 }),
    current: object({ a: { type: "string" }, b: { type: "string" } }, { $schema: DRAFT_07, dependencies: { a: ["b"] } }),
    witness: { a: "x" },
    unsupported: [],
    draft07: true,
  },
  { name: "contains added", previous: object({ tags: STRINGS }), current: object({ tags: { ...STRINGS, contains: { const: "x" } } }), witness: { tags: ["a"] }, unsupported: [] },
  {
    name: "minContains added",
    previous: object({ tags: { ...STRINGS, contains: { type: "string" } } }),
    current: object({ tags: { ...STRINGS, contains: { type: "string" }, minContains: 2 } }),
    witness: { tags: ["a"] },
    unsupported: [],
  },
  {
    name: "unevaluatedProperties added",
    previous: object({ a: { type: "string" } }),
    current: object({ a: { type: "string" } }, { unevaluatedProperties: false }),
    witness: { a: "x", b: 1 },
    unsupported: [],
    strictOnly: true,
  },
  {
    name: "items false after prefixItems",
    previous: object({ pair: { type: "array", prefixItems: [{ type: "string" }] } }),
    current: object({ pair: { type: "array", prefixItems: [{ type: "string" }], items: false } }),
    witness: { pair: ["a", 1] },
    unsupported: [],
  },
  {
    name: "required name not in properties",
    previous: object({ a: { type: "string" } }, { required: ["a"] }),
    current: object({ a: { type: "string" } }, { required: ["a", "b"] }),
    witness: { a: "x" },
    unsupported: [],
  },
  {
    name: "required on a field with a default",
    previous: object({ a: { type: "string", default: "x" } }),
    current: object({ a: { type: "string", default: "x" } }, { required: ["a"] }),
    witness: {},
    unsupported: [],
  },
  { name: "format int32 on an integer", previous: object({ n: { type: "integer" } }), current: object({ n: { type: "integer", format: "int32" } }), witness: { n: 2 ** 40 }, unsupported: [] },
  {
    name: "format on a string-or-integer",
    previous: object({ n: { type: ["string", "integer"] } }),
    current: object({ n: { type: ["string", "integer"], format: "int32" } }),
    witness: { n: 2 ** 40 },
    unsupported: [],
  },
  { name: "type beside const", previous: object({ k: { const: "a" } }), current: object({ k: { type: "number", const: "a" } }), witness: { k: "a" }, unsupported: [] },
  { name: "maxLength beside enum", previous: object({ k: { enum: ["aa", "b"] } }), current: object({ k: { enum: ["aa", "b"], maxLength: 1 } }), witness: { k: "aa" }, unsupported: [] },
  {
    name: "maxLength beside $ref",
    previous: object({ k: { $ref: "#/$defs/S" } }, { $defs: { S: { type: "string" } } }),
    current: object({ k: { $ref: "#/$defs/S", maxLength: 1 } }, { $defs: { S: { type: "string" } } }),
    witness: { k: "aa" },
    unsupported: [],
  },
  {
    name: "minimum beside anyOf",
    previous: object({ k: { anyOf: [{ type: "integer" }, { type: "string" }] } }),
    current: object({ k: { anyOf: [{ type: "integer" }, { type: "string" }], minimum: 5 } }),
    witness: { k: 1 },
    unsupported: [],
  },
  {
    name: "additionalProperties true to false without type",
    previous: object({ meta: { additionalProperties: true } }),
    current: object({ meta: { additionalProperties: false } }),
    witness: { meta: { x: 1 } },
    unsupported: [],
    strictOnly: true,
  },
  {
    name: "properties without type",
    previous: object({ meta: { properties: { a: { type: "string" } } } }),
    current: object({ meta: { type: "object", properties: { a: { type: "string" } } } }),
    witness: { meta: "not an object" },
    unsupported: [],
  },
  {
    name: "anyOf to oneOf over overlapping members",
    previous: object({ k: { anyOf: [{ type: "string" }, { type: "string", minLength: 1 }] } }),
    current: object({ k: { oneOf: [{ type: "string" }, { type: "string", minLength: 1 }] } }),
    witness: { k: "ab" },
    unsupported: [],
  },
  {
    name: "oneOf beside anyOf",
    previous: object({ k: { anyOf: [{ type: "string" }, { type: "number" }] } }),
    current: object({ k: { anyOf: [{ type: "string" }, { type: "number" }], oneOf: [{ type: "number" }] } }),
    witness: { k: "a" },
    unsupported: [],
  },
  {
    name: "enum keys without required",
    previous: object({ m: { type: "object", propertyNames: { enum: ["a", "b"] }, additionalProperties: { type: "number" } } }),
    current: object({ m: { type: "object", propertyNames: { enum: ["a", "b"] }, additionalProperties: { type: "number" }, required: ["a", "b"] } }),
    witness: { m: {} },
    unsupported: [],
  },
  {
    name: "a keyword in a named type",
    previous: object({ k: { $ref: "#/$defs/S" } }, { $defs: { S: STRINGS } }),
    current: object({ k: { $ref: "#/$defs/S" } }, { $defs: { S: { ...STRINGS, uniqueItems: true } } }),
    witness: { k: ["a", "a"] },
    unsupported: [],
  },
  { name: "allOf added", previous: object({ k: { type: "string" } }), current: object({ k: { type: "string", allOf: [{ minLength: 2 }] } }), witness: { k: "a" }, unsupported: [] },
  { name: "not added", previous: object({ k: { type: "string" } }), current: object({ k: { type: "string", not: { const: "a" } } }), witness: { k: "a" }, unsupported: [] },
  {
    name: "if/then added",
    previous: object({ k: { type: "string" } }),
    current: object({ k: { type: "string", if: { const: "a" }, then: { minLength: 2 } } }),
    witness: { k: "a" },
    unsupported: [],
  },
  {
    name: "patternProperties added",
    previous: object({ a: { type: "string" } }),
    current: object({ a: { type: "string" } }, { patternProperties: { "^x": { type: "number" } } }),
    witness: { a: "s", xy: "s" },
    unsupported: [],
    strictOnly: true,
  },
  {
    name: "dependentSchemas added",
    previous: object({ a: { type: "string" } }),
    current: object({ a: { type: "string" } }, { dependentSchemas: { a: { required: ["b"] } } }),
    witness: { a: "s" },
    unsupported: [],
  },
  {
    name: "unevaluatedProperties beside anyOf",
    previous: object({ a: { type: "string" } }),
    current: object({ a: { type: "string" } }, { anyOf: [{ required: ["a"] }, { properties: { b: { type: "number" } }, required: ["b"] }], unevaluatedProperties: false }),
    witness: { a: "x", c: 1 },
    unsupported: [],
    strictOnly: true,
  },
  {
    name: "unevaluatedProperties beside oneOf",
    previous: object({ a: { type: "string" } }, { oneOf: [{ properties: { k: { const: 1 } }, required: ["k"] }, { properties: { k: { const: 2 }, b: { type: "string" } }, required: ["k"] }] }),
    current: object({ a: { type: "string" } }, { oneOf: [{ properties: { k: { const: 1 } }, required: ["k"] }, { properties: { k: { const: 2 }, b: { type: "string" } }, required: ["k"] }], unevaluatedProperties: false }),
    witness: { k: 1, b: "x" },
    unsupported: [],
    strictOnly: true,
  },
  {
    name: "unevaluatedProperties beside dependentSchemas",
    previous: object({ a: { type: "string" } }, { dependentSchemas: { a: { properties: { b: { type: "number" } } } } }),
    current: object({ a: { type: "string" } }, { dependentSchemas: { a: { properties: { b: { type: "number" } } } }, unevaluatedProperties: false }),
    witness: { b: 1 },
    unsupported: [],
    strictOnly: true,
  },
  {
    name: "unevaluatedItems beside $ref",
    previous: object({ pair: { $ref: "#/$defs/Pair" } }, { $defs: { Pair: { type: "array", prefixItems: [{ type: "string" }] } } }),
    current: object({ pair: { $ref: "#/$defs/Pair", unevaluatedItems: false } }, { $defs: { Pair: { type: "array", prefixItems: [{ type: "string" }] } } }),
    witness: { pair: ["a", 1] },
    unsupported: [],
  },
  {
    name: "unevaluatedItems beside allOf",
    previous: object({ pair: { allOf: [{ prefixItems: [{ type: "string" }, { type: "number" }] }] } }),
    current: object({ pair: { allOf: [{ prefixItems: [{ type: "string" }, { type: "number" }] }], unevaluatedItems: { type: "boolean" } } }),
    witness: { pair: ["a", 1, "b"] },
    unsupported: [],
  },
  {
    name: "unevaluatedProperties beside if/then",
    previous: object({ a: { type: "string" } }, { if: { required: ["a"] }, then: { properties: { b: { type: "string" } } } }),
    current: object({ a: { type: "string" } }, { if: { required: ["a"] }, then: { properties: { b: { type: "string" } } }, unevaluatedProperties: false }),
    witness: { b: "x" },
    unsupported: [],
    strictOnly: true,
  },
  { name: "unevaluatedProperties beside not", previous: object({ a: { type: "string" } }), current: object({ a: { type: "string" } }, { not: { required: ["b"] }, unevaluatedProperties: false }), witness: { a: "x", c: 1 }, unsupported: [], strictOnly: true },
  { name: "not over uniqueItems", previous: object({ tags: STRINGS }), current: object({ tags: { ...STRINGS, not: { uniqueItems: true } } }), witness: { tags: ["a"] }, unsupported: [] },
  { name: "a false schema", previous: object({ k: { type: "string" } }), current: object({ k: false }), witness: { k: "a" }, unsupported: [] },
];

/** Keywords (or combinations) the model still has no form for: they fail closed. */
const UNSUPPORTED: Case[] = [
  {
    name: "unevaluatedProperties beside more than three dependentSchemas",
    previous: object({ a: { type: "string" } }),
    current: object(
      { a: { type: "string" } },
      { dependentSchemas: Object.fromEntries(["a", "b", "c", "d"].map((key) => [key, { properties: { [`${key}2`]: { type: "number" } } }])), unevaluatedProperties: false },
    ),
    witness: { a: "x", e: 1 },
    unsupported: ["/unevaluatedProperties current"],
  },
  {
    name: "unevaluatedItems beside contains",
    previous: object({ tags: { type: "array", contains: { const: "x" } } }),
    current: object({ tags: { type: "array", contains: { const: "x" }, unevaluatedItems: false } }),
    unsupported: ["/properties/tags/unevaluatedItems current"],
  },
  {
    name: "unevaluatedItems beside anyOf",
    previous: object({ tags: { type: "array", anyOf: [{ prefixItems: [{ type: "string" }] }, { maxItems: 0 }] } }),
    current: object({ tags: { type: "array", anyOf: [{ prefixItems: [{ type: "string" }] }, { maxItems: 0 }], unevaluatedItems: false } }),
    witness: { tags: ["a", "b"] },
    unsupported: ["/properties/tags/unevaluatedItems current"],
  },
  {
    name: "keywords beside $ref in draft-07",
    previous: object({ k: { $ref: "#/definitions/S" } }, { $schema: DRAFT_07, definitions: { S: { type: "string" } } }),
    current: object({ k: { $ref: "#/definitions/S", maxLength: 1 } }, { $schema: DRAFT_07, definitions: { S: { type: "string" } } }),
    witness: { k: "aa" },
    unsupported: ["/properties/k/maxLength current"],
    draft07: true,
  },
  {
    name: "a 2020-12 keyword in a draft-07 schema",
    previous: object({ pair: { type: "array" } }, { $schema: DRAFT_07 }),
    current: object({ pair: { type: "array", prefixItems: [{ type: "string" }] } }, { $schema: DRAFT_07 }),
    unsupported: ["/properties/pair/prefixItems current"],
    draft07: true,
  },
  { name: "a reference outside the document", previous: object({ k: { type: "string" } }), current: object({ k: { $ref: "other.json#/S" } }), unsupported: ["/properties/k/$ref current"] },
  {
    name: "keywords no validator in use knows",
    previous: object({ k: { type: "string" } }),
    current: object({ k: { type: "string", contentMediaType: "application/json", "x-max": 1 } }),
    unsupported: ["/properties/k/contentMediaType current", "/properties/k/x-max current"],
  },
];

const ALL_BROKEN = { backward: false, forward: false, full: false, "backward-transitive": false, "forward-transitive": false, "full-transitive": false, none: true };

/** The witness is valid under the previous schema and invalid under the current one (checked with ajv). */
function premise({ previous, current, witness, draft07 }: Case): void {
  if (witness === undefined) return;
  const ajv = draft07 ? ajv07 : ajv2020;
  expect(ajv.validate(previous, witness), `witness ${JSON.stringify(witness)}`).toBe(true);
  expect(ajv.validate(current, witness), `witness ${JSON.stringify(witness)}`).toBe(false);
}

describe("keywords the comparer models: the witness crosses backward, no keyword is reported unsupported", () => {
  it.each(MODELLED)("$name", (each) => {
    premise(each);
    for (const policy of ["strict", "tolerant"] as const) {
      const result = compareRawSchemas(each.previous, each.current, { policy, mode: "full", label: "x.v1" });
      expect(result.findings.filter((finding) => finding.rule === "UNSUPPORTED_KEYWORD")).toEqual([]);
      // A tolerant producer sends no undeclared field: closing an open object breaks only strict readers.
      if (policy === "tolerant" && each.strictOnly) continue;
      expect(result.verdicts.backward, JSON.stringify(result.findings)).toBe(false);
      expect(result.findings.some((finding) => finding.breaks.includes("backward"))).toBe(true);
    }
  });
});

/** Keywords draft-07 does not have (a draft-07 document holding one fails closed: see UNSUPPORTED). */
const ONLY_2020 = ["unevaluatedProperties", "unevaluatedItems", "minContains", "maxContains"];
const mentions = (node: unknown, keys: string[]): boolean =>
  typeof node === "object" && node !== null && Object.entries(node).some(([key, value]) => keys.includes(key) || mentions(value, keys));
/** Keywords beside `$ref`, which draft-07 ignores (and the comparer fails closed on there). */
const refWithSiblings = (node: unknown): boolean =>
  typeof node === "object" && node !== null && (("$ref" in node && Object.keys(node).length > 1) || Object.values(node).some(refWithSiblings));

describe("the same keywords written in draft-07 compare the same way", () => {
  const drafted = MODELLED.filter((each) => !each.draft07 && ![each.previous, each.current].some((side) => mentions(side, ONLY_2020) || refWithSiblings(side)));
  it("covers the modelled cases draft-07 can state", () => {
    expect(drafted.length).toBeGreaterThanOrEqual(20);
  });
  it.each(drafted)("$name", (each) => {
    const previous = toDraft07(each.previous);
    const current = toDraft07(each.current);
    premise({ ...each, previous, current, draft07: true });
    for (const policy of ["strict", "tolerant"] as const) {
      const result = compareRawSchemas(previous, current, { policy, mode: "full", label: "x.v1" });
      expect(result.findings.filter((finding) => finding.rule === "UNSUPPORTED_KEYWORD")).toEqual([]);
      const written2020 = compareRawSchemas(each.previous, each.current, { policy, mode: "full", label: "x.v1" });
      expect(result.verdicts).toEqual(written2020.verdicts);
      expect(result.findings.map((finding) => `${finding.rule} ${finding.path}`)).toEqual(written2020.findings.map((finding) => `${finding.rule} ${finding.path}`));
    }
  });
});

describe("UNSUPPORTED_KEYWORD: no keyword is silently ignored", () => {
  it.each(UNSUPPORTED)("$name", (each) => {
    premise(each);
    for (const policy of ["strict", "tolerant"] as const) {
      const result = compareRawSchemas(each.previous, each.current, { policy, mode: "full", label: "x.v1" });
      expect(result.compatible).toBe(false);
      expect(result.verdicts).toEqual(ALL_BROKEN);
      const found = result.findings.filter((finding) => finding.rule === "UNSUPPORTED_KEYWORD");
      const side = (message: string): string => (message.startsWith("Both") ? "both" : message.startsWith("The previous") ? "previous" : "current");
      expect(found.map((finding) => `${finding.path} ${side(finding.message)}`).sort()).toEqual([...each.unsupported].sort());
      for (const finding of found) {
        expect(finding.breaks).toEqual(["backward", "forward"]);
        expect(finding.severity).toBe("error");
        expect(finding.message).toContain(`at "${finding.path}"`);
      }
    }
  });

  it("words the finding as one sentence naming the keyword, where it stands and why", () => {
    const [unknown, beside] = [UNSUPPORTED.at(-1)!, UNSUPPORTED[0]!];
    expect(compareRawSchemas(unknown.previous, unknown.current, { policy: "strict", mode: "full", label: "x.v1" }).findings[0]).toEqual({
      rule: "UNSUPPORTED_KEYWORD",
      severity: "error",
      event: "x.v1",
      version: null,
      path: "/properties/k/contentMediaType",
      message: `The current schema of "x.v1" uses keyword "contentMediaType" at "/properties/k/contentMediaType", which the comparer does not model there; compatibility cannot be decided.`,
      breaks: ["backward", "forward"],
      transitive: false,
      mode: "full",
    });
    expect(compareRawSchemas(beside.previous, beside.current, { policy: "strict", mode: "backward", label: "x.v1" }).findings.filter((finding) => finding.rule === "UNSUPPORTED_KEYWORD").map((finding) => finding.message)).toEqual([
      `The current schema of "x.v1" uses keyword "unevaluatedProperties" at "/unevaluatedProperties", which the comparer does not model there (it stands beside "dependentSchemas", whose evaluated properties the comparer does not track); compatibility cannot be decided.`,
    ]);
  });

  it("counts in every mode that enforces a direction, even when nothing else changed", () => {
    const schema = object({ tags: { ...STRINGS, contentMediaType: "text/plain" } });
    const changed = object({ tags: { ...STRINGS, contentMediaType: "text/plain" }, note: { type: "string" } });
    for (const mode of ["backward", "forward", "full", "backward-transitive", "forward-transitive", "full-transitive"] as const) {
      const result = compareRawSchemas(schema, changed, { policy: "tolerant", mode, label: "x.v1" });
      expect(result.compatible, mode).toBe(false);
      expect(result.findings.map((finding) => `${finding.rule} ${finding.severity}`)).toEqual(["FIELD_ADDED info", "UNSUPPORTED_KEYWORD error"]);
    }
    // Equal documents are compatible whatever they hold.
    expect(compareRawSchemas(schema, structuredClone(schema), { policy: "strict", mode: "full", label: "x.v1" }).findings).toEqual([]);
  });

  it("consumes what the dialects eventc reads emit: annotations, type beside a matching const or enum, closed tuples, exclusive oneOf", () => {
    const modelled: JsonSchema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "x.v1.json",
      title: "x.v1",
      description: "d",
      $comment: "c",
      type: "object",
      properties: {
        k: { type: "string", const: "a", examples: ["a"], deprecated: true },
        e: { type: ["string", "null"], enum: ["a", "b", null] },
        n: { type: "integer", const: 3 },
        t: { type: "array", prefixItems: [{ type: "string" }], items: false, minItems: 1, maxItems: 1 },
        v3: { type: "array", items: [{ type: "string" }], minItems: 1, maxItems: 1 },
        r: { type: "array", prefixItems: [{ type: "string" }], items: { type: "number" }, minItems: 1 },
        u: {
          oneOf: [
            { type: "object", properties: { t: { type: "string", const: "a" } }, required: ["t"] },
            { type: "object", properties: { t: { type: "string", const: "b" }, x: { type: "number" } }, required: ["t"], additionalProperties: false },
            { type: "null" },
          ],
        },
        one: { oneOf: [{ type: "string" }, { type: "null" }] },
        m: { type: "object", propertyNames: { type: "string", enum: ["a", "b"] }, additionalProperties: { type: "number" }, required: ["b", "a"] },
        d: { type: "string", default: "x", readOnly: true },
        any: true,
      },
      required: ["k"],
      $defs: { Unused: { uniqueItems: true, "x-unread": 1 } },
    };
    expect(unreadOf(modelled)).toEqual([]);
  });
});

/** What the registry's reader leaves unread in a document, as `<pointer> (<reason>)`. */
function unreadOf(schema: JsonSchema): string[] {
  const reader = new DocumentReader(schema, "previous", "x.v1");
  reader.algebra = new Algebra({ resolve: (ref) => reader.target(ref.pointer) });
  reader.readRoot();
  return reader.unread().map((unread) => `${unread.pointer}${unread.reason ? ` (${unread.reason})` : ""}`);
}

describe("the catalogue's own schemas never trip UNSUPPORTED_KEYWORD", () => {
  it("the repository's eventc.lock.json, current and earlier schemas", () => {
    const registry = readLockfile(path.join(ROOT, "eventc.lock.json"));
    for (const event of registry.events) {
      for (const version of event.versions) {
        for (const schema of [version.schema, ...version.history.map((entry) => entry.schema)]) expect(unreadOf(schema), `${event.name}.v${version.version}`).toEqual([]);
      }
    }
  });

  it("the catalogues of the rule cases and the golden JSON Schemas", async () => {
    const rules = path.join(HERE, "rules");
    for (const name of readdirSync(rules).sort()) {
      for (const side of ["previous", "current"]) {
        const folder = path.join(rules, name, side);
        if (existsSync(path.join(folder, "schema.json"))) continue;
        const registry = registryFromCatalogue(await loadCatalogue({ schemasDir: folder, cwd: path.join(rules, name) }));
        for (const event of registry.events) for (const version of event.versions) expect(unreadOf(version.schema), `${name}/${side} ${event.name}.v${version.version}`).toEqual([]);
      }
    }
    const cases = path.join(ROOT, "test", "cases");
    for (const name of readdirSync(cases).sort()) {
      const folder = path.join(cases, name, "expected", "jsonschema");
      if (!existsSync(folder)) continue;
      for (const file of readdirSync(folder).filter((entry) => /\.v\d+\.json$/.test(entry))) {
        expect(unreadOf(JSON.parse(readFileSync(path.join(folder, file), "utf8")) as JsonSchema), `${name}/${file}`).toEqual([]);
      }
    }
  });
});

describe("no input ends in an internal error", () => {
  const KEYWORDS = [
    "type", "properties", "required", "items", "prefixItems", "additionalProperties", "anyOf", "oneOf", "enum", "const", "$ref", "minimum", "maxLength", "uniqueItems", "propertyNames",
    "default", "$defs", "additionalItems", "minItems", "maxItems", "format", "definitions", "allOf", "not", "if", "then", "else", "patternProperties", "dependentRequired",
    "dependentSchemas", "dependencies", "contains", "minContains", "maxContains", "unevaluatedProperties", "unevaluatedItems", "minProperties", "maxProperties", "multipleOf",
    "exclusiveMinimum", "pattern", "$schema",
  ];
  const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom(null, true, false, 0, 1, -1.5, 0.5, "", "a", "^a", "(", "string", "object", "array", "null", "integer", "#", "#/$defs/A", "#/properties/a", "#/$defs/%E0", "__proto__", "constructor", "http://json-schema.org/draft-07/schema#"),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...KEYWORDS, "a", "A", "__proto__", "toString"), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

  it("compares arbitrary JSON shaped like schemas, or rejects it with an input error", () => {
    let compared = 0;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...KEYWORDS), json, { maxKeys: 5 }), fc.dictionary(fc.constantFrom(...KEYWORDS), json, { maxKeys: 5 }), (previous, current) => {
        try {
          compareRawSchemas(previous as JsonSchema, current as JsonSchema, { policy: "strict", mode: "full", label: "x.v1" });
          compared++;
        } catch (error) {
          if (!(error instanceof EventcError)) throw error;
        }
      }),
      { numRuns: 4000, seed: 7 },
    );
    expect(compared).toBeGreaterThan(100);
  });

  it("a true property schema, a $ref cycle and a deeply nested document", () => {
    const result = compareRawSchemas(object({ a: true }), object({ a: { type: "string" } }), { policy: "strict", mode: "full", label: "x.v1" });
    expect(result.findings.map((finding) => finding.rule)).toEqual(["FIELD_TYPE_NARROWED"]);
    const cycle = object({ a: { $ref: "#/$defs/A" } }, { $defs: { A: { $ref: "#/$defs/B" }, B: { $ref: "#/$defs/A" } } });
    expect(() => compareRawSchemas(cycle, object({ a: { type: "string" } }), { policy: "strict", mode: "full", label: "x.v1" })).toThrow(EventcError);
    let deep: JsonSchema = { type: "string" };
    for (let level = 0; level < 20000; level++) deep = { type: "array", items: deep };
    expect(() => compareRawSchemas(object({ a: deep }), object({ a: { type: "string" } }), { policy: "strict", mode: "full", label: "x.v1" })).toThrow(EventcError);
  });
});

describe("dialects", () => {
  it("reads draft-07 and 2020-12 by $schema, side by side, and refuses any other $schema with a clear input error", () => {
    const draft07 = object({ pair: { type: "array", items: [{ type: "string" }], additionalItems: false } }, { $schema: DRAFT_07 });
    const draft2020 = object({ pair: { type: "array", prefixItems: [{ type: "string" }], items: false } }, { $schema: "https://json-schema.org/draft/2020-12/schema" });
    expect(compareRawSchemas(draft07, draft2020, { policy: "strict", mode: "full", label: "x.v1" }).findings).toEqual([]);
    const draft04 = object({ a: { type: "string" } }, { $schema: "http://json-schema.org/draft-04/schema#" });
    expect(() => compareRawSchemas(draft04, object({ a: { type: "number" } }), { policy: "strict", mode: "full", label: "x.v1" })).toThrow(
      new EventcError(
        `the JSON Schema of "x.v1" declares "$schema": "http://json-schema.org/draft-04/schema#", a dialect the comparer does not read; use draft-07 ("http://json-schema.org/draft-07/schema#") or 2020-12 ("https://json-schema.org/draft/2020-12/schema")`,
      ),
    );
    const dir = workDir("dialects");
    writeFileSync(path.join(dir, "old.json"), JSON.stringify(draft04));
    writeFileSync(path.join(dir, "new.json"), JSON.stringify(object({ a: { type: "number" } })));
    const diff = runCli(["diff", "old.json", "new.json"], dir);
    expect(diff.status).toBe(2);
    expect(diff.stderr).toContain(`declares "$schema": "http://json-schema.org/draft-04/schema#", a dialect the comparer does not read`);
  });
});

describe("eventc diff and eventc rules", () => {
  it("exits 1 with the finding, and lists the rule", () => {
    const dir = workDir("fail-closed");
    const write = (file: string, schema: JsonSchema): void => {
      const full = path.join(dir, file);
      writeFileSync(full, JSON.stringify(schema));
    };
    const unknown = UNSUPPORTED.at(-1)!;
    write("old.json", unknown.previous);
    write("new.json", unknown.current);
    const diff = runCli(["diff", "old.json", "new.json"], dir);
    expect(diff.stderr).toBe("");
    expect(diff.status).toBe(1);
    expect(diff.stdout.split("\n")[0]).toBe(
      `error   The current schema of "x.v1" uses keyword "contentMediaType" at "/properties/k/contentMediaType", which the comparer does not model there; compatibility cannot be decided. (breaks backward and forward) [UNSUPPORTED_KEYWORD]`,
    );
    write("true.json", object({ a: true }));
    write("string.json", object({ a: { type: "string" } }));
    const trueSchema = runCli(["diff", "true.json", "string.json"], dir);
    expect(trueSchema.stderr).toBe("");
    expect(trueSchema.status).toBe(1);
    expect(allRules.find((rule) => rule.id === "UNSUPPORTED_KEYWORD")).toEqual({
      id: "UNSUPPORTED_KEYWORD",
      family: "keyword",
      purpose: "A schema holds a JSON Schema keyword the comparer does not model where it stands: the change cannot be judged, so it fails closed.",
      breaks: ["backward", "forward"],
    });
    expect(runCli(["rules"], dir).stdout).toContain("UNSUPPORTED_KEYWORD");
  });
});
