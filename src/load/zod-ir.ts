/**
 * Zod v4 → IR, directly: the fast path of loading. It reads a payload schema's Zod internals
 * (`_zod.def`, checks, `optin`, the `parent` of clones, the global metadata registry) and builds
 * the same IR the JSON Schema path builds (Zod's `toJSONSchema`, input view, then
 * `SchemaReader`), without the JSON Schema in between — that conversion was most of the cost of
 * generating.
 *
 * The contract is identity, not similarity: for every schema it accepts, the IR is deep-equal to
 * the JSON Schema path's, key order included (test/zod-ir.test.ts proves it over the golden cases,
 * the example catalogue and fuzzed catalogues). So it reproduces what that path's output says,
 * including Zod's quirks:
 * - a union whose members are all bare types (`{ type }` and nothing else) is one `type` list, so
 *   repeated members collapse and a nullable member's null moves to the union;
 * - a named type (`.meta({ id })`) is a reference wherever it appears, and a wrapper or clone of it
 *   keeps only the annotations that differ from the named type's own;
 * - `z.int()` carries the safe-integer bounds, formats carry Zod's patterns (published as the
 *   registry publishes them), `z.iso.time()` and lax date-times carry no format;
 * - an object with no properties and a catch-all is a record.
 *
 * Whatever it does not fully understand — a construct outside that list, metadata that would
 * change the JSON Schema (`type`, `default`, …), a recursion without a name, two schemas with one
 * id, a key or divisor the JSON Schema path rewrites or refuses, a Zod older than 4.6 — it does not
 * guess: `readZodV4Payload` returns undefined and the caller takes the JSON Schema path, which
 * produces the output or the exact error it always did.
 */
import { base64Charset, base64urlCharset, globalRegistry, regexes, util } from "zod/v4/core";
import type { EnumNode, Field, NamedType, ObjectNode, RecordNode, StringNode, TypeNode, UnionNode } from "../ir/types.js";
import { publishedPattern } from "./pattern.js";

interface V4Check {
  _zod: { def: { check: string; [key: string]: unknown } };
}

interface V4Schema {
  _zod: {
    def: { type: string; checks?: V4Check[]; [key: string]: unknown };
    parent?: V4Schema;
    optin?: string;
    bag: Record<string, unknown>;
    traits: Set<string>;
    innerType?: V4Schema;
    version?: { major: number; minor: number };
  };
}

/** Thrown inside the reader for anything it does not reproduce exactly; the caller falls back. */
class NotDirect extends Error {}

/** The payload's IR and the named types it reaches, in the order the JSON Schema path meets them. */
export interface DirectPayload {
  payload: TypeNode;
  named: Map<string, NamedType>;
}

/** The oldest Zod 4 minor whose converter this reader reproduces (the one eventc is tested with). */
const MIN_MINOR = 6;

/**
 * The IR of a Zod v4 payload schema that passed the unrepresentable walk, or undefined when the
 * JSON Schema path must read it (see the module comment). Never throws.
 */
export function readZodV4Payload(schema: object): DirectPayload | undefined {
  const version = (schema as Partial<V4Schema>)._zod?.version;
  if (version === undefined || version.major !== 4 || version.minor < MIN_MINOR) return undefined;
  try {
    const reader = new DirectReader();
    const payload = reader.read(asV4(schema));
    return { payload, named: reader.named };
  } catch {
    return undefined;
  }
}

/** Metadata keys that become JSON Schema keywords the IR reader reads: such metadata is not read directly. */
const SCHEMA_KEYWORDS = new Set([
  "$ref", "$defs", "definitions", "type", "const", "enum", "anyOf", "oneOf", "allOf", "not", "if", "then", "else",
  "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "items", "prefixItems", "additionalItems", "minItems", "maxItems", "properties", "required", "additionalProperties",
  "propertyNames", "patternProperties", "dependentSchemas", "default", "_prefault", "x-eventc-any-json",
]);

/** Zod's format names → JSON Schema's (`""`: no format keyword). */
const FORMAT_NAMES: Record<string, string> = { guid: "uuid", url: "uri", datetime: "date-time", json_string: "json-string", regex: "" };

/** Zod's lax runtime patterns for base64 → the exact ones it publishes. */
const EXACT_PATTERNS = new Map<RegExp, RegExp>([
  [base64Charset, regexes.base64],
  [base64urlCharset, regexes.base64url],
]);

