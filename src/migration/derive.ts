/**
 * The type of a migration's result: the IR type of version n−1 with each step applied to it, as
 * the generated code applies the step to a value. `verify.ts` compares it with version n's type
 * through the registry's comparer; this module only follows the steps.
 *
 * It follows the runtime rule that a step whose path does not reach a value does nothing: a path
 * through an optional field or a nullable value changes the value where it is there, and through
 * a union, the members where the path exists. What it cannot follow exactly (a write into an
 * optional object, a path through a record) is an error: the migration is refused, never guessed.
 */
import type { EnumNode, Field, MigrationStep, NamedMigrationDef, ObjectNode, TypeNode } from "../ir/types.js";

/** Why a step cannot be followed; `at` is the step's field path in the version it reads. */
export class MigrationTypeError extends Error {
  constructor(
    message: string,
    readonly at: string,
    /** The path names no field here: in a union, the other members may still have it. */
    readonly missing = false,
  ) {
    super(message);
  }
}

export interface DeriveContext {
  /** The named type a `ref` points at. */
  resolve(name: string): TypeNode | undefined;
  /** The named migrations of the catalogue, by id. */
  migration(id: string): NamedMigrationDef | undefined;
}

const show = (path: readonly string[]): string => path.join(".") || "(the value)";

/** The type a value of `node` has after `steps`. */
export function deriveType(node: TypeNode, steps: readonly MigrationStep[], context: DeriveContext, depth = 0): TypeNode {
  if (depth > 16) throw new MigrationTypeError("named migrations apply each other too deeply (a cycle?)", "");
  let type = node;
  for (const step of steps) type = deriveStep(type, step, context, depth);
  return type;
}

function deriveStep(node: TypeNode, step: MigrationStep, context: DeriveContext, depth: number): TypeNode {
  switch (step.op) {
    case "move": {
      const taken = takeField(node, step.from, context);
      return taken.field === undefined ? taken.node : putField(taken.node, step.to, taken.field.type, taken.field.optional, context);
    }
    case "set":
      return putField(node, step.path, jsonType(step.value), false, context);
    case "default":
      return editObject(node, step.path.slice(0, -1), context, false, (object) => defaultField(object, step.path, step.value));
    case "drop":
      return takeField(node, step.path, context).node;
    case "map":
      return editValue(node, step.path, context, (value) => mapValues(value, step.values, context), true);
    case "wrap":
      return editValue(node, step.path, context, (value) => wrapValue(value, step.key, context));
    case "unwrap":
      return editValue(node, step.path, context, (value) => unwrapValue(value, step.key, step.path, context));
    case "widen":
      return editValue(node, step.path, context, (value) => widen(value, step.path, context));
    case "each":
      return editValue(node, step.path, context, (value) => eachValue(value, step.path, (item) => deriveType(item, step.steps, context, depth + 1), context));
    case "apply": {
      const named = context.migration(step.migration);
      if (named === undefined) throw new MigrationTypeError(`no named migration "${step.migration}"`, show(step.path));
      return editValue(node, step.path, context, (value) => deriveType(value, named.steps, context, depth + 1));
    }
  }
}

/** `node` with named-type references followed. */
export function resolved(node: TypeNode, context: DeriveContext): TypeNode {
  for (let guard = 0; node.kind === "ref" && guard < 64; guard++) {
    const target = context.resolve(node.name);
    if (target === undefined) throw new MigrationTypeError(`named type "${node.name}" is not in the catalogue`, "");
    node = target;
  }
  return node;
}

/**
 * `node` with the value at `path` replaced by `change(value)`. Where the value is null (and the step
 * is not `map`, which may map null) or the path does not reach it, the value stays.
 */
function editValue(node: TypeNode, path: readonly string[], context: DeriveContext, change: (value: TypeNode) => TypeNode, nullToo = false, walked: string[] = []): TypeNode {
  if (path.length === 0) {
    const value = resolved(node, context);
    if (value.kind === "nullable" && !nullToo) return { kind: "nullable", inner: change(value.inner) };
    return change(value);
  }
  const [head, ...rest] = path as [string, ...string[]];
  return editObject(node, [], context, false, (object) => {
    const field = object.fields.find((candidate) => candidate.name === head);
    if (field === undefined) return undefined;
    return withField(object, { ...field, type: editValue(field.type, rest, context, change, nullToo, [...walked, head]) });
  }, walked, path, head);
}

/**
 * `node` with the object at `path` replaced by `change(object)` (undefined: the path goes on from
 * that object and does not exist there). Through nullable values and unions the change applies
 * where the object is; it must exist in at least one place.
 */
