/**
 * fast-check arbitraries of VALID event documents, built from the IR: every value they draw must
 * be accepted by every generated reader (TypeScript validators, JSON Schemas, the Rust crate) and
 * re-encode to the same JSON value. They feed the differential fuzz test.
 *
 * What is drawn, per IR node:
 * - string: code points anywhere in Unicode (no lone surrogates) or ASCII incl. control
 *   characters, honouring min/max length counted in code points; a string with a `format` or a
 *   `pattern` is drawn from known-valid samples (each verified against the pattern and the length
 *   bounds when the arbitrary is built — none valid is an error) and, for a pattern without a
 *   format, from `fc.stringMatching` filtered through the same checks.
 * - number: within the bounds (inclusive and exclusive), whole for integers (within ±(2^53 − 1)),
 *   multiples of `multipleOf` by the IEEE-754 rule every reader applies; the bounds themselves are
 *   drawn often.
 * - enum, literal, boolean, null: their values.
 * - array: lengths within the item bounds; tuple: the fixed items plus up to 3 rest elements.
 * - record: enum keys all present; string keys drawn like strings.
 * - object: required fields always, optional fields present or absent (never null unless
 *   nullable), no members the schema does not declare (a tolerant reader drops those, so they
 *   would not re-encode as they came; the conformance vectors cover that case).
 * - union: every member reachable; nullable: null or the inner value.
 * - ref: the named type; past `maxDepth` refs (recursion) the minimal valid value is used.
 * - unknown: any JSON value.
 *
 * Pure: the arbitraries depend only on the catalogue; the same seed draws the same values.
 */
import fc from "fast-check";
import type { Catalogue, EnumNode, NumberNode, ObjectNode, StringNode, TypeNode } from "../ir/types.js";
import { VectorBuilder } from "./vectors.js";

export interface EventDocument {
  type: string;
  payload: unknown;
}

export interface ArbitraryOptions {
  /** How many refs deep values may nest before the minimal value is used (default 4). */
  maxDepth?: number;
  /** Longest array, record or unbounded string drawn past its minimum (default 6 / 24). */
  maxExtraItems?: number;
  maxExtraLength?: number;
}

/** Known-valid samples per string format (each also valid under Ajv's formats). */
export const FORMAT_SAMPLES: Record<string, readonly string[]> = {
  uuid: ["123e4567-e89b-42d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "f47ac10b-58cc-4372-a567-0e02b2c3d479", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"],
  email: ["a@example.com", "first.last+tag@mail.example.org", "x_y-z@sub.domain.example.net", "UPPER@EXAMPLE.COM"],
  "date-time": ["2024-02-29T23:59:59Z", "1999-12-31T00:00:00.123Z", "1970-01-01T00:00:00Z", "2038-01-19T03:14:07.999Z"],
  date: ["2024-02-29", "1999-12-31", "1970-01-01", "2000-02-29"],
  uri: ["https://example.com", "https://example.com/path?q=1#frag", "file:///tmp/a.txt", "data:text/plain;base64,SGk=", "urn:isbn:0451450523"],
  time: ["12:34:56", "23:59:59.999", "00:00"],
  ipv4: ["192.168.0.1", "255.255.255.255", "0.0.0.0"],
  ipv6: ["::1", "2001:db8::8a2e:370:7334", "fe80::1"],
};

/** Strings tried for a pattern without a format; those the pattern and bounds accept are kept. */
export const PATTERN_SAMPLES: readonly string[] = [
  "abc", "a", "sample_1", "user_42", "1.2.3", "1.2.3-beta.1", "0", "42", "A", "a-b", "ab12", "xxxxxxxx", "2024-02-29", "abc_def_ghi", "zzz", "a1b2c3",
  "12:34:56", "192.168.0.1", "::1", "aGVsbG8=", "",
];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The IEEE-754 multipleOf rule shared by every reader (Ajv's). */
export const isMultipleOf = (value: number, step: number): boolean => (value / step) % 1 === 0;

/**
 * Quotients from here on are whole by that rule, but Ajv compares the quotient with `parseInt` of
 * it, which reads `1e21` and beyond from their exponent form (`parseInt(8.98e307)` is 8): Ajv
 * calls such a multiple invalid. No document drawn for the comparison goes there.
 */
const AJV_WHOLE_LIMIT = 1e21;

/** Whole numbers in [min, max] (fc.integer stops at 32 bits). */
const safeInteger = (min: number, max: number): fc.Arbitrary<number> => fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);

const codePoints = (value: string): number => [...value].length;

export class EventArbitraries {
  private readonly named: Map<string, TypeNode>;
  private readonly minimal: VectorBuilder;
  private readonly maxDepth: number;
  private readonly maxExtraItems: number;
  private readonly maxExtraLength: number;
  private readonly refs = new Map<string, fc.Arbitrary<unknown>>();

