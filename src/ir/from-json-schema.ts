/**
 * JSON Schema → IR. Reads the dialect Zod v4's `toJSONSchema` and `zod-to-json-schema` emit (and
 * hand-written schemas of the same shape): `$defs`/`$ref`, `anyOf`/`oneOf` unions, nullable as
 * `anyOf` with null or a `type` array, `prefixItems` tuples, `propertyNames` records.
 *
 * Discriminated unions are recognised structurally: every member an object whose same required
 * property is a distinct string `const`. So the IR does not depend on how the union was declared.
 *
 * The IR models a subset of JSON Schema. As it reads, the reader records in a KeywordLedger which
 * keywords of each schema object the node it built accounts for (see schema-keywords.ts); `unread()`
 * lists the rest — keywords outside the subset, and keywords the reader passes over because of a
 * sibling (`$ref`, `const`, `enum` and `anyOf`/`oneOf` end the reading of their schema object).
 * Code generation may ignore them. (The registry compares JSON Schemas with its own reader and model,
 * src/registry/model/, which fail closed on whatever they do not model.)
 */
import { EventcError } from "../errors.js";
import { childPointer, hasType, KeywordLedger, type SchemaVisit, type UnreadKeyword } from "./schema-keywords.js";
import type { EnumNode, Field, JsonSchema, NamedType, ObjectNode, RecordNode, StringNode, TypeNode, UnionNode } from "./types.js";

export type { UnreadKeyword } from "./schema-keywords.js";

/** Keywords with no IR form at all: reading a schema with one is an error. */
const NO_IR_FORM = ["allOf", "not", "if", "patternProperties", "dependentSchemas"];

/** IR kinds whose values are never JSON null (for `oneOf` exclusivity with a null member). */
const NEVER_NULL = new Set<TypeNode["kind"]>(["string", "number", "boolean", "literal", "enum", "array", "tuple", "record", "object"]);

const isObject = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Resolves `$ref`s and collects the named types a schema reaches. */
export class SchemaReader {
  /** Named types converted so far, by name. */
  readonly named = new Map<string, NamedType>();
  /** The container of named types: `$defs`, or `definitions` (zod-to-json-schema) when there is no `$defs`. */
  private readonly defsKeyword: "$defs" | "definitions";
  private readonly defs: JsonSchema;
  private readonly root: JsonSchema;
  private readonly inlining = new Set<string>();
  private readonly ledger = new KeywordLedger();

  /** A keyword with no IR form is an input error (the registry compares with its own model: src/registry/model/). */
  constructor(root: JsonSchema) {
    this.root = root;
    this.defsKeyword = !isObject(root.$defs) && isObject(root.definitions) ? "definitions" : "$defs";
    const defs = root[this.defsKeyword];
    this.defs = isObject(defs) ? defs : Object.create(null);
  }

  /** Converts the root schema (without its `$defs`, which become named types as they are reached). */
  readRoot(): TypeNode {
    return this.read(this.root, [], "");
  }

  /**
   * Keywords of the schema objects read so far that the IR does not account for, sorted by
   * pointer. Complete for a document once `readRoot()` has returned (named types are read eagerly).
   */
  unread(): UnreadKeyword[] {
    return this.ledger.unread();
  }

  /** The named type a `$ref` or a resolved name points at, converting it on first use. */
  namedType(name: string): NamedType {
    const existing = this.named.get(name);
    if (existing) return existing;
    const schema = Object.hasOwn(this.defs, name) ? this.defs[name] : undefined;
    if (schema === undefined) throw new EventcError(`$ref points at "${name}", which is not under ${this.defsKeyword}`);
    // Register before converting, so recursive references find it.
    const placeholder: NamedType = { name, type: { kind: "unknown" } };
    this.named.set(name, placeholder);
    placeholder.type = this.read(schema, [], childPointer(`/${this.defsKeyword}`, name), { skipDocs: true });
    const description = isObject(schema) ? schema.description : undefined;
    if (typeof description === "string") placeholder.description = description;
    return placeholder;
  }

