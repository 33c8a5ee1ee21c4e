/**
 * Inclusion: does every document valid under `sub` validate under `sup`? Backward compatibility is
 * includes(previous, current), forward is includes(current, previous).
 *
 * Sound, not complete: `true` is a proof, `false` means "not shown" (and is reported as breaking).
 * The proof goes atom by atom: every atom of `sub` must fit in one atom of `sup` of its type (or,
 * when it holds finitely many values, each value must be accepted by some atom). Object atoms are
 * compared key by key for every name either side mentions, then region by region for the keys
 * neither names (a `patternProperties` pattern, or what an `additionalProperties` covers). What
 * cannot be compared exactly is approximated on the safe side: constraints of `sub` may be dropped
 * (a larger set), constraints of `sup` never are. Patterns and formats are compared by text.
 *
 * Reader policy: `sub` is what a producer sends. Under the tolerant policy a producer sends no key
 * its object leaves `open` (additionalProperties absent or true) and does not declare.
 *
 * References: a pair met again below a constructor (an item or a property) is assumed to hold —
 * documents are finite, so a counterexample would have to be found at a smaller depth first. A
 * pair met again without a constructor in between is not assumed.
 */
import type { Policy } from "../types.js";
import { Algebra, finiteLanguage, inRegion, integerRange, isMultiple, positionOf, Unsupported, valueSchema } from "./algebra.js";
import { ANY, NEVER, all, familyOf, schemaKey, stringAtom, type ArrayAtom, type Atom, type Bound, type Json, type NumberAtom, type ObjectAtom, type Schema, type StringAtom } from "./schema.js";

/** Steps one inclusion may take before giving up (and reporting breaking). */
const BUDGET = 2_000_000;

/** Nesting of one inclusion check beyond which it gives up (and reports breaking). */
const MAX_DEPTH = 160;

/** Whether `a` is a multiple of `b` for every multiple of `a`, safely in floating point (dyadic values only). */
function multipleSafe(a: number, b: number): boolean {
  const dyadic = (value: number): boolean => Number.isInteger(value * 1024) && Math.abs(value) < 2 ** 40;
  return dyadic(a) && dyadic(b) && b !== 0 && isMultiple(a, b);
}

function lowerWithin(sub: Bound | undefined, sup: Bound | undefined): boolean {
  if (sup === undefined) return true;
  if (sub === undefined) return false;
  if (sub.value !== sup.value) return sub.value > sup.value;
  return sub.exclusive || !sup.exclusive;
}

function upperWithin(sub: Bound | undefined, sup: Bound | undefined): boolean {
  if (sup === undefined) return true;
  if (sub === undefined) return false;
  if (sub.value !== sup.value) return sub.value < sup.value;
  return sub.exclusive || !sup.exclusive;
}

/** Nodes a comparison may meet again (rebuilt) while unfolding a recursive schema. */
const LAZY = new Set<Schema["kind"]>(["ref", "all", "union", "not"]);

type Region = { pattern: string; schema: Schema } | { names: string[]; patterns: string[]; schema: Schema };

export class Inclusion {
  private steps = 0;
  private depth = 0;
  private constructors = 0;
  private readonly active = new Map<string, number>();
  /** Why the last failed check failed, when a complement had no form. */
  unsupported?: Unsupported;

  constructor(
    readonly algebra: Algebra,
    private readonly policy: Policy,
    /** Structural equality that ignores references (shared with the walker's shape cache). */
    private readonly sameShape: (a: Schema, b: Schema) => boolean,
  ) {}

  includes(sub: Schema, sup: Schema): boolean {
    if (++this.steps > BUDGET || this.depth > MAX_DEPTH) return false;
    if (sup.kind === "any" || sup.kind === "open" || sub.kind === "never") return true;
    if (sub === sup || this.sameShape(sub, sup)) return true;
    this.depth++;
    try {
      return this.includesGuarded(sub, sup);
    } finally {
      this.depth--;
    }
  }

  private includesGuarded(sub: Schema, sup: Schema): boolean {
    if (LAZY.has(sub.kind) || LAZY.has(sup.kind)) {
      const key = `${schemaKey(sub)}|${schemaKey(sup)}`;
      const entered = this.active.get(key);
      if (entered !== undefined) return this.constructors > entered;
      this.active.set(key, this.constructors);
      try {
        return this.includesAtoms(sub, sup);
      } finally {
        this.active.delete(key);
      }
    }
    return this.includesAtoms(sub, sup);
  }

