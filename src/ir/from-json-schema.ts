/**
 * JSON Schema → IR. Reads the dialect Zod v4's `toJSONSchema` and `zod-to-json-schema` emit (and
 * hand-written schemas of the same shape): `$defs`/`$ref`, `anyOf`/`oneOf` unions, nullable as
 * `anyOf` with null or a `type` array, `prefixItems` tuples, `propertyNames` records.
 *
 * Discriminated unions are recognised structurally: every member an object whose same required
 * property is a distinct string `const`. So the IR does not depend on how the union was declared.
 */
import { EventcError } from "../errors.js";
import type { EnumNode, Field, JsonSchema, NamedType, ObjectNode, StringNode, TypeNode, UnionNode } from "./types.js";

/** Resolves `$ref`s and collects the named types a schema reaches. */
export class SchemaReader {
  /** Named types converted so far, by name. */
  readonly named = new Map<string, NamedType>();
  private readonly defs: Record<string, JsonSchema>;
  private readonly root: JsonSchema;
  private readonly inlining = new Set<string>();

  constructor(root: JsonSchema) {
    this.root = root;
    this.defs = (root.$defs ?? root.definitions ?? {}) as Record<string, JsonSchema>;
  }

  /** Converts the root schema (without its `$defs`, which become named types as they are reached). */
  readRoot(): TypeNode {
    return this.read(this.root, []);
  }

  /** The named type a `$ref` or a resolved name points at, converting it on first use. */
  namedType(name: string): NamedType {
    const existing = this.named.get(name);
    if (existing) return existing;
    const schema = Object.hasOwn(this.defs, name) ? this.defs[name] : undefined;
    if (schema === undefined) throw new EventcError(`$ref points at "${name}", which is not under $defs`);
    // Register before converting, so recursive references find it.
    const placeholder: NamedType = { name, type: { kind: "unknown" } };
    this.named.set(name, placeholder);
    placeholder.type = this.read(schema, [], { skipDocs: true });
    const description = schema.description;
    if (typeof description === "string") placeholder.description = description;
    return placeholder;
  }

  /** Follows refs to the node a union member or payload really is. */
  resolve(node: TypeNode): TypeNode {
    let current = node;
    const seen = new Set<string>();
    while (current.kind === "ref" && !seen.has(current.name)) {
      seen.add(current.name);
      current = this.namedType(current.name).type;
    }
    return current;
  }

