/**
 * One compact description of each payload's shape, and the two things the SDK reads from it. This
 * file is copied into the SDK as it is. Each event version and named type in the generated
 * `validate.ts` has
 * - a generated boolean check — straight-line, early exit, no path or message ever built — which
 *   is all a valid payload costs (`parseEvent`, type guards, Standard Schema on valid input);
 * - its shape: JSON text the generator writes, parsed on first use. `checkShape` walks it to list
 *   what is wrong, only once the boolean check said something is; `versionJsonSchema` builds the
 *   published JSON Schema of a payload from it (standard.ts), the same document the `jsonschema`
 *   target writes.
 * The generated `checkPayloadN(value, path, out, level)` runs the first, then `checkShape`.
 *
 * A shape's text is `{ "type": node, "name"?: …, "description"?: … }` (the name and description
 * of a named type). A node is JSON:
 *   "string" | "number" | "integer" | "boolean" | "null" | "json"   a bare kind ("json": a value of every JSON type)
 *   n (a number)                                   the n-th shape of the shape's `refs` (a named type)
 *   { k: "ref", ref: n }                           the same, with annotations
 *   { k: "string", format?, pattern?, min?, max? }                 min/max in code points
 *   { k: "number" | "integer", min?, max?, xmin?, xmax?, step? }   inclusive, exclusive bounds, multipleOf
 *   { k: "boolean" | "null" | "json" }             { k: "literal", value }    { k: "enum", values: [...] }
 *   { k: "array", items, min?, max? }              { k: "tuple", items: [...], rest? }
 *   { k: "record", keys, values, required?: [...] }
 *   { k: "object", fields: [[name, node, optional (1 | 0)?, docs?], ...], additional?: "reject" | node }
 *   { k: "tagged", tag, members: [[value, node], ...] }   a discriminated union
 *   { k: "union", members: [...] }                 the first member that matches wins
 *   { k: "nullable", inner }
 * Any node object may carry `description` and `deprecated`; a field's `docs` are its
 * `description`, `deprecated` and `default`. They are read for the JSON Schema only.
 *
 * `checkShape` reports what the straight-line validators of the same node would, in the same
 * order, with the same messages; the SDK's tests hold it, the boolean checks and the JSON Schemas
 * to that, issue list for issue list and document for document.
 */
import {
  ABSOLUTE_URI,
  checkJson,
  codePoints,
  depthFailure,
  fail,
  failType,
  isRecord,
  isWellFormed,
  MAX_DEPTH,
  pointer,
  tooDeep,
  type JsonSchemaDocument,
  type PayloadCheck,
  type ValidationIssue,
} from "./wire.js";

/** What any node object may carry for the JSON Schema. */
interface Docs {
  readonly description?: string;
  readonly deprecated?: boolean;
}

/** A shape node as parsed from a shape's JSON text (see the module comment). */
export type ShapeNode =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "null"
  | "json"
  | number
  | (Docs &
      (
        | { readonly k: "string"; readonly format?: string; readonly pattern?: string; readonly min?: number; readonly max?: number }
        | { readonly k: "number" | "integer"; readonly min?: number; readonly max?: number; readonly xmin?: number; readonly xmax?: number; readonly step?: number }
        | { readonly k: "boolean" | "null" | "json" }
        | { readonly k: "ref"; readonly ref: number }
        | { readonly k: "literal"; readonly value: string | number | boolean }
        | { readonly k: "enum"; readonly values: readonly string[] }
        | { readonly k: "array"; readonly items: ShapeNode; readonly min?: number; readonly max?: number }
        | { readonly k: "tuple"; readonly items: readonly ShapeNode[]; readonly rest?: ShapeNode }
        | { readonly k: "record"; readonly keys: ShapeNode; readonly values: ShapeNode; readonly required?: readonly string[] }
        | { readonly k: "object"; readonly fields: readonly ShapeField[]; readonly additional?: "reject" | ShapeNode }
        | { readonly k: "tagged"; readonly tag: string; readonly members: readonly (readonly [string, ShapeNode])[] }
        | { readonly k: "union"; readonly members: readonly ShapeNode[] }
        | { readonly k: "nullable"; readonly inner: ShapeNode }
      ));