  /** Follows refs to the node a union member or payload really is. */
  resolve(node: TypeNode): TypeNode {
    let current = node;
    const seen = new Set<string>();
    while (current.kind === "ref") {
      if (seen.has(current.name)) throw new EventcError(`named type "${current.name}" is only a $ref to itself (through ${[...seen].join(", ")}) and never reaches a type`);
      seen.add(current.name);
      current = this.namedType(current.name).type;
    }
    return current;
  }

  /** Reads the schema at `pointer` (a JSON Pointer into the document, for the keyword ledger). */
  read(schema: unknown, path: string[], pointer: string, options: { skipDocs?: boolean } = {}): TypeNode {
    if (schema === true) return { kind: "unknown" };
    if (!isObject(schema)) {
      throw new EventcError(`schema ${JSON.stringify(schema)} at "${pointer || "/"}" has no IR form`, { path: path.join(".") });
    }
    const node = this.readBare(schema, path, this.ledger.visit(schema, pointer));
    if (options.skipDocs) return node;
    if (typeof schema.description === "string" && node.description === undefined) node.description = schema.description;
    if (schema.deprecated === true) node.deprecated = true;
    return node;
  }

  private readBare(s: JsonSchema, path: string[], visit: SchemaVisit): TypeNode {
    const at = { path: path.join(".") };
    for (const keyword of NO_IR_FORM.filter((each) => Object.hasOwn(s, each))) {
      throw new EventcError(`JSON Schema keyword "${keyword}" at "${childPointer(visit.pointer, keyword)}" has no IR form`, at);
    }
    if (typeof s.$ref === "string") {
      visit.use("$ref");
      return this.readRef(s.$ref, path);
    }
    if (Object.hasOwn(s, "const")) {
      visit.use("const");
      if (hasType(s.const, s.type)) visit.use("type");
      else visit.refuse("type", `the constant ${JSON.stringify(s.const)} is not of that type`);
      return literal(s.const, at);
    }
    if (Array.isArray(s.enum)) {
      visit.use("enum");
      if (s.enum.every((value) => hasType(value, s.type))) visit.use("type");
      else visit.refuse("type", `not every value of "enum" is of that type`);
      return enumOrLiterals(s.enum, at);
    }
    if (Array.isArray(s.anyOf)) {
      visit.use("anyOf");
      visit.refuse("oneOf", `it stands beside "anyOf"`);
      return this.readUnion(s.anyOf, path, visit, "anyOf");
    }
    if (Array.isArray(s.oneOf)) return this.readUnion(s.oneOf, path, visit, "oneOf");
    if (Array.isArray(s.type)) {
      visit.use("type");
      // A type listed twice is listed once (Zod 3 writes `z.null().nullable()` as ["null", "null"]).
      const types = [...new Set(s.type as string[])];
      const nonNull = types.filter((type) => type !== "null");
      if (nonNull.length === 0) return { kind: "null" };
      const inner: TypeNode =
        nonNull.length === 1
          ? this.readBare({ ...s, type: nonNull[0] }, path, visit)
          : { kind: "union", members: nonNull.map((type) => this.readBare({ ...s, type }, path, visit)) };
      return nonNull.length < types.length ? { kind: "nullable", inner } : inner;
    }
    switch (s.type) {
      case "string":
        visit.use("type");
        return stringNode(s, visit);
      case "number":
      case "integer":
        visit.use("type");
        return numberNode(s, visit);
      case "boolean":
      case "null":
        visit.use("type");
        return { kind: s.type };
      case "array":
        visit.use("type");
        return this.readArray(s, path, visit);
      case "object":
        visit.use("type");
        return this.readObject(s, path, visit, true);
      case undefined:
        // Without `type: "object"`, `properties` and friends constrain objects only and let any
        // other value through; the IR object rejects non-objects. Read it for code generation,
        // consume none of it.
        if (s.properties !== undefined) {
          visit.refuse("properties", `the schema has no "type": "object", so values other than objects are valid too`);
          return this.readObject(s, path, visit, false);
        }
        return { kind: "unknown" };
      default:
        throw new EventcError(`JSON Schema type ${JSON.stringify(s.type)} at "${childPointer(visit.pointer, "type")}" has no IR form`, at);
    }
  }