  constructor(private readonly catalogue: Catalogue, options: ArbitraryOptions = {}) {
    this.named = new Map(catalogue.types.map((type) => [type.name, type.type]));
    this.minimal = new VectorBuilder(catalogue);
    this.maxDepth = options.maxDepth ?? 4;
    this.maxExtraItems = options.maxExtraItems ?? 6;
    this.maxExtraLength = options.maxExtraLength ?? 24;
  }

  /** Valid documents of one event version (`wireType`). */
  event(wireType: string): fc.Arbitrary<EventDocument> {
    const version = this.catalogue.events.flatMap((event) => event.versions).find((candidate) => candidate.wireType === wireType);
    if (version === undefined) throw new Error(`no event version ${wireType} in the catalogue`);
    return this.node(version.payload, 0, `${wireType}/payload`).map((payload) => ({ type: wireType, payload }));
  }

  /** Every event version's wire type, in catalogue order. */
  wireTypes(): string[] {
    return this.catalogue.events.flatMap((event) => event.versions.map((version) => version.wireType));
  }

  /** An arbitrary of valid values of `node`; `where` names the node in errors. */
  node(node: TypeNode, depth: number, where: string): fc.Arbitrary<unknown> {
    switch (node.kind) {
      case "string":
        return this.string(node, where);
      case "number":
        return this.number(node, where);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "literal":
        return fc.constant(node.value);
      case "enum":
        return this.enumValue(node);
      case "array": {
        const minLength = node.minItems ?? 0;
        const maxLength = Math.min(node.maxItems ?? Number.MAX_SAFE_INTEGER, minLength + this.maxExtraItems);
        return fc.array(this.node(node.items, depth, `${where}/items`), { minLength, maxLength });
      }
      case "tuple": {
        const fixed = fc.tuple(...node.items.map((item, index) => this.node(item, depth, `${where}/${index}`)));
        if (node.rest === undefined) return fixed;
        return fc.tuple(fixed, fc.array(this.node(node.rest, depth, `${where}/rest`), { maxLength: 3 })).map(([head, tail]) => [...head, ...tail]);
      }
      case "record":
        return this.record(node.keys, node.values, node.partial === true, depth, where);
      case "object":
        return this.object(node, depth, where);
      case "union":
        return fc.oneof(...node.members.map((member, index) => this.node(member, depth, `${where}/anyOf/${index}`)));
      case "nullable":
        return fc.oneof(fc.constant(null), this.node(node.inner, depth, where));
      case "ref":
        return this.ref(node.name, depth);
      case "unknown":
        // Code points only: a lone surrogate is not a Unicode string, and no reader outside
        // JavaScript can hold one.
        return fc.jsonValue({ maxDepth: 2, stringUnit: "binary" });
    }
  }

  private ref(name: string, depth: number): fc.Arbitrary<unknown> {
    const type = this.named.get(name);
    if (type === undefined) throw new Error(`unknown named type ${name}`);
    if (depth >= this.maxDepth) return fc.constant(this.minimal.value(type, "minimal", 4));
    const key = `${name}@${depth}`;
    let arbitrary = this.refs.get(key);
    if (arbitrary === undefined) {
      arbitrary = this.node(type, depth + 1, `#/$defs/${name}`);
      this.refs.set(key, arbitrary);
    }
    return arbitrary;
  }

  private enumValue(node: EnumNode): fc.Arbitrary<string> {
    return fc.constantFrom(...node.values);
  }

  string(node: StringNode, where: string): fc.Arbitrary<string> {
    const min = node.minLength ?? 0;
    const max = node.maxLength;
    const fits = (value: string): boolean =>
      codePoints(value) >= min && (max === undefined || codePoints(value) <= max) && (node.pattern === undefined || new RegExp(node.pattern, "u").test(value));
    if (node.format !== undefined || node.pattern !== undefined) {
      const candidates = node.format !== undefined ? (FORMAT_SAMPLES[node.format] ?? []) : PATTERN_SAMPLES;
      const samples = candidates.filter(fits);
      if (samples.length === 0) {
        const what = node.format !== undefined ? `format "${node.format}"${node.pattern !== undefined ? ` and pattern ${node.pattern}` : ""}` : `pattern ${node.pattern}`;
        throw new Error(`${where}: no known-valid sample string for ${what}${max !== undefined || min > 0 ? ` within ${min}..${max ?? "∞"} code points` : ""}`);
      }
      const fromSamples = fc.constantFrom(...samples);
      if (node.format !== undefined || node.pattern === undefined) return fromSamples;
      return fc.oneof(fromSamples, this.matching(node.pattern, fits) ?? fromSamples);
    }
    const maxLength = Math.min(max ?? Number.MAX_SAFE_INTEGER, min + this.maxExtraLength);
    const lengths = { minLength: min, maxLength };
    const choices = [fc.string({ unit: "binary", ...lengths }), fc.string({ unit: "binary-ascii", ...lengths }), fc.string({ unit: "grapheme-ascii", ...lengths })];
    // The upper bound itself, in multi-byte characters when it is small enough to draw.
    if (max !== undefined && max <= 512) choices.push(fc.string({ unit: "binary", minLength: max, maxLength: max }));
    return fc.oneof(...choices);
  }