/** Wrappers whose JSON Schema is their inner schema's plus a few annotations of their own. */
const WRAPPERS = new Set(["optional", "nonoptional", "default", "prefault", "readonly", "lazy"]);

/** The top-level annotations of a schema's JSON Schema that the IR reads (present keys only). */
interface Annotations {
  description?: unknown;
  deprecated?: unknown;
  default?: unknown;
}

const ANNOTATION_KEYS = ["description", "deprecated", "default"] as const;

function asV4(value: unknown): V4Schema {
  if (typeof value !== "object" || value === null || !("_zod" in value)) throw new NotDirect();
  return value as V4Schema;
}

/** The JSON text of a value, as the converter compares and writes it. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A number as JSON carries it: non-finite numbers are dropped (the converter writes `null`), -0 is 0. */
function jsonNumber(value: unknown): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  return value === 0 ? 0 : value;
}

class DirectReader {
  /** Named types converted so far, by name (the order matches SchemaReader's). */
  readonly named = new Map<string, NamedType>();
  /** Schemas being read, for recursion: a recursion only through named types is read directly. */
  private readonly active = new Set<V4Schema>();
  /** Each id and the one schema that carries it. */
  private readonly ids = new Map<string, V4Schema>();
  /** Metadata by schema (the registry merges a clone's inherited metadata on every read). */
  private readonly metas = new Map<V4Schema, Record<string, unknown> | undefined>();

  /** A schema where SchemaReader.read would read it: its node, with its description and deprecation. */
  read(schema: V4Schema): TypeNode {
    const node = this.bare(schema);
    const annotations = this.annotations(schema);
    if (typeof annotations.description === "string" && node.description === undefined) node.description = annotations.description;
    if (annotations.deprecated === true) node.deprecated = true;
    return node;
  }

  /** The node of a schema's JSON Schema at a place that uses it (a named type is a reference there). */
  private bare(schema: V4Schema): TypeNode {
    const id = this.idOf(schema);
    return id === undefined ? this.bareOwn(schema) : this.ref(id, schema);
  }

  /** The annotations of a schema's JSON Schema at a place that uses it (a reference carries none). */
  private annotations(schema: V4Schema): Annotations {
    return this.idOf(schema) === undefined ? this.ownAnnotations(schema) : {};
  }

  /** A named type: converted on first use, with a placeholder first so that recursion finds it. */
  private ref(id: string, schema: V4Schema): TypeNode {
    if (!this.named.has(id)) {
      const placeholder: NamedType = { name: id, type: { kind: "unknown" } };
      this.named.set(id, placeholder);
      placeholder.type = this.bareOwn(schema);
      const description = this.ownAnnotations(schema).description;
      if (typeof description === "string") placeholder.description = description;
    }
    return { kind: "ref", name: id };
  }

  /** The schema's metadata (inherited from the schema it was cloned from, id excepted). */
  private meta(schema: V4Schema): Record<string, unknown> | undefined {
    if (this.metas.has(schema)) return this.metas.get(schema);
    const meta = globalRegistry.get(schema as never) as Record<string, unknown> | undefined;
    if (meta !== undefined) {
      for (const key of Reflect.ownKeys(meta)) if (typeof key !== "string" || SCHEMA_KEYWORDS.has(key)) throw new NotDirect();
    }
    this.metas.set(schema, meta);
    return meta;
  }

  /** The schema's id (`.meta({ id })`), when it is a named type. */
  private idOf(schema: V4Schema): string | undefined {
    const id = this.meta(schema)?.id;
    if (!id) return undefined;
    // The JSON Schema path writes the id into a `$ref` and reads it back; ids it would not read back
    // unchanged, and the names it generates itself, stay on that path.
    if (typeof id !== "string" || id.includes("%") || /^__schema\d+$/.test(id)) throw new NotDirect();
    const owner = this.ids.get(id);
    if (owner !== undefined && owner !== schema) throw new NotDirect();
    this.ids.set(id, schema);
    return id;
  }

