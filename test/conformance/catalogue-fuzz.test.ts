/**
 * Catalogue-level differential fuzzing: random catalogues (test/conformance/random-catalogue.ts,
 * Zod 4 and Zod 3 modules side by side in one project, so one crate and one cargo build serve
 * them all) are generated for every target, and then judged like the golden cases:
 * - every conformance vector of the catalogue gets its verdict from the TypeScript SDK (value and
 *   text), Ajv (unless a document rule decides) and the Rust crate, with Rust's re-encoding and
 *   both sides' coalesce keys compared;
 * - random valid documents are accepted everywhere and re-encoded as themselves;
 * - hostile variants of them — a lone surrogate in a string, a repeated `type`, `1e400` where a
 *   number goes, nesting one level past the limit — are rejected everywhere, and nesting at the
 *   limit is accepted;
 * - the random migrations (random-catalogue.ts) move every accepted document of a version with a
 *   way up or down to the same valid payload on both sides.
 *
 * Fast by default (EVENTC_FUZZ_CATALOGUES=4 modules, a few documents per version); raise
 * EVENTC_FUZZ_CATALOGUES and EVENTC_FUZZ_DOCUMENTS for a large run. The seed is printed;
 * EVENTC_FUZZ_SEED=<n> replays it (the generated project stays in test/.work/catalogue-fuzz).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { sampleEventDocuments } from "../../src/conformance/arbitraries.js";
import { MAX_DEPTH, nestedArrays } from "../../src/conformance/document-rules.js";
import { conformanceVectors, type ConformanceVector } from "../../src/conformance/vectors.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { runCli, workDir } from "../helpers.js";
import { jsonSchemaJudge, rustJudge, typescriptJudge } from "./engines.js";
import { migrationCases, migrationDisagreements } from "./migration-engines.js";
import { randomModule, randomSource } from "./random-catalogue.js";

const SEED = process.env.EVENTC_FUZZ_SEED !== undefined ? Number(process.env.EVENTC_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(SEED)) throw new Error(`EVENTC_FUZZ_SEED must be an integer, got ${process.env.EVENTC_FUZZ_SEED}`);
const CATALOGUES = Number(process.env.EVENTC_FUZZ_CATALOGUES ?? 4);
const DOCUMENTS = Number(process.env.EVENTC_FUZZ_DOCUMENTS ?? 8);

/** The first string in a JSON value, replaced by `replace`; undefined when it holds none. */
function withFirstString(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === "string") return replace(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const changed = withFirstString(value[index], replace);
      if (changed !== undefined) return value.map((item, at) => (at === index ? changed : item));
    }
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const changed = withFirstString(item, replace);
      if (changed !== undefined) return { ...value, [key]: changed };
    }
  }
  return undefined;
}

/** The classes of hostile documents, made from one valid document. */
function hostileVariants(document: { type: string; payload?: unknown }, index: number): ConformanceVector[] {
  const name = (what: string): string => `drawn #${index} ${what}`;
  const text = JSON.stringify(document);
  const variants: ConformanceVector[] = [
    { name: name('"type" repeated'), document, text: `{"type":${JSON.stringify(document.type)},${text.slice(1)}`, expect: "reject", documentRule: true },
    { name: name("score 1e400"), document, text: text.replace(/"score":[^,}]+/, '"score":1e400'), expect: "reject", documentRule: true },
    { name: name(`nested ${MAX_DEPTH} levels`), document: { ...document, extra: nestedArrays(MAX_DEPTH - 1) }, expect: "accept", reencoded: document },
    { name: name(`nested ${MAX_DEPTH + 1} levels`), document: { ...document, extra: nestedArrays(MAX_DEPTH) }, expect: "reject", documentRule: true, valueVerdict: "accept" },
  ];
  const surrogate = withFirstString(document.payload, (value) => `${value.slice(0, 1)}\udc00${value.slice(1)}`);
  if (surrogate !== undefined) variants.push({ name: name("a lone surrogate"), document: { ...document, payload: surrogate }, expect: "reject", documentRule: true });
  return variants;
}

