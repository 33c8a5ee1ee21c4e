/**
 * Cross-language conformance: the vectors of src/conformance/vectors.ts, judged by the generated
 * TypeScript validators, Ajv over the generated JSON Schemas and the generated Rust crate. All
 * three must give each vector its expected verdict, and Rust must re-encode every accepted or
 * unknown document as the expected JSON value. Runs over the example catalogue (generated/) and
 * every golden case (test/cases/<case>/expected/). The vectors are written to
 * test/.work/conformance/<name>.ndjson for inspection.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { conformanceVectors, type ConformanceVector } from "../../src/conformance/vectors.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { caseFolders, ROOT, workDir } from "../helpers.js";
import { jsonSchemaJudge, rustJudge, typescriptJudge } from "./engines.js";

const CASES = path.join(ROOT, "test", "cases");

interface Subject {
  name: string;
  schemas: string;
  cwd: string;
  ts: string;
  jsonschema: string;
  rust: string;
}

const subjects: Subject[] = [
  { name: "example", schemas: path.join(ROOT, "schemas"), cwd: ROOT, ts: path.join(ROOT, "generated", "ts"), jsonschema: path.join(ROOT, "generated", "jsonschema"), rust: path.join(ROOT, "generated", "rust") },
  ...caseFolders(CASES).map((name) => {
    const dir = path.join(CASES, name);
    const expected = path.join(dir, "expected");
    return { name, schemas: path.join(dir, "schemas"), cwd: dir, ts: path.join(expected, "ts"), jsonschema: path.join(expected, "jsonschema"), rust: path.join(expected, "rust") };
  }),
];

const out = workDir("conformance");

interface Disagreement {
  vector: string;
  document: unknown;
  expect: string;
  typescript: string;
  jsonschema: string;
  rust: string;
  rustJson?: unknown;
  rustError?: string;
}

describe.each(subjects.map((subject) => [subject.name, subject] as const))("conformance: %s", (_name, subject) => {
  test("TypeScript, JSON Schema and Rust give every vector its verdict", { timeout: 300_000 }, async () => {
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const vectors: ConformanceVector[] = conformanceVectors(catalogue);
    writeFileSync(path.join(out, `${subject.name}.ndjson`), vectors.map((vector) => `${JSON.stringify(vector)}\n`).join(""));
    const ts = await typescriptJudge(subject.ts);
    const schema = jsonSchemaJudge(subject.jsonschema);
    const rust = rustJudge(subject.name, subject.rust)(vectors.map((vector) => vector.document));
    const disagreements: Disagreement[] = [];
    vectors.forEach((vector, index) => {
      const answer = rust[index]!;
      const verdicts = { typescript: ts(vector.document), jsonschema: schema(vector.document), rust: answer.verdict };
      const expectedJson = vector.expect === "unknown" ? vector.document : vector.reencoded;
      const jsonAgrees = vector.expect === "reject" || JSON.stringify(answer.json) === JSON.stringify(expectedJson) || deepEqual(answer.json, expectedJson);
      if (Object.values(verdicts).some((verdict) => verdict !== vector.expect) || !jsonAgrees) {
        const entry: Disagreement = { vector: vector.name, document: vector.document, expect: vector.expect, ...verdicts };
        if (answer.json !== undefined) entry.rustJson = answer.json;
        if (answer.error !== undefined) entry.rustError = answer.error;
        disagreements.push(entry);
      }
    });
    expect(disagreements).toEqual([]);
    expect(vectors.filter((vector) => vector.expect === "accept").length).toBeGreaterThan(0);
    expect(vectors.filter((vector) => vector.expect === "reject").length).toBeGreaterThan(0);
  });
});

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((key, index) => key === kb[index] && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
