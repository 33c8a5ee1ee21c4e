/**
 * A generate killed at any moment leaves output that no check mistakes for up to date, and the next
 * run recovers it: `eventc generate` is killed (SIGKILL) at random points of runs that switch
 * between two catalogues, so kills land while loading, staging and renaming. After each kill,
 * `generate --check` may say "up to date" only when the folder is exactly one catalogue's output;
 * the next run then yields exactly the output of its catalogue, with no temporary file or journal
 * left behind. Some kills land in a first run into an empty output folder. The seed is printed; EVENTC_KILL_SEED replays, EVENTC_KILL_LOOPS runs more kills.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { writeCatalogue } from "../bench/catalogue.js";
import { JOURNAL } from "../src/journal.js";
import { BIN, runCli, snapshot, workDir } from "./helpers.js";

const SEED = process.env.EVENTC_KILL_SEED !== undefined ? Number(process.env.EVENTC_KILL_SEED) : Math.floor(Math.random() * 2 ** 31);
const LOOPS = Number(process.env.EVENTC_KILL_LOOPS ?? 8);
const TARGETS = ["--target", "typescript", "--target", "jsonschema"];

/** A small deterministic generator (mulberry32), so a seed replays the same kill points. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `eventc generate` and kills it `delayMs` after the writer starts its commit (its journal
 * appears in `out`), or after `delayMs` from the start when `fromStart`; resolves with how it ended.
 */
function generateKilled(args: string[], cwd: string, out: string, delayMs: number, fromStart: boolean): Promise<{ killed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, "generate", ...args], { cwd, stdio: "ignore", env: { ...process.env, NO_COLOR: "1" } });
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    };
    const watch = fromStart ? undefined : setInterval(() => {
      if (existsSync(path.join(out, JOURNAL))) {
        clearInterval(watch);
        kill();
      }
    }, 1);
    if (fromStart) kill();
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      resolve({ killed: signal === "SIGKILL", ms: performance.now() - started });
    });
  });
}

test(`killed at random points, generate never leaves output that --check calls up to date unless it is (seed ${SEED})`, { timeout: 300_000 }, async () => {
  console.log(`kill loop: seed ${SEED} (EVENTC_KILL_SEED=${SEED} replays), ${LOOPS} kills`);
  const root = workDir("crash-safety");
  const catalogues = [writeCatalogue(path.join(root, "schemas-a"), { events: 30, versions: 1 }), writeCatalogue(path.join(root, "schemas-b"), { events: 30, versions: 2 })];
  // What each catalogue's output is, generated undisturbed.
  const expected = catalogues.map((schemas, index) => {
    const reference = path.join(root, `reference-${index}`);
    expect(runCli(["generate", "--schemas", schemas, "--out", reference, ...TARGETS], root).status).toBe(0);
    return snapshot(reference);
  });
  const out = path.join(root, "out");
  const next = random(SEED);
  expect(runCli(["generate", "--schemas", catalogues[0]!, "--out", out, ...TARGETS], root).status).toBe(0);

  let killedWhileWriting = 0;
  for (let loop = 0; loop < LOOPS; loop++) {
    const target = (loop + 1) % 2;
    const schemas = catalogues[target]!;
    // Most kills land while the writer stages or renames (a few milliseconds after its journal
    // appears); some anywhere in the run.
    const whileWriting = next() < 0.8;
    const delay = whileWriting ? 15 * next() : 1500 * next();
    // Some runs start from an empty output folder, where whole folders are staged and renamed.
    if (next() < 0.3) rmSync(out, { recursive: true, force: true });
    const run = await generateKilled(["--schemas", schemas, "--out", out, ...TARGETS], root, out, delay, !whileWriting);
    const state = snapshot(out);
    const matches = expected.findIndex((files) => sameFiles(files, state));
    if (run.killed && matches === -1) killedWhileWriting += 1;
    for (const [index, candidate] of catalogues.entries()) {
      const check = runCli(["generate", "--check", "--schemas", candidate, "--out", out, ...TARGETS], root);
      expect([0, 1], check.stderr).toContain(check.status);
      if (check.status === 0) expect(matches, `loop ${loop}: --check called a folder up to date for catalogue ${index}, but it is not exactly that output`).toBe(index);
    }
    // The next complete run recovers whatever the kill left.
    expect(runCli(["generate", "--schemas", schemas, "--out", out, ...TARGETS], root).status).toBe(0);
    const recovered = snapshot(out);
    expect(sameFiles(expected[target]!, recovered), `loop ${loop}: the run after a kill did not yield exactly catalogue ${target}'s output`).toBe(true);
    expect([...recovered.keys()].filter((file) => file.split("/").some((segment) => segment.endsWith(".tmp")) || file.includes(".eventc-journal"))).toEqual([]);
  }
  console.log(`kill loop: ${killedWhileWriting} of ${LOOPS} kills left a folder that was neither catalogue's output`);
});

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, contents] of a) if (b.get(file) !== contents) return false;
  return true;
}
