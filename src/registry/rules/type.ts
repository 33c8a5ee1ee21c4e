/**
 * Type rules: the JSON types or kind of a value changed, narrowed or widened; constants;
 * nullability; named type references. Whether a change narrows or widens is decided by inclusion:
 * narrowed = some previous values are no longer accepted (breaks backward), widened = some
 * current values were not accepted before (breaks forward), changed = both.
 */
import { typeName, subjectLabel, fieldPath } from "../pairs.js";
import { breaksOf, directions, sameKindRule, type NodeContext, type NodeRule } from "../rule.js";
import type { Schema } from "../model/schema.js";
import type { Direction, RuleInfo } from "../types.js";

function isRecordValue(context: NodeContext): boolean {
  return context.path.at(-1) === "value";
}

/** The JSON types differ by null alone (NULLABLE_ADDED / NULLABLE_REMOVED say so). */
function onlyNullDiffers(previous: Schema, current: Schema, context: NodeContext): boolean {
  const before = context.families(previous);
  const after = context.families(current);
  if (before.has("null") === after.has("null")) return false;
  before.delete("null");
  after.delete("null");
  return before.size === after.size && [...before].every((family) => after.has(family)) && before.size > 0;
}

/** Directions of a kind change at this pair: by inclusion, or by the integer flag for two numbers. */
function kindBreaks(previous: Schema, current: Schema, context: NodeContext): Direction[] {
  if (previous.kind === "number" && current.kind === "number") return directions(!previous.integer && current.integer, previous.integer && !current.integer);
  return breaksOf(previous, current, context);
}

function applies(previous: Schema, current: Schema, context: NodeContext): boolean {
  if (previous.kind === "number" && current.kind === "number") return previous.integer !== current.integer;
  if (previous.kind === "number" || previous.kind === "string" || previous.kind === "array" || previous.kind === "object") {
    if (current.kind === previous.kind) return false;
  }
  return !onlyNullDiffers(previous, current, context);
}

function typeRule(id: string, purpose: string, verb: string, breaks: Direction[]): NodeRule {
  return {
    id,
    family: "type",
    purpose,
    breaks,
    on: ["types", "cross", "same:number"],
    handler(previous, current, context) {
      if (isRecordValue(context) || !applies(previous, current, context)) return;
      const found = kindBreaks(previous, current, context);
      if (found.join() !== breaks.join()) return;
      const types = `from ${typeName(previous, context.algebra)} to ${typeName(current, context.algebra)}`;
      // Number and integer: say what was written (`z.number()` ↔ `z.int()`), then the type change.
      const integer = previous.kind === "number" && current.kind === "number" && previous.integer !== current.integer;
      const change = integer ? `is ${current.integer ? "now" : "no longer"} an integer: its type ${verb} ${types}` : `${verb} type ${types}`;
      const message = `${subjectLabel(context.path, context.subject)} ${change}.`;
      context.report({ rule: id, message, breaks: found });
    },
  };
}

export const FIELD_TYPE_CHANGED = typeRule(
  "FIELD_TYPE_CHANGED",
  "A field's type changed to one that neither contains nor is contained in the previous type.",
  "changed",
  ["backward", "forward"],
);
export const FIELD_TYPE_NARROWED = typeRule(
  "FIELD_TYPE_NARROWED",
  "A field's type narrowed: some previously valid values are rejected (e.g. number to integer, string to enum).",
  "narrowed",
  ["backward"],
);
export const FIELD_TYPE_WIDENED = typeRule(
  "FIELD_TYPE_WIDENED",
  "A field's type widened: some new values were invalid before (e.g. integer to number, enum to string).",
  "widened",
  ["forward"],
);

