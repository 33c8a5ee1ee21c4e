/**
 * The package installs the way its users install it (docs/getting-started.md): `npm pack` builds
 * dist/ in `prepack` and ships it, so installing the tarball runs no script of ours; the tarball is
 * installed into new projects outside this repository — an ES-module one from an empty folder, and a
 * CommonJS one with code of its own — where `npx eventc init`, the first `npx eventc generate`,
 * `npx tsc --noEmit` and `npm run example` (an event published and received through the generated
 * bus) all succeed with the project's own TypeScript and tsx.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "eventc-package-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const version = (name: string): string => (JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };

/**
 * npm as a user runs it: none of the `npm_*` variables of an enclosing `npm test`, warnings shown
 * (the install-scripts warning is one), no funding or audit chatter.
 */
function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...env, NO_COLOR: "1", npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" } });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The lines of npm's install-scripts warning that name eventc. */
function installScriptWarningsAboutEventc(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /install-scripts/.test(line) && /\beventc@/.test(line));
}

let tarball = "";
let packOutput = "";

beforeAll(() => {
  const packed = run("npm", ["pack", "--json", "--pack-destination", scratch], ROOT);
  expect(packed.status, packed.stderr).toBe(0);
  packOutput = packed.stdout + packed.stderr;
  const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[\n"))) as { filename: string }[];
  tarball = path.join(scratch, report[0]!.filename);
}, 60_000);

describe("npm pack", () => {
  test("builds dist/ in prepack and ships it, without build state, sources or tests", () => {
    expect(packOutput).toContain(`> eventc@${manifest.version} prepack\n> npm run build`);
    const listed = run("tar", ["tzf", tarball], scratch);
    expect(listed.status).toBe(0);
    const files = listed.stdout.trim().split("\n");
    for (const file of ["package/package.json", "package/bin/eventc.js", "package/dist/index.js", "package/dist/index.d.ts", "package/dist/cli/index.js", "package/templates/ts/runtime/bus/bus.ts"]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => /\.tsbuildinfo$|^package\/(src|test|schemas|generated|demo|bench|scripts)\//.test(file))).toEqual([]);
  });

  test("ships a package.json with no script that runs when it is installed", () => {
    const unpacked = path.join(scratch, "unpacked");
    mkdirSync(unpacked);
    expect(run("tar", ["xzf", tarball, "-C", unpacked], scratch).status).toBe(0);
    const packaged = JSON.parse(readFileSync(path.join(unpacked, "package", "package.json"), "utf8")) as { scripts?: Record<string, string> };
    // npm runs these when a package is installed (prepare: from a folder or a git URL too). The
    // build for a git dependency is the `dependencies` script, which npm runs in the root project
    // only: this repository, or the clone npm prepares for a git dependency — never in a project
    // that installs eventc.
    const atInstall = ["preinstall", "install", "postinstall", "prepare"].filter((name) => packaged.scripts?.[name] !== undefined);
    expect(atInstall).toEqual([]);
  });
});

interface Flow {
  /** Where `npm install` ran, and what it printed. */
  installed: { status: number | null; stderr: string };
  init: { status: number | null; stdout: string; stderr: string };
  project: string;
}

/** `npm install --save-dev <tarball> zod tsx typescript` (from the local npm cache where it can), then `npx eventc init`. */
function installAndInit(project: string, typescript: string): Flow {
  const installed = run("npm", ["install", "--save-dev", "--prefer-offline", tarball, `zod@${version("zod")}`, "tsx@4", `typescript@${typescript}`], project);
  expect(installed.status, installed.stderr).toBe(0);
  const init = run("npx", ["--no-install", "eventc", "init"], project);
  return { installed, init, project };
}

/** The first generate, the type-check and the example, as the printed next steps say. */
function generateCheckAndRun(project: string): void {
  const generated = run("npx", ["--no-install", "eventc", "generate"], project);
  expect(generated.stderr).toBe("");
  expect(generated.status).toBe(0);
  expect(generated.stdout).toMatch(/^generated: \d+ written, 0 unchanged, 0 removed \(1 events, 1 versions, 1 named types;/);

  const checked = run("npx", ["--no-install", "tsc", "--noEmit"], project);
  expect(checked.stdout + checked.stderr).toBe("");
  expect(checked.status).toBe(0);

  const example = run("npm", ["run", "--silent", "example"], project);
  expect(example.stderr).toBe("");
  expect(example.stdout).toBe(
    [
      "received user.signed-in.v1 on topic u1: Ada signed in with sso",
      "rejected /payload/user/name: required",
      'rejected /payload/method: expected one of "password", "sso", "token"',
      "rejected /payload/at: not a valid date-time",
      "",
    ].join("\n"),
  );
  expect(example.status).toBe(0);
}

describe("the tarball in a new project", () => {
  test("an ES-module project from an empty folder: install, init, generate, type-check, and an event through the bus", () => {
    const project = path.join(scratch, "esm-app");
    mkdirSync(project);
    const { installed, init } = installAndInit(project, version("typescript7"));
    expect(installScriptWarningsAboutEventc(installed.stderr)).toEqual([]);
    expect(init.stderr).toBe("");
    expect(init.stdout).toBe(
      [
        'updated package.json: "type": "module", scripts generate, check, lock, example',
        "created tsconfig.json",
        "created schemas/user.ts",
        "created eventc.config.ts",
        "created example.ts",
        "next:",
        "  npx eventc generate   # schemas/ → generated/: TypeScript SDK and runtime, JSON Schemas, Rust crate",
        "  npm run example       # an event published and received through the generated bus",
        "  npx tsc --noEmit      # type-check",
        "",
      ].join("\n"),
    );
    expect(init.status).toBe(0);
    generateCheckAndRun(project);
  }, 60_000);

  test("a CommonJS project with code of its own: keeps its type, and its ES modules (.mts) run the generated bus", () => {
    const project = path.join(scratch, "cjs-app");
    mkdirSync(project);
    expect(run("npm", ["init", "-y"], project).status).toBe(0);
    expect((JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as { type?: string }).type).toBe("commonjs");
    writeFileSync(path.join(project, "index.js"), 'const { hostname } = require("node:os");\nmodule.exports = { host: hostname() };\nconsole.log(typeof module.exports.host);\n');

    const { installed, init } = installAndInit(project, version("typescript"));
    expect(installScriptWarningsAboutEventc(installed.stderr)).toEqual([]);
    expect(init.stderr).toBe("");
    expect(init.stdout).toBe(
      [
        "updated package.json: scripts generate, check, lock, example",
        "created tsconfig.json",
        "created schemas/user.mts",
        "created eventc.config.mts",
        "created example.mts",
        'note: package.json keeps "type": "commonjs" (index.js is a CommonJS module), so the new modules are .mts files: ES modules in any package',
        "next:",
        "  npx eventc generate   # schemas/ → generated/: TypeScript SDK and runtime, JSON Schemas, Rust crate",
        "  npm run example       # an event published and received through the generated bus",
        "  npx tsc --noEmit      # type-check",
        "",
      ].join("\n"),
    );
    expect(init.status).toBe(0);
    expect((JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as { type?: string }).type).toBe("commonjs");
    generateCheckAndRun(project);
    // The project's own CommonJS code is untouched and still runs.
    expect(run("node", ["index.js"], project)).toMatchObject({ status: 0, stdout: "string\n" });
  }, 60_000);
});
