/**
 * Compares the previous and current schema of one event version in the comparer model
 * (model/): both JSON Schemas are read into a normalized form, so the dialect does not show up as
 * change (oneOf vs anyOf over exclusive members, nullable as a type array or as anyOf with null,
 * inline vs `$defs`, a type list vs an anyOf of types).
 *
 * Two passes:
 * - the verdict: the inclusion check (model/include.ts) decides, per direction, whether every
 *   document one side accepts validates under the other. It is sound: "compatible" is a proof.
 * - the explanation: the walker pairs nodes (JSON types, union members by tag then shape, fields by
 *   name, tuple positions, map values), decides how each pair relates (its PairClass), and the
 *   rules report what changed there, each with its own directions.
 * Findings keep only the directions the verdict could not prove; a direction the verdict breaks
 * that no rule names is reported by VALUES_CHANGED. What the model cannot express at all, the
 * reader records as unread keywords, and UNSUPPORTED_KEYWORD reports them as breaking both
 * directions (fail closed).
 */
import { EventcError } from "../errors.js";
import type { JsonSchema } from "../ir/types.js";
import { positionOf, Unsupported } from "./model/algebra.js";
import { Inclusion } from "./model/include.js";
import { ModelPair } from "./model/read.js";
import { familyOf, schemaKey, union, type Atom, type Family, type Schema } from "./model/schema.js";
import { mergeConstants, pairMembers, pointer, sameShape, subjectLabel, type Segment } from "./pairs.js";
import { breaksOf, type NodeContext, type PairClass } from "./rule.js";
import { keywordRules, nodeRules } from "./rules/index.js";
import { REF_TARGET_CHANGED, VALUES_CHANGED } from "./rules/type.js";
import type { Direction, Policy, RawFinding } from "./types.js";

/** Nodes a walk may meet again (rebuilt) while unfolding a recursive schema. */
const LAZY = new Set<Schema["kind"]>(["ref", "all", "union", "not"]);

class PairWalker {
  readonly findings: RawFinding[] = [];
  private readonly visited = new Set<string>();
  /** Ref pairs met again (their differences are reported where they were first met). */
  private cuts = 0;

  constructor(
    private readonly pair: ModelPair,
    private readonly policy: Policy,
    private readonly subject: string,
  ) {}

  includes = (sub: Schema, sup: Schema): boolean => new Inclusion(this.pair.algebra, this.policy, sameShape).includes(sub, sup);

  private families(schema: Schema): Set<Family> {
    try {
      return new Set(this.pair.algebra.expand(schema).map(familyOf));
    } catch {
      return new Set();
    }
  }

  private context(path: readonly Segment[], sink: RawFinding[]): NodeContext {
    return {
      policy: this.policy,
      subject: this.subject,
      path,
      algebra: this.pair.algebra,
      includes: this.includes,
      families: (schema) => this.families(schema),
      report: (finding, at) => sink.push({ ...finding, path: pointer(at ?? path) }),
    };
  }

  private run(pairClass: PairClass, previous: Schema, current: Schema, context: NodeContext): void {
    for (const rule of nodeRules) if (rule.on.includes(pairClass)) rule.handler(previous, current, context);
  }

  compare(previous: Schema, current: Schema, path: readonly Segment[], sink: RawFinding[] = this.findings): void {
    if (LAZY.has(previous.kind) || LAZY.has(current.kind) || path.length > 64) {
      const key = `${schemaKey(previous)}|${schemaKey(current)}`;
      if (this.visited.has(key) || path.length > 64) {
        this.cuts++;
        return;
      }
      this.visited.add(key);
    }
    if (previous.kind === "ref" || current.kind === "ref") {
      const resolvedPrevious = this.pair.algebra.deref(previous);
      const resolvedCurrent = this.pair.algebra.deref(current);
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
      if (resolvedPrevious.kind === "ref" || resolvedCurrent.kind === "ref") return;
      return this.compare(resolvedPrevious, resolvedCurrent, path, sink);
    }
    if (sameShape(previous, current)) return;
    const before = sink.length;
    const cuts = this.cuts;
    this.compareExpanded(previous, current, path, sink);
    if (sink.length > before || this.cuts > cuts) return;
    // Nothing named the difference here or below: say that the values changed, where they did.
    const context = this.context(path, sink);
    const breaks = breaksOf(previous, current, context);
    if (breaks.length > 0) context.report({ rule: VALUES_CHANGED.id, message: VALUES_CHANGED.message(breaks, subjectLabel(path, this.subject)), breaks });
  }

  private compareExpanded(previous: Schema, current: Schema, path: readonly Segment[], sink: RawFinding[]): void {
    let previousAtoms: Atom[];
    let currentAtoms: Atom[];
    try {
      previousAtoms = this.pair.algebra.expand(previous);
      currentAtoms = this.pair.algebra.expand(current);
    } catch (error) {
      if (error instanceof Unsupported) return;
      throw error;
    }
    const context = this.context(path, sink);
    const previousByFamily = byFamily(previousAtoms);
    const currentByFamily = byFamily(currentAtoms);
    const sameFamilies = previousByFamily.size === currentByFamily.size && [...previousByFamily.keys()].every((family) => currentByFamily.has(family));
    if (!sameFamilies) this.run("types", previous, current, context);
    for (const [family, before] of previousByFamily) {
      const after = currentByFamily.get(family);
      if (after === undefined) continue;
      if (before.length === 1 && after.length === 1) {
        this.compareAtoms(before[0]!, after[0]!, path, sink);
        continue;
      }
      // One shape split into several (an if/then/else, a dependency) or several merged into one
      // is not a change of members: the values changed, and the fallback below says so.
      if (before.length === 1 || after.length === 1) continue;
      this.run("members", union(before), union(after), context);
      for (const [i, j] of pairMembers(before, after, this.pair.algebra).pairs) this.compareAtoms(before[i]!, after[j]!, path, sink);
    }
  }

