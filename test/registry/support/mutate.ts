/**
 * Mutations of a random schema (the "current" side of a pair) and a producer's documents for a
 * schema. Mutations keep every schema satisfiable, so documents can be sampled from both sides.
 */
import fc from "fast-check";
import type { NumberNode, ObjectNode, TypeNode } from "../../../src/ir/types.js";
import type { Policy } from "../../../src/registry/types.js";
import type { RandomSchema } from "./random-schema.js";

const SIMPLE: TypeNode[] = [
  { kind: "string" },
  { kind: "number", integer: true },
  { kind: "number", integer: false },
  { kind: "boolean" },
  { kind: "enum", values: ["x", "y"] },
  { kind: "literal", value: "x" },
  { kind: "unknown" },
  { kind: "null" },
  { kind: "ref", name: "T1" },
];
const KEYS = ["a", "b", "c", "d"];
const WORDS = ["x", "y", "z", "w"];

interface Site {
  node: TypeNode;
  set(node: TypeNode): void;
  /** Inside a named type: no references there, so named types never recurse. */
  inDefinition: boolean;
}

function sites(schema: RandomSchema): Site[] {
  const found: Site[] = [];
  let inDefinition = false;
  const visit = (node: TypeNode, set: (node: TypeNode) => void): void => {
    found.push({ node, set, inDefinition });
    switch (node.kind) {
      case "object":
        node.fields.forEach((field) => visit(field.type, (next) => (field.type = next)));
        return;
      case "array":
        return visit(node.items, (next) => (node.items = next));
      case "tuple":
        node.items.forEach((item, index) => visit(item, (next) => (node.items[index] = next)));
        if (node.rest) visit(node.rest, (next) => (node.rest = next));
        return;
      case "record":
        return visit(node.values, (next) => (node.values = next));
      case "union":
        node.members.forEach((member, index) => visit(member, (next) => (node.members[index] = next)));
        return;
      case "nullable":
        return visit(node.inner, (next) => (node.inner = next));
      default:
        return;
    }
  };
  visit(schema.root, (next) => {
    if (next.kind === "object") schema.root = next;
  });
  inDefinition = true;
  // Named types stay objects: a definition that is only a reference to itself has no documents.
  schema.defs.forEach((def) =>
    visit(def.type, (next) => {
      if (next.kind === "object") def.type = next;
    }),
  );
  return found;
}

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length]!;

function fixNumber(node: NumberNode): void {
  const lowers = [node.minimum, node.exclusiveMinimum].filter((value): value is number => value !== undefined);
  const uppers = [node.maximum, node.exclusiveMaximum].filter((value): value is number => value !== undefined);
  const lower = lowers.length > 0 ? Math.max(...lowers) : undefined;
  const upper = uppers.length > 0 ? Math.min(...uppers) : undefined;
  if (lower !== undefined && upper !== undefined && upper - lower < 2) {
    delete node.maximum;
    delete node.exclusiveMaximum;
  }
  if (node.multipleOf !== undefined && lower !== undefined && upper !== undefined && upper - lower < 6) delete node.multipleOf;
}