  read(schema: unknown, path: string[], options: { skipDocs?: boolean } = {}): TypeNode {
    if (schema === true) return { kind: "unknown" };
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
      throw new EventcError(`schema ${JSON.stringify(schema)} is not an object`, { path: path.join(".") });
    }
    const node = this.readBare(schema as JsonSchema, path);
    if (options.skipDocs) return node;
    const s = schema as JsonSchema;
    if (typeof s.description === "string" && node.description === undefined) node.description = s.description;
    if (s.deprecated === true) node.deprecated = true;
    return node;
  }

  private readBare(s: JsonSchema, path: string[]): TypeNode {
    const at = { path: path.join(".") };
    for (const keyword of ["allOf", "not", "if", "patternProperties", "dependentSchemas"]) {
      if (Object.hasOwn(s, keyword)) throw new EventcError(`JSON Schema keyword "${keyword}" has no IR form`, at);
    }
    if (typeof s.$ref === "string") return this.readRef(s.$ref, path);
    if (Object.hasOwn(s, "const")) return literal(s.const, at);
    if (Array.isArray(s.enum)) return enumOrLiterals(s.enum, at);
    const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
    if (Array.isArray(union)) return this.readUnion(union, path);
    if (Array.isArray(s.type)) {
      const types = s.type as string[];
      const nonNull = types.filter((type) => type !== "null");
      const inner: TypeNode =
        nonNull.length === 1
          ? this.readBare({ ...s, type: nonNull[0] }, path)
          : { kind: "union", members: nonNull.map((type) => this.readBare({ ...s, type }, path)) };
      return nonNull.length < types.length ? { kind: "nullable", inner } : inner;
    }
    switch (s.type) {
      case "string":
        return stringNode(s);
      case "number":
      case "integer":
        return numberNode(s);
      case "boolean":
        return { kind: "boolean" };
      case "null":
        return { kind: "null" };
      case "array":
        return this.readArray(s, path);
      case "object":
        return this.readObject(s, path);
      case undefined:
        if (s.properties !== undefined) return this.readObject(s, path);
        return { kind: "unknown" };
      default:
        throw new EventcError(`JSON Schema type "${String(s.type)}" has no IR form`, at);
    }
  }

  private readRef(ref: string, path: string[]): TypeNode {
    const named = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
    if (named) {
      const name = decodeURIComponent(named[1]!).replace(/~1/g, "/").replace(/~0/g, "~");
      this.namedType(name);
      return { kind: "ref", name };
    }
    // A JSON pointer into the document (zod-to-json-schema reuses sub-schemas this way): inline it.
    if (ref.startsWith("#")) {
      if (this.inlining.has(ref)) {
        throw new EventcError(`recursive reference "${ref}" needs a named type (Zod v4 .meta({ id }))`, { path: path.join(".") });
      }
      const target = ref
        .slice(1)
        .split("/")
        .filter((part) => part !== "")
        .reduce<unknown>((node, part) => ownMember(node, part.replace(/~1/g, "/").replace(/~0/g, "~")), this.root);
      if (target === undefined) throw new EventcError(`$ref "${ref}" does not resolve`, { path: path.join(".") });
      this.inlining.add(ref);
      try {
        return this.read(target, path);
      } finally {
        this.inlining.delete(ref);
      }
    }
    throw new EventcError(`external $ref "${ref}" is not supported`, { path: path.join(".") });
  }

  private readUnion(options: unknown[], path: string[]): TypeNode {
    const isNull = (option: unknown): boolean => (option as JsonSchema).type === "null" && Object.keys(option as object).length === 1;
    const nonNull = options.filter((option) => !isNull(option));
    if (nonNull.length === 0) return { kind: "null" };
    const members = nonNull.map((option, index) => this.read(option, nonNull.length > 1 ? [...path, `<${index + 1}>`] : path));
    const inner: TypeNode = members.length === 1 ? members[0]! : this.discriminate({ kind: "union", members });
    return nonNull.length < options.length ? { kind: "nullable", inner } : inner;
  }

  /** Marks a union as discriminated when its members allow it (see the module comment). */
  private discriminate(union: UnionNode): UnionNode {
    const objects = union.members.map((member) => this.resolve(member));
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

  private readArray(s: JsonSchema, path: string[]): TypeNode {
    if (Array.isArray(s.prefixItems)) {
      const items = (s.prefixItems as unknown[]).map((item, index) => this.read(item, [...path, `[${index}]`]));
      const node: TypeNode = { kind: "tuple", items };
      if (s.items !== undefined && s.items !== false) node.rest = this.read(s.items, [...path, "[]"]);
      return node;
    }
    if (Array.isArray(s.items)) {
      // Draft 2019-09 tuples (zod-to-json-schema): `items` array plus `additionalItems`.
      const items = (s.items as unknown[]).map((item, index) => this.read(item, [...path, `[${index}]`]));
      const node: TypeNode = { kind: "tuple", items };
      if (s.additionalItems !== undefined && s.additionalItems !== false) node.rest = this.read(s.additionalItems, [...path, "[]"]);
      return node;
    }
    const node: TypeNode = { kind: "array", items: s.items === undefined ? { kind: "unknown" } : this.read(s.items, [...path, "[]"]) };
    if (typeof s.minItems === "number") node.minItems = s.minItems;
    if (typeof s.maxItems === "number") node.maxItems = s.maxItems;
    return node;
  }

  private readObject(s: JsonSchema, path: string[]): TypeNode {
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    const additional = s.additionalProperties;
    if (Object.keys(properties).length === 0 && typeof additional === "object" && additional !== null) {
      return this.readRecord(s, path);
    }
    const required = new Set((s.required ?? []) as string[]);
    const fields: Field[] = Object.keys(properties).map((name) => {
      const propertySchema = properties[name] as JsonSchema;
      const type = this.read(propertySchema, [...path, name], { skipDocs: true });
      const field: Field = { name, type, optional: !required.has(name) };
      if (typeof propertySchema.description === "string") field.description = propertySchema.description;
      if (propertySchema.deprecated === true) field.deprecated = true;
      if (Object.hasOwn(propertySchema, "default")) {
        field.default = propertySchema.default;
        field.optional = true;
      }
      return field;
    });
    let extra: ObjectNode["additional"] = "ignore";
    if (additional === false) extra = "reject";
    else if (typeof additional === "object" && additional !== null) extra = this.read(additional, [...path, "{}"]);
    return { kind: "object", fields, additional: extra };
  }

  private readRecord(s: JsonSchema, path: string[]): TypeNode {
    const keySchema = (s.propertyNames ?? { type: "string" }) as JsonSchema;
    const keyNode = this.read(keySchema, [...path, "{key}"]);
    let keys: StringNode | EnumNode;
    if (keyNode.kind === "string" || keyNode.kind === "enum") keys = keyNode;
    else if (keyNode.kind === "literal" && typeof keyNode.value === "string") keys = { kind: "enum", values: [keyNode.value] };
    else throw new EventcError("record keys must be strings or a string enum", { path: path.join(".") });
    return { kind: "record", keys, values: this.read(s.additionalProperties, [...path, "{}"]) };
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

function stringNode(s: JsonSchema): StringNode {
  const node: StringNode = { kind: "string" };
  if (typeof s.format === "string") node.format = s.format;
  if (typeof s.pattern === "string") node.pattern = s.pattern;
  if (typeof s.minLength === "number") node.minLength = s.minLength;
  if (typeof s.maxLength === "number") node.maxLength = s.maxLength;
  return node;
}

function numberNode(s: JsonSchema): TypeNode {
  const node: TypeNode = { kind: "number", integer: s.type === "integer" };
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const) {
    const value = s[key];
    if (typeof value === "number") node[key] = value;
  }
  return node;
}
