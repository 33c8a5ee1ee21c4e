/**
 * Choice rules: enum values and union members. Removing a choice breaks backward (old documents
 * may use it) unless the remaining ones still cover it; adding one breaks forward (old readers do
 * not know it) unless the old ones already did. Union members are paired by tag, then by shape
 * (see pairMembers); a member that pairs with nothing was removed or added.
 */
import { mergeConstants, describeMember, pairMembers, subjectLabel } from "../pairs.js";
import { directions, sameKindRule, type NodeContext, type NodeRule } from "../rule.js";
import { union, type Atom, type Schema } from "../model/schema.js";

export const ENUM_VALUE_REMOVED = sameKindRule(["const"], {
  id: "ENUM_VALUE_REMOVED",
  family: "union",
  purpose: "An enum value was removed: old documents may carry it.",
  breaks: ["backward"],
  handler(previous, current, context) {
    if (previous.values.length === 1 && current.values.length === 1) return;
    for (const value of previous.values) {
      if (context.algebra.acceptsAtom(current, value) === true) continue;
      const message = `${subjectLabel(context.path, context.subject)} lost enum value ${JSON.stringify(value)}.`;
      context.report({ rule: "ENUM_VALUE_REMOVED", message, breaks: ["backward"] });
    }
  },
});

export const ENUM_VALUE_ADDED = sameKindRule(["const"], {
  id: "ENUM_VALUE_ADDED",
  family: "union",
  purpose: "An enum value was added: old readers reject it.",
  breaks: ["forward"],
  handler(previous, current, context) {
    if (previous.values.length === 1 && current.values.length === 1) return;
    for (const value of current.values) {
      if (context.algebra.acceptsAtom(previous, value) === true) continue;
      const message = `${subjectLabel(context.path, context.subject)} gained enum value ${JSON.stringify(value)}.`;
      context.report({ rule: "ENUM_VALUE_ADDED", message, breaks: ["forward"] });
    }
  },
});

function members(schema: Schema, context: NodeContext): Atom[] {
  return mergeConstants(context.algebra.expand(schema));
}

export const UNION_MEMBER_REMOVED: NodeRule = {
  id: "UNION_MEMBER_REMOVED",
  family: "union",
  purpose: "A union member was removed: old documents may be of that shape.",
  breaks: ["backward"],
  on: ["members"],
  handler(previous, current, context) {
    const before = members(previous, context);
    const after = members(current, context);
    for (const index of pairMembers(before, after, context.algebra).removed) {
      const member = describeMember(before[index]!, context.algebra);
      const breaks = directions(!context.includes(before[index]!, union(after)), false);
      context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} lost union member ${member}.`, breaks });
    }
  },
};

export const UNION_MEMBER_ADDED: NodeRule = {
  id: "UNION_MEMBER_ADDED",
  family: "union",
  purpose: "A union member was added: old readers do not know that shape.",
  breaks: ["forward"],
  on: ["members"],
  handler(previous, current, context) {
    const before = members(previous, context);
    const after = members(current, context);
    for (const index of pairMembers(before, after, context.algebra).added) {
      const member = describeMember(after[index]!, context.algebra);
      const breaks = directions(false, !context.includes(after[index]!, union(before)));
      context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} gained union member ${member}.`, breaks });
    }
  },
};

export const unionRules: NodeRule[] = [ENUM_VALUE_REMOVED, ENUM_VALUE_ADDED, UNION_MEMBER_REMOVED, UNION_MEMBER_ADDED];