function mutateKind(node: TypeNode, variant: number, n: number, set: (node: TypeNode) => void, pool: TypeNode[]): void {
  switch (node.kind) {
    case "object": {
      if (variant === 0) {
        const name = KEYS.find((key) => !node.fields.some((field) => field.name === key));
        if (name) node.fields.push({ name, type: structuredClone(pick(pool, n)), optional: n % 2 === 0 });
      } else if (node.fields.length > 0 && n % 3 === 0) node.fields.splice(n % node.fields.length, 1);
      else if (node.fields.length > 0 && n % 3 === 1) node.fields[n % node.fields.length]!.optional = !node.fields[n % node.fields.length]!.optional;
      else node.additional = pick<ObjectNode["additional"]>(["ignore", "reject", { kind: "unknown" }, { kind: "string" }], n);
      return;
    }
    case "string":
      if (variant === 0 && node.format !== undefined) return;
      if (variant === 0) {
        if (n % 2 === 0) node.minLength = Math.max(0, (node.minLength ?? 0) + (n % 4 === 0 ? 1 : -1));
        else if (node.maxLength === undefined) node.maxLength = (node.minLength ?? 0) + 2;
        else if (n % 3 === 0) delete node.maxLength;
        else node.maxLength += n % 5 === 0 ? 1 : -1;
        if (node.maxLength !== undefined && node.maxLength < (node.minLength ?? 0)) node.maxLength = node.minLength ?? 0;
      } else if (node.format !== undefined) delete node.format;
      else if (n % 3 === 0) set({ kind: "string", format: "uuid" });
      else if (n % 3 === 1) delete node.pattern;
      else node.pattern = pick(["^[a-c]*$", "^[a-z]*$"], n);
      return;
    case "number":
      if (variant === 0) {
        const key = pick(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const, n);
        if (node[key] === undefined) node[key] = (n % 9) - 4;
        else if (n % 4 === 0) delete node[key];
        else node[key] = node[key]! + (n % 2 === 0 ? 1 : -1);
      } else if (n % 2 === 0) node.integer = !node.integer;
      else if (node.multipleOf !== undefined) delete node.multipleOf;
      else node.multipleOf = pick([2, 3], n);
      fixNumber(node);
      return;
    case "enum":
      if (variant === 0) {
        const word = WORDS.find((candidate) => !node.values.includes(candidate));
        if (word) node.values.push(word);
      } else if (node.values.length > 1) node.values.splice(n % node.values.length, 1);
      return;
    case "literal":
      if (variant === 0) set({ kind: "literal", value: pick(WORDS, n) });
      else if (typeof node.value === "string") set({ kind: "enum", values: [...new Set([node.value, pick(WORDS, n)])] });
      return;
    case "array":
      if (variant === 0) node.minItems = Math.max(0, (node.minItems ?? 0) + (n % 2 === 0 ? 1 : -1));
      else if (node.maxItems === undefined) node.maxItems = (node.minItems ?? 0) + 1;
      else delete node.maxItems;
      if (node.maxItems !== undefined && node.maxItems < (node.minItems ?? 0)) node.maxItems = node.minItems ?? 0;
      if (node.minItems === 0) delete node.minItems;
      return;
    case "tuple":
      if (variant === 0) node.items.push(structuredClone(pick(pool, n)));
      else if (node.rest) delete node.rest;
      else node.rest = structuredClone(pick(pool, n));
      return;
    case "record":
      if (variant === 0) node.keys = n % 2 === 0 ? { kind: "string" } : { kind: "enum", values: [pick(WORDS, n)] };
      else node.values = structuredClone(pick(pool, n));
      return;
    case "union":
      if (variant === 0 && node.members.length > 1) {
        const index = n % node.members.length;
        node.members.splice(index, 1);
        node.tags?.splice(index, 1);
      } else if (node.discriminator !== undefined) {
        const tag = `k${node.members.length + (n % 3)}`;
        if (!node.tags?.includes(tag)) {
          node.members.push({ kind: "object", fields: [{ name: "t", type: { kind: "literal", value: tag }, optional: false }], additional: "ignore" });
          node.tags?.push(tag);
        }
      } else node.members.push(structuredClone(pick(pool, n)));
      return;
    case "nullable":
      set(variant === 0 ? node.inner : { kind: "nullable", inner: structuredClone(pick(pool.slice(0, 6), n)) });
      return;
    default:
      return;
  }
}

/** Applies each mutation (a triple of choices) in turn to a copy of `schema`. */
export function mutate(schema: RandomSchema, choices: Array<[number, number, number]>): RandomSchema {
  const copy = structuredClone(schema);
  for (const [where, what, n] of choices) {
    const all = sites(copy);
    const site = pick(all, where);
    const node = site.node;
    const pool = site.inDefinition ? SIMPLE.filter((simple) => simple.kind !== "ref") : SIMPLE;
    switch (what % 6) {
      case 0:
        site.set(structuredClone(pick(pool, n)));
        break;
      case 1:
        if (node.kind === "nullable") site.set(node.inner);
        else if (node.kind !== "null" && node.kind !== "unknown") site.set({ kind: "nullable", inner: node });
        break;
      case 2:
        site.set({ kind: "union", members: [node, structuredClone(pick(pool, n))] });
        break;
      case 3:
      case 4:
        mutateKind(node, what % 6 === 3 ? 0 : 1, n, site.set, pool);
        break;
      default: {
        const from = pick(["T1", "T2"], n);
        const to = `${from}x`;
        const original = copy.defs.find((def) => def.name === from);
        if (original && !copy.defs.some((def) => def.name === to)) copy.defs.push({ name: to, type: structuredClone(original.type) });
        for (const each of sites(copy)) if (each.node.kind === "ref" && each.node.name === from) each.node.name = to;
      }
    }
  }
  return copy;
}

