/** The CLI end to end: generate, --check drift reporting, list, init, help and version. */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, runCli, snapshot, workDir } from "./helpers.js";

describe("eventc generate", () => {
  test("the committed generated/ matches the example catalogue (CI fails on drift)", () => {
    const result = runCli(["generate", "--check"], ROOT);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("generated is up to date (18 events, 20 versions, 11 named types).\n");
    expect(result.status).toBe(0);
  });

  test("--check lists every missing, stale and extra file, writes nothing and exits 1", () => {
    const dir = workDir("cli-check", path.join(ROOT, "schemas"));
    const project = workDir("cli-check-project");
    rmSync(project, { recursive: true });
    workDir("cli-check-project");
    runCli(["generate", "--schemas", dir, "--out", path.join(project, "out")], project);
    const out = path.join(project, "out");
    rmSync(path.join(out, "ts", "index.ts"));
    writeFileSync(path.join(out, "ts", "types.ts"), "// edited by hand\n");
    writeFileSync(path.join(out, "jsonschema", "session.status.v1.json"), "{}\n");
    // A file an earlier generation wrote that the catalogue no longer produces:
    const manifestFile = path.join(out, ".eventc-manifest.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { files: string[] };
    manifest.files.push("jsonschema/session.renamed.v1.json");
    writeFileSync(manifestFile, JSON.stringify(manifest));
    writeFileSync(path.join(out, "jsonschema", "session.renamed.v1.json"), "{}\n");
    const before = snapshot(out);

    const result = runCli(["generate", "--check", "--schemas", dir, "--out", out], project);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        "out is out of date; run `eventc generate`:",
        "  missing  ts/index.ts",
        "  stale    .eventc-manifest.json",
        "  stale    jsonschema/session.status.v1.json",
        "  stale    ts/types.ts",
        "  extra    jsonschema/session.renamed.v1.json",
        "",
      ].join("\n"),
    );
    expect(snapshot(out)).toEqual(before);
  });

  test("the runtime without the SDK it imports is a usage error; the SDK alone is types only", () => {
    const schemas = path.join(ROOT, "test", "bad-input", "_baseline", "schemas");
    const project = workDir("cli-runtime-needs-sdk");
    const alone = runCli(["generate", "--schemas", schemas, "--target", "runtime"], project);
    expect(alone.stderr).toBe("eventc: the runtime target needs the typescript target (it imports that output); add it, or leave out runtime\n");
    expect(alone.status).toBe(2);
    expect(existsSync(path.join(project, "generated"))).toBe(false);
    const typesOnly = runCli(["generate", "--schemas", schemas, "--target", "typescript"], project);
    expect(typesOnly.status).toBe(0);
    expect(existsSync(path.join(project, "generated", "ts", "index.ts"))).toBe(true);
    expect(existsSync(path.join(project, "generated", "runtime"))).toBe(false);
  });

  test("skips unchanged files, removes its own stale outputs and never a file it did not generate", () => {
    const schemas = workDir("cli-stale-schemas", path.join(ROOT, "test", "bad-input", "_baseline", "schemas"));
    const project = workDir("cli-stale");
    const out = path.join(project, "generated");
    expect(runCli(["generate", "--schemas", schemas], project).status).toBe(0);
    writeFileSync(path.join(out, "ts", "notes.md"), "mine\n");

    // Every generated file, as the manifest lists them (the runtime's modules come and go with the templates).
    const generatedCount = (): number => (JSON.parse(readFileSync(path.join(out, ".eventc-manifest.json"), "utf8")) as { files: string[] }).files.length;
    const total = generatedCount();
    const again = runCli(["generate", "--schemas", schemas], project);
    expect(again.stdout).toMatch(new RegExp(`^generated: 0 written, ${total} unchanged, 0 removed `));

    writeFileSync(
      path.join(schemas, "ok.ts"),
      readFileSync(path.join(schemas, "ok.ts"), "utf8").replace('"ping.sent"', '"ping.received"'),
    );
    const renamed = runCli(["generate", "--schemas", schemas], project);
    // Renamed: the event's schema file (new name), the SDK files naming it, the crate's event module, lib docs… and the manifest.
    const written = ["jsonschema/ping.received.v1.json", "jsonschema/event.json", "ts/types.ts", "ts/catalogue.ts", "ts/validate.ts", "ts/standard.ts"];
    const writtenCount = Number(/^generated: (\d+) written/.exec(renamed.stdout)?.[1]);
    expect(renamed.stdout).toMatch(new RegExp(`^generated: ${writtenCount} written, ${generatedCount() - writtenCount} unchanged, 1 removed `));
    expect(writtenCount).toBeGreaterThanOrEqual(written.length);
    expect(generatedCount()).toBe(total);
    expect(existsSync(path.join(out, "jsonschema", "ping.sent.v1.json"))).toBe(false);
    expect(existsSync(path.join(out, "jsonschema", "ping.received.v1.json"))).toBe(true);
    expect(readFileSync(path.join(out, "ts", "notes.md"), "utf8")).toBe("mine\n");
  });

  test("--target limits the run to one target and keeps the other target's files", () => {
    const schemas = workDir("cli-target-schemas", path.join(ROOT, "test", "bad-input", "_baseline", "schemas"));
    const project = workDir("cli-target");
    expect(runCli(["generate", "--schemas", schemas], project).status).toBe(0);
    const result = runCli(["generate", "--schemas", schemas, "--target", "jsonschema", "--check"], project);
    expect(result.status).toBe(0);
    expect(Object.keys(Object.fromEntries(snapshot(path.join(project, "generated"))))).toContain("ts/types.ts");
  });

  test("--quiet prints errors only: no summary, no warnings", () => {
    const project = workDir("cli-quiet", path.join(ROOT, "test", "bad-input", "_baseline"));
    const schema = path.join(project, "schemas", "ok.ts");
    writeFileSync(schema, readFileSync(schema, "utf8").replace("{ at: z.string() }", "{ at: z.string(), pair: z.tuple([z.string(), z.int()]) }"));
    const loud = runCli(["generate", "--target", "rust"], project);
    expect(loud.stderr).toMatch(/^eventc: warning: rust: typeshare: /);

    const quiet = runCli(["generate", "--quiet", "--target", "rust", "jsonschema"], project);
    expect([quiet.status, quiet.stdout, quiet.stderr]).toEqual([0, "", ""]);
    expect(existsSync(path.join(project, "generated", "jsonschema", "ping.sent.v1.json"))).toBe(true);
    expect(runCli(["generate", "-q", "--check", "--target", "rust", "jsonschema"], project)).toEqual({ status: 0, stdout: "", stderr: "" });

    writeFileSync(schema, readFileSync(schema, "utf8").replace("at: z.string()", "at: z.date()"));
    const failed = runCli(["generate", "--quiet"], project);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/^eventc: schemas\/ok\.ts:4: event "ping\.sent" v1, field "at": date has no wire form/);
  });

  test("reads eventc.config.ts, and flags override it", () => {
    const project = workDir("cli-config");
    runCli(["init"], project);
    writeFileSync(path.join(project, "eventc.config.ts"), 'import { defineConfig } from "eventc";\n\nexport default defineConfig({ out: "contracts", targets: ["jsonschema"] });\n');
    expect(runCli(["generate"], project).status).toBe(0);
    expect([...snapshot(path.join(project, "contracts")).keys()]).toEqual([".eventc-manifest.json", "jsonschema/envelope.json", "jsonschema/event.json", "jsonschema/user.signed-in.v1.json"]);
    expect(runCli(["generate", "--out", "elsewhere", "--target", "typescript"], project).status).toBe(0);
    expect(existsSync(path.join(project, "elsewhere", "ts", "index.ts"))).toBe(true);
  });
});

