/**
 * Migrations are typed: migration-types.check.ts compiles under TypeScript 5.9 and 7 with the strict
 * flags (each `@ts-expect-error` line must fail to compile).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT, workDir } from "./helpers.js";

const COMPILERS = [
  ["5.9", path.join(ROOT, "node_modules", "typescript", "bin", "tsc")],
  ["7", path.join(ROOT, "node_modules", "typescript7", "bin", "tsc")],
] as const;

test("migration paths are completed from the versions and the upgraded event is typed as the latest", () => {
  const dir = workDir("migration-types");
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    target: "es2022",
    lib: ["es2022"],
    // Node's types for src/authoring.ts itself (it captures a call site).
    types: ["node"],
    noEmit: true,
    skipLibCheck: true,
    module: "nodenext",
    moduleResolution: "nodenext",
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [path.join(ROOT, "test", "migration-types.check.ts")] }, null, 2));
  for (const [version, bin] of COMPILERS) {
    const result = spawnSync(process.execPath, [bin, "-p", dir], { encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`.trim(), `TypeScript ${version}`).toBe("");
  }
});