const EXTRA_KEYS = ["a", "b", "c", "d", "e"];

/** Documents a producer of `node` sends under `policy` (see producerExtras in src/registry/rules/field.ts). */
export function documents(node: TypeNode, defs: Map<string, TypeNode>, policy: Policy): fc.Arbitrary<unknown> {
  const recurse = (inner: TypeNode): fc.Arbitrary<unknown> => documents(inner, defs, policy);
  switch (node.kind) {
    case "string": {
      if (node.format === "uuid") return fc.uuid();
      const unit = node.pattern === "^[a-c]*$" ? fc.constantFrom("a", "b", "c") : node.pattern === "^[a-z]*$" ? fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz") : "grapheme-ascii";
      return fc.string({ unit, minLength: node.minLength ?? 0, maxLength: node.maxLength ?? (node.minLength ?? 0) + 5 });
    }
    case "number": {
      let lo = -1000;
      let hi = 1000;
      let loExcl = false;
      let hiExcl = false;
      if (node.minimum !== undefined && node.minimum > lo) lo = node.minimum;
      if (node.exclusiveMinimum !== undefined && node.exclusiveMinimum >= lo) [lo, loExcl] = [node.exclusiveMinimum, true];
      if (node.maximum !== undefined && node.maximum < hi) hi = node.maximum;
      if (node.exclusiveMaximum !== undefined && node.exclusiveMaximum <= hi) [hi, hiExcl] = [node.exclusiveMaximum, true];
      if (node.integer || node.multipleOf !== undefined) {
        const step = node.multipleOf ?? 1;
        const first = Math.ceil((loExcl ? lo + 1e-9 : lo) / step);
        const last = Math.floor((hiExcl ? hi - 1e-9 : hi) / step);
        if (first > last) throw new Error("unsatisfiable number");
        return fc.integer({ min: first, max: last }).map((k) => k * step + 0);
      }
      if (lo > hi || (lo === hi && (loExcl || hiExcl))) throw new Error("unsatisfiable number");
      return fc.double({ min: lo, max: hi, minExcluded: loExcl, maxExcluded: hiExcl, noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0));
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "literal":
      return fc.constant(node.value);
    case "enum":
      return fc.constantFrom(...node.values);
    case "unknown":
      return fc.jsonValue({ maxDepth: 1 });
    case "array":
      return fc.array(recurse(node.items), { minLength: node.minItems ?? 0, maxLength: node.maxItems ?? (node.minItems ?? 0) + 2 });
    case "tuple":
      return fc.tuple(fc.tuple(...node.items.map(recurse)), node.rest ? fc.array(recurse(node.rest), { maxLength: 2 }) : fc.constant([])).map(([head, tail]) => [...head, ...tail]);
    case "record":
      if (node.keys.kind === "enum") return fc.record(Object.fromEntries(node.keys.values.map((key) => [key, recurse(node.values)])));
      return fc.dictionary(fc.constantFrom(...EXTRA_KEYS, "k"), recurse(node.values), { maxKeys: 3 });
    case "object": {
      const declared = fc.record(Object.fromEntries(node.fields.map((field) => [field.name, recurse(field.type)])), {
        requiredKeys: node.fields.filter((field) => !field.optional).map((field) => field.name),
      });
      const extraValues =
        node.additional === "reject" || (node.additional === "ignore" && policy === "tolerant")
          ? undefined
          : node.additional === "ignore"
            ? fc.jsonValue({ maxDepth: 1 })
            : recurse(node.additional);
      if (extraValues === undefined) return declared;
      const free = EXTRA_KEYS.filter((key) => !node.fields.some((field) => field.name === key));
      if (free.length === 0) return declared;
      return fc.tuple(declared, fc.dictionary(fc.constantFrom(...free), extraValues, { maxKeys: 2 })).map(([fields, extra]) => ({ ...extra, ...fields }));
    }
    case "union":
      return fc.oneof(...node.members.map(recurse));
    case "nullable":
      return fc.oneof(recurse(node.inner), fc.constant(null));
    case "ref":
      return recurse(defs.get(node.name)!);
  }
}
