/**
 * Pairing helpers: match previous and current elements by name (fields, events, versions) or by
 * tag and shape (union members), so that each rule compares one pair. Also the small vocabulary
 * rules share: paths, labels for messages, type descriptions.
 */
import { canonicalJson } from "../ir/canonical.js";
import type { Algebra } from "./model/algebra.js";
import { familyOf, type Atom, type Json, type ObjectAtom, type Schema } from "./model/schema.js";

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

/** True when both nodes are the same shape and neither reaches a reference (whose target may differ). */
export function sameShape(a: Schema, b: Schema): boolean {
  if (a === b) return a.kind !== "ref";
  const text = shapeOf(a);
  return text === shapeOf(b) && !text.includes('"kind":"ref"');
}

/** A required property whose schema is one string constant, e.g. `type: "text"`: identifies an object member. */
export function memberTag(atom: Atom, algebra: Algebra): string | undefined {
  if (atom.kind !== "object") return undefined;
  for (const property of atom.properties) {
    if (!atom.required.includes(property.name)) continue;
    let atoms: Atom[];
    try {
      atoms = algebra.expand(property.schema);
    } catch {
      continue;
    }
    const only = atoms.length === 1 ? atoms[0]! : undefined;
    if (only?.kind === "const" && only.values.length === 1 && typeof only.values[0] === "string") return `${property.name}=${only.values[0]}`;
  }
  return undefined;
}

/** Union members matched by index into each side's member list. */
export interface MemberPairs {
  pairs: Array<[number, number]>;
  removed: number[];
  added: number[];
}

/**
 * Pairs alternatives of one JSON type: identical shapes first, then objects with the same tag (a
 * discriminator constant), then untagged members in order. Unpaired members were removed/added.
 */
export function pairMembers(previous: Atom[], current: Atom[], algebra: Algebra): MemberPairs {
  const pairs: Array<[number, number]> = [];
  const freePrevious = new Set(previous.keys());
  const freeCurrent = new Set(current.keys());
  const pass = (match: (p: Atom, c: Atom) => boolean): void => {
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
    const tag = memberTag(p, algebra);
    return tag !== undefined && tag === memberTag(c, algebra);
  });
  pass((p, c) => memberTag(p, algebra) === undefined && memberTag(c, algebra) === undefined && p.kind === c.kind);
  pairs.sort((a, b) => a[0] - b[0]);
  return { pairs, removed: [...freePrevious], added: [...freeCurrent] };
}

function value(json: Json): string {
  return JSON.stringify(json);
}

/** Whether an object atom reads as a map: no named properties, values typed by its additional rule. */
export function isRecord(atom: ObjectAtom): boolean {
  return atom.properties.length === 0 && atom.additional.length === 1 && !["open", "never", "any"].includes(atom.additional[0]!.schema.kind);
}

/** A short name of one atom for messages: `string`, `integer`, `"idle"`, `tuple of 2`, `object`. */
export function describeAtom(atom: Atom): string {
  switch (atom.kind) {
    case "const":
      if (atom.values.length === 2 && atom.values.includes(true) && atom.values.includes(false)) return "boolean";
      if (atom.values.length === 1 && atom.values[0] === null) return "null";
      return atom.values.map(value).join(" | ");
    case "number":
      return atom.integer ? "integer" : "number";
    case "string":
      return "string";
    case "array":
      return atom.prefix.length > 0 ? `tuple of ${atom.prefix.length}${atom.items.kind === "never" ? "" : " or more"}` : "array";
    case "object":
      return isRecord(atom) ? "record" : "object";
  }
}

/** Atoms of one JSON type with their constants merged into one atom (an enum spelled as a union reads as one). */
export function mergeConstants(atoms: Atom[]): Atom[] {
  const constants = atoms.filter((atom) => atom.kind === "const" && atom.also === undefined);
  if (constants.length < 2) return atoms;
  const values = constants.flatMap((atom) => (atom.kind === "const" ? atom.values : []));
  const merged: Atom = { kind: "const", values: values.filter((item, index) => values.findIndex((other) => canonicalJson(other) === canonicalJson(item)) === index) };
  return [merged, ...atoms.filter((atom) => !constants.includes(atom))];
}

/** A schema as messages quote it: `"string"`, `"idle"` for a constant, `enum "idle" | "busy"`, `"string | null"`. */
export function typeName(schema: Schema, algebra: Algebra): string {
  if (schema.kind === "ref") return `"${schema.name}"`;
  if (schema.kind === "any" || schema.kind === "open") return `"unknown"`;
  let atoms: Atom[];
  try {
    atoms = mergeConstants(algebra.expand(schema));
  } catch {
    return `"${schema.kind}"`;
  }
  if (atoms.length === 0) return `"never"`;
  if (atoms.length === 1) {
    const atom = atoms[0]!;
    if (atom.kind === "const" && familyOf(atom) !== "null" && !(atom.values.length === 2 && familyOf(atom) === "boolean")) {
      return atom.values.length === 1 ? value(atom.values[0]!) : `enum ${describeAtom(atom)}`;
    }
    return `"${describeAtom(atom)}"`;
  }
  const nulls = atoms.filter((atom) => familyOf(atom) === "null");
  return `"${[...atoms.filter((atom) => !nulls.includes(atom)), ...nulls].map(describeAtom).join(" | ")}"`;
}

/** A union member for messages: its tag value, quoted, when it has one (`"retry"`), else its type. */
export function describeMember(atom: Atom, algebra: Algebra): string {
  const tag = memberTag(atom, algebra);
  if (tag !== undefined) return JSON.stringify(tag.slice(tag.indexOf("=") + 1));
  return atom.kind === "const" ? describeAtom(atom) : describeAtom(atom);
}