  private includesAtoms(sub: Schema, sup: Schema): boolean {
    let subAtoms: Atom[];
    let supAtoms: Atom[];
    try {
      subAtoms = this.algebra.expand(sub);
      supAtoms = this.algebra.expand(sup);
    } catch (error) {
      if (error instanceof Unsupported) {
        this.unsupported = error;
        return false;
      }
      throw error;
    }
    return subAtoms.every((atom) => this.split(atom).every((piece) => this.atomIncluded(piece, supAtoms)));
  }

  /**
   * An object atom with dependencies (`dependentRequired`, `dependentSchemas`) as the cases it
   * stands for: the key absent, or present with what it brings. Past a few dependencies they are
   * dropped instead (a larger set: safe on this side).
   */
  private split(atom: Atom, depth = 0): Atom[] {
    if (atom.kind !== "object" || (atom.dependentRequired.length === 0 && atom.dependentSchemas.length === 0)) return [atom];
    if (depth >= 6) return [{ ...atom, dependentRequired: [], dependentSchemas: [] }];
    const names = atom.dependentRequired.find((dependency) => atom.required.includes(dependency.key));
    if (names !== undefined) {
      const required = [...new Set([...atom.required, ...names.names])];
      const assumed = [...(atom.assumed ?? []), ...names.names.filter((name) => !atom.required.includes(name))];
      return this.split({ ...atom, required, assumed, dependentRequired: atom.dependentRequired.filter((dependency) => dependency !== names) }, depth);
    }
    const schema = atom.dependentSchemas.find((dependency) => atom.required.includes(dependency.key));
    if (schema !== undefined) {
      const rest: ObjectAtom = { ...atom, dependentSchemas: atom.dependentSchemas.filter((dependency) => dependency !== schema) };
      return this.algebra.intersectLists([rest], this.algebra.expand(schema.schema)).flatMap((piece) => this.split(piece, depth + 1));
    }
    const next = (atom.dependentRequired[0]?.key ?? atom.dependentSchemas[0]?.key)!;
    const absent: ObjectAtom = {
      ...atom,
      properties: [...atom.properties, { name: next, schema: NEVER }],
      dependentRequired: atom.dependentRequired.filter((dependency) => dependency.key !== next),
      dependentSchemas: atom.dependentSchemas.filter((dependency) => dependency.key !== next),
    };
    const present: ObjectAtom = { ...atom, required: [...atom.required, next], assumed: [...(atom.assumed ?? []), next] };
    return [...this.split(absent, depth + 1), ...this.split(present, depth + 1)];
  }

  private atomIncluded(atom: Atom, supAtoms: Atom[]): boolean {
    if (this.algebra.atomNever(atom, 1) || this.unsendable(atom)) return true;
    const values = this.finiteValues(atom);
    if (values !== undefined) return values.every((value) => supAtoms.some((candidate) => this.algebra.acceptsAtom(candidate, value) === true));
    const candidates = supAtoms.filter((candidate) => candidate.kind === atom.kind || (candidate.kind === "const" && familyOf(candidate) === atom.kind));
    if (candidates.some((candidate) => candidate.kind === atom.kind && this.atomSub(atom, candidate))) return true;
    // Covered only by several alternatives together (an if/then/else, intervals, a split): the
    // atom without all of them must be empty. Their complement is exact; emptiness is shown or not.
    if (candidates.length < 2) return false;
    try {
      const rest = this.algebra.intersectLists([atom], this.algebra.complementList(candidates, ""));
      return rest.every((piece) => this.algebra.atomNever(piece, 2));
    } catch (error) {
      if (error instanceof Unsupported) return false;
      throw error;
    }
  }

  /**
   * An object no producer can send: only declared names can be sent (no pattern; every other key
   * closed, or open and so never sent by a tolerant producer), and fewer of them can be present
   * than minProperties asks for.
   */
  private unsendable(atom: Atom): boolean {
    if (atom.kind !== "object" || atom.minProperties === 0 || atom.patterns.length > 0 || atom.additional.length === 0) return false;
    const tolerant = this.policy === "tolerant";
    if (!atom.additional.every((rule) => rule.schema.kind === "never" || (tolerant && rule.schema.kind === "open"))) return false;
    const declared = declaredNames(atom);
    const possible = [...declared].filter(
      (key) => atom.propertyNames.every((names) => this.algebra.accepts(names, key) !== false) && !this.algebra.isNever(valueSchema(atom, key, "any"), 1),
    );
    return possible.length < atom.minProperties;
  }

