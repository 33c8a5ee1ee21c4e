/**
 * The only module that reads Zod internals. It answers three questions about a payload schema:
 * which Zod major made it, does it contain anything with no wire form (and where), and what is its
 * JSON Schema (draft 2020-12, the "input" view a reader of the wire sees).
 *
 * Zod v4 converts with its own `toJSONSchema`. Zod v3 converts with `zod-to-json-schema`, which
 * returns an empty schema, without error, when handed a v4 schema: so the major is detected per
 * schema, and an empty result is treated as a failure, never emitted.
 */
import { createRequire } from "node:module";
import { regexes, toJSONSchema } from "zod/v4/core";
import type { JsonSchema } from "../ir/types.js";
import { publishedPattern } from "./pattern.js";

export type ZodMajor = 3 | 4;

/** A construct that cannot travel as JSON, found at `path` (segments as in formatPath). */
export interface Unrepresentable {
  path: string[];
  construct: string;
  hint: string;
}

interface V4Def {
  type: string;
  [key: string]: unknown;
}

interface V3Def {
  typeName: string;
  [key: string]: unknown;
}

export function zodMajor(schema: unknown): ZodMajor | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  if ("_zod" in schema) return 4;
  if ("_def" in schema && typeof (schema as { _def: { typeName?: unknown } })._def?.typeName === "string") return 3;
  return undefined;
}

/** Is this schema an object schema (the only allowed payload shape)? Looks through wrappers that keep the shape. */
export function isObjectSchema(schema: object): boolean {
  const major = zodMajor(schema);
  if (major === 4) {
    const def = v4Def(schema);
    if (def.type === "object") return true;
    if (def.type === "lazy") return isObjectSchema((def.getter as () => object)());
    if (def.type === "readonly") return isObjectSchema(def.innerType as object);
    return false;
  }
  if (major === 3) {
    const def = v3Def(schema);
    if (def.typeName === "ZodObject") return true;
    if (def.typeName === "ZodLazy") return isObjectSchema((def.getter as () => object)());
    if (def.typeName === "ZodReadonly" || def.typeName === "ZodBranded") {
      return isObjectSchema((def.innerType ?? def.type) as object);
    }
    return false;
  }
  return false;
}

const REJECTED_V4: Record<string, string> = {
  transform: "a transform changes values in TypeScript only; publish the transformed shape as its own schema",
  pipe: "a pipe validates one shape and delivers another; declare the wire shape directly",
  function: "functions cannot be serialized",
  promise: "promises cannot be serialized; declare the resolved value's schema",
  symbol: "symbols cannot be serialized",
  map: "Map has no JSON form; use z.record() with string keys",
  set: "Set has no JSON form; use z.array()",
  custom: "custom schemas cannot be checked in other languages",
  bigint: "bigint has no JSON form; use z.int() for safe integers or z.string() for larger ones",
  date: "Date has no JSON form; use z.iso.datetime() (an RFC 3339 string)",
  undefined: "undefined has no JSON form; use .optional()",
  void: "void has no JSON form; use .optional()",
  never: "never has no JSON form",
  nan: "NaN has no JSON form",
  file: "File has no JSON form",
  catch: "a catch fallback cannot be reproduced by other languages' readers",
  success: "success() yields a boolean from another schema, which has no wire form",
  intersection: "intersections have no portable form; use .extend() or a union",
};

const REJECTED_V3: Record<string, string> = {
  ZodEffects: "a transform, preprocess or refinement cannot be carried to other languages",
  ZodFunction: REJECTED_V4.function!,
  ZodPromise: REJECTED_V4.promise!,
  ZodSymbol: REJECTED_V4.symbol!,
  ZodMap: REJECTED_V4.map!,
  ZodSet: REJECTED_V4.set!,
  ZodBigInt: REJECTED_V4.bigint!,
  ZodDate: REJECTED_V4.date!,
  ZodUndefined: REJECTED_V4.undefined!,
  ZodVoid: REJECTED_V4.void!,
  ZodNever: REJECTED_V4.never!,
  ZodNaN: REJECTED_V4.nan!,
  ZodCatch: REJECTED_V4.catch!,
  ZodIntersection: REJECTED_V4.intersection!,
};

/** NaN and ±Infinity are numbers without a JSON form (a converter would publish them as `null`). */
const isNotJsonNumber = (value: unknown): boolean => typeof value === "number" && !Number.isFinite(value);
const NOT_JSON_NUMBER = "JSON numbers are finite; use z.null() or a finite number";

