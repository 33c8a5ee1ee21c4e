/**
 * `eventc init` leaves a project that runs: package.json (created, or completed — never a field of
 * the user's overwritten), the tsconfig.json `tsc --init` writes, the first event, an example
 * program, and next steps that work with a local install. Real npm (`npm init -y`), real tsc (5.9
 * and 7) and real node in temporary folders outside this repository; eventc and zod are linked into
 * each project's node_modules the way `npm link` would, so nothing is downloaded.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ROOT, runCli, snapshot } from "./helpers.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "eventc-init-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TSC = { "5.9": path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "7": path.join(ROOT, "node_modules", "typescript7", "bin", "tsc") };
const JITI_REGISTER = import.meta.resolve("jiti/register");

const NEXT_STEPS = [
  "  npx eventc generate   # schemas/ → generated/: TypeScript SDK and runtime, JSON Schemas, Rust crate",
  "  npm run example       # an event published and received through the generated bus",
  "  npx tsc --noEmit      # type-check",
];

const EXAMPLE_OUTPUT = [
  "received user.signed-in.v1 on topic u1: Ada signed in with sso",
  "rejected /payload/user/name: required",
  'rejected /payload/method: expected one of "password", "sso", "token"',
  "rejected /payload/at: not a valid date-time",
  "",
].join("\n");

function folder(name: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** eventc and zod in the project's node_modules, as links (what `npm link` and `npm install` leave for resolution). */
function linkInstalled(project: string, packages: Record<string, string> = { eventc: ROOT, zod: path.join(ROOT, "node_modules", "zod") }): void {
  mkdirSync(path.join(project, "node_modules"), { recursive: true });
  for (const [name, target] of Object.entries(packages)) symlinkSync(target, path.join(project, "node_modules", name), "dir");
}

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...env, NO_COLOR: "1", npm_config_update_notifier: "false" } });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** The first generate, `tsc --noEmit` with the project's tsconfig under TypeScript 5.9 and 7, and the example program run by node. */
function generateCheckAndRun(project: string, example: string): void {
  const generated = runCli(["generate"], project);
  expect(generated.stderr).toBe("");
  expect(generated.status).toBe(0);
  for (const [version, tsc] of Object.entries(TSC)) {
    const checked = run(process.execPath, [tsc, "--noEmit", "-p", project], project);
    expect(checked.stdout + checked.stderr, `TypeScript ${version}`).toBe("");
    expect(checked.status, `TypeScript ${version}`).toBe(0);
  }
  // What `npm run example` does with tsx, done by node with a TypeScript loader this repository has.
  const ran = run(process.execPath, ["--import", JITI_REGISTER, example], project);
  expect(ran.stderr).toBe("");
  expect(ran.stdout).toBe(EXAMPLE_OUTPUT);
}

describe("eventc init in an empty folder", () => {
  test("creates an ES-module project that generates, type-checks under TypeScript 5.9 and 7, and runs its example", () => {
    const project = folder("My App");
    linkInstalled(project);

    const init = runCli(["init"], project);

    expect(init.stderr).toBe("");
    expect(init.stdout).toBe(
      [
        'created package.json ("type": "module", scripts generate, check, lock, example)',
        "created tsconfig.json",
        "created schemas/user.ts",
        "created eventc.config.ts",
        "created example.ts",
        "next:",
        "  npm install --save-dev tsx typescript",
        ...NEXT_STEPS,
        "",
      ].join("\n"),
    );
    expect(init.status).toBe(0);
    expect(readFileSync(path.join(project, "package.json"), "utf8")).toBe(
      `${JSON.stringify(
        {
          name: "my-app",
          version: "0.1.0",
          private: true,
          type: "module",
          scripts: { generate: "eventc generate", check: "eventc check", lock: "eventc lock", example: "tsx example.ts" },
        },
        null,
        2,
      )}\n`,
    );
    generateCheckAndRun(project, "example.ts");
  }, 60_000);

  test("writes the tsconfig.json that `tsc --init` writes, with TypeScript 5.9 and with 7", () => {
    const project = folder("tsconfig");
    expect(runCli(["init"], project).status).toBe(0);
    const written = readFileSync(path.join(project, "tsconfig.json"), "utf8");
    for (const [version, tsc] of Object.entries(TSC)) {
      const reference = folder(`tsc-init-${version}`);
      expect(run(process.execPath, [tsc, "--init"], reference).status).toBe(0);
      expect(written, `tsc --init of TypeScript ${version}`).toBe(readFileSync(path.join(reference, "tsconfig.json"), "utf8"));
    }
  });

  test("given a new folder with nothing installed, the next steps go there and install what is missing", () => {
    const parent = folder("parent");
    const init = runCli(["init", "--dir", "my-events"], parent);
    expect(init.stderr).toBe("");
    const version = readJson(path.join(ROOT, "package.json")).version as string;
    expect(init.stdout).toBe(
      [
        'created my-events/package.json ("type": "module", scripts generate, check, lock, example)',
        "created my-events/tsconfig.json",
        "created my-events/schemas/user.ts",
        "created my-events/eventc.config.ts",
        "created my-events/example.ts",
        "next:",
        "  cd my-events",
        `  npm install --save-dev path/to/eventc-${version}.tgz zod tsx typescript   # eventc: the tarball or git URL you install it from`,
        ...NEXT_STEPS,
        "",
      ].join("\n"),
    );
  });
});

