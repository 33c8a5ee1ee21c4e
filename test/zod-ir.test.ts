/**
 * The direct Zod v4 reader (src/load/zod-ir.ts) and the JSON Schema path (Zod's toJSONSchema, then
 * SchemaReader) give the same IR — deep-equal, key order included — for every payload of every
 * golden case, of the example catalogue, and of seeded random catalogues. Where the direct reader
 * declines a schema, the loader takes the JSON Schema path; the golden cases and the example
 * catalogue never need it.
 *
 * ZOD_IR_SEED=<n> replays one fuzz run; ZOD_IR_CATALOGUES=<n> runs more catalogues (default 60).
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { isEventDefinition } from "../src/authoring.js";
import { readPayloadThroughJsonSchema } from "../src/load/catalogue.js";
import { findSchemaModules, forgetModules, importSchemaModule } from "../src/load/modules.js";
import { findUnrepresentable, zodMajor } from "../src/load/zod.js";
import { readZodV4Payload } from "../src/load/zod-ir.js";
import { caseFolders, ROOT } from "./helpers.js";

/** Both paths over one payload: whether the direct reader took it; fails on any difference. */
function compare(schema: object, label: string): "direct" | "declined" {
  const throughJson = readPayloadThroughJsonSchema(schema);
  const direct = readZodV4Payload(schema);
  if (direct === undefined) return "declined";
  if (throughJson instanceof Error) throw new Error(`${label}: the direct reader read a payload the JSON Schema path refuses (${throughJson.message})`);
  const expected = { payload: throughJson.payload, named: [...throughJson.named] };
  const actual = { payload: direct.payload, named: [...direct.named] };
  expect(actual, label).toStrictEqual(expected);
  expect(JSON.stringify(actual), `${label} (key order)`).toBe(JSON.stringify(expected));
  return "direct";
}

/** Every Zod v4 payload schema exported (through defineEvent) by the modules under `dir`. */
async function payloadsIn(dir: string): Promise<{ label: string; schema: object }[]> {
  const files = findSchemaModules(dir);
  forgetModules(dir, files);
  const payloads: { label: string; schema: object }[] = [];
  for (const file of files) {
    for (const [exportName, value] of Object.entries(await importSchemaModule(file, file))) {
      if (!isEventDefinition(value)) continue;
      for (const [version, schema] of Object.entries(value.versions as Record<string, object>)) {
        if (zodMajor(schema) === 4) payloads.push({ label: `${path.relative(ROOT, file)} ${exportName} v${version}`, schema });
      }
    }
  }
  return payloads;
}

const catalogues = [
  ...caseFolders(path.join(ROOT, "test", "cases")).map((name) => ({ name, dir: path.join(ROOT, "test", "cases", name, "schemas") })),
  { name: "example catalogue (schemas/)", dir: path.join(ROOT, "schemas") },
];

