// The `cargo typify` peer of the codegen suite: the crate typify generates from the same contract
// (the JSON Schemas eventc publishes, combined into one document typify accepts), built side by
// side with eventc's crate — wall time and peak RSS of `cargo build` — and decode throughput of
// `Event::from_json_str` (read and validate) against plain `serde_json::from_str` into typify's
// types (read only). cargo-typify is installed with `cargo install` when it is missing.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";

const pascal = (text) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((word) => word[0].toUpperCase() + word.slice(1)).join("");

/** Installs cargo-typify when `cargo typify` is not there; CI never runs this suite. */
function ensureTypify(env) {
  if (spawnSync("cargo", ["typify", "--version"], { env, encoding: "utf8" }).status === 0) return;
  const install = spawnSync("cargo", ["install", "cargo-typify"], { env, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (install.status !== 0) throw new Error(`cargo install cargo-typify failed: ${install.stderr?.slice(-2000)}`);
}

/**
 * One JSON Schema for the whole contract: eventc's `event.json` (a oneOf of `{type, payload}` per
 * version) with each payload's schema inlined under `$defs` (its own `$defs`, the named types, are
 * hoisted beside it — the same in every file), so no reference leaves the document.
 */
export function combinedSchema(jsonschemaDir) {
  const event = JSON.parse(readFileSync(path.join(jsonschemaDir, "event.json"), "utf8"));
  const defs = {};
  const named = {};
  for (const [wire, variant] of Object.entries(event.$defs)) {
    const file = variant.properties.payload.$ref;
    const { $schema: _schema, $id: _id, $defs: inner = {}, ...payload } = JSON.parse(readFileSync(path.join(jsonschemaDir, file), "utf8"));
    Object.assign(named, inner);
    const payloadName = `${pascal(wire)}Payload`;
    defs[payloadName] = payload;
    variant.properties.payload = { $ref: `#/$defs/${payloadName}` };
    defs[wire] = variant;
  }
  const { $id: _id, $defs: _defs, ...rest } = event;
  return { ...rest, $defs: { ...named, ...defs } };
}

/** A valid document for version `version` of event `index` of bench/catalogue.js's "rich" contract. */
export function richDocument(index, version) {
  const payload = {
    id: `e${index}`,
    tenant: "acme",
    actor: { id: "a1", name: "Ada", kind: "user" },
    at: "2025-01-02T03:04:05.678Z",
    status: "active",
    count: index,
    ratio: 0.5,
    tags: ["red", "green", "blue"],
    price: { amount: 1250, currency: "EUR" },
    changes: [
      { op: "set", path: "/title", value: { text: "hello", size: 3 } },
      { op: "move", from: "/a", to: "/b" },
      { op: "unset", path: "/c" },
    ],
    detail: { note: "ok", retries: 2, source: index % 2 === 0 ? "api" : index },
  };
  if (version >= 2) Object.assign(payload, { labels: { team: "core", region: "eu" }, priority: "high" });
  return { type: `domain${index % 10}.entity${index}.changed.v${version}`, payload };
}

const DECODE_PROGRAM = (read) => `use std::io::Read;
use std::time::Instant;

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    let documents: Vec<&str> = text.lines().collect();
    let bytes: usize = documents.iter().map(|line| line.len()).sum();
    let decode = |line: &str| ${read};
    for line in &documents {
        assert!(decode(line), "not read: {line}");
    }
    let started = Instant::now();
    let mut rounds = 0u64;
    while started.elapsed().as_secs_f64() < 2.0 {
        for line in &documents {
            std::hint::black_box(decode(std::hint::black_box(line)));
        }
        rounds += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let count = rounds as f64 * documents.len() as f64;
    println!("{} {}", count / seconds, rounds as f64 * bytes as f64 / seconds / (1 << 20) as f64);
}
`;

/** Median of `values`. */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Builds `examples/decode.rs` in `crate` (release) and runs it `samples` times over `documents`. */
function decodeThroughput(crate, program, documents, samples, env) {
  mkdirSync(path.join(crate, "examples"), { recursive: true });
  writeFileSync(path.join(crate, "examples", "decode.rs"), program);
  const build = spawnSync("cargo", ["build", "--quiet", "--release", "--example", "decode"], { cwd: crate, env, encoding: "utf8", maxBuffer: 1 << 28 });
  if (build.status !== 0) throw new Error(`cargo build --release --example decode failed in ${crate}: ${build.stderr.slice(-3000)}`);
  const binary = path.join(env.CARGO_TARGET_DIR, "release", "examples", "decode");
  const rates = [];
  const mib = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(binary, [], { input: documents, encoding: "utf8", maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`${binary} failed: ${run.stderr.slice(-2000)}`);
    const [rate, throughput] = run.stdout.trim().split(" ").map(Number);
    rates.push(rate);
    mib.push(throughput);
  }
  return { documentsPerSecond: median(rates), mibPerSecond: median(mib) };
}

/**
 * The typify rows of the codegen suite. `eventcCrate` is eventc's generated crate for the
 * contract, `jsonschemaDir` the JSON Schemas eventc published for it; `measureProgram` is the
 * suite's timing of one program (wall time, peak RSS). Both crates get a warm-up build of their
 * dependencies first, then each sample rebuilds only the crate itself.
 */
export function typifyPeer({ samples, work, jsonschemaDir, eventcCrate, env, measureProgram, events, versions, document = richDocument }) {
  ensureTypify(env);
  const dir = path.join(work, "typify");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "src"), { recursive: true });
  const schemaFile = path.join(dir, "events.schema.json");
  writeFileSync(schemaFile, JSON.stringify(combinedSchema(jsonschemaDir), null, 2));
  const generate = spawnSync("cargo", ["typify", schemaFile, "--output", path.join(dir, "src", "lib.rs")], { env, encoding: "utf8", maxBuffer: 1 << 28 });
  if (generate.status !== 0) throw new Error(`cargo typify failed: ${generate.stderr.slice(-3000)}`);
  // What the generated code uses: serde, serde_json, and for formats and patterns chrono and regress.
  writeFileSync(
    path.join(dir, "Cargo.toml"),
    `[package]\nname = "typify-events"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nserde = { version = "1", features = ["derive"] }\nserde_json = "1"\nchrono = { version = "0.4", features = ["serde"] }\nregress = "0.10"\n`,
  );
  const lib = readFileSync(path.join(dir, "src", "lib.rs"), "utf8");
  writeFileSync(path.join(dir, "src", "lib.rs"), `#![allow(clippy::all, dead_code)]\n${lib}`);

  for (const crate of [eventcCrate, dir]) {
    const warm = path.join(work, `warm-up-${path.basename(crate)}`);
    rmSync(warm, { recursive: true, force: true });
    mkdirSync(path.join(warm, "src"), { recursive: true });
    cpSync(path.join(crate, "Cargo.toml"), path.join(warm, "Cargo.toml"));
    writeFileSync(path.join(warm, "src", "lib.rs"), "");
    const warmUp = spawnSync("cargo", ["build", "--quiet"], { cwd: warm, env, encoding: "utf8", maxBuffer: 1 << 28 });
    if (warmUp.status !== 0) throw new Error(`cargo build (warm-up) failed: ${warmUp.stderr.slice(-2000)}`);
  }
  // Each sample builds the crate from scratch: its sources touched and its incremental cache
  // (from the warm-up or an earlier sample) removed, so neither crate reuses earlier work.
  const touch = (crate) => () => {
    const name = readFileSync(path.join(crate, "Cargo.toml"), "utf8").match(/^name = "([^"]+)"/m)[1].replaceAll("-", "_");
    const incremental = path.join(env.CARGO_TARGET_DIR, "debug", "incremental");
    for (const entry of existsSync(incremental) ? readdirSync(incremental) : []) {
      if (entry.startsWith(`${name}-`)) rmSync(path.join(incremental, entry), { recursive: true, force: true });
    }
    const now = new Date();
    utimesSync(path.join(crate, "src", "lib.rs"), now, now);
  };
  // Interleaved sample by sample, so load from elsewhere on the machine falls on both alike.
  const eventcSamples = [];
  const typifySamples = [];
  for (let i = 0; i < samples; i++) {
    eventcSamples.push(measureProgram("eventc", "cargo", ["build", "--quiet"], { samples: 1, before: touch(eventcCrate), cwd: eventcCrate, env }));
    typifySamples.push(measureProgram("typify", "cargo", ["build", "--quiet"], { samples: 1, before: touch(dir), cwd: dir, env }));
  }
  const row = (label, list) => ({ label, samples, medianMs: median(list.map((s) => s.medianMs)), minMs: Math.min(...list.map((s) => s.minMs)), medianRssMiB: median(list.map((s) => s.medianRssMiB)) });
  const eventcBuild = row("cargo build, eventc crate (validation included; debug, dependencies warm, crate from scratch)", eventcSamples);
  const typifyBuild = row("cargo build, cargo typify crate of the same contract (debug, dependencies warm, crate from scratch)", typifySamples);

  const documents = [];
  for (let index = 0; index < events; index++) for (let version = 1; version <= versions; version++) documents.push(JSON.stringify(document(index, version)));
  const input = `${documents.join("\n")}\n`;
  const eventcRead = decodeThroughput(eventcCrate, DECODE_PROGRAM("eventc_events::Event::from_json_str(line).is_ok()"), input, samples, env);
  const typifyRead = decodeThroughput(dir, DECODE_PROGRAM("serde_json::from_str::<typify_events::Event>(line).is_ok()"), input, samples, env);

  const lines = (file) => readFileSync(file, "utf8").split("\n").length;
  const eventcLines = readdirSync(path.join(eventcCrate, "src")).reduce((sum, file) => sum + lines(path.join(eventcCrate, "src", file)), 0);
  const decodeRow = (label, read) => `| ${label} | ${Math.round(read.documentsPerSecond).toLocaleString("en-US")} | ${read.mibPerSecond.toFixed(1)} |`;
  return {
    rows: [eventcBuild, typifyBuild],
    markdown: [
      "",
      "| decode (release build, one thread, valid documents of every version) | documents/s | MiB/s |",
      "| --- | ---: | ---: |",
      decodeRow("eventc `Event::from_json_str` (read + validate)", eventcRead),
      decodeRow("typify types, `serde_json::from_str::<Event>` (read only)", typifyRead),
    ].join("\n"),
    ratios: [
      { label: "cargo build, eventc / typify (wall time, median)", value: eventcBuild.medianMs / typifyBuild.medianMs },
      { label: "cargo build, eventc / typify (peak RSS, median)", value: eventcBuild.medianRssMiB / typifyBuild.medianRssMiB },
      { label: "decode throughput, eventc from_json_str / typify serde_json::from_str", value: eventcRead.documentsPerSecond / typifyRead.documentsPerSecond },
    ],
    notes: [`eventc crate: ${eventcLines} lines (src/); typify crate: ${lines(path.join(dir, "src", "lib.rs"))} lines (one lib.rs, builder types included as typify emits them by default).`],
  };
}
