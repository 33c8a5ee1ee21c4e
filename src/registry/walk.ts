/**
 * Compares the previous and current schema of one event version, at the IR level: both JSON
 * Schemas are read back with SchemaReader, so the dialect details (oneOf vs anyOf, nullable as a
 * type array or as anyOf with null, inline vs `$defs`) do not show up as changes.
 *
 * The walker pairs nodes and decides how each pair relates (its PairClass); the rules report what
 * changed at that pair; the walker then descends into paired children (shared fields, items, map
 * values, paired union members, the non-null side of a nullable). Named types are compared by
 * resolved structure, each pair of names once, which also ends recursion through recursive types.
 *
 * Soundness: a direction is reported compatible only when no rule reports a break in it, so every
 * way a document can stop validating must be covered by some rule at some pair. Where the walker
 * cannot decide inclusion (a regex change, catch-all types, a union member included only across
 * several members), the rules report a break. What the IR cannot express at all, the reader records
 * as unread keywords, and UNSUPPORTED_KEYWORD reports them as breaking both directions.
 */
import { EventcError } from "../errors.js";
import { SchemaReader } from "../ir/from-json-schema.js";
import type { JsonSchema, TypeNode } from "../ir/types.js";
import { sameShape, type Segment } from "./pairs.js";
import type { NodeContext, PairClass } from "./rule.js";
import { keywordRules, nodeRules } from "./rules/index.js";
import { REF_TARGET_CHANGED } from "./rules/type.js";
import { unionPairs } from "./rules/union.js";
import type { Direction, Policy, RawFinding } from "./types.js";
import { pointer } from "./pairs.js";

export function classify(previous: TypeNode, current: TypeNode): PairClass {
  if (previous.kind === "unknown" || current.kind === "unknown") return "unknown";
  const previousNullable = previous.kind === "nullable";
  const currentNullable = current.kind === "nullable";
  if (previousNullable && currentNullable) return "nullable";
  if (previousNullable) return current.kind === "null" ? "cross" : "nullable-removed";
  if (currentNullable) return previous.kind === "null" ? "cross" : "nullable-added";
  if (previous.kind === "union" || current.kind === "union") return "union";
  if (previous.kind === current.kind) return `same:${previous.kind}`;
  return "cross";
}

class PairWalker {
  readonly findings: RawFinding[] = [];
  private readonly visited = new Set<string>();
  private readonly resolvePrevious: (node: TypeNode) => TypeNode;
  private readonly resolveCurrent: (node: TypeNode) => TypeNode;

  constructor(
    previous: SchemaReader,
    current: SchemaReader,
    private readonly policy: Policy,
    private readonly subject: string,
  ) {
    this.resolvePrevious = (node) => previous.resolve(node);
    this.resolveCurrent = (node) => current.resolve(node);
  }

  private context(path: readonly Segment[], sink: RawFinding[]): NodeContext {
    return {
      policy: this.policy,
      subject: this.subject,
      path,
      resolvePrevious: this.resolvePrevious,
      resolveCurrent: this.resolveCurrent,
      report: (finding, at) => sink.push({ ...finding, path: pointer(at ?? path) }),
    };
  }

