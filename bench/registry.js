/**
 * Benchmark suite "registry": `eventc check` over a catalogue of 500 events × 3 versions.
 *
 * Builds a temporary project (50 schema modules of 10 events, node_modules linked to this
 * repository's), records it with `eventc lock`, then times whole `eventc check` runs (a fresh
 * process each, as in CI): once with an unchanged catalogue and once with one breaking change.
 *
 * Shape: `run({ runs? }) → { rows: [{ label, medianMs, minMs, maxMs, runs }] }`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "eventc.js");
const MODULES = 50;
const EVENTS_PER_MODULE = 10;

function moduleSource(module, broken) {
  const events = [];
  for (let index = 0; index < EVENTS_PER_MODULE; index++) {
    const name = `bench.m${module}.e${index}`;
    const status = broken && index === 0 ? "z.number()" : `z.enum(["idle", "busy"])`;
    events.push(`export const e${index} = defineEvent("${name}", {
  description: "Benchmark event ${name}.",
  topic: "sessionID",
  coalesce: ["sessionID"],
  versions: {
    1: z.object({ sessionID: z.string(), status: ${status}, count: z.int().min(0) }),
    2: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy", "retry"]), count: z.int().min(0), tags: z.array(z.string()).optional() }),
    3: z.object({ sessionID: z.string(), state: z.discriminatedUnion("type", [z.object({ type: z.literal("idle") }), z.object({ type: z.literal("retry"), attempt: z.int(), next: z.number() })]), meta: z.record(z.string(), z.string()).nullable() }),
  },
});`);
  }
  return `import { z } from "zod";\nimport { defineEvent } from "eventc";\n\n${events.join("\n\n")}\n`;
}

function writeCatalogue(dir, broken) {
  for (let module = 0; module < MODULES; module++) {
    writeFileSync(path.join(dir, "schemas", `m${module}.ts`), moduleSource(module, broken && module === 0));
  }
}

function eventc(dir, ...args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8" });
  return { ms: performance.now() - started, code: result.status, stderr: result.stderr };
}

function summarize(label, times) {
  const sorted = [...times].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const round = (ms) => Math.round(ms * 10) / 10;
  return { label, medianMs: round(median), minMs: round(sorted[0]), maxMs: round(sorted.at(-1)), runs: sorted.length };
}

export async function run(options = {}) {
  const runs = options.runs ?? 5;
  const dir = mkdtempSync(path.join(os.tmpdir(), "eventc-bench-registry-"));
  try {
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    mkdirSync(path.join(dir, "schemas"));
    writeCatalogue(dir, false);
    const lock = eventc(dir, "lock");
    if (lock.code !== 0) throw new Error(`eventc lock failed: ${lock.stderr}`);
    const rows = [];
    for (const [label, broken, expected] of [
      ["check 500 events × 3 versions (unchanged)", false, 0],
      ["check 500 events × 3 versions (one breaking change)", true, 1],
    ]) {
      writeCatalogue(dir, broken);
      const times = [];
      for (let index = 0; index < runs; index++) {
        const check = eventc(dir, "check");
        if (check.code !== expected) throw new Error(`eventc check exited ${check.code}, expected ${expected}: ${check.stderr}`);
        times.push(check.ms);
      }
      rows.push(summarize(label, times));
    }
    return { rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const name = "registry";
export default { name, run };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
