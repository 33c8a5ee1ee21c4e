/**
 * The shape of a rule. A rule is a small named record — id, family, purpose, the directions it can
 * break — with a handler that compares one previous/current pair and reports what changed. Node
 * rules see one pair of the comparer model (already paired by the walker, references resolved);
 * event rules see one pair of events (either side may be missing).
 *
 * Rules explain; the verdict is the inclusion check's (model/include.ts). A rule works out the
 * directions of its own finding with the same check on the part it names, and the walker then
 * keeps only the directions the whole-schema check could not prove (see walk.ts).
 */
import type { UnreadKeyword } from "../ir/schema-keywords.js";
import type { Algebra } from "./model/algebra.js";
import type { Atom, Family, Schema } from "./model/schema.js";
import type { Segment } from "./pairs.js";
import type { Direction, Policy, RawFinding, RegistryEvent, RuleInfo } from "./types.js";

/**
 * How a pair relates, decided by the walker before any rule runs. `types`: two schemas whose JSON
 * types differ; `members`: several alternatives of one JSON type on either side (a union);
 * `cross`: one alternative each of one JSON type but of different kinds (constants against a
 * string); `same:<kind>`: one atom each of the same kind.
 */
export type PairClass = "types" | "members" | "cross" | `same:${Atom["kind"]}`;

export interface NodeContext {
  policy: Policy;
  /** Wire type compared, e.g. `session.status.v1` (or a file label for raw schemas). */
  subject: string;
  /** Where the pair sits in the payload. */
  path: readonly Segment[];
  algebra: Algebra;
  /** Whether every document a producer of `sub` sends validates under `sup` (sound; false = not shown). */
  includes(sub: Schema, sup: Schema): boolean;
  /** The JSON types a schema admits. */
  families(schema: Schema): Set<Family>;
  /** Reports a finding at `path` (or at `at`, a child of it). */
  report(finding: { rule: string; message: string; breaks: Direction[] }, at?: readonly Segment[]): void;
}

export interface NodeRule extends RuleInfo {
  on: readonly PairClass[];
  handler(previous: Schema, current: Schema, context: NodeContext): void;
}

type AtomOf<K extends Atom["kind"]> = Extract<Atom, { kind: K }>;

/** A rule over pairs of atoms of the same kind, with the handler's arguments typed by that kind. */
export function sameKindRule<K extends Atom["kind"]>(
  kinds: readonly K[],
  rule: RuleInfo & { handler(previous: AtomOf<K>, current: AtomOf<K>, context: NodeContext): void },
): NodeRule {
  return {
    ...rule,
    on: kinds.map((kind): PairClass => `same:${kind}`),
    handler: (previous, current, context) => rule.handler(previous as AtomOf<K>, current as AtomOf<K>, context),
  };
}

export interface EventContext {
  /** Findings of an event pair; the event and version are filled in by the caller. */
  report(finding: RawFinding & { version?: number }): void;
  /** `registry.migrations: "expected"`: a new version is expected to declare its upgrade. */
  expectMigrations?: boolean;
}

export interface EventRule extends RuleInfo {
  handler(previous: RegistryEvent | undefined, current: RegistryEvent | undefined, context: EventContext): void;
}

/**
 * A rule over a pair of whole JSON Schema documents rather than paired nodes: it sees what the
 * reader could not model in either document (the unread keywords).
 */
export interface DocumentRule extends RuleInfo {
  handler(previous: readonly UnreadKeyword[], current: readonly UnreadKeyword[], context: { subject: string; report(finding: RawFinding): void }): void;
}

/** Directions from two flags, in canonical order. */
export function directions(backward: boolean, forward: boolean): Direction[] {
  const result: Direction[] = [];
  if (backward) result.push("backward");
  if (forward) result.push("forward");
  return result;
}

/** Directions a change breaks: backward unless previous ⊆ current, forward unless current ⊆ previous. */
export function breaksOf(previous: Schema, current: Schema, context: NodeContext): Direction[] {
  return directions(!context.includes(previous, current), !context.includes(current, previous));
}
