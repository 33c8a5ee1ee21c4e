/** Real cargo for the Rust target's tests: one shared target folder so serde compiles once. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { OutputFile } from "../../src/targets/target.js";
import { ROOT, workDir } from "../helpers.js";

export const CARGO_TARGET_DIR = path.join(ROOT, "target", "cargo");
export const TYPESHARE = process.env.TYPESHARE_CLI ?? "/root/.cargo/bin/typeshare";

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; a missing program is an error, never a skip, and so is one still running after `timeoutMs`. */
export function run(program: string, args: string[], cwd: string, input?: string, timeoutMs?: number): RunResult {
  const result = spawnSync(program, args, {
    cwd,
    encoding: "utf8",
    input,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs, killSignal: "SIGKILL" as const }),
    env: { ...process.env, CARGO_TARGET_DIR, CARGO_TERM_COLOR: "never", RUSTDOCFLAGS: "-D warnings" },
  });
  if (result.error) throw new Error(`${program} could not run: ${result.error.message}`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function cargo(args: string[], cwd: string, input?: string): RunResult {
  return run("cargo", args, cwd, input);
}

/** Writes crate files into a fresh scratch folder (never into generated/, where cargo would leave a lockfile). */
export function writeCrate(name: string, files: readonly OutputFile[]): string {
  const dir = workDir(`rust-${name}`);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.contents);
  }
  return dir;
}

export function copyCrate(name: string, from: string): string {
  const dir = workDir(`rust-${name}`);
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** `cargo fmt --check`, `cargo clippy -D warnings` (which builds) and `cargo doc`, all warning-free. */
export function qualityChecks(dir: string): void {
  const checks: [string, string[]][] = [
    ["fmt", ["fmt", "--check"]],
    ["clippy", ["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]],
    ["doc", ["doc", "--quiet", "--no-deps"]],
  ];
  for (const [name, args] of checks) {
    const result = cargo(args, dir);
    if (result.status !== 0 || result.stderr.includes("warning")) {
      throw new Error(`cargo ${name} failed in ${dir}:\n${result.stdout}\n${result.stderr}`);
    }
  }
}
