/**
 * Random JSON Schema documents over the whole vocabulary the registry compares — applicators
 * (allOf, anyOf, oneOf, not, if/then/else, boolean schemas), objects (properties, required names in
 * and out of properties, additionalProperties with and without `type`, patternProperties,
 * propertyNames, property counts, dependencies, unevaluatedProperties), arrays (prefixItems/items,
 * contains with counts, uniqueItems, lengths, unevaluatedItems), values (type lists, const/enum of
 * any JSON value, multipleOf, bounds, pattern, format) and references ($defs, recursion) — in
 * 2020-12 or draft-07; mutations of them (the "current" side of a pair); and candidate documents
 * for a schema, drawn from the schema itself (never from the comparer's model) and from a small
 * universe of values, for ajv to sort into valid and invalid.
 */
import fc from "fast-check";
import type { JsonSchema } from "../../../src/ir/types.js";

export type Dialect = "2020-12" | "draft-07";

const KEYS = ["a", "b", "c", "x_1"];
const KEY_PATTERNS = ["^x_", "^[ab]$"];
/** String patterns with strings known to match them (and the universe has strings that do not). */
export const PATTERNS: Record<string, string[]> = { "^[a-c]*$": ["", "a", "abc", "cab"], "^x": ["x", "xy", "x_1"], b: ["b", "ab", "abc"] };
export const FORMATS: Record<string, string[]> = { uuid: ["123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"], date: ["2024-01-31", "1999-12-01"] };
export const SCALARS: unknown[] = [null, true, false, 0, 1, 2, -1, 3, 4, 2.5, -0.5, "", "a", "ab", "abc", "x", "xy", "x_1", "b"];
const UNIVERSE: unknown[] = [...SCALARS, [], [1], ["a"], ["a", "a"], [1, "a"], [[]], [{}], {}, { a: 1 }, { b: "x" }, { a: "a", b: 2 }, { x_1: 1 }, { c: null }, { a: [], c: "x" }, { b: {} }];
const TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"];
const DEFS = ["D1", "D2"];

const pickValue = fc.constantFrom(...UNIVERSE);
const small = fc.integer({ min: -2, max: 4 });
const count = fc.integer({ min: 0, max: 3 });
/** `arb` one time in `rarity + 1`, else absent. */
const opt = <T>(arb: fc.Arbitrary<T>, rarity = 2): fc.Arbitrary<T | undefined> => fc.oneof({ weight: rarity, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

function clean(schema: Record<string, unknown>): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined)) as JsonSchema;
}

// A format stands alone (real schemas rarely bound the length of a uuid or a date).
const stringArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ minLength: opt(count), maxLength: opt(fc.integer({ min: 0, max: 4 })), pattern: opt(fc.constantFrom(...Object.keys(PATTERNS)), 4) }).map((keywords) => clean({ type: "string", ...keywords })) },
  { weight: 1, arbitrary: fc.constantFrom(...Object.keys(FORMATS)).map((format) => ({ type: "string", format })) },
);

const numberArb = fc
  .record({ type: fc.constantFrom("integer", "number"), minimum: opt(small), maximum: opt(small), exclusiveMinimum: opt(small, 5), exclusiveMaximum: opt(small, 5), multipleOf: opt(fc.constantFrom(2, 3, 0.5), 4) })
  .map((keywords) => clean(keywords));

const typeArb = fc.oneof(fc.constantFrom(...TYPES), fc.subarray(TYPES, { minLength: 1, maxLength: 3 }));

const leafArb: fc.Arbitrary<JsonSchema | boolean> = fc.oneof(
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: typeArb.map((type) => ({ type })) },
  { weight: 2, arbitrary: pickValue.map((value) => ({ const: value })) },
  { weight: 2, arbitrary: fc.uniqueArray(pickValue, { minLength: 1, maxLength: 4, selector: (value) => JSON.stringify(value) }).map((values) => ({ enum: values })) },
  { weight: 3, arbitrary: stringArb },
  { weight: 3, arbitrary: numberArb },
  { weight: 1, arbitrary: fc.record({ minLength: opt(count), minimum: opt(small), maxItems: opt(count) }).map((keywords) => clean(keywords)) },
  { weight: 2, arbitrary: fc.constantFrom(...DEFS).map((name) => ({ $ref: `#/$defs/${name}` })) },
);

