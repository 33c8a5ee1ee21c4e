/**
 * Invalid variants of a valid value: each breaks the schema at exactly one place, found by walking
 * the value together with its type node. Used by vectors.ts for the `reject` vectors.
 */
import type { TypeNode } from "../ir/types.js";
import type { VectorBuilder } from "./vectors.js";

export interface Mutation {
  /** JSON Pointer of the broken place and what was done there. */
  label: string;
  value: unknown;
  /** Broken by a document rule (a lone surrogate), not by the schema: JSON Schema cannot say it. */
  documentRule?: true;
}

const NOT_A_VALUE = "__not_a_value__";

/** JSON types a node accepts; `any` when it accepts every value. */
function jsonTypes(node: TypeNode, builder: VectorBuilder, seen = 0): Set<string> | "any" {
  const at = builder.resolve(node);
  switch (at.kind) {
    case "string":
    case "enum":
      return new Set(["string"]);
    case "number":
      return new Set(["number"]);
    case "boolean":
      return new Set(["boolean"]);
    case "null":
      return new Set(["null"]);
    case "literal":
      return new Set([typeof at.value]);
    case "array":
    case "tuple":
      return new Set(["array"]);
    case "record":
    case "object":
      return new Set(["object"]);
    case "nullable": {
      const inner = jsonTypes(at.inner, builder, seen + 1);
      return inner === "any" ? inner : new Set([...inner, "null"]);
    }
    case "union": {
      const all = new Set<string>();
      for (const member of at.members) {
        const types = jsonTypes(member, builder, seen + 1);
        if (types === "any") return "any";
        types.forEach((type) => all.add(type));
      }
      return all;
    }
    default:
      return "any";
  }
}

const SAMPLES: [string, unknown][] = [
  ["string", "wrong"],
  ["number", 12345],
  ["boolean", true],
  ["array", []],
  ["object", { wrong: true }],
  ["null", null],
];

function wrongType(node: TypeNode, builder: VectorBuilder): unknown {
  const types = jsonTypes(node, builder);
  if (types === "any") return undefined;
  return SAMPLES.find(([type]) => !types.has(type))?.[1];
}

