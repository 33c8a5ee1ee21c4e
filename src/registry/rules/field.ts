/**
 * Field rules: fields deleted, added, made required or optional; what an object does with unknown
 * fields; map keys. Which directions a change breaks depends on the reader policy and on whether
 * the object accepts unknown fields, so each handler works it out from two views of an object:
 *
 * - what a producer may send besides the declared fields: nothing (closed, or open under the
 *   tolerant policy, where producers send only what they declare), anything (open under the strict
 *   policy), or values of a catch-all type;
 * - what a reader accepts besides the declared fields: anything (open), nothing (closed), or
 *   values of the catch-all type.
 */
import type { Field, ObjectNode, TypeNode } from "../../ir/types.js";
import { fieldPath, pairFields, shapeOf, subjectLabel } from "../pairs.js";
import { directions, sameKindRule, type NodeContext } from "../rule.js";
import type { Policy } from "../types.js";

type Extras = "none" | "any" | TypeNode;

/** Values a producer may send under undeclared keys. */
export function producerExtras(object: ObjectNode, policy: Policy): Extras {
  if (object.additional === "reject") return "none";
  if (object.additional === "ignore") return policy === "strict" ? "any" : "none";
  return object.additional.kind === "unknown" ? "any" : object.additional;
}

/** Values a reader accepts under undeclared keys. */
export function readerExtras(object: ObjectNode): Extras {
  if (object.additional === "reject") return "none";
  if (object.additional === "ignore") return "any";
  return object.additional.kind === "unknown" ? "any" : object.additional;
}

/** Whether a reader slot accepts every value a producer slot may hold (conservative: equal shapes). */
export function accepts(reader: Extras, produced: Extras): boolean {
  if (produced === "none" || reader === "any") return true;
  if (reader === "none" || produced === "any") return false;
  return shapeOf(reader) === shapeOf(produced) && !shapeOf(reader).includes('"kind":"ref"');
}

function slot(type: TypeNode): Extras {
  return type.kind === "unknown" ? "any" : type;
}

function fieldLabel(context: NodeContext, field: Field): string {
  return subjectLabel([...context.path, { field: field.name }], context.subject);
}

export const FIELD_DELETED = sameKindRule(["object"], {
  id: "FIELD_DELETED",
  family: "field",
  purpose: "A field was deleted: old documents carry it, old readers may require it.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    for (const field of pairFields(previous, current).deleted) {
      const backward = !accepts(readerExtras(current), slot(field.type));
      const forward = !field.optional || !accepts(slot(field.type), producerExtras(current, context.policy));
      const message = `${fieldLabel(context, field)} was deleted.`;
      context.report({ rule: "FIELD_DELETED", message, breaks: directions(backward, forward) }, [...context.path, { field: field.name }]);
    }
  },
});

export const REQUIRED_FIELD_ADDED = sameKindRule(["object"], {
  id: "REQUIRED_FIELD_ADDED",
  family: "field",
  purpose: "A required field was added: old documents do not have it.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    for (const field of pairFields(previous, current).added.filter((added) => !added.optional)) {
      const forward = !accepts(readerExtras(previous), slot(field.type));
      const message = `${fieldLabel(context, field)} was added as a required field.`;
      context.report({ rule: "REQUIRED_FIELD_ADDED", message, breaks: directions(true, forward) }, [...context.path, { field: field.name }]);
    }
  },
});

export const FIELD_ADDED = sameKindRule(["object"], {
  id: "FIELD_ADDED",
  family: "field",
  purpose: "An optional field was added (compatible under the tolerant policy; strict or closed objects may break).",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    for (const field of pairFields(previous, current).added.filter((added) => added.optional)) {
      const backward = !accepts(slot(field.type), producerExtras(previous, context.policy));
      const forward = !accepts(readerExtras(previous), slot(field.type));
      const message = `${fieldLabel(context, field)} was added as an optional field.`;
      context.report({ rule: "FIELD_ADDED", message, breaks: directions(backward, forward) }, [...context.path, { field: field.name }]);
    }
  },
});