  /** The nearest schema this one was cloned from (`.describe()`, `.meta()`, `.min()`, …) that is a named type. */
  private namedAncestor(schema: V4Schema): { ancestor: V4Schema; id: string; direct: boolean } | undefined {
    let direct = true;
    for (let ancestor = schema._zod.parent; ancestor !== undefined; ancestor = ancestor._zod.parent) {
      const id = this.idOf(ancestor);
      if (id !== undefined) return { ancestor, id, direct };
      direct = false;
    }
    return undefined;
  }

  /**
   * A clone of a named type (`Named.describe("…")`) is a reference to it. Only the direct clone of
   * a named type that is not a wrapper is read directly.
   */
  private cloneOfNamed(schema: V4Schema): { ancestor: V4Schema; id: string } | undefined {
    const found = this.namedAncestor(schema);
    if (found === undefined) return undefined;
    if (!found.direct || WRAPPERS.has(schema._zod.def.type)) throw new NotDirect();
    return found;
  }

  /** The top-level annotations of the schema's own JSON Schema (as if it were not a named type). */
  private ownAnnotations(schema: V4Schema): Annotations {
    const meta = this.meta(schema);
    const clone = this.cloneOfNamed(schema);
    if (clone !== undefined) {
      // Its keys equal to the named type's own are dropped beside the `$ref`.
      const named = this.ownAnnotations(clone.ancestor);
      const result: Annotations = {};
      for (const key of ANNOTATION_KEYS) {
        if (meta !== undefined && Object.hasOwn(meta, key) && !(Object.hasOwn(named, key) && sameJson(meta[key], named[key]))) result[key] = meta[key];
      }
      return result;
    }
    if (isAnyJson(schema)) return meta !== undefined && Object.hasOwn(meta, "description") ? { description: meta.description } : {};
    const def = schema._zod.def;
    if (!WRAPPERS.has(def.type)) return pick(meta);
    const inner = innerOf(schema);
    const own: Annotations = {};
    if (def.type === "default" || def.type === "prefault") own.default = jsonValue(def.defaultValue);
    Object.assign(own, pick(meta));
    const result: Annotations = { ...this.annotations(inner), ...own };
    if (this.idOf(inner) !== undefined) {
      // Beside the `$ref` to a named type, the wrapper's keys equal to the named type's go.
      const named = this.ownAnnotations(inner);
      for (const key of ANNOTATION_KEYS) if (Object.hasOwn(own, key) && Object.hasOwn(named, key) && sameJson(own[key], named[key])) delete result[key];
    }
    return result;
  }

  /** The node of the schema's own JSON Schema (as if it were not a named type). */
  private bareOwn(schema: V4Schema): TypeNode {
    if (this.active.has(schema)) throw new NotDirect();
    this.meta(schema);
    const clone = this.cloneOfNamed(schema);
    if (clone !== undefined) {
      this.probeRecursion(schema);
      return this.ref(clone.id, clone.ancestor);
    }
    if (isAnyJson(schema)) return { kind: "unknown" };
    this.active.add(schema);
    try {
      return this.node(schema);
    } finally {
      this.active.delete(schema);
    }
  }

  /**
   * Zod's converter walks a clone's own definition although only the `$ref` is read: a schema it
   * meets again on that walk is a recursion without a name (`__schema<n>`). Walks it the same way,
   * with the named types converted so far, and keeps nothing.
   */
  private probeRecursion(schema: V4Schema): void {
    const probe = new DirectReader();
    for (const [name, type] of this.named) probe.named.set(name, type);
    for (const [id, owner] of this.ids) probe.ids.set(id, owner);
    for (const active of this.active) probe.active.add(active);
    probe.active.add(schema);
    probe.node(schema);
  }

