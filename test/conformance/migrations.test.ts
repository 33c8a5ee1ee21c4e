/**
 * Migrations proven equal on every side: for each catalogue that declares migrations (the example
 * and the golden cases), every accepted conformance vector of a version with a declared way up is
 * upgraded to the latest version, and each of a version with a declared downgrade is downgraded, by
 * the TypeScript SDK and by the Rust crate (migration-engines.ts says what must agree).
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import { conformanceVectors } from "../../src/conformance/vectors.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { caseFolders, ROOT } from "../helpers.js";
import { migrationCases, migrationDisagreements } from "./migration-engines.js";

const CASES = path.join(ROOT, "test", "cases");
const subjects = [
  { name: "example", schemas: path.join(ROOT, "schemas"), cwd: ROOT, out: path.join(ROOT, "generated") },
  ...caseFolders(CASES).map((name) => ({ name, schemas: path.join(CASES, name, "schemas"), cwd: path.join(CASES, name), out: path.join(CASES, name, "expected") })),
];

describe.each(subjects.map((subject) => [subject.name, subject] as const))("migrations: %s", (_name, subject) => {
  test("TypeScript and Rust move every vector to the same valid payload", { timeout: 300_000 }, async () => {
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const accepted = conformanceVectors(catalogue)
      .filter((vector) => vector.expect === "accept" && !vector.envelope && vector.text === undefined)
      .map((vector) => ({ name: vector.name, document: vector.document as { type: string; payload?: unknown } }));
    const cases = migrationCases(catalogue, accepted);
    if (!catalogue.events.some((event) => event.versions.some((version) => version.upgrade !== undefined))) {
      expect(cases).toEqual([]);
      return;
    }
    expect(cases.length).toBeGreaterThan(0);
    expect(await migrationDisagreements(subject.name, path.join(subject.out, "ts"), path.join(subject.out, "rust"), cases)).toEqual([]);
  });
});
