// Suite `codegen`: for each of two contracts of 500 events × 2 versions — "rich" payloads (named
// types, a discriminated union, arrays, records) and "plain" ones (seven fields, no unions) — in
// the same run,
// - the floor: a process that only imports the catalogue's schema modules (the user's Zod code,
//   through eventc's loader) — what no generator reading those modules can avoid;
// - `eventc generate` (TypeScript + JSON Schema) against quicktype generating TypeScript from the
//   equivalent JSON Schema (the union eventc emits);
// - what users pay in every type-check: `tsc --noEmit` (wall time, peak RSS) on the generated
//   TypeScript SDK, on the catalogue's own schema modules and on quicktype's TypeScript, under
//   TypeScript 5.9 and TypeScript 7, all with one tsconfig (TSC_OPTIONS); and the SDK's bytes;
// - `eventc generate --target rust` against quicktype `--lang rust` from that JSON Schema;
// - `cargo build` of the generated crate against the crate `cargo typify` makes from the
//   contract (bench/typify.js): one warm-up build of an empty crate with each Cargo.toml compiles
//   the dependencies (serde, serde_json, regex, …) into the shared target folder, then each sample
//   builds only the crate, from scratch (sources touched, its incremental cache removed), the two
//   crates in turn.
// Each sample is a whole fresh process.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { plainDocument, writeCatalogue } from "./catalogue.js";
import { inTurn, measure, ROOT, WORK } from "./measure.js";
import { richDocument, typifyPeer } from "./typify.js";

export const name = "codegen";
export const description =
  "two contracts of 500 events × 2 versions (rich payloads; plain payloads): eventc generate vs its floor and quicktype (ts and rust); " +
  "tsc --noEmit on the generated TypeScript SDK vs the catalogue's own Zod schema modules vs quicktype's TypeScript, under TypeScript 5.9 and 7 " +
  "(one tsconfig for every tsc row: strict, noEmit, module/moduleResolution nodenext, target es2022, types [], skipLibCheck true — it skips " +
  "declaration files only, i.e. node_modules; the SDK as generated, whose implementation files open with // @ts-nocheck, and the SDK with every file checked; each row a fresh tsc process); " +
  "cargo build of the generated crate vs cargo typify's";

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
    if (result.error || result.status !== 0) throw new Error(`${label} failed: ${result.error?.message ?? `${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`}`);
    times.push(elapsed);
    rss.push(timed ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) : Number.NaN);
  }
  return { label, samples, medianMs: median(times), minMs: Math.min(...times), medianRssMiB: median(rss) / 1024 };
}

/** The contracts measured, each a catalogue of 500 events × 2 versions (bench/catalogue.js). */
const CONTRACTS = [
  { shape: "rich", title: "rich payloads (a dozen fields: named types, a discriminated union, arrays, records, an ISO datetime)", document: richDocument },
  { shape: "plain", title: "plain payloads (seven fields: strings, an int with a minimum, an enum, an optional nested object; no unions)", document: plainDocument },
];

export async function run({ samples, cargo = true }) {
  const sections = CONTRACTS.map((contract) => contractRows(contract, { samples, cargo }));
  const example = measure("eventc generate --check (example catalogue)", ["eventc", "generate", "--check", "--schemas", path.join(ROOT, "schemas"), "--out", path.join(ROOT, "generated")], { samples: Math.max(samples, 9) });
  return { rows: [example], sections };
}

