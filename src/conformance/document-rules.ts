/**
 * Vectors for what every reader requires of a whole document besides its schema — the rules of
 * I-JSON (RFC 7493: no repeated member name, no lone surrogate, numbers within the double range)
 * and one nesting limit, MAX_DEPTH levels counted from the outermost object or array of the
 * document a reader is handed — and for the envelope around an event.
 *
 * JSON Schema describes values, not documents: vectors decided by a document rule carry
 * `documentRule` and Ajv is not asked about them. Vectors that no value can carry (a repeated
 * member, `1e400`) carry their JSON `text`, which every reader is handed as it is.
 */
import type { EventDef, EventVersion, TypeNode } from "../ir/types.js";
import type { ConformanceVector, VectorBuilder } from "./vectors.js";

/** Nesting levels a document may have on every side; the outermost object or array is level 1. */
export const MAX_DEPTH = 128;

/** The member a tolerant reader ignores, used to carry what a test needs into any document. */
const ADDED = "__added_later__";

/** `levels` arrays nested in one another around null: `[[null]]` is 2 levels; 0 levels is null. */
export function nestedArrays(levels: number): unknown {
  let value: unknown = null;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
}

/** Nesting levels of a JSON value: 0 for a scalar, 1 for `[]`, `{}` or `[1]`. */
export function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, depthOf(item));
  return deepest + 1;
}

/**
 * Valid values of a given nesting depth, reached through the schema's own shapes: recursion through
 * named types, and values of any JSON type (filled with nested arrays).
 */
export class DeepValues {
  private readonly failed = new Map<TypeNode, Set<number>>();

  constructor(private readonly builder: VectorBuilder) {}

  /** A valid value of `node` nested exactly `levels` deep, or undefined when the schema has none. */
  value(node: TypeNode, levels: number, hops = 0): unknown {
    if (levels < 0 || hops > 16) return undefined;
    if (this.failed.get(node)?.has(levels)) return undefined;
    const found = this.search(node, levels, hops);
    if (found === undefined) {
      const failures = this.failed.get(node) ?? new Set<number>();
      failures.add(levels);
      this.failed.set(node, failures);
    }
    return found;
  }

  private minimal(node: TypeNode): unknown {
    return this.builder.value(node, "minimal");
  }

  /** `base` with `key` set to a value `levels − 1` deep, when every other member stays shallower. */
  private within(base: Record<string, unknown>, key: string, node: TypeNode, levels: number): Record<string, unknown> | undefined {
    if (Object.entries(base).some(([name, item]) => name !== key && depthOf(item) > levels - 1)) return undefined;
    const deep = this.value(node, levels - 1);
    return deep === undefined ? undefined : { ...base, [key]: deep };
  }

  private search(node: TypeNode, levels: number, hops: number): unknown {
    switch (node.kind) {
      case "unknown":
        return nestedArrays(levels);
      case "ref": {
        const target = this.builder.resolve(node);
        return target === node ? undefined : this.value(target, levels, hops + 1);
      }
      case "nullable":
        return levels === 0 ? null : this.value(node.inner, levels, hops + 1);
      case "union":
        for (const member of node.members) {
          const found = this.value(member, levels, hops + 1);
          if (found !== undefined) return found;
        }
        return undefined;
      case "array": {
        if (levels === 0 || node.maxItems === 0) return undefined;
        const rest = Array.from({ length: Math.max(0, (node.minItems ?? 0) - 1) }, () => this.minimal(node.items));
        if (rest.some((item) => depthOf(item) > levels - 1)) return undefined;
        const deep = this.value(node.items, levels - 1);
        return deep === undefined ? undefined : [deep, ...rest];
      }
      case "tuple": {
        if (levels === 0) return undefined;
        const items = node.items.map((item) => this.minimal(item));
        for (let index = 0; index < items.length; index++) {
          const found = this.within({ ...items }, String(index), node.items[index]!, levels);
          if (found !== undefined) return items.map((_, at) => found[String(at)]);
        }
        return undefined;
      }
      case "record": {
        if (levels === 0) return undefined;
        const keys = node.keys.kind === "enum" ? (node.partial ? [node.keys.values[0]!] : node.keys.values) : [this.builder.string(node.keys, "minimal")];
        const base = Object.fromEntries(keys.map((key) => [key, this.minimal(node.values)]));
        return this.within(base, keys[0]!, node.values, levels);
      }
      case "object": {
        if (levels === 0) return undefined;
        const base = this.builder.object(node, "minimal", 0);
        if (depthOf(base) === levels) return base;
        for (const field of node.fields) {
          const found = this.within(base, field.name, field.type, levels);
          if (found !== undefined) return found;
        }
        return undefined;
      }
      default:
        return levels === 0 ? this.minimal(node) : undefined;
    }
  }
}

