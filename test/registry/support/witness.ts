/**
 * Witnesses from the comparer's own model: documents built from the atoms of "sent by one side and
 * not accepted by the other" (`all(sender, not(receiver))`, normalized by the algebra), and from
 * the sender's atoms alone. Each atom is turned into a concrete value that meets its constraints
 * as far as the model can evaluate them (patterns and formats from small tables of known strings).
 *
 * The model only proposes: a document counts as crossing only when ajv accepts it under the
 * sending side (and its tolerant producer) and rejects it under the receiving side. So these
 * witnesses can show a "breaking" verdict right, or a "compatible" verdict wrong, but never the
 * other way round.
 */
import type { JsonSchema } from "../../../src/ir/types.js";
import { inRegion, positionOf, Unsupported, valueSchema, type Algebra } from "../../../src/registry/model/algebra.js";
import { ModelPair } from "../../../src/registry/model/read.js";
import { all, type ArrayAtom, type Atom, type Json, type NumberAtom, type ObjectAtom, type Schema, type StringAtom } from "../../../src/registry/model/schema.js";
import type { Policy } from "../../../src/registry/types.js";
import { FORMATS, PATTERNS, Rand, SCALARS } from "./raw-schema.js";

const KEY_POOL = ["a", "b", "c", "x_1", "d", "x", "xy", "ab", "abc", "zz", "e", "f", "g"];
const STRING_POOL = [...new Set([...SCALARS.filter((value): value is string => typeof value === "string"), ...Object.values(PATTERNS).flat(), ...Object.values(FORMATS).flat(), "c", "cab", "zz", "abcd", "aaaa", "abcde"])];

class Builder {
  /** Values still to build for the current document (documents stay small, recursion ends). */
  private budget = 0;

  constructor(
    private readonly algebra: Algebra,
    private readonly rand: Rand,
    private readonly openAs: "any" | "never",
  ) {}

  document(schema: Schema): Json | undefined {
    this.budget = 160;
    try {
      return this.value(schema, 0);
    } catch (error) {
      // The comparer's work budget spent, or a complement without a form met while evaluating.
      if (error instanceof Unsupported) return undefined;
      throw error;
    }
  }

  /** The schema's atoms, or undefined when it has no normal form (too many alternatives, the work budget). */
  atomsOf(schema: Schema): Atom[] | undefined {
    try {
      return this.algebra.expand(schema);
    } catch (error) {
      if (error instanceof Unsupported) return undefined;
      throw error;
    }
  }

  /** Whether the model does not reject `value` under `schema` (a format it cannot evaluate counts as yes). */
  private plausible(schema: Schema, value: Json): boolean {
    try {
      return this.algebra.accepts(schema, value) !== false;
    } catch (error) {
      if (error instanceof Unsupported) return true;
      throw error;
    }
  }

  /** A value of `schema`, or undefined when none was found: a few tries, the first the model does not reject. */
  value(schema: Schema, depth: number): Json | undefined {
    if (--this.budget < 0 || depth > 7) return undefined;
    let last: Json | undefined;
    for (let attempt = 0; attempt < 6; attempt++) {
      const value = this.once(schema, depth);
      if (value === undefined) continue;
      last = value;
      if (this.plausible(schema, value)) return value;
    }
    return last;
  }

  private once(schema: Schema, depth: number, hops = 0): Json | undefined {
    if (hops > 12) return undefined;
    const atoms = this.atomsOf(schema);
    if (atoms !== undefined) return atoms.length === 0 ? undefined : this.atomValue(this.rand.pick(atoms), depth);
    // No normal form (a complement with too many alternatives): build from what the schema asks
    // for positively; `value` keeps the tries the complements do not reject.
    switch (schema.kind) {
      case "all":
        return this.once(all(schema.members.filter((member) => member.kind !== "not")), depth, hops + 1);
      case "union":
        return this.once(this.rand.pick(schema.members), depth, hops + 1);
      case "ref":
        return this.once(this.algebra.resolve(schema), depth, hops + 1);
      case "not":
        return structuredClone(this.rand.pick([...SCALARS, ...STRING_POOL, [], {}, [1], { a: 1 }])) as Json;
      default:
        return undefined;
    }
  }

  atomValue(atom: Atom, depth: number): Json | undefined {
    switch (atom.kind) {
      case "const":
        return structuredClone(this.rand.pick(atom.values));
      case "number":
        return this.firstAccepted(atom, this.numbers(atom));
      case "string":
        return this.firstAccepted(atom, this.strings(atom));
      case "array":
        return this.attempts(atom, () => this.array(atom, depth));
      case "object":
        return this.attempts(atom, () => this.object(atom, depth));
    }
  }

  private firstAccepted(atom: Atom, candidates: Json[]): Json | undefined {
    const shuffled = [...candidates].sort(() => (this.rand.chance(50) ? 1 : -1));
    return shuffled.find((candidate) => this.algebra.acceptsAtom(atom, candidate) !== false) ?? (shuffled.length > 0 ? this.rand.pick(shuffled) : undefined);
  }

