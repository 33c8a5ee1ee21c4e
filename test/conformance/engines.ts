/**
 * The three readers a conformance run compares, each answering `accept`, `unknown` or `reject`
 * for an event document: the generated TypeScript validators, Ajv over the generated JSON Schemas
 * (with ajv-formats), and the generated Rust crate (decode + validate) through one long-lived
 * batch: a test binary reading NDJSON on stdin and answering line by line.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Verdict } from "../../src/conformance/vectors.js";
import { cargo, CARGO_TARGET_DIR, copyCrate } from "../rust/cargo.js";
import { ROOT } from "../helpers.js";

export interface RustAnswer {
  verdict: Verdict;
  json?: unknown;
  error?: string;
}

export type Judge = (document: unknown) => Verdict;

interface ParseResult {
  kind: "event" | "unknown" | "invalid";
}

/** The generated TypeScript SDK in `dir` (its `index.ts`), judging with `parseEvent`. */
export async function typescriptJudge(dir: string): Promise<Judge> {
  const sdk = (await import(pathToFileURL(path.join(dir, "index.ts")).href)) as { parseEvent: (input: unknown) => ParseResult };
  return (document) => {
    const kind = sdk.parseEvent(document).kind;
    return kind === "event" ? "accept" : kind === "unknown" ? "unknown" : "reject";
  };
}

/**
 * Ajv over the JSON Schemas in `dir`. `event.json` is the closed union of known versions: a
 * document it rejects whose `type` is a string naming none of them is an unknown event.
 */
export function jsonSchemaJudge(dir: string): Judge {
  const ajv = new Ajv2020({ strict: true, strictTuples: false, strictRequired: false });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".json")).sort()) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(dir, file), "utf8")) as object);
  }
  const validate = ajv.getSchema("event.json");
  if (validate === undefined) throw new Error(`no event.json in ${dir}`);
  const eventSchema = JSON.parse(readFileSync(path.join(dir, "event.json"), "utf8")) as { $defs?: Record<string, unknown> };
  const known = new Set(Object.keys(eventSchema.$defs ?? {}));
  return (document) => {
    if (validate(document)) return "accept";
    const type = (document as { type?: unknown } | null)?.type;
    return typeof type === "string" && !known.has(type) ? "unknown" : "reject";
  };
}

/**
 * Builds the conformance binary against the crate in `crateDir` (copied to a scratch folder) and
 * returns a function answering a batch of documents in one process.
 */
export function rustJudge(name: string, crateDir: string): (documents: readonly unknown[]) => RustAnswer[] {
  const crate = copyCrate(`conformance-${name}`, crateDir);
  const example = `conformance_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
  mkdirSync(path.join(crate, "examples"), { recursive: true });
  copyFileSync(path.join(ROOT, "test", "conformance", "conformance.rs"), path.join(crate, "examples", `${example}.rs`));
  const build = cargo(["build", "--quiet", "--example", example], crate);
  if (build.status !== 0) throw new Error(`cargo build failed in ${crate}:\n${build.stderr}`);
  const binary = path.join(CARGO_TARGET_DIR, "debug", "examples", example);
  return (documents) => {
    const input = documents.map((document) => `${JSON.stringify(document)}\n`).join("");
    const result = spawnSync(binary, [], { input, encoding: "utf8", maxBuffer: 1 << 30 });
    if (result.error || result.status !== 0) throw new Error(`${binary} failed: ${result.error?.message ?? result.stderr}`);
    const lines = result.stdout.trim() === "" ? [] : result.stdout.trim().split("\n");
    if (lines.length !== documents.length) throw new Error(`${binary} answered ${lines.length} of ${documents.length} documents`);
    return lines.map((line) => JSON.parse(line) as RustAnswer);
  };
}