/** The JSON text of an object with `members` (already JSON text each), in order. */
const objectText = (members: [string, string][]): string => `{${members.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(",")}}`;

/** Document-rule vectors for one event version, around its `minimal` payload. */
export function documentRuleVectors(builder: VectorBuilder, version: EventVersion, minimal: unknown): ConformanceVector[] {
  const type = version.wireType;
  const vectors: ConformanceVector[] = [];
  const name = (what: string): string => `${type} ${what}`;
  const reject = (what: string, document: ConformanceVector["document"], text?: string): void => {
    vectors.push({ name: name(what), document, expect: "reject", documentRule: true, ...(text === undefined ? {} : { text }) });
  };
  const typeText = JSON.stringify(type);
  const payloadText = JSON.stringify(minimal);
  reject('"type" repeated', { type, payload: minimal }, objectText([["type", typeText], ["type", typeText], ["payload", payloadText]]));
  reject('"payload" repeated', { type, payload: minimal }, objectText([["type", typeText], ["payload", payloadText], ["payload", payloadText]]));
  reject("an unknown member repeated at the top", { type, payload: minimal }, objectText([["type", typeText], ["payload", payloadText], [ADDED, "1"], [ADDED, "2"]]));
  reject("a number beyond the double range in an unknown member", { type, payload: minimal }, objectText([["type", typeText], ["payload", payloadText], [ADDED, "1e400"]]));
  const ignored = (what: string, document: ConformanceVector["document"]): void => {
    vectors.push({ name: name(what), document, expect: "reject", documentRule: true, valueVerdict: "accept" });
  };
  ignored("a lone surrogate in an unknown member", { type, payload: minimal, [ADDED]: "\udc00" });
  ignored("a lone surrogate in an unknown member's name", { type, payload: minimal, "\ud800": 1 });

  // The limit through a member every reader ignores: the event is level 1, the member's arrays 2….
  vectors.push({ name: name(`nested ${MAX_DEPTH} levels in an unknown member`), document: { type, payload: minimal, [ADDED]: nestedArrays(MAX_DEPTH - 1) }, expect: "accept", reencoded: { type, payload: minimal } });
  ignored(`nested ${MAX_DEPTH + 1} levels in an unknown member`, { type, payload: minimal, [ADDED]: nestedArrays(MAX_DEPTH) });

  // The limit through the payload's own shapes (recursive named types, values of any JSON type).
  const deep = new DeepValues(builder);
  const atLimit = deep.value(version.payload, MAX_DEPTH - 1);
  if (atLimit !== undefined) vectors.push({ name: name(`payload nested to ${MAX_DEPTH} levels`), document: { type, payload: atLimit }, expect: "accept", reencoded: { type, payload: atLimit } });
  const beyond = deep.value(version.payload, MAX_DEPTH);
  if (beyond !== undefined) reject(`payload nested to ${MAX_DEPTH + 1} levels`, { type, payload: beyond });

  // A number beyond the double range where the schema takes any JSON value.
  const slot = slotted(builder, version.payload);
  if (slot !== undefined) reject("a number beyond the double range in a value of any JSON type", { type, payload: slot.value }, objectText([["type", typeText], ["payload", slot.text.replace(JSON.stringify(SLOT), "-1e400")]]));
  return vectors;
}

