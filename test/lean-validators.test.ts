/**
 * The SDK's validators — a generated boolean check per event version and named type, issues from
 * one shape checker (templates/ts/shape.ts) — against the straight-line validators they replaced
 * (test/reference/full-validators.ts, generated from the same IR beside them). For every document:
 * - the early-exit form (`out === null`) gives the same verdict (the old one's TOO_DEEP throw is
 *   "false" here: the boolean check never throws, and the issues that follow throw it);
 * - the issue lists are identical, item for item (`collectIssues`, which turns TOO_DEEP into the
 *   one depth issue), and so are the exported total checkers' results and lists;
 * - the same, with the payload nested just at and just past MAX_DEPTH;
 * and the Standard JSON Schemas the SDK builds from the shapes are the published documents.
 *
 * Documents: the example catalogue, every golden case and random catalogues (Zod 4 and Zod 3,
 * test/conformance/random-catalogue.ts); for each event version, random valid payloads
 * (src/conformance/arbitraries.ts), the schema-aware mutations of the conformance vectors
 * (src/conformance/mutations.ts), random structural mutations (a value replaced anywhere by one of
 * a pool of hostile values, a member deleted or added), payloads of the catalogue's other versions,
 * and values of every JSON type. Fast by default; EVENTC_EQUIVALENCE_DOCUMENTS (valid payloads per
 * version, default 12) and EVENTC_EQUIVALENCE_CATALOGUES (random catalogues, default 6) make a
 * large run. The seed is printed; EVENTC_FUZZ_SEED=<n> replays it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { sampleEventDocuments } from "../src/conformance/arbitraries.js";
import { MAX_DEPTH, depthOf } from "../src/conformance/document-rules.js";
import { mutations } from "../src/conformance/mutations.js";
import { VectorBuilder } from "../src/conformance/vectors.js";
import type { Catalogue } from "../src/ir/types.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { eventUnionSchema } from "../src/targets/jsonschema/index.js";
import { versionSchema } from "../src/targets/jsonschema/schema.js";
import { emitTypeScript } from "../src/targets/typescript/index.js";
import { TypeScriptNames } from "../src/targets/typescript/names.js";
import { randomModule, randomSource } from "./conformance/random-catalogue.js";
import { caseFolders, ROOT, workDir } from "./helpers.js";
import { validatorsFile as fullValidatorsFile } from "./reference/full-validators.js";

const SEED = process.env.EVENTC_FUZZ_SEED !== undefined ? Number(process.env.EVENTC_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(SEED)) throw new Error(`EVENTC_FUZZ_SEED must be an integer, got ${process.env.EVENTC_FUZZ_SEED}`);
const DOCUMENTS = Number(process.env.EVENTC_EQUIVALENCE_DOCUMENTS ?? 12);
const CATALOGUES = Number(process.env.EVENTC_EQUIVALENCE_CATALOGUES ?? 6);

interface Issue {
  path: string;
  message: string;
}
type Check = (value: unknown, path: string, out: Issue[] | null, level?: number) => boolean;
interface Wire {
  collectIssues: (check: Check, value: unknown, path: string, level?: number) => Issue[];
}

/** The SDK generated in a folder of its own with the full validators beside it, loaded. */
async function bothValidators(name: string, catalogue: Catalogue): Promise<{ lean: Record<string, Check>; full: Record<string, Check>; wire: Wire; standard: Record<string, unknown> }> {
  const dir = workDir(`lean-validators-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const file of emitTypeScript(catalogue)) writeFileSync(path.join(dir, file.path), file.contents);
  writeFileSync(path.join(dir, "full.ts"), fullValidatorsFile(catalogue, new TypeScriptNames(catalogue)));
  const load = async (file: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
  return { lean: (await load("validate.ts")) as Record<string, Check>, full: (await load("full.ts")) as Record<string, Check>, wire: (await load("wire.ts")) as unknown as Wire, standard: await load("standard.ts") };
}

/** Values put anywhere by the structural mutations: every JSON type, bounds, hostile text and nesting. */
const POOL: unknown[] = [
  null, true, false, 0, -1, 1, 0.5, -0.5, 2 ** 53, -(2 ** 53), 1e21, 1e-7, Number.MAX_VALUE, Number.POSITIVE_INFINITY, Number.NaN,
  "", "a", "é", "🙂", "\ud800", "a\udc00b", "2024-02-29T12:00:00Z", "not a date", "user", "assistant", "text", "x".repeat(300),
  [], [1], ["a", "b"], [null], {}, { a: 1 }, { type: "text" }, { constructor: 1 }, JSON.parse('{"__proto__": {"a": 1}}'),
];

/** Arrays nested `levels` deep. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let index = 1; index < levels; index++) value = [value];
  return value;
}

/** Every path to a value in `value` (objects and arrays entered). */
function pathsOf(value: unknown, prefix: (string | number)[] = [], into: (string | number)[][] = []): (string | number)[][] {
  into.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...prefix, index], into));
  else if (typeof value === "object" && value !== null) for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...prefix, key], into);
  return into;
}

/** `value` with the place at `at` changed by `change` (a copy; the original is untouched). */
function changed(value: unknown, at: readonly (string | number)[], change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(value) as unknown;
  if (at.length === 0) return copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, at[at.length - 1]!);
  return copy;
}

/** Random structural mutations of a valid payload. */
function structural(payload: unknown, random: () => number, count: number): unknown[] {
  const paths = pathsOf(payload);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const at = pick(paths);
    const roll = random();
    if (at.length === 0) out.push(roll < 0.5 ? pick(POOL) : { ...(payload as object), extra: pick(POOL) });
    else if (roll < 0.6) out.push(changed(payload, at, (parent, key) => void (parent[key] = pick(POOL))));
    else if (roll < 0.75) out.push(changed(payload, at, (parent, key) => void (Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key])));
    else if (roll < 0.85) out.push(changed(payload, at, (parent, key) => void (parent[key] = nested(MAX_DEPTH + 2))));
    else out.push(changed(payload, at, (parent, key) => void (parent[key] = typeof parent[key] === "object" && parent[key] !== null ? { ...(parent[key] as object), ["unknown field"]: pick(POOL) } : [parent[key]])));
  }
  return out;
}

type Outcome = boolean | "throws";
function outcome(run: () => boolean): Outcome {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) return "throws";
    throw error;
  }
}

interface Tally {
  documents: number;
  invalid: number;
}

interface StandardJsonSchema {
  "~standard": { jsonSchema: { input: (options: { target: string }) => Record<string, unknown> } };
}

/**
 * The SDK's Standard JSON Schemas, built from the shapes, are the documents the `jsonschema` target
 * publishes: equal, and written alike (the same keys in the same order).
 */
function compareJsonSchemas(catalogue: Catalogue, standard: Record<string, unknown>): void {
  const names = new TypeScriptNames(catalogue);
  const same = (built: unknown, published: unknown, where: string): void => {
    expect(built, where).toEqual(published);
    expect(JSON.stringify(built), where).toBe(JSON.stringify(published));
  };
  const documents: Record<string, unknown>[] = [];
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const name = `${names.versionGuard(event, version).slice("is".length)}PayloadSchema`;
      const published = versionSchema(version, catalogue, event.description);
      same((standard[name] as StandardJsonSchema)["~standard"].jsonSchema.input({ target: "draft-2020-12" }), published, version.wireType);
      documents.push(published);
    }
  }
  const union = eventUnionSchema(catalogue);
  const withDocuments = { ...union, $defs: { ...(union["$defs"] as object), ...Object.fromEntries(documents.map((document) => [document["$id"], document])) } };
  same((standard["EventSchema"] as StandardJsonSchema)["~standard"].jsonSchema.input({ target: "draft-2020-12" }), withDocuments, "event.json");
}

/** Compares both validators of every version on `payloads`; returns how many were compared. */
function compare(subject: string, catalogue: Catalogue, validators: Awaited<ReturnType<typeof bothValidators>>, payloads: (index: number) => unknown[], tally: Tally): void {
  const names = new TypeScriptNames(catalogue);
  let index = 0;
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const internal = `checkPayload${index}`;
      const exported = `check${names.versionGuard(event, version).slice("is".length)}Payload`;
      const lean = validators.lean[internal]!;
      const full = validators.full[internal]!;
      const leanTotal = validators.lean[exported]!;
      const fullTotal = validators.full[exported]!;
      for (const payload of payloads(index)) {
        const depth = depthOf(payload);
        // As a payload, and (containers only) nested at the deepest level it fits and one past it.
        const levels = depth === 0 ? [1] : [1, MAX_DEPTH - depth + 1, MAX_DEPTH - depth + 2];
        for (const level of levels) {
          const where = `${subject} ${version.wireType} at level ${level}: ${JSON.stringify(payload)?.slice(0, 400)}`;
          const fullEarly = outcome(() => full(payload, "", null, level));
          const leanEarly = outcome(() => lean(payload, "", null, level));
          expect(leanEarly, where).toBe(fullEarly === true);
          expect(validators.wire.collectIssues(lean, payload, "/payload", level), where).toEqual(validators.wire.collectIssues(full, payload, "/payload", level));
          const leanOut: Issue[] = [{ path: "/before", message: "kept" }];
          const fullOut: Issue[] = [{ path: "/before", message: "kept" }];
          expect(leanTotal(payload, "/p", leanOut, level), where).toBe(fullTotal(payload, "/p", fullOut, level));
          expect(leanOut, where).toEqual(fullOut);
          expect(leanTotal(payload, "", null, level), where).toBe(fullTotal(payload, "", null, level));
          tally.documents += 1;
          if (fullEarly !== true) tally.invalid += 1;
        }
      }
      index += 1;
    }
  }
}

/** Every kind of payload the comparison runs for each version of `catalogue`. */
function payloadsOf(catalogue: Catalogue, seed: number): (index: number) => unknown[] {
  const random = randomSource(seed);
  const builder = new VectorBuilder(catalogue);
  const versions = catalogue.events.flatMap((event) => event.versions);
  const valid = sampleEventDocuments(catalogue, DOCUMENTS, seed).map((document) => document.payload);
  const perVersion = versions.map((_, index) => valid.slice(index * DOCUMENTS, (index + 1) * DOCUMENTS));
  const scalars: unknown[] = [null, true, 1, "text", [], {}, nested(MAX_DEPTH + 1)];
  return (index) => {
    const own = perVersion[index]!;
    const schemaAware = own.slice(0, 3).flatMap((payload) => mutations(versions[index]!.payload, payload, builder).map((mutation) => mutation.value));
    const random_ = own.flatMap((payload) => structural(payload, random, 6));
    const others = perVersion.flatMap((list, at) => (at === index ? [] : list.slice(0, 1)));
    return [...own, ...schemaAware, ...random_, ...others, ...scalars];
  };
}

const CASES = path.join(ROOT, "test", "cases");
const subjects = [
  { name: "example", schemas: path.join(ROOT, "schemas"), cwd: ROOT },
  ...caseFolders(CASES).map((name) => ({ name, schemas: path.join(CASES, name, "schemas"), cwd: path.join(CASES, name) })),
];

describe("lean validators give the results of the straight-line validators they replaced", () => {
  const tally: Tally = { documents: 0, invalid: 0 };

  test.each(subjects.map((subject) => [subject.name, subject] as const))("%s", async (name, subject) => {
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const validators = await bothValidators(name, catalogue);
    compare(name, catalogue, validators, payloadsOf(catalogue, SEED), tally);
    compareJsonSchemas(catalogue, validators.standard);
  }, 120_000);

  test(`${CATALOGUES} random catalogues (Zod 4 and Zod 3)`, async () => {
    const dir = workDir("lean-validators-random");
    const pickMajor = randomSource(SEED);
    for (let index = 0; index < CATALOGUES; index++) {
      const folder = path.join(dir, `c${index}`, "schemas");
      mkdirSync(folder, { recursive: true });
      const major = index === 0 ? 4 : index === 1 ? 3 : pickMajor() < 0.5 ? 3 : 4;
      writeFileSync(path.join(folder, "catalogue.ts"), randomModule(SEED + index, `c${index}`, major));
      const catalogue = await loadCatalogue({ schemasDir: folder, cwd: ROOT });
      const validators = await bothValidators(`random-${index}`, catalogue);
      compare(`random catalogue c${index} (seed ${SEED + index})`, catalogue, validators, payloadsOf(catalogue, SEED + index), tally);
      compareJsonSchemas(catalogue, validators.standard);
    }
    console.log(`lean validators: seed ${SEED} (EVENTC_FUZZ_SEED=${SEED} replays), ${tally.documents} payloads compared (${tally.invalid} invalid) over ${subjects.length} catalogues and ${CATALOGUES} random ones`);
    expect(tally.invalid).toBeGreaterThan(tally.documents / 4);
  }, 300_000);
});