describe("direct Zod v4 reader gives the JSON Schema path's IR", () => {
  test.each(catalogues)("$name", async ({ dir }) => {
    const payloads = await payloadsIn(dir);
    for (const { label, schema } of payloads) expect(compare(schema, label), `${label} was not read directly`).toBe("direct");
  });

  test("seeded random catalogues", () => {
    const seed = Number(process.env.ZOD_IR_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const count = Number(process.env.ZOD_IR_CATALOGUES ?? 60);
    console.log(`zod-ir fuzz: ZOD_IR_SEED=${seed} ZOD_IR_CATALOGUES=${count}`);
    const tally = { direct: 0, declined: 0 };
    for (let index = 0; index < count; index++) {
      const random = mulberry32(seed + index);
      const catalogue = randomCatalogue(random, `c${seed}_${index}`);
      for (const [number, payload] of catalogue.entries()) {
        if (findUnrepresentable(payload).length > 0) continue;
        tally[compare(payload, `seed ${seed + index}, payload ${number}`)]++;
      }
    }
    console.log(`zod-ir fuzz: ${tally.direct} payloads read directly, ${tally.declined} declined (JSON Schema path)`);
    // Declining is allowed (the loader falls back), but the common constructs are read directly:
    // over 60 catalogues the reader takes 4 to 11 payloads for each it declines (ZOD_IR_SEED=9735138
    // is the low end: 182 to 46); a construct it stopped reading would take that below 3.
    expect(tally.direct).toBeGreaterThan(tally.declined * 3);
  });

  test("declines what it does not reproduce, rather than guessing", () => {
    const declined = [
      z.object({ a: z.string().regex(/a/).regex(/b/) }), // two patterns: allOf
      z.object({ a: z.number().multipleOf(2).multipleOf(3) }), // two divisors: allOf
      z.object({ a: z.string().meta({ type: "integer" }) }), // metadata that is a keyword
      z.object({ a: z.record(z.number().nullable(), z.string()) }), // a nullable number key
      z.object({ a: z.templateLiteral(["a", z.string()]) }),
    ];
    for (const schema of declined) expect(readZodV4Payload(schema)).toBeUndefined();
    // A recursion without a name (Zod names it __schema0).
    const tree: z.ZodType = z.object({ get kids() { return z.array(tree); } });
    expect(readZodV4Payload(z.object({ tree }))).toBeUndefined();
  });
});

/** A small seeded PRNG (mulberry32): the same seed, the same catalogue. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random catalogue: a few named types (some recursive, some described, some reused under other
 * descriptions) and payloads built from every construct the direct reader knows, wrapped and
 * annotated at random.
 */
function randomCatalogue(random: () => number, prefix: string): z.ZodObject[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number): boolean => random() < p;
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const words = ["id", "name", "kind", "tags", "at", "value", "next", "parent", "data", "__proto__", "0", "type", "op", "x-y", "ünï"];
  const tagWords = ["a", "b", "c", "set", "unset", "move"];
  const named: z.ZodType[] = [];

  const string = (): z.ZodType => {
    switch (int(0, 10)) {
      case 0:
        return z.email();
      case 1:
        return z.uuid();
      case 2:
        return z.url();
      case 3:
        return z.iso.datetime(pick([{}, { offset: true }, { local: true }, { precision: 3 }]));
      case 4:
        return z.iso.date();
      case 5:
        return z.iso.time();
      case 6:
        return z.string().regex(pick([/^[a-z]+$/, /\d{3}/, /^a\/b$/i]));
      case 7:
        return z.string().min(int(0, 3)).max(int(4, 40));
      case 8:
        return z.string().length(int(1, 9));
      case 9:
        return pick([z.base64(), z.guid(), z.ipv4(), z.cuid(), z.string().startsWith("x"), z.string().trim()]);
      default:
        return z.string();
    }
  };
  const number = (): z.ZodType => {
    switch (int(0, 7)) {
      case 0:
        return z.int();
      case 1:
        return z.int().min(int(-5, 5)).max(int(6, 1000));
      case 2:
        return z.number().gt(0).lt(1);
      case 3:
        return z.number().multipleOf(pick([2, 0.5, -3]));
      case 4:
        return z.number().min(1).gt(int(0, 2));
      case 5:
        return pick([z.int32(), z.uint32(), z.float32(), z.number().nonnegative(), z.number().positive()]);
      default:
        return z.number();
    }
  };
  const leaf = (): z.ZodType => {
    switch (int(0, 9)) {
      case 0:
      case 1:
        return string();
      case 2:
        return number();
      case 3:
        return pick([z.boolean(), z.null(), z.unknown(), z.any()]);
      case 4:
        return pick([z.literal(pick(["on", 3, true, null, "off"])), z.literal(["a", "b"]), z.literal([1, 2]), z.literal(["a", 1])]);
      case 5:
        return z.enum(pick([["x"], ["a", "b", "c"], ["low", "high"]]) as [string, ...string[]]);
      case 6:
        return z.json();
      default:
        return named.length > 0 ? pick(named) : z.string();
    }
  };
  const object = (depth: number, tag?: { name: string; value: string }): z.ZodObject => {
    const shape: Record<string, z.ZodType> = {};
    if (tag) shape[tag.name] = z.literal(tag.value);
    for (let index = 0, count = int(0, 4); index < count; index++) {
      const name = pick(words);
      if (tag && name === tag.name) continue;
      Object.defineProperty(shape, name, { value: schema(depth + 1), enumerable: true, configurable: true, writable: true });
    }
    const base = pick(["object", "object", "strict", "loose"]) === "object" ? z.object(shape) : chance(0.5) ? z.strictObject(shape) : z.looseObject(shape);
    return chance(0.15) ? base.catchall(leaf()) : base;
  };
  const annotate = (node: z.ZodType): z.ZodType => {
    switch (int(0, 9)) {
      case 0:
        return node.describe(pick(["A value.", "Another.", "*/ tricky"]));
      case 1:
        return node.meta({ description: "Meta description.", deprecated: chance(0.5), title: "T" });
      case 2:
        return node.meta({ examples: ["x"] });
      default:
        return node;
    }
  };
  const wrap = (node: z.ZodType): z.ZodType => {
    switch (int(0, 14)) {
      case 0:
        return node.optional();
      case 1:
        return node.nullable();
      case 2:
        return node.nullish();
      case 3:
        return node.readonly();
      case 4:
        return node.nullable().optional().describe("wrapped");
      case 5:
        return node.optional().nonoptional();
      case 6:
        return z.lazy(() => node);
      default:
        return node;
    }
  };
  const withDefault = (node: z.ZodType): z.ZodType => {
    if (!chance(0.1)) return node;
    const sample = node.safeParse(pick(["a", 1, true, null, [], {}]));
    return sample.success ? (chance(0.5) ? node.default(sample.data as never) : node.prefault(sample.data as never)) : node;
  };
  const schema = (depth: number): z.ZodType => {
    if (depth > 3) return annotate(wrap(leaf()));
    let node: z.ZodType;
    switch (int(0, 12)) {
      case 0:
        node = z.array(schema(depth + 1));
        if (chance(0.3)) node = (node as z.ZodArray).min(int(0, 2)).max(int(3, 9));
        break;
      case 1:
        node = chance(0.5) ? z.tuple([schema(depth + 1), leaf()]) : z.tuple([leaf()], schema(depth + 1));
        break;
      case 2:
        node = pick([
          () => z.record(z.string(), schema(depth + 1)),
          () => z.record(z.enum(["a", "b"]), schema(depth + 1)),
          () => z.partialRecord(z.enum(["x", "y"]), leaf()),
          () => z.record(z.string().regex(/^k/), leaf()),
          () => z.record(z.literal("only"), leaf()),
          () => z.record(z.enum(["o"]), leaf().optional()),
          () => z.record(pick([z.number(), z.int().min(2), z.literal(5), z.literal([1, 2]), z.literal(["a", 3]), z.number().describe("n")]), leaf()),
        ])();
        break;
      case 3:
        node = object(depth);
        break;
      case 4:
        node = z.union(Array.from({ length: int(1, 3) }, () => schema(depth + 1)));
        break;
      case 5:
        node = z.union(Array.from({ length: int(2, 4) }, () => pick([z.string(), z.number(), z.boolean(), z.null(), z.string().nullable(), z.int(), z.number().optional()])));
        break;
      case 6: {
        const tagName = pick(["type", "op", "kind"]);
        const values = [...new Set(Array.from({ length: int(1, 3) }, () => pick(tagWords)))];
        node = z.discriminatedUnion(tagName, values.map((value) => object(depth + 1, { name: tagName, value })) as never);
        break;
      }
      case 7:
        node = z.xor([object(depth + 1), object(depth + 1)]);
        break;
      default:
        node = leaf();
    }
    return withDefault(annotate(wrap(node)));
  };

  // Named types: plain, recursive through a getter or z.lazy, a named union, and clones of named types.
  for (let index = 0, count = int(0, 4); index < count; index++) {
    const id = `${prefix}_T${index}`;
    switch (int(0, 4)) {
      case 0: {
        const recursive: z.ZodType = z
          .object({
            value: leaf(),
            get children() {
              return z.array(recursive).optional();
            },
          })
          .meta({ id, description: chance(0.5) ? "A tree." : undefined });
        named.push(recursive);
        break;
      }
      case 1: {
        const lazy: z.ZodType = z.object({ next: z.lazy(() => lazy).nullable(), value: leaf() }).meta({ id });
        named.push(lazy);
        break;
      }
      case 2:
        named.push(schema(2).meta({ id }));
        break;
      default:
        named.push(object(2).meta({ id, description: "Named." }));
    }
    if (chance(0.4)) named.push(named.at(-1)!.describe(pick(["Named.", "Used here."])));
  }
  return Array.from({ length: int(2, 6) }, () => object(0));
}