  private readRef(ref: string, path: string[]): TypeNode {
    const named = new RegExp(`^#/${this.defsKeyword === "$defs" ? "\\$defs" : "definitions"}/([^/]+)$`).exec(ref);
    if (named) {
      let name: string;
      try {
        name = decodeURIComponent(named[1]!).replace(/~1/g, "/").replace(/~0/g, "~");
      } catch {
        throw new EventcError(`$ref "${ref}" is not a valid URI fragment`, { path: path.join(".") });
      }
      this.namedType(name);
      return { kind: "ref", name };
    }
    // A JSON pointer into the document (zod-to-json-schema reuses sub-schemas this way): inline it.
    if (ref.startsWith("#")) {
      if (this.inlining.has(ref)) {
        throw new EventcError(`recursive reference "${ref}" needs a named type (Zod v4 .meta({ id }))`, { path: path.join(".") });
      }
      const parts = ref
        .slice(1)
        .split("/")
        .filter((part) => part !== "");
      const target = parts.reduce<unknown>((node, part) => ownMember(node, part.replace(/~1/g, "/").replace(/~0/g, "~")), this.root);
      if (target === undefined) throw new EventcError(`$ref "${ref}" does not resolve`, { path: path.join(".") });
      this.inlining.add(ref);
      try {
        return this.read(target, path, parts.map((part) => `/${part}`).join(""));
      } finally {
        this.inlining.delete(ref);
      }
    }
    throw new EventcError(`external $ref "${ref}" is not supported`, { path: path.join(".") });
  }

  private readUnion(options: unknown[], path: string[], visit: SchemaVisit, keyword: "anyOf" | "oneOf"): TypeNode {
    const isNull = (option: unknown): boolean => isObject(option) && option.type === "null" && Object.keys(option).length === 1;
    const nonNull = options.map((option, index) => ({ option, index })).filter(({ option }) => !isNull(option));
    const nulls = options.length - nonNull.length;
    let node: TypeNode;
    if (nonNull.length === 0) node = { kind: "null" };
    else {
      const members = nonNull.map(({ option, index }) => this.read(option, nonNull.length > 1 ? [...path, `<${index + 1}>`] : path, childPointer(childPointer(visit.pointer, keyword), index)));
      const inner: TypeNode = members.length === 1 ? members[0]! : this.discriminate({ kind: "union", members });
      node = nulls > 0 ? { kind: "nullable", inner } : inner;
    }
    if (keyword === "oneOf") {
      // `oneOf` rejects a document that two members accept; the IR union does not. It is modelled
      // only where no two members can accept the same document.
      if (this.exclusive(node, nonNull.length, nulls)) visit.use("oneOf");
      else visit.refuse("oneOf", `its members are not exclusive by construction (only a discriminated union, or one member beside null, is)`);
    }
    return node;
  }

  /**
   * Whether no document is valid under two members of a union read as `node`: at most one null
   * member, and the others a discriminated union (objects with distinct required tags), or one
   * member that never accepts null.
   */
  private exclusive(node: TypeNode, members: number, nulls: number): boolean {
    if (nulls > 1) return false;
    const inner = node.kind === "nullable" ? node.inner : node;
    if (members >= 2) return inner.kind === "union" && inner.discriminator !== undefined;
    if (members === 0 || nulls === 0) return true;
    try {
      return NEVER_NULL.has(this.resolve(inner).kind);
    } catch {
      return false;
    }
  }

