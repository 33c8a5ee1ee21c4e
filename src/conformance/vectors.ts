/**
 * Conformance vectors: JSON event documents generated from the IR, each with the verdict every
 * generated reader (TypeScript validators, JSON Schemas, the Rust crate) must give.
 *
 * Verdicts:
 * - `accept`: a known wire type whose payload fits its schema. Re-encoding the decoded value
 *   gives back `reencoded` (the document itself unless it carries unknown object members, which a
 *   tolerant reader drops).
 * - `reject`: a known wire type whose payload breaks its schema.
 * - `unknown`: a wire type the catalogue does not have; readers keep it as an unknown event (for
 *   the JSON Schemas: `event.json` does not match and `type` is none of its wire types).
 *
 * Valid documents per event version: minimal (required fields only, lower bounds), maximal (every
 * field, upper bounds), and enough further documents to use every union member and enum value.
 * Invalid documents mutate a valid one at one place: a required field missing, a wrong JSON type,
 * an enum value or literal out of range, a bound, length, pattern or item count violated, a wrong
 * discriminator, null in an optional field that is not nullable, an unknown member of a strict
 * object. The generator is pure and deterministic.
 */
import type { Catalogue, NamedType, ObjectNode, StringNode, TypeNode } from "../ir/types.js";
import { coalesceVectors, documentRuleVectors, envelopeVectors } from "./document-rules.js";
import { mutations } from "./mutations.js";

export type Verdict = "accept" | "reject" | "unknown";

export interface ConformanceVector {
  /** What the vector exercises, e.g. `session.status.v2 maximal` or `… /payload/sessionID: wrong type`. */
  name: string;
  document: { type: string; payload?: unknown } | Record<string, unknown>;
  expect: Verdict;
  /**
   * The document as JSON text, when no value can carry what is tested (a repeated member, a number
   * beyond the double range): every reader is handed this text.
   */
  text?: string;
  /** The document is an envelope `{ id, time, topic?, event }`, not an event document. */
  envelope?: true;
  /**
   * Only a document rule decides the verdict (nesting, a lone surrogate, a number beyond the double
   * range, a repeated member): JSON Schema describes values, not documents, so Ajv is not asked.
   */
  documentRule?: true;
  /**
   * The verdict of a reader handed the parsed value instead of the text, where it differs: the rule
   * is broken only inside a member a tolerant reader ignores, which the TypeScript validators do not
   * walk (docs/wire-format.md, Documents).
   */
  valueVerdict?: Verdict;
  /** For `accept`: the JSON value a reader re-encodes the document as. */
  reencoded?: unknown;
}

/** Known-valid samples of the string formats the catalogue may use (each also valid under Ajv's formats). */
const FORMAT_SAMPLES: Record<string, [string, string]> = {
  uuid: ["123e4567-e89b-42d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"],
  email: ["a@example.com", "first.last+tag@mail.example.org"],
  "date-time": ["2024-02-29T23:59:59Z", "1999-12-31T00:00:00.123Z"],
  date: ["2024-02-29", "1999-12-31"],
  uri: ["https://example.com", "https://example.com/path?q=1#frag"],
  time: ["12:34:56", "23:59:59.999"],
  ipv4: ["192.168.0.1", "255.255.255.255"],
  ipv6: ["::1", "2001:db8::8a2e:370:7334"],
};

/** Strings tried, in order, for a pattern without a format. */
const PATTERN_CANDIDATES = ["abc", "a", "sample_1", "1.2.3", "1.2.3-beta.1", "0", "A", "a-b", "ab12", "x".repeat(8), "2024-02-29", "12:34:56", "192.168.0.1", "aGVsbG8="];
const INVALID_STRINGS = ["not valid ✗", "!", " ", "", "🙂🙂"];

const matches = (pattern: string | undefined, value: string): boolean => pattern === undefined || new RegExp(pattern, "u").test(value);
const length = (value: string): number => [...value].length;

type Mode = "minimal" | "maximal";

export class VectorBuilder {
  private readonly named: Map<string, NamedType>;

  constructor(catalogue: Catalogue) {
    this.named = new Map(catalogue.types.map((type) => [type.name, type]));
  }