function arrayArb(inner: fc.Arbitrary<JsonSchema | boolean>): fc.Arbitrary<JsonSchema> {
  return fc
    .record({
      typed: fc.boolean(),
      prefixItems: opt(fc.array(inner, { minLength: 1, maxLength: 2 }), 3),
      items: opt(fc.oneof(inner, fc.boolean()), 1),
      minItems: opt(count, 3),
      maxItems: opt(fc.integer({ min: 0, max: 4 }), 3),
      contains: opt(inner, 5),
      minContains: opt(count, 3),
      maxContains: opt(fc.integer({ min: 1, max: 3 }), 6),
      uniqueItems: opt(fc.boolean(), 5),
      unevaluatedItems: opt(fc.oneof(fc.constant(false), inner), 10),
    })
    // Validators differ on which items `contains` evaluates: unevaluatedItems beside it fails closed, so it is rare here.
    .map(({ typed, ...keywords }) => clean({ ...(typed ? { type: "array" } : {}), ...keywords, unevaluatedItems: keywords.contains === undefined ? keywords.unevaluatedItems : undefined }));
}

function objectArb(inner: fc.Arbitrary<JsonSchema | boolean>): fc.Arbitrary<JsonSchema> {
  return fc
    .record({
      typed: fc.boolean(),
      names: fc.subarray(KEYS),
      values: fc.array(inner, { minLength: 4, maxLength: 4 }),
      required: opt(fc.subarray(KEYS, { minLength: 1 }), 1),
      additionalProperties: opt(fc.oneof(fc.boolean(), inner), 2),
      patternProperties: opt(fc.constantFrom(...KEY_PATTERNS).chain((pattern) => inner.map((schema) => ({ [pattern]: schema }))), 5),
      propertyNames: opt(fc.oneof(fc.constant<JsonSchema>({ maxLength: 1 }), fc.constant<JsonSchema>({ enum: ["a", "b", "x_1"] }), fc.constant<JsonSchema>({ pattern: "^[a-c]*$" })), 7),
      minProperties: opt(count, 7),
      maxProperties: opt(fc.integer({ min: 0, max: 3 }), 7),
      dependentRequired: opt(fc.constantFrom(...KEYS).chain((key) => fc.subarray(KEYS, { minLength: 1, maxLength: 2 }).map((names) => ({ [key]: names }))), 7),
      dependentSchemas: opt(fc.constantFrom(...KEYS).chain((key) => inner.map((schema) => ({ [key]: schema }))), 9),
      unevaluatedProperties: opt(fc.oneof(fc.constant(false), inner), 10),
    })
    .map(({ typed, names, values, ...keywords }) =>
      clean({ ...(typed ? { type: "object" } : {}), properties: names.length > 0 ? Object.fromEntries(names.map((name, index) => [name, values[index]!])) : undefined, ...keywords }),
    );
}

const schemaArb: fc.Arbitrary<JsonSchema | boolean> = fc.letrec<{ node: JsonSchema | boolean }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 8, arbitrary: leafArb },
    { weight: 3, arbitrary: objectArb(tie("node")) },
    { weight: 2, arbitrary: arrayArb(tie("node")) },
    { weight: 1, arbitrary: fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((members) => ({ anyOf: members })) },
    { weight: 1, arbitrary: fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((members) => ({ oneOf: members })) },
    { weight: 1, arbitrary: fc.array(tie("node"), { minLength: 2, maxLength: 2 }).map((members) => ({ allOf: members })) },
    { weight: 1, arbitrary: leafArb.map((inner) => ({ not: inner })) },
    { weight: 1, arbitrary: fc.tuple(tie("node"), opt(tie("node"), 1), opt(tie("node"), 1)).map(([condition, then, otherwise]) => clean({ if: condition, then, else: otherwise })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...DEFS), tie("node")).map(([name, sibling]) => (typeof sibling === "object" && !("$ref" in sibling) ? { $ref: `#/$defs/${name}`, ...sibling } : { $ref: `#/$defs/${name}` })) },
  ),
})).node;

