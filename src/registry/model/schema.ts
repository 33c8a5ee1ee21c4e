/**
 * The comparer's model: a normalized JSON Schema.
 *
 * The codegen IR (src/ir/types.ts) is a wire model for the targets and stays small. The registry
 * has to judge every schema a team may hand it — `not`, `if`/`then`/`else`, `dependentSchemas`,
 * `minProperties`, tuples with open rests — so it reads JSON Schema into this model instead. The
 * catalogue reaches it through the same documents the lockfile records (the `jsonschema` target's
 * output of the IR), so one reader serves catalogues, lockfiles and raw files alike.
 *
 * A Schema denotes a set of JSON values. It is built from
 *
 * - `any` (`true`, `{}`), `never` (`false`), and `open`: what `additionalProperties` absent or
 *   `true` allows — any value, which a tolerant producer never sends (see Policy);
 * - `ref`: a schema elsewhere in one of the two documents, by JSON Pointer, read on first use (so
 *   `$ref` cycles are finite graphs, never infinite trees);
 * - `union` (`anyOf`, exclusive `oneOf`, type lists), `all` (`allOf`, sibling keywords, `$ref`
 *   with siblings) and `not`, kept lazy: they are normalized one level at a time, when a
 *   comparison looks inside;
 * - atoms: one JSON type each, a conjunction of that type's constraints. Keywords apply by
 *   instance type whether or not `type` is present, so `{ "minLength": 2 }` is the union of a
 *   string atom and the unconstrained atoms of the other five types.
 *
 * Every atom can also exclude a finite set of values (the complement of `const`/`enum`), and
 * `null` and `boolean` are finite: they are `const` atoms. A number atom's `integer` flag is the
 * `integer` type. Complements (`not`, the `else` branch of `if`, `oneOf` over overlapping members)
 * are computed atom by atom (algebra.ts), which is why atoms also carry the negated forms of their
 * constraints: `notPatterns`, `notFormats`, `notMultipleOf`, `duplicates` (some item repeats: not
 * `uniqueItems`), `contains` counted from a position (not `items` after a prefix) and `someKeys`
 * (some key in a region has such a value: not `additionalProperties`, `patternProperties` or
 * `propertyNames`). Where a complement still has no form the reader reports the keyword as
 * unsupported instead (fail closed).
 *
 * Object atoms hold their key rules as JSON Schema states them, so that an intersection
 * (`allOf`) is the concatenation of rules: `properties` (by name), `patternProperties` (by
 * pattern) and `additional` rules, each applying to the keys its own schema object neither names
 * nor matches. A key's value must satisfy every rule that applies to it.
 */
import { EventcError } from "../../errors.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Which document a reference points into. */
export type Doc = "previous" | "current";

/**
 * An input error in one of the two documents (a `$ref` that does not resolve, a cycle no validator
 * can evaluate, an unknown `$schema`): `side` says which, so the caller can name the lockfile or
 * file, event and version that hold it.
 */
export class SchemaInputError extends EventcError {
  constructor(
    message: string,
    readonly side: Doc,
  ) {
    super(message);
  }
}

export type Schema = AnySchema | NeverSchema | OpenSchema | RefSchema | UnionSchema | AllSchema | NotSchema | Atom;

export interface AnySchema {
  kind: "any";
}

export interface NeverSchema {
  kind: "never";
}

/** Any value; a tolerant producer sends none (`additionalProperties` absent or `true`). */
export interface OpenSchema {
  kind: "open";
}

/** A schema elsewhere in a document, by JSON Pointer (`#/$defs/Part` → `/$defs/Part`). */
export interface RefSchema {
  kind: "ref";
  doc: Doc;
  pointer: string;
  /** For messages: the `$defs`/`definitions` entry name, else the pointer. */
  name: string;
}

export interface UnionSchema {
  kind: "union";
  members: Schema[];
}

export interface AllSchema {
  kind: "all";
  members: Schema[];
}

