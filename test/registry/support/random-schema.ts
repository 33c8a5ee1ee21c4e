/**
 * Random payload schemas (IR) for the soundness property test, their mutations (the "current"
 * schema), and documents sampled from a schema the way a producer under a reader policy sends them.
 */
import fc from "fast-check";
import type { Field, JsonSchema, NamedType, ObjectNode, TypeNode } from "../../../src/ir/types.js";
import { nodeSchema } from "../../../src/targets/jsonschema/schema.js";

export interface RandomSchema {
  root: ObjectNode;
  defs: NamedType[];
}

const KEYS = ["a", "b", "c", "d"];
const WORDS = ["x", "y", "z", "w"];
const PATTERNS = ["^[a-c]*$", "^[a-z]*$"];

const small = fc.integer({ min: -4, max: 4 });

const stringArb: fc.Arbitrary<TypeNode> = fc.oneof(
  fc.record({ min: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), extra: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), pattern: fc.option(fc.constantFrom(...PATTERNS), { nil: undefined }) }).map(({ min, extra, pattern }) => {
    const node: TypeNode = { kind: "string" };
    if (min !== undefined) node.minLength = min;
    if (extra !== undefined) node.maxLength = (min ?? 0) + extra;
    if (pattern !== undefined) node.pattern = pattern;
    return node;
  }),
  fc.constant<TypeNode>({ kind: "string", format: "uuid" }),
);

const numberArb: fc.Arbitrary<TypeNode> = fc
  .record({ integer: fc.boolean(), lo: fc.option(small, { nil: undefined }), span: fc.option(fc.integer({ min: 2, max: 8 }), { nil: undefined }), exclusive: fc.boolean(), multiple: fc.option(fc.constantFrom(2, 3), { nil: undefined }) })
  .map(({ integer, lo, span, exclusive, multiple }) => {
    const node: Extract<TypeNode, { kind: "number" }> = { kind: "number", integer };
    if (lo !== undefined) node[exclusive ? "exclusiveMinimum" : "minimum"] = lo;
    if (span !== undefined) node[exclusive ? "exclusiveMaximum" : "maximum"] = (lo ?? 0) + span;
    if (integer && multiple !== undefined && (span === undefined || span >= 6)) node.multipleOf = multiple;
    return node;
  });

const scalarArb: fc.Arbitrary<TypeNode> = fc.oneof(
  stringArb,
  numberArb,
  fc.constant<TypeNode>({ kind: "boolean" }),
  fc.constant<TypeNode>({ kind: "null" }),
  fc.oneof(fc.constantFrom(...WORDS), fc.integer({ min: 0, max: 2 }), fc.boolean()).map((value): TypeNode => ({ kind: "literal", value })),
  fc.subarray(WORDS, { minLength: 1 }).map((values): TypeNode => ({ kind: "enum", values })),
  fc.constant<TypeNode>({ kind: "unknown" }),
);

function objectArb(inner: fc.Arbitrary<TypeNode>): fc.Arbitrary<ObjectNode> {
  return fc
    .record({
      names: fc.subarray(KEYS),
      types: fc.array(inner, { minLength: 4, maxLength: 4 }),
      optional: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      additional: fc.constantFrom<ObjectNode["additional"]>("ignore", "ignore", "reject", { kind: "unknown" }, { kind: "string" }),
    })
    .map(({ names, types, optional, additional }) => ({
      kind: "object",
      fields: names.map((name, index): Field => ({ name, type: types[index]!, optional: optional[index]! })),
      additional,
    }));
}

