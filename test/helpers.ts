/** Shared test plumbing: run the real CLI, make scratch folders, snapshot folders byte for byte. */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = path.join(ROOT, "bin", "eventc.js");

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `eventc` executable in `cwd`. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A fresh scratch folder inside the repository (so schema modules there resolve `zod` from the
 * project's node_modules), optionally seeded with a copy of `from`.
 */
export function workDir(name: string, from?: string): string {
  const dir = path.join(ROOT, "test", ".work", name);
  rmSync(dir, { recursive: true, force: true });
  // Symbolic links are copied as they are (relative links stay relative to the copy).
  if (from !== undefined) cpSync(from, dir, { recursive: true, verbatimSymlinks: true });
  else mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file under `dir` with its bytes, keyed by relative path. Missing folder = empty map. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder).sort()) {
      const full = path.join(folder, entry);
      if (statSync(full).isDirectory()) visit(full);
      else files.set(path.relative(dir, full).split(path.sep).join("/"), readFileSync(full, "latin1"));
    }
  };
  visit(dir);
  return files;
}

/** Sub-folders of `dir` that hold a case (names starting with "_" are fixtures, not cases). */
export function caseFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((entry) => !entry.startsWith("_") && !entry.startsWith(".") && statSync(path.join(dir, entry)).isDirectory())
    .sort();
}