/**
 * A definition: an object or array (so a reference cycle always passes a property or an item).
 * Without `contains`: ajv 8 ignores `contains` in a schema that references itself (`[]` passes
 * `{ "prefixItems": [{ "$ref": "#/$defs/D1" }], "contains": … }` as D1), and a validator's defect
 * must not read as the comparer's.
 */
const defArb = fc.oneof(objectArb(schemaArb), arrayArb(schemaArb)).map((schema) => withoutContains(schema) as JsonSchema);

function withoutContains(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutContains);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== "contains" && key !== "minContains" && key !== "maxContains").map(([key, value]) => [key, withoutContains(value)]));
}

/** A 2020-12 document: a root object schema with two definitions that may reference each other. */
export const rawDocument: fc.Arbitrary<JsonSchema> = fc.record({ root: objectArb(schemaArb), d1: defArb, d2: defArb }).map(({ root, d1, d2 }) => ({ ...root, $defs: { D1: d1, D2: d2 } }));

/** Every schema object of a document (with a way to replace it), definitions included. */
export function schemaSites(document: JsonSchema): Array<{ get(): unknown; set(value: unknown): void }> {
  const sites: Array<{ get(): unknown; set(value: unknown): void }> = [];
  const visit = (holder: Record<string, unknown> | unknown[], key: string | number): void => {
    const node = (holder as Record<string, unknown>)[key as string];
    sites.push({ get: () => (holder as Record<string, unknown>)[key as string], set: (value) => ((holder as Record<string, unknown>)[key as string] = value) });
    if (typeof node !== "object" || node === null || Array.isArray(node)) return;
    const schema = node as Record<string, unknown>;
    for (const keyword of ["items", "additionalItems", "contains", "not", "if", "then", "else", "propertyNames", "additionalProperties", "unevaluatedProperties", "unevaluatedItems"]) {
      if (schema[keyword] !== undefined && !Array.isArray(schema[keyword])) visit(schema, keyword);
    }
    for (const keyword of ["prefixItems", "items", "allOf", "anyOf", "oneOf"]) {
      if (Array.isArray(schema[keyword])) (schema[keyword] as unknown[]).forEach((_, index) => visit(schema[keyword] as unknown[], index));
    }
    for (const keyword of ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"]) {
      const map = schema[keyword];
      if (typeof map === "object" && map !== null) for (const name of Object.keys(map)) visit(map as Record<string, unknown>, name);
    }
  };
  const box = { root: document };
  visit(box, "root");
  return sites;
}

function bump(value: unknown, n: number): number {
  return typeof value === "number" ? value + (n % 2 === 0 ? 1 : -1) : n % 4;
}

