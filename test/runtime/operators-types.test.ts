/**
 * The operators are typed through the chain and by the catalogue: operators-types.check.ts compiles
 * under TypeScript 5.9 and 7 with the strict flags (each `@ts-expect-error` line must fail to compile).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT, workDir } from "../helpers.js";

const COMPILERS = [
  ["5.9", path.join(ROOT, "node_modules", "typescript", "bin", "tsc")],
  ["7", path.join(ROOT, "node_modules", "typescript7", "bin", "tsc")],
] as const;

test("the_element_type_follows_the_chain_and_isEvent_narrows_by_the_catalogue", () => {
  const dir = workDir("operators-types");
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    target: "es2022",
    // `dom` only for AbortController in the check file; the operators compile without it (typecheck.test.ts).
    lib: ["es2022", "dom"],
    types: [],
    noEmit: true,
    module: "nodenext",
    moduleResolution: "nodenext",
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [path.join(ROOT, "test", "runtime", "operators-types.check.ts")] }, null, 2));
  for (const [version, bin] of COMPILERS) {
    const result = spawnSync(process.execPath, [bin, "-p", dir], { encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`.trim(), `TypeScript ${version}`).toBe("");
  }
});