export const FIELD_MADE_REQUIRED = sameKindRule(["object"], {
  id: "FIELD_MADE_REQUIRED",
  family: "field",
  purpose: "An optional field became required: old documents may omit it.",
  breaks: ["backward"],
  handler(previous, current, context) {
    for (const [before, after] of pairFields(previous, current).shared) {
      if (!before.optional || after.optional) continue;
      const message = `${fieldLabel(context, after)} was made required.`;
      context.report({ rule: "FIELD_MADE_REQUIRED", message, breaks: ["backward"] }, [...context.path, { field: after.name }]);
    }
  },
});

export const FIELD_MADE_OPTIONAL = sameKindRule(["object"], {
  id: "FIELD_MADE_OPTIONAL",
  family: "field",
  purpose: "A required field became optional: old readers expect it to be present.",
  breaks: ["forward"],
  handler(previous, current, context) {
    for (const [before, after] of pairFields(previous, current).shared) {
      if (before.optional || !after.optional) continue;
      const message = `${fieldLabel(context, after)} was made optional.`;
      context.report({ rule: "FIELD_MADE_OPTIONAL", message, breaks: ["forward"] }, [...context.path, { field: after.name }]);
    }
  },
});

function extrasName(object: ObjectNode): string {
  if (object.additional === "reject") return "rejected";
  if (object.additional === "ignore") return "ignored";
  return `typed as "${object.additional.kind}"`;
}

export const UNKNOWN_FIELDS_CHANGED = sameKindRule(["object"], {
  id: "UNKNOWN_FIELDS_CHANGED",
  family: "field",
  purpose: "What an object does with unknown fields changed (open, closed with strictObject, or a catch-all type).",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (shapeOf({ a: previous.additional }) === shapeOf({ a: current.additional }) && typeof previous.additional === "string") return;
    const backward = !accepts(readerExtras(current), producerExtras(previous, context.policy));
    const forward = !accepts(readerExtras(previous), producerExtras(current, context.policy));
    if (!backward && !forward && extrasName(previous) === extrasName(current)) return;
    const where = context.path.length === 0 ? `the payload of "${context.subject}"` : `"${fieldPath(context.path)}" on "${context.subject}"`;
    const message = `Unknown fields in ${where} changed from ${extrasName(previous)} to ${extrasName(current)}.`;
    context.report({ rule: "UNKNOWN_FIELDS_CHANGED", message, breaks: directions(backward, forward) });
  },
});

export const RECORD_KEYS_CHANGED = sameKindRule(["record"], {
  id: "RECORD_KEYS_CHANGED",
  family: "field",
  purpose: "The key set of a map (record) changed: keys of an enum-keyed map are all required.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (shapeOf(previous.keys) === shapeOf(current.keys)) return;
    const plain = (keys: TypeNode): boolean =>
      keys.kind === "string" && keys.format === undefined && keys.pattern === undefined && keys.minLength === undefined && keys.maxLength === undefined;
    if (plain(previous.keys) && plain(current.keys)) return;
    const describe = (keys: TypeNode): string => (keys.kind === "enum" ? keys.values.map((value) => JSON.stringify(value)).join(" | ") : "string");
    const message = `${subjectLabel(context.path, context.subject)} changed its keys from ${describe(previous.keys)} to ${describe(current.keys)}.`;
    context.report({ rule: "RECORD_KEYS_CHANGED", message, breaks: directions(!plain(current.keys), !plain(previous.keys)) });
  },
});

export const fieldRules = [FIELD_DELETED, REQUIRED_FIELD_ADDED, FIELD_ADDED, FIELD_MADE_REQUIRED, FIELD_MADE_OPTIONAL, UNKNOWN_FIELDS_CHANGED, RECORD_KEYS_CHANGED];