/** One edit of a schema object, chosen by `what` and `n`. */
function edit(node: unknown, what: number, n: number, fresh: JsonSchema | boolean): unknown {
  if (typeof node !== "object" || node === null) return what % 3 === 0 ? fresh : { anyOf: [node, fresh] };
  const schema = { ...(node as JsonSchema) };
  const keyword = (keys: string[]): string => keys[n % keys.length]!;
  switch (what % 14) {
    case 0:
      return fresh;
    case 1:
      return { anyOf: [schema, fresh] };
    case 2:
      return { allOf: [schema, fresh] };
    case 3: {
      const key = keyword(["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "exclusiveMinimum", "minContains"]);
      if (n % 5 === 0) delete schema[key];
      else schema[key] = Math.max(0, bump(schema[key], n));
      return schema;
    }
    case 4: {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const name = keyword(KEYS);
      if (required.has(name)) required.delete(name);
      else required.add(name);
      schema.required = [...required];
      return schema;
    }
    case 5: {
      const properties = { ...((schema.properties as JsonSchema | undefined) ?? {}) };
      const name = keyword(KEYS);
      if (name in properties && n % 2 === 0) delete properties[name];
      else properties[name] = fresh;
      schema.properties = properties;
      return schema;
    }
    case 6:
      schema.additionalProperties = [undefined, true, false, { type: "string" }, fresh][n % 5];
      if (schema.additionalProperties === undefined) delete schema.additionalProperties;
      return schema;
    case 7:
      if (Array.isArray(schema.anyOf)) {
        schema.oneOf = schema.anyOf;
        delete schema.anyOf;
      } else if (Array.isArray(schema.oneOf)) {
        schema.anyOf = schema.oneOf;
        delete schema.oneOf;
      } else schema.not = fresh;
      return schema;
    case 8:
      for (const list of ["anyOf", "oneOf", "allOf", "prefixItems", "enum"]) {
        if (Array.isArray(schema[list]) && (schema[list] as unknown[]).length > 1) {
          schema[list] = (schema[list] as unknown[]).filter((_, index) => index !== n % (schema[list] as unknown[]).length);
          return schema;
        }
      }
      schema.enum = [UNIVERSE[n % UNIVERSE.length], UNIVERSE[(n * 7) % UNIVERSE.length]];
      return schema;
    case 9:
      if (Array.isArray(schema.prefixItems)) schema.prefixItems = [...(schema.prefixItems as unknown[]), fresh];
      else schema.items = [true, false, fresh][n % 3];
      return schema;
    case 10:
      schema.uniqueItems = !schema.uniqueItems;
      if (n % 2 === 0) schema.contains = fresh;
      return schema;
    case 11: {
      const types = Array.isArray(schema.type) ? [...(schema.type as string[])] : typeof schema.type === "string" ? [schema.type] : [];
      const type = keyword(TYPES);
      schema.type = types.includes(type) ? types.filter((each) => each !== type) : [...types, type];
      if ((schema.type as string[]).length === 0) delete schema.type;
      return schema;
    }
    case 12:
      if (n % 3 === 0) schema.patternProperties = { [keyword(KEY_PATTERNS)]: fresh };
      else if (n % 3 === 1) schema.dependentRequired = { [keyword(KEYS)]: [KEYS[(n + 1) % KEYS.length]!] };
      else schema.propertyNames = { maxLength: 1 + (n % 3) };
      return schema;
    default:
      if (Object.hasOwn(schema, "const")) schema.const = UNIVERSE[n % UNIVERSE.length];
      else if (typeof schema.pattern === "string") schema.pattern = Object.keys(PATTERNS)[n % 3];
      else schema.format = Object.keys(FORMATS)[n % 2];
      return schema;
  }
}

export const mutationArb = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), leafArb), { minLength: 1, maxLength: 3 });

/** The document after each edit in turn (the root stays an object schema). */
export function mutateDocument(document: JsonSchema, edits: Array<[number, number, number, JsonSchema | boolean]>): JsonSchema {
  const copy = structuredClone(document);
  for (const [where, what, n, fresh] of edits) {
    const sites = schemaSites(copy);
    const site = sites[where % sites.length]!;
    if (site === sites[0]) {
      const { $defs, ...root } = copy;
      const edited = edit(root, what, n, structuredClone(fresh));
      if (typeof edited !== "object" || edited === null) continue;
      for (const key of Object.keys(copy)) delete copy[key];
      Object.assign(copy, edited, { $defs });
    } else site.set(edit(site.get(), what, n, structuredClone(fresh)));
  }
  return copy;
}

/** The same document in draft-07: items arrays with additionalItems, dependencies, definitions. */
export function toDraft07(document: JsonSchema): JsonSchema {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    // Draft-07 validators differ on keywords beside $ref (the comparer fails closed on them): leave them out.
    if (typeof (node as JsonSchema).$ref === "string") return { $ref: ((node as JsonSchema).$ref as string).replace("#/$defs/", "#/definitions/") };
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (["unevaluatedProperties", "unevaluatedItems", "minContains", "maxContains"].includes(key)) continue;
      if (key === "$ref" && typeof value === "string") out.$ref = value.replace("#/$defs/", "#/definitions/");
      else if (key === "$defs") out.definitions = convert(value);
      else if (key === "prefixItems") {
        out.items = convert(value);
        if ((node as JsonSchema).items !== undefined) out.additionalItems = convert((node as JsonSchema).items);
      } else if (key === "items" && Array.isArray((node as JsonSchema).prefixItems)) continue;
      else if (key === "dependentRequired" || key === "dependentSchemas") out.dependencies = { ...((out.dependencies as object) ?? {}), ...(convert(value) as object) };
      else if (key === "properties" || key === "patternProperties" || key === "dependencies") out[key] = Object.fromEntries(Object.entries(value as object).map(([name, schema]) => [name, convert(schema)]));
      else out[key] = convert(value);
    }
    return out;
  };
  const converted = convert(document) as JsonSchema;
  return { $schema: "http://json-schema.org/draft-07/schema#", ...converted };
}