  resolve(node: TypeNode): TypeNode {
    let at = node;
    for (let depth = 0; at.kind === "ref" && depth < 32; depth++) at = this.named.get(at.name)?.type ?? { kind: "unknown" };
    return at;
  }

  string(node: StringNode, mode: Mode): string {
    const fits = (value: string): boolean => (node.minLength === undefined || length(value) >= node.minLength) && (node.maxLength === undefined || length(value) <= node.maxLength) && matches(node.pattern, value);
    const format = node.format === undefined ? undefined : FORMAT_SAMPLES[node.format];
    if (format !== undefined) return mode === "minimal" ? format[0] : format[1];
    if (node.pattern !== undefined) {
      const found = PATTERN_CANDIDATES.find(fits);
      if (found === undefined) throw new Error(`no sample string matches ${node.pattern}`);
      return found;
    }
    // Multi-byte characters at the bounds: lengths count code points on every side.
    if (mode === "minimal") return "é".repeat(node.minLength ?? 0);
    return "é".repeat(node.maxLength ?? Math.max(node.minLength ?? 0, 5));
  }

  number(node: Extract<TypeNode, { kind: "number" }>, mode: Mode): number {
    const step = node.multipleOf ?? (node.integer ? 1 : 0.5);
    // Both kinds of bound may be set (`.min(-5).positive()`): the stricter one holds.
    const lows = [node.minimum, node.exclusiveMinimum === undefined ? undefined : node.exclusiveMinimum + step].filter((bound) => bound !== undefined);
    const highs = [node.maximum, node.exclusiveMaximum === undefined ? undefined : node.exclusiveMaximum - step].filter((bound) => bound !== undefined);
    let low = lows.length === 0 ? undefined : Math.max(...lows);
    let high = highs.length === 0 ? undefined : Math.min(...highs);
    if (node.multipleOf !== undefined) {
      if (low !== undefined) low = Math.ceil(low / step) * step;
      if (high !== undefined) high = Math.floor(high / step) * step;
    }
    if (mode === "minimal") return low ?? (high !== undefined && high < 0 ? high : 0);
    if (high !== undefined) return high;
    if (node.integer) return node.multipleOf === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(Number.MAX_SAFE_INTEGER / step) * step;
    return node.multipleOf === undefined ? 12345.5 : Math.floor(12345.5 / step) * step;
  }

  /** A valid value; `depth` bounds recursion through named types. */
  value(node: TypeNode, mode: Mode, depth = 0): unknown {
    switch (node.kind) {
      case "string":
        return this.string(node, mode);
      case "number":
        return this.number(node, mode);
      case "boolean":
        return mode === "maximal";
      case "null":
        return null;
      case "literal":
        return node.value;
      case "enum":
        return mode === "minimal" ? node.values[0] : node.values.at(-1);
      case "array": {
        const count = mode === "minimal" ? (node.minItems ?? 0) : Math.min(node.maxItems ?? Math.max(node.minItems ?? 0, 2), 20);
        return depth > 3 && (node.minItems ?? 0) === 0 ? [] : Array.from({ length: count }, () => this.value(node.items, mode, depth + 1));
      }
      case "tuple":
        return [...node.items.map((item) => this.value(item, mode, depth + 1)), ...(mode === "maximal" && node.rest ? [this.value(node.rest, mode, depth + 1)] : [])];
      case "record": {
        if (node.keys.kind === "enum") {
          // A partial record's keys may all be absent.
          if (node.partial && mode === "minimal") return {};
          return Object.fromEntries(node.keys.values.map((key) => [key, this.value(node.values, mode, depth + 1)]));
        }
        if (mode === "minimal" || depth > 3) return {};
        return Object.fromEntries([this.string(node.keys, "minimal"), this.string(node.keys, "maximal")].map((key) => [key, this.value(node.values, mode, depth + 1)]));
      }
      case "object":
        return this.object(node, mode, depth);
      case "union":
        return this.value(mode === "minimal" || depth > 3 ? node.members[0]! : node.members.at(-1)!, mode, depth + 1);
      case "nullable":
        return mode === "minimal" || depth > 3 ? null : this.value(node.inner, mode, depth + 1);
      case "ref":
        return this.value(this.named.get(node.name)!.type, depth > 3 ? "minimal" : mode, depth + 1);
      case "unknown":
        return mode === "minimal" ? null : { any: ["json", 1, true] };
    }
  }

