/**
 * The writer touches nothing outside its output folder, whatever the committed manifest says:
 * entries that climb out (`..`, absolute paths, symbolic links) or are not files are reported and
 * never touched, and clean-up of empty folders stops at the output folder.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { JOURNAL } from "../src/journal.js";
import { MANIFEST, writeOutputs, type PlannedFile } from "../src/writer.js";
import { ROOT, runCli, snapshot, workDir } from "./helpers.js";

const FILES: PlannedFile[] = [
  { path: "ts/index.ts", contents: "export {};\n" },
  { path: "rust/src/lib.rs", contents: "// lib\n" },
];
const OWNED = ["ts", "rust"];

/** An output folder written once, beside a folder `elsewhere/a/b/file.txt` the writer must never touch. */
function project(name: string): { root: string; out: string; victim: string } {
  const root = workDir(`writer-${name}`);
  const out = path.join(root, "deep", "generated");
  const victim = path.join(root, "elsewhere", "a", "b", "file.txt");
  mkdirSync(path.dirname(victim), { recursive: true });
  writeFileSync(victim, "not generated\n");
  writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });
  return { root, out, victim };
}

function addToManifest(out: string, ...entries: string[]): void {
  const file = path.join(out, MANIFEST);
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { files: string[] };
  manifest.files.push(...entries);
  writeFileSync(file, JSON.stringify(manifest));
}

function manifestFiles(out: string): string[] {
  return (JSON.parse(readFileSync(path.join(out, MANIFEST), "utf8")) as { files: string[] }).files;
}

describe("a manifest entry that leads out of the output folder is reported and never touched", () => {
  test("an entry climbing out with .. leaves the file and its folders in place", () => {
    const { out, victim } = project("dotdot");
    addToManifest(out, "rust/../../../elsewhere/a/b/file.txt", "rust/src/../../../../elsewhere/a/b/file.txt");

    const report = writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });

    expect(readFileSync(victim, "utf8")).toBe("not generated\n");
    expect(existsSync(path.dirname(victim))).toBe(true);
    expect(report.removed).toEqual([]);
    expect(report.ignored).toEqual([
      { entry: "rust/../../../elsewhere/a/b/file.txt", reason: "it is not a plain relative path inside the output folder" },
      { entry: "rust/src/../../../../elsewhere/a/b/file.txt", reason: "it is not a plain relative path inside the output folder" },
    ]);
    expect(manifestFiles(out)).toEqual(["rust/src/lib.rs", "ts/index.ts"]);
  });

  test("absolute paths, empty segments and backslashes are refused", () => {
    const { root, out, victim } = project("absolute");
    addToManifest(out, victim, `rust/${victim}`, "rust//src/lib.rs", "rust\\..\\..\\x", "./rust/src/lib.rs", "rust/\u0000");

    const report = writeOutputs([FILES[0]!], { outDir: out, ownedFolders: OWNED });

    expect(readFileSync(victim, "utf8")).toBe("not generated\n");
    expect(report.ignored.map((item) => item.entry)).toEqual([victim, `rust/${victim}`, "rust//src/lib.rs", "rust\\..\\..\\x", "./rust/src/lib.rs", "rust/\u0000"]);
    // The legitimate stale file is still removed, and its empty folders up to (not including) rust/… stop at the output folder.
    expect(report.removed).toEqual(["rust/src/lib.rs"]);
    expect(existsSync(path.join(out, "rust"))).toBe(false);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(root)).toBe(true);
  });

  test("a symbolic link inside the output folder is never followed out", () => {
    const { root, out, victim } = project("symlink");
    symlinkSync(path.join(root, "elsewhere"), path.join(out, "rust", "away"));
    symlinkSync(victim, path.join(out, "rust", "victim-link"));
    addToManifest(out, "rust/away/a/b/file.txt", "rust/victim-link");

    const report = writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });

    expect(readFileSync(victim, "utf8")).toBe("not generated\n");
    expect(existsSync(path.join(out, "rust", "victim-link"))).toBe(true);
    expect(report.removed).toEqual([]);
    expect(report.ignored).toEqual([
      { entry: "rust/away/a/b/file.txt", reason: "rust/away is a symbolic link" },
      { entry: "rust/victim-link", reason: "it is a symbolic link, not a generated file" },
    ]);
  });

  test("a folder listed in the manifest is left alone and the run completes", () => {
    const { out } = project("folder");
    mkdirSync(path.join(out, "rust", "notes"), { recursive: true });
    writeFileSync(path.join(out, "rust", "notes", "keep.md"), "mine\n");
    addToManifest(out, "rust/notes");

    const report = writeOutputs([FILES[0]!, { path: "rust/src/lib.rs", contents: "// changed\n" }], { outDir: out, ownedFolders: OWNED });

    expect(report.written).toEqual(["rust/src/lib.rs"]);
    expect(report.ignored).toEqual([{ entry: "rust/notes", reason: "it is a folder, not a generated file" }]);
    expect(readFileSync(path.join(out, "rust", "notes", "keep.md"), "utf8")).toBe("mine\n");
  });

  test("writing through a symbolic link that leads out of the output folder is refused before anything is written", () => {
    const { root, out } = project("write-through-link");
    const outside = path.join(root, "elsewhere");
    symlinkSync(outside, path.join(out, "linked"));
    const before = snapshot(root);

    expect(() => writeOutputs([...FILES, { path: "linked/new.ts", contents: "x\n" }], { outDir: out, ownedFolders: [...OWNED, "linked"] })).toThrow(
      /linked is a symbolic link leading out of the output folder; nothing was written/,
    );
    expect(snapshot(root)).toEqual(before);
  });
});

