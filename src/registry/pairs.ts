/**
 * Pairing helpers: match previous and current elements by name (fields, events, versions) or by
 * tag and shape (union members), so that each rule compares one pair. Also the small vocabulary
 * rules share: paths, labels for messages, type descriptions.
 */
import { canonicalJson } from "../ir/canonical.js";
import type { Field, ObjectNode, TypeNode } from "../ir/types.js";

/** One step from a node to a child, in the payload document. */
export type Segment = { field: string } | { index: number } | "item" | "value";

/** JSON Pointer (RFC 6901) into the payload; `*` for any array item or map value. */
export function pointer(path: readonly Segment[]): string {
  return path
    .map((segment) => {
      if (segment === "item" || segment === "value") return "/*";
      if ("index" in segment) return `/${segment.index}`;
      return `/${segment.field.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    })
    .join("");
}

/** Field path as messages show it: `info.parts[].type`, `metadata{}`. */
export function fieldPath(path: readonly Segment[]): string {
  let text = "";
  for (const segment of path) {
    if (segment === "item") text += "[]";
    else if (segment === "value") text += "{}";
    else if ("index" in segment) text += `[${segment.index}]`;
    else text += text === "" ? segment.field : `.${segment.field}`;
  }
  return text;
}

/** `Field "a.b" on "x.v1"`, or `Payload of "x.v1"` at the root. */
export function subjectLabel(path: readonly Segment[], subject: string): string {
  return path.length === 0 ? `Payload of "${subject}"` : `Field "${fieldPath(path)}" on "${subject}"`;
}

const canonicalCache = new WeakMap<object, string>();

/** Canonical JSON of a node, cached per node object. */
export function shapeOf(node: object): string {
  let text = canonicalCache.get(node);
  if (text === undefined) {
    text = canonicalJson(node);
    canonicalCache.set(node, text);
  }
  return text;
}

/** True when both nodes are the same JSON shape and neither reaches a named type (whose definition may differ). */
export function sameShape(a: TypeNode, b: TypeNode): boolean {
  const text = shapeOf(a);
  return text === shapeOf(b) && !text.includes('"kind":"ref"');
}

/** Fields matched by wire name. */
export interface FieldPairs {
  shared: Array<[Field, Field]>;
  deleted: Field[];
  added: Field[];
}

export function pairFields(previous: ObjectNode, current: ObjectNode): FieldPairs {
  const currentByName = new Map(current.fields.map((field) => [field.name, field]));
  const previousNames = new Set(previous.fields.map((field) => field.name));
  const shared: Array<[Field, Field]> = [];
  const deleted: Field[] = [];
  for (const field of previous.fields) {
    const match = currentByName.get(field.name);
    if (match) shared.push([field, match]);
    else deleted.push(field);
  }
  return { shared, deleted, added: current.fields.filter((field) => !previousNames.has(field.name)) };
}

/** Union members matched by index into each side's member list. */
export interface MemberPairs {
  pairs: Array<[number, number]>;
  removed: number[];
  added: number[];
}

/** A required string-literal field's value, e.g. `type: "text"`; identifies an object member. */
export function memberTag(node: TypeNode, resolve: (node: TypeNode) => TypeNode, discriminator?: string): string | undefined {
  const object = resolve(node);
  if (object.kind !== "object") return undefined;
  for (const field of object.fields) {
    if (discriminator !== undefined && field.name !== discriminator) continue;
    if (!field.optional && field.type.kind === "literal" && typeof field.type.value === "string") return `${field.name}=${field.type.value}`;
  }
  return undefined;
}

/** Which values a node's kind ranges over: members of one family are paired before unrelated ones. */
export function family(node: TypeNode): string {
  switch (node.kind) {
    case "string":
    case "enum":
      return "string";
    case "literal":
      return typeof node.value;
    case "record":
    case "object":
      return "object";
    case "array":
    case "tuple":
      return "array";
    default:
      return node.kind;
  }
}

/**
 * Pairs union members: identical shapes first, then objects with the same tag (the discriminator
 * literal), then members of the same value family, in order. Unpaired members were removed/added.
 */
export function pairMembers(
  previous: TypeNode[],
  current: TypeNode[],
  resolvePrevious: (node: TypeNode) => TypeNode,
  resolveCurrent: (node: TypeNode) => TypeNode,
  discriminator?: string,
): MemberPairs {
  const pairs: Array<[number, number]> = [];
  const freePrevious = new Set(previous.keys());
  const freeCurrent = new Set(current.keys());
  const pass = (match: (p: TypeNode, c: TypeNode) => boolean): void => {
    for (const i of [...freePrevious]) {
      for (const j of freeCurrent) {
        if (match(previous[i]!, current[j]!)) {
          pairs.push([i, j]);
          freePrevious.delete(i);
          freeCurrent.delete(j);
          break;
        }
      }
    }
  };
  pass((p, c) => shapeOf(p) === shapeOf(c));
  pass((p, c) => {
    const tag = memberTag(p, resolvePrevious, discriminator);
    return tag !== undefined && tag === memberTag(c, resolveCurrent, discriminator);
  });
  pass((p, c) => memberTag(p, resolvePrevious, discriminator) === undefined && memberTag(c, resolveCurrent, discriminator) === undefined && family(resolvePrevious(p)) === family(resolveCurrent(c)));
  pairs.sort((a, b) => a[0] - b[0]);
  return { pairs, removed: [...freePrevious], added: [...freeCurrent] };
}

/** A short name of a type for messages: `string`, `integer`, `"idle"`, `Part`, `array`. */
export function describeType(node: TypeNode): string {
  switch (node.kind) {
    case "number":
      return node.integer ? "integer" : "number";
    case "literal":
      return JSON.stringify(node.value);
    case "enum":
      return node.values.map((value) => JSON.stringify(value)).join(" | ");
    case "ref":
      return node.name;
    case "nullable":
      return `${describeType(node.inner)} | null`;
    default:
      return node.kind;
  }
}

/**
 * A union member for messages, ready to print: its tag value, quoted, when it has one
 * (`"retry"`), else its type as describeType writes it (`string`, `"idle" | "busy"`, `Part`).
 */
export function describeMember(node: TypeNode, resolve: (node: TypeNode) => TypeNode, discriminator?: string): string {
  const tag = memberTag(node, resolve, discriminator);
  return tag !== undefined ? JSON.stringify(tag.slice(tag.indexOf("=") + 1)) : describeType(node);
}