  private node(schema: V4Schema): TypeNode {
    const def = schema._zod.def;
    switch (def.type) {
      case "string":
        return this.string(schema);
      case "number":
        return number(schema);
      case "boolean":
      case "null":
        return { kind: def.type };
      case "any":
      case "unknown":
        return { kind: "unknown" };
      case "literal":
        return literalValues(def.values as unknown[]);
      case "enum": {
        const values = util.getEnumValues(def.entries as never) as unknown[];
        if (values.length === 0) throw new NotDirect();
        return enumOrLiterals(values.map(jsonValue));
      }
      case "array": {
        const node: TypeNode = { kind: "array", items: this.read(asV4(def.element)) };
        const { minimum, maximum } = aggregateChecks(schema);
        if (jsonNumber(minimum) !== undefined) node.minItems = jsonNumber(minimum)!;
        if (jsonNumber(maximum) !== undefined) node.maxItems = jsonNumber(maximum)!;
        if ((minimum !== undefined && node.minItems === undefined) || (maximum !== undefined && node.maxItems === undefined)) throw new NotDirect();
        return node;
      }
      case "tuple": {
        const node: TypeNode = { kind: "tuple", items: (def.items as unknown[]).map((item) => this.read(asV4(item))) };
        if (def.rest) node.rest = this.read(asV4(def.rest));
        return node;
      }
      case "record":
        return this.record(schema);
      case "object":
        return this.object(schema);
      case "union":
        return this.union(schema);
      case "nullable": {
        const inner = asV4(def.innerType);
        const types = this.bareTypes(inner, new Set());
        if (types !== undefined) return typeList(union(types, ["null"]));
        return { kind: "nullable", inner: this.read(inner) };
      }
      default:
        if (WRAPPERS.has(def.type)) return this.bare(innerOf(schema));
        throw new NotDirect();
    }
  }

  private string(schema: V4Schema): StringNode {
    const { minimum, maximum, format, patterns, laxFormat } = aggregateChecks(schema);
    const node: StringNode = { kind: "string" };
    if (typeof format === "string") {
      const name = FORMAT_NAMES[format] ?? format;
      if (name !== "" && format !== "time" && !laxFormat) node.format = name;
    }
    if (patterns !== undefined && patterns.size > 0) {
      // Two patterns are published as an `allOf`, which has no IR form: the JSON Schema path reports it.
      if (patterns.size > 1) throw new NotDirect();
      node.pattern = publishedSourceOf(schema, exactPattern([...patterns][0]!).source);
    }
    if (typeof minimum === "number") node.minLength = requireJsonNumber(minimum);
    if (typeof maximum === "number") node.maxLength = requireJsonNumber(maximum);
    return node;
  }

  private record(schema: V4Schema): TypeNode {
    const def = schema._zod.def;
    const keyType = asV4(def.keyType);
    const keyPatterns = aggregateChecks(keyType).patterns;
    if (def.mode === "loose" && keyPatterns !== undefined && keyPatterns.size > 0) throw new NotDirect();
    const keyNode = this.numberKeys(keyType) ?? this.read(keyType);
    let keys: StringNode | EnumNode;
    if (keyNode.kind === "string" || keyNode.kind === "enum") keys = keyNode;
    else if (keyNode.kind === "literal" && typeof keyNode.value === "string") keys = { kind: "enum", values: [keyNode.value] };
    else throw new NotDirect();
    const record: RecordNode = { kind: "record", keys, values: this.read(asV4(def.valueType)) };
    // Zod lists the keys as `required` unless the record is partial or its values may be absent.
    const keyValues = (keyType as unknown as { _zod: { values?: Set<unknown> } })._zod.values;
    const listed = keyValues !== undefined && [...keyValues].some((value) => typeof value === "string" || typeof value === "number");
    const required = listed && !def.partial && asV4(def.valueType)._zod.optin === undefined;
    if (!required && keys.kind === "enum") record.partial = true;
    return record;
  }

  /**
   * JSON object keys are strings: Zod publishes a number key schema as the string form its record
   * parser matches (a number or integer pattern; number literals as their text), dropping bounds.
   * Undefined for a key that is not a number, a number literal or a literal of several values.
   */
  private numberKeys(keyType: V4Schema): TypeNode | undefined {
    const def = keyType._zod.def;
    if (def.type !== "number" && def.type !== "literal") return undefined;
    if (this.idOf(keyType) !== undefined || this.namedAncestor(keyType) !== undefined) throw new NotDirect();
    let node: TypeNode;
    if (def.type === "number") {
      node = { kind: "string", pattern: (aggregateChecks(keyType).isInt ? regexes.integer : regexes.number).source };
    } else {
      const values = def.values as unknown[];
      if (!values.some((value) => typeof value === "number")) return undefined;
      if (values.length === 0 || values.some((value) => value === undefined || typeof value === "bigint")) throw new NotDirect();
      const text = values.map((value) => (typeof value === "number" ? String(jsonValue(value)) : jsonValue(value)));
      node = text.length === 1 ? literal(text[0]) : enumOrLiterals(text);
    }
    const annotations = this.annotations(keyType);
    if (typeof annotations.description === "string" && node.description === undefined) node.description = annotations.description;
    if (annotations.deprecated === true) node.deprecated = true;
    return node;
  }

