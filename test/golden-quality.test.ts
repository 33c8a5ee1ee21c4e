/**
 * Goldens must be usable, not only stable: every expected TypeScript SDK (and the committed one in
 * generated/) type-checks under TypeScript 5.9 and 7, with both module resolutions, under the
 * strictest flags anyone is likely to hold it to — every flag of @tsconfig/strictest and of what
 * `tsc --init` writes today, with isolated declarations — and under TypeScript 7's own `tsc --init`
 * config as it is — every file in full, the directive that keeps a project's compiler out of the
 * implementation files removed. Every expected JSON Schema is valid against the 2020-12 meta-schema and compiles
 * with its references.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { UNCHECKED_DIRECTIVE } from "../src/targets/typescript/index.js";
import { caseFolders, ROOT, workDir } from "./helpers.js";

const CASES = path.join(ROOT, "test", "cases");
const sdkFolders = [
  ...caseFolders(CASES).map((name) => path.join(CASES, name, "expected")),
  path.join(ROOT, "generated"),
];

const COMPILERS = {
  "5.9": path.join(ROOT, "node_modules", "typescript", "bin", "tsc"),
  "7": path.join(ROOT, "node_modules", "typescript7", "bin", "tsc"),
};
type Compiler = keyof typeof COMPILERS;

function tsc(compiler: Compiler, args: string[], cwd: string): string {
  const result = spawnSync(process.execPath, [COMPILERS[compiler], ...args], { cwd, encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? "" : `\n(exit ${result.status})`);
}

/** The compiler options of a tsconfig file (JSON with comments, as `tsc --init` writes it). */
function compilerOptionsOf(file: string): Record<string, unknown> {
  const parsed = ts.parseConfigFileTextToJson(file, readFileSync(file, "utf8"));
  if (parsed.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(parsed.error.messageText, "\n"));
  return (parsed.config as { compilerOptions: Record<string, unknown> }).compilerOptions;
}

/** What this compiler's `tsc --init` writes today. */
function initConfig(compiler: Compiler): Record<string, unknown> {
  const dir = workDir(`tsc-init-${compiler}`);
  expect(tsc(compiler, ["--init"], dir)).toContain("Created a new tsconfig.json");
  return compilerOptionsOf(path.join(dir, "tsconfig.json"));
}

const STRICTEST = compilerOptionsOf(path.join(ROOT, "node_modules", "@tsconfig", "strictest", "tsconfig.json"));
const INIT = { "5.9": initConfig("5.9"), "7": initConfig("7") };

/**
 * The union of both, and more: isolated declarations (each export's type stated), no host types at
 * all (no DOM, no Node: `lib` narrower than `tsc --init`'s default), never an emitted file.
 */
const STRICT: Record<string, unknown> = {
  ...INIT["5.9"],
  ...INIT["7"],
  ...STRICTEST,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  forceConsistentCasingInFileNames: true,
  isolatedDeclarations: true,
  declaration: true,
  noEmit: true,
  lib: ["es2022"],
  types: [],
};

/** The SDK files a project's compiler does not check (the directive at their top); every other one it does. */
const UNCHECKED_FILES = ["catalogue.ts", "migrate.ts", "migrations.ts", "shape.ts", "standard.ts", "validate.ts", "wire.ts"];

/**
 * Each SDK folder's `ts/` and `runtime/` as its files would be without the directive that keeps a
 * project's compiler out of the implementation files: here every line of every file is checked.
 */
const checkedFolders = sdkFolders.map((folder, index) => {
  const copy = workDir(`golden-quality-checked-${index}`);
  for (const sub of ["ts", "runtime"]) {
    cpSync(path.join(folder, sub), path.join(copy, sub), { recursive: true });
    for (const file of (readdirSync(path.join(copy, sub), { recursive: true }) as string[]).filter((name) => name.endsWith(".ts"))) {
      const text = readFileSync(path.join(copy, sub, file), "utf8");
      const marked = text.split("\n")[1] === UNCHECKED_DIRECTIVE.trimEnd();
      if (marked !== (sub === "ts" && UNCHECKED_FILES.includes(file))) throw new Error(`${folder}/${sub}/${file}: the directive is ${marked ? "there" : "missing"}`);
      if (marked) writeFileSync(path.join(copy, sub, file), text.replace(UNCHECKED_DIRECTIVE, ""));
    }
  }
  return copy;
});

/** What every SDK folder holds for a program to import: the SDK, its Standard Schemas, the runtime and the SSE client. */
const files = checkedFolders.flatMap((folder) =>
  ["ts/index.ts", "ts/standard.ts", "runtime/index.ts", "runtime/sse/client.ts"].map((file) => path.join(folder, file)).filter((file) => !file.endsWith("sse/client.ts") || existsSync(file)),
);

function check(compiler: Compiler, name: string, compilerOptions: Record<string, unknown>): string {
  const dir = workDir(`tsc-${compiler}-${name}`);
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }, null, 2));
  return tsc(compiler, ["-p", dir], dir);
}

describe("generated TypeScript type-checks", () => {
  test("the_strict_flags_hold_every_flag_of_tsconfig_strictest_and_of_tsc_init_under_5_9_and_7", () => {
    for (const [source, options] of [["@tsconfig/strictest", STRICTEST], ["tsc --init 5.9", INIT["5.9"]], ["tsc --init 7", INIT["7"]]] as const) {
      for (const [flag, value] of Object.entries(options)) {
        // Where a strict setting differs, it is the stricter one: a narrower lib; never an emitted file.
        if (flag === "lib" || ["sourceMap", "declarationMap"].includes(flag)) continue;
        expect(STRICT[flag], `${source}: ${flag}`).toEqual(value);
      }
    }
    expect(files.every((file) => existsSync(file))).toBe(true);
  });

  test.each([
    ["5.9", "nodenext", "nodenext"],
    ["5.9", "bundler", "esnext"],
    ["7", "nodenext", "nodenext"],
    ["7", "bundler", "esnext"],
  ] as const)("under_typescript_%s_with_the_strict_flags_and_module_resolution_%s", (compiler, moduleResolution, module) => {
    expect(check(compiler, moduleResolution, { ...STRICT, module, moduleResolution })).toBe("");
  });

  test("under_typescript_7_with_its_own_tsc_init_config", () => {
    // As `tsc --init` writes it, emitting nothing (it would write beside the sources).
    expect(check("7", "init", { ...INIT["7"], noEmit: true })).toBe("");
  });

  test("no `any` in generated TypeScript", () => {
    for (const folder of sdkFolders) {
      for (const sub of ["ts", "runtime"]) {
        for (const file of (readdirSync(path.join(folder, sub), { recursive: true }) as string[]).filter((name) => /\.(ts|json)$/.test(name))) {
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
