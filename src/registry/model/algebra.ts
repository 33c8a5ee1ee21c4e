/**
 * Set algebra over the comparer model: normalize a schema one level into a disjunction of atoms
 * (`expand`), intersect atoms (`allOf`), complement them (`not`, `else`, overlapping `oneOf`), decide
 * whether a concrete value is accepted (`accepts`, three-valued: a format is never evaluated), and
 * whether a schema is surely empty (`isNever`).
 *
 * Children stay lazy: intersecting two arrays intersects their item schemas as an `all` node and
 * complementing an object with a property complements the property's schema as a `not` node, so
 * recursive schemas are never unfolded beyond what a comparison looks at.
 */
import {
  ANY,
  SchemaInputError,
  all,
  anyAtoms,
  arrayAtom,
  constAtom,
  familyOf,
  familyOfValue,
  includesValue,
  jsonEqual,
  numberAtom,
  objectAtom,
  stringAtom,
  type ArrayAtom,
  type Atom,
  type Bound,
  type ConstAtom,
  type Family,
  type Json,
  type KeyRegion,
  type NumberAtom,
  type ObjectAtom,
  type RefSchema,
  type Schema,
  type StringAtom,
} from "./schema.js";

/** Resolves references into either document. */
export interface Resolver {
  resolve(ref: RefSchema): Schema;
}

/** A complement or normalization with no form in the model: the keyword fails closed. */
export class Unsupported extends Error {
  constructor(
    readonly pointer: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** More alternatives than this in one normalized schema are not enumerated (fail closed). */
const MAX_ATOMS = 256;
/** Atom operations one comparison may spend; past it the comparison fails closed. */
const WORK_BUDGET = 400_000;

const regexCache = new Map<string, RegExp | null>();

/** The pattern as ajv compiles it (`u` flag); null when it is not a valid regular expression. */
export function compilePattern(pattern: string): RegExp | null {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, "u");
    } catch {
      regex = null;
    }
    regexCache.set(pattern, regex);
  }
  return regex;
}

/** Most words `finiteLanguage` lists. */
const MAX_WORDS = 64;

/**
 * Every string a pattern matches, when it is a short finite list: `^…$` around one sequence, or one
 * group of `|` alternatives, of ASCII letters, digits, `_`, `-`, escaped punctuation and character
 * classes (`[ab]`, `[a-c]`), with no quantifier. Undefined for anything else (`^x_`, `a+`, `.`).
 */
export function finiteLanguage(pattern: string): string[] | undefined {
  const cached = languageCache.get(pattern);
  if (cached !== undefined || languageCache.has(pattern)) return cached;
  const body = /^\^(.*)\$$/s.exec(pattern)?.[1];
  let words: string[] | undefined;
  if (body !== undefined) {
    const group = /^\((?:\?:)?([^()]*)\)$/.exec(body);
    const alternatives = group ? group[1]!.split("|") : body.includes("|") ? undefined : [body];
    words = alternatives?.reduce<string[] | undefined>((found, alternative) => {
      const own = sequenceWords(alternative);
      return found === undefined || own === undefined ? undefined : [...found, ...own];
    }, []);
    if (words !== undefined && (words.length > MAX_WORDS || !words.every((word) => matches(pattern, word) === true))) words = undefined;
  }
  languageCache.set(pattern, words);
  return words;
}

const languageCache = new Map<string, string[] | undefined>();