const pointer = (path: string, key: string | number): string => `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;

/** Every single-place mutation of `value` (valid for `node`) that makes it invalid. */
export function mutations(node: TypeNode, value: unknown, builder: VectorBuilder, path = "", depth = 0): Mutation[] {
  const out: Mutation[] = [];
  const add = (what: string, mutated: unknown): void => {
    out.push({ label: `${path || "/"}: ${what}`, value: mutated });
  };
  const wrong = wrongType(node, builder);
  if (wrong !== undefined) add("wrong type", wrong);
  if (depth > 4) return out;
  const at = builder.resolve(node);
  switch (at.kind) {
    case "string": {
      const text = value as string;
      if (at.minLength !== undefined && at.minLength > 0) add("too short", [...text].slice(0, at.minLength - 1).join(""));
      if (at.maxLength !== undefined) add("too long", text + "é".repeat(at.maxLength + 1 - [...text].length));
      out.push({ label: `${path || "/"}: a lone surrogate`, value: `${text}\ud800`, documentRule: true });
      const pattern = at.pattern === undefined ? undefined : new RegExp(at.pattern, "u");
      if (pattern !== undefined || at.format === "uri") {
        const bad = ["not valid ✗", "!", " "].find((candidate) => !(pattern?.test(candidate) ?? false));
        if (bad !== undefined) add(`not matching ${at.format ?? at.pattern}`, bad);
      }
      break;
    }
    case "number": {
      const number = value as number;
      if (at.integer) {
        add("not an integer", Math.abs(number) < 2 ** 52 ? number + 0.5 : 0.5);
        // Whole numbers a double holds, but not exactly every integer near them: no side reads them.
        add("an integer beyond 2^53 − 1", 1e300);
        add("an integer below −(2^53 − 1)", -(2 ** 53));
      }
      if (at.minimum !== undefined) add("below minimum", at.minimum - (at.integer ? 1 : 0.25));
      if (at.maximum !== undefined) add("above maximum", at.maximum + (at.integer ? 1 : 0.25));
      if (at.exclusiveMinimum !== undefined) add("at exclusive minimum", at.exclusiveMinimum);
      if (at.exclusiveMaximum !== undefined) add("at exclusive maximum", at.exclusiveMaximum);
      if (at.multipleOf !== undefined) add("not a multiple", number + at.multipleOf / 2);
      break;
    }
    case "enum":
      add("value out of range", NOT_A_VALUE);
      // serde's derive reads a unit variant from `{ "<variant>": null }` too; no side may.
      if (typeof value === "string") add("value as a one-member object", { [value]: null });
      break;
    case "literal":
      // A number far from the literal: 1e21 + 1 is 1e21 again in a double.
      add("other literal", typeof at.value === "string" ? NOT_A_VALUE : typeof at.value === "number" ? (at.value === 0 ? 1 : at.value * 2) : !at.value);
      break;
    case "array": {
      const items = value as unknown[];
      if (at.minItems !== undefined && at.minItems > 0) add("too few items", items.slice(0, at.minItems - 1));
      if (at.maxItems !== undefined && at.maxItems < 50) {
        const extra = builder.value(at.items, "minimal", depth + 1);
        add("too many items", [...items, ...Array.from({ length: at.maxItems + 1 - items.length }, () => extra)]);
      }
      if (items.length > 0) {
        for (const inner of mutations(at.items, items[0], builder, pointer(path, 0), depth + 1)) out.push({ ...inner, value: [inner.value, ...items.slice(1)] });
      }
      break;
    }
    case "tuple": {
      const items = value as unknown[];
      if (at.items.length > 0) add("too few items", items.slice(0, at.items.length - 1));
      at.items.forEach((item, index) => {
        for (const inner of mutations(item, items[index], builder, pointer(path, index), depth + 1)) {
          out.push({ ...inner, value: items.map((old, at2) => (at2 === index ? inner.value : old)) });
        }
      });
      break;
    }
    case "record": {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (at.keys.kind === "enum" && !at.partial && keys.length > 0) {
        const { [keys[0]!]: _dropped, ...rest } = record;
        add(`missing key ${keys[0]}`, rest);
      }
      if (keys.length > 0) {
        for (const inner of mutations(at.values, record[keys[0]!], builder, pointer(path, keys[0]!), depth + 1)) out.push({ ...inner, value: { ...record, [keys[0]!]: inner.value } });
      }
      break;
    }
    case "object": {
      const object = value as Record<string, unknown>;
      for (const field of at.fields) {
        const present = Object.hasOwn(object, field.name);
        if (!field.optional && present) {
          const { [field.name]: _dropped, ...rest } = object;
          add(`missing required ${field.name}`, rest);
        }
        const nullable = jsonTypes(field.type, builder);
        if (field.optional && nullable !== "any" && !nullable.has("null")) add(`null in optional ${field.name}`, { ...object, [field.name]: null });
        if (!present) continue;
        for (const inner of mutations(field.type, object[field.name], builder, pointer(path, field.name), depth + 1)) {
          out.push({ ...inner, value: { ...object, [field.name]: inner.value } });
        }
      }
      if (at.additional === "reject") add("unknown member in a strict object", { ...object, __unknown__: 1 });
      // serde's derive reads a struct from the array of its fields' values too; no side may.
      add("members' values as an array", Object.values(object));
      break;
    }
    case "union": {
      if (at.discriminator !== undefined && value !== null && typeof value === "object") {
        add("wrong discriminator", { ...(value as object), [at.discriminator]: NOT_A_VALUE });
        // serde's derive reads an internally tagged variant by its index, and from an array too.
        add("discriminator as a variant index", { ...(value as object), [at.discriminator]: 0 });
        add("members' values as an array", Object.values(value as object));
        const tag = (value as Record<string, unknown>)[at.discriminator];
        const member = at.members[at.tags?.indexOf(String(tag)) ?? -1];
        if (member !== undefined) {
          for (const inner of mutations(member, value, builder, path, depth + 1)) if (!inner.label.endsWith("wrong type")) out.push(inner);
        }
      }
      break;
    }
    case "nullable":
      if (value !== null) {
        for (const inner of mutations(at.inner, value, builder, path, depth + 1)) if (!inner.label.endsWith("wrong type")) out.push(inner);
      }
      break;
    default:
      break;
  }
  return out;
}