  /** The values of an atom when there are few of them (consts, short integer ranges, empty containers). */
  private finiteValues(atom: Atom): Json[] | undefined {
    const accepted = (candidates: Json[]): Json[] => candidates.filter((value) => this.algebra.acceptsAtom(atom, value) !== false);
    switch (atom.kind) {
      case "const":
        return atom.values;
      case "number": {
        if (!atom.integer) return undefined;
        const { lo, hi } = integerRange(atom);
        if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi - lo > 32) return undefined;
        const candidates: number[] = [];
        for (let value = lo; value <= hi; value++) candidates.push(value);
        return accepted(candidates);
      }
      case "string":
        return atom.maxLength === 0 ? accepted([""]) : undefined;
      case "array":
        return atom.maxItems === 0 ? accepted([[]]) : undefined;
      case "object":
        return atom.maxProperties === 0 ? accepted([{}]) : undefined;
    }
  }

  private excluded(atom: Atom, sup: Atom): boolean {
    return sup.kind === "const" || sup.exclude.every((value) => this.algebra.acceptsAtom(atom, value) === false);
  }

  private atomSub(atom: Atom, sup: Atom): boolean {
    if (!this.excluded(atom, sup)) return false;
    switch (atom.kind) {
      case "number":
        return this.numberSub(atom, sup as NumberAtom);
      case "string":
        return this.stringSub(atom, sup as StringAtom);
      case "array":
        return this.arraySub(atom, sup as ArrayAtom);
      case "object":
        return this.objectSub(atom, sup as ObjectAtom);
      default:
        return false;
    }
  }

  private numberSub(atom: NumberAtom, sup: NumberAtom): boolean {
    const integral = atom.integer || atom.multipleOf.some((multiple) => Number.isInteger(multiple));
    if (sup.integer && !integral) return false;
    let minimum = atom.minimum;
    let maximum = atom.maximum;
    if (integral) {
      const { lo, hi } = integerRange({ ...atom, integer: true });
      if (Number.isFinite(lo)) minimum = { value: lo, exclusive: false };
      if (Number.isFinite(hi)) maximum = { value: hi, exclusive: false };
    }
    if (!lowerWithin(minimum, sup.minimum) || !upperWithin(maximum, sup.maximum)) return false;
    const multiples = [...atom.multipleOf, ...(integral ? [1] : [])];
    if (!sup.multipleOf.every((divisor) => multiples.some((multiple) => multipleSafe(multiple, divisor)))) return false;
    if (!sup.notMultipleOf.every((divisor) => atom.notMultipleOf.some((own) => multipleSafe(divisor, own)))) return false;
    return sup.formats.every((format) => atom.formats.includes(format)) && sup.notFormats.every((format) => atom.notFormats.includes(format));
  }

  private stringSub(atom: StringAtom, sup: StringAtom): boolean {
    if (sup.minLength > atom.minLength) return false;
    if (sup.maxLength !== undefined && (atom.maxLength === undefined || atom.maxLength > sup.maxLength)) return false;
    return (
      sup.patterns.every((pattern) => atom.patterns.includes(pattern)) &&
      sup.notPatterns.every((pattern) => atom.notPatterns.includes(pattern)) &&
      sup.formats.every((format) => atom.formats.includes(format)) &&
      sup.notFormats.every((format) => atom.notFormats.includes(format))
    );
  }

  /** The lengths an array atom allows, with positions that admit nothing cutting it short. */
  arrayLengths(atom: ArrayAtom): { min: number; max: number } {
    let max = atom.maxItems ?? Infinity;
    for (let index = 0; index < atom.prefix.length && index < max; index++) {
      if (this.algebra.isNever(atom.prefix[index]!, 1)) max = index;
    }
    if (max > atom.prefix.length && this.algebra.isNever(atom.items, 1)) max = atom.prefix.length;
    return { min: atom.minItems, max };
  }

  private arraySub(atom: ArrayAtom, sup: ArrayAtom): boolean {
    const lengths = this.arrayLengths(atom);
    // `contains` needs `min` matching items at or after `from`: the array is at least that long.
    const min = Math.max(lengths.min, ...atom.contains.map((contains) => (contains.from ?? 0) + contains.min));
    const max = lengths.max;
    if (min > max) return true;
    if (sup.minItems > min || (sup.maxItems !== undefined && max > sup.maxItems)) return false;
    if (sup.unique && !atom.unique && max > 1) return false;
    if (sup.duplicates && !atom.duplicates) return false;
    this.constructors++;
    try {
      const shared = Math.max(atom.prefix.length, sup.prefix.length);
      for (let index = 0; index < shared && index < max; index++) {
        if (!this.includes(positionOf(atom, index), positionOf(sup, index))) return false;
      }
      if (max > shared && !this.includes(atom.items, sup.items)) return false;
      for (const contains of sup.contains) {
        const from = contains.from ?? 0;
        if (contains.min > 0) {
          let lower = 0;
          for (const own of atom.contains) if (own.min > lower && (own.from ?? 0) >= from && this.includes(own.schema, contains.schema)) lower = own.min;
          let positional = 0;
          for (let index = from; index < min && lower < contains.min; index++) {
            if (index >= atom.prefix.length) {
              if (this.includes(atom.items, contains.schema)) positional += min - index;
              break;
            }
            if (this.includes(atom.prefix[index]!, contains.schema)) positional++;
          }
          if (Math.max(lower, positional) < contains.min) return false;
        }
        if (contains.max !== undefined) {
          let upper = Infinity;
          for (const own of atom.contains) if (own.max !== undefined && own.max < upper && (own.from ?? 0) <= from && this.includes(contains.schema, own.schema)) upper = own.max;
          let positional = 0;
          for (let index = from; index < atom.prefix.length && index < max; index++) {
            if (!this.algebra.isNever(all([atom.prefix[index]!, contains.schema]), 1)) positional++;
          }
          const start = Math.max(from, atom.prefix.length);
          if (max > start && !this.algebra.isNever(all([atom.items, contains.schema]), 1)) positional += max - start;
          if (Math.min(upper, positional) > contains.max) return false;
        }
      }
      return true;
    } finally {
      this.constructors--;
    }
  }

  /** The names an object atom's `propertyNames` limit it to, when they are finitely many. */
  private finiteKeys(atom: ObjectAtom): string[] | undefined {
    let keys: string[] | undefined;
    for (const names of atom.propertyNames) {
      let atoms: Atom[];
      try {
        atoms = this.algebra.expand(names);
      } catch {
        continue;
      }
      const strings = atoms.filter((each) => each.kind === "const" || each.kind === "string");
      if (!strings.every((each) => each.kind === "const")) continue;
      const values = strings.flatMap((each) => (each.kind === "const" ? each.values.filter((value): value is string => typeof value === "string") : []));
      keys = keys === undefined ? values : keys.filter((key) => values.includes(key));
    }
    return keys;
  }

  private objectSub(atom: ObjectAtom, sup: ObjectAtom): boolean {
    const tolerant = this.policy === "tolerant";
    const declared = declaredNames(atom);
    const openAs = (key: string): "any" | "never" => (tolerant && !declared.has(key) ? "never" : "any");
    const finite = this.finiteKeys(atom);
    const names = new Set<string>([
      ...declared,
      ...sup.properties.map((property) => property.name),
      ...sup.required,
      ...[...atom.dependentRequired, ...sup.dependentRequired].flatMap((dependency) => [dependency.key, ...dependency.names]),
      ...[...atom.dependentSchemas, ...sup.dependentSchemas].map((dependency) => dependency.key),
      ...(finite ?? []),
    ]);
    const ownValue = (key: string): Schema => {
      if (finite !== undefined && !finite.includes(key)) return NEVER;
      if (atom.propertyNames.some((schema) => this.algebra.accepts(schema, key) === false)) return NEVER;
      return valueSchema(atom, key, openAs(key));
    };
    const present = new Map<string, boolean>();
    // Required names that fill maxProperties leave no room for any other key.
    const full = atom.maxProperties !== undefined && atom.required.length >= atom.maxProperties;
    const mayHave = (key: string): boolean => {
      let result = present.get(key);
      if (result === undefined) {
        result = !(full && !atom.required.includes(key)) && !this.algebra.isNever(ownValue(key), 1);
        present.set(key, result);
      }
      return result;
    };
    // A required key that cannot be present (a tolerant producer does not send it): no document.
    if (atom.required.some((key) => !mayHave(key))) return true;
    this.constructors++;
    try {
      for (const key of names) {
        if (sup.required.includes(key) && !atom.required.includes(key)) return false;
        if (!mayHave(key)) continue;
        if (!sup.propertyNames.every((schema) => this.algebra.accepts(schema, key) === true)) return false;
        if (!this.includes(ownValue(key), valueSchema(sup, key, "any"))) return false;
      }
      const regions: Region[] = [];
      if (finite === undefined) {
        // A key no name and no pattern covers lies in every additional rule's region at once; a key
        // matching a pattern lies in that pattern's region and in the rules that do not list it.
        const rules = atom.additional.map((rule) => (rule.schema.kind === "open" ? (tolerant ? NEVER : ANY) : rule.schema));
        const patterns = atom.patterns.map((rule) => rule.pattern);
        regions.push({ names: [], patterns, schema: all(rules) });
        for (const rule of atom.patterns) {
          // A pattern that matches only names compared above leaves no key of its own.
          if (onlyNames(rule.pattern, names)) continue;
          const others = atom.additional.filter((each) => !each.patterns.includes(rule.pattern)).map((each) => (each.schema.kind === "open" ? (tolerant ? NEVER : ANY) : each.schema));
          regions.push({ pattern: rule.pattern, schema: all([rule.schema, ...others]) });
        }
      }
      const live = regions.filter((region) => !this.algebra.isNever(region.schema, 1));
      if (live.length > 0) {
        const rules: Region[] = [...sup.patterns.map((rule) => ({ pattern: rule.pattern, schema: rule.schema })), ...sup.additional];
        for (const rule of rules) {
          if (rule.schema.kind === "any" || rule.schema.kind === "open") continue;
          if ("pattern" in rule && onlyNames(rule.pattern, names)) continue;
          for (const region of live) if (overlap(region, rule) && !this.includes(region.schema, rule.schema)) return false;
        }
        for (const schema of sup.propertyNames) {
          for (const region of live) if (!this.includes(this.regionKeys(region, atom, names), schema)) return false;
        }
        if (sup.maxProperties !== undefined && (atom.maxProperties === undefined || atom.maxProperties > sup.maxProperties)) return false;
      }
      if (sup.minProperties > Math.max(atom.minProperties, atom.required.length)) return false;
      if (sup.maxProperties !== undefined && live.length === 0) {
        const count = [...names].filter((key) => mayHave(key)).length;
        if (Math.min(count, atom.maxProperties ?? Infinity) > sup.maxProperties) return false;
      }
      for (const dependency of sup.dependentRequired) {
        if (!mayHave(dependency.key)) continue;
        const closure = this.requiredClosure(atom, dependency.key);
        if (!dependency.names.every((name) => closure.has(name))) return false;
      }
      for (const dependency of sup.dependentSchemas) {
        if (!mayHave(dependency.key)) continue;
        if (!this.includes({ ...atom, required: [...this.requiredClosure(atom, dependency.key)] }, dependency.schema)) return false;
      }
      for (const exists of sup.someKeys) {
        const region = JSON.stringify(exists.region);
        const shown =
          atom.someKeys.some((own) => JSON.stringify(own.region) === region && this.includes(own.schema, exists.schema)) ||
          atom.required.some((key) => inRegion(exists.region, key, (schema, text) => this.algebra.accepts(schema, text)) === true && this.includes(ownValue(key), exists.schema));
        if (!shown) return false;
      }
      return true;
    } finally {
      this.constructors--;
    }
  }

  /** Keys a region of an object atom may hold, as a string schema (with the atom's propertyNames). */
  private regionKeys(region: Region, atom: ObjectAtom, named: Set<string>): Schema {
    const keys: StringAtom = "pattern" in region ? { ...stringAtom(), patterns: [region.pattern] } : { ...stringAtom(), notPatterns: [...region.patterns], exclude: [...new Set([...region.names, ...named])] };
    return all([keys, ...atom.propertyNames]);
  }

  /** The keys an object of `atom` holds once `key` is present (with what dependentRequired adds). */
  private requiredClosure(atom: ObjectAtom, key: string): Set<string> {
    const closure = new Set([...atom.required, key]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const dependency of atom.dependentRequired) {
        if (!closure.has(dependency.key)) continue;
        for (const name of dependency.names) {
          if (!closure.has(name)) {
            closure.add(name);
            changed = true;
          }
        }
      }
    }
    return closure;
  }
}

/** Whether two key regions may share a key (only told apart when one excludes the other's pattern). */
/** The names an object atom declares: its properties, and required names no case only assumes. */
function declaredNames(atom: ObjectAtom): Set<string> {
  return new Set([...atom.properties.map((property) => property.name), ...atom.required.filter((name) => !(atom.assumed ?? []).includes(name))]);
}

/** Whether every key `pattern` matches is one of `names` (a short finite pattern such as `^(in|out)$`). */
function onlyNames(pattern: string, names: Set<string>): boolean {
  return finiteLanguage(pattern)?.every((word) => names.has(word)) ?? false;
}

function overlap(a: Region, b: Region): boolean {
  if ("pattern" in a && "pattern" in b) return true;
  if ("pattern" in a) return !(b as { patterns: string[] }).patterns.includes(a.pattern);
  if ("pattern" in b) return !a.patterns.includes(b.pattern);
  return true;
}
