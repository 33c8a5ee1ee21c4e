// Suite `codegen`: over the same 500 events × 2 versions, in the same run,
// - the floor: a process that only imports the catalogue's schema modules (the user's Zod code,
//   through eventc's loader) — what no generator reading those modules can avoid;
// - `eventc generate` (TypeScript + JSON Schema) against quicktype generating TypeScript from the
//   equivalent JSON Schema (the union eventc emits);
// - `eventc generate --target rust` against quicktype `--lang rust` from that JSON Schema;
// - `cargo build` of the generated crate: one warm-up build of an empty crate with the same
//   Cargo.toml compiles the dependencies (serde, serde_json, regex, …) into the shared target
//   folder, then each sample rebuilds only the generated crate after `touch src/lib.rs`.
// Each sample is a whole fresh process.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeCatalogue } from "./catalogue.js";
import { measure, ROOT, WORK } from "./measure.js";
import { typifyPeer } from "./typify.js";

export const name = "codegen";
export const description = "eventc generate vs quicktype (ts and rust), and cargo build of the generated crate vs cargo typify's, 500 events x 2 versions";

const CARGO_TARGET_DIR = path.join(ROOT, "target", "cargo");
const TIME = "/usr/bin/time";

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Like measure(), for a native program: wall time per sample, and peak RSS from GNU time (the
 * largest of the process and the children it waited for, e.g. rustc under cargo) when installed.
 */
export function measureProgram(label, program, args, { samples, before, cwd, env }) {
  const times = [];
  const rss = [];
  const rssFile = path.join(WORK, "codegen", "rss.txt");
  const timed = existsSync(TIME);
  for (let i = 0; i < samples; i++) {
    before?.();
    const started = process.hrtime.bigint();
    const result = timed
      ? spawnSync(TIME, ["-f", "%M", "-o", rssFile, program, ...args], { cwd, env, encoding: "utf8", maxBuffer: 1 << 28 })
      : spawnSync(program, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 28 });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.error || result.status !== 0) throw new Error(`${label} failed: ${result.error?.message ?? result.stderr.slice(-2000)}`);
    times.push(elapsed);
    rss.push(timed ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) : Number.NaN);
  }
  return { label, samples, medianMs: median(times), minMs: Math.min(...times), medianRssMiB: median(rss) / 1024 };
}

export async function run({ samples, cargo = true }) {
  const schemas = writeCatalogue(path.join(WORK, "codegen", "schemas"), { events: 500, versions: 2 });
  // Every generate sample writes a folder of its own that no run used before; the folders are
  // deleted before the suite starts, not between samples: deleting 20 MB of output right before a
  // sample slowed that sample's file creation (the file system still releasing the freed blocks)
  // by an amount that belongs to the host, not to the tool measured.
  const runsDir = path.join(WORK, "codegen", "runs");
  rmSync(runsDir, { recursive: true, force: true });
  let runCount = 0;
  const freshFolder = (name) => path.join(runsDir, `${name}-${runCount++}`);
  let out = "";
  let rustOut = "";

  // The node-process rows take at least 9 samples whatever --samples says (the cargo builds take
  // minutes each and follow --samples); the floor and generate are sampled in turn, so a slow spell
  // of the machine weighs on both alike.
  const quick = Math.max(samples, 9);
  const [floor, eventc] = inTurn(
    [
      () => measure("floor: import the schema modules only (same loader, jiti)", ["floor", schemas], { samples: 1 }),
      () => measure("eventc generate (ts + jsonschema)", ["eventc", "generate", "--schemas", schemas, "--out", (out = freshFolder("generated")), "--target", "typescript", "jsonschema"], { samples: 1 }),
    ],
    quick,
  );
  const unionSchema = path.join(out, "jsonschema", "event.json");
  if (!existsSync(unionSchema)) throw new Error("eventc produced no event.json");
  const quicktypeOut = path.join(WORK, "codegen", "quicktype.ts");
  const quicktype = measure("quicktype --lang ts (same contract)", ["quicktype", "--src-lang", "schema", "--lang", "ts", "--top-level", "Event", "-o", quicktypeOut, unionSchema], { samples: quick });

  const [eventcRust] = inTurn([() => measure("eventc generate --target rust", ["eventc", "generate", "--schemas", schemas, "--out", (rustOut = freshFolder("generated-rust")), "--target", "rust"], { samples: 1 })], quick);
  const quicktypeRustOut = path.join(WORK, "codegen", "quicktype.rs");
  const quicktypeRust = measure("quicktype --src-lang schema --lang rust (same contract)", ["quicktype", "--src-lang", "schema", "--lang", "rust", "--top-level", "Event", "-o", quicktypeRustOut, unionSchema], { samples: quick });

  const crate = path.join(rustOut, "rust");
  const { cargoBuild, typify } = cargo ? cargoRows(crate, out, samples) : { cargoBuild: undefined, typify: { rows: [], ratios: [], notes: [], markdown: "" } };

  const check = measure("eventc generate --check (no change)", ["eventc", "generate", "--check", "--schemas", schemas, "--out", out, "--target", "typescript", "jsonschema"], { samples: quick });
  const example = measure("eventc generate --check (example catalogue)", ["eventc", "generate", "--check", "--schemas", path.join(ROOT, "schemas"), "--out", path.join(ROOT, "generated")], { samples: quick });

  const lines = (file) => readFileSync(file, "utf8").split("\n").length;
  const rustLines = ["event.rs", "types.rs", "validate.rs"].reduce((sum, file) => sum + lines(path.join(crate, "src", file)), 0);
  const phases = phaseTimes(schemas, () => freshFolder("phases"), quick);
  return {
    rows: [floor, eventc, quicktype, eventcRust, quicktypeRust, ...(cargoBuild ? [cargoBuild] : []), ...typify.rows, check, example],
    markdown: typify.markdown,
    phases,
    ratios: [
      { label: "eventc generate / floor, TypeScript + JSON Schema (wall time, median; goal ≤ 1.5)", value: eventc.medianMs / floor.medianMs },
      { label: "quicktype / eventc generate, TypeScript (wall time, median; goal ≥ 5)", value: quicktype.medianMs / eventc.medianMs },
      { label: "quicktype / eventc, Rust (wall time, median)", value: quicktypeRust.medianMs / eventcRust.medianMs },
      ...typify.ratios,
    ],
    notes: [
      `eventc TypeScript: ${lines(path.join(out, "ts", "types.ts")) + lines(path.join(out, "ts", "catalogue.ts"))} lines; quicktype TypeScript: ${lines(quicktypeOut)} lines`,
      `eventc Rust: ${rustLines} lines (types, Event enum, validation); quicktype Rust: ${lines(quicktypeRustOut)} lines. ` +
        "quicktype's Rust flattens the contract: `Event` is one struct `{ payload, event_type }` whose payload is a single struct " +
        "merging the fields of all 1,000 payload versions (fields missing from some versions become `Option`), and the `Change` " +
        "discriminated union becomes one struct with an `op` enum and every other field optional; eventc emits one adjacently " +
        "tagged `Event` variant per version and an internally tagged enum per discriminated union, plus validation.",
      ...typify.notes,
    ],
  };
}