  compare(previous: TypeNode, current: TypeNode, path: readonly Segment[], sink: RawFinding[] = this.findings): void {
    if (previous.kind === "ref" || current.kind === "ref") {
      if (previous.kind === "ref" && current.kind === "ref") {
        const key = `${previous.name}\u0000${current.name}`;
        if (this.visited.has(key)) return;
        this.visited.add(key);
      }
      const resolvedPrevious = this.resolvePrevious(previous);
      const resolvedCurrent = this.resolveCurrent(current);
      if (previous.kind === "ref" && current.kind === "ref" && previous.name !== current.name) {
        const inner: RawFinding[] = [];
        this.compare(resolvedPrevious, resolvedCurrent, path, inner);
        if (inner.length > 0) {
          const breaks = new Set<Direction>(inner.flatMap((finding) => finding.breaks));
          const message = REF_TARGET_CHANGED.message(previous.name, current.name, this.context(path, sink));
          sink.push({ rule: REF_TARGET_CHANGED.id, message, breaks: (["backward", "forward"] as const).filter((d) => breaks.has(d)), path: pointer(path) });
          sink.push(...inner);
        }
        return;
      }
      this.compare(resolvedPrevious, resolvedCurrent, path, sink);
      return;
    }
    if (sameShape(previous, current)) return;
    const pairClass = classify(previous, current);
    const context = this.context(path, sink);
    for (const rule of nodeRules) {
      if (rule.on.includes(pairClass)) rule.handler(previous, current, context);
    }
    this.descend(previous, current, pairClass, path, sink, context);
  }

  private descend(previous: TypeNode, current: TypeNode, pairClass: PairClass, path: readonly Segment[], sink: RawFinding[], context: NodeContext): void {
    if (pairClass === "nullable" && previous.kind === "nullable" && current.kind === "nullable") {
      return this.compare(previous.inner, current.inner, path, sink);
    }
    if (pairClass === "nullable-removed" && previous.kind === "nullable") return this.compare(previous.inner, current, path, sink);
    if (pairClass === "nullable-added" && current.kind === "nullable") return this.compare(previous, current.inner, path, sink);
    if (pairClass === "union") {
      const { sides, pairs } = unionPairs(previous, current, context);
      for (const [i, j] of pairs.pairs) this.compare(sides.previous[i]!, sides.current[j]!, path, sink);
      return;
    }
    if (previous.kind === "object" && current.kind === "object") {
      const currentFields = new Map(current.fields.map((field) => [field.name, field]));
      for (const field of previous.fields) {
        const match = currentFields.get(field.name);
        if (match) this.compare(field.type, match.type, [...path, { field: field.name }], sink);
      }
      return;
    }
    if (previous.kind === "array" && current.kind === "array") return this.compare(previous.items, current.items, [...path, "item"], sink);
    if (previous.kind === "record" && current.kind === "record") return this.compare(previous.values, current.values, [...path, "value"], sink);
    if (previous.kind === "tuple" && current.kind === "tuple") {
      const shared = Math.min(previous.items.length, current.items.length);
      for (let index = 0; index < shared; index++) this.compare(previous.items[index]!, current.items[index]!, [...path, { index }], sink);
      if (previous.rest && current.rest) this.compare(previous.rest, current.rest, [...path, "item"], sink);
    }
  }
}

/**
 * Findings between two JSON Schemas of one payload, e.g. a version's locked and current schema:
 * the walker's, then one UNSUPPORTED_KEYWORD per keyword either reader could not model (fail
 * closed: the IR walk cannot see those). A document nested beyond the call stack is an input error.
 */
export function compareSchemas(previous: JsonSchema, current: JsonSchema, options: { policy: Policy; subject: string }): RawFinding[] {
  return withinStack(options.subject, () => {
    const previousReader = new SchemaReader(previous, { failClosed: true });
    const currentReader = new SchemaReader(current, { failClosed: true });
    const previousRoot = previousReader.readRoot();
    const currentRoot = currentReader.readRoot();
    const walker = new PairWalker(previousReader, currentReader, options.policy, options.subject);
    walker.compare(previousRoot, currentRoot, []);
    const findings = walker.findings;
    for (const rule of keywordRules) {
      rule.handler(previousReader.unread(), currentReader.unread(), { subject: options.subject, report: (finding) => findings.push(finding) });
    }
    return findings;
  });
}

/** Runs `work`, turning a call-stack overflow on a deeply nested document into an input error. */
export function withinStack<T>(subject: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new EventcError(`the schemas of "${subject}" are nested too deeply to compare`);
    }
    throw error;
  }
}