test(`${CATALOGUES} random catalogues (Zod 4 and Zod 3) agree across TypeScript, JSON Schema and Rust`, { timeout: 900_000 }, async () => {
  const dir = workDir("catalogue-fuzz");
  mkdirSync(path.join(dir, "schemas"), { recursive: true });
  const pickMajor = randomSource(SEED);
  for (let index = 0; index < CATALOGUES; index++) {
    const major = index === 0 ? 4 : index === 1 ? 3 : pickMajor() < 0.5 ? 3 : 4;
    writeFileSync(path.join(dir, "schemas", `c${index}.ts`), randomModule(SEED + index, `c${index}`, major));
  }
  console.log(`catalogue fuzz: seed ${SEED} (EVENTC_FUZZ_SEED=${SEED} replays), ${CATALOGUES} catalogues in ${dir}`);
  const generated = runCli(["generate"], dir);
  const errors = generated.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("eventc: warning:"));
  expect(errors, `seed ${SEED}: generation failed`).toEqual([]);
  expect(generated.status).toBe(0);

  const catalogue = await loadCatalogue({ schemasDir: path.join(dir, "schemas"), cwd: dir });
  const drawn = sampleEventDocuments(catalogue, DOCUMENTS, SEED);
  const vectors: ConformanceVector[] = [
    ...conformanceVectors(catalogue),
    ...drawn.map((document, index) => ({ name: `drawn #${index}`, document, expect: "accept" as const, reencoded: document })),
    ...drawn.flatMap(hostileVariants),
  ];
  const ts = await typescriptJudge(path.join(dir, "generated", "ts"));
  const schema = jsonSchemaJudge(path.join(dir, "generated", "jsonschema"));
  const rust = rustJudge("catalogue-fuzz", path.join(dir, "generated", "rust"))(vectors);

  const disagreements = vectors.flatMap((vector, index) => {
    const answer = rust[index]!;
    const verdicts = {
      typescript: ts.judge(vector),
      typescriptText: ts.judgeText(vector),
      jsonschema: vector.documentRule ? vector.expect : schema(vector),
      rust: answer.verdict,
    };
    const expectedJson = vector.expect === "unknown" ? vector.document : vector.reencoded;
    const jsonAgrees = vector.expect === "reject" || jsonEqual(answer.json, expectedJson);
    const coalesceAgrees = vector.expect !== "accept" || vector.envelope || ts.coalesce(vector.document) === answer.coalesce;
    const expected = { typescript: vector.valueVerdict ?? vector.expect, typescriptText: vector.expect, jsonschema: vector.expect, rust: vector.expect };
    if (Object.entries(verdicts).every(([reader, verdict]) => verdict === expected[reader as keyof typeof expected]) && jsonAgrees && coalesceAgrees) return [];
    return [{ vector: vector.name, document: vector.text ?? vector.document, expect: vector.expect, valueVerdict: vector.valueVerdict, ...verdicts, rustJson: answer.json, rustError: answer.error, coalesce: coalesceAgrees ? undefined : { typescript: ts.coalesce(vector.document), rust: answer.coalesce } }];
  });
  writeFileSync(path.join(dir, "disagreements.json"), JSON.stringify(disagreements, null, 1));
  expect(vectors.length).toBeGreaterThan(CATALOGUES * 20);
  expect(disagreements[0], `seed ${SEED}: ${disagreements.length} of ${vectors.length} documents disagree; the first is shown`).toBeUndefined();

  // The random migrations: every accepted vector and drawn document of a version with a way up
  // (or down) is moved by both sides, to the same valid payload.
  const accepted = vectors.filter((vector) => vector.expect === "accept" && !vector.envelope && vector.text === undefined && vector.valueVerdict === undefined);
  const cases = migrationCases(catalogue, accepted.map((vector) => ({ name: vector.name, document: vector.document as { type: string; payload?: unknown } })));
  if (catalogue.events.some((event) => event.versions.some((version) => version.upgrade !== undefined))) expect(cases.length).toBeGreaterThan(0);
  const moved = await migrationDisagreements("catalogue-fuzz", path.join(dir, "generated", "ts"), path.join(dir, "generated", "rust"), cases);
  writeFileSync(path.join(dir, "migration-disagreements.json"), JSON.stringify(moved, null, 1));
  expect(moved[0], `seed ${SEED}: ${moved.length} of ${cases.length} migrated documents disagree; the first is shown`).toBeUndefined();
});

/** Equality of JSON values: same members (any order), same array items, numbers by value. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((key, index) => key === kb[index] && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