const typeArb: fc.Arbitrary<TypeNode> = fc.letrec<{ node: TypeNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    scalarArb,
    fc.constantFrom<TypeNode>({ kind: "ref", name: "T1" }, { kind: "ref", name: "T2" }),
    objectArb(tie("node")),
    fc.record({ items: tie("node"), min: fc.integer({ min: 0, max: 2 }), extra: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }) }).map(({ items, min, extra }): TypeNode => {
      const node: TypeNode = { kind: "array", items };
      if (min > 0) node.minItems = min;
      if (extra !== undefined) node.maxItems = min + extra;
      return node;
    }),
    fc.record({ items: fc.array(tie("node"), { minLength: 1, maxLength: 2 }), rest: fc.option(tie("node"), { nil: undefined }) }).map(({ items, rest }): TypeNode => (rest ? { kind: "tuple", items, rest } : { kind: "tuple", items })),
    fc.record({ keys: fc.oneof(fc.constant<"plain">("plain"), fc.subarray(WORDS, { minLength: 1, maxLength: 2 })), values: tie("node") }).map(({ keys, values }): TypeNode => ({ kind: "record", keys: keys === "plain" ? { kind: "string" } : { kind: "enum", values: keys }, values })),
    fc.tuple(tie("node"), tie("node")).map(([a, b]): TypeNode => ({ kind: "union", members: [a, b] })),
    fc.array(objectArb(tie("node")), { minLength: 2, maxLength: 3 }).map((members): TypeNode => taggedUnion(members)),
    tie("node").filter((inner) => inner.kind !== "nullable" && inner.kind !== "null" && inner.kind !== "unknown").map((inner): TypeNode => ({ kind: "nullable", inner })),
  ),
})).node;

function taggedUnion(members: ObjectNode[]): TypeNode {
  const tagged = members.map((member, index): ObjectNode => ({
    ...member,
    fields: [{ name: "t", type: { kind: "literal", value: `k${index}` }, optional: false }, ...member.fields.filter((field) => field.name !== "t")],
  }));
  return { kind: "union", members: tagged, discriminator: "t", tags: tagged.map((_, index) => `k${index}`) };
}

const defArb = objectArb(scalarArb);

export const randomSchema: fc.Arbitrary<RandomSchema> = fc.record({ root: objectArb(typeArb), t1: defArb, t2: defArb }).map(({ root, t1, t2 }) => ({
  root,
  defs: [
    { name: "T1", type: t1 },
    { name: "T2", type: t2 },
  ],
}));

/** `anyOf` of nulls alone has no IR form in SchemaReader; it means plain null. */
function toNull(node: TypeNode): void {
  const bare = node as unknown as Record<string, unknown>;
  for (const key of Object.keys(bare)) delete bare[key];
  bare.kind = "null";
}

/**
 * The JSON Schema document of a random schema. A union keeps its discriminator (emitted as
 * `oneOf`) only while every member is an object with its own required "t" literal, so that
 * exactly one member matches each document, as `oneOf` demands.
 */
export function toJsonSchema(schema: RandomSchema): JsonSchema {
  const copy = structuredClone(schema);
  const visit = (node: TypeNode): void => {
    switch (node.kind) {
      case "object":
        node.fields.forEach((field) => visit(field.type));
        if (typeof node.additional === "object") visit(node.additional);
        return;
      case "array":
        return visit(node.items);
      case "tuple":
        node.items.forEach(visit);
        if (node.rest) visit(node.rest);
        return;
      case "record":
        return visit(node.values);
      case "nullable":
        visit(node.inner);
        if (node.inner.kind === "null") toNull(node);
        return;
      case "union": {
        node.members.forEach(visit);
        if (node.members.every((member) => member.kind === "null")) return toNull(node);
        const tags = node.members.map((member) => {
          const field = member.kind === "object" ? member.fields.find((f) => f.name === "t") : undefined;
          return field && !field.optional && field.type.kind === "literal" ? field.type.value : undefined;
        });
        if (node.discriminator !== undefined && (tags.includes(undefined) || new Set(tags).size !== tags.length)) {
          delete node.discriminator;
          delete node.tags;
        }
        return;
      }
      default:
        return;
    }
  };
  visit(copy.root);
  copy.defs.forEach((def) => visit(def.type));
  return { ...nodeSchema(copy.root), $defs: Object.fromEntries(copy.defs.map((def) => [def.name, nodeSchema(def.type)])) };
}

/**
 * Keywords the comparer does not model, as the generator emits them into a JSON Schema document:
 * each fits some schema objects and returns the pointer of the keyword the reader must report.
 * Harmless ones (annotations) must never be reported.
 */
interface Injection {
  name: string;
  fits(node: JsonSchema): boolean;
  /** Edits `node` in place; returns the keyword to report (relative to the node), if any. */
  apply(node: JsonSchema): string | undefined;
}

