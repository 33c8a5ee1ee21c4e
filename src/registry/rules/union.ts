/**
 * Choice rules: enum values and union members. Removing a choice breaks backward (old documents
 * may use it); adding one breaks forward (old readers do not know it). Union members are paired by
 * tag, then by shape (see pairMembers); a member that pairs with nothing was removed or added.
 */
import type { TypeNode } from "../../ir/types.js";
import { describeMember, pairMembers, subjectLabel } from "../pairs.js";
import { sameKindRule, type NodeContext, type NodeRule } from "../rule.js";

export const ENUM_VALUE_REMOVED = sameKindRule(["enum"], {
  id: "ENUM_VALUE_REMOVED",
  family: "union",
  purpose: "An enum value was removed: old documents may carry it.",
  breaks: ["backward"],
  handler(previous, current, context) {
    for (const value of previous.values.filter((v) => !current.values.includes(v))) {
      const message = `${subjectLabel(context.path, context.subject)} lost enum value "${value}".`;
      context.report({ rule: "ENUM_VALUE_REMOVED", message, breaks: ["backward"] });
    }
  },
});

export const ENUM_VALUE_ADDED = sameKindRule(["enum"], {
  id: "ENUM_VALUE_ADDED",
  family: "union",
  purpose: "An enum value was added: old readers reject it.",
  breaks: ["forward"],
  handler(previous, current, context) {
    for (const value of current.values.filter((v) => !previous.values.includes(v))) {
      const message = `${subjectLabel(context.path, context.subject)} gained enum value "${value}".`;
      context.report({ rule: "ENUM_VALUE_ADDED", message, breaks: ["forward"] });
    }
  },
});

/** The members of either side of a union pair (a non-union side is a one-member union). */
export function unionSides(previous: TypeNode, current: TypeNode): { previous: TypeNode[]; current: TypeNode[]; discriminator?: string } {
  const members = (node: TypeNode): TypeNode[] => (node.kind === "union" ? node.members : [node]);
  const sides = { previous: members(previous), current: members(current) };
  if (previous.kind === "union" && current.kind === "union" && previous.discriminator !== undefined && previous.discriminator === current.discriminator) {
    return { ...sides, discriminator: previous.discriminator };
  }
  return sides;
}

export function unionPairs(previous: TypeNode, current: TypeNode, context: NodeContext) {
  const sides = unionSides(previous, current);
  return { sides, pairs: pairMembers(sides.previous, sides.current, context.resolvePrevious, context.resolveCurrent, sides.discriminator) };
}

export const UNION_MEMBER_REMOVED: NodeRule = {
  id: "UNION_MEMBER_REMOVED",
  family: "union",
  purpose: "A union member was removed: old documents may be of that shape.",
  breaks: ["backward"],
  on: ["union"],
  handler(previous, current, context) {
    const { sides, pairs } = unionPairs(previous, current, context);
    for (const index of pairs.removed) {
      const member = describeMember(sides.previous[index]!, context.resolvePrevious, sides.discriminator);
      context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} lost union member ${member}.`, breaks: ["backward"] });
    }
  },
};

export const UNION_MEMBER_ADDED: NodeRule = {
  id: "UNION_MEMBER_ADDED",
  family: "union",
  purpose: "A union member was added: old readers do not know that shape.",
  breaks: ["forward"],
  on: ["union"],
  handler(previous, current, context) {
    const { sides, pairs } = unionPairs(previous, current, context);
    for (const index of pairs.added) {
      const member = describeMember(sides.current[index]!, context.resolveCurrent, sides.discriminator);
      context.report({ rule: this.id, message: `${subjectLabel(context.path, context.subject)} gained union member ${member}.`, breaks: ["forward"] });
    }
  },
};

export const unionRules: NodeRule[] = [ENUM_VALUE_REMOVED, ENUM_VALUE_ADDED, UNION_MEMBER_REMOVED, UNION_MEMBER_ADDED];