/**
 * What a producer under the tolerant policy may send: every schema object that describes an
 * object and leaves it open gets `additionalProperties: false` (its required names allowed). This
 * is at least as strict as the comparer's tolerant producer, so no false alarm can come from it.
 */
export function tolerantProducer(document: JsonSchema): JsonSchema {
  const convert = (node: unknown, inSchemaMap = false): unknown => {
    if (Array.isArray(node)) return node.map((item) => convert(item));
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"].includes(key) || (key === "dependencies" && typeof value === "object")) {
        out[key] = Object.fromEntries(Object.entries(value as object).map(([name, schema]) => [name, Array.isArray(schema) ? schema : convert(schema)]));
      } else if (["enum", "const", "required", "type", "dependentRequired", "examples", "default"].includes(key)) out[key] = value;
      else out[key] = convert(value);
    }
    if (inSchemaMap) return out;
    const type = out.type;
    const objectish = type === "object" || (Array.isArray(type) && type.includes("object")) || ["properties", "required", "patternProperties", "additionalProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "dependencies", "unevaluatedProperties"].some((key) => key in out);
    const open = (value: unknown): boolean => value === undefined || value === true;
    // As the comparer reads it: additionalProperties absent or true leaves the object open, unless an
    // unevaluatedProperties schema (which additionalProperties would make moot) says what else it holds.
    if (objectish && open(out.additionalProperties) && (out.additionalProperties !== undefined || open(out.unevaluatedProperties))) {
      out.additionalProperties = false;
      const properties = { ...((out.properties as object | undefined) ?? {}) } as Record<string, unknown>;
      for (const name of (out.required as string[] | undefined) ?? []) if (!(name in properties)) properties[name] = true;
      out.properties = properties;
    }
    return out;
  };
  return convert(document) as JsonSchema;
}

/** A small deterministic random source for the document search. */
export class Rand {
  /** Values `guided` may still build for the current document (documents stay small). */
  budget = 0;
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state * 1103515245 + 12345) & 0x7fffffff;
    // The high bits: the low bits of this generator repeat with a short period (bit k every 2^(k+1)).
    return this.state >>> 12;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.next() % items.length]!;
  }
  chance(percent: number): boolean {
    return this.next() % 100 < percent;
  }
}

