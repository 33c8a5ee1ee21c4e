/**
 * Constraint rules: numeric bounds, string lengths, array lengths, multiples, patterns and formats.
 * A tighter constraint rejects some old documents (breaks backward); a looser one lets through
 * documents old readers reject (breaks forward). A changed pattern or format is not compared as a
 * language: any change is reported, added ones break backward, removed ones forward, replaced both.
 */
import type { NumberNode } from "../../ir/types.js";
import { subjectLabel } from "../pairs.js";
import { directions, sameKindRule, type NodeContext, type NodeRule } from "../rule.js";

interface Bound {
  value: number;
  exclusive: boolean;
}

type Side = "lower" | "upper";

/** True when `a` admits fewer values than `b` on that side (undefined = unbounded). */
function tighter(a: Bound | undefined, b: Bound | undefined, side: Side): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  if (a.value !== b.value) return side === "lower" ? a.value > b.value : a.value < b.value;
  return a.exclusive && !b.exclusive;
}

function numberBound(node: NumberNode, side: Side): Bound | undefined {
  const inclusive = side === "lower" ? node.minimum : node.maximum;
  const exclusive = side === "lower" ? node.exclusiveMinimum : node.exclusiveMaximum;
  const candidates: Bound[] = [];
  if (inclusive !== undefined) candidates.push({ value: inclusive, exclusive: false });
  if (exclusive !== undefined) candidates.push({ value: exclusive, exclusive: true });
  return candidates.reduce<Bound | undefined>((best, bound) => (best === undefined || tighter(bound, best, side) ? bound : best), undefined);
}

function plain(value: number | undefined): Bound | undefined {
  return value === undefined ? undefined : { value, exclusive: false };
}

interface BoundChange {
  name: string;
  previous: Bound | undefined;
  current: Bound | undefined;
  side: Side;
}

/** Every bound of a pair of the same kind, named as messages show it. */
function boundChanges(previous: Parameters<NodeRule["handler"]>[0], current: Parameters<NodeRule["handler"]>[1]): BoundChange[] {
  if (previous.kind === "string" && current.kind === "string") {
    return [
      { name: "minimum length", previous: plain(previous.minLength), current: plain(current.minLength), side: "lower" },
      { name: "maximum length", previous: plain(previous.maxLength), current: plain(current.maxLength), side: "upper" },
    ];
  }
  if (previous.kind === "array" && current.kind === "array") {
    return [
      { name: "minimum items", previous: plain(previous.minItems), current: plain(current.minItems), side: "lower" },
      { name: "maximum items", previous: plain(previous.maxItems), current: plain(current.maxItems), side: "upper" },
    ];
  }
  if (previous.kind === "number" && current.kind === "number") {
    return [
      { name: "minimum", previous: numberBound(previous, "lower"), current: numberBound(current, "lower"), side: "lower" },
      { name: "maximum", previous: numberBound(previous, "upper"), current: numberBound(current, "upper"), side: "upper" },
    ];
  }
  return [];
}

function show(bound: Bound | undefined): string {
  if (bound === undefined) return "none";
  return bound.exclusive ? `${bound.value} (exclusive)` : String(bound.value);
}

/** Multiples: a current multiple that divides the previous one is looser; one the previous divides is tighter. */
function multipleChange(previous: NumberNode, current: NumberNode): { backward: boolean; forward: boolean } | undefined {
  const before = previous.multipleOf;
  const after = current.multipleOf;
  if (before === after) return undefined;
  if (before === undefined) return { backward: true, forward: false };
  if (after === undefined) return { backward: false, forward: true };
  const divides = (a: number, b: number): boolean => Number.isInteger(a) && Number.isInteger(b) && b % a === 0;
  return { backward: !divides(after, before), forward: !divides(before, after) };
}

function boundRule(id: "BOUNDS_TIGHTENED" | "BOUNDS_LOOSENED", purpose: string): NodeRule {
  const tightening = id === "BOUNDS_TIGHTENED";
  const direction = tightening ? "backward" : "forward";
  return sameKindRule(["string", "array", "number"], {
    id,
    family: "bounds",
    purpose,
    breaks: [direction],
    handler(previous, current, context: NodeContext) {
      const label = subjectLabel(context.path, context.subject);
      for (const change of boundChanges(previous, current)) {
        const hit = tightening ? tighter(change.current, change.previous, change.side) : tighter(change.previous, change.current, change.side);
        if (!hit) continue;
        const message = `${label} ${tightening ? "tightened" : "loosened"} its ${change.name} from ${show(change.previous)} to ${show(change.current)}.`;
        context.report({ rule: id, message, breaks: [direction] });
      }
      if (previous.kind === "number" && current.kind === "number") {
        const multiple = multipleChange(previous, current);
        if (multiple && (tightening ? multiple.backward : multiple.forward && !multiple.backward)) {
          const message = `${label} ${tightening ? "tightened" : "loosened"} its multiple from ${previous.multipleOf ?? "none"} to ${current.multipleOf ?? "none"}.`;
          context.report({ rule: id, message, breaks: directions(multiple.backward, multiple.forward) });
        }
      }
    },
  });
}

export const BOUNDS_TIGHTENED = boundRule("BOUNDS_TIGHTENED", "A minimum, maximum, length, item count or multiple became stricter: some old documents are rejected.");
export const BOUNDS_LOOSENED = boundRule("BOUNDS_LOOSENED", "A minimum, maximum, length, item count or multiple became looser: old readers reject some new documents.");

function stringConstraintRule(id: "PATTERN_CHANGED" | "FORMAT_CHANGED", key: "pattern" | "format", purpose: string): NodeRule {
  return sameKindRule(["string"], {
    id,
    family: "bounds",
    purpose,
    breaks: ["backward", "forward"],
    handler(previous, current, context) {
      const before = previous[key];
      const after = current[key];
      if (before === after) return;
      const label = subjectLabel(context.path, context.subject);
      const message =
        before === undefined
          ? `${label} gained ${key} "${after}".`
          : after === undefined
            ? `${label} dropped ${key} "${before}".`
            : `${label} changed ${key} from "${before}" to "${after}".`;
      context.report({ rule: id, message, breaks: directions(after !== undefined, before !== undefined) });
    },
  });
}

export const PATTERN_CHANGED = stringConstraintRule("PATTERN_CHANGED", "pattern", "A string pattern was added, removed or replaced.");
export const FORMAT_CHANGED = stringConstraintRule("FORMAT_CHANGED", "format", "A string format (uuid, email, date-time, …) was added, removed or replaced.");

export const boundsRules: NodeRule[] = [BOUNDS_TIGHTENED, BOUNDS_LOOSENED, PATTERN_CHANGED, FORMAT_CHANGED];
