/**
 * Constraint rules: numeric bounds, string lengths, item and property counts, multiples, patterns
 * and formats. A tighter constraint rejects some old documents (breaks backward); a looser one lets
 * through documents old readers reject (breaks forward). Patterns and formats are not compared as
 * languages: any change is reported, added ones break backward, removed ones forward, replaced
 * both (see "Formats and patterns" in docs/registry.md).
 *
 * Messages speak of the bounds a user wrote: the safe-integer range every integer carries
 * (`z.int()` publishes ±(2^53−1) as its minimum and maximum) is shown as "none", and a change that
 * only moves that range because the field became or stopped being an integer is left to the type
 * rules, which name what was written ("is no longer an integer").
 */
import { isMultiple } from "../model/algebra.js";
import type { Atom, Bound, NumberAtom } from "../model/schema.js";
import { Inclusion } from "../model/include.js";
import { sameShape, subjectLabel } from "../pairs.js";
import { directions, sameKindRule, type NodeContext, type NodeRule } from "../rule.js";

type Side = "lower" | "upper";

/** True when `a` admits fewer values than `b` on that side (undefined = unbounded). */
function tighter(a: Bound | undefined, b: Bound | undefined, side: Side): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  if (a.value !== b.value) return side === "lower" ? a.value > b.value : a.value < b.value;
  return a.exclusive && !b.exclusive;
}

function plain(value: number | undefined): Bound | undefined {
  return value === undefined ? undefined : { value, exclusive: false };
}

interface BoundChange {
  name: string;
  previous: Bound | undefined;
  current: Bound | undefined;
  side: Side;
  /** Whether each side's bound is only the safe-integer range of an integer, not one a user wrote. */
  implicit?: { previous: boolean; current: boolean };
}

/** The range every integer is published with (`z.int()`): minimum −(2^53−1), maximum 2^53−1. */
function isIntegerRange(atom: NumberAtom, bound: Bound | undefined, side: Side): boolean {
  return atom.integer && bound !== undefined && !bound.exclusive && bound.value === (side === "lower" ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER);
}

/** Every bound of a pair of the same kind, named as messages show it. */
function boundChanges(previous: Atom, current: Atom, context: NodeContext): BoundChange[] {
  if (previous.kind === "string" && current.kind === "string") {
    return [
      { name: "minimum length", previous: plain(previous.minLength || undefined), current: plain(current.minLength || undefined), side: "lower" },
      { name: "maximum length", previous: plain(previous.maxLength), current: plain(current.maxLength), side: "upper" },
    ];
  }
  if (previous.kind === "array" && current.kind === "array") {
    // Lengths as the items allow them: a closed tuple of 2 has at most 2 items whatever maxItems says.
    const inclusion = new Inclusion(context.algebra, context.policy, sameShape);
    const before = inclusion.arrayLengths(previous);
    const after = inclusion.arrayLengths(current);
    const finite = (value: number): number | undefined => (Number.isFinite(value) ? value : undefined);
    return [
      { name: "minimum items", previous: plain(before.min || undefined), current: plain(after.min || undefined), side: "lower" },
      { name: "maximum items", previous: plain(finite(before.max)), current: plain(finite(after.max)), side: "upper" },
    ];
  }
  if (previous.kind === "object" && current.kind === "object") {
    return [
      { name: "minimum properties", previous: plain(previous.minProperties || undefined), current: plain(current.minProperties || undefined), side: "lower" },
      { name: "maximum properties", previous: plain(previous.maxProperties), current: plain(current.maxProperties), side: "upper" },
    ];
  }
  if (previous.kind === "number" && current.kind === "number") {
    const change = (name: string, side: Side, key: "minimum" | "maximum"): BoundChange => ({
      name,
      previous: previous[key],
      current: current[key],
      side,
      implicit: { previous: isIntegerRange(previous, previous[key], side), current: isIntegerRange(current, current[key], side) },
    });
    return [change("minimum", "lower", "minimum"), change("maximum", "upper", "maximum")];
  }
  return [];
}

function show(bound: Bound | undefined): string {
  if (bound === undefined) return "none";
  return bound.exclusive ? `${bound.value} (exclusive)` : String(bound.value);
}

/** Multiples: every current multiple must divide a previous one (backward), and the other way (forward). */
function multipleChange(previous: NumberAtom, current: NumberAtom): { backward: boolean; forward: boolean } | undefined {
  const key = (atom: NumberAtom): string => [...atom.multipleOf].sort().join(",");
  if (key(previous) === key(current)) return undefined;
  const covered = (own: number[], required: number[]): boolean => required.every((divisor) => own.some((multiple) => Number.isInteger(multiple) && Number.isInteger(divisor) && isMultiple(multiple, divisor)));
  return { backward: !covered(previous.multipleOf, current.multipleOf), forward: !covered(current.multipleOf, previous.multipleOf) };
}