function editObject(
  node: TypeNode,
  path: readonly string[],
  context: DeriveContext,
  create: boolean,
  change: (object: ObjectNode) => TypeNode | undefined,
  walked: string[] = [],
  fullPath: readonly string[] = path,
  lookingFor?: string,
): TypeNode {
  const value = resolved(node, context);
  const missing = (): never => {
    const name = path[0] ?? lookingFor ?? "";
    throw new MigrationTypeError(`"${name}" is not a field of ${kindName(value)}${walked.length > 0 ? ` at "${show(walked)}"` : ""}`, show(fullPath), true);
  };
  switch (value.kind) {
    case "nullable":
      if (create) throw new MigrationTypeError(`cannot write into "${show(walked)}": it may be null`, show(fullPath));
      return { ...value, inner: editObject(value.inner, path, context, create, change, walked, fullPath, lookingFor) };
    case "union": {
      if (create) throw new MigrationTypeError(`cannot write into "${show(walked)}": it is a union (write in each member with "each" over a field, or give the union's members their own steps)`, show(fullPath));
      let found = false;
      const members = value.members.map((member) => {
        try {
          const edited = editObject(member, path, context, create, change, walked, fullPath, lookingFor);
          found = true;
          return edited;
        } catch (error) {
          if (error instanceof MigrationTypeError && error.missing) return member;
          throw error;
        }
      });
      if (!found) missing();
      return dropTags({ ...value, members });
    }
    case "object": {
      if (path.length === 0) return change(value) ?? missing();
      const [head, ...rest] = path as [string, ...string[]];
      const field = value.fields.find((candidate) => candidate.name === head);
      if (field === undefined) {
        if (!create) missing();
        const made: ObjectNode = { kind: "object", fields: [], additional: "ignore" };
        return withField(value, { name: head, type: editObject(made, rest, context, create, change, [...walked, head], fullPath), optional: false });
      }
      if (create && field.optional) throw new MigrationTypeError(`cannot write into "${show([...walked, head])}": it is optional, and a payload without it would get an object with only the written field`, show(fullPath));
      return withField(value, { ...field, type: editObject(field.type, rest, context, create, change, [...walked, head], fullPath) });
    }
    case "record":
      throw new MigrationTypeError(`"${show(walked)}" is a record: reach its values with "each"`, show(fullPath));
    default:
      return missing();
  }
}

/** A union after its members changed: a discriminator stays only while every member keeps its tag. */
function dropTags(union: Extract<TypeNode, { kind: "union" }>): TypeNode {
  if (union.discriminator === undefined) return union;
  const { discriminator: _discriminator, tags: _tags, ...rest } = union;
  return rest;
}

function withField(object: ObjectNode, field: Field): ObjectNode {
  const at = object.fields.findIndex((candidate) => candidate.name === field.name);
  const fields = at < 0 ? [...object.fields, field] : object.fields.map((candidate, index) => (index === at ? field : candidate));
  return { ...object, fields };
}

function withoutField(object: ObjectNode, name: string): ObjectNode {
  return { ...object, fields: object.fields.filter((field) => field.name !== name) };
}

/** Removes the field at `path`; returns the node without it and the field (undefined if it was in no place). */
function takeField(node: TypeNode, path: readonly string[], context: DeriveContext): { node: TypeNode; field: Field | undefined } {
  const name = path[path.length - 1]!;
  let taken: Field | undefined;
  let places = 0;
  const result = editObject(node, path.slice(0, -1), context, false, (object) => {
    const field = object.fields.find((candidate) => candidate.name === name);
    if (field === undefined) return undefined;
    places++;
    taken = field;
    return withoutField(object, name);
  }, [], path, name);
  if (places > 1) throw new MigrationTypeError(`"${show(path)}" is in several members of a union: move it in each member's own steps`, show(path));
  return { node: result, field: taken };
}

function putField(node: TypeNode, path: readonly string[], type: TypeNode, optional: boolean, context: DeriveContext): TypeNode {
  const name = path[path.length - 1]!;
  return editObject(node, path.slice(0, -1), context, true, (object) => withField(object, { name, type, optional }), [], path);
}

function defaultField(object: ObjectNode, path: readonly string[], value: unknown): ObjectNode {
  const name = path[path.length - 1]!;
  const field = object.fields.find((candidate) => candidate.name === name);
  if (field === undefined) {
    throw new MigrationTypeError(
      `"${show(path)}" is not declared by the version it reads, so a payload may carry it with any value (readers ignore unknown fields): write it with "set"`,
      show(path),
    );
  }
  if (!field.optional) return object;
  const { default: _default, ...rest } = field;
  return withField(object, { ...rest, type: union([field.type, jsonType(value)]), optional: false });
}

function union(members: TypeNode[]): TypeNode {
  return members.length === 1 ? members[0]! : { kind: "union", members };
}