  /** Marks a union as discriminated when its members allow it (see the module comment). */
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
      if (tags.length === objects.length && new Set(tags).size === tags.length) {
        return { ...union, discriminator: candidate.name, tags };
      }
    }
    return union;
  }

  /**
   * Arrays and tuples. The IR tuple holds exactly its items, then any number of `rest` items (none
   * without a rest): `prefixItems` is modelled with `minItems` equal to its length and, without a
   * rest, `items: false` or `maxItems` equal to its length — as Zod and the jsonschema target emit.
   */
  private readArray(s: JsonSchema, path: string[], visit: SchemaVisit): TypeNode {
    const tupleKeyword = Array.isArray(s.prefixItems) ? "prefixItems" : Array.isArray(s.items) ? "items" : undefined;
    if (tupleKeyword !== undefined) {
      // Draft 2019-09 tuples (zod-to-json-schema): `items` array plus `additionalItems`.
      const restKeyword = tupleKeyword === "prefixItems" ? "items" : "additionalItems";
      const prefix = s[tupleKeyword] as unknown[];
      const items = prefix.map((item, index) => this.read(item, [...path, `[${index}]`], childPointer(childPointer(visit.pointer, tupleKeyword), index)));
      const node: TypeNode = { kind: "tuple", items };
      const restSchema = s[restKeyword];
      if (restSchema !== undefined && restSchema !== false) node.rest = this.read(restSchema, [...path, "[]"], childPointer(visit.pointer, restKeyword));
      const length = items.length;
      visit.use(tupleKeyword, restKeyword);
      if (s.minItems === length) visit.use("minItems");
      else if (s.minItems !== undefined) visit.refuse("minItems", `it differs from the ${length} items of "${tupleKeyword}"`);
      else visit.refuse(tupleKeyword, `without "minItems": ${length}, arrays shorter than the tuple are valid`);
      if (node.rest === undefined) {
        if (typeof s.maxItems === "number" && s.maxItems >= length && (s.maxItems === length || restSchema === false)) visit.use("maxItems");
        else if (s.maxItems !== undefined) visit.refuse("maxItems", `it does not close the ${length} items of "${tupleKeyword}"`);
        if (restSchema === undefined && s.maxItems !== length) {
          visit.refuse(tupleKeyword, `without "${restKeyword}": false or "maxItems": ${length}, items after the tuple are valid`);
        }
      } else if (s.maxItems !== undefined) visit.refuse("maxItems", `the tuple has a rest of any length`);
      return node;
    }
    const node: TypeNode = { kind: "array", items: s.items === undefined ? { kind: "unknown" } : this.read(s.items, [...path, "[]"], childPointer(visit.pointer, "items")) };
    visit.use("items");
    if (typeof s.minItems === "number") {
      node.minItems = s.minItems;
      visit.use("minItems");
    }
    if (typeof s.maxItems === "number") {
      node.maxItems = s.maxItems;
      visit.use("maxItems");
    }
    return node;
  }

  /** An object; `typed` = the schema says `type: "object"` (otherwise nothing here is consumed). */
  private readObject(s: JsonSchema, path: string[], visit: SchemaVisit, typed: boolean): TypeNode {
    const use = (...keywords: string[]): void => {
      if (typed) visit.use(...keywords);
    };
    const properties: JsonSchema = isObject(s.properties) ? s.properties : Object.create(null);
    if (s.properties !== undefined && !isObject(s.properties)) visit.refuse("properties", "it is not an object");
    const additional = s.additionalProperties;
    if (Object.keys(properties).length === 0 && isObject(additional)) {
      return this.readRecord(s, path, visit, use);
    }
    use("properties");
    const requiredList = Array.isArray(s.required) ? s.required : [];
    const required = new Set(requiredList.filter((name): name is string => typeof name === "string"));
    const fields: Field[] = Object.keys(properties).map((name) => {
      const propertySchema = properties[name];
      const type = this.read(propertySchema, [...path, name], childPointer(childPointer(visit.pointer, "properties"), name), { skipDocs: true });
      const field: Field = { name, type, optional: !required.has(name) };
      if (isObject(propertySchema)) {
        if (typeof propertySchema.description === "string") field.description = propertySchema.description;
        if (propertySchema.deprecated === true) field.deprecated = true;
        if (Object.hasOwn(propertySchema, "default")) {
          field.default = propertySchema.default;
          field.optional = true;
        }
      }
      return field;
    });
    const unmodelled = requiredList.find((name) => typeof name !== "string" || !Object.hasOwn(properties, name));
    const defaulted = fields.find((field) => required.has(field.name) && Object.hasOwn(field, "default"));
    if (!Array.isArray(s.required) && s.required !== undefined) visit.refuse("required", "it is not a list of names");
    else if (unmodelled !== undefined) visit.refuse("required", `it lists ${JSON.stringify(unmodelled)}, which is not under "properties"`);
    else if (defaulted !== undefined) visit.refuse("required", `it lists "${defaulted.name}", whose "default" makes the field optional in the model`);
    else use("required");
    let extra: ObjectNode["additional"] = "ignore";
    if (additional === false) extra = "reject";
    else if (isObject(additional)) extra = this.read(additional, [...path, "{}"], childPointer(visit.pointer, "additionalProperties"));
    if (typeof additional === "boolean" || isObject(additional)) use("additionalProperties");
    return { kind: "object", fields, additional: extra };
  }

  /**
   * A map: no `properties`, typed `additionalProperties`. Keys from `propertyNames`; with an enum
   * of keys, `required` lists exactly those keys (Zod's `z.record`: every key present) or is absent
   * (`z.partialRecord`: each key optional).
   */
  private readRecord(s: JsonSchema, path: string[], visit: SchemaVisit, use: (...keywords: string[]) => void): TypeNode {
    const keySchema = s.propertyNames ?? { type: "string" };
    const keyNode = this.read(keySchema, [...path, "{key}"], childPointer(visit.pointer, "propertyNames"));
    let keys: StringNode | EnumNode;
    if (keyNode.kind === "string" || keyNode.kind === "enum") keys = keyNode;
    else if (keyNode.kind === "literal" && typeof keyNode.value === "string") keys = { kind: "enum", values: [keyNode.value] };
    else throw new EventcError("record keys must be strings or a string enum", { path: path.join(".") });
    use("properties", "propertyNames", "additionalProperties");
    const required = Array.isArray(s.required) ? s.required : undefined;
    const keyNames = keys.kind === "enum" ? keys.values : [];
    const sameNames = required !== undefined && required.every((name) => keyNames.includes(name)) && keyNames.every((name) => required.includes(name));
    if (sameNames || required === undefined) use("required");
    else visit.refuse("required", keyNames.length === 0 ? "the map's keys are not an enum" : `it does not list exactly the keys of "propertyNames"`);
    const record: RecordNode = { kind: "record", keys, values: this.read(s.additionalProperties, [...path, "{}"], childPointer(visit.pointer, "additionalProperties")) };
    if (required === undefined && keyNames.length > 0) record.partial = true;
    return record;
  }
}