/** An object's field: name, node, whether it is optional, and its docs. */
type ShapeField = readonly [string, ShapeNode, (1 | 0)?, (Docs & { readonly default?: unknown })?];

/** A shape's parsed text. */
interface ShapeText {
  readonly type: ShapeNode;
  readonly name?: string;
  readonly description?: string;
}

/**
 * One payload's or named type's shape: its JSON text and the named types it refers to by index
 * (`refs` is called when a named type is first needed: named types may refer to each other).
 */
export interface Shape {
  readonly text: string;
  readonly refs?: () => readonly Shape[];
  /** The parsed text, once read. */
  parsed?: ShapeText;
  /** What `refs` returned, once called. */
  named?: readonly Shape[];
}

/** The `index`-th named type `of` refers to. */
function namedOf(of: Shape, index: number): Shape {
  const named = (of.named ??= of.refs === undefined ? [] : of.refs());
  const found = named[index];
  if (found === undefined) throw new Error(`eventc: a shape refers to named type ${index}, which it does not list`);
  return found;
}

function parsed(of: Shape): ShapeText {
  return (of.parsed ??= JSON.parse(of.text) as ShapeText);
}

/**
 * Each pattern a shape names, compiled once. The patterns are the catalogue's, so the cache holds
 * at most as many as the SDK was generated with.
 */
const patterns = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let pattern = patterns.get(source);
  if (pattern === undefined) {
    pattern = new RegExp(source, "u");
    patterns.set(source, pattern);
  }
  return pattern;
}

/**
 * What the exported, total checker of a payload returns: `check`'s answer, except that a payload
 * nested too deeply is one issue at `path`, never a throw.
 */
export function totalCheck(check: PayloadCheck, value: unknown, path: string, out: ValidationIssue[] | null, level: number): boolean {
  const start = out === null ? 0 : out.length;
  try {
    return check(value, path, out, level);
  } catch (error) {
    return depthFailure(error, path, out, start);
  }
}

/** `check` as a payload check that never throws: a payload nested past MAX_DEPTH is one issue at `path`. */
export function total(check: PayloadCheck): PayloadCheck {
  return (value, path, out, level = 1) => totalCheck(check, value, path, out, level);
}

/** Whether `value` (nested at `level`) has the shape; with `out`, every failure is appended to it. */
export function checkShape(of: Shape, value: unknown, path: string, out: ValidationIssue[] | null, level: number): boolean {
  return check(of, parsed(of).type, value, path, out, level);
}

/** `value[name]` when `value` has it as its own property; undefined otherwise (never the prototype's). */
export function ownField(value: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(value, name) ? value[name] : undefined;
}

/** How a member is read: names the prototype has are read as own properties only. */
function member(value: Record<string, unknown>, name: string): unknown {
  return name in Object.prototype || name === "__proto__" ? ownField(value, name) : value[name];
}

/**
 * Where a value is: the JSON Pointer text, or its parent and its key there — made into text only
 * when an issue is reported, so walking a payload builds no path for what is valid.
 */
type Path = string | { readonly parent: Path; readonly key: string | number };

function pathText(path: Path): string {
  return typeof path === "string" ? path : pointer(pathText(path.parent), path.key);
}

/** The path of a member or element; none is needed when issues are not collected. */
function child(path: Path, key: string | number, out: ValidationIssue[] | null): Path {
  return out === null ? "" : { parent: path, key };
}

const oneOf = (values: readonly (string | number | boolean)[]): string => `expected one of ${values.map((item) => JSON.stringify(item)).join(", ")}`;

/** Appends "<message>" at `path`; false. */
function failAt(out: ValidationIssue[], path: Path, message: string): false {
  return fail(out, pathText(path), message);
}

/** Appends "expected <type>, got <JSON type>" at `path`; false. */
function failTypeAt(out: ValidationIssue[], path: Path, expected: string, value: unknown): false {
  return failType(out, pathText(path), expected, value);
}

