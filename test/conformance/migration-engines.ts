/**
 * Migrations run on both sides for the conformance suite and the fuzzer: the TypeScript SDK
 * (`parseEvent(…, { upgrade: "latest" })`, `downgradeEvent`) and the Rust crate through one
 * long-lived batch (test/conformance/migrations.rs: `U<json>` upgrades, `D<version> <json>`
 * downgrades), compared document by document.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { canonicalJson } from "../../src/ir/canonical.js";
import type { Catalogue } from "../../src/ir/types.js";
import { ROOT } from "../helpers.js";
import { cargo, CARGO_TARGET_DIR, copyCrate } from "../rust/cargo.js";

interface EventDocument {
  type: string;
  payload?: unknown;
}

interface Sdk {
  parseEvent: (input: unknown, options?: { upgrade: "latest" }) => { kind: string; event?: { type: string; payload: unknown } };
  downgradeEvent: (event: unknown, options: { to: number }) => { kind: string; event?: { type: string; payload: unknown } };
  validatePayload: (type: string, payload: unknown) => unknown[];
}

interface RustAnswer {
  verdict: string;
  json?: { type: string; payload: unknown };
  raw?: { type: string; payload: unknown };
  error?: string;
}

/** One document to move: up to the latest version, or (`down`) to the version before its own. */
export interface MigrationCase {
  name: string;
  document: EventDocument;
  down?: number;
}

/** Builds the migration binary against the crate in `crateDir` and returns a batch runner. */
function rustMigrator(name: string, crateDir: string): (lines: string[]) => RustAnswer[] {
  const crate = copyCrate(`migrations-${name}`, crateDir);
  const example = `migrations_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
  mkdirSync(path.join(crate, "examples"), { recursive: true });
  copyFileSync(path.join(ROOT, "test", "conformance", "migrations.rs"), path.join(crate, "examples", `${example}.rs`));
  const build = cargo(["build", "--quiet", "--example", example], crate);
  if (build.status !== 0) throw new Error(`cargo build failed in ${crate}:\n${build.stderr}`);
  const binary = path.join(CARGO_TARGET_DIR, "debug", "examples", example);
  return (lines) => {
    if (lines.length === 0) return [];
    const result = spawnSync(binary, [], { input: lines.map((line) => `${line}\n`).join(""), encoding: "utf8", maxBuffer: 1 << 30 });
    if (result.error || result.status !== 0) throw new Error(`${binary} failed: ${result.error?.message ?? result.stderr}`);
    return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as RustAnswer);
  };
}

/**
 * The cases for `documents` (valid event documents): each of a version with a declared way up to
 * the latest is upgraded, each of a version with a declared downgrade is downgraded.
 */
export function migrationCases(catalogue: Catalogue, documents: readonly { name: string; document: EventDocument }[]): MigrationCase[] {
  const cases: MigrationCase[] = [];
  for (const event of catalogue.events) {
    event.versions.forEach((version, index) => {
      const mine = documents.filter(({ document }) => document.type === version.wireType);
      const upward = index < event.versions.length - 1 && event.versions.slice(index + 1).every((later) => later.upgrade !== undefined);
      if (upward) cases.push(...mine);
      if (version.downgrade !== undefined) cases.push(...mine.map((entry) => ({ ...entry, down: event.versions[index - 1]!.version })));
    });
  }
  return cases;
}

/**
 * Moves every case with the SDK in `tsDir` and the crate in `rustDir`; returns the disagreements.
 * Required of each: the TypeScript result is a valid payload of the version it claims; Rust reads it
 * as that version; both move the JSON to the same value (same canonical text, unknown members
 * included); Rust's typed result equals the TypeScript one re-encoded.
 */
export async function migrationDisagreements(name: string, tsDir: string, rustDir: string, cases: readonly MigrationCase[]): Promise<unknown[]> {
  const sdk = (await import(pathToFileURL(path.join(tsDir, "index.ts")).href)) as Sdk;
  const rust = rustMigrator(name, rustDir)(cases.map(({ document, down }) => `${down === undefined ? "U" : `D${down} `}${JSON.stringify(document)}`));
  const disagreements: unknown[] = [];
  cases.forEach(({ document, down, name: label }, index) => {
    const ts = down === undefined ? sdk.parseEvent(document, { upgrade: "latest" }) : sdk.downgradeEvent(document, { to: down });
    const answer = rust[index]!;
    const issues = ts.event === undefined ? ["no event"] : sdk.validatePayload(ts.event.type, ts.event.payload);
    const same = ts.event !== undefined && answer.raw !== undefined && canonicalJson(answer.raw) === canonicalJson(ts.event);
    const typedSame = ts.event !== undefined && answer.json !== undefined && canonicalJson(answer.json.payload) === canonicalJson(reencode(ts.event.payload, answer.json.payload));
    if (ts.kind !== "event" || issues.length > 0 || answer.verdict !== "accept" || !same || !typedSame) {
      disagreements.push({ name: label, document, down, typescript: ts, issues, rust: answer });
    }
  });
  return disagreements;
}

/** The TypeScript payload as a typed reader re-encodes it: members the typed result does not have are left out. */
function reencode(value: unknown, typed: unknown): unknown {
  if (Array.isArray(value) && Array.isArray(typed)) return value.map((item, index) => reencode(item, typed[index]));
  if (typeof value !== "object" || value === null || typeof typed !== "object" || typed === null || Array.isArray(typed)) return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(typed)) if (Object.hasOwn(value, key)) out[key] = reencode((value as Record<string, unknown>)[key], (typed as Record<string, unknown>)[key]);
  return out;
}