const isArraySchema = (node: JsonSchema): boolean => node.type === "array" && !Array.isArray(node.prefixItems);
const isObjectSchema = (node: JsonSchema): boolean => node.type === "object" && typeof node.properties === "object";

export const INJECTIONS: readonly Injection[] = [
  { name: "dependencies (a draft-07 keyword) in a 2020-12 schema", fits: isObjectSchema, apply: (node) => ((node.dependencies = { a: ["b"] }), "dependencies") },
  {
    name: "unevaluatedProperties beside dependentSchemas of more than three entries",
    fits: isObjectSchema,
    // Without additionalProperties (which evaluates every key and leaves unevaluatedProperties nothing).
    apply: (node) => (delete node.additionalProperties, (node.dependentSchemas = { a: {}, b: {}, c: {}, d: {} }), (node.unevaluatedProperties = false), "unevaluatedProperties"),
  },
  { name: "unevaluatedItems beside contains", fits: isArraySchema, apply: (node) => ((node.contains = {}), (node.unevaluatedItems = false), "unevaluatedItems") },
  { name: "unevaluatedItems beside anyOf", fits: isArraySchema, apply: (node) => ((node.anyOf = [{ maxItems: 0 }, { minItems: 2 }]), (node.unevaluatedItems = false), "unevaluatedItems") },
  { name: "a reference outside the document", fits: (node) => typeof node.$ref === "string", apply: (node) => ((node.$ref = "other.json#/T"), "$ref") },
  { name: "contentMediaType", fits: (node) => node.type === "string", apply: (node) => ((node.contentMediaType = "application/json"), "contentMediaType") },
  { name: "$anchor", fits: () => true, apply: (node) => ((node.$anchor = "here"), "$anchor") },
  { name: "an extension keyword", fits: () => true, apply: (node) => ((node["x-eventc"] = 1), "x-eventc") },
  { name: "annotations", fits: () => true, apply: (node) => (Object.assign(node, { title: "t", $comment: "c", examples: [], readOnly: false, default: null }), undefined) },
];

/**
 * Every schema object of a document the jsonschema target emits that validation reaches, with its
 * JSON Pointer (a `$defs` entry nothing references constrains nothing, and is not read).
 */
function schemaSites(document: JsonSchema): Array<{ node: JsonSchema; pointer: string }> {
  const sites: Array<{ node: JsonSchema; pointer: string }> = [];
  const escape = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1");
  const referenced = new Set<string>();
  const defs = (document.$defs ?? {}) as Record<string, unknown>;
  const visit = (node: unknown, pointer: string): void => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return;
    const schema = node as JsonSchema;
    sites.push({ node: schema, pointer });
    const name = typeof schema.$ref === "string" ? /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1] : undefined;
    if (name !== undefined && !referenced.has(name) && Object.hasOwn(defs, name)) {
      referenced.add(name);
      visit(defs[name], `/$defs/${escape(name)}`);
    }
    for (const [name, child] of Object.entries((schema.properties ?? {}) as object)) visit(child, `${pointer}/properties/${escape(name)}`);
    for (const keyword of ["items", "additionalProperties", "propertyNames"]) visit(schema[keyword], `${pointer}/${keyword}`);
    for (const keyword of ["prefixItems", "anyOf", "oneOf"]) {
      if (Array.isArray(schema[keyword])) (schema[keyword] as unknown[]).forEach((child, index) => visit(child, `${pointer}/${keyword}/${index}`));
    }
  };
  visit(document, "");
  return sites;
}

export interface Injected {
  /** The injection applied. */
  name: string;
  /** Pointer of the keyword the comparer must report; undefined for annotations. */
  pointer?: string;
}

/**
 * Emits one keyword from INJECTIONS into `document` (in place) at a schema object chosen by
 * `site`: the `kind`-th injection that fits there. Undefined when none fits.
 */
export function injectKeyword(document: JsonSchema, site: number, kind: number): Injected | undefined {
  const sites = schemaSites(document);
  const { node, pointer } = sites[site % sites.length]!;
  const fitting = INJECTIONS.filter((injection) => injection.fits(node));
  if (fitting.length === 0) return undefined;
  const injection = fitting[kind % fitting.length]!;
  const keyword = injection.apply(node);
  return keyword === undefined ? { name: injection.name } : { name: injection.name, pointer: `${pointer}/${keyword}` };
}