function check(of: Shape, node: ShapeNode, value: unknown, path: Path, out: ValidationIssue[] | null, level: number): boolean {
  if (typeof node === "number") {
    const target = namedOf(of, node);
    return check(target, parsed(target).type, value, out === null ? "" : path, out, level);
  }
  if (typeof node === "string") {
    switch (node) {
      case "string":
        return checkString(undefined, value, path, out);
      case "number":
      case "integer":
        return checkNumber(node === "integer", undefined, value, path, out);
      case "boolean":
        return typeof value === "boolean" || (out !== null && failTypeAt(out, path, "boolean", value));
      case "null":
        return value === null || (out !== null && failTypeAt(out, path, "null", value));
      case "json":
        return checkJson(value, level, "", null) || (out !== null && checkJson(value, level, pathText(path), out));
    }
  }
  switch (node.k) {
    case "boolean":
    case "null":
    case "json":
      return check(of, node.k, value, path, out, level);
    case "ref":
      return check(of, node.ref, value, path, out, level);
    case "string":
      return checkString(node, value, path, out);
    case "number":
    case "integer":
      return checkNumber(node.k === "integer", node, value, path, out);
    case "literal":
      return value === node.value || (out !== null && failAt(out, path, `expected ${JSON.stringify(node.value)}`));
    case "enum":
      return (typeof value === "string" && node.values.includes(value)) || (out !== null && failAt(out, path, oneOf(node.values)));
    case "array": {
      if (!Array.isArray(value)) return out !== null && failTypeAt(out, path, "array", value);
      if (level > MAX_DEPTH) tooDeep();
      let ok = true;
      if (node.min !== undefined && value.length < node.min) {
        if (out === null) return false;
        ok = failAt(out, path, `expected at least ${node.min} items`);
      }
      if (node.max !== undefined && value.length > node.max) {
        if (out === null) return false;
        ok = failAt(out, path, `expected at most ${node.max} items`);
      }
      for (let index = 0; index < value.length; index++) {
        if (!check(of, node.items, value[index], child(path, index, out), out, level + 1)) {
          if (out === null) return false;
          ok = false;
        }
      }
      return ok;
    }
    case "tuple": {
      if (!Array.isArray(value)) return out !== null && failTypeAt(out, path, "array", value);
      if (level > MAX_DEPTH) tooDeep();
      const count = node.items.length;
      if (node.rest === undefined ? value.length !== count : value.length < count) {
        return out !== null && failAt(out, path, `expected ${count} items${node.rest === undefined ? "" : " or more"}, got ${value.length}`);
      }
      let ok = true;
      for (let index = 0; index < value.length; index++) {
        const item = index < count ? node.items[index]! : node.rest!;
        if (!check(of, item, value[index], child(path, index, out), out, level + 1)) {
          if (out === null) return false;
          ok = false;
        }
      }
      return ok;
    }
    case "record": {
      if (!isRecord(value)) return out !== null && failTypeAt(out, path, "object", value);
      if (level > MAX_DEPTH) tooDeep();
      let ok = true;
      for (const key of Object.keys(value)) {
        const at = child(path, key, out);
        if (!check(of, node.keys, key, at, out, level + 1)) {
          if (out === null) return false;
          ok = false;
        }
        if (!check(of, node.values, value[key], at, out, level + 1)) {
          if (out === null) return false;
          ok = false;
        }
      }
      if (node.required !== undefined) {
        for (const key of node.required) {
          if (!Object.hasOwn(value, key)) {
            if (out === null) return false;
            ok = failAt(out, child(path, key, out), "required");
          }
        }
      }
      return ok;
    }
    case "object": {
      if (!isRecord(value)) return out !== null && failTypeAt(out, path, "object", value);
      if (level > MAX_DEPTH) tooDeep();
      let ok = true;
      const fields = node.fields;
      for (let index = 0; index < fields.length; index++) {
        const field = fields[index]!;
        const found = member(value, field[0]);
        if (found === undefined) {
          if (field[2] === 1) continue;
          if (out === null) return false;
          ok = failAt(out, child(path, field[0], out), "required");
        } else if (!check(of, field[1], found, child(path, field[0], out), out, level + 1)) {
          if (out === null) return false;
          ok = false;
        }
      }
      const additional = node.additional;
      if (additional !== undefined) {
        for (const key of Object.keys(value)) {
          if (fields.some((field) => field[0] === key)) continue;
          if (additional === "reject") {
            if (out === null) return false;
            ok = failAt(out, child(path, key, out), "unknown field");
          } else if (!check(of, additional, value[key], child(path, key, out), out, level + 1)) {
            if (out === null) return false;
            ok = false;
          }
        }
      }
      return ok;
    }
    case "tagged": {
      if (!isRecord(value)) return out !== null && failTypeAt(out, path, "object", value);
      const tag = member(value, node.tag);
      const chosen = node.members.find((item) => item[0] === tag);
      if (chosen === undefined) return out !== null && failAt(out, child(path, node.tag, out), oneOf(node.members.map((item) => item[0])));
      return check(of, chosen[1], value, path, out, level);
    }
    case "union":
      for (const item of node.members) if (check(of, item, value, "", null, level)) return true;
      return out !== null && failAt(out, path, "matches no member of the union");
    case "nullable":
      return value === null || check(of, node.inner, value, path, out, level);
  }
}

