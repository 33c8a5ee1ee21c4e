/**
 * Benchmark suite "registry": `eventc check` over a catalogue of 500 events × 3 versions.
 *
 * Builds a temporary project (50 schema modules of 10 events, node_modules linked to this
 * repository's), records it with `eventc lock`, then times whole `eventc check` runs (a fresh
 * process each, as in CI): once with an unchanged catalogue and once with one breaking change.
 *
 * Also `eventc diff` of two JSON Schema files of 1,000 properties each (strings, bounded integers,
 * enums, nested objects, arrays of a named type), the second with ten fields changed: the comparer
 * has to stay interactive on large hand-written schemas.
 *
 * Each sample is a whole fresh process (bench/child.js), as in CI.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { measure, ROOT } from "./measure.js";
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

export function writeCatalogue(dir, broken) {
  for (let module = 0; module < MODULES; module++) {
    writeFileSync(path.join(dir, "schemas", `m${module}.ts`), moduleSource(module, broken && module === 0));
  }
}

/** A JSON Schema of 1,000 properties; `changed` alters ten of them (some compatibly, some not). */
export function largeSchema(changed) {
  const properties = {};
  const required = [];
  for (let index = 0; index < 1000; index++) {
    const name = `field${index}`;
    const kind = index % 5;
    let schema;
    if (kind === 0) schema = { type: "string", maxLength: 64 };
    else if (kind === 1) schema = { type: "integer", minimum: 0, maximum: 1000 };
    else if (kind === 2) schema = { enum: ["a", "b", "c"] };
    else if (kind === 3) schema = { type: "object", properties: { id: { type: "string" }, count: { type: "number" } }, required: ["id"], additionalProperties: false };
    else schema = { type: "array", items: { $ref: "#/$defs/Item" } };
    if (changed && (index % 100 === 7 || index % 100 === 11)) schema = kind === 1 ? { type: "integer", minimum: 1 } : { type: ["string", "null"] };
    properties[name] = schema;
    if (index % 3 === 0) required.push(name);
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "bench.large.v1",
    type: "object",
    properties,
    required,
    additionalProperties: false,
    $defs: { Item: { type: "object", properties: { sku: { type: "string", pattern: "^[A-Z]{3}-\\d+$" }, quantity: { type: "integer", minimum: 1 } }, required: ["sku"] } },
  };
}

export const description = "eventc check against the lockfile, 500 events x 3 versions; eventc diff of two 1,000-property JSON Schemas";

export async function run({ samples }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eventc-bench-registry-"));
  try {
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    mkdirSync(path.join(dir, "schemas"));
    writeCatalogue(dir, false);
    const lock = spawnSync(process.execPath, [path.join(ROOT, "bin", "eventc.js"), "lock"], { cwd: dir, encoding: "utf8" });
    if (lock.status !== 0) throw new Error(`eventc lock failed: ${lock.stderr}`);
    const unchanged = measure("eventc check (unchanged)", ["eventc", "check"], { samples, cwd: dir });
    writeCatalogue(dir, true);
    const breaking = measure("eventc check (one breaking change, with source lines)", ["eventc", "check"], { samples, cwd: dir, expectStatus: [1] });
    writeFileSync(path.join(dir, "large-old.json"), JSON.stringify(largeSchema(false)));
    writeFileSync(path.join(dir, "large-new.json"), JSON.stringify(largeSchema(true)));
    const diff = measure("eventc diff of two 1,000-property JSON Schemas (ten fields changed)", ["eventc", "diff", "large-old.json", "large-new.json"], { samples, cwd: dir, expectStatus: [1] });
    return { rows: [unchanged, breaking, diff] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const name = "registry";
