/**
 * What the generated SDK costs its users' type checker beyond their own event types. The metadata
 * table, the validator dispatch and the Standard Schema objects are typed with declared types, and
 * the published JSON Schemas are JSON text: the checker builds no type per table entry or schema
 * keyword. Measured as `tsc --extendedDiagnostics` counts them (a count of types, exact and
 * independent of the machine's speed) on the largest golden case.
 */
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { UNCHECKED_DIRECTIVE } from "../src/targets/typescript/index.js";
import { ROOT, workDir } from "./helpers.js";

const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const EXPECTED = path.join(ROOT, "test", "cases", "large_catalogue_of_nested_named_unions", "expected", "ts");
const VERSIONS = 55;

/** The SDK as generated, and a copy without the directive that keeps a project's compiler out of its implementation files. */
const AS_GENERATED = EXPECTED;
const IN_FULL = (() => {
  const copy = workDir("sdk-check-cost-in-full");
  cpSync(EXPECTED, copy, { recursive: true });
  for (const file of readdirSync(copy).filter((name) => name.endsWith(".ts"))) {
    writeFileSync(path.join(copy, file), readFileSync(path.join(copy, file), "utf8").replace(UNCHECKED_DIRECTIVE, ""));
  }
  return copy;
})();

function typesChecked(files: string[], SDK = IN_FULL): number {
  const flags = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", "node", "--extendedDiagnostics"];
  const result = spawnSync(process.execPath, [TSC, ...flags, ...files.map((file) => path.join(SDK, file))], { encoding: "utf8" });
  expect(result.status, result.stdout + result.stderr).toBe(0);
  const count = /^Types:\s+(\d+)$/m.exec(result.stdout);
  if (count === null) throw new Error(`no type count in tsc's output:\n${result.stdout}`);
  return Number(count[1]);
}

test("the_sdk_beyond_its_payload_types_and_validators_costs_the_checker_a_few_types_per_event_version", () => {
  const catalogueTypes = typesChecked(["types.ts", "validate.ts"]);
  const wholeSdk = typesChecked(["index.ts", "standard.ts"]);
  // The metadata table, dispatch, guards and Standard Schema objects with their JSON Schemas: about
  // 17 types a version today; inferred object literals and a `Map` of tuples made it over 100.
  expect((wholeSdk - catalogueTypes) / VERSIONS).toBeLessThan(30);
});

test("a_project's_compiler_reads_the_implementation_files_for_the_types_of_their_exports_only", () => {
  const inFull = typesChecked(["index.ts", "standard.ts"]);
  const asGenerated = typesChecked(["index.ts", "standard.ts"], AS_GENERATED);
  expect(asGenerated).toBeLessThan(inFull * 0.6);
});

test("a_project's_compiler_still_checks_types.ts_and_index.ts_and_what_it_uses_of_the_rest", () => {
  // A copy as generated, with one wrong line planted in a declaration file and one in an implementation file.
  const copy = workDir("sdk-check-cost-planted");
  cpSync(EXPECTED, copy, { recursive: true });
  const plant = (file: string, line: string) => writeFileSync(path.join(copy, file), `${readFileSync(path.join(copy, file), "utf8")}${line}\n`);
  plant("types.ts", 'export const plantedInTypes: number = "text";');
  plant("validate.ts", 'export const plantedInValidate: number = "text";');
  writeFileSync(path.join(copy, "use.ts"), 'import { plantedInValidate } from "./validate.js";\nexport const used: string = plantedInValidate;\n');
  const flags = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", "node"];
  const result = spawnSync(process.execPath, [TSC, ...flags, path.join(copy, "index.ts"), path.join(copy, "use.ts")], { encoding: "utf8" });
  const errors = result.stdout.split("\n").filter((line) => line.includes("error TS")).map((line) => line.replace(/\(\d+,\d+\)/, "").replace(`${path.relative(process.cwd(), copy)}/`, ""));
  expect(errors).toEqual([
    "types.ts: error TS2322: Type 'string' is not assignable to type 'number'.",
    "use.ts: error TS2322: Type 'number' is not assignable to type 'string'.",
  ]);
});