function resolve(document: JsonSchema, ref: string): unknown {
  const tokens = ref.replace(/^#\/?/, "").split("/").filter((token) => token !== "");
  return tokens.reduce<unknown>((node, token) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[token.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), document);
}

/** A candidate document guided by the schema's keywords (not guaranteed valid: ajv decides). */
export function guided(document: JsonSchema, schema: unknown, rand: Rand, depth = 0): unknown {
  if (depth === 0) rand.budget = 200;
  if (--rand.budget < 0) return rand.pick(SCALARS);
  if (depth > 6 || typeof schema !== "object" || schema === null) return rand.pick(UNIVERSE);
  const s = schema as JsonSchema;
  if (typeof s.$ref === "string" && rand.chance(80)) return guided(document, resolve(document, s.$ref), rand, depth + 1);
  if (Object.hasOwn(s, "const") && rand.chance(85)) return structuredClone(s.const);
  if (Array.isArray(s.enum) && rand.chance(85)) return structuredClone(rand.pick(s.enum));
  for (const list of ["anyOf", "oneOf"]) if (Array.isArray(s[list]) && rand.chance(70)) return guided(document, rand.pick(s[list] as unknown[]), rand, depth + 1);
  if (Array.isArray(s.allOf) && rand.chance(70)) {
    const parts = (s.allOf as unknown[]).map((member) => guided(document, member, rand, depth + 1));
    const objects = parts.filter((part) => typeof part === "object" && part !== null && !Array.isArray(part));
    return objects.length === parts.length ? Object.assign({}, ...objects) : rand.pick(parts);
  }
  if (s.if !== undefined && rand.chance(60)) {
    const branch = rand.chance(50) ? { allOf: [s.if, s.then ?? true] } : (s.else ?? true);
    const value = guided(document, branch, rand, depth + 1);
    return value;
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : inferTypes(s);
  const type = types.length > 0 ? rand.pick(types) : rand.pick(TYPES);
  switch (type) {
    case "null":
      return null;
    case "boolean":
      return rand.chance(50);
    case "integer":
    case "number": {
      const anchors = [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].filter((value): value is number => typeof value === "number");
      const base = anchors.length > 0 && rand.chance(70) ? rand.pick(anchors) + rand.pick([-1, 0, 0, 1, 2, -0.5]) : rand.pick([0, 1, 2, 3, -1, 4, 6, 2.5]);
      const multiple = typeof s.multipleOf === "number" ? s.multipleOf : undefined;
      const value = multiple !== undefined && rand.chance(70) ? Math.round(base / multiple) * multiple : base;
      return type === "integer" && rand.chance(85) ? Math.round(value) : value;
    }
    case "string": {
      if (typeof s.format === "string" && FORMATS[s.format] && rand.chance(75)) return rand.pick(FORMATS[s.format]!);
      if (typeof s.pattern === "string" && PATTERNS[s.pattern] && rand.chance(75)) return rand.pick(PATTERNS[s.pattern]!);
      const lengths = [s.minLength, s.maxLength].filter((value): value is number => typeof value === "number");
      const length = lengths.length > 0 && rand.chance(70) ? Math.max(0, rand.pick(lengths) + rand.pick([-1, 0, 0, 1])) : rand.next() % 4;
      return rand.pick(["a", "b", "x", "c"]).repeat(length).slice(0, length);
    }
    case "array": {
      const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as unknown[]) : Array.isArray(s.items) ? (s.items as unknown[]) : [];
      const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
      const min = typeof s.minItems === "number" ? s.minItems : 0;
      const max = typeof s.maxItems === "number" ? s.maxItems : min + 3;
      const length = Math.max(0, Math.min(max, min + (rand.next() % 3)) + (rand.chance(15) ? 1 : 0));
      const items: unknown[] = [];
      for (let index = 0; index < length; index++) {
        const itemSchema = index < prefix.length ? prefix[index] : s.contains !== undefined && rand.chance(40) ? s.contains : (rest ?? s.unevaluatedItems);
        items.push(guided(document, itemSchema, rand, depth + 1));
      }
      if (s.uniqueItems === true && rand.chance(70)) return items.filter((item, index) => items.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) === index);
      return items;
    }
    default: {
      const object: Record<string, unknown> = {};
      const properties = (s.properties as JsonSchema | undefined) ?? {};
      const required = (s.required as string[] | undefined) ?? [];
      for (const name of [...KEYS, "d"]) {
        const wanted = required.includes(name) ? rand.chance(92) : name in properties ? rand.chance(55) : rand.chance(12);
        if (!wanted) continue;
        const pattern = Object.entries((s.patternProperties as JsonSchema | undefined) ?? {}).find(([key]) => new RegExp(key, "u").test(name));
        const valueSchema = name in properties && !(pattern && rand.chance(50)) ? properties[name] : pattern ? pattern[1] : (s.additionalProperties ?? s.unevaluatedProperties);
        object[name] = guided(document, valueSchema, rand, depth + 1);
      }
      const dependent = (s.dependentRequired ?? s.dependencies) as Record<string, unknown> | undefined;
      if (dependent && rand.chance(70)) {
        for (const [key, names] of Object.entries(dependent)) if (key in object && Array.isArray(names)) for (const name of names) object[name] ??= guided(document, properties[name], rand, depth + 1);
      }
      const dependentSchemas = (s.dependentSchemas ?? s.dependencies) as Record<string, unknown> | undefined;
      if (dependentSchemas && rand.chance(50)) {
        for (const [key, schemaOf] of Object.entries(dependentSchemas)) {
          if (key in object && !Array.isArray(schemaOf)) {
            const extra = guided(document, schemaOf, rand, depth + 1);
            if (typeof extra === "object" && extra !== null && !Array.isArray(extra)) Object.assign(object, extra);
          }
        }
      }
      return object;
    }
  }
}