  /** Strings fast-check derives from the pattern, kept only when every reader's rules accept them. */
  private matching(pattern: string, fits: (value: string) => boolean): fc.Arbitrary<string> | undefined {
    try {
      return fc.stringMatching(new RegExp(pattern, "u")).filter(fits);
    } catch {
      return undefined;
    }
  }

  number(node: NumberNode, where: string): fc.Arbitrary<number> {
    const fits = (value: number): boolean =>
      Number.isFinite(value) &&
      (!node.integer || Number.isSafeInteger(value)) &&
      (node.minimum === undefined || value >= node.minimum) &&
      (node.maximum === undefined || value <= node.maximum) &&
      (node.exclusiveMinimum === undefined || value > node.exclusiveMinimum) &&
      (node.exclusiveMaximum === undefined || value < node.exclusiveMaximum) &&
      (node.multipleOf === undefined || isMultipleOf(value, node.multipleOf));
    let low = node.integer ? -MAX_SAFE : -Number.MAX_VALUE;
    let high = node.integer ? MAX_SAFE : Number.MAX_VALUE;
    if (node.minimum !== undefined) low = Math.max(low, node.minimum);
    if (node.maximum !== undefined) high = Math.min(high, node.maximum);
    if (node.integer) {
      if (node.exclusiveMinimum !== undefined) low = Math.max(low, Math.floor(node.exclusiveMinimum) + 1);
      if (node.exclusiveMaximum !== undefined) high = Math.min(high, Math.ceil(node.exclusiveMaximum) - 1);
      low = Math.ceil(low);
      high = Math.floor(high);
    }
    let drawn: fc.Arbitrary<number>;
    if (node.multipleOf !== undefined) {
      const step = node.multipleOf;
      const limit = 1e12;
      const kLow = Math.max(Math.ceil(Math.max(low, node.exclusiveMinimum ?? low) / step), -limit);
      const kHigh = Math.min(Math.floor(Math.min(high, node.exclusiveMaximum ?? high) / step), limit);
      if (kLow > kHigh) throw new Error(`${where}: no multiple of ${step} within the bounds`);
      drawn = safeInteger(kLow, kHigh).map((k) => k * step);
    } else if (node.integer) {
      drawn = safeInteger(low, high);
    } else {
      drawn = fc.double({
        min: node.exclusiveMinimum !== undefined ? Math.max(low, node.exclusiveMinimum) : low,
        max: node.exclusiveMaximum !== undefined ? Math.min(high, node.exclusiveMaximum) : high,
        minExcluded: node.exclusiveMinimum !== undefined && node.exclusiveMinimum >= low,
        maxExcluded: node.exclusiveMaximum !== undefined && node.exclusiveMaximum <= high,
        noNaN: true,
        noDefaultInfinity: true,
      });
    }
    const bounds = [low, high].filter((value) => fits(value) && (node.multipleOf === undefined || Math.abs(value / node.multipleOf) < AJV_WHOLE_LIMIT));
    const valid = (bounds.length > 0 ? fc.oneof({ arbitrary: drawn, weight: 4 }, { arbitrary: fc.constantFrom(...bounds), weight: 1 }) : drawn).filter(fits);
    // -0 is written as 0 in JSON; drawing 0 keeps the original equal to its own JSON form.
    return valid.map((value) => (Object.is(value, -0) ? 0 : value));
  }

  private record(keys: StringNode | EnumNode, values: TypeNode, partial: boolean, depth: number, where: string): fc.Arbitrary<Record<string, unknown>> {
    const value = this.node(values, depth, `${where}/additionalProperties`);
    if (keys.kind === "enum") return fc.record(Object.fromEntries(keys.values.map((key) => [key, value])), partial ? { requiredKeys: [] } : {});
    return fc.dictionary(this.string(keys, `${where}/propertyNames`), value, { maxKeys: this.maxExtraItems, noNullPrototype: true });
  }

  private object(node: ObjectNode, depth: number, where: string): fc.Arbitrary<Record<string, unknown>> {
    const shape = Object.fromEntries(node.fields.map((field) => [field.name, this.node(field.type, depth, `${where}/properties/${field.name}`)]));
    const requiredKeys = node.fields.filter((field) => !field.optional).map((field) => field.name);
    return fc.record(shape, { requiredKeys, noNullPrototype: true });
  }
}

/**
 * Valid documents across the catalogue: `perVersion` values for every event version, drawn with
 * `seed` (the same seed gives the same documents). Each document is in its JSON form.
 */
export function sampleEventDocuments(catalogue: Catalogue, perVersion: number, seed: number, options: ArbitraryOptions = {}): EventDocument[] {
  const arbitraries = new EventArbitraries(catalogue, options);
  return arbitraries.wireTypes().flatMap((wireType, index) =>
    fc.sample(arbitraries.event(wireType), { numRuns: perVersion, seed: (seed + index) | 0 }).map((document) => JSON.parse(JSON.stringify(document)) as EventDocument),
  );
}
