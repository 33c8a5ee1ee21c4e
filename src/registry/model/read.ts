/**
 * JSON Schema → the comparer model, in the dialect the document's `$schema` names: draft-07 or
 * 2020-12 (the default, which eventc publishes). Any other `$schema` is an input error.
 *
 * As it reads, the reader records in a KeywordLedger which keywords of each schema object the
 * model accounts for. Everything else — keywords outside the dialect's vocabulary, extension
 * keywords, `$ref` siblings in draft-07 (which validators treat differently), a `not` whose
 * complement has no form in the model — is listed by `unread()`, and the registry reports it as
 * UNSUPPORTED_KEYWORD (fail closed).
 *
 * References are read lazily, by JSON Pointer into the document (`#`, `#/$defs/A`,
 * `#/definitions/A`, `#/properties/a/items`, …), so recursive schemas are finite graphs.
 */
import { EventcError } from "../../errors.js";
import { childPointer, KeywordLedger, type SchemaVisit, type UnreadKeyword } from "../../ir/schema-keywords.js";
import type { JsonSchema } from "../../ir/types.js";
import { Algebra, compilePattern, Unsupported, type Resolver } from "./algebra.js";
import {
  ANY,
  NEVER,
  OPEN,
  all,
  anyAtoms,
  arrayAtom,
  constAtom,
  numberAtom,
  objectAtom,
  stringAtom,
  union,
  type AdditionalRule,
  type ArrayAtom,
  type Atom,
  type Doc,
  type Json,
  type NumberAtom,
  type ObjectAtom,
  SchemaInputError,
  type RefSchema,
  type Schema,
  type StringAtom,
  type UnionSchema,
} from "./schema.js";

export type Dialect = "draft-07" | "2020-12";

const DIALECT_URIS: Record<string, Dialect> = {
  "json-schema.org/draft-07/schema": "draft-07",
  "json-schema.org/draft/2020-12/schema": "2020-12",
};

/** The dialect a document declares with `$schema` (2020-12 when it declares none). */
export function dialectOf(root: JsonSchema, label: string): Dialect {
  const declared = root.$schema;
  if (declared === undefined) return "2020-12";
  const key = typeof declared === "string" ? declared.replace(/^https?:\/\//, "").replace(/#$/, "") : undefined;
  const dialect = key === undefined ? undefined : DIALECT_URIS[key];
  if (dialect === undefined) {
    throw new EventcError(
      `the JSON Schema of "${label}" declares "$schema": ${JSON.stringify(declared)}, a dialect the comparer does not read; use draft-07 ("http://json-schema.org/draft-07/schema#") or 2020-12 ("https://json-schema.org/draft/2020-12/schema")`,
    );
  }
  return dialect;
}

const TYPES = ["null", "boolean", "object", "array", "number", "string", "integer"];
const IN_PLACE = ["allOf", "anyOf", "oneOf", "not", "if", "$ref", "dependentSchemas"];
/** In-place applicators whose evaluated properties depend on the instance (`not` evaluates none). */
const DYNAMIC = ["anyOf", "oneOf", "if", "dependentSchemas"];
/** Applicators beside unevaluatedProperties read case by case (see DocumentReader.branches). */
type Branchwise = "anyOf" | "oneOf" | "if" | "dependentSchemas";
/** Members of an `anyOf` (entries of `dependentSchemas`) beside unevaluatedProperties whose cases are enumerated. */
const MAX_ANYOF_CASES = 3;

const STRING_KEYWORDS = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "unevaluatedItems"];
const OBJECT_KEYWORDS = [
  "properties",
  "patternProperties",
  "additionalProperties",
  "required",
  "propertyNames",
  "minProperties",
  "maxProperties",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
  "unevaluatedProperties",
];

