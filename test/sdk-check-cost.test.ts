/**
 * What the generated SDK costs its users' type checker beyond their own event types. The metadata
 * table, the validator dispatch and the Standard Schema objects are typed with declared types, and
 * the published JSON Schemas are JSON text: the checker builds no type per table entry or schema
 * keyword. Measured as `tsc --extendedDiagnostics` counts them (a count of types, exact and
 * independent of the machine's speed) on the largest golden case.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const SDK = path.join(ROOT, "test", "cases", "large_catalogue_of_nested_named_unions", "expected", "ts");
const VERSIONS = 55;

function typesChecked(files: string[]): number {
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