describe("the config file", () => {
  test("is found from a subfolder, up to the package root, and its paths stay relative to it", () => {
    const project = workDir("cli-config-subfolder");
    runCli(["init"], project);
    writeFileSync(path.join(project, "package.json"), '{ "name": "events", "private": true }\n');
    writeFileSync(path.join(project, "eventc.config.ts"), 'import { defineConfig } from "eventc";\n\nexport default defineConfig({ out: "contracts", targets: ["jsonschema"] });\n');
    const deep = path.join(project, "schemas", "nested");
    mkdirSync(deep);

    const result = runCli(["generate"], deep);

    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^\.\.\/\.\.\/contracts: \d+ written, /);
    expect(existsSync(path.join(project, "contracts", "jsonschema", "user.signed-in.v1.json"))).toBe(true);
  });

  test("is not looked for above the package root", () => {
    const outer = workDir("cli-config-above-root");
    writeFileSync(path.join(outer, "eventc.config.ts"), 'export default { schemas: "project/schemas", out: "wrong" };\n');
    const project = path.join(outer, "project");
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), "{}\n");
    runCli(["init", "--dir", "project"], outer);
    rmSync(path.join(project, "eventc.config.ts"));

    const inside = runCli(["generate", "--target", "jsonschema"], path.join(project, "schemas"));
    expect(inside.stderr).toBe('eventc: schemas folder "schemas" does not exist (set it with --schemas or "schemas" in eventc.config.ts)\n');
    expect(runCli(["generate", "--target", "jsonschema"], project).stdout).toMatch(/^generated: /);
    expect(existsSync(path.join(outer, "wrong"))).toBe(false);
  });
});