export const RECORD_VALUE_TYPE_CHANGED: NodeRule = {
  id: "RECORD_VALUE_TYPE_CHANGED",
  family: "type",
  purpose: "The value type of a map (record) changed kind.",
  breaks: ["backward", "forward"],
  on: ["types", "cross", "same:number"],
  handler(previous, current, context) {
    if (!isRecordValue(context) || !applies(previous, current, context)) return;
    const found = kindBreaks(previous, current, context);
    if (found.length === 0) return;
    const map = fieldPath(context.path.slice(0, -1));
    const owner = map === "" ? `the payload of "${context.subject}"` : `map "${map}" on "${context.subject}"`;
    const message = `Values of ${owner} changed type from ${typeName(previous, context.algebra)} to ${typeName(current, context.algebra)}.`;
    context.report({ rule: this.id, message: message.charAt(0).toUpperCase() + message.slice(1), breaks: found });
  },
};

export const CONST_CHANGED = sameKindRule(["const"], {
  id: "CONST_CHANGED",
  family: "type",
  purpose: "A constant (literal) value changed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (previous.values.length !== 1 || current.values.length !== 1) return;
    const message = `${subjectLabel(context.path, context.subject)} changed its constant from ${JSON.stringify(previous.values[0])} to ${JSON.stringify(current.values[0])}.`;
    context.report({ rule: "CONST_CHANGED", message, breaks: breaksOf(previous, current, context) });
  },
});

export const NULLABLE_REMOVED: NodeRule = {
  id: "NULLABLE_REMOVED",
  family: "type",
  purpose: "A nullable field no longer accepts null.",
  breaks: ["backward"],
  on: ["types"],
  handler(previous, current, context) {
    if (!onlyNullDiffers(previous, current, context) || !context.families(previous).has("null")) return;
    context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} stopped accepting null.`, breaks: ["backward"] });
  },
};

export const NULLABLE_ADDED: NodeRule = {
  id: "NULLABLE_ADDED",
  family: "type",
  purpose: "A field became nullable: old readers do not expect null.",
  breaks: ["forward"],
  on: ["types"],
  handler(previous, current, context) {
    if (!onlyNullDiffers(previous, current, context) || !context.families(current).has("null")) return;
    context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} was made nullable.`, breaks: ["forward"] });
  },
};

/**
 * A reference to a named type (`$ref` into `$defs`) now points at another name whose structure
 * differs. The walker applies it: a renamed but structurally identical type is no change at all,
 * and the structural differences are reported by the other rules as well.
 */
export const REF_TARGET_CHANGED: RuleInfo & { message(previous: string, current: string, context: NodeContext): string } = {
  id: "REF_TARGET_CHANGED",
  family: "type",
  purpose: "A $ref now targets a different named type whose structure differs (renames alone are not changes).",
  breaks: ["backward", "forward"],
  message: (previous, current, context) =>
    `${subjectLabel(context.path, context.subject)} changed its type reference from "${previous}" to "${current}", which differs in structure.`,
};

/**
 * The backstop of the verdict: the schemas, compared as sets of documents, differ in a direction
 * no other rule reported at a field (for instance a `not` or an `if` that now rejects what it let
 * through). The walker applies it.
 */
export const VALUES_CHANGED: RuleInfo & { message(breaks: Direction[], label: string): string } = {
  id: "VALUES_CHANGED",
  family: "type",
  purpose: "Some documents cross the line in a way no other rule names (the schemas compared as sets of documents).",
  breaks: ["backward", "forward"],
  message: (breaks, label) => {
    const parts = breaks.map((direction) => (direction === "backward" ? "some values it accepted are rejected now" : "it accepts some values it rejected before"));
    return `${label} changed the values it accepts: ${parts.join(", and ")}.`;
  },
};

export const typeRules: NodeRule[] = [
  FIELD_TYPE_CHANGED,
  FIELD_TYPE_NARROWED,
  FIELD_TYPE_WIDENED,
  RECORD_VALUE_TYPE_CHANGED,
  CONST_CHANGED,
  NULLABLE_REMOVED,
  NULLABLE_ADDED,
];