function checkString(node: Extract<ShapeNode, { k: "string" }> | undefined, value: unknown, path: Path, out: ValidationIssue[] | null): boolean {
  if (typeof value !== "string") return out !== null && failTypeAt(out, path, "string", value);
  let ok = true;
  if (!isWellFormed(value)) {
    if (out === null) return false;
    ok = failAt(out, path, "not well-formed Unicode: a lone surrogate");
  }
  if (node === undefined) return ok;
  if (node.min !== undefined || node.max !== undefined) {
    const length = codePoints(value);
    if (node.min !== undefined && length < node.min) {
      if (out === null) return false;
      ok = failAt(out, path, `expected at least ${node.min} characters`);
    }
    if (node.max !== undefined && length > node.max) {
      if (out === null) return false;
      ok = failAt(out, path, `expected at most ${node.max} characters`);
    }
  }
  if (node.pattern !== undefined) {
    if (!patternOf(node.pattern).test(value)) {
      if (out === null) return false;
      ok = failAt(out, path, node.format === undefined ? `does not match ${node.pattern}` : `not a valid ${node.format}`);
    }
  } else if (node.format === "uri" && !ABSOLUTE_URI.test(value)) {
    if (out === null) return false;
    ok = failAt(out, path, "not a valid uri");
  }
  return ok;
}

/** The failures of a number, in the order the checks run; bounds at or beyond an integer's safe range say nothing the integer check did not. */
function numberFailures(integer: boolean, node: Extract<ShapeNode, { k: "number" | "integer" }> | undefined, value: number): string[] {
  const failures: string[] = [];
  if (integer && !Number.isSafeInteger(value)) failures.push("expected an integer within ±(2^53 − 1)");
  if (node === undefined) return failures;
  if (node.min !== undefined && !(integer && node.min <= -Number.MAX_SAFE_INTEGER) && value < node.min) failures.push(`expected at least ${node.min}`);
  if (node.max !== undefined && !(integer && node.max >= Number.MAX_SAFE_INTEGER) && value > node.max) failures.push(`expected at most ${node.max}`);
  if (node.xmin !== undefined && value <= node.xmin) failures.push(`expected more than ${node.xmin}`);
  if (node.xmax !== undefined && value >= node.xmax) failures.push(`expected less than ${node.xmax}`);
  if (node.step !== undefined && (value / node.step) % 1 !== 0) failures.push(`expected a multiple of ${node.step}`);
  return failures;
}

