/**
 * Golden cases: every folder under test/cases/ holds `schemas/` and `expected/<target folder>/…`.
 * Each target's output must equal the expected files exactly (same file list, same bytes).
 * Refresh with UPDATE_EXPECT=1 (optionally UPDATE_CASE=<name> and UPDATE_TARGET=<id>), never silently.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { emitTargets } from "../src/generate.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { targets } from "../src/targets/index.js";
import { caseFolders, ROOT, snapshot } from "./helpers.js";

const CASES = path.join(ROOT, "test", "cases");
const update = process.env.UPDATE_EXPECT === "1";

function shouldUpdate(caseName: string, targetId: string): boolean {
  return (
    update &&
    (process.env.UPDATE_CASE === undefined || process.env.UPDATE_CASE === caseName) &&
    (process.env.UPDATE_TARGET === undefined || process.env.UPDATE_TARGET === targetId)
  );
}

describe.each(caseFolders(CASES))("golden case %s", (caseName) => {
  const caseDir = path.join(CASES, caseName);

  test.each(targets.map((target) => [target.id, target] as const))("%s output matches expected/", async (_id, target) => {
    const catalogue = await loadCatalogue({ schemasDir: path.join(caseDir, "schemas"), cwd: caseDir });
    const produced = new Map(emitTargets(catalogue, [target.id]).map((file) => [file.path.slice(target.folder.length + 1), file.contents]));
    const expectedDir = path.join(caseDir, "expected", target.folder);
    if (shouldUpdate(caseName, target.id)) {
      rmSync(expectedDir, { recursive: true, force: true });
      for (const [file, contents] of produced) {
        mkdirSync(path.dirname(path.join(expectedDir, file)), { recursive: true });
        writeFileSync(path.join(expectedDir, file), contents);
      }
    }
    const expected = snapshot(expectedDir);
    expect(expected.size, `no expected output for ${target.id}; run with UPDATE_EXPECT=1 UPDATE_CASE=${caseName} UPDATE_TARGET=${target.id}`).toBeGreaterThan(0);
    expect([...produced.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, contents] of produced) {
      expect(contents, `${caseName}/expected/${target.folder}/${file}`).toBe(readFileSync(path.join(expectedDir, file), "utf8"));
    }
  });
});