const SLOT = "\u0000slot\u0000";

/** Numbers whose JSON text differs between JavaScript and serde_json's own writer (`1` / `1.0`, exponents). */
const KEY_NUMBERS = [1, -1, 0.5, 1e21, 1.5e-7, 123456789.125, 1e300, 5e-324, 2 ** 53 - 1];

/**
 * Accepted documents whose coalesce key holds a number in every layout JavaScript writes: the
 * readers must agree on the key's text (`-0` only JSON text can carry).
 */
export function coalesceVectors(builder: VectorBuilder, event: EventDef, version: EventVersion, minimal: unknown): ConformanceVector[] {
  const vectors: ConformanceVector[] = [];
  for (const path of event.coalesce ?? []) {
    let node: TypeNode | undefined = version.payload;
    for (const segment of path) {
      const at: TypeNode = builder.resolve(node);
      node = at.kind === "object" ? at.fields.find((field) => field.name === segment)?.type : undefined;
      if (node === undefined) break;
    }
    const leaf = node === undefined ? undefined : builder.resolve(node);
    if (leaf?.kind !== "number" || leaf.multipleOf !== undefined) continue;
    const fits = (value: number): boolean =>
      (!leaf.integer || Number.isSafeInteger(value)) &&
      (leaf.minimum === undefined || value >= leaf.minimum) &&
      (leaf.maximum === undefined || value <= leaf.maximum) &&
      (leaf.exclusiveMinimum === undefined || value > leaf.exclusiveMinimum) &&
      (leaf.exclusiveMaximum === undefined || value < leaf.exclusiveMaximum);
    const at = (value: unknown): unknown => setAt(minimal, path, value);
    for (const value of KEY_NUMBERS.filter(fits)) {
      const document = { type: version.wireType, payload: at(value) };
      vectors.push({ name: `${version.wireType} coalesce key with ${path.join(".")} = ${value}`, document, expect: "accept", reencoded: document });
    }
    if (fits(0)) {
      const document = { type: version.wireType, payload: at(0) };
      const text = JSON.stringify({ type: version.wireType, payload: at(SLOT) }).replace(JSON.stringify(SLOT), "-0");
      vectors.push({ name: `${version.wireType} coalesce key with ${path.join(".")} = -0`, document, text, expect: "accept", reencoded: document });
    }
  }
  return vectors;
}