describe("eventc init beside a package.json", () => {
  test("of `npm init -y` (type commonjs, no module yet): sets type module and says what it was, keeping every field npm wrote", () => {
    const project = folder("npm-init");
    expect(run("npm", ["init", "-y"], project).status).toBe(0);
    const before = readJson(path.join(project, "package.json"));
    expect(before.type).toBe("commonjs");
    linkInstalled(project);

    const init = runCli(["init"], project);

    expect(init.stderr).toBe("");
    expect(init.stdout.split("\n")[0]).toBe('updated package.json: "type": "module" (was "commonjs"; no module here depends on it), scripts generate, check, lock, example');
    const after = readJson(path.join(project, "package.json"));
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after).toEqual({
      ...before,
      type: "module",
      scripts: { ...(before.scripts as object), generate: "eventc generate", check: "eventc check", lock: "eventc lock", example: "tsx example.ts" },
    });
  });

  test("of a CommonJS project with modules of its own: keeps its type, writes .mts modules that generate, type-check and run", () => {
    const project = folder("commonjs");
    writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "legacy", version: "1.0.0", type: "commonjs" }, null, 2)}\n`);
    mkdirSync(path.join(project, "src"));
    writeFileSync(path.join(project, "src", "server.js"), "module.exports = {};\n");
    writeFileSync(path.join(project, "src", "util.ts"), "export = 1;\n");
    linkInstalled(project);

    const init = runCli(["init"], project);

    expect(init.stderr).toBe("");
    expect(init.stdout).toBe(
      [
        "updated package.json: scripts generate, check, lock, example",
        "created tsconfig.json",
        "created schemas/user.mts",
        "created eventc.config.mts",
        "created example.mts",
        'note: package.json keeps "type": "commonjs" (src/server.js and 1 more are CommonJS modules), so the new modules are .mts files: ES modules in any package',
        "next:",
        "  npm install --save-dev tsx typescript",
        ...NEXT_STEPS,
        "",
      ].join("\n"),
    );
    expect(readJson(path.join(project, "package.json"))).toEqual({
      name: "legacy",
      version: "1.0.0",
      type: "commonjs",
      scripts: { generate: "eventc generate", check: "eventc check", lock: "eventc lock", example: "tsx example.mts" },
    });
    generateCheckAndRun(project, "example.mts");
  }, 60_000);

  test("without a type, with a module of its own: CommonJS by default, kept", () => {
    const project = folder("no-type");
    writeFileSync(path.join(project, "package.json"), '{ "name": "old" }\n');
    writeFileSync(path.join(project, "index.js"), "module.exports = {};\n");
    const init = runCli(["init"], project);
    expect(init.stdout).toContain(
      '\nnote: package.json keeps its default type, CommonJS (index.js is a CommonJS module), so the new modules are .mts files: ES modules in any package\n',
    );
    expect(readJson(path.join(project, "package.json")).type).toBeUndefined();
  });

  test("keeps the user's scripts, tsconfig.json and formatting, says so, and the next steps go around what it kept", () => {
    const project = folder("own-scripts");
    const manifest = '{\n    "name": "mine",\n    "type": "module",\n    "scripts": {\n        "generate": "node gen.js",\n        "example": "vite"\n    }\n}\n';
    writeFileSync(path.join(project, "package.json"), manifest);
    writeFileSync(path.join(project, "tsconfig.json"), '{ "compilerOptions": { "strict": true } }\n');
    linkInstalled(project);

    const init = runCli(["init"], project);

    expect(init.stderr).toBe("");
    expect(init.stdout).toBe(
      [
        "updated package.json: scripts check, lock",
        "created schemas/user.ts",
        "created eventc.config.ts",
        "created example.ts",
        'kept package.json scripts.generate ("node gen.js") and scripts.example ("vite")',
        "kept tsconfig.json",
        "next:",
        "  npm install --save-dev tsx typescript",
        "  npx eventc generate   # schemas/ → generated/: TypeScript SDK and runtime, JSON Schemas, Rust crate",
        "  npx tsx example.ts    # an event published and received through the generated bus",
        "  npx tsc --noEmit      # type-check",
        "",
      ].join("\n"),
    );
    expect(readFileSync(path.join(project, "package.json"), "utf8")).toBe(
      '{\n    "name": "mine",\n    "type": "module",\n    "scripts": {\n        "generate": "node gen.js",\n        "example": "vite",\n        "check": "eventc check",\n        "lock": "eventc lock"\n    }\n}\n',
    );
    expect(readFileSync(path.join(project, "tsconfig.json"), "utf8")).toBe('{ "compilerOptions": { "strict": true } }\n');
  });

  test("that already has everything: writes nothing and says nothing about package.json", () => {
    const project = folder("complete");
    const manifest = `${JSON.stringify({ name: "done", type: "module", scripts: { generate: "eventc generate", check: "eventc check", lock: "eventc lock", example: "tsx example.ts" } })}\n`;
    writeFileSync(path.join(project, "package.json"), manifest);
    const init = runCli(["init"], project);
    expect(init.stdout.split("\n").slice(0, 4)).toEqual(["created tsconfig.json", "created schemas/user.ts", "created eventc.config.ts", "created example.ts"]);
    expect(readFileSync(path.join(project, "package.json"), "utf8")).toBe(manifest);
  });

  test("that is not valid JSON: exit 2 naming the file and line, nothing written", () => {
    const project = folder("bad-manifest");
    writeFileSync(path.join(project, "package.json"), '{\n  "name": "x",\n  "scripts": { "a": "b", }\n}\n');
    const before = snapshot(project);
    const init = runCli(["init"], project);
    expect(init.stderr).toMatch(/^eventc: package\.json:3: is not valid JSON \(.+\); fix it, then run eventc init again\n$/);
    expect(init.status).toBe(2);
    expect(init.stdout).toBe("");
    expect(snapshot(project)).toEqual(before);
  });
});

describe("eventc init never overwrites", () => {
  test("every file in the way is named, and nothing is written", () => {
    const project = folder("in-the-way");
    mkdirSync(path.join(project, "schemas"));
    writeFileSync(path.join(project, "schemas", "user.ts"), "// mine\n");
    writeFileSync(path.join(project, "example.ts"), "// mine\n");
    writeFileSync(path.join(project, "eventc.config.mjs"), "export default {};\n");
    const before = snapshot(project);

    const init = runCli(["init"], project);

    expect(init.stderr).toBe(
      [
        "eventc: schemas/user.ts: already exists; eventc init never overwrites",
        "example.ts: already exists; eventc init never overwrites",
        "eventc.config.mjs: already exists; eventc init never overwrites",
        "",
      ].join("\n"),
    );
    expect(init.status).toBe(2);
    expect(init.stdout).toBe("");
    expect(snapshot(project)).toEqual(before);
  });

  test("a second run stops at the files of the first", () => {
    const project = folder("twice");
    expect(runCli(["init"], project).status).toBe(0);
    const before = snapshot(project);
    const second = runCli(["init"], project);
    expect(second.stderr).toBe(
      ["eventc: schemas/user.ts: already exists; eventc init never overwrites", "eventc.config.ts: already exists; eventc init never overwrites", "example.ts: already exists; eventc init never overwrites", ""].join("\n"),
    );
    expect(second.status).toBe(2);
    expect(snapshot(project)).toEqual(before);
  });
});

describe("eventc init with Zod 3 installed", () => {
  test("writes the event in Zod 3, which generates, and says named types need Zod 4", () => {
    const project = folder("zod3");
    // A zod 3 package: the Zod 3 API that zod ships as "zod/v3".
    const zod3 = path.join(project, "node_modules", "zod");
    mkdirSync(zod3, { recursive: true });
    writeFileSync(path.join(zod3, "package.json"), JSON.stringify({ name: "zod", version: "3.25.76", main: "index.cjs" }));
    writeFileSync(path.join(zod3, "index.cjs"), `module.exports = require(${JSON.stringify(createRequire(import.meta.url).resolve("zod/v3"))});\n`);

    const init = runCli(["init"], project);

    expect(init.stdout.split("\n").slice(5, 6)).toEqual(["note: zod 3.25.76 is installed, so the example is written for Zod 3; named types (.meta({ id })) need Zod 4"]);
    expect(readFileSync(path.join(project, "schemas", "user.ts"), "utf8")).toContain("at: z.string().datetime(),");
    const generated = runCli(["generate", "--target", "jsonschema"], project);
    expect(generated.stderr).toBe("");
    expect(generated.status).toBe(0);
  });
});