/** Keywords that exist in one dialect only (read as unsupported in the other). */
const ONLY_2020 = new Set(["prefixItems", "minContains", "maxContains", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems"]);
const ONLY_07 = new Set(["dependencies"]);

const isObject = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

/** Reads one document; references resolve within it. */
export class DocumentReader {
  readonly dialect: Dialect;
  private readonly ledger = new KeywordLedger();
  private readonly targets = new Map<string, Schema>();
  /** Checks that need the whole document (complements), run once the root is read. */
  private readonly pending: Array<() => void> = [];
  /** Pointers references reach, read before the checks run. */
  private readonly reached: string[] = [];
  /** `oneOf` decisions (overlapping or not), run before the complement checks. */
  private readonly decisions: Array<() => void> = [];
  algebra!: Algebra;

  constructor(
    private readonly root: JsonSchema,
    readonly doc: Doc,
    label: string,
  ) {
    try {
      this.dialect = dialectOf(root, label);
    } catch (error) {
      throw error instanceof EventcError ? new SchemaInputError(error.message, doc) : error;
    }
  }

  readRoot(): Schema {
    const schema = this.read(this.root, "");
    this.settle();
    return schema;
  }

  /** Runs the complement checks queued so far (and those they queue in turn). */
  settle(): void {
    for (;;) {
      // Every schema a reference reaches is read (its keywords count even where an `anyOf` with `{}` makes it moot).
      const pointer = this.reached.shift();
      if (pointer !== undefined) this.target(pointer);
      else if (this.decisions.length > 0) this.decisions.shift()!();
      else if (this.pending.length > 0) this.pending.shift()!();
      else break;
    }
  }

  unread(): UnreadKeyword[] {
    this.settle();
    return this.ledger.unread();
  }

  /** The schema at a pointer of this document, read on first use. */
  target(pointer: string): Schema {
    let schema = this.targets.get(pointer);
    if (schema === undefined) {
      const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
      const value = tokens.reduce<unknown>((node, token) => ownMember(node, token), this.root);
      this.targets.set(pointer, ANY);
      schema = this.read(value, pointer);
      this.targets.set(pointer, schema);
    }
    return schema;
  }

  read(schema: unknown, pointer: string): Schema {
    if (schema === true) return ANY;
    if (schema === false) return NEVER;
    if (!isObject(schema)) throw new SchemaInputError(`schema ${JSON.stringify(schema)} at "${pointer || "/"}" is not a JSON Schema (an object or a boolean)`, this.doc);
    const visit = this.ledger.visit(schema, pointer);
    for (const keyword of Object.keys(schema)) {
      if ((this.dialect === "draft-07" && ONLY_2020.has(keyword)) || (this.dialect === "2020-12" && ONLY_07.has(keyword))) {
        visit.refuse(keyword, `it is not a ${this.dialect} keyword`);
      }
    }
    const parts: Schema[] = [];
    if (Object.hasOwn(schema, "$ref")) {
      const ref = this.reference(schema.$ref, visit);
      if (ref !== undefined) parts.push(ref);
      if (this.dialect === "draft-07") {
        for (const keyword of Object.keys(schema)) {
          if (keyword !== "$ref") visit.refuse(keyword, `draft-07 ignores keywords beside "$ref", and validators differ on it`);
        }
        return parts[0] ?? ANY;
      }
    }
    const branchwise = this.branchwiseKeyword(schema);
    if (branchwise !== undefined) this.branchwise.add(schema);
    const typed = this.typed(schema, visit);
    if (typed !== undefined) parts.push(typed);
    if (Object.hasOwn(schema, "const")) {
      parts.push(constAtom([schema.const as Json]));
      visit.use("const");
    }
    if (Object.hasOwn(schema, "enum")) {
      if (Array.isArray(schema.enum)) {
        parts.push(constAtom(schema.enum as Json[]));
        visit.use("enum");
      } else visit.refuse("enum", "it is not a list of values");
    }
    const list = (keyword: string): Schema[] | undefined => {
      const value = schema[keyword];
      if (value === undefined) return undefined;
      if (!Array.isArray(value) || value.length === 0) {
        visit.refuse(keyword, "it is not a non-empty list of schemas");
        return undefined;
      }
      visit.use(keyword);
      return value.map((member, index) => this.read(member, childPointer(childPointer(pointer, keyword), index)));
    };
    const allOf = list("allOf");
    if (allOf) parts.push(...allOf);
    const anyOf = list("anyOf");
    if (anyOf && branchwise !== "anyOf") parts.push(union(anyOf));
    const oneOf = list("oneOf");
    if (oneOf && branchwise !== "oneOf") parts.push(this.exclusive(oneOf, visit));
    if (Object.hasOwn(schema, "not")) {
      const inner = this.read(schema.not, childPointer(pointer, "not"));
      const negated: Schema = { kind: "not", schema: inner, pointer: childPointer(pointer, "not") };
      visit.use("not");
      this.checkComplement(negated, visit, ["not"]);
      parts.push(negated);
    }
    if (Object.hasOwn(schema, "if")) {
      const condition = this.read(schema.if, childPointer(pointer, "if"));
      const then = Object.hasOwn(schema, "then") ? this.read(schema.then, childPointer(pointer, "then")) : ANY;
      const otherwise = Object.hasOwn(schema, "else") ? this.read(schema.else, childPointer(pointer, "else")) : ANY;
      visit.use("if", "then", "else");
      // With neither branch constraining (absent, true or {}), the condition has no effect: whatever
      // it says, the value is valid. Reading it as `if ∪ ¬if` would be exact but not provably `true`.
      // (Beside unevaluatedProperties it still counts: the keys a holding condition evaluates.)
      if (then.kind !== "any" || otherwise.kind !== "any" || branchwise === "if") {
        const negated: Schema = { kind: "not", schema: condition, pointer: childPointer(pointer, "if") };
        this.checkComplement(negated, visit, ["if", "then", "else"]);
        if (branchwise !== "if") parts.push(union([all([condition, then]), all([negated, otherwise])]));
      }
    } else visit.use("then", "else"); // Without "if", "then" and "else" have no effect.
    if (branchwise !== undefined) parts.push(this.branches(schema, branchwise, visit, { anyOf, oneOf }));
    return all(parts);
  }

  /** `$ref`: a reference into this document; anything else fails closed. */
  private reference(ref: unknown, visit: SchemaVisit): RefSchema | undefined {
    if (typeof ref !== "string" || !ref.startsWith("#") || (ref.length > 1 && !ref.startsWith("#/"))) {
      visit.refuse("$ref", typeof ref === "string" ? "only references into the same document (#/…) are compared" : "it is not a string");
      return undefined;
    }
    let pointer: string;
    try {
      pointer = decodeURIComponent(ref.slice(1));
    } catch {
      throw new SchemaInputError(`$ref "${ref}" at "${visit.pointer}" is not a valid URI fragment`, this.doc);
    }
    const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (tokens.reduce<unknown>((node, token) => ownMember(node, token), this.root) === undefined) {
      throw new SchemaInputError(`$ref "${ref}" at "${visit.pointer || "/"}" does not resolve`, this.doc);
    }
    visit.use("$ref");
    if (!this.targets.has(pointer)) this.reached.push(pointer);
    const named = /^\/(?:\$defs|definitions)\/([^/]+)$/.exec(pointer);
    return { kind: "ref", doc: this.doc, pointer, name: named ? named[1]!.replace(/~1/g, "/").replace(/~0/g, "~") : pointer };
  }

  /** Queues the check that a complement has a form in the model; refuses `keywords` if it has not. */
  private checkComplement(negated: Schema, visit: SchemaVisit, keywords: string[]): void {
    this.pending.push(() => {
      try {
        this.algebra.expand(negated);
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        for (const keyword of keywords) visit.refuse(keyword, error.reason);
      }
    });
  }

  /**
   * `oneOf`: a union when no two members can accept the same document (shown by intersecting them),
   * else the exact form — each member without the others — when the complements have a form.
   */
  private exclusive(members: Schema[], visit: SchemaVisit): Schema {
    if (members.length === 1) return members[0]!;
    // Decided once the document is read (members may reach references not read yet). Until then
    // the choice stands behind a reference of its own, so no enclosing anyOf/allOf flattens the
    // undecided members into itself: the target becomes the exact form if the members may overlap.
    const at = childPointer(visit.pointer, "oneOf");
    const holder = `${at}/~decided`;
    this.targets.set(holder, union(members));
    this.decisions.push(() => {
      let disjoint = true;
      for (let i = 0; i < members.length && disjoint; i++) {
        for (let j = i + 1; j < members.length && disjoint; j++) disjoint = this.algebra.isNever(all([members[i]!, members[j]!]), 3);
      }
      if (disjoint) return;
      const exact = union(members.map((member, index) => all([member, ...members.filter((_, other) => other !== index).map((other): Schema => ({ kind: "not", schema: other, pointer: at }))])));
      try {
        this.algebra.expand(exact);
        this.targets.set(holder, exact);
        this.algebra.invalidate();
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        visit.refuse("oneOf", `its members may overlap, and ${error.reason}`);
      }
    });
    return { kind: "ref", doc: this.doc, pointer: holder, name: "oneOf" };
  }

  /** The type-specific keywords of a schema as atoms (undefined when it has none and no `type`). */
  private typed(schema: JsonSchema, visit: SchemaVisit): Schema | undefined {
    let types: Set<string> | undefined;
    if (Object.hasOwn(schema, "type")) {
      const declared = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!declared.every((type): type is string => typeof type === "string" && TYPES.includes(type))) {
        throw new SchemaInputError(`JSON Schema type ${JSON.stringify(schema.type)} at "${childPointer(visit.pointer, "type")}" is not a JSON type`, this.doc);
      }
      types = new Set(declared);
      visit.use("type");
    }
    const has = (keywords: string[]): boolean => keywords.some((keyword) => Object.hasOwn(schema, keyword));
    const objectDeclared = (types?.has("object") ?? false) || has(OBJECT_KEYWORDS);
    if (types === undefined && !has([...STRING_KEYWORDS, ...NUMBER_KEYWORDS, ...ARRAY_KEYWORDS, ...OBJECT_KEYWORDS])) return undefined;
    const allowed = (type: string): boolean => types === undefined || types.has(type);
    const atoms: Atom[] = [];
    if (allowed("null")) atoms.push(constAtom([null]));
    if (allowed("boolean")) atoms.push(constAtom([true, false]));
    const number = this.number(schema, visit, types !== undefined && types.has("integer") && !types.has("number"));
    if (allowed("number") || allowed("integer")) atoms.push(number);
    const string = this.string(schema, visit);
    if (allowed("string")) atoms.push(string);
    const array = this.array(schema, visit);
    if (allowed("array")) atoms.push(array);
    const object = this.object(schema, visit, objectDeclared);
    if (allowed("object")) atoms.push(object);
    return union(atoms);
  }

  private number(schema: JsonSchema, visit: SchemaVisit, integer: boolean): NumberAtom {
    const atom = numberAtom(integer);
    for (const key of ["minimum", "exclusiveMinimum"] as const) {
      const value = schema[key];
      if (value === undefined) continue;
      if (typeof value !== "number") visit.refuse(key, "it is not a number");
      else {
        atom.minimum = tighter(atom.minimum, { value, exclusive: key === "exclusiveMinimum" }, "lower");
        visit.use(key);
      }
    }
    for (const key of ["maximum", "exclusiveMaximum"] as const) {
      const value = schema[key];
      if (value === undefined) continue;
      if (typeof value !== "number") visit.refuse(key, "it is not a number");
      else {
        atom.maximum = tighter(atom.maximum, { value, exclusive: key === "exclusiveMaximum" }, "upper");
        visit.use(key);
      }
    }
    if (schema.multipleOf !== undefined) {
      if (typeof schema.multipleOf === "number" && schema.multipleOf > 0) {
        atom.multipleOf.push(schema.multipleOf);
        visit.use("multipleOf");
      } else visit.refuse("multipleOf", "it is not a positive number");
    }
    if (typeof schema.format === "string") {
      atom.formats.push(schema.format);
      visit.use("format");
    }
    return atom;
  }

  private string(schema: JsonSchema, visit: SchemaVisit): StringAtom {
    const atom = stringAtom();
    if (schema.minLength !== undefined) {
      if (isCount(schema.minLength)) {
        atom.minLength = schema.minLength;
        visit.use("minLength");
      } else visit.refuse("minLength", "it is not a non-negative integer");
    }
    if (schema.maxLength !== undefined) {
      if (isCount(schema.maxLength)) {
        atom.maxLength = schema.maxLength;
        visit.use("maxLength");
      } else visit.refuse("maxLength", "it is not a non-negative integer");
    }
    if (schema.pattern !== undefined) {
      if (typeof schema.pattern === "string" && compilePattern(schema.pattern) !== null) {
        atom.patterns.push(schema.pattern);
        visit.use("pattern");
      } else visit.refuse("pattern", "it is not a valid regular expression");
    }
    if (schema.format !== undefined) {
      if (typeof schema.format === "string") {
        atom.formats.push(schema.format);
        visit.use("format");
      } else visit.refuse("format", "it is not a string");
    }
    return atom;
  }

  private array(schema: JsonSchema, visit: SchemaVisit): ArrayAtom {
    const atom = arrayAtom();
    const pointer = visit.pointer;
    const tuple = this.dialect === "2020-12" && Array.isArray(schema.prefixItems) ? "prefixItems" : Array.isArray(schema.items) ? "items" : undefined;
    if (schema.prefixItems !== undefined && !Array.isArray(schema.prefixItems)) visit.refuse("prefixItems", "it is not a list of schemas");
    if (tuple !== undefined) {
      atom.prefix = (schema[tuple] as unknown[]).map((item, index) => this.read(item, childPointer(childPointer(pointer, tuple), index)));
      visit.use(tuple);
      const rest = tuple === "prefixItems" ? "items" : "additionalItems";
      if (schema[rest] !== undefined) atom.items = this.read(schema[rest], childPointer(pointer, rest));
      visit.use(rest);
    } else {
      if (schema.items !== undefined) atom.items = this.read(schema.items, childPointer(pointer, "items"));
      // `additionalItems` applies only after an `items` list.
      visit.use("items", "additionalItems");
    }
    for (const key of ["minItems", "maxItems"] as const) {
      if (schema[key] === undefined) continue;
      if (!isCount(schema[key])) {
        visit.refuse(key, "it is not a non-negative integer");
        continue;
      }
      if (key === "minItems") atom.minItems = schema[key];
      else atom.maxItems = schema[key];
      visit.use(key);
    }
    if (schema.uniqueItems !== undefined) {
      if (typeof schema.uniqueItems === "boolean") {
        atom.unique = schema.uniqueItems;
        visit.use("uniqueItems");
      } else visit.refuse("uniqueItems", "it is not a boolean");
    }
    if (schema.contains !== undefined) {
      const contains = { schema: this.read(schema.contains, childPointer(pointer, "contains")), min: 1 } as ArrayAtom["contains"][number];
      visit.use("contains");
      if (this.dialect === "2020-12") {
        if (schema.minContains !== undefined) {
          if (isCount(schema.minContains)) contains.min = schema.minContains;
          else visit.refuse("minContains", "it is not a non-negative integer");
        }
        if (schema.maxContains !== undefined) {
          if (isCount(schema.maxContains)) contains.max = schema.maxContains;
          else visit.refuse("maxContains", "it is not a non-negative integer");
        }
        visit.use("minContains", "maxContains");
      }
      atom.contains.push(contains);
    } else if (this.dialect === "2020-12") visit.use("minContains", "maxContains"); // No effect without "contains".
    if (this.dialect === "2020-12" && schema.unevaluatedItems !== undefined) {
      const evaluated = this.evaluatedItems(schema, new Set());
      if (evaluated === undefined) {
        const applicator = schema.contains !== undefined ? "contains" : (IN_PLACE.find((keyword) => Object.hasOwn(schema, keyword) && !["allOf", "$ref", "not"].includes(keyword)) ?? "allOf");
        visit.refuse("unevaluatedItems", `it stands beside "${applicator}", whose evaluated items the comparer does not track`);
      } else {
        // Items past every position this schema object, its allOf members and $ref targets evaluate
        // (prefixItems; `items` evaluates them all) must meet unevaluatedItems.
        if (evaluated !== "all") {
          while (atom.prefix.length < evaluated) atom.prefix.push(atom.items);
          atom.items = this.read(schema.unevaluatedItems, childPointer(pointer, "unevaluatedItems"));
        }
        visit.use("unevaluatedItems");
      }
    }
    return atom;
  }

  /**
   * How many leading items a schema object evaluates in place, for `unevaluatedItems`: the longest
   * `prefixItems` of it, its `allOf` members and `$ref` targets ("all" once one has `items` or
   * `unevaluatedItems`). Undefined when `contains` or an instance-dependent applicator (anyOf, oneOf,
   * if, dependentSchemas) evaluates items depending on the instance.
   */
  private evaluatedItems(schema: unknown, seen: Set<unknown>): number | "all" | undefined {
    if (typeof schema === "boolean") return 0;
    if (!isObject(schema)) return undefined;
    if (seen.has(schema)) return 0;
    seen.add(schema);
    if (schema.contains !== undefined || DYNAMIC.some((keyword) => Object.hasOwn(schema, keyword))) return undefined;
    if (schema.items !== undefined || (seen.size > 1 && schema.unevaluatedItems !== undefined)) return "all";
    let count = Array.isArray(schema.prefixItems) ? schema.prefixItems.length : 0;
    const parts: unknown[] = Array.isArray(schema.allOf) ? [...schema.allOf] : [];
    if (typeof schema.$ref === "string" && schema.$ref.startsWith("#")) {
      let pointer: string;
      try {
        pointer = decodeURIComponent(schema.$ref.slice(1));
      } catch {
        return undefined;
      }
      const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
      parts.push(tokens.reduce<unknown>((node, token) => ownMember(node, token), this.root));
    } else if (schema.$ref !== undefined) return undefined;
    for (const part of parts) {
      const inner = this.evaluatedItems(part, seen);
      if (inner === undefined || inner === "all") return inner;
      count = Math.max(count, inner);
    }
    return count;
  }

  /** Schema objects whose unevaluatedProperties is read branch by branch (see branches). */
  private readonly branchwise = new WeakSet<JsonSchema>();

  /**
   * The one instance-dependent applicator (anyOf, oneOf, if, dependentSchemas) beside unevaluatedProperties whose
   * branches each evaluate keys known without an instance; undefined otherwise.
   */
  private branchwiseKeyword(schema: JsonSchema): Branchwise | undefined {
    if (this.dialect !== "2020-12" || schema.unevaluatedProperties === undefined || schema.additionalProperties !== undefined) return undefined;
    const dynamic = DYNAMIC.filter((keyword) => Object.hasOwn(schema, keyword));
    if (dynamic.length !== 1) return undefined;
    const keyword = dynamic[0] as Branchwise;
    const { [keyword]: _branches, then: _then, else: _else, ...rest } = schema;
    if (this.evaluatedKeys(rest, new Set()) === undefined) return undefined;
    const branches =
      keyword === "if" ? [schema.if, schema.then ?? true, schema.else ?? true] : keyword === "dependentSchemas" ? (isObject(schema.dependentSchemas) ? Object.values(schema.dependentSchemas) : undefined) : schema[keyword];
    if (!Array.isArray(branches) || branches.some((branch) => this.evaluatedKeys(branch, new Set()) === undefined)) return undefined;
    if ((keyword === "anyOf" || keyword === "dependentSchemas") && branches.length > MAX_ANYOF_CASES) return undefined;
    return keyword;
  }

  /**
   * unevaluatedProperties beside anyOf, oneOf, if or dependentSchemas: the keys evaluated are this
   * schema object's own plus those of the branches that hold, so the schema is read as the union of
   * its cases — which branches hold (each the others failing; for dependentSchemas, which dependent
   * keys are present), each case with its own rule for the other keys.
   */
  private branches(schema: JsonSchema, keyword: Branchwise, visit: SchemaVisit, read: { anyOf?: Schema[] | undefined; oneOf?: Schema[] | undefined }): Schema {
    const pointer = visit.pointer;
    const { [keyword]: _branches, then: _then, else: _else, ...rest } = schema;
    const own = this.evaluatedKeys(rest, new Set());
    const unevaluated = schema.unevaluatedProperties === true ? OPEN : this.read(schema.unevaluatedProperties, childPointer(pointer, "unevaluatedProperties"));
    visit.use("unevaluatedProperties");
    const keysOf = (raw: unknown[]): { names: string[]; patterns: string[] } | "all" => {
      const parts = [own, ...raw.map((branch) => this.evaluatedKeys(branch, new Set()))];
      if (parts.some((part) => part === "all")) return "all";
      const known = parts as Array<{ names: string[]; patterns: string[] }>;
      return { names: [...new Set(known.flatMap((part) => part.names))], patterns: [...new Set(known.flatMap((part) => part.patterns))] };
    };
    // Objects with the rest of their keys meeting unevaluatedProperties; other values as they are.
    const rule = (keys: { names: string[]; patterns: string[] } | "all"): Schema =>
      keys === "all" ? ANY : union([...anyAtoms().filter((atom) => atom.kind !== "object"), { ...objectAtom(), additional: [{ ...keys, schema: unevaluated }] }]);
    const not = (branch: Schema, at: string): Schema => ({ kind: "not", schema: branch, pointer: childPointer(pointer, at) });
    let cases: Schema[];
    if (keyword === "if") {
      const condition = this.read(schema.if, childPointer(pointer, "if"));
      const then = Object.hasOwn(schema, "then") ? this.read(schema.then, childPointer(pointer, "then")) : ANY;
      const otherwise = Object.hasOwn(schema, "else") ? this.read(schema.else, childPointer(pointer, "else")) : ANY;
      cases = [all([condition, then, rule(keysOf([schema.if, schema.then ?? true]))]), all([not(condition, "if"), otherwise, rule(keysOf([schema.else ?? true]))])];
    } else if (keyword === "dependentSchemas") {
      // Which dependent keys are present: each present one's schema applies and evaluates its keys.
      // (The schemas themselves are applied by the object atom's dependentSchemas as well.)
      const entries = Object.entries(schema.dependentSchemas as Record<string, unknown>);
      const others = anyAtoms().filter((atom) => atom.kind !== "object");
      const present = (key: string): Schema => union([...others, { ...objectAtom(), required: [key], additional: [{ names: [], patterns: [], schema: ANY }] }]);
      const absent = (key: string): Schema => union([...others, { ...objectAtom(), properties: [{ name: key, schema: NEVER }], additional: [{ names: [], patterns: [], schema: ANY }] }]);
      cases = [];
      for (let mask = 0; mask < 1 << entries.length; mask++) {
        const held = entries.filter((_, index) => (mask & (1 << index)) !== 0);
        cases.push(all([...entries.map(([key], index) => ((mask & (1 << index)) !== 0 ? present(key) : absent(key))), rule(keysOf(held.map(([, raw]) => raw)))]));
      }
    } else {
      const members = (keyword === "anyOf" ? read.anyOf : read.oneOf) ?? [];
      const raw = schema[keyword] as unknown[];
      const subsets: number[][] = [];
      if (keyword === "oneOf") members.forEach((_, index) => subsets.push([index]));
      else for (let mask = 1; mask < 1 << members.length; mask++) subsets.push(members.map((_, index) => index).filter((index) => (mask & (1 << index)) !== 0));
      cases = subsets.map((held) =>
        all([
          ...held.map((index) => members[index]!),
          ...members.map((member, index) => (held.includes(index) ? undefined : not(member, keyword))).filter((each): each is Schema => each !== undefined),
          rule(keysOf(held.map((index) => raw[index]))),
        ]),
      );
    }
    const result = union(cases);
    this.checkComplement(result, visit, ["unevaluatedProperties"]);
    return result;
  }

  /**
   * The keys a schema object evaluates in place, for `unevaluatedProperties`: its own properties and
   * patterns and those of its `allOf` members and `$ref` targets ("all" once one has
   * additionalProperties or unevaluatedProperties). Undefined when an applicator evaluates keys
   * depending on the instance (anyOf, oneOf, not, if, dependentSchemas).
   */
  private evaluatedKeys(schema: unknown, seen: Set<unknown>): { names: string[]; patterns: string[] } | "all" | undefined {
    if (typeof schema === "boolean") return { names: [], patterns: [] };
    if (!isObject(schema) || seen.has(schema)) return seen.has(schema) ? { names: [], patterns: [] } : undefined;
    seen.add(schema);
    if (schema.additionalProperties !== undefined) return "all";
    if (DYNAMIC.some((keyword) => Object.hasOwn(schema, keyword))) return undefined;
    const names = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    const patterns = isObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];
    let all = schema.additionalProperties !== undefined || (seen.size > 1 && schema.unevaluatedProperties !== undefined);
    const parts: unknown[] = Array.isArray(schema.allOf) ? [...schema.allOf] : [];
    if (typeof schema.$ref === "string" && schema.$ref.startsWith("#")) {
      let pointer: string;
      try {
        pointer = decodeURIComponent(schema.$ref.slice(1));
      } catch {
        return undefined;
      }
      const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
      parts.push(tokens.reduce<unknown>((node, token) => ownMember(node, token), this.root));
    } else if (schema.$ref !== undefined) return undefined;
    for (const part of parts) {
      const inner = this.evaluatedKeys(part, seen);
      if (inner === undefined) return undefined;
      if (inner === "all") all = true;
      else {
        names.push(...inner.names);
        patterns.push(...inner.patterns);
      }
    }
    return all ? "all" : { names: [...new Set(names)], patterns: [...new Set(patterns)] };
  }

  private object(schema: JsonSchema, visit: SchemaVisit, declared: boolean): ObjectAtom {
    const atom = objectAtom();
    const pointer = visit.pointer;
    if (!declared) {
      atom.additional.push({ names: [], patterns: [], schema: ANY });
      return atom;
    }
    if (schema.properties !== undefined) {
      if (isObject(schema.properties)) {
        for (const name of Object.keys(schema.properties)) {
          atom.properties.push({ name, schema: this.read(schema.properties[name], childPointer(childPointer(pointer, "properties"), name)) });
        }
        visit.use("properties");
      } else visit.refuse("properties", "it is not an object");
    }
    if (schema.patternProperties !== undefined) {
      if (isObject(schema.patternProperties) && Object.keys(schema.patternProperties).every((pattern) => compilePattern(pattern) !== null)) {
        for (const pattern of Object.keys(schema.patternProperties)) {
          atom.patterns.push({ pattern, schema: this.read(schema.patternProperties[pattern], childPointer(childPointer(pointer, "patternProperties"), pattern)) });
        }
        visit.use("patternProperties");
      } else visit.refuse("patternProperties", "it is not an object of valid regular expressions");
    }
    const rule = (schemaOf: unknown, keyword: string): AdditionalRule => ({
      names: atom.properties.map((property) => property.name),
      patterns: atom.patterns.map((entry) => entry.pattern),
      schema: schemaOf === undefined || schemaOf === true ? OPEN : this.read(schemaOf, childPointer(pointer, keyword)),
    });
    atom.additional.push(rule(schema.additionalProperties, "additionalProperties"));
    visit.use("additionalProperties");
    if (this.dialect === "2020-12" && schema.unevaluatedProperties !== undefined && this.branchwise.has(schema)) {
      // Read per branch by read(); here the object is only not left open.
      if (schema.additionalProperties === undefined) atom.additional = atom.additional.filter((each) => each.schema.kind !== "open");
    } else if (this.dialect === "2020-12" && schema.unevaluatedProperties !== undefined) {
      const evaluated = this.evaluatedKeys(schema, new Set());
      if (evaluated === undefined) {
        const applicator = DYNAMIC.find((keyword) => Object.hasOwn(schema, keyword)) ?? "allOf";
        visit.refuse("unevaluatedProperties", `it stands beside "${applicator}", whose evaluated properties the comparer does not track`);
      } else {
        // The keys `properties`, `patternProperties` and `additionalProperties` of this schema object
        // and of its allOf members and $ref targets evaluate; unevaluatedProperties covers the rest.
        if (evaluated !== "all") {
          const unevaluated: AdditionalRule = { ...evaluated, schema: schema.unevaluatedProperties === true ? OPEN : this.read(schema.unevaluatedProperties, childPointer(pointer, "unevaluatedProperties")) };
          // Without additionalProperties the object is not left open: unevaluatedProperties says what else it holds.
          atom.additional = [...atom.additional.filter((rule) => rule.schema.kind !== "open"), unevaluated];
        }
        visit.use("unevaluatedProperties");
      }
    }
    if (schema.required !== undefined) {
      if (Array.isArray(schema.required) && schema.required.every((name) => typeof name === "string")) {
        atom.required = [...new Set(schema.required as string[])];
        visit.use("required");
      } else visit.refuse("required", "it is not a list of names");
    }
    if (schema.propertyNames !== undefined) {
      atom.propertyNames.push(this.read(schema.propertyNames, childPointer(pointer, "propertyNames")));
      visit.use("propertyNames");
    }
    for (const key of ["minProperties", "maxProperties"] as const) {
      if (schema[key] === undefined) continue;
      if (!isCount(schema[key])) {
        visit.refuse(key, "it is not a non-negative integer");
        continue;
      }
      if (key === "minProperties") atom.minProperties = schema[key];
      else atom.maxProperties = schema[key];
      visit.use(key);
    }
    const dependencies = (keyword: string, forms: "names" | "schemas" | "both"): void => {
      const value = schema[keyword];
      if (value === undefined) return;
      if (!isObject(value)) {
        visit.refuse(keyword, "it is not an object");
        return;
      }
      for (const key of Object.keys(value)) {
        const entry = value[key];
        if (forms !== "schemas" && Array.isArray(entry)) {
          if (!entry.every((name) => typeof name === "string")) {
            visit.refuse(keyword, `the entry for "${key}" is not a list of names`);
            return;
          }
          atom.dependentRequired.push({ key, names: entry as string[] });
        } else if (forms !== "names" && (isObject(entry) || typeof entry === "boolean")) {
          atom.dependentSchemas.push({ key, schema: this.read(entry, childPointer(childPointer(pointer, keyword), key)) });
        } else {
          visit.refuse(keyword, `the entry for "${key}" is not a ${forms === "names" ? "list of names" : forms === "schemas" ? "schema" : "list of names or a schema"}`);
          return;
        }
      }
      visit.use(keyword);
    };
    if (this.dialect === "2020-12") {
      dependencies("dependentRequired", "names");
      dependencies("dependentSchemas", "schemas");
    } else dependencies("dependencies", "both");
    return atom;
  }
}