export interface NotSchema {
  kind: "not";
  schema: Schema;
  /** Where the `not` (or `if`, `oneOf`) stands, for messages when its complement has no form. */
  pointer: string;
}

export type Atom = ConstAtom | NumberAtom | StringAtom | ArrayAtom | ObjectAtom;
export type AtomKind = Atom["kind"];

/**
 * A finite set of values (`const`, `enum`, `null`, `boolean`). `also`: constraints that could not
 * be decided on the values (a format), which a value must meet as well.
 */
export interface ConstAtom {
  kind: "const";
  values: Json[];
  also?: Atom[];
}

export interface Bound {
  value: number;
  exclusive: boolean;
}

export interface NumberAtom {
  kind: "number";
  integer: boolean;
  minimum?: Bound;
  maximum?: Bound;
  multipleOf: number[];
  notMultipleOf: number[];
  /** Format names (compared by name; see docs/registry.md). */
  formats: string[];
  notFormats: string[];
  exclude: Json[];
}

export interface StringAtom {
  kind: "string";
  minLength: number;
  maxLength?: number;
  patterns: string[];
  notPatterns: string[];
  formats: string[];
  notFormats: string[];
  exclude: Json[];
}

/** `contains` with its counts (`minContains` defaults to 1); `from`: only items from that position count (complements). */
export interface Contains {
  schema: Schema;
  min: number;
  max?: number;
  from?: number;
}

export interface ArrayAtom {
  kind: "array";
  /** Position schemas (`prefixItems`, draft-07 `items` arrays). */
  prefix: Schema[];
  /** Items after the prefix. */
  items: Schema;
  minItems: number;
  maxItems?: number;
  contains: Contains[];
  unique: boolean;
  /** Some item repeats (the complement of `uniqueItems`). */
  duplicates: boolean;
  exclude: Json[];
}

export interface Property {
  name: string;
  schema: Schema;
}

/** `additionalProperties` of one schema object: keys it neither names nor matches. */
export interface AdditionalRule {
  names: string[];
  patterns: string[];
  schema: Schema;
}

/**
 * Keys of an object: one name's pattern, what an additional rule covers (neither these names nor
 * these patterns), or the strings a schema accepts.
 */
export type KeyRegion = { pattern: string } | { names: string[]; patterns: string[] } | { keys: Schema };

/** Some key in the region has a value the schema accepts (complements of key rules). */
export interface KeyExists {
  region: KeyRegion;
  schema: Schema;
}

export interface ObjectAtom {
  kind: "object";
  properties: Property[];
  patterns: Array<{ pattern: string; schema: Schema }>;
  additional: AdditionalRule[];
  required: string[];
  /** Schemas every key must meet (strings). */
  propertyNames: Schema[];
  minProperties: number;
  maxProperties?: number;
  dependentRequired: Array<{ key: string; names: string[] }>;
  dependentSchemas: Array<{ key: string; schema: Schema }>;
  someKeys: KeyExists[];
  exclude: Json[];
  /**
   * Names in `required` only because a case of the comparison assumes them (a dependency's key
   * present, the names it then requires), not because the schema declares them: a tolerant
   * producer does not send a key it does not declare.
   */
  assumed?: string[];
}

export const ANY: AnySchema = { kind: "any" };
export const NEVER: NeverSchema = { kind: "never" };
export const OPEN: OpenSchema = { kind: "open" };

export function numberAtom(integer = false): NumberAtom {
  return { kind: "number", integer, multipleOf: [], notMultipleOf: [], formats: [], notFormats: [], exclude: [] };
}

export function stringAtom(): StringAtom {
  return { kind: "string", minLength: 0, patterns: [], notPatterns: [], formats: [], notFormats: [], exclude: [] };
}

export function arrayAtom(): ArrayAtom {
  return { kind: "array", prefix: [], items: ANY, minItems: 0, contains: [], unique: false, duplicates: false, exclude: [] };
}

export function objectAtom(): ObjectAtom {
  return { kind: "object", properties: [], patterns: [], additional: [], required: [], propertyNames: [], minProperties: 0, dependentRequired: [], dependentSchemas: [], someKeys: [], exclude: [] };
}