/** The cargo builds (the generated crate, then eventc's against typify's) and the decode comparison: minutes per sample. */
function cargoRows(crate, out, samples) {
  const env = { ...process.env, CARGO_TARGET_DIR, CARGO_TERM_COLOR: "never" };
  const warmUpCrate = path.join(WORK, "codegen", "warm-up");
  rmSync(warmUpCrate, { recursive: true, force: true });
  mkdirSync(path.join(warmUpCrate, "src"), { recursive: true });
  cpSync(path.join(crate, "Cargo.toml"), path.join(warmUpCrate, "Cargo.toml"));
  writeFileSync(path.join(warmUpCrate, "src", "lib.rs"), "");
  const warmUp = spawnSync("cargo", ["build", "--quiet"], { cwd: warmUpCrate, env, encoding: "utf8" });
  if (warmUp.error || warmUp.status !== 0) throw new Error(`cargo build (warm-up) failed: ${warmUp.error?.message ?? warmUp.stderr.slice(-2000)}`);
  const touch = () => {
    const now = new Date();
    utimesSync(path.join(crate, "src", "lib.rs"), now, now);
  };
  const cargoBuild = measureProgram("cargo build of the generated crate (debug; dependencies warm, crate rebuilt after touch src/lib.rs)", "cargo", ["build", "--quiet"], { samples, before: touch, cwd: crate, env });

  const typify = typifyPeer({ samples, work: path.join(WORK, "codegen"), jsonschemaDir: path.join(out, "jsonschema"), eventcCrate: crate, env, measureProgram, events: 500, versions: 2 });

  return { cargoBuild, typify };
}

/** Runs each of `runs` (one-sample measurements) in turn, `samples` times; one row per run over all its samples. */
function inTurn(runs, samples) {
  const taken = runs.map(() => []);
  for (let i = 0; i < samples; i++) runs.forEach((run, index) => taken[index].push(run()));
  return taken.map((rows) => ({
    label: rows[0].label,
    samples,
    medianMs: median(rows.map((row) => row.medianMs)),
    minMs: Math.min(...rows.map((row) => row.minMs)),
    medianRssMiB: median(rows.map((row) => row.medianRssMiB)),
  }));
}

/** Medians of bench/phases.js over `samples` fresh processes: where `eventc generate` (ts + jsonschema) spends its time. */
function phaseTimes(schemas, freshOut, samples) {
  const runs = [];
  for (let i = 0; i < samples; i++) {
    const result = spawnSync(process.execPath, [path.join(ROOT, "bench", "phases.js"), schemas, freshOut(), "typescript", "jsonschema"], { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`phases failed: ${result.stderr}`);
    runs.push(JSON.parse(result.stdout.trim().split("\n").at(-1)));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return [
    { label: "execute the catalogue's modules (first import: the user's Zod code, with jiti and zod starting up)", medianMs: median(runs.map((run) => run.importMs)) },
    { label: "load the catalogue (modules executed again, Zod → IR, validation)", medianMs: median(runs.map((run) => run.loadMs)) },
    { label: "emit typescript + jsonschema", medianMs: median(runs.map((run) => run.emitMs)) },
    { label: "write the output folder", medianMs: median(runs.map((run) => run.writeMs)) },
  ];
}