function inferTypes(s: JsonSchema): string[] {
  const types: string[] = [];
  if (["minLength", "maxLength", "pattern", "format"].some((key) => key in s)) types.push("string");
  if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].some((key) => key in s)) types.push("number", "integer");
  if (["items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"].some((key) => key in s)) types.push("array");
  if (["properties", "required", "additionalProperties", "patternProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "dependencies"].some((key) => key in s)) types.push("object");
  return types;
}

/** Values a schema mentions (constants, enum members, bounds and their neighbours): likely boundaries. */
export function mentioned(schema: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(schema)) {
    for (const item of schema) mentioned(item, found);
    return found;
  }
  if (typeof schema !== "object" || schema === null) return found;
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (key === "const") found.push(value);
    else if (key === "enum" && Array.isArray(value)) found.push(...value);
    else if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].includes(key) && typeof value === "number") found.push(value, value - 1, value + 1, value - 0.5, value + 0.5);
    else if (["minLength", "maxLength"].includes(key) && typeof value === "number") found.push("a".repeat(Math.max(0, value - 1)), "a".repeat(value), "a".repeat(value + 1));
    else if (key === "format" && typeof value === "string" && FORMATS[value]) found.push(...FORMATS[value]!);
    else if (key === "pattern" && typeof value === "string" && PATTERNS[value]) found.push(...PATTERNS[value]!);
    else mentioned(value, found);
  }
  return found;
}

/** A document changed a little: a key dropped or added, an item added, a nested value swapped. */
export function perturb(value: unknown, rand: Rand, pool: unknown[] = UNIVERSE): unknown {
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length > 0 && rand.chance(40)) copy[rand.next() % copy.length] = rand.chance(50) ? perturb(copy[rand.next() % copy.length], rand, pool) : rand.pick(pool);
    else if (rand.chance(50)) copy.push(copy.length > 0 && rand.chance(50) ? structuredClone(rand.pick(copy)) : rand.pick(pool));
    else copy.pop();
    return copy;
  }
  if (typeof value === "object" && value !== null) {
    const copy = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length > 0 && rand.chance(35)) delete copy[rand.pick(keys)];
    else if (keys.length > 0 && rand.chance(50)) {
      const key = rand.pick(keys);
      copy[key] = rand.chance(50) ? perturb(copy[key], rand, pool) : rand.pick(pool);
    } else copy[rand.pick([...KEYS, "d", "abcd", "ab"])] = rand.pick(pool);
    return copy;
  }
  return rand.pick(pool);
}

/** Candidate documents for a pair: guided by either schema, perturbed, and from the universe. */
export function candidates(previous: JsonSchema, current: JsonSchema, seed: number, size: number): unknown[] {
  const rand = new Rand(seed);
  const pool = [...UNIVERSE, ...mentioned(previous), ...mentioned(current)];
  const found: unknown[] = [...pool];
  for (let index = 0; index < size; index++) {
    const from = index % 2 === 0 ? previous : current;
    const value = guided(from, from, rand);
    const changed = perturb(value, rand, pool);
    found.push(value, changed, perturb(changed, rand, pool));
  }
  return found;
}