function checkNumber(integer: boolean, node: Extract<ShapeNode, { k: "number" | "integer" }> | undefined, value: unknown, path: Path, out: ValidationIssue[] | null): boolean {
  if (typeof value !== "number" || !Number.isFinite(value)) return out !== null && failTypeAt(out, path, "number", value);
  const whole = !integer || Number.isSafeInteger(value);
  if (node === undefined) return whole || (out !== null && failAt(out, path, "expected an integer within ±(2^53 − 1)"));
  if (whole && (node.min === undefined || value >= node.min) && (node.max === undefined || value <= node.max) && (node.xmin === undefined || value > node.xmin) && (node.xmax === undefined || value < node.xmax) && (node.step === undefined || (value / node.step) % 1 === 0)) {
    return true;
  }
  if (out === null) return false;
  const at = pathText(path);
  for (const message of numberFailures(integer, node, value)) fail(out, at, message);
  return false;
}

/*
 * The published JSON Schema (draft 2020-12) of a payload, built from its shape as the `jsonschema`
 * target builds it from the catalogue: the same keywords, in the same order.
 */

const DIALECT = "https://json-schema.org/draft/2020-12/schema";

type Schema = Record<string, unknown>;

function nodeSchema(of: Shape, node: ShapeNode): Schema {
  const schema = bareSchema(of, node);
  if (typeof node === "object") {
    if (node.description !== undefined) schema["description"] = node.description;
    if (node.deprecated === true) schema["deprecated"] = true;
  }
  return schema;
}

function bareSchema(of: Shape, node: ShapeNode): Schema {
  if (typeof node === "number") return { $ref: `#/$defs/${nameOf(namedOf(of, node))}` };
  if (typeof node === "string") {
    if (node === "json") return {};
    return { type: node };
  }
  switch (node.k) {
    case "string": {
      const schema: Schema = { type: "string" };
      if (node.format !== undefined) schema["format"] = node.format;
      if (node.pattern !== undefined) schema["pattern"] = node.pattern;
      if (node.min !== undefined) schema["minLength"] = node.min;
      if (node.max !== undefined) schema["maxLength"] = node.max;
      return schema;
    }
    case "number":
    case "integer": {
      const schema: Schema = { type: node.k };
      if (node.min !== undefined) schema["minimum"] = node.min;
      if (node.max !== undefined) schema["maximum"] = node.max;
      if (node.xmin !== undefined) schema["exclusiveMinimum"] = node.xmin;
      if (node.xmax !== undefined) schema["exclusiveMaximum"] = node.xmax;
      if (node.step !== undefined) schema["multipleOf"] = node.step;
      return schema;
    }
    case "boolean":
    case "null":
      return { type: node.k };
    case "json":
      return {};
    case "ref":
      return bareSchema(of, node.ref);
    case "literal":
      return { type: typeof node.value, const: node.value };
    case "enum":
      return { type: "string", enum: [...node.values] };
    case "array": {
      const schema: Schema = { type: "array", items: nodeSchema(of, node.items) };
      if (node.min !== undefined) schema["minItems"] = node.min;
      if (node.max !== undefined) schema["maxItems"] = node.max;
      return schema;
    }
    case "tuple": {
      const schema: Schema = { type: "array", prefixItems: node.items.map((item) => nodeSchema(of, item)), minItems: node.items.length };
      if (node.rest !== undefined) schema["items"] = nodeSchema(of, node.rest);
      else {
        schema["items"] = false;
        schema["maxItems"] = node.items.length;
      }
      return schema;
    }
    case "record": {
      const schema: Schema = { type: "object", propertyNames: nodeSchema(of, node.keys), additionalProperties: nodeSchema(of, node.values) };
      if (node.required !== undefined) schema["required"] = [...node.required];
      return schema;
    }
    case "object": {
      const schema: Schema = { type: "object", properties: Object.fromEntries(node.fields.map((field) => [field[0], fieldSchema(of, field)])) };
      const required = node.fields.filter((field) => field[2] !== 1).map((field) => field[0]);
      if (required.length > 0) schema["required"] = required;
      if (node.additional === "reject") schema["additionalProperties"] = false;
      else if (node.additional !== undefined) schema["additionalProperties"] = nodeSchema(of, node.additional);
      return schema;
    }
    case "tagged":
      return { oneOf: node.members.map((member) => nodeSchema(of, member[1])) };
    case "union":
      return { anyOf: node.members.map((member) => nodeSchema(of, member)) };
    case "nullable":
      return { anyOf: [nodeSchema(of, node.inner), { type: "null" }] };
  }
}