/** `object[key]` when `object` is an object or array that has `key` itself (never an inherited member). */
function ownMember(object: unknown, key: string): unknown {
  return typeof object === "object" && object !== null && Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function literal(value: unknown, at: { path: string }): TypeNode {
  if (value === null) return { kind: "null" };
  if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) {
    return { kind: "literal", value };
  }
  throw new EventcError(`literal ${JSON.stringify(value)} has no IR form`, at);
}

function enumOrLiterals(values: unknown[], at: { path: string }): TypeNode {
  if (values.length > 0 && values.every((value): value is string => typeof value === "string")) return { kind: "enum", values };
  const members = values.map((value) => literal(value, at));
  return members.length === 1 ? members[0]! : { kind: "union", members };
}

function stringNode(s: JsonSchema, visit: SchemaVisit): StringNode {
  const node: StringNode = { kind: "string" };
  if (typeof s.format === "string") node.format = s.format;
  if (typeof s.pattern === "string") node.pattern = s.pattern;
  if (typeof s.minLength === "number") node.minLength = s.minLength;
  if (typeof s.maxLength === "number") node.maxLength = s.maxLength;
  for (const key of ["format", "pattern", "minLength", "maxLength"] as const) if (node[key] !== undefined) visit.use(key);
  return node;
}

function numberNode(s: JsonSchema, visit: SchemaVisit): TypeNode {
  const node: TypeNode = { kind: "number", integer: s.type === "integer" };
  // A format on numbers (`int32`, `float`) is not modelled; refused here so that a string member
  // of the same `type` list does not consume it for both.
  visit.refuse("format", "a format on a number is not modelled");
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const) {
    const value = s[key];
    if (typeof value === "number") {
      node[key] = value;
      visit.use(key);
    }
  }
  return node;
}