describe("eventc generate with a tampered manifest", () => {
  test("the reported repro: an entry climbing out deletes nothing and is reported", () => {
    const schemas = path.join(ROOT, "test", "bad-input", "_baseline", "schemas");
    const root = workDir("writer-cli");
    const work = path.join(root, "project");
    mkdirSync(work);
    const victim = path.join(root, "elsewhere", "a", "b", "file.txt");
    mkdirSync(path.dirname(victim), { recursive: true });
    writeFileSync(victim, "not generated\n");
    expect(runCli(["generate", "--schemas", schemas], work).status).toBe(0);
    addToManifest(path.join(work, "generated"), "rust/../../../elsewhere/a/b/file.txt");

    const result = runCli(["generate", "--schemas", schemas], work);

    expect(result.status).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("not generated\n");
    expect(result.stderr).toBe(
      'eventc: warning: generated/.eventc-manifest.json: entry "rust/../../../elsewhere/a/b/file.txt" ignored: it is not a plain relative path inside the output folder\n',
    );
    expect(result.stdout).toMatch(/ 0 removed /);
  });

  test("a manifest that is not JSON is a clear error and nothing changes", () => {
    const schemas = path.join(ROOT, "test", "bad-input", "_baseline", "schemas");
    const work = workDir("writer-cli-not-json");
    expect(runCli(["generate", "--schemas", schemas], work).status).toBe(0);
    writeFileSync(path.join(work, "generated", MANIFEST), "{ not json");
    writeFileSync(path.join(work, "generated", "ts", "types.ts"), "// edited\n");
    const before = snapshot(work);

    const result = runCli(["generate", "--schemas", schemas], work);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe("eventc: generated/.eventc-manifest.json: the manifest is not valid JSON; delete it and run eventc generate again\n");
    expect(snapshot(work)).toEqual(before);
  });

  test("a manifest of the wrong shape is a clear error and nothing changes", () => {
    const schemas = path.join(ROOT, "test", "bad-input", "_baseline", "schemas");
    const work = workDir("writer-cli-wrong-shape");
    expect(runCli(["generate", "--schemas", schemas], work).status).toBe(0);
    writeFileSync(path.join(work, "generated", MANIFEST), JSON.stringify({ files: "ts/types.ts" }));
    const before = snapshot(work);

    const result = runCli(["generate", "--schemas", schemas], work);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe('eventc: generated/.eventc-manifest.json: the manifest\'s "files" must be a list of paths; delete it and run eventc generate again\n');
    expect(snapshot(work)).toEqual(before);
  });
});

describe("the commit journal", () => {
  const journalFile = (out: string): string => path.join(out, JOURNAL);

  test("a first write into a missing folder stages the folder whole and leaves no temporary behind", () => {
    const out = path.join(workDir("writer-journal-fresh"), "generated");
    writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });
    expect([...snapshot(out).keys()].sort()).toEqual([MANIFEST, "rust/src/lib.rs", "ts/index.ts"]);
  });

  test("killed while staging a whole folder: the next run removes the staged folder with what is in it", () => {
    const out = path.join(workDir("writer-journal-staging"), "generated");
    const staged = path.join(out, ".ts.0123abcd.tmp");
    mkdirSync(path.join(staged, "deep"), { recursive: true });
    writeFileSync(path.join(staged, "deep", "half.ts"), "export const half");
    writeFileSync(journalFile(out), JSON.stringify({ state: "staging", renames: [[".ts.0123abcd.tmp", "ts"]], removals: [], folders: [] }));
    writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });
    expect([...snapshot(out).keys()].sort()).toEqual([MANIFEST, "rust/src/lib.rs", "ts/index.ts"]);
    expect(existsSync(staged)).toBe(false);
  });

  test("killed while committing: the next run renames the staged folder into place", () => {
    const out = path.join(workDir("writer-journal-committing"), "generated");
    mkdirSync(path.join(out, ".ts.0123abcd.tmp"), { recursive: true });
    writeFileSync(path.join(out, ".ts.0123abcd.tmp", "index.ts"), "export {};\n");
    writeFileSync(journalFile(out), JSON.stringify({ state: "committing", renames: [[".ts.0123abcd.tmp", "ts"]], removals: [], folders: [] }));
    const report = writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });
    expect(report.unchanged).toEqual(["ts/index.ts"]);
    expect(existsSync(journalFile(out))).toBe(false);
  });

  test("a journal entry reached through a symbolic link is never acted on", () => {
    const root = workDir("writer-journal-link");
    const out = path.join(root, "generated");
    const outside = path.join(root, "outside");
    mkdirSync(outside, { recursive: true });
    mkdirSync(out, { recursive: true });
    const victim = path.join(outside, ".x.json.0123abcd.tmp");
    writeFileSync(victim, "not generated\n");
    symlinkSync(outside, path.join(out, "link"));
    writeFileSync(journalFile(out), JSON.stringify({ state: "staging", renames: [["link/.x.json.0123abcd.tmp", "link/x.json"]], removals: [], folders: [] }));
    writeOutputs(FILES, { outDir: out, ownedFolders: OWNED });
    expect(readFileSync(victim, "utf8")).toBe("not generated\n");
  });
});
