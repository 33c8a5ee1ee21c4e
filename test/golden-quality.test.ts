/**
 * Goldens must be usable, not only stable: every expected TypeScript SDK (and the committed one in
 * generated/) type-checks under the strictest flags with both module resolutions, and every
 * expected JSON Schema is valid against the 2020-12 meta-schema and compiles with its references.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, test } from "vitest";
import { caseFolders, ROOT, workDir } from "./helpers.js";

const CASES = path.join(ROOT, "test", "cases");
const sdkFolders = [
  ...caseFolders(CASES).map((name) => path.join(CASES, name, "expected")),
  path.join(ROOT, "generated"),
];

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  // @tsconfig/strictest's further flags, and isolated declarations (each export's type stated).
  noPropertyAccessFromIndexSignature: true,
  noImplicitOverride: true,
  allowUnusedLabels: false,
  allowUnreachableCode: false,
  isolatedModules: true,
  forceConsistentCasingInFileNames: true,
  isolatedDeclarations: true,
  declaration: true,
  emitDeclarationOnly: true,
  outDir: "out",
  target: "es2022",
  lib: ["es2022"],
  types: [],
};

describe("generated TypeScript type-checks", () => {
  test.each([
    ["nodenext", "nodenext"],
    ["bundler", "esnext"],
  ])("moduleResolution %s", (moduleResolution, module) => {
    const dir = workDir(`tsc-${moduleResolution}`);
    const files = sdkFolders.flatMap((folder) => [path.join(folder, "ts", "index.ts"), path.join(folder, "ts", "standard.ts"), path.join(folder, "runtime", "index.ts")]);
    expect(files.every((file) => existsSync(file))).toBe(true);
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...STRICT, module, moduleResolution }, files }, null, 2));
    const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  test("no `any` in generated TypeScript", () => {
    for (const folder of sdkFolders) {
      for (const sub of ["ts", "runtime"]) {
        for (const file of readdirSync(path.join(folder, sub))) {
          const text = readFileSync(path.join(folder, sub, file), "utf8");
          expect(text, `${folder}/${sub}/${file}`).not.toMatch(/[:<,(|]\s*any\b|\bas any\b/);
        }
      }
    }
  });
});

describe.each(sdkFolders.map((folder) => [path.relative(ROOT, folder), folder]))("JSON Schemas of %s", (_name, folder) => {
  const dir = path.join(folder, "jsonschema");
  const schemas = readdirSync(dir)
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { $id: string });

  test("validate against the 2020-12 meta-schema and compile with their references", () => {
    const ajv = new Ajv2020({ strict: true, strictTuples: false, strictRequired: false, allErrors: true });
    addFormats.default(ajv);
    for (const schema of schemas) {
      expect(ajv.validateSchema(schema), `${schema.$id}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      ajv.addSchema(schema);
    }
    for (const schema of schemas) expect(typeof ajv.getSchema(schema.$id)).toBe("function");
  });
});