  private object(schema: V4Schema): TypeNode {
    const def = schema._zod.def;
    const shape = def.shape as Record<string, unknown>;
    if (Object.getOwnPropertySymbols(shape).length > 0) throw new NotDirect();
    const names = Object.keys(shape);
    const catchall = def.catchall === undefined ? undefined : asV4(def.catchall);
    const strict = catchall !== undefined && catchall._zod.def.type === "never";
    if (names.length === 0 && catchall !== undefined && !strict) {
      // No properties beside a catch-all: the JSON Schema is a map's.
      return { kind: "record", keys: { kind: "string" }, values: this.read(catchall) };
    }
    const fields: Field[] = names.map((name) => {
      const fieldSchema = asV4(shape[name]);
      const type = this.bare(fieldSchema);
      const field: Field = { name, type, optional: fieldSchema._zod.optin !== undefined };
      const annotations = this.annotations(fieldSchema);
      if (typeof annotations.description === "string") field.description = annotations.description;
      if (annotations.deprecated === true) field.deprecated = true;
      if (Object.hasOwn(annotations, "default")) {
        field.default = annotations.default;
        field.optional = true;
      }
      return field;
    });
    let additional: ObjectNode["additional"] = "ignore";
    if (strict) additional = "reject";
    else if (catchall !== undefined) additional = this.read(catchall);
    return { kind: "object", fields, additional };
  }

  private union(schema: V4Schema): TypeNode {
    const def = schema._zod.def;
    const options = (def.options as unknown[]).map(asV4);
    if (options.length === 0) throw new NotDirect();
    const exclusive = def.inclusive === false;
    if (!exclusive) {
      const types = this.unionTypes(options, new Set());
      if (types !== undefined) return typeList(types);
    }
    const isNull = (option: V4Schema): boolean => {
      const types = this.bareTypes(option, new Set());
      return types !== undefined && types.length === 1 && types[0] === "null";
    };
    const nonNull = options.filter((option) => !isNull(option));
    if (nonNull.length === 0) return { kind: "null" };
    const members = nonNull.map((option) => this.read(option));
    const inner = members.length === 1 ? members[0]! : this.discriminate({ kind: "union", members });
    return nonNull.length < options.length ? { kind: "nullable", inner } : inner;
  }

  /**
   * The types of a schema whose JSON Schema is `{ type }` and nothing else (after Zod folds unions
   * of such schemas into one `type` list), else undefined.
   */
  private bareTypes(schema: V4Schema, seen: Set<V4Schema>): string[] | undefined {
    if (seen.has(schema)) throw new NotDirect();
    seen.add(schema);
    if (this.idOf(schema) !== undefined) return undefined;
    const meta = this.meta(schema);
    if (meta !== undefined && Object.keys(meta).length > 0) return undefined;
    if (this.namedAncestor(schema) !== undefined || isAnyJson(schema)) return undefined;
    const def = schema._zod.def;
    switch (def.type) {
      case "string": {
        const { minimum, maximum, format, patterns, contentEncoding, laxFormat } = aggregateChecks(schema);
        const hasFormat = typeof format === "string" && (FORMAT_NAMES[format] ?? format) !== "" && format !== "time" && !laxFormat;
        const constrained = typeof minimum === "number" || typeof maximum === "number" || hasFormat || contentEncoding !== undefined || (patterns?.size ?? 0) > 0;
        return constrained ? undefined : ["string"];
      }
      case "number": {
        const agg = aggregateChecks(schema);
        const constrained = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].some((key) => typeof agg[key] === "number") || agg.multipleOf !== undefined;
        return constrained ? undefined : [agg.isInt ? "integer" : "number"];
      }
      case "boolean":
      case "null":
        return [def.type];
      case "nullable": {
        const inner = this.bareTypes(asV4(def.innerType), seen);
        return inner === undefined ? undefined : union(inner, ["null"]);
      }
      case "union":
        if (def.inclusive === false || (def.options as unknown[]).length === 0) return undefined;
        return this.unionTypes((def.options as unknown[]).map(asV4), seen);
      case "optional":
      case "nonoptional":
      case "lazy":
        return this.bareTypes(innerOf(schema), seen);
      default:
        return undefined;
    }
  }

  private unionTypes(options: V4Schema[], seen: Set<V4Schema>): string[] | undefined {
    let types: string[] = [];
    for (const option of options) {
      const own = this.bareTypes(option, new Set(seen));
      if (own === undefined) return undefined;
      types = union(types, own);
    }
    return types;
  }

  /** As SchemaReader.resolve: follows references to the node they name. */
  private resolve(node: TypeNode): TypeNode {
    let current = node;
    const seen = new Set<string>();
    while (current.kind === "ref") {
      if (seen.has(current.name)) throw new Error("a named type that is only a reference to itself");
      seen.add(current.name);
      current = this.named.get(current.name)!.type;
    }
    return current;
  }

  /** As SchemaReader.discriminate: a union of objects with one distinct string tag each. */
  private discriminate(union: UnionNode): UnionNode {
    let objects: TypeNode[];
    try {
      objects = union.members.map((member) => this.resolve(member));
    } catch {
      return union;
    }
    if (!objects.every((member): member is ObjectNode => member.kind === "object")) return union;
    for (const candidate of objects[0]!.fields) {
      const tags: string[] = [];
      for (const member of objects) {
        const field = member.fields.find((f) => f.name === candidate.name);
        if (!field || field.optional || field.type.kind !== "literal" || typeof field.type.value !== "string") break;
        tags.push(field.type.value);
      }
      if (tags.length === objects.length && new Set(tags).size === tags.length) return { ...union, discriminator: candidate.name, tags };
    }
    return union;
  }
}