/** A copy of `value` with `path` set to `leaf`. */
function setAt(value: unknown, path: readonly string[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const object = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return { ...object, [path[0]!]: setAt(object[path[0]!], path.slice(1), leaf) };
}

/** A valid value of `node` with the string SLOT where the schema takes any JSON value, and its text. */
function slotted(builder: VectorBuilder, node: TypeNode): { value: unknown; text: string } | undefined {
  const find = (at: TypeNode, hops: number): unknown => {
    if (hops > 12) return undefined;
    switch (at.kind) {
      case "unknown":
        return SLOT;
      case "ref":
        return builder.resolve(at) === at ? undefined : find(builder.resolve(at), hops + 1);
      case "nullable":
        return find(at.inner, hops + 1);
      case "object": {
        const base = builder.object(at, "minimal", 0);
        for (const field of at.fields) {
          const found = find(field.type, hops + 1);
          if (found !== undefined) return { ...base, [field.name]: found };
        }
        return undefined;
      }
      case "array": {
        if (at.maxItems === 0) return undefined;
        const found = find(at.items, hops + 1);
        return found === undefined ? undefined : [found, ...Array.from({ length: Math.max(0, (at.minItems ?? 0) - 1) }, () => builder.value(at.items, "minimal"))];
      }
      default:
        return undefined;
    }
  };
  const value = find(node, 0);
  return value === undefined ? undefined : { value, text: JSON.stringify(value) };
}

/** Envelopes around the event `type` with a valid `payload`: the envelope's own rules, once per catalogue. */
export function envelopeVectors(type: string, payload: unknown): ConformanceVector[] {
  const event = { type, payload };
  const envelope = (what: string, document: Record<string, unknown>, expect: ConformanceVector["expect"], reencoded?: unknown): ConformanceVector => ({
    name: `envelope ${what}`,
    document,
    expect,
    envelope: true,
    ...(expect === "accept" ? { reencoded: reencoded ?? document } : {}),
  });
  const base = { id: "e1", time: "2025-01-02T03:04:05Z", event };
  const vectors: ConformanceVector[] = [
    envelope("minimal", base, "accept"),
    envelope("with topic and fraction on a leap day", { ...base, time: "2024-02-29T23:59:59.123456Z", topic: "t:1" }, "accept"),
    envelope("at the end of a century leap year", { ...base, time: "2000-02-29T00:00:00Z" }, "accept"),
    envelope("around an unknown event", { ...base, event: { type: "brand.new.v1", payload: [1] } }, "unknown"),
    envelope("with an unknown member", { ...base, [ADDED]: { deep: [1] } }, "accept", base),
    envelope("without time", { id: "e1", event }, "reject"),
    envelope("with an empty id", { ...base, id: "" }, "reject"),
    envelope("with an id of 256 visible ASCII characters", { ...base, id: `!${"x".repeat(254)}~` }, "accept"),
    envelope("with an id of 257 characters", { ...base, id: "x".repeat(257) }, "reject"),
    envelope("with a Streams position as id", { ...base, id: "18446744073709551615-18446744073709551615" }, "accept"),
    envelope("with a line break in the id", { ...base, id: "x\ndata: {}" }, "reject"),
    envelope("with a carriage return in the id", { ...base, id: "x\ry" }, "reject"),
    envelope("with a space in the id", { ...base, id: "a b" }, "reject"),
    envelope("with a control character in the id", { ...base, id: "a\u0001" }, "reject"),
    envelope("with a DEL in the id", { ...base, id: "a\u007f" }, "reject"),
    envelope("with a non-ASCII id", { ...base, id: "poisoned-\u20ac" }, "reject"),
    envelope("with a number topic", { ...base, topic: 5 }, "reject"),
    envelope("with a null topic", { ...base, topic: null }, "reject"),
    envelope("without event", { id: "e1", time: base.time }, "reject"),
  ];
  for (const time of ["2025-13-45T99:99:99Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-01-02T24:00:00Z", "2025-01-02T03:60:00Z", "2025-01-02T03:04:05+01:00", "2025-01-02 03:04:05Z", "2025-01-02T03:04:05.Z", "2025-01-02T03:04:05z"]) {
    vectors.push(envelope(`with time ${time}`, { ...base, time }, "reject"));
  }
  const text = (members: [string, string][]): string => `{${members.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(",")}}`;
  vectors.push({ ...envelope('"time" repeated', base, "reject"), documentRule: true, text: text([["id", '"e1"'], ["time", JSON.stringify(base.time)], ["time", JSON.stringify(base.time)], ["event", JSON.stringify(event)]]) });
  vectors.push({ ...envelope(`nested ${MAX_DEPTH} levels in an unknown member`, { ...base, [ADDED]: nestedArrays(MAX_DEPTH - 1) }, "accept", base) });
  vectors.push({ ...envelope(`nested ${MAX_DEPTH + 1} levels in an unknown member`, { ...base, [ADDED]: nestedArrays(MAX_DEPTH) }, "reject"), documentRule: true, valueVerdict: "accept" });
  return vectors;
}
