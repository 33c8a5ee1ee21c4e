/**
 * Inputs that were once dropped or accepted without a word: each is now either read or refused
 * with a one-line message (exit 2). Cases that fit a folder of their own live in test/bad-input/;
 * these need a file system the repository cannot hold (non-UTF-8 names, links out of the case).
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, runCli, workDir } from "./helpers.js";

const event = (name: string): string =>
  `import { z } from "zod";\nimport { defineEvent } from "eventc";\n\nexport const event = defineEvent(${JSON.stringify(name)}, { versions: { 1: z.object({ at: z.string() }) } });\n`;

describe("schema folders", () => {
  test("a symbolically linked folder is followed like a linked file", () => {
    const project = workDir("silent-linked-folder");
    mkdirSync(path.join(project, "schemas"));
    mkdirSync(path.join(project, "shared"));
    writeFileSync(path.join(project, "schemas", "own.ts"), event("own.happened"));
    writeFileSync(path.join(project, "shared", "team.ts"), event("team.happened"));
    symlinkSync("../shared", path.join(project, "schemas", "team"));

    const result = runCli(["list"], project);

    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n").map((line) => line.split(/\s+/)[0])).toEqual(["EVENT", "own.happened", "team.happened", ""]);
    expect(result.stdout).toContain("schemas/team/team.ts");
  });

  test("a module whose file name is not UTF-8 is refused by name, not reported missing", () => {
    const project = workDir("silent-non-utf8-name");
    mkdirSync(path.join(project, "schemas"));
    writeFileSync(path.join(project, "schemas", "ok.ts"), event("ok.happened"));
    writeFileSync(Buffer.from(path.join(project, "schemas", "caf\xe9.ts"), "latin1"), event("cafe.opened"));

    const result = runCli(["generate", "--check"], project);

    expect(result.stderr).toBe("eventc: schemas/caf\\xE9.ts: name is not valid UTF-8; rename it (Node imports modules by UTF-8 paths only)\n");
    expect(result.status).toBe(2);
  });
});

describe("schema modules that end the process", () => {
  test("process.exit(0) from a timer cannot make generate --check pass", () => {
    const project = workDir("silent-exit-later", path.join(ROOT, "test", "bad-input", "_baseline"));
    expect(runCli(["generate"], project).status).toBe(0);
    // Drift that --check must report, and a module that tries to end the run with success first.
    writeFileSync(path.join(project, "generated", "ts", "types.ts"), "// edited\n");
    writeFileSync(path.join(project, "schemas", "later.ts"), "\nsetTimeout(() => process.exit(0), 200);\n");

    const result = runCli(["generate", "--check"], project);

    expect(result.stderr.split("\n").at(-2)).toBe(
      "eventc: schemas/later.ts:2: process.exit(0) was called from outside eventc (a schema module must not end the process); stopped with exit code 2",
    );
    expect(result.status).toBe(2);
  });
});
