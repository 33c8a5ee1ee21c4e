/**
 * Cross-language conformance: the vectors of src/conformance/vectors.ts, judged by the generated
 * TypeScript validators (handed the value and, separately, its JSON text), Ajv over the generated
 * JSON Schemas (not for vectors a document rule decides: JSON Schema describes values, not
 * documents) and the generated Rust crate. All must give each vector its expected verdict, Rust
 * must re-encode every accepted or unknown document as the expected JSON value, and both SDKs must
 * give an accepted event the same coalesce key. Runs over the example catalogue (generated/) and
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
  typescriptText: string;
  jsonschema: string;
  rust: string;
  rustJson?: unknown;
  rustError?: string;
  coalesce?: { typescript: string | null; rust: string | null | undefined };
}

describe.each(subjects.map((subject) => [subject.name, subject] as const))("conformance: %s", (_name, subject) => {
  test("TypeScript, JSON Schema and Rust give every vector its verdict", { timeout: 300_000 }, async () => {
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const vectors: ConformanceVector[] = conformanceVectors(catalogue);
    writeFileSync(path.join(out, `${subject.name}.ndjson`), vectors.map((vector) => `${JSON.stringify(vector)}\n`).join(""));
    const ts = await typescriptJudge(subject.ts);
    const schema = jsonSchemaJudge(subject.jsonschema);
    const rust = rustJudge(subject.name, subject.rust)(vectors);
    const disagreements: Disagreement[] = [];
    vectors.forEach((vector, index) => {
      const answer = rust[index]!;
      const verdicts = {
        typescript: ts.judge(vector),
        typescriptText: ts.judgeText(vector),
        // JSON Schema cannot say a document rule: Ajv is not asked, and recorded as agreeing.
        jsonschema: vector.documentRule ? vector.expect : schema(vector),
        rust: answer.verdict,
      };
      const expectedJson = vector.expect === "unknown" ? vector.document : vector.reencoded;
      const jsonAgrees = vector.expect === "reject" || JSON.stringify(answer.json) === JSON.stringify(expectedJson) || deepEqual(answer.json, expectedJson);
      const coalesce = vector.expect === "accept" && !vector.envelope ? { typescript: ts.coalesce(vector.document), rust: answer.coalesce } : undefined;
      const coalesceAgrees = coalesce === undefined || coalesce.typescript === coalesce.rust;
      const expected = { typescript: vector.valueVerdict ?? vector.expect, typescriptText: vector.expect, jsonschema: vector.expect, rust: vector.expect };
      if (Object.entries(verdicts).some(([reader, verdict]) => verdict !== expected[reader as keyof typeof expected]) || !jsonAgrees || !coalesceAgrees) {
        const entry: Disagreement = { vector: vector.name, document: vector.text ?? vector.document, expect: vector.expect, ...verdicts };
        if (answer.json !== undefined) entry.rustJson = answer.json;
        if (answer.error !== undefined) entry.rustError = answer.error;
        if (!coalesceAgrees) entry.coalesce = coalesce;
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