function v4Def(schema: object): V4Def {
  return (schema as { _zod: { def: V4Def } })._zod.def;
}

function v3Def(schema: object): V3Def {
  return (schema as { _def: V3Def })._def;
}

/** Lists every construct under `schema` that has no wire form, with its field path. */
export function findUnrepresentable(schema: object): Unrepresentable[] {
  const found: Unrepresentable[] = [];
  const seen = new Set<object>();
  const major = zodMajor(schema);
  if (major === 4) walkV4(schema, [], seen, found);
  else if (major === 3) walkV3(schema, [], seen, found);
  return found;
}

function walkV4(schema: object, path: string[], seen: Set<object>, found: Unrepresentable[]): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const def = v4Def(schema);
  const rejected = REJECTED_V4[def.type];
  if (rejected !== undefined) {
    // `.transform()` builds pipe(schema, transform): report the transform, not the pipe.
    if (def.type === "pipe" && isV4Transform(def.out)) {
      found.push({ path, construct: "transform", hint: REJECTED_V4.transform! });
    } else {
      found.push({ path, construct: def.type, hint: rejected });
    }
    return;
  }
  if (def.type === "literal" && (def.values as unknown[]).some(isNotJsonNumber)) {
    found.push({ path, construct: "a NaN or infinite literal", hint: NOT_JSON_NUMBER });
    return;
  }
  for (const check of (def.checks as object[] | undefined) ?? []) {
    const kind = (check as { _zod?: { def?: { check?: string } } })._zod?.def?.check;
    if (kind === "custom") {
      found.push({ path, construct: "refinement", hint: "a .refine()/.superRefine() check cannot be carried to other languages" });
      return;
    }
  }
  for (const regex of v4Patterns(schema)) {
    const published = publishedPattern(regex.source, regex.flags);
    if (!published.ok) found.push({ path, construct: `the pattern ${String(regex)}`, hint: published.reason });
  }
  const child = (next: unknown, segment?: string): void => {
    if (typeof next === "object" && next !== null) walkV4(next, segment === undefined ? path : [...path, segment], seen, found);
  };
  switch (def.type) {
    case "object": {
      const shape = def.shape as Record<string, object>;
      for (const key of Object.keys(shape)) child(shape[key], key);
      if (def.catchall !== undefined && v4Def(def.catchall as object).type !== "never") child(def.catchall, "{}");
      break;
    }
    case "array":
      child(def.element, "[]");
      break;
    case "tuple":
      (def.items as object[]).forEach((item, index) => child(item, `[${index}]`));
      if (def.rest) child(def.rest, "[]");
      break;
    case "record":
      child(def.keyType, "{key}");
      child(def.valueType, "{}");
      break;
    case "union":
      (def.options as object[]).forEach((option, index) => child(option, `<${index + 1}>`));
      break;
    case "lazy":
      child((def.getter as () => object)());
      break;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
      child(def.innerType);
      break;
  }
}

/** The regular expressions a Zod v4 string schema is checked with: its own format's, then each `.regex()`'s. */
function v4Patterns(schema: object): RegExp[] {
  const def = v4Def(schema);
  const patterns: RegExp[] = [];
  if (def.pattern instanceof RegExp) patterns.push(def.pattern);
  for (const check of (def.checks as object[] | undefined) ?? []) {
    const pattern = (check as { _zod?: { def?: { pattern?: unknown } } })._zod?.def?.pattern;
    if (pattern instanceof RegExp) patterns.push(pattern);
  }
  return patterns;
}

/** The regular expressions of a Zod v3 string schema's `.regex()` checks. */
function v3Patterns(schema: object): RegExp[] {
  const def = v3Def(schema);
  if (def.typeName !== "ZodString") return [];
  return ((def.checks as { kind: string; regex?: unknown }[] | undefined) ?? []).flatMap((check) => (check.regex instanceof RegExp ? [check.regex] : []));
}

/**
 * Replaces each `pattern` in a converted JSON Schema node (directly or in an `allOf` of patterns)
 * with its published form; `published` maps the source Zod wrote there to that form.
 */
function rewritePatterns(node: JsonSchema, published: (source: string) => string): void {
  if (typeof node.pattern === "string") node.pattern = published(node.pattern);
  if (Array.isArray(node.allOf)) {
    for (const member of node.allOf as JsonSchema[]) {
      if (typeof member === "object" && member !== null && typeof member.pattern === "string") member.pattern = published(member.pattern);
    }
  }
}