/** Every row, ratio and note of one contract: generate, quicktype, tsc on what each produces, and the crates. */
function contractRows({ shape, title, document }, { samples, cargo }) {
  const work = path.join(WORK, "codegen", shape);
  const schemas = writeCatalogue(path.join(work, "schemas"), { events: 500, versions: 2, shape });
  // Every generate sample writes a folder of its own that no run used before; the folders are
  // deleted before the suite starts, not between samples: deleting 20 MB of output right before a
  // sample slowed that sample's file creation (the file system still releasing the freed blocks)
  // by an amount that belongs to the host, not to the tool measured.
  const runsDir = path.join(work, "runs");
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
  // Right after generating, so the output checked is the one this build of eventc wrote.
  const check = measure("eventc generate --check (no change)", ["eventc", "generate", "--check", "--schemas", schemas, "--out", out, "--target", "typescript", "jsonschema"], { samples: quick });
  const quicktypeDir = path.join(work, "quicktype");
  rmSync(quicktypeDir, { recursive: true, force: true });
  mkdirSync(quicktypeDir, { recursive: true });
  const quicktypeOut = path.join(quicktypeDir, "events.ts");
  const quicktype = measure("quicktype --lang ts (same contract)", ["quicktype", "--src-lang", "schema", "--lang", "ts", "--top-level", "Event", "-o", quicktypeOut, unionSchema], { samples: quick });

  const [eventcRust] = inTurn([() => measure("eventc generate --target rust", ["eventc", "generate", "--schemas", schemas, "--out", (rustOut = freshFolder("generated-rust")), "--target", "rust"], { samples: 1 })], quick);
  const quicktypeRustOut = path.join(work, "quicktype.rs");
  const quicktypeRust = measure("quicktype --src-lang schema --lang rust (same contract)", ["quicktype", "--src-lang", "schema", "--lang", "rust", "--top-level", "Event", "-o", quicktypeRustOut, unionSchema], { samples: quick });

  const sdk = path.join(out, "ts");
  const tsc = tscRows({ work, samples, projects: [
    { label: "the generated TypeScript SDK (as generated: implementation files read for their exports' types)", dir: sdk },
    { label: "the catalogue's own schema modules (Zod)", dir: schemas },
    { label: "quicktype's TypeScript (same contract)", dir: quicktypeDir },
    { label: "the generated TypeScript SDK, every file checked (the @ts-nocheck directive removed, as eventc's own tests check it)", dir: checkedInFull(sdk, path.join(work, "sdk-in-full")) },
  ] });

  const crate = path.join(rustOut, "rust");
  const typify = cargo ? cargoRows(crate, out, samples, work, document) : { rows: [], ratios: [], notes: [], markdown: "" };

  const lines = (file) => readFileSync(file, "utf8").split("\n").length;
  const rustLines = ["event.rs", "types.rs", "validate.rs"].reduce((sum, file) => sum + lines(path.join(crate, "src", file)), 0);
  const phases = phaseTimes(schemas, () => freshFolder("phases"), quick);
  const tsFiles = (dir) => readdirSync(dir).filter((file) => file.endsWith(".ts")).map((file) => ({ file, bytes: statSync(path.join(dir, file)).size }));
  const sdkFiles = tsFiles(sdk);
  const total = (files) => files.reduce((sum, file) => sum + file.bytes, 0);
  const kib = (bytes) => (bytes / 1024).toFixed(1);
  const bytesTable = [
    "",
    "| TypeScript source | files | KiB |",
    "| --- | ---: | ---: |",
    ...sdkFiles.map(({ file, bytes }) => `| SDK \`${file}\` | 1 | ${kib(bytes)} |`),
    `| **SDK, all files** | ${sdkFiles.length} | **${kib(total(sdkFiles))}** |`,
    `| the catalogue's schema modules | ${tsFiles(schemas).length} | ${kib(total(tsFiles(schemas)))} |`,
    `| quicktype's TypeScript | 1 | ${kib(total(tsFiles(quicktypeDir)))} |`,
  ].join("\n");
  return {
    title: `contract: ${title}, 500 events × 2 versions`,
    rows: [floor, eventc, check, quicktype, eventcRust, quicktypeRust, ...tsc.rows, ...typify.rows],
    markdown: `${bytesTable}\n${typify.markdown}`,
    phases,
    ratios: [
      ...tsc.ratios,
      { label: "eventc generate / floor, TypeScript + JSON Schema (wall time, median; goal ≤ 1.5)", value: eventc.medianMs / floor.medianMs },
      { label: "quicktype / eventc generate, TypeScript (wall time, median; goal ≥ 5)", value: quicktype.medianMs / eventc.medianMs },
      { label: "quicktype / eventc, Rust (wall time, median)", value: quicktypeRust.medianMs / eventcRust.medianMs },
      ...typify.ratios,
    ],
    notes: [
      `SDK source: ${total(sdkFiles).toLocaleString("en-US")} bytes in ${sdkFiles.length} files; eventc TypeScript types + catalogue: ${lines(path.join(sdk, "types.ts")) + lines(path.join(sdk, "catalogue.ts"))} lines; quicktype TypeScript: ${lines(quicktypeOut)} lines`,
      `eventc Rust: ${rustLines} lines (types, Event enum, validation); quicktype Rust: ${lines(quicktypeRustOut)} lines. ` +
        "quicktype's Rust flattens the contract: `Event` is one struct `{ payload, event_type }` whose payload is a single struct " +
        "merging the fields of all 1,000 payload versions (fields missing from some versions become `Option`)" +
        (shape === "rich" ? ", and the `Change` discriminated union becomes one struct with an `op` enum and every other field optional" : "") +
        "; eventc emits one adjacently tagged `Event` variant per version" +
        (shape === "rich" ? " and an internally tagged enum per discriminated union" : "") +
        ", plus validation.",
      ...typify.notes,
    ],
  };
}