  object(node: ObjectNode, mode: Mode, depth: number): Record<string, unknown> {
    const fields = node.fields.filter((field) => !field.optional || (mode === "maximal" && depth <= 3));
    return Object.fromEntries(fields.map((field) => [field.name, this.value(field.type, mode, depth + 1)]));
  }

  /** Valid values that together use every union member and enum value at least once. */
  cover(node: TypeNode, depth = 0): unknown[] {
    const base = this.value(node, "minimal", depth);
    if (depth > 3) return [base];
    switch (node.kind) {
      case "enum":
        return [...node.values];
      case "boolean":
        return [false, true];
      case "union":
        return node.members.flatMap((member) => this.cover(member, depth + 1));
      case "nullable":
        return [null, ...this.cover(node.inner, depth + 1)];
      case "ref":
        return this.cover(this.named.get(node.name)!.type, depth + 1);
      case "array": {
        if ((node.maxItems ?? 1) < 1) return [base];
        const items = this.cover(node.items, depth + 1);
        const min = node.minItems ?? 0;
        return items.map((item) => [item, ...Array.from({ length: Math.max(0, min - 1) }, () => this.value(node.items, "minimal", depth + 1))]);
      }
      case "object": {
        const covers = node.fields.map((field) => this.cover(field.type, depth + 1));
        const count = Math.max(1, ...covers.map((cover) => cover.length));
        return Array.from({ length: count }, (_, index) => Object.fromEntries(node.fields.map((field, at) => [field.name, covers[at]![index % covers[at]!.length]])));
      }
      default:
        return [base];
    }
  }
}



/** Every vector for the catalogue, in catalogue order. */
export function conformanceVectors(catalogue: Catalogue): ConformanceVector[] {
  const builder = new VectorBuilder(catalogue);
  const vectors: ConformanceVector[] = [];
  const known = new Set(catalogue.events.flatMap((event) => event.versions.map((version) => version.wireType)));
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const type = version.wireType;
      const accept = (name: string, payload: unknown, reencoded?: unknown): void => {
        vectors.push({ name: `${type} ${name}`, document: { type, payload }, expect: "accept", reencoded: reencoded === undefined ? { type, payload } : { type, payload: reencoded } });
      };
      const minimal = builder.value(version.payload, "minimal");
      accept("minimal", minimal);
      accept("maximal", builder.value(version.payload, "maximal"));
      builder.cover(version.payload).forEach((payload, index) => accept(`cover ${index}`, payload));
      const payload = builder.resolve(version.payload);
      if (payload.kind === "object" && payload.additional === "ignore") {
        accept("with an unknown member", { ...(minimal as object), __added_later__: { deep: [1] } }, minimal);
      }
      vectors.push({ name: `${type} without payload`, document: { type }, expect: "reject" });
      for (const base of [minimal, builder.value(version.payload, "maximal")]) {
        for (const mutation of mutations(version.payload, base, builder, "/payload")) {
          const vector: ConformanceVector = { name: `${type} ${mutation.label}`, document: { type, payload: mutation.value }, expect: "reject" };
          if (mutation.documentRule) vector.documentRule = true;
          vectors.push(vector);
        }
      }
      vectors.push(...documentRuleVectors(builder, version, minimal), ...coalesceVectors(builder, event, version, minimal));
      let future = `${event.name}.v${version.version + 100}`;
      while (known.has(future)) future += "0";
      vectors.push({ name: `${future} (a newer version)`, document: { type: future, payload: minimal }, expect: "unknown" });
    }
  }
  vectors.push({ name: "brand.new (an unknown event)", document: { type: "brand.new", payload: [1, "two"] }, expect: "unknown" });
  vectors.push({ name: "unknown event without payload", document: { type: "brand.new.v1" }, expect: "unknown" });
  const first = catalogue.events[0]?.versions[0];
  if (first !== undefined) vectors.push(...envelopeVectors(first.wireType, builder.value(first.payload, "minimal")));
  // The same mutation reached from the minimal and the maximal value is one vector.
  const seen = new Set<string>();
  return vectors.filter((vector) => {
    const key = JSON.stringify([vector.text ?? vector.document, vector.expect, vector.envelope]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