/** The published form of a pattern source no known regular expression accounts for (Zod 3 converter's own). */
function publishedSource(source: string): string {
  try {
    new RegExp(source, "u");
    return source;
  } catch {
    const published = publishedPattern(source, "");
    return published.ok ? published.pattern : source;
  }
}

function isV4Transform(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && "_zod" in schema && v4Def(schema).type === "transform";
}

function walkV3(schema: object, path: string[], seen: Set<object>, found: Unrepresentable[]): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const def = v3Def(schema);
  const rejected = REJECTED_V3[def.typeName];
  if (rejected !== undefined) {
    const effect = (def.effect as { type?: string } | undefined)?.type;
    found.push({ path, construct: effect ?? def.typeName.replace(/^Zod/, "").toLowerCase(), hint: rejected });
    return;
  }
  if (def.typeName === "ZodLiteral" && isNotJsonNumber(def.value)) {
    found.push({ path, construct: "a NaN or infinite literal", hint: NOT_JSON_NUMBER });
    return;
  }
  for (const regex of v3Patterns(schema)) {
    const published = publishedPattern(regex.source, regex.flags);
    if (!published.ok) found.push({ path, construct: `the pattern ${String(regex)}`, hint: published.reason });
    else if (/[sy]/.test(regex.flags)) found.push({ path, construct: `the pattern ${String(regex)}`, hint: `the "${/[sy]/.exec(regex.flags)![0]}" flag is carried over for Zod 4 schemas only; write the pattern without it` });
  }
  const child = (next: unknown, segment?: string): void => {
    if (typeof next === "object" && next !== null) walkV3(next, segment === undefined ? path : [...path, segment], seen, found);
  };
  switch (def.typeName) {
    case "ZodObject": {
      const shape = (def.shape as () => Record<string, object>)();
      for (const key of Object.keys(shape)) child(shape[key], key);
      break;
    }
    case "ZodArray":
      child(def.type, "[]");
      break;
    case "ZodTuple":
      (def.items as object[]).forEach((item, index) => child(item, `[${index}]`));
      if (def.rest) child(def.rest, "[]");
      break;
    case "ZodRecord":
      child(def.valueType, "{}");
      break;
    case "ZodUnion":
    case "ZodDiscriminatedUnion":
      (def.options as object[]).forEach((option, index) => child(option, `<${index + 1}>`));
      break;
    case "ZodLazy":
      child((def.getter as () => object)());
      break;
    case "ZodPipeline":
      child(def.in);
      child(def.out);
      break;
    case "ZodBranded":
      child(def.type);
      break;
    case "ZodOptional":
    case "ZodNullable":
    case "ZodDefault":
    case "ZodReadonly":
      child(def.innerType);
      break;
  }
}

type ZodToJsonSchema = typeof import("zod-to-json-schema").zodToJsonSchema;
let v3Converter: ZodToJsonSchema | undefined;

/** zod-to-json-schema, loaded on the first Zod v3 schema only: it brings Zod v3 along. */
function zodToJsonSchema(): ZodToJsonSchema {
  v3Converter ??= (createRequire(import.meta.url)("zod-to-json-schema") as { zodToJsonSchema: ZodToJsonSchema }).zodToJsonSchema;
  return v3Converter;
}