function fieldSchema(of: Shape, [, node, , docs]: ShapeField): Schema {
  const schema = nodeSchema(of, node);
  if (docs !== undefined) {
    if (docs.description !== undefined) schema["description"] = docs.description;
    if (docs.deprecated === true) schema["deprecated"] = true;
    if (docs.default !== undefined) schema["default"] = docs.default;
  }
  return schema;
}

function nameOf(named: Shape): string {
  const name = parsed(named).name;
  if (name === undefined) throw new Error("eventc: a shape referred to as a named type has no name");
  return name;
}

/** The named types reachable from `node` (read in `of`), into `found` by name. */
function reachable(of: Shape, node: ShapeNode, found: Map<string, Shape>): void {
  if (typeof node === "number") {
    const named = namedOf(of, node);
    const name = nameOf(named);
    if (!found.has(name)) {
      found.set(name, named);
      reachable(named, parsed(named).type, found);
    }
    return;
  }
  if (typeof node === "string") return;
  switch (node.k) {
    case "ref":
      return reachable(of, node.ref, found);
    case "array":
      return reachable(of, node.items, found);
    case "tuple":
      node.items.forEach((item) => reachable(of, item, found));
      if (node.rest !== undefined) reachable(of, node.rest, found);
      return;
    case "record":
      return reachable(of, node.values, found);
    case "object":
      node.fields.forEach((field) => reachable(of, field[1], found));
      if (node.additional !== undefined && node.additional !== "reject") reachable(of, node.additional, found);
      return;
    case "tagged":
      return node.members.forEach((member) => reachable(of, member[1], found));
    case "union":
      return node.members.forEach((member) => reachable(of, member, found));
    case "nullable":
      return reachable(of, node.inner, found);
    default:
      return;
  }
}

/**
 * The published JSON Schema of a payload of wire type `wireType` with shape `of`: `$id`, title and
 * the event's `description`, the payload's schema, and every named type it reaches under `$defs`.
 */
export function versionJsonSchema(of: Shape, wireType: string, description?: string): JsonSchemaDocument {
  const schema: Schema = { $schema: DIALECT, $id: `${wireType}.json`, title: wireType };
  if (description !== undefined) schema["description"] = description;
  const root = parsed(of).type;
  Object.assign(schema, nodeSchema(of, root));
  const found = new Map<string, Shape>();
  reachable(of, root, found);
  if (found.size > 0) {
    schema["$defs"] = Object.fromEntries(
      [...found.keys()].sort().map((name) => {
        const named = found.get(name)!;
        const definition = nodeSchema(named, parsed(named).type);
        const text = parsed(named);
        if (text.description !== undefined) definition["description"] = text.description;
        return [name, definition];
      }),
    );
  }
  return schema;
}

/**
 * The `Event` union as JSON Schema: one member per version — `[wireType, description of its event]`
 * in catalogue order — with every version's document (`versions`, in the same order) embedded
 * under `$defs` by its `$id`.
 */
export function eventJsonSchema(members: readonly (readonly [string, string?])[], versions: readonly JsonSchemaDocument[]): JsonSchemaDocument {
  const defs = Object.fromEntries(
    members.map(([wireType, description]) => {
      const member: Schema = { type: "object", properties: { type: { type: "string", const: wireType }, payload: { $ref: `${wireType}.json` } }, required: ["type", "payload"] };
      if (description !== undefined) member["description"] = description;
      return [wireType, member];
    }),
  );
  for (const version of versions) defs[String(version["$id"])] = version;
  return {
    $schema: DIALECT,
    $id: "event.json",
    title: "Event",
    description: "One event of the catalogue: a wire type naming event and version, and its payload.",
    oneOf: members.map(([wireType]) => ({ $ref: `#/$defs/${wireType}` })),
    $defs: defs,
  };
}
