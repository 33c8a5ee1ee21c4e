/**
 * Array rules: what an array requires of its items as a whole — `uniqueItems` and `contains` with
 * its counts. (Item schemas, tuple positions and lengths are compared by the walker's descent and
 * the bounds and type rules.)
 */
import { arrayAtom, type ArrayAtom } from "../model/schema.js";
import { shapeOf, subjectLabel } from "../pairs.js";
import { breaksOf, directions, sameKindRule } from "../rule.js";

export const UNIQUE_ITEMS_CHANGED = sameKindRule(["array"], {
  id: "UNIQUE_ITEMS_CHANGED",
  family: "array",
  purpose: "Items were required to be unique, or no longer are.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (previous.unique === current.unique) return;
    const label = subjectLabel(context.path, context.subject);
    const alone = (atom: ArrayAtom): ArrayAtom => ({ ...arrayAtom(), unique: true, ...(atom.maxItems !== undefined ? { maxItems: atom.maxItems } : {}) });
    if (current.unique) {
      context.report({ rule: this.id, message: `${label} now requires unique items.`, breaks: directions(!context.includes(previous, alone(current)), false) });
    } else {
      context.report({ rule: this.id, message: `${label} no longer requires unique items.`, breaks: directions(false, !context.includes(current, alone(previous))) });
    }
  },
});

export const CONTAINS_CHANGED = sameKindRule(["array"], {
  id: "CONTAINS_CHANGED",
  family: "array",
  purpose: "What an array must contain (contains, minContains, maxContains) changed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (shapeOf({ c: previous.contains }) === shapeOf({ c: current.contains })) return;
    const alone = (atom: ArrayAtom): ArrayAtom => ({ ...arrayAtom(), contains: atom.contains });
    const count = (atom: ArrayAtom): string =>
      atom.contains.length === 0 ? "nothing" : atom.contains.map((each) => `${each.max === undefined ? `at least ${each.min}` : `${each.min} to ${each.max}`} matching item${each.max === 1 ? "" : "s"}`).join(" and ");
    const message = `${subjectLabel(context.path, context.subject)} changed what it must contain from ${count(previous)} to ${count(current)}.`;
    context.report({ rule: this.id, message, breaks: breaksOf(alone(previous), alone(current), context) });
  },
});

export const arrayRules = [UNIQUE_ITEMS_CHANGED, CONTAINS_CHANGED];