/** Field path for messages: `status.parts[].type`, union members as `<2>`. */
export function formatPath(path: string[]): string {
  let text = "";
  for (const segment of path) {
    if (segment.startsWith("[") || segment.startsWith("<") || segment.startsWith("{")) text += segment;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/**
 * JSON Schema (draft 2020-12, input view) of one payload schema. Named types (`.meta({ id })`)
 * land in `$defs` and are referenced as `#/$defs/<id>`.
 */
export function toWireSchema(schema: object): JsonSchema {
  const major = zodMajor(schema);
  if (major === 4) {
    const result = toJSONSchema(schema as Parameters<typeof toJSONSchema>[0], {
      target: "draft-2020-12",
      io: "input",
      unrepresentable: "throw",
      cycles: "ref",
      reused: "inline",
      override: (context) => {
        if (isV4Json(context.zodSchema)) {
          for (const key of Object.keys(context.jsonSchema)) if (key !== "description") delete (context.jsonSchema as JsonSchema)[key];
          (context.jsonSchema as JsonSchema)[ANY_JSON] = true;
          return;
        }
        const patterns = v4Patterns(context.zodSchema);
        if (patterns.length === 0) return;
        const bySource = new Map(patterns.map((regex) => [regex.source, publishedPattern(regex.source, regex.flags)]));
        rewritePatterns(context.jsonSchema as JsonSchema, (source) => {
          const published = bySource.get(source);
          return published?.ok ? published.pattern : publishedSource(source);
        });
      },
    }) as JsonSchema;
    delete result.$schema;
    return withoutAnyJsonDefs(result);
  }
  if (major === 3) {
    const result = zodToJsonSchema()(schema as Parameters<ZodToJsonSchema>[0], {
      target: "jsonSchema7",
      $refStrategy: "root",
      definitionPath: "$defs",
      removeAdditionalStrategy: "strict",
      allowedAdditionalProperties: undefined,
      rejectedAdditionalProperties: false,
      postProcess: (converted, def) => (converted === undefined ? converted : asZod4Publishes(converted as JsonSchema, def as unknown as V3Def)),
    }) as JsonSchema;
    delete result.$schema;
    const bySource = new Map<string, string>();
    collectV3Patterns(schema, bySource, new Set());
    visitSchemas(result, (node) => rewritePatterns(node, (source) => bySource.get(source) ?? publishedSource(source)));
    if (Object.keys(result).length === 0) {
      throw new Error("zod-to-json-schema returned an empty schema (is this really a Zod v3 schema?)");
    }
    return result;
  }
  throw new Error("not a Zod schema");
}

/** The largest integer a double holds exactly: the range Zod 4 publishes for `z.int()`. */
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * A Zod v3 node as Zod 4 would publish it: a string format carries the pattern Zod 4 writes for
 * that format (readers check patterns; `format` is an annotation), and an integer carries the
 * safe-integer bounds. `.uuid()` in Zod 3 accepts any hexadecimal UUID shape, which is Zod 4's
 * `z.guid()`; `.ip()` without a version accepts either address form.
 */
function asZod4Publishes(node: JsonSchema, def: V3Def): JsonSchema {
  const checks = (def.checks as { kind: string; [option: string]: unknown }[] | undefined) ?? [];
  if (def.typeName === "ZodNumber" && checks.some((check) => check.kind === "int")) {
    if (typeof node.exclusiveMinimum !== "number" && (typeof node.minimum !== "number" || node.minimum < -SAFE_INTEGER)) node.minimum = -SAFE_INTEGER;
    if (typeof node.exclusiveMaximum !== "number" && (typeof node.maximum !== "number" || node.maximum > SAFE_INTEGER)) node.maximum = SAFE_INTEGER;
  }
  if (def.typeName !== "ZodString") return node;
  const patterns = checks.flatMap((check) => {
    const regex = zod4FormatRegex(check);
    if (regex === undefined) return [];
    const published = publishedPattern(regex.source, regex.flags);
    return published.ok ? [published.pattern] : [];
  });
  if (patterns.length === 0) return node;
  // `.ip()` without a version is published as an anyOf of two formats: one pattern says it.
  if (checks.some((check) => check.kind === "ip" && check.version === undefined)) delete node.anyOf;
  const existing = Array.isArray(node.allOf) ? (node.allOf as JsonSchema[]) : typeof node.pattern === "string" ? [{ pattern: node.pattern }] : [];
  const all = [...existing, ...patterns.map((pattern) => ({ pattern }))];
  delete node.allOf;
  delete node.pattern;
  if (all.length === 1) node.pattern = all[0]!.pattern;
  else node.allOf = all;
  return node;
}

/** The regular expression Zod 4 checks (and publishes) for a Zod v3 string format check. */
function zod4FormatRegex(check: { kind: string; [option: string]: unknown }): RegExp | undefined {
  const precision = typeof check.precision === "number" ? check.precision : null;
  switch (check.kind) {
    case "uuid":
      return regexes.guid;
    case "email":
      return regexes.email;
    case "datetime":
      return regexes.datetime({ precision, offset: check.offset === true, local: check.local === true });
    case "date":
      return regexes.date;
    case "time":
      return regexes.time({ precision });
    case "duration":
      return regexes.duration;
    case "base64":
      return regexes.base64;
    case "ip":
      if (check.version === "v4") return regexes.ipv4;
      if (check.version === "v6") return regexes.ipv6;
      return new RegExp(`${regexes.ipv4.source}|${regexes.ipv6.source}`);
    default:
      return undefined;
  }
}

/** Marks, while converting, the schema of a `z.json()`: any JSON value, the IR's `unknown`. */
const ANY_JSON = "x-eventc-any-json";

/**
 * Is this Zod v4's `z.json()`: a lazy union of string, number, boolean, null, an array of itself and
 * a string-keyed record of itself? It accepts exactly the JSON values, so it is published as `{}`
 * (any JSON) rather than as the recursive definition Zod writes under a generated name (`__schema0`).
 */
function isV4Json(schema: object): boolean {
  const def = v4Def(schema);
  if (def.type !== "lazy") return false;
  const inner = (def.getter as () => unknown)();
  if (zodMajor(inner) !== 4) return false;
  const union = v4Def(inner as object);
  if (union.type !== "union" || !Array.isArray(union.options) || union.options.length !== 6) return false;
  const options = (union.options as object[]).map((option) => v4Def(option));
  const types = options.map((option) => option.type).join(",");
  if (types !== "string,number,boolean,null,array,record") return false;
  const self = (node: unknown): boolean => zodMajor(node) === 4 && v4Def(node as object).type === "lazy" && v4Def(node as object).getter === def.getter;
  return self(options[4]!.element) && self(options[5]!.valueType);
}

/**
 * Replaces every reference to a `z.json()` definition Zod generated (`__schema<n>`) by the
 * definition itself (`{}` and its description), drops the generated definitions nothing refers to
 * any more, and removes the marks.
 */
function withoutAnyJsonDefs(root: JsonSchema): JsonSchema {
  const defs = (typeof root.$defs === "object" && root.$defs !== null ? root.$defs : {}) as Record<string, JsonSchema>;
  const plain = (node: JsonSchema): JsonSchema => Object.fromEntries(Object.entries(node).filter(([key]) => key !== ANY_JSON));
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== "object" || node === null) return node;
    const schema = node as JsonSchema;
    // Only Zod's generated names are inlined: a `z.json()` the user named stays a named type.
    const generated = typeof schema.$ref === "string" ? /^#\/\$defs\/(__schema\d+)$/.exec(schema.$ref)?.[1] : undefined;
    const target = generated === undefined ? undefined : defs[generated];
    if (target !== undefined && target[ANY_JSON] === true) {
      const { $ref: _ref, ...siblings } = schema;
      return { ...plain(target), ...siblings };
    }
    return Object.fromEntries(Object.entries(plain(schema)).map(([key, value]) => [key, DATA_KEYWORDS.has(key) ? value : rewrite(value)]));
  };
  const result = rewrite(root) as JsonSchema;
  if (typeof result.$defs !== "object" || result.$defs === null) return result;
  // Zod's generated names (`__schema<n>`) that nothing reaches from the root any more go.
  const kept = result.$defs as Record<string, JsonSchema>;
  const reached = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")) {
        const name = value.slice("#/$defs/".length);
        if (!reached.has(name)) {
          reached.add(name);
          visit(kept[name]);
        }
      } else if (key !== "$defs" && !DATA_KEYWORDS.has(key)) visit(value);
    }
  };
  visit(result);
  for (const name of Object.keys(kept)) if (/^__schema\d+$/.test(name) && !reached.has(name)) delete kept[name];
  if (Object.keys(kept).length === 0) delete result.$defs;
  return result;
}