/** The schema a wrapper wraps. */
function innerOf(schema: V4Schema): V4Schema {
  const def = schema._zod.def;
  return asV4(def.type === "lazy" ? schema._zod.innerType : def.innerType);
}

function pick(meta: Record<string, unknown> | undefined): Annotations {
  const result: Annotations = {};
  if (meta === undefined) return result;
  for (const key of ANNOTATION_KEYS) if (Object.hasOwn(meta, key)) result[key] = meta[key];
  return result;
}

/** `a` then the members of `b` it lacks. */
function union(a: string[], b: string[]): string[] {
  const result = [...a];
  for (const item of b) if (!result.includes(item)) result.push(item);
  return result;
}

/** The node SchemaReader reads from a `type` (one name, or a list of several). */
function typeList(types: string[]): TypeNode {
  const one = (type: string): TypeNode => {
    switch (type) {
      case "string":
        return { kind: "string" };
      case "number":
      case "integer":
        return { kind: "number", integer: type === "integer" };
      case "boolean":
      case "null":
        return { kind: type };
      default:
        throw new NotDirect();
    }
  };
  if (types.length === 1) return one(types[0]!);
  const nonNull = types.filter((type) => type !== "null");
  const inner: TypeNode = nonNull.length === 1 ? one(nonNull[0]!) : { kind: "union", members: nonNull.map(one) };
  return nonNull.length < types.length ? { kind: "nullable", inner } : inner;
}

/** A value as the converter writes it: through JSON (a bigint, or no JSON form at all, is not read directly). */
function jsonValue(value: unknown): unknown {
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  if (typeof value === "number" && Number.isFinite(value)) return value === 0 ? 0 : value;
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "bigint") throw new NotDirect();
    return item;
  });
  if (text === undefined) throw new NotDirect();
  return JSON.parse(text);
}

function requireJsonNumber(value: number): number {
  const json = jsonNumber(value);
  if (json === undefined) throw new NotDirect();
  return json;
}

/** As SchemaReader's `literal` for each value of a Zod literal (one value: a const; several: an enum). */
function literalValues(values: unknown[]): TypeNode {
  if (values.length === 0 || values.some((value) => value === undefined || typeof value === "bigint")) throw new NotDirect();
  const json = values.map(jsonValue);
  return json.length === 1 ? literal(json[0]) : enumOrLiterals(json);
}

function literal(value: unknown): TypeNode {
  if (value === null) return { kind: "null" };
  if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return { kind: "literal", value };
  throw new NotDirect();
}

function enumOrLiterals(values: unknown[]): TypeNode {
  if (values.length > 0 && values.every((value): value is string => typeof value === "string")) return { kind: "enum", values };
  const members = values.map(literal);
  return members.length === 1 ? members[0]! : { kind: "union", members };
}