/**
 * A copy of the SDK in `dir` without the `// @ts-nocheck` line its implementation files open with:
 * every line checked, as eventc's own tests check it (test/golden-quality.test.ts).
 */
function checkedInFull(sdk, dir) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(sdk, dir, { recursive: true });
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
    const text = readFileSync(path.join(dir, file), "utf8");
    writeFileSync(path.join(dir, file), text.replace(/^\/\/ @ts-nocheck .*\n/m, ""));
  }
  return dir;
}

/** The TypeScript installs the tsc rows compare: the 5.9 line and TypeScript 7 (native). */
const TYPESCRIPTS = [
  { version: "TypeScript 5.9", tsc: path.join(ROOT, "node_modules", "typescript", "bin", "tsc") },
  { version: "TypeScript 7", tsc: path.join(ROOT, "node_modules", "typescript7", "bin", "tsc") },
];

/**
 * `tsc --noEmit` over each project folder under each TypeScript: wall time and peak RSS of a fresh
 * `tsc -p` process per sample, the projects and versions taken in turn within each sample. Every
 * project gets the same tsconfig (TSC_OPTIONS); a type error fails the suite.
 */
function tscRows({ work, samples, projects }) {
  const configDir = path.join(work, "tsconfig");
  rmSync(configDir, { recursive: true, force: true });
  mkdirSync(configDir, { recursive: true });
  const configs = projects.map((project, index) => {
    const file = path.join(configDir, `project${index}.json`);
    writeFileSync(file, `${JSON.stringify({ compilerOptions: TSC_OPTIONS, include: [path.join(project.dir, "*.ts")] }, null, 2)}\n`);
    return file;
  });
  const taken = new Map();
  for (let i = 0; i < samples; i++) {
    for (const ts of TYPESCRIPTS) {
      projects.forEach((project, index) => {
        const key = `${ts.version}|${index}`;
        const sample = measureProgram(`${ts.version}: tsc --noEmit, ${project.label}`, process.execPath, [ts.tsc, "-p", configs[index]], { samples: 1, cwd: ROOT });
        taken.set(key, [...(taken.get(key) ?? []), sample]);
      });
    }
  }
  const rows = [];
  const byKey = {};
  for (const ts of TYPESCRIPTS) {
    projects.forEach((project, index) => {
      const list = taken.get(`${ts.version}|${index}`);
      const row = { label: list[0].label, samples, medianMs: median(list.map((s) => s.medianMs)), minMs: Math.min(...list.map((s) => s.minMs)), medianRssMiB: median(list.map((s) => s.medianRssMiB)) };
      rows.push(row);
      byKey[`${ts.version}|${index}`] = row;
    });
  }
  const ratios = [];
  for (const ts of TYPESCRIPTS) {
    const [sdk, own, quicktype, inFull] = [0, 1, 2, 3].map((index) => byKey[`${ts.version}|${index}`]);
    ratios.push(
      { label: `${ts.version}: tsc --noEmit, SDK / schema modules (wall time, median; goal ≤ 1.0)`, value: sdk.medianMs / own.medianMs },
      { label: `${ts.version}: tsc --noEmit, SDK / schema modules (peak RSS, median)`, value: sdk.medianRssMiB / own.medianRssMiB },
      { label: `${ts.version}: tsc --noEmit, SDK / quicktype's TypeScript (wall time, median)`, value: sdk.medianMs / quicktype.medianMs },
      { label: `${ts.version}: tsc --noEmit, SDK with every file checked / schema modules (wall time, median)`, value: inFull.medianMs / own.medianMs },
    );
  }
  return { rows, ratios };
}

/**
 * The one tsconfig of every tsc row: strict, no emit, Node's ES module resolution (each folder is
 * in a `"type": "module"` package scope: the SDK's own package.json, else this repository's, whose
 * self-reference resolves `eventc` for the schema modules). `skipLibCheck` skips declaration files
 * only, i.e. node_modules (zod's types, eventc's own). The SDK's implementation files open with
 * `// @ts-nocheck`, as generated; the last project is the SDK with that line removed.
 */
const TSC_OPTIONS = { strict: true, noEmit: true, skipLibCheck: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", types: [] };

/** The cargo builds (eventc's crate against typify's, interleaved) and the decode comparison: minutes per sample. */
function cargoRows(crate, out, samples, work, document) {
  const env = { ...process.env, CARGO_TARGET_DIR, CARGO_TERM_COLOR: "never" };
  return typifyPeer({ samples, work, jsonschemaDir: path.join(out, "jsonschema"), eventcCrate: crate, env, measureProgram, events: 500, versions: 2, document });
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