function boundRule(id: "BOUNDS_TIGHTENED" | "BOUNDS_LOOSENED", purpose: string): NodeRule {
  const tightening = id === "BOUNDS_TIGHTENED";
  const direction = tightening ? "backward" : "forward";
  return sameKindRule(["string", "array", "number", "object"], {
    id,
    family: "bounds",
    purpose,
    breaks: [direction],
    handler(previous, current, context: NodeContext) {
      const label = subjectLabel(context.path, context.subject);
      for (const change of boundChanges(previous, current, context)) {
        const hit = tightening ? tighter(change.current, change.previous, change.side) : tighter(change.previous, change.current, change.side);
        if (!hit) continue;
        let before = show(change.implicit?.previous ? undefined : change.previous);
        let after = show(change.implicit?.current ? undefined : change.current);
        // Shown as written, a tighter bound would read "to none" (or a looser one "from none"): the
        // safe-integer range came or went with the integer type, which FIELD_TYPE_* names.
        if ((tightening ? after : before) === "none") {
          if (previous.kind === "number" && current.kind === "number" && previous.integer !== current.integer) continue;
          [before, after] = [show(change.previous), show(change.current)];
        }
        const message = `${label} ${tightening ? "tightened" : "loosened"} its ${change.name} from ${before} to ${after}.`;
        context.report({ rule: id, message, breaks: [direction] });
      }
      if (previous.kind === "number" && current.kind === "number") {
        const multiple = multipleChange(previous, current);
        if (multiple && (tightening ? multiple.backward : multiple.forward && !multiple.backward)) {
          const shown = (atom: NumberAtom): string => (atom.multipleOf.length === 0 ? "none" : atom.multipleOf.join(" and "));
          const message = `${label} ${tightening ? "tightened" : "loosened"} its multiple from ${shown(previous)} to ${shown(current)}.`;
          context.report({ rule: id, message, breaks: directions(multiple.backward, multiple.forward) });
        }
      }
    },
  });
}

export const BOUNDS_TIGHTENED = boundRule("BOUNDS_TIGHTENED", "A minimum, maximum, length, item or property count, or multiple became stricter: some old documents are rejected.");
export const BOUNDS_LOOSENED = boundRule("BOUNDS_LOOSENED", "A minimum, maximum, length, item or property count, or multiple became looser: old readers reject some new documents.");

function textConstraintRule(id: "PATTERN_CHANGED" | "FORMAT_CHANGED", key: "patterns" | "formats", purpose: string): NodeRule {
  const noun = key === "patterns" ? "pattern" : "format";
  return sameKindRule(["string", "number"], {
    id,
    family: "bounds",
    purpose,
    breaks: ["backward", "forward"],
    handler(previous, current, context) {
      if (key === "patterns" && (previous.kind !== "string" || current.kind !== "string")) return;
      const before: string[] = key === "patterns" ? (previous.kind === "string" ? previous.patterns : []) : previous.formats;
      const after: string[] = key === "patterns" ? (current.kind === "string" ? current.patterns : []) : current.formats;
      const gained = after.filter((each) => !before.includes(each));
      const dropped = before.filter((each) => !after.includes(each));
      if (gained.length === 0 && dropped.length === 0) return;
      const label = subjectLabel(context.path, context.subject);
      if (gained.length === 1 && dropped.length === 1) {
        context.report({ rule: id, message: `${label} changed ${noun} from "${dropped[0]}" to "${gained[0]}".`, breaks: ["backward", "forward"] });
        return;
      }
      for (const each of gained) context.report({ rule: id, message: `${label} gained ${noun} "${each}".`, breaks: ["backward"] });
      for (const each of dropped) context.report({ rule: id, message: `${label} dropped ${noun} "${each}".`, breaks: ["forward"] });
    },
  });
}

export const PATTERN_CHANGED = textConstraintRule("PATTERN_CHANGED", "patterns", "A string pattern was added, removed or replaced.");
export const FORMAT_CHANGED = textConstraintRule("FORMAT_CHANGED", "formats", "A format (uuid, email, date-time, int32, …) was added, removed or replaced; formats are compared by name.");

export const boundsRules: NodeRule[] = [BOUNDS_TIGHTENED, BOUNDS_LOOSENED, PATTERN_CHANGED, FORMAT_CHANGED];