function tighter(a: { value: number; exclusive: boolean } | undefined, b: { value: number; exclusive: boolean }, side: "lower" | "upper") {
  if (a === undefined) return b;
  if (a.value !== b.value) return (side === "lower" ? b.value > a.value : b.value < a.value) ? b : a;
  return b.exclusive ? b : a;
}

/** `object[key]` when `object` is an object or array that has `key` itself (never an inherited member). */
function ownMember(object: unknown, key: string): unknown {
  return typeof object === "object" && object !== null && Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** Both documents of a comparison, with one algebra over them. */
export class ModelPair implements Resolver {
  readonly previous: DocumentReader;
  readonly current: DocumentReader;
  readonly algebra: Algebra;
  readonly previousRoot: Schema;
  readonly currentRoot: Schema;

  constructor(previous: JsonSchema, current: JsonSchema, label: string) {
    this.previous = new DocumentReader(previous, "previous", label);
    this.current = new DocumentReader(current, "current", label);
    this.algebra = new Algebra(this);
    this.previous.algebra = this.algebra;
    this.current.algebra = this.algebra;
    this.previousRoot = this.previous.readRoot();
    this.currentRoot = this.current.readRoot();
  }

  resolve(ref: RefSchema): Schema {
    const reader = ref.doc === "previous" ? this.previous : this.current;
    const schema = reader.target(ref.pointer);
    return schema;
  }
}
