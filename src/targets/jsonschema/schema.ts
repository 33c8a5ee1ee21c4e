/**
 * IR → JSON Schema (draft 2020-12). Shared by the `jsonschema` target and the registry, so that
 * what is published and what is compared are the same document.
 *
 * Objects are open unless the schema forbids unknown fields (`strictObject`): generated readers
 * ignore unknown fields, and the published schemas say the same.
 */
import type { Catalogue, EventVersion, Field, JsonSchema, NamedType, TypeNode } from "../../ir/types.js";

export const DIALECT = "https://json-schema.org/draft/2020-12/schema";

export function nodeSchema(node: TypeNode): JsonSchema {
  const schema = bareSchema(node);
  if (node.description !== undefined) schema.description = node.description;
  if (node.deprecated) schema.deprecated = true;
  return schema;
}

function bareSchema(node: TypeNode): JsonSchema {
  switch (node.kind) {
    case "string": {
      const schema: JsonSchema = { type: "string" };
      if (node.format !== undefined) schema.format = node.format;
      if (node.pattern !== undefined) schema.pattern = node.pattern;
      if (node.minLength !== undefined) schema.minLength = node.minLength;
      if (node.maxLength !== undefined) schema.maxLength = node.maxLength;
      return schema;
    }
    case "number": {
      const schema: JsonSchema = { type: node.integer ? "integer" : "number" };
      for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const) {
        if (node[key] !== undefined) schema[key] = node[key];
      }
      return schema;
    }
    case "boolean":
      return { type: "boolean" };
    case "null":
      return { type: "null" };
    case "literal":
      return { type: typeof node.value, const: node.value };
    case "enum":
      return { type: "string", enum: [...node.values] };
    case "array": {
      const schema: JsonSchema = { type: "array", items: nodeSchema(node.items) };
      if (node.minItems !== undefined) schema.minItems = node.minItems;
      if (node.maxItems !== undefined) schema.maxItems = node.maxItems;
      return schema;
    }
    case "tuple": {
      const schema: JsonSchema = { type: "array", prefixItems: node.items.map(nodeSchema), minItems: node.items.length };
      if (node.rest) schema.items = nodeSchema(node.rest);
      else {
        schema.items = false;
        schema.maxItems = node.items.length;
      }
      return schema;
    }
    case "record": {
      const schema: JsonSchema = { type: "object", propertyNames: nodeSchema(node.keys), additionalProperties: nodeSchema(node.values) };
      if (node.keys.kind === "enum" && !node.partial) schema.required = [...node.keys.values];
      return schema;
    }
    case "object": {
      const schema: JsonSchema = { type: "object", properties: Object.fromEntries(node.fields.map((field) => [field.name, fieldSchema(field)])) };
      const required = node.fields.filter((field) => !field.optional).map((field) => field.name);
      if (required.length > 0) schema.required = required;
      if (node.additional === "reject") schema.additionalProperties = false;
      else if (node.additional !== "ignore") schema.additionalProperties = nodeSchema(node.additional);
      return schema;
    }
    case "union":
      return node.discriminator !== undefined ? { oneOf: node.members.map(nodeSchema) } : { anyOf: node.members.map(nodeSchema) };
    case "nullable":
      return { anyOf: [nodeSchema(node.inner), { type: "null" }] };
    case "ref":
      return { $ref: `#/$defs/${node.name}` };
    case "unknown":
      return {};
  }
}

function fieldSchema(field: Field): JsonSchema {
  const schema = nodeSchema(field.type);
  if (field.description !== undefined) schema.description = field.description;
  if (field.deprecated) schema.deprecated = true;
  if (field.default !== undefined) schema.default = field.default;
  return schema;
}

export function namedTypeSchema(type: NamedType): JsonSchema {
  const schema = nodeSchema(type.type);
  if (type.description !== undefined) schema.description = type.description;
  return schema;
}

/** Names of the named types reachable from `roots`, sorted. */
export function reachableTypes(roots: TypeNode[], catalogue: Catalogue): string[] {
  const byName = new Map(catalogue.types.map((type) => [type.name, type]));
  const found = new Set<string>();
  const visit = (node: TypeNode): void => {
    switch (node.kind) {
      case "ref":
        if (!found.has(node.name)) {
          found.add(node.name);
          const type = byName.get(node.name);
          if (type) visit(type.type);
        }
        return;
      case "array":
        return visit(node.items);
      case "tuple":
        node.items.forEach(visit);
        if (node.rest) visit(node.rest);
        return;
      case "record":
        return visit(node.values);
      case "object":
        node.fields.forEach((field) => visit(field.type));
        if (typeof node.additional === "object") visit(node.additional);
        return;
      case "union":
        return node.members.forEach(visit);
      case "nullable":
        return visit(node.inner);
      default:
        return;
    }
  };
  roots.forEach(visit);
  return [...found].sort();
}

/** `$defs` for the given named types. */
export function definitions(names: string[], catalogue: Catalogue): JsonSchema {
  const byName = new Map(catalogue.types.map((type) => [type.name, type]));
  return Object.fromEntries(names.map((name) => [name, namedTypeSchema(byName.get(name)!)]));
}

/** `$id` (and file name) of a version's payload schema. */
export function versionSchemaId(wireType: string): string {
  return `${wireType}.json`;
}

/**
 * Schemas already made, by version: the JSON Schema target and the SDK's Standard JSON Schema
 * embed the same document, made once per run. Callers treat the result as read-only.
 */
const made = new WeakMap<EventVersion, { catalogue: Catalogue; description: string | undefined; schema: JsonSchema }>();

/** A self-contained schema of one version's payload (read-only: it may be shared with other callers). */
export function versionSchema(version: EventVersion, catalogue: Catalogue, description?: string): JsonSchema {
  const known = made.get(version);
  if (known !== undefined && known.catalogue === catalogue && known.description === description) return known.schema;
  const schema = makeVersionSchema(version, catalogue, description);
  made.set(version, { catalogue, description, schema });
  return schema;
}

function makeVersionSchema(version: EventVersion, catalogue: Catalogue, description?: string): JsonSchema {
  const schema: JsonSchema = { $schema: DIALECT, $id: versionSchemaId(version.wireType), title: version.wireType };
  if (description !== undefined) schema.description = description;
  Object.assign(schema, nodeSchema(version.payload));
  const names = reachableTypes([version.payload], catalogue);
  if (names.length > 0) schema.$defs = definitions(names, catalogue);
  return schema;
}