describe("the Rust crate's name and version", () => {
  test("are set in the config", () => {
    const project = workDir("cli-rust-crate", path.join(ROOT, "test", "bad-input", "_baseline"));
    writeFileSync(
      path.join(project, "eventc.config.ts"),
      'import { defineConfig } from "eventc";\n\nexport default defineConfig({ targets: ["rust"], rust: { crate: { name: "acme-events", version: "2.3.0-beta.1" } } });\n',
    );
    expect(runCli(["generate"], project).status).toBe(0);
    const manifest = readFileSync(path.join(project, "generated", "rust", "Cargo.toml"), "utf8");
    expect(manifest).toContain('\n[package]\nname = "acme-events"\nversion = "2.3.0-beta.1"\n');
    expect(readFileSync(path.join(project, "generated", "rust", "src", "lib.rs"), "utf8")).toContain("(crate `acme-events`)");
  });
});

describe("eventc check on this repository", () => {
  test("the example catalogue is compatible with its committed lockfile", () => {
    const result = runCli(["check", "--format", "json"], ROOT);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { compatible: boolean; findings: unknown[] };
    expect(report.compatible).toBe(true);
    expect(report.findings).toEqual([]);
  });
});

describe("eventc init in a new folder (outside any node_modules)", () => {
  const fresh = (name: string): string => {
    const dir = path.join(tmpdir(), `eventc-${name}-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    return dir;
  };

  test("says to install zod, generate says the same, and with zod installed generate works", () => {
    const parent = fresh("init-no-zod");
    try {
      const init = runCli(["init", "--dir", "my-events"], parent);
      expect(init.status).toBe(0); // what init writes and says: test/init.test.ts
      const project = path.join(parent, "my-events");
      const before = runCli(["generate"], project);
      expect(before.stderr).toBe(
        'eventc: schemas/user.ts:1: failed to load: Cannot find module \'zod\': the package "zod" is not installed where this module can find it; install it in the project (npm install zod)\n',
      );
      expect(before.status).toBe(2);

      // What `npm install zod` does, without the network: zod in the project's node_modules.
      mkdirSync(path.join(project, "node_modules"));
      symlinkSync(path.join(ROOT, "node_modules", "zod"), path.join(project, "node_modules", "zod"), "dir");
      const after = runCli(["generate"], project);
      expect(after.stderr).toBe("");
      expect(after.status).toBe(0);
      expect(existsSync(path.join(project, "generated", "ts", "types.ts"))).toBe(true);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("eventc list", () => {
  test("--json describes every event", () => {
    const result = runCli(["list", "--json"], ROOT);
    const rows = JSON.parse(result.stdout) as { name: string; versions: number[]; latest: string; topic: string | null; coalesce: string[] | null }[];
    expect(rows).toHaveLength(18);
    expect(rows.find((row) => row.name === "session.status")).toMatchObject({
      versions: [1, 2],
      latest: "session.status.v2",
      topic: "sessionID",
      coalesce: ["sessionID"],
    });
  });

  test("prints a table", () => {
    const result = runCli(["list"], ROOT);
    expect(result.stdout.split("\n")[0]).toMatch(/^EVENT\s+VERSIONS\s+TOPIC\s+COALESCE\s+FILE$/);
    expect(result.stdout).toMatch(/^session\.status\s+1,2\s+sessionID\s+sessionID\s+schemas\/session\.ts$/m);
  });
});

describe("help and version", () => {
  test.each(["generate", "list", "init"])("`%s --help` shows an example", (command) => {
    const result = runCli([command, "--help"], ROOT);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\nExample:\n {2}eventc /);
  });

  test("--version prints the package version", () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(runCli(["--version"], ROOT).stdout).toBe(`${version}\n`);
  });
});