function number(schema: V4Schema): TypeNode {
  const agg = aggregateChecks(schema);
  const node: TypeNode = { kind: "number", integer: agg.isInt === true };
  const minimum = agg.minimum as number | undefined;
  const maximum = agg.maximum as number | undefined;
  const exclusiveMinimum = agg.exclusiveMinimum as number | undefined;
  const exclusiveMaximum = agg.exclusiveMaximum as number | undefined;
  const bounds: Partial<Record<"minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf", number>> = {};
  if (typeof exclusiveMinimum === "number" && exclusiveMinimum >= (minimum ?? Number.NEGATIVE_INFINITY)) bounds.exclusiveMinimum = exclusiveMinimum;
  else if (typeof minimum === "number") bounds.minimum = minimum;
  if (typeof exclusiveMaximum === "number" && exclusiveMaximum <= (maximum ?? Number.POSITIVE_INFINITY)) bounds.exclusiveMaximum = exclusiveMaximum;
  else if (typeof maximum === "number") bounds.maximum = maximum;
  if (agg.multipleOf !== undefined) {
    const divisors = new Set<number>();
    for (const divisor of agg.multipleOf as number[]) {
      if (!Number.isFinite(divisor) || divisor === 0) throw new NotDirect();
      divisors.add(Math.abs(divisor));
    }
    // Further divisors are published as an `allOf`, which has no IR form.
    if (divisors.size > 1) throw new NotDirect();
    bounds.multipleOf = [...divisors][0]!;
  }
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const) {
    const value = jsonNumber(bounds[key]);
    if (value !== undefined) node[key] = value;
  }
  return node;
}

/** The published source of one pattern of a string schema, as the JSON Schema path rewrites it. */
function publishedSourceOf(schema: V4Schema, source: string): string {
  const def = schema._zod.def;
  const own: RegExp[] = [];
  if (def.pattern instanceof RegExp) own.push(def.pattern);
  for (const check of def.checks ?? []) if (check._zod?.def?.pattern instanceof RegExp) own.push(check._zod.def.pattern);
  // The last regular expression of a source wins, as in the JSON Schema path's map by source.
  const last = own.filter((regex) => regex.source === source).at(-1);
  if (last !== undefined) {
    const published = publishedPattern(last.source, last.flags);
    if (published.ok) return published.pattern;
  }
  try {
    new RegExp(source, "u");
    return source;
  } catch {
    const published = publishedPattern(source, "");
    return published.ok ? published.pattern : source;
  }
}

function exactPattern(pattern: RegExp): RegExp {
  return EXACT_PATTERNS.get(pattern) ?? pattern;
}

/**
 * Is this Zod v4's `z.json()`: a lazy union of string, number, boolean, null, an array of itself and
 * a string-keyed record of itself? The JSON Schema path publishes it as any JSON value.
 */
function isAnyJson(schema: V4Schema): boolean {
  const def = schema._zod.def;
  if (def.type !== "lazy") return false;
  const inner = (def.getter as () => unknown)() as Partial<V4Schema> | undefined;
  const union = inner?._zod?.def;
  if (union === undefined || union.type !== "union" || !Array.isArray(union.options) || union.options.length !== 6) return false;
  const options = (union.options as V4Schema[]).map((option) => option._zod.def);
  if (options.map((option) => option.type).join(",") !== "string,number,boolean,null,array,record") return false;
  const self = (node: unknown): boolean => {
    const nodeDef = (node as Partial<V4Schema> | undefined)?._zod?.def;
    return nodeDef !== undefined && nodeDef.type === "lazy" && nodeDef.getter === def.getter;
  };
  return self(options[4]!.element) && self(options[5]!.valueType);
}

/** Number and length checks, formats and patterns of a schema, folded as Zod's converter folds them. */
interface Aggregate {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number[];
  format?: string;
  isInt?: boolean;
  patterns?: Set<RegExp>;
  contentEncoding?: string;
  laxFormat?: boolean;
  [key: string]: unknown;
}

