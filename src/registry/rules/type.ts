/**
 * Type rules: a field whose type changed kind, narrowed or widened; constants; nullability; named
 * type references. Whether a change narrows or widens is decided by value inclusion: narrowed =
 * some previous values are no longer accepted (breaks backward), widened = some current values
 * were not accepted before (breaks forward), changed = both.
 */
import type { TypeNode } from "../../ir/types.js";
import { describeType, fieldPath, subjectLabel } from "../pairs.js";
import { directions, sameKindRule, type NodeContext, type NodeRule } from "../rule.js";
import type { Direction, RuleInfo } from "../types.js";

/** Whether every value of `sub` is a value of `sup`, judged on kind, literal values and the integer flag. */
export function kindIncluded(sub: TypeNode, sup: TypeNode): boolean {
  if (sup.kind === "unknown") return true;
  if (sub.kind === "unknown") return false;
  switch (sup.kind) {
    case "string":
      if (sub.kind === "string") return true;
      if (sub.kind === "enum") return sub.values.every((value) => stringAccepted(value, sup));
      return sub.kind === "literal" && typeof sub.value === "string" && stringAccepted(sub.value, sup);
    case "enum":
      if (sub.kind === "enum") return sub.values.every((value) => sup.values.includes(value));
      return sub.kind === "literal" && typeof sub.value === "string" && sup.values.includes(sub.value);
    case "literal":
      if (sub.kind === "literal") return sub.value === sup.value;
      return sub.kind === "enum" && sub.values.every((value) => value === sup.value);
    case "number":
      if (sub.kind === "number") return sub.integer || !sup.integer;
      return sub.kind === "literal" && typeof sub.value === "number" && numberAccepted(sub.value, sup);
    case "boolean":
      return sub.kind === "boolean" || (sub.kind === "literal" && typeof sub.value === "boolean");
    case "null":
      return sub.kind === "null";
    case "nullable":
      return sub.kind === "null";
    case "tuple":
      return sub.kind === "tuple" && sub.items.length === sup.items.length && (sub.rest === undefined || sup.rest !== undefined);
    default:
      return sub.kind === sup.kind;
  }
}

function stringAccepted(value: string, schema: Extract<TypeNode, { kind: "string" }>): boolean {
  const length = [...value].length;
  if (schema.format !== undefined) return false;
  if (schema.minLength !== undefined && length < schema.minLength) return false;
  if (schema.maxLength !== undefined && length > schema.maxLength) return false;
  if (schema.pattern !== undefined) {
    try {
      return new RegExp(schema.pattern, "u").test(value);
    } catch {
      return false;
    }
  }
  return true;
}

function numberAccepted(value: number, schema: Extract<TypeNode, { kind: "number" }>): boolean {
  if (schema.integer && !Number.isInteger(value)) return false;
  if (schema.minimum !== undefined && value < schema.minimum) return false;
  if (schema.maximum !== undefined && value > schema.maximum) return false;
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return false;
  if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return false;
  if (schema.multipleOf !== undefined && !Number.isInteger(value / schema.multipleOf)) return false;
  return true;
}

/** A type as messages quote it: `"string"`, `"idle"` for a literal, `enum "idle" | "busy"`. */
function typeName(node: TypeNode): string {
  if (node.kind === "tuple") return `"tuple of ${node.items.length}${node.rest ? " or more" : ""}"`;
  if (node.kind === "enum") return `enum ${describeType(node)}`;
  if (node.kind === "literal") return describeType(node);
  return `"${describeType(node)}"`;
}

/** The directions a change of kind breaks. */
export function kindChange(previous: TypeNode, current: TypeNode): Direction[] {
  return directions(!kindIncluded(previous, current), !kindIncluded(current, previous));
}

const TYPE_CLASSES = ["cross", "unknown", "same:number", "same:tuple"] as const;

function isRecordValue(context: NodeContext): boolean {
  return context.path.at(-1) === "value";
}

function typeRule(id: string, purpose: string, verb: string, breaks: Direction[]): NodeRule {
  return {
    id,
    family: "type",
    purpose,
    breaks,
    on: TYPE_CLASSES,
    handler(previous, current, context) {
      if (isRecordValue(context)) return;
      const found = kindChange(previous, current);
      if (found.join() !== breaks.join()) return;
      const message = `${subjectLabel(context.path, context.subject)} ${verb} type from ${typeName(previous)} to ${typeName(current)}.`;
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
  on: TYPE_CLASSES,
  handler(previous, current, context) {
    if (!isRecordValue(context)) return;
    const found = kindChange(previous, current);
    if (found.length === 0) return;
    const map = fieldPath(context.path.slice(0, -1));
    const owner = map === "" ? `the payload of "${context.subject}"` : `map "${map}" on "${context.subject}"`;
    const message = `Values of ${owner} changed type from ${typeName(previous)} to ${typeName(current)}.`;
    context.report({ rule: this.id, message: message.charAt(0).toUpperCase() + message.slice(1), breaks: found });
  },
};

export const CONST_CHANGED = sameKindRule(["literal"], {
  id: "CONST_CHANGED",
  family: "type",
  purpose: "A constant (literal) value changed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (previous.value === current.value) return;
    const message = `${subjectLabel(context.path, context.subject)} changed its constant from ${JSON.stringify(previous.value)} to ${JSON.stringify(current.value)}.`;
    context.report({ rule: "CONST_CHANGED", message, breaks: ["backward", "forward"] });
  },
});

export const NULLABLE_REMOVED: NodeRule = {
  id: "NULLABLE_REMOVED",
  family: "type",
  purpose: "A nullable field no longer accepts null.",
  breaks: ["backward"],
  on: ["nullable-removed"],
  handler(_previous, _current, context) {
    context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} stopped accepting null.`, breaks: ["backward"] });
  },
};

export const NULLABLE_ADDED: NodeRule = {
  id: "NULLABLE_ADDED",
  family: "type",
  purpose: "A field became nullable: old readers do not expect null.",
  breaks: ["forward"],
  on: ["nullable-added"],
  handler(_previous, _current, context) {
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

export const typeRules: NodeRule[] = [
  FIELD_TYPE_CHANGED,
  FIELD_TYPE_NARROWED,
  FIELD_TYPE_WIDENED,
  RECORD_VALUE_TYPE_CHANGED,
  CONST_CHANGED,
  NULLABLE_REMOVED,
  NULLABLE_ADDED,
];
