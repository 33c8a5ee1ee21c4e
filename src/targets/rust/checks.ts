/**
 * What the crate's validation checks for each IR node, beyond what serde's types enforce.
 *
 * serde enforces JSON types, required fields, enum values, discriminators and integer-ness; the
 * schema also states bounds, lengths, patterns, item counts, literal values Rust widens to `bool` or
 * `f64`, and the keys an enum-keyed record must have. Those become `Check`s (model.ts), printed
 * into `src/validate.rs`'s shape table by validate-module.ts. The rules are the ones the TypeScript validators
 * and the JSON Schemas apply, so all three accept and reject the same documents.
 */
import { EventcError } from "../../errors.js";
import type { ArrayNode, NamedType, NumberNode, RecordNode, StringNode, TypeNode } from "../../ir/types.js";
import type { Place } from "./lower.js";
import { rustTextProblem, visibleText } from "./escape.js";
import type { Check, NumberRule, RustType, StringRule } from "./model.js";
import { translatePattern } from "./pattern.js";

/** What a `uri` format without a pattern is held to on every side: a scheme, a colon, no white space. */
export const ABSOLUTE_URI = "^[A-Za-z][A-Za-z\\d+.-]*:\\S*$";

export function withCheck(type: RustType, check: Check | undefined): RustType {
  return check === undefined ? type : { ...type, check };
}

export function listCheck(node: ArrayNode, items: Check | undefined): Check | undefined {
  if (node.minItems === undefined && node.maxItems === undefined && items === undefined) return undefined;
  const check: Check = { kind: "list" };
  if (node.minItems !== undefined || node.maxItems !== undefined) {
    check.count = { kind: "items" };
    if (node.minItems !== undefined) check.count.minItems = node.minItems;
    if (node.maxItems !== undefined) check.count.maxItems = node.maxItems;
  }
  if (items !== undefined) check.items = items;
  return check;
}

export function mapCheck(node: RecordNode, keys: Check | undefined, values: Check | undefined): Check | undefined {
  const requiredKeys = node.keys.kind === "enum" && !node.partial ? node.keys.values.length : undefined;
  if (keys === undefined && values === undefined && requiredKeys === undefined) return undefined;
  const check: Check = { kind: "map" };
  if (keys !== undefined) check.keys = keys;
  if (values !== undefined) check.values = values;
  if (requiredKeys !== undefined) check.requiredKeys = requiredKeys;
  return check;
}

function stringCheck(node: StringNode, place: Place): Check | undefined {
  const rule: StringRule = { kind: "string" };
  if (node.minLength !== undefined) rule.minLength = node.minLength;
  if (node.maxLength !== undefined) rule.maxLength = node.maxLength;
  const source = node.pattern ?? (node.format === "uri" ? ABSOLUTE_URI : undefined);
  if (source !== undefined) {
    requireRustText(source, "pattern", place);
    const translated = translatePattern(source);
    if (!translated.ok) {
      throw new EventcError(
        `the pattern ${JSON.stringify(source)} cannot be checked in Rust: ${translated.reason}; use a pattern without it`,
        { ...place.context, path: place.context.path ?? "" },
      );
    }
    rule.pattern = { source: translated.source, label: node.format ?? source };
  }
  return Object.keys(rule).length > 1 ? { kind: "rule", rule } : undefined;
}

/** The largest integer every side of the contract reads exactly: 2^53 − 1. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * Bounds of a number. An integer also lies within ±(2^53 − 1): that range joins its bounds where
 * they do not already imply it, so a value beyond it gets the same message as any bound.
 */
function numberCheck(node: NumberNode): Check | undefined {
  const rule: NumberRule = { kind: "number" };
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const) {
    if (node[key] !== undefined) rule[key] = node[key];
  }
  if (node.integer) {
    if (Math.max(rule.minimum ?? -Infinity, rule.exclusiveMinimum ?? -Infinity) < -MAX_SAFE_INTEGER) rule.minimum = -MAX_SAFE_INTEGER;
    if (Math.min(rule.maximum ?? Infinity, rule.exclusiveMaximum ?? Infinity) > MAX_SAFE_INTEGER) rule.maximum = MAX_SAFE_INTEGER;
  }
  return Object.keys(rule).length > 1 ? { kind: "rule", rule, integer: node.integer } : undefined;
}

/**
 * Refuses wire text (a field name, enum value, literal, pattern, …) that has no Rust string form,
 * naming where it sits; the text and its path are shown with invisible characters escaped.
 */
export function requireRustText(text: string, what: string, place: Place): void {
  const problem = rustTextProblem(text);
  if (problem === undefined) return;
  const context = { ...place.context, path: visibleText(place.context.path ?? "") };
  throw new EventcError(`the ${what} "${visibleText(text)}" in ${place.owner} cannot be written in Rust: ${problem}`, context);
}

/** A Rust `f64` literal for a JSON number. */
export function rustFloat(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text.replace("e+", "e") : `${text}.0`;
}

/** The non-null part of a nullable node that Rust carries as `Option<…>` (any JSON holds null itself). */
export function nonNull(node: TypeNode): TypeNode | undefined {
  return node.kind === "nullable" && node.inner.kind !== "unknown" ? node.inner : undefined;
}

/** Nodes the lowering declares as an item of their own (struct or enum) rather than an alias. */
function isItem(node: TypeNode): boolean {
  switch (node.kind) {
    case "object":
    case "enum":
    case "union":
      return true;
    case "literal":
      return typeof node.value === "string" || Number.isSafeInteger(node.value);
    default:
      return false;
  }
}

/** Items, named `name`, whose shape can find something wrong (enums of literals cannot). */
function itemCheck(node: TypeNode, name: string): Check | undefined {
  if (node.kind === "object") return { kind: "nested", name };
  if (node.kind !== "union") return undefined;
  const literals = node.members.every((member) => member.kind === "literal" && (typeof member.value === "string" || Number.isSafeInteger(member.value)));
  return literals ? undefined : { kind: "nested", name };
}

/** The check of a leaf or named node; compound nodes get theirs in `Lowering.expr`. */
export function nodeCheck(node: TypeNode, type: RustType, place: Place, named: ReadonlyMap<string, NamedType>): Check | undefined {
  if (type.check !== undefined) return type.check;
  switch (node.kind) {
    case "string":
      return stringCheck(node, place);
    case "number":
      return numberCheck(node);
    case "literal":
      if (typeof node.value === "boolean") return { kind: "equals", rust: String(node.value), json: String(node.value) };
      if (typeof node.value === "number" && !Number.isSafeInteger(node.value)) return { kind: "equals", rust: rustFloat(node.value), json: String(node.value) };
      return undefined;
    case "object":
    case "union":
      return itemCheck(node, type.rust);
    case "ref": {
      const target = named.get(node.name);
      if (target === undefined) return undefined;
      // A nullable named type is declared as its non-null part (the reference adds the `Option`).
      const declared = nonNull(target.type) ?? target.type;
      if (isItem(declared)) return itemCheck(declared, type.rust);
      return { kind: "alias", name: type.rust.replace(/^Box<(.*)>$/, "$1") };
    }
    default:
      return undefined;
  }
}