const narrowMin = (agg: Aggregate, key: "minimum" | "exclusiveMinimum", value: number): void => {
  if (agg[key] === undefined || value > agg[key]!) agg[key] = value;
};
const narrowMax = (agg: Aggregate, key: "maximum" | "exclusiveMaximum", value: number): void => {
  if (agg[key] === undefined || value < agg[key]!) agg[key] = value;
};
const addDivisor = (agg: Aggregate, value: number): void => {
  agg.multipleOf ??= [];
  if (!agg.multipleOf.includes(value)) agg.multipleOf.push(value);
};
const setFormat = (agg: Aggregate, format: string): void => {
  agg.format = format;
  if (format.includes("int")) agg.isInt = true;
};
const formatRange =
  (ranges: Record<string, [number | bigint, number | bigint]>) =>
  (agg: Aggregate, def: Record<string, unknown>): void => {
    setFormat(agg, def.format as string);
    const [minimum, maximum] = ranges[def.format as string]!;
    narrowMin(agg, "minimum", minimum as number);
    narrowMax(agg, "maximum", maximum as number);
  };

const CONTRIBUTORS: Record<string, (agg: Aggregate, def: Record<string, unknown>) => void> = {
  greater_than: (agg, def) => narrowMin(agg, def.inclusive ? "minimum" : "exclusiveMinimum", def.value as number),
  less_than: (agg, def) => narrowMax(agg, def.inclusive ? "maximum" : "exclusiveMaximum", def.value as number),
  multiple_of: (agg, def) => addDivisor(agg, def.value as number),
  number_format: formatRange(util.NUMBER_FORMAT_RANGES as never),
  bigint_format: formatRange(util.BIGINT_FORMAT_RANGES as never),
  min_length: (agg, def) => narrowMin(agg, "minimum", def.minimum as number),
  max_length: (agg, def) => narrowMax(agg, "maximum", def.maximum as number),
  length_equals: (agg, def) => {
    narrowMin(agg, "minimum", def.length as number);
    narrowMax(agg, "maximum", def.length as number);
  },
  min_size: (agg, def) => narrowMin(agg, "minimum", def.minimum as number),
  max_size: (agg, def) => narrowMax(agg, "maximum", def.maximum as number),
  size_equals: (agg, def) => {
    narrowMin(agg, "minimum", def.size as number);
    narrowMax(agg, "maximum", def.size as number);
  },
  string_format: (agg, def) => {
    setFormat(agg, def.format as string);
    if (def.pattern instanceof RegExp) (agg.patterns ??= new Set()).add(def.pattern);
    if (def.format === "base64" || def.format === "base64url") agg.contentEncoding = def.format;
    if (def.local || def.precision === -1) agg.laxFormat = true;
  },
  mime_type: () => {
    throw new NotDirect();
  },
};

function aggregateChecks(schema: V4Schema): Aggregate {
  const agg: Aggregate = {};
  const def = schema._zod.def;
  // A format schema (`z.email()`) is its own first check.
  const list: { _zod: { def: Record<string, unknown> } }[] = schema._zod.traits.has("$ZodCheck") ? [schema as never, ...(def.checks ?? [])] : (def.checks ?? []);
  for (const check of list) CONTRIBUTORS[check._zod.def.check as string]?.(agg, check._zod.def);
  const bag = schema._zod.bag;
  if (typeof bag.minimum === "number") narrowMin(agg, "minimum", bag.minimum);
  if (typeof bag.exclusiveMinimum === "number") narrowMin(agg, "exclusiveMinimum", bag.exclusiveMinimum);
  if (typeof bag.maximum === "number") narrowMax(agg, "maximum", bag.maximum);
  if (typeof bag.exclusiveMaximum === "number") narrowMax(agg, "exclusiveMaximum", bag.exclusiveMaximum);
  if (bag.multipleOf !== undefined) addDivisor(agg, bag.multipleOf as number);
  if (typeof bag.format === "string") {
    agg.format ??= bag.format;
    if (bag.format.includes("int")) agg.isInt = true;
  }
  if (bag.mime) throw new NotDirect();
  for (const pattern of (bag.patterns as Set<RegExp> | undefined) ?? []) (agg.patterns ??= new Set()).add(pattern);
  // Anything else in the bag is a third party's contribution this reader does not know.
  for (const key of Object.keys(bag)) if (!KNOWN_BAG_KEYS.has(key)) throw new NotDirect();
  return agg;
}

const KNOWN_BAG_KEYS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format", "patterns", "pattern", "contentEncoding"]);