  private attempts(atom: Atom, build: () => Json | undefined): Json | undefined {
    let last: Json | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      last = build();
      if (last !== undefined && this.algebra.acceptsAtom(atom, last) !== false) return last;
    }
    return last;
  }

  private numbers(atom: NumberAtom): number[] {
    const lo = atom.minimum?.value ?? -6;
    const hi = atom.maximum?.value ?? Math.max(lo, 0) + 8;
    const found = [lo, hi, lo + 1, hi - 1, lo + 0.5, hi - 0.5, (lo + hi) / 2, 0, 1, -1, 2, 3, -3, 4, 6, -6, 2.5, -0.5, 12];
    const step = atom.multipleOf.reduce((product, multiple) => (Number.isFinite(product * multiple) ? product * multiple : product), 1);
    if (atom.multipleOf.length > 0) {
      const start = Math.ceil(lo / step);
      for (let k = start - 1; k <= start + 3; k++) found.push(k * step);
      found.push(-step, step, 0, -2 * step);
    }
    return found.map((value) => (atom.integer ? Math.round(value) : value));
  }

  private strings(atom: StringAtom): string[] {
    const lengths = [atom.minLength, atom.minLength + 1, atom.maxLength ?? atom.minLength + 2];
    return [...STRING_POOL, ...lengths.flatMap((length) => ["a".repeat(length), "x".repeat(length), "b".repeat(length)]), ...atom.formats.flatMap((format) => FORMATS[format] ?? [])];
  }

  private array(atom: ArrayAtom, depth: number): Json[] | undefined {
    const max = atom.maxItems ?? atom.minItems + 3;
    let length = Math.min(max, atom.minItems + (this.rand.next() % 3));
    if (atom.duplicates) length = Math.max(length, 2);
    for (const contains of atom.contains) length = Math.max(length, (contains.from ?? 0) + contains.min);
    const items: Json[] = [];
    for (let index = 0; index < length; index++) {
      const item = this.value(positionOf(atom, index), depth + 1);
      if (item === undefined) return index >= atom.minItems ? items : undefined;
      items.push(item);
    }
    for (const contains of atom.contains) {
      for (let hit = 0; hit < contains.min; hit++) {
        const index = (contains.from ?? 0) + hit;
        const item = this.value(all([contains.schema, positionOf(atom, index)]), depth + 1);
        if (item !== undefined) items[index] = item;
      }
    }
    if (atom.duplicates && items.length >= 2) items[1] = structuredClone(items[0]!);
    if (atom.unique) return items.filter((item, index) => items.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) === index);
    return items;
  }

  private object(atom: ObjectAtom, depth: number): Json | undefined {
    const object: Record<string, Json> = {};
    // A tolerant producer sends no key its object leaves open, except the names it requires.
    const put = (key: string, extra?: Schema, openAs = this.openAs): boolean => {
      const schema = extra === undefined ? valueSchema(atom, key, openAs) : all([extra, valueSchema(atom, key, openAs)]);
      const value = this.value(schema, depth + 1);
      if (value === undefined) return false;
      object[key] = value;
      return true;
    };
    const keyAllowed = (key: string): boolean => atom.propertyNames.every((names) => this.algebra.accepts(names, key) !== false);
    for (const name of atom.required) put(name, undefined, "any");
    for (const property of atom.properties) if (!(property.name in object) && this.rand.chance(45)) put(property.name);
    for (const exists of atom.someKeys) {
      const region = exists.region;
      const pool = "keys" in region ? [...KEY_POOL, ...STRING_POOL] : KEY_POOL;
      const keys = pool.filter((key) => inRegion(region, key, (schema, text) => this.algebra.accepts(schema, text)) !== false && keyAllowed(key));
      if (keys.length > 0) put(this.rand.pick(keys), exists.schema);
    }
    for (const dependency of atom.dependentRequired) if (dependency.key in object) for (const name of dependency.names) if (!(name in object)) put(name, undefined, "any");
    for (const dependency of atom.dependentSchemas) {
      if (!(dependency.key in object)) continue;
      const extra = this.value(dependency.schema, depth + 1);
      if (typeof extra === "object" && extra !== null && !Array.isArray(extra)) for (const [key, value] of Object.entries(extra)) if (!(key in object)) object[key] = value;
    }
    for (const key of KEY_POOL) {
      if (Object.keys(object).length >= atom.minProperties + (this.rand.chance(20) ? 1 : 0)) break;
      if (!(key in object) && keyAllowed(key)) put(key);
    }
    if (atom.maxProperties !== undefined) {
      for (const key of Object.keys(object)) if (Object.keys(object).length > atom.maxProperties && !atom.required.includes(key)) delete object[key];
    }
    return object;
  }
}

/**
 * Candidate crossing documents for one direction: built from the atoms of the difference (what the
 * sender allows and the receiver does not, when the algebra can form it), then from the sender's.
 */
export function modelWitnesses(previous: JsonSchema, current: JsonSchema, direction: "backward" | "forward", policy: Policy, seed: number, size: number): unknown[] {
  const rand = new Rand(seed + 7);
  const found: unknown[] = [];
  let pair: ModelPair | undefined;
  for (const part of ["difference", "sender"] as const) {
    for (let index = 0; index < size; index++) {
      try {
        pair ??= new ModelPair(previous, current, "pair");
      } catch {
        return found;
      }
      const [sender, receiver] = direction === "backward" ? [pair.previousRoot, pair.currentRoot] : [pair.currentRoot, pair.previousRoot];
      const value = new Builder(pair.algebra, rand, policy === "tolerant" ? "never" : "any").document(part === "sender" ? sender : all([sender, { kind: "not", schema: receiver, pointer: "" }]));
      if (value !== undefined) found.push(value);
      // The comparer's work budget is per comparison: a document that ran out of it gets a fresh pair.
      else pair = undefined;
    }
  }
  return found;
}