/** Every `.regex()` of a Zod v3 schema, by source, in its published form (flags were vetted by the walk). */
function collectV3Patterns(schema: object, into: Map<string, string>, seen: Set<object>): void {
  if (seen.has(schema) || zodMajor(schema) !== 3) return;
  seen.add(schema);
  for (const regex of v3Patterns(schema)) {
    const published = publishedPattern(regex.source, regex.flags);
    if (published.ok) into.set(regex.source, published.pattern);
  }
  const def = v3Def(schema);
  const children: unknown[] = [def.innerType, def.type, def.valueType, def.rest, def.in, def.out, ...((def.items as unknown[]) ?? []), ...((def.options as unknown[]) ?? [])];
  if (def.typeName === "ZodObject") children.push(...Object.values((def.shape as () => Record<string, object>)()));
  if (def.typeName === "ZodLazy") children.push((def.getter as () => object)());
  for (const child of children) if (typeof child === "object" && child !== null) collectV3Patterns(child, into, seen);
}

/** Keywords whose values are JSON data, not schemas. */
const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples"]);

/** Calls `visit` on every schema object inside a JSON Schema document (any depth, skipping data values). */
function visitSchemas(node: unknown, visit: (schema: JsonSchema) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitSchemas(item, visit);
  } else if (typeof node === "object" && node !== null) {
    visit(node as JsonSchema);
    for (const [key, value] of Object.entries(node)) if (!DATA_KEYWORDS.has(key)) visitSchemas(value, visit);
  }
}
