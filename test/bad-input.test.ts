/**
 * The bad-input corpus: each folder under test/bad-input/ is a small project that is wrong in one
 * way. `eventc` must exit 2 with the exact message in `expected.txt` (file, event, version, field),
 * and leave the output folder byte-for-byte as it was. Arguments default to `generate`; a case
 * may set its own in `args.json`. Refresh messages with UPDATE_EXPECT=1 (UPDATE_CASE=<name>).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { caseFolders, ROOT, runCli, snapshot, workDir } from "./helpers.js";

const CORPUS = path.join(ROOT, "test", "bad-input");
let seeded: string;

beforeAll(() => {
  // A real earlier generation, so "unchanged" is checked against meaningful content.
  const baseline = workDir("bad-input-baseline", path.join(CORPUS, "_baseline"));
  const result = runCli(["generate"], baseline);
  expect(result.stderr).toBe("");
  seeded = path.join(baseline, "generated");
});

describe.concurrent.each(caseFolders(CORPUS))("bad input: %s", (caseName) => {
  test("exits 2 with a precise message and writes nothing", () => {
    const caseDir = path.join(CORPUS, caseName);
    const dir = workDir(`bad-input-${caseName}`, caseDir);
    cpSync(seeded, path.join(dir, "generated"), { recursive: true });
    const before = snapshot(path.join(dir, "generated"));
    const argsFile = path.join(caseDir, "args.json");
    const args = existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, "utf8")) as string[]) : ["generate"];

    const result = runCli(args, dir);

    const expectedFile = path.join(caseDir, "expected.txt");
    if (process.env.UPDATE_EXPECT === "1" && (process.env.UPDATE_CASE ?? caseName) === caseName) writeFileSync(expectedFile, result.stderr);
    expect(result.stderr).toBe(readFileSync(expectedFile, "utf8"));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(snapshot(path.join(dir, "generated"))).toEqual(before);
  });
});
