/**
 * Differential fuzzing: random VALID event documents drawn from the IR
 * (src/conformance/arbitraries.ts) go TypeScript → JSON → Rust (decode + validate + re-encode) →
 * JSON → TypeScript. For every document:
 * - the generated TypeScript validators accept it, and so does Ajv over the generated JSON Schemas;
 * - the generated Rust crate accepts it and re-encodes it as the same JSON value;
 * - the TypeScript validators accept Rust's output, which deep-equals the original.
 *
 * At least 10,000 documents over the example catalogue per run (and a share for every golden
 * case), each catalogue's documents in one batch through one Rust process. The seed is printed;
 * `EVENTC_FUZZ_SEED=<n>` replays a run, and a failure names the seed and the first failing document.
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import { sampleEventDocuments, type EventDocument } from "../../src/conformance/arbitraries.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { caseFolders, ROOT } from "../helpers.js";
import { jsonSchemaJudge, rustJudge, typescriptJudge } from "./engines.js";

const CASES = path.join(ROOT, "test", "cases");
const SEED = process.env.EVENTC_FUZZ_SEED !== undefined ? Number(process.env.EVENTC_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(SEED)) throw new Error(`EVENTC_FUZZ_SEED must be an integer, got ${process.env.EVENTC_FUZZ_SEED}`);

interface Subject {
  name: string;
  schemas: string;
  cwd: string;
  generated: string;
  /** Documents to draw across the catalogue (spread evenly over its event versions). */
  documents: number;
}

const subjects: Subject[] = [
  { name: "example", schemas: path.join(ROOT, "schemas"), cwd: ROOT, generated: path.join(ROOT, "generated"), documents: 10_000 },
  ...caseFolders(CASES).map((name) => ({ name, schemas: path.join(CASES, name, "schemas"), cwd: path.join(CASES, name), generated: path.join(CASES, name, "expected"), documents: 1_000 })),
];

interface Failure {
  document: EventDocument;
  typescript: string;
  jsonschema: string;
  rust: string;
  rustJson?: unknown;
  rustError?: string;
  /** TypeScript's verdict on Rust's output. */
  typescriptOnRust?: string;
  reencodedEqual: boolean;
  coalesce?: { typescript: string | null; rust: string | null | undefined };
}

describe.each(subjects.map((subject) => [subject.name, subject] as const))("differential fuzzing: %s", (_name, subject) => {
  test(`${subject.documents} random valid documents agree across TypeScript, JSON Schema and Rust`, { timeout: 300_000 }, async () => {
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const versions = catalogue.events.reduce((sum, event) => sum + event.versions.length, 0);
    const documents = sampleEventDocuments(catalogue, Math.ceil(subject.documents / versions), SEED);
    console.log(`fuzz ${subject.name}: seed ${SEED} (EVENTC_FUZZ_SEED=${SEED} replays), ${documents.length} documents over ${versions} event versions`);
    const ts = await typescriptJudge(path.join(subject.generated, "ts"));
    const schema = jsonSchemaJudge(path.join(subject.generated, "jsonschema"));
    const rust = rustJudge(`fuzz-${subject.name}`, path.join(subject.generated, "rust"))(documents.map((document) => ({ document })));

    const failures: Failure[] = [];
    documents.forEach((document, index) => {
      const answer = rust[index]!;
      const verdicts = { typescript: ts.judge({ document }), typescriptText: ts.judgeText({ document }), jsonschema: schema({ document }), rust: answer.verdict };
      const typescriptOnRust = answer.json === undefined ? undefined : ts.judge({ document: answer.json });
      const coalesceAgrees = answer.verdict !== "accept" || answer.coalesce === ts.coalesce(document);
      const reencodedEqual = jsonEqual(answer.json, document);
      if (Object.values(verdicts).some((verdict) => verdict !== "accept") || typescriptOnRust !== "accept" || !reencodedEqual || !coalesceAgrees) {
        failures.push({
          document,
          ...verdicts,
          ...(answer.json !== undefined ? { rustJson: answer.json } : {}),
          ...(answer.error !== undefined ? { rustError: answer.error } : {}),
          ...(typescriptOnRust !== undefined ? { typescriptOnRust } : {}),
          reencodedEqual,
          ...(coalesceAgrees ? {} : { coalesce: { typescript: ts.coalesce(document), rust: answer.coalesce } }),
        });
      }
    });
    expect(documents.length).toBeGreaterThanOrEqual(subject.documents);
    expect(failures[0], `seed ${SEED}: ${failures.length} of ${documents.length} documents disagree; the first is shown`).toBeUndefined();
  });
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