/** The type of one JSON value written by a step: literals, null, tuples and objects of them. */
export function jsonType(value: unknown): TypeNode {
  if (value === null) return { kind: "null" };
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return { kind: "literal", value };
  if (Array.isArray(value)) return { kind: "tuple", items: value.map(jsonType) };
  const object = value as Record<string, unknown>;
  return { kind: "object", fields: Object.keys(object).map((name) => ({ name, type: jsonType(object[name]), optional: false })), additional: "ignore" };
}

function mapValues(node: TypeNode, pairs: readonly (readonly [unknown, unknown])[], context: DeriveContext): TypeNode {
  const mapped = (value: unknown): unknown => {
    const pair = pairs.find(([from]) => from === value);
    return pair === undefined ? value : pair[1];
  };
  const value = resolved(node, context);
  switch (value.kind) {
    case "literal":
    case "null":
      return jsonType(mapped(value.kind === "null" ? null : value.value));
    case "enum": {
      const results = value.values.map(mapped);
      if (results.every((result): result is string => typeof result === "string")) return { kind: "enum", values: [...new Set(results)] } satisfies EnumNode;
      return union(uniqueTypes(results.map(jsonType)));
    }
    case "nullable":
      return union(uniqueTypes([mapValues(value.inner, pairs, context), jsonType(mapped(null))]));
    case "union":
      return union(value.members.map((member) => mapValues(member, pairs, context)));
    default: {
      // Any other value may equal a `from`: it is the value's own type or one of the written values.
      const written = pairs.filter(([from]) => mayBe(value, from)).map(([, to]) => jsonType(to));
      return written.length === 0 ? value : union(uniqueTypes([value, ...written]));
    }
  }
}

function mayBe(node: TypeNode, value: unknown): boolean {
  switch (node.kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && (!node.integer || Number.isInteger(value));
    case "boolean":
      return typeof value === "boolean";
    case "unknown":
      return true;
    default:
      return false;
  }
}

function uniqueTypes(nodes: TypeNode[]): TypeNode[] {
  const seen = new Set<string>();
  return nodes.filter((node) => {
    const key = JSON.stringify(node);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `"busy"` → `{ key: "busy" }`: an enum becomes a union of objects, one per member, tagged by `key`. */
function wrapValue(node: TypeNode, key: string, context: DeriveContext): TypeNode {
  const value = resolved(node, context);
  const wrap = (inner: TypeNode): ObjectNode => ({ kind: "object", fields: [{ name: key, type: inner, optional: false }], additional: "ignore" });
  if (value.kind === "enum") {
    return { kind: "union", members: value.values.map((tag) => wrap({ kind: "literal", value: tag })), discriminator: key, tags: [...value.values] };
  }
  if (value.kind === "union" && value.members.every((member) => resolved(member, context).kind === "literal")) {
    return { kind: "union", members: value.members.map((member) => wrap(resolved(member, context))) };
  }
  return wrap(node);
}

function unwrapValue(node: TypeNode, key: string, path: readonly string[], context: DeriveContext): TypeNode {
  const value = resolved(node, context);
  if (value.kind === "union") return union(uniqueTypes(value.members.map((member) => unwrapValue(member, key, path, context))));
  if (value.kind !== "object") return node;
  const field = value.fields.find((candidate) => candidate.name === key);
  if (field === undefined) return node;
  if (field.optional) throw new MigrationTypeError(`"${key}" is optional in "${show(path)}": an object without it would stay an object`, show(path));
  return field.type;
}

function widen(node: TypeNode, path: readonly string[], context: DeriveContext): TypeNode {
  const value = resolved(node, context);
  if (value.kind !== "number" || !value.integer) throw new MigrationTypeError(`"${show(path)}" is not an integer: only integers widen (to any number)`, show(path));
  const { multipleOf: _multipleOf, ...rest } = value;
  return { ...rest, integer: false };
}

function eachValue(node: TypeNode, path: readonly string[], change: (item: TypeNode) => TypeNode, context: DeriveContext): TypeNode {
  const value = resolved(node, context);
  switch (value.kind) {
    case "array":
      return { ...value, items: change(value.items) };
    case "record":
      return { ...value, values: change(value.values) };
    case "tuple":
      return value.rest === undefined ? { ...value, items: value.items.map(change) } : { ...value, items: value.items.map(change), rest: change(value.rest) };
    default:
      throw new MigrationTypeError(`"${show(path)}" is ${kindName(value)}, not an array or a record: "each" reaches elements and values`, show(path));
  }
}

function kindName(node: TypeNode): string {
  if (node.kind === "unknown") return "a value of any kind";
  return `${/^[aeiou]/.test(node.kind) ? "an" : "a"} ${node.kind}`;
}