export function constAtom(values: Json[]): ConstAtom {
  return { kind: "const", values };
}

/** The six JSON types, unconstrained: what `true` denotes, atom by atom. */
export function anyAtoms(): Atom[] {
  return [constAtom([null]), constAtom([true, false]), numberAtom(), stringAtom(), arrayAtom(), { ...objectAtom(), additional: [{ names: [], patterns: [], schema: ANY }] }];
}

/** The JSON type of a value as atoms group it: `null`, `boolean`, `number`, `string`, `array`, `object`. */
export type Family = "null" | "boolean" | "number" | "string" | "array" | "object";

export function familyOfValue(value: Json): Family {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as "boolean" | "number" | "string" | "object";
}

/** The family of an atom (a const atom's values are of one family once split, see splitConst). */
export function familyOf(atom: Atom): Family {
  return atom.kind === "const" ? familyOfValue(atom.values[0] ?? null) : atom.kind;
}

/** A union, flattened, without `never` members; one member stands for itself. */
export function union(members: Schema[]): Schema {
  const flat: Schema[] = [];
  for (const member of members) {
    if (member.kind === "union") flat.push(...member.members);
    else if (member.kind !== "never") flat.push(member);
  }
  if (flat.some((member) => member.kind === "any")) return ANY;
  if (flat.length === 0) return NEVER;
  const distinct = unique(flat);
  return distinct.length === 1 ? distinct[0]! : { kind: "union", members: distinct };
}

/**
 * Members without repeats (by schemaKey): a recursive schema unfolded by intersections would
 * otherwise grow `all(D, X, D, X, …)` at every level, and its keys would never repeat.
 */
function unique(members: Schema[]): Schema[] {
  const seen = new Set<string>();
  return members.filter((member) => {
    const key = schemaKey(member);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A conjunction, flattened, without `any` members; one member stands for itself. */
export function all(members: Schema[]): Schema {
  const flat: Schema[] = [];
  for (const member of members) {
    if (member.kind === "all") flat.push(...member.members);
    else if (member.kind !== "any") flat.push(member);
  }
  if (flat.some((member) => member.kind === "never")) return NEVER;
  if (flat.length === 0) return ANY;
  if (flat.length > 1 && flat.every((member) => member.kind === "open")) return OPEN;
  const withoutOpen = unique(flat.length > 1 ? flat.filter((member) => member.kind !== "open") : flat);
  return withoutOpen.length === 1 ? withoutOpen[0]! : { kind: "all", members: withoutOpen };
}

/** JSON equality (numbers by value, object keys in any order). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as Json[];
    return a.length === other.length && a.every((item, index) => jsonEqual(item, other[index]!));
  }
  const left = a as { [key: string]: Json };
  const right = b as { [key: string]: Json };
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key]!, right[key]!));
}

export function includesValue(values: readonly Json[], value: Json): boolean {
  return values.some((candidate) => jsonEqual(candidate, value));
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/**
 * A key that is the same for the same schema however often it is rebuilt: references by pointer,
 * lazy `all`/`union`/`not` nodes by their members' keys, anything else by object identity.
 * Intersections and complements build new lazy nodes over the same children, so a recursive
 * schema unfolded twice yields the same keys — which is what ends recursion in comparisons.
 */
export function schemaKey(schema: Schema): string {
  switch (schema.kind) {
    case "ref":
      return `${schema.doc}:${schema.pointer}`;
    case "any":
    case "never":
    case "open":
      return schema.kind;
    case "all":
      return `&(${schema.members.map(schemaKey).sort().join(",")})`;
    case "union":
      return `|(${schema.members.map(schemaKey).join(",")})`;
    case "not":
      return `!(${schemaKey(schema.schema)})`;
    default: {
      let id = objectIds.get(schema);
      if (id === undefined) {
        id = ++nextObjectId;
        objectIds.set(schema, id);
      }
      return `#${id}`;
    }
  }
}