function sequenceWords(sequence: string): string[] | undefined {
  let words = [""];
  for (let index = 0; index < sequence.length; ) {
    const char = sequence[index]!;
    let options: string[];
    if (char === "[") {
      const end = sequence.indexOf("]", index + 1);
      const inner = end < 0 ? "" : sequence.slice(index + 1, end);
      if (inner === "" || !/^[A-Za-z0-9_-]+$/.test(inner) || inner.startsWith("-")) return undefined;
      options = [];
      for (let at = 0; at < inner.length; at++) {
        if (inner[at + 1] === "-" && at + 2 < inner.length) {
          const from = inner.charCodeAt(at);
          const to = inner.charCodeAt(at + 2);
          if (to < from) return undefined;
          for (let code = from; code <= to; code++) options.push(String.fromCharCode(code));
          at += 2;
        } else options.push(inner[at]!);
      }
      index = end + 1;
    } else if (/[A-Za-z0-9_-]/.test(char)) {
      options = [char];
      index++;
    } else if (char === "\\" && /[.\-_/$^*+?()[\]{}|\\]/.test(sequence[index + 1] ?? "")) {
      options = [sequence[index + 1]!];
      index += 2;
    } else return undefined;
    if (/[*+?{]/.test(sequence[index] ?? "")) return undefined;
    words = words.flatMap((word) => options.map((option) => word + option));
    if (words.length > MAX_WORDS) return undefined;
  }
  return words;
}

function matches(pattern: string, text: string): boolean | undefined {
  const regex = compilePattern(pattern);
  return regex === null ? undefined : regex.test(text);
}

/** Number of Unicode code points, as JSON Schema counts string length. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Whether `value` is a multiple of `divisor`, exactly as ajv decides it. */
export function isMultiple(value: number, divisor: number): boolean {
  if (divisor === 0) return false;
  const ratio = value / divisor;
  return ratio === parseInt(String(ratio), 10);
}

type Tri = boolean | undefined;

function and(results: Iterable<Tri>): Tri {
  let unknown = false;
  for (const result of results) {
    if (result === false) return false;
    if (result === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

function or(results: Iterable<Tri>): Tri {
  let unknown = false;
  for (const result of results) {
    if (result === true) return true;
    if (result === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

export function flipBound(bound: Bound): Bound {
  return { value: bound.value, exclusive: !bound.exclusive };
}

/** The tighter of two lower (or upper) bounds. */
export function tighterBound(a: Bound | undefined, b: Bound | undefined, side: "lower" | "upper"): Bound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.value !== b.value) return (side === "lower" ? a.value > b.value : a.value < b.value) ? a : b;
  return a.exclusive ? a : b;
}

/** An integer atom's bounds as inclusive integers (±Infinity when unbounded). */
export function integerRange(atom: NumberAtom): { lo: number; hi: number } {
  let lo = -Infinity;
  let hi = Infinity;
  if (atom.minimum) lo = atom.minimum.exclusive ? Math.floor(atom.minimum.value) + 1 : Math.ceil(atom.minimum.value);
  if (atom.maximum) hi = atom.maximum.exclusive ? Math.ceil(atom.maximum.value) - 1 : Math.floor(atom.maximum.value);
  return { lo, hi };
}

/** Splits a const atom by the family of its values (and keeps the `also` constraints that apply). */
function splitConst(atom: ConstAtom): ConstAtom[] {
  const groups = new Map<Family, Json[]>();
  for (const value of atom.values) {
    const family = familyOfValue(value);
    const list = groups.get(family) ?? [];
    if (!includesValue(list, value)) list.push(value);
    groups.set(family, list);
  }
  return [...groups.entries()].map(([family, values]) => {
    const also = atom.also?.filter((other) => other.kind === family || (family === "number" && other.kind === "number"));
    return also !== undefined && also.length > 0 ? { kind: "const", values, also } : constAtom(values);
  });
}

export class Algebra {
  private readonly expanding = new Set<string>();
  private cache = new WeakMap<Schema, Atom[]>();
  private work = 0;

  constructor(private readonly resolver: Resolver) {}

  /** Forgets expansions (a `oneOf` node was rewritten while the documents were read). */
  invalidate(): void {
    this.cache = new WeakMap();
  }

  private spend(amount = 1): void {
    this.work += amount;
    if (this.work > WORK_BUDGET) throw new Unsupported("", "the schemas are too complex to compare within the comparer's work budget");
  }

  resolve(ref: RefSchema): Schema {
    return this.resolver.resolve(ref);
  }

  /** Follows references (and one-member wrappers) to the schema a node stands for. */
  deref(schema: Schema): Schema {
    let current = schema;
    for (let step = 0; current.kind === "ref" && step < 64; step++) current = this.resolver.resolve(current);
    return current;
  }

  /**
   * The schema as a disjunction of atoms, one level deep (children stay lazy). Surely empty atoms
   * are dropped. A reference met again while it is being expanded (`A = anyOf[A, …]`, reached
   * without a property or an item in between) is an input error: validators recurse forever on it.
   */
  expand(schema: Schema): Atom[] {
    const cached = this.cache.get(schema);
    if (cached !== undefined) return cached;
    this.spend();
    const atoms = this.expandUncached(schema).filter((atom) => !this.atomNever(atom, 0));
    if (atoms.length > MAX_ATOMS) throw new Unsupported("", `it normalizes to more than ${MAX_ATOMS} alternatives`);
    this.cache.set(schema, atoms);
    return atoms;
  }

  private expandUncached(schema: Schema): Atom[] {
    switch (schema.kind) {
      case "any":
      case "open":
        return anyAtoms();
      case "never":
        return [];
      case "ref": {
        const key = `${schema.doc}:${schema.pointer}`;
        if (this.expanding.has(key)) {
          throw new SchemaInputError(`$ref "#${schema.pointer}" reaches itself without a property or an item in between, so no validator can evaluate it`, schema.doc);
        }
        this.expanding.add(key);
        try {
          return this.expand(this.resolver.resolve(schema));
        } finally {
          this.expanding.delete(key);
        }
      }
      case "union":
        return schema.members.flatMap((member) => this.expand(member));
      case "all":
        return schema.members.reduce<Atom[]>((atoms, member) => this.intersectLists(atoms, this.expand(member)), anyAtoms());
      case "not":
        return this.complementList(this.expand(schema.schema), schema.pointer);
      case "const":
        return splitConst(schema);
      default:
        return [schema];
    }
  }

  intersectLists(left: Atom[], right: Atom[]): Atom[] {
    this.spend(left.length * right.length);
    const result: Atom[] = [];
    for (const a of left) {
      for (const b of right) {
        const atom = this.intersectAtoms(a, b);
        if (atom !== undefined && !this.atomNever(atom, 0)) result.push(atom);
      }
    }
    if (result.length > MAX_ATOMS) throw new Unsupported("", `it normalizes to more than ${MAX_ATOMS} alternatives`);
    return result;
  }

  /** The intersection of two atoms; undefined when they are of different types. */
  intersectAtoms(a: Atom, b: Atom): Atom | undefined {
    if (a.kind === "const" || b.kind === "const") {
      const [values, other] = a.kind === "const" ? [a, b] : [b as ConstAtom, a];
      const kept: Json[] = [];
      const also: Atom[] = [...(values.also ?? [])];
      let undecided = false;
      for (const value of values.values) {
        const accepted = this.acceptsAtom(other, value);
        if (accepted === true) kept.push(value);
        else if (accepted === undefined) {
          kept.push(value);
          undecided = true;
        }
      }
      if (undecided && other.kind !== "const") also.push(other);
      if (other.kind === "const" && other.also) also.push(...other.also);
      return also.length > 0 ? { kind: "const", values: kept, also } : constAtom(kept);
    }
    if (a.kind !== b.kind) return undefined;
    switch (a.kind) {
      case "number": {
        const other = b as NumberAtom;
        const atom: NumberAtom = {
          kind: "number",
          integer: a.integer || other.integer,
          multipleOf: [...a.multipleOf, ...other.multipleOf],
          notMultipleOf: [...a.notMultipleOf, ...other.notMultipleOf],
          formats: [...new Set([...a.formats, ...other.formats])],
          notFormats: [...new Set([...a.notFormats, ...other.notFormats])],
          exclude: [...a.exclude, ...other.exclude],
        };
        const minimum = tighterBound(a.minimum, other.minimum, "lower");
        const maximum = tighterBound(a.maximum, other.maximum, "upper");
        if (minimum) atom.minimum = minimum;
        if (maximum) atom.maximum = maximum;
        return atom;
      }
      case "string": {
        const other = b as StringAtom;
        const atom: StringAtom = {
          kind: "string",
          minLength: Math.max(a.minLength, other.minLength),
          patterns: [...new Set([...a.patterns, ...other.patterns])],
          notPatterns: [...new Set([...a.notPatterns, ...other.notPatterns])],
          formats: [...new Set([...a.formats, ...other.formats])],
          notFormats: [...new Set([...a.notFormats, ...other.notFormats])],
          exclude: [...a.exclude, ...other.exclude],
        };
        const maxLength = minDefined(a.maxLength, other.maxLength);
        if (maxLength !== undefined) atom.maxLength = maxLength;
        return atom;
      }
      case "array": {
        const other = b as ArrayAtom;
        const length = Math.max(a.prefix.length, other.prefix.length);
        const prefix: Schema[] = [];
        for (let index = 0; index < length; index++) prefix.push(all([positionOf(a, index), positionOf(other, index)]));
        const atom: ArrayAtom = {
          kind: "array",
          prefix,
          items: all([a.items, other.items]),
          minItems: Math.max(a.minItems, other.minItems),
          contains: [...a.contains, ...other.contains],
          unique: a.unique || other.unique,
          duplicates: a.duplicates || other.duplicates,
          exclude: [...a.exclude, ...other.exclude],
        };
        const maxItems = minDefined(a.maxItems, other.maxItems);
        if (maxItems !== undefined) atom.maxItems = maxItems;
        return atom;
      }
      case "object": {
        const other = b as ObjectAtom;
        const properties = a.properties.map((property) => ({ ...property }));
        for (const property of other.properties) {
          const existing = properties.find((candidate) => candidate.name === property.name);
          if (existing) existing.schema = all([existing.schema, property.schema]);
          else properties.push({ ...property });
        }
        const atom: ObjectAtom = {
          kind: "object",
          properties,
          patterns: [...a.patterns, ...other.patterns],
          additional: [...a.additional, ...other.additional],
          required: [...new Set([...a.required, ...other.required])],
          propertyNames: [...a.propertyNames, ...other.propertyNames],
          minProperties: Math.max(a.minProperties, other.minProperties),
          dependentRequired: [...a.dependentRequired, ...other.dependentRequired],
          dependentSchemas: [...a.dependentSchemas, ...other.dependentSchemas],
          someKeys: [...a.someKeys, ...other.someKeys],
          exclude: [...a.exclude, ...other.exclude],
        };
        const maxProperties = minDefined(a.maxProperties, other.maxProperties);
        if (maxProperties !== undefined) atom.maxProperties = maxProperties;
        if (a.assumed !== undefined || other.assumed !== undefined) {
          const declared = new Set([a, other].flatMap((each) => each.required.filter((name) => !(each.assumed ?? []).includes(name))));
          atom.assumed = atom.required.filter((name) => !declared.has(name));
        }
        return atom;
      }
    }
  }

  /** ¬(a₁ ∨ a₂ ∨ …) as a disjunction of atoms. */
  complementList(atoms: Atom[], pointer: string): Atom[] {
    let result = anyAtoms();
    for (const atom of atoms) result = this.intersectLists(result, this.complementAtom(atom, pointer));
    return result;
  }

  /** ¬a: every other type, and for a's type one atom per negated constraint. */
  complementAtom(atom: Atom, pointer: string): Atom[] {
    const unsupported = (reason: string): never => {
      throw new Unsupported(pointer, reason);
    };
    const family = familyOf(atom);
    const others = anyAtoms().filter((candidate) => familyOf(candidate) !== family);
    if (atom.kind === "const") {
      if (atom.also !== undefined && atom.also.length > 0) unsupported("its complement needs a format decided on values");
      const result: Atom[] = [];
      for (const candidate of anyAtoms()) {
        const own = atom.values.filter((value) => familyOfValue(value) === familyOf(candidate));
        if (own.length === 0) result.push(candidate);
        else if (candidate.kind === "const") {
          const rest = candidate.values.filter((value) => !includesValue(own, value));
          if (rest.length > 0) result.push(constAtom(rest));
        } else result.push({ ...candidate, exclude: own } as Atom);
      }
      return result;
    }
    const result: Atom[] = [...others];
    if (atom.exclude.length > 0) result.push(constAtom(atom.exclude));
    switch (atom.kind) {
      case "number": {
        if (atom.integer) result.push({ ...numberAtom(), notMultipleOf: [1] });
        if (atom.minimum) result.push({ ...numberAtom(), maximum: flipBound(atom.minimum) });
        if (atom.maximum) result.push({ ...numberAtom(), minimum: flipBound(atom.maximum) });
        for (const multiple of atom.multipleOf) result.push({ ...numberAtom(), notMultipleOf: [multiple] });
        for (const multiple of atom.notMultipleOf) result.push({ ...numberAtom(), multipleOf: [multiple] });
        for (const format of atom.formats) result.push({ ...numberAtom(), notFormats: [format] });
        for (const format of atom.notFormats) result.push({ ...numberAtom(), formats: [format] });
        return result;
      }
      case "string": {
        if (atom.minLength > 0) result.push({ ...stringAtom(), maxLength: atom.minLength - 1 });
        if (atom.maxLength !== undefined) result.push({ ...stringAtom(), minLength: atom.maxLength + 1 });
        for (const pattern of atom.patterns) result.push({ ...stringAtom(), notPatterns: [pattern] });
        for (const pattern of atom.notPatterns) result.push({ ...stringAtom(), patterns: [pattern] });
        for (const format of atom.formats) result.push({ ...stringAtom(), notFormats: [format] });
        for (const format of atom.notFormats) result.push({ ...stringAtom(), formats: [format] });
        return result;
      }
      case "array": {
        if (atom.minItems > 0) result.push({ ...arrayAtom(), maxItems: atom.minItems - 1 });
        if (atom.maxItems !== undefined) result.push({ ...arrayAtom(), minItems: atom.maxItems + 1 });
        atom.prefix.forEach((schema, index) => {
          if (schema.kind === "any") return;
          const prefix: Schema[] = atom.prefix.slice(0, index).map(() => ANY);
          prefix.push({ kind: "not", schema, pointer });
          result.push({ ...arrayAtom(), prefix, minItems: index + 1 });
        });
        if (atom.items.kind !== "any") {
          if (atom.items.kind === "never") result.push({ ...arrayAtom(), minItems: atom.prefix.length + 1 });
          else result.push({ ...arrayAtom(), contains: [{ schema: { kind: "not", schema: atom.items, pointer }, min: 1, ...(atom.prefix.length > 0 ? { from: atom.prefix.length } : {}) }] });
        }
        for (const contains of atom.contains) {
          const from = contains.from !== undefined ? { from: contains.from } : {};
          if (contains.min > 0) result.push({ ...arrayAtom(), contains: [{ schema: contains.schema, min: 0, max: contains.min - 1, ...from }] });
          if (contains.max !== undefined) result.push({ ...arrayAtom(), contains: [{ schema: contains.schema, min: contains.max + 1, ...from }] });
        }
        if (atom.unique) result.push({ ...arrayAtom(), duplicates: true });
        if (atom.duplicates) result.push({ ...arrayAtom(), unique: true });
        return result;
      }
      case "object": {
        for (const name of atom.required) result.push({ ...objectAtom(), properties: [{ name, schema: { kind: "never" } }] });
        for (const property of atom.properties) {
          if (property.schema.kind === "any" || property.schema.kind === "open") continue;
          result.push({ ...objectAtom(), required: [property.name], properties: [{ name: property.name, schema: { kind: "not", schema: property.schema, pointer } }] });
        }
        const not = (schema: Schema): Schema => ({ kind: "not", schema, pointer });
        for (const rule of atom.patterns) {
          if (rule.schema.kind !== "any" && rule.schema.kind !== "open") result.push({ ...objectAtom(), someKeys: [{ region: { pattern: rule.pattern }, schema: not(rule.schema) }] });
        }
        for (const rule of atom.additional) {
          if (rule.schema.kind !== "any" && rule.schema.kind !== "open") result.push({ ...objectAtom(), someKeys: [{ region: { names: rule.names, patterns: rule.patterns }, schema: not(rule.schema) }] });
        }
        for (const names of atom.propertyNames) if (names.kind !== "any") result.push({ ...objectAtom(), someKeys: [{ region: { keys: not(names) }, schema: ANY }] });
        for (const exists of atom.someKeys) {
          const region = exists.region;
          if ("keys" in region) {
            if (exists.schema.kind !== "any") unsupported(`the complement of a key condition has no form in the comparer`);
            result.push({ ...objectAtom(), propertyNames: [not(region.keys)] });
          } else if ("pattern" in region) result.push({ ...objectAtom(), patterns: [{ pattern: region.pattern, schema: not(exists.schema) }] });
          else result.push({ ...objectAtom(), additional: [{ names: region.names, patterns: region.patterns, schema: not(exists.schema) }] });
        }
        if (atom.minProperties > 0) result.push({ ...objectAtom(), maxProperties: atom.minProperties - 1 });
        if (atom.maxProperties !== undefined) result.push({ ...objectAtom(), minProperties: atom.maxProperties + 1 });
        for (const dependency of atom.dependentRequired) {
          for (const name of dependency.names) result.push({ ...objectAtom(), required: [dependency.key], properties: [{ name, schema: { kind: "never" } }] });
        }
        // The key present and the object failing the schema; kept lazy (as a dependent schema of a
        // required key) so that a schema depending on itself is not unfolded here.
        for (const dependency of atom.dependentSchemas) {
          result.push({ ...objectAtom(), required: [dependency.key], dependentSchemas: [{ key: dependency.key, schema: { kind: "not", schema: dependency.schema, pointer } }] });
        }
        return result;
      }
    }
  }

  /** Whether `schema` accepts `value`; undefined when that turns on a format. */
  accepts(schema: Schema, value: Json, depth = 0): Tri {
    if (depth > 64) return undefined;
    this.spend();
    switch (schema.kind) {
      case "any":
      case "open":
        return true;
      case "never":
        return false;
      case "ref":
        return this.accepts(this.resolver.resolve(schema), value, depth + 1);
      case "union":
        return or(schema.members.map((member) => this.accepts(member, value, depth + 1)));
      case "all":
        return and(schema.members.map((member) => this.accepts(member, value, depth + 1)));
      case "not": {
        const inner = this.accepts(schema.schema, value, depth + 1);
        return inner === undefined ? undefined : !inner;
      }
      default:
        return this.acceptsAtom(schema, value, depth);
    }
  }

  acceptsAtom(atom: Atom, value: Json, depth = 0): Tri {
    if (atom.kind === "const") {
      if (!includesValue(atom.values, value)) return false;
      return and((atom.also ?? []).map((other) => this.acceptsAtom(other, value, depth)));
    }
    if (familyOfValue(value) !== atom.kind) return false;
    if (includesValue(atom.exclude, value)) return false;
    switch (atom.kind) {
      case "number": {
        const number = value as number;
        if (atom.integer && !Number.isInteger(number)) return false;
        if (atom.minimum && (atom.minimum.exclusive ? number <= atom.minimum.value : number < atom.minimum.value)) return false;
        if (atom.maximum && (atom.maximum.exclusive ? number >= atom.maximum.value : number > atom.maximum.value)) return false;
        if (!atom.multipleOf.every((multiple) => isMultiple(number, multiple))) return false;
        if (atom.notMultipleOf.some((multiple) => isMultiple(number, multiple))) return false;
        return atom.formats.length + atom.notFormats.length > 0 ? undefined : true;
      }
      case "string": {
        const text = value as string;
        const length = codePoints(text);
        if (length < atom.minLength || (atom.maxLength !== undefined && length > atom.maxLength)) return false;
        const patterns = and([...atom.patterns.map((pattern) => matches(pattern, text)), ...atom.notPatterns.map((pattern) => not(matches(pattern, text)))]);
        if (patterns === false) return false;
        return atom.formats.length + atom.notFormats.length > 0 ? undefined : patterns;
      }
      case "array": {
        const items = value as Json[];
        if (items.length < atom.minItems || (atom.maxItems !== undefined && items.length > atom.maxItems)) return false;
        const results: Tri[] = items.map((item, index) => this.accepts(positionOf(atom, index), item, depth + 1));
        for (const contains of atom.contains) {
          const hits = items.slice(contains.from ?? 0).map((item) => this.accepts(contains.schema, item, depth + 1));
          const sure = hits.filter((hit) => hit === true).length;
          const maybe = hits.filter((hit) => hit !== false).length;
          if (maybe < contains.min || (contains.max !== undefined && sure > contains.max)) return false;
          if (sure < contains.min || (contains.max !== undefined && maybe > contains.max)) results.push(undefined);
        }
        const repeated = items.some((item, index) => items.findIndex((other) => jsonEqual(other, item)) !== index);
        if ((atom.unique && repeated) || (atom.duplicates && !repeated)) return false;
        return and(results);
      }
      case "object": {
        const object = value as { [key: string]: Json };
        const keys = Object.keys(object);
        if (keys.length < atom.minProperties || (atom.maxProperties !== undefined && keys.length > atom.maxProperties)) return false;
        if (!atom.required.every((name) => Object.hasOwn(object, name))) return false;
        for (const dependency of atom.dependentRequired) {
          if (Object.hasOwn(object, dependency.key) && !dependency.names.every((name) => Object.hasOwn(object, name))) return false;
        }
        const results: Tri[] = [];
        for (const key of keys) {
          results.push(this.accepts(valueSchema(atom, key, "any"), object[key]!, depth + 1));
          for (const names of atom.propertyNames) results.push(this.accepts(names, key, depth + 1));
        }
        for (const dependency of atom.dependentSchemas) {
          if (Object.hasOwn(object, dependency.key)) results.push(this.accepts(dependency.schema, value, depth + 1));
        }
        for (const exists of atom.someKeys) {
          results.push(or(keys.map((key) => and([inRegion(exists.region, key, (schema, text) => this.accepts(schema, text, depth + 1)), this.accepts(exists.schema, object[key]!, depth + 1)]))));
        }
        return and(results);
      }
    }
  }

  /** True only when no value is valid under the schema (looking `depth` levels into children). */
  isNever(schema: Schema, depth = 2): boolean {
    if (schema.kind === "never") return true;
    if (schema.kind === "any" || schema.kind === "open") return false;
    try {
      return this.expand(schema).every((atom) => this.atomNever(atom, depth));
    } catch (error) {
      if (error instanceof Unsupported) return false;
      throw error;
    }
  }

  atomNever(atom: Atom, depth: number): boolean {
    switch (atom.kind) {
      case "const":
        return atom.values.length === 0;
      case "number": {
        if (atom.integer || atom.multipleOf.some(Number.isInteger)) {
          const { lo, hi } = integerRange(atom);
          if (lo > hi) return true;
          if (hi - lo < 64 && Number.isFinite(lo)) {
            for (let candidate = lo; candidate <= hi; candidate++) if (this.acceptsAtom(atom, candidate) !== false) return false;
            return true;
          }
          return false;
        }
        const { minimum, maximum } = atom;
        if (!minimum || !maximum) return false;
        return minimum.value > maximum.value || (minimum.value === maximum.value && (minimum.exclusive || maximum.exclusive));
      }
      case "string":
        return atom.maxLength !== undefined && atom.maxLength < atom.minLength;
      case "array": {
        if (atom.maxItems !== undefined && atom.maxItems < atom.minItems) return true;
        // `contains` needs `min` matching items at or after `from`: the array is at least that long.
        if (atom.maxItems !== undefined && atom.contains.some((contains) => (contains.from ?? 0) + contains.min > atom.maxItems!)) return true;
        if (atom.duplicates && (atom.unique || (atom.maxItems !== undefined && atom.maxItems < 2))) return true;
        if (depth <= 0) return false;
        for (let index = 0; index < atom.minItems; index++) {
          if (this.isNever(positionOf(atom, index), depth - 1)) return true;
          if (index >= atom.prefix.length) break;
        }
        return false;
      }
      case "object": {
        if (atom.maxProperties !== undefined && (atom.maxProperties < atom.minProperties || atom.maxProperties < atom.required.length)) return true;
        // Closed (no pattern, every additional rule false): only the named keys can appear.
        if (atom.minProperties > 0 && atom.patterns.length === 0 && atom.additional.length > 0 && atom.additional.every((rule) => rule.schema.kind === "never")) {
          const possible = atom.properties.filter((property) => property.schema.kind !== "never" && atom.additional.every((rule) => rule.names.includes(property.name))).length;
          if (possible < atom.minProperties) return true;
        }
        for (const name of atom.required) {
          if (atom.propertyNames.some((names) => this.accepts(names, name) === false)) return true;
          if (depth > 0 && this.isNever(valueSchema(atom, name, "any"), depth - 1)) return true;
        }
        return false;
      }
    }
  }
}

function not(value: Tri): Tri {
  return value === undefined ? undefined : !value;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** Whether a key lies in a region (three-valued when the region is a key schema with a format). */
export function inRegion(region: KeyRegion, key: string, accepts: (schema: Schema, key: string) => Tri): Tri {
  if ("keys" in region) return accepts(region.keys, key);
  if ("pattern" in region) return matches(region.pattern, key);
  return !region.names.includes(key) && !region.patterns.some((pattern) => matches(pattern, key) !== false);
}

/** The schema items at `index` must meet. */
export function positionOf(atom: ArrayAtom, index: number): Schema {
  return index < atom.prefix.length ? atom.prefix[index]! : atom.items;
}

/**
 * The schema the value of `key` must meet in an object atom: its `properties` entry, every
 * matching `patternProperties` entry, and every `additional` rule whose schema object neither
 * names nor matches it. `open` rules count as `openAs` (a tolerant producer sends no such key).
 */
export function valueSchema(atom: ObjectAtom, key: string, openAs: "any" | "never"): Schema {
  const parts: Schema[] = [];
  for (const property of atom.properties) if (property.name === key) parts.push(property.schema);
  for (const rule of atom.patterns) if (matches(rule.pattern, key) !== false) parts.push(rule.schema);
  for (const rule of atom.additional) {
    if (rule.names.includes(key) || rule.patterns.some((pattern) => matches(pattern, key) !== false)) continue;
    parts.push(rule.schema.kind === "open" ? (openAs === "any" ? ANY : { kind: "never" }) : rule.schema);
  }
  return all(parts);
}