/** A copy of `document` with the value at `tokens` replaced (undefined: removed); `*` is any item or key. */
function setAt(document: unknown, tokens: string[], value: unknown, rand: Rand): unknown {
  if (tokens.length === 0) return value;
  const [head, ...rest] = tokens as [string, ...string[]];
  // Nothing there yet: an index makes an array; `*` an array or an object.
  if (document === undefined && (/^\d+$/.test(head) || (head === "*" && rand.chance(60)))) document = [];
  if (Array.isArray(document)) {
    const copy = [...document];
    const index = head === "*" ? (copy.length === 0 ? 0 : rand.next() % copy.length) : Number(head);
    if (!Number.isInteger(index)) return document;
    const inner = setAt(copy[index], rest, value, rand);
    if (inner === undefined) copy.splice(index, 1);
    else copy[index] = inner;
    return copy;
  }
  const copy = typeof document === "object" && document !== null ? { ...(document as Record<string, unknown>) } : {};
  const keys = Object.keys(copy);
  const key = head === "*" ? (keys.length > 0 && rand.chance(60) ? rand.pick(keys) : rand.pick(["d", "x_1", "a", "zz", "abcd", "ab"])) : head.replace(/~1/g, "/").replace(/~0/g, "~");
  const inner = setAt(copy[key], rest, value, rand);
  if (inner === undefined) delete copy[key];
  else copy[key] = inner;
  return copy;
}

/**
 * Documents aimed at where the comparer says a change is: each sender document with the value at a
 * finding's payload pointer replaced by a value of the pool, or removed. (Whether one crosses is
 * still for ajv to say.)
 */
export function aimed(sent: unknown[], pointers: string[], previous: JsonSchema, current: JsonSchema, seed: number): unknown[] {
  const rand = new Rand(seed);
  const pool = [...UNIVERSE, ...mentioned(previous), ...mentioned(current)];
  const bases = sent.length > 0 ? sent.slice(0, 16) : [{}];
  const found: unknown[] = [];
  for (const pointer of [...new Set(pointers)].slice(0, 6)) {
    const tokens = pointer === "" ? [] : pointer.slice(1).split("/");
    // Values built from the schemas that apply at that place, on either side.
    const local = [previous, current].flatMap((document) => schemasAt(document, document, tokens).map((schema) => ({ document, schema })));
    for (const base of bases) {
      found.push(setAt(base, tokens, undefined, rand));
      for (let index = 0; index < 24; index++) {
        const value = local.length > 0 && rand.chance(60) ? (({ document, schema }) => guided(document, schema, rand))(rand.pick(local)) : rand.pick(pool);
        found.push(setAt(base, tokens, rand.chance(25) ? perturb(value, rand, pool) : value, rand));
      }
    }
  }
  return found;
}

/** The sub-schemas that may apply to the value at a payload path (`*`: any item or key). */
function schemasAt(document: JsonSchema, schema: unknown, tokens: string[], depth = 0): unknown[] {
  if (depth > 12 || typeof schema !== "object" || schema === null) return tokens.length === 0 ? [schema] : [];
  const s = schema as JsonSchema;
  const nested: unknown[] = [];
  if (typeof s.$ref === "string") nested.push(...schemasAt(document, resolve(document, s.$ref), tokens, depth + 1));
  for (const list of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(s[list])) for (const member of s[list] as unknown[]) nested.push(...schemasAt(document, member, tokens, depth + 1));
  for (const branch of ["then", "else"]) if (s[branch] !== undefined) nested.push(...schemasAt(document, s[branch], tokens, depth + 1));
  if (tokens.length === 0) return [s, ...nested];
  const [head, ...rest] = tokens as [string, ...string[]];
  const children: unknown[] = [];
  const properties = (s.properties as JsonSchema | undefined) ?? {};
  if (head !== "*" && Object.hasOwn(properties, head)) children.push(properties[head]);
  if (head === "*") children.push(...Object.values(properties));
  for (const [pattern, child] of Object.entries((s.patternProperties as JsonSchema | undefined) ?? {})) if (head === "*" || new RegExp(pattern, "u").test(head)) children.push(child);
  for (const keyword of ["additionalProperties", "unevaluatedProperties", "items", "additionalItems", "contains", "unevaluatedItems"]) if (s[keyword] !== undefined && !Array.isArray(s[keyword])) children.push(s[keyword]);
  for (const keyword of ["prefixItems", "items"]) if (Array.isArray(s[keyword])) children.push(...(s[keyword] as unknown[]));
  return [...nested, ...children.flatMap((child) => schemasAt(document, child, rest, depth + 1))];
}