  private compareAtoms(previous: Atom, current: Atom, path: readonly Segment[], sink: RawFinding[]): void {
    if (sameShape(previous, current)) return;
    const context = this.context(path, sink);
    this.run(previous.kind === current.kind ? `same:${previous.kind}` : "cross", previous, current, context);
    if (previous.kind === "array" && current.kind === "array") {
      const inclusion = new Inclusion(this.pair.algebra, this.policy, sameShape);
      const before = inclusion.arrayLengths(previous);
      const after = inclusion.arrayLengths(current);
      const prefix = Math.max(previous.prefix.length, current.prefix.length);
      if (prefix === 0) return this.compare(previous.items, current.items, [...path, "item"], sink);
      for (let index = 0; index < prefix && index < Math.min(before.max, after.max); index++) {
        this.compare(positionOf(previous, index), positionOf(current, index), [...path, { index }], sink);
      }
      if (before.max > prefix && after.max > prefix) this.compare(previous.items, current.items, [...path, "item"], sink);
      return;
    }
    if (previous.kind === "object" && current.kind === "object") {
      const currentProperties = new Map(current.properties.map((property) => [property.name, property.schema]));
      for (const property of previous.properties) {
        const match = currentProperties.get(property.name);
        if (match !== undefined) this.compare(property.schema, match, [...path, { field: property.name }], sink);
      }
      const values = (atom: typeof previous): Schema | undefined => (atom.additional.length === 1 && !["open", "never"].includes(atom.additional[0]!.schema.kind) ? atom.additional[0]!.schema : undefined);
      const previousValues = values(previous);
      const currentValues = values(current);
      if (previousValues !== undefined && currentValues !== undefined) this.compare(previousValues, currentValues, [...path, "value"], sink);
      for (const rule of previous.patterns) {
        const match = current.patterns.find((candidate) => candidate.pattern === rule.pattern);
        if (match !== undefined) this.compare(rule.schema, match.schema, [...path, "value"], sink);
      }
    }
  }
}

/** Atoms grouped by JSON type, constants of a type merged into one atom. */
function byFamily(atoms: Atom[]): Map<Family, Atom[]> {
  const groups = new Map<Family, Atom[]>();
  for (const atom of atoms) {
    const family = familyOf(atom);
    groups.set(family, [...(groups.get(family) ?? []), atom]);
  }
  for (const [family, members] of groups) groups.set(family, mergeConstants(members));
  return groups;
}

/**
 * Findings between two JSON Schemas of one payload, e.g. a version's locked and current schema:
 * the walker's explanations, reconciled with the inclusion verdict, then one UNSUPPORTED_KEYWORD
 * per keyword either document holds that the model could not read. A document nested beyond the
 * call stack is an input error.
 */
export function compareSchemas(previous: JsonSchema, current: JsonSchema, options: { policy: Policy; subject: string }): RawFinding[] {
  return withinStack(options.subject, () => {
    const pair = new ModelPair(previous, current, options.subject);
    try {
      return reconcile(pair, options);
    } catch (error) {
      // A complement met deep inside a comparison with no form in the model: fail closed at its keyword.
      if (!(error instanceof Unsupported)) throw error;
      const keyword = error.pointer.split("/").at(-1) ?? "";
      const message =
        error.pointer === ""
          ? `The schemas of "${options.subject}" could not be compared: ${error.reason}; compatibility cannot be decided.`
          : `The schemas of "${options.subject}" use keyword "${keyword}" at "${error.pointer}", which the comparer does not model there (${error.reason}); compatibility cannot be decided.`;
      return [{ rule: "UNSUPPORTED_KEYWORD", message, breaks: ["backward", "forward"], path: error.pointer }];
    }
  });
}

function reconcile(pair: ModelPair, options: { policy: Policy; subject: string }): RawFinding[] {
  {
    const walker = new PairWalker(pair, options.policy, options.subject);
    walker.compare(pair.previousRoot, pair.currentRoot, []);
    const unsupported: RawFinding[] = [];
    for (const rule of keywordRules) {
      rule.handler(pair.previous.unread(), pair.current.unread(), { subject: options.subject, report: (finding) => unsupported.push(finding) });
    }
    if (unsupported.length > 0) return dedupe([...walker.findings, ...unsupported]);
    const proven = {
      backward: new Inclusion(pair.algebra, options.policy, sameShape).includes(pair.previousRoot, pair.currentRoot),
      forward: new Inclusion(pair.algebra, options.policy, sameShape).includes(pair.currentRoot, pair.previousRoot),
    };
    const findings = walker.findings.map((finding) => ({ ...finding, breaks: finding.breaks.filter((direction) => !proven[direction]) }));
    const unexplained = (["backward", "forward"] as const).filter((direction) => !proven[direction] && !findings.some((finding) => finding.breaks.includes(direction)));
    if (unexplained.length > 0) findings.push({ rule: VALUES_CHANGED.id, message: VALUES_CHANGED.message(unexplained, `Payload of "${options.subject}"`), breaks: unexplained, path: "" });
    return dedupe(findings);
  }
}

/** One finding per rule, path and message (two JSON types of one field may report the same change). */
function dedupe(findings: RawFinding[]): RawFinding[] {
  const byKey = new Map<string, RawFinding>();
  for (const finding of findings) {
    const key = `${finding.rule}\u0000${finding.path}\u0000${finding.message}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, finding);
    else seen.breaks = (["backward", "forward"] as const).filter((direction) => seen.breaks.includes(direction) || finding.breaks.includes(direction));
  }
  return [...byKey.values()];
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
