/**
 * The shape of a rule. A rule is a small named record — id, family, purpose, the directions it can
 * break — with a handler that compares one previous/current pair and reports what changed. Node
 * rules see one pair of payload type nodes (already paired by the walker, refs resolved); event
 * rules see one pair of events (either side may be missing).
 */
import type { UnreadKeyword } from "../ir/from-json-schema.js";
import type { TypeNode } from "../ir/types.js";
import type { Segment } from "./pairs.js";
import type { Direction, Policy, RawFinding, RegistryEvent, RuleInfo } from "./types.js";

/**
 * How a pair of nodes relates, decided by the walker before any rule runs. A rule declares the
 * classes it handles; for each pair exactly one class applies.
 */
export type PairClass =
  | "unknown"
  | "nullable"
  | "nullable-added"
  | "nullable-removed"
  | "union"
  | "cross"
  | `same:${TypeNode["kind"]}`;

export interface NodeContext {
  policy: Policy;
  /** Wire type compared, e.g. `session.status.v1` (or a file label for raw schemas). */
  subject: string;
  /** Where the pair sits in the payload. */
  path: readonly Segment[];
  resolvePrevious(node: TypeNode): TypeNode;
  resolveCurrent(node: TypeNode): TypeNode;
  /** Reports a finding at `path` (or at `at`, a child of it). */
  report(finding: { rule: string; message: string; breaks: Direction[] }, at?: readonly Segment[]): void;
}

export interface NodeRule extends RuleInfo {
  on: readonly PairClass[];
  handler(previous: TypeNode, current: TypeNode, context: NodeContext): void;
}

type NodeOf<K extends TypeNode["kind"]> = Extract<TypeNode, { kind: K }>;

/** A rule over pairs of the same kind, with the handler's arguments typed by that kind. */
export function sameKindRule<K extends TypeNode["kind"]>(
  kinds: readonly K[],
  rule: RuleInfo & { handler(previous: NodeOf<K>, current: NodeOf<K>, context: NodeContext): void },
): NodeRule {
  return {
    ...rule,
    on: kinds.map((kind): PairClass => `same:${kind}`),
    handler: (previous, current, context) => rule.handler(previous as NodeOf<K>, current as NodeOf<K>, context),
  };
}

export interface EventContext {
  /** Findings of an event pair; the event and version are filled in by the caller. */
  report(finding: RawFinding & { version?: number }): void;
}

export interface EventRule extends RuleInfo {
  handler(previous: RegistryEvent | undefined, current: RegistryEvent | undefined, context: EventContext): void;
}

/**
 * A rule over a pair of whole JSON Schema documents rather than paired nodes: it sees what the
 * reader could not model in either document (SchemaReader's unread keywords).
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
