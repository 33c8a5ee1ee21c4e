/**
 * Migrations proven equal on every side: for each catalogue that declares migrations (the example
 * and the golden cases), every accepted conformance vector of a version with a declared way up is
 * upgraded to the latest version by the TypeScript SDK (`parseEvent(…, { upgrade: "latest" })`)
 * and by the Rust crate (`Event::upgrade`, and `migrate_json` over the JSON as it came); each
 * vector of a version with a declared downgrade is downgraded by both (`downgradeEvent`,
 * `Event::downgrade_to`). Required: the TypeScript result is a valid payload of the version it
 * claims; Rust reads it as that version; both move the JSON to the same value (same canonical text,
 * unknown members included); Rust's typed result equals the TypeScript one re-encoded.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { conformanceVectors } from "../../src/conformance/vectors.js";
import { canonicalJson } from "../../src/ir/canonical.js";
import type { Catalogue } from "../../src/ir/types.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { caseFolders, ROOT } from "../helpers.js";
import { cargo, CARGO_TARGET_DIR, copyCrate } from "../rust/cargo.js";

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

const CASES = path.join(ROOT, "test", "cases");
const subjects = [
  { name: "example", schemas: path.join(ROOT, "schemas"), cwd: ROOT, out: path.join(ROOT, "generated") },
  ...caseFolders(CASES).map((name) => ({ name, schemas: path.join(CASES, name, "schemas"), cwd: path.join(CASES, name), out: path.join(CASES, name, "expected") })),
];

function rustMigrator(name: string, crateDir: string): (lines: string[]) => RustAnswer[] {
  const crate = copyCrate(`migrations-${name}`, crateDir);
  const example = `migrations_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
  mkdirSync(path.join(crate, "examples"), { recursive: true });
  copyFileSync(path.join(ROOT, "test", "conformance", "migrations.rs"), path.join(crate, "examples", `${example}.rs`));
  const build = cargo(["build", "--quiet", "--example", example], crate);
  if (build.status !== 0) throw new Error(`cargo build failed in ${crate}:\n${build.stderr}`);
  const binary = path.join(CARGO_TARGET_DIR, "debug", "examples", example);
  return (lines) => {
    const result = spawnSync(binary, [], { input: lines.map((line) => `${line}\n`).join(""), encoding: "utf8", maxBuffer: 1 << 30 });
    if (result.error || result.status !== 0) throw new Error(`${binary} failed: ${result.error?.message ?? result.stderr}`);
    return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as RustAnswer);
  };
}

/** Accepted event documents of each version that has a declared way to `direction`'s end. */
function cases(catalogue: Catalogue): { document: { type: string; payload?: unknown }; down?: number; name: string }[] {
  const found: { document: { type: string; payload?: unknown }; down?: number; name: string }[] = [];
  const vectors = conformanceVectors(catalogue).filter((vector) => vector.expect === "accept" && !vector.envelope && vector.text === undefined);
  for (const event of catalogue.events) {
    event.versions.forEach((version, index) => {
      const mine = vectors.filter((vector) => (vector.document as { type: string }).type === version.wireType);
      const upward = event.versions.slice(index + 1).every((later) => later.upgrade !== undefined);
      if (index < event.versions.length - 1 && upward) for (const vector of mine) found.push({ document: vector.document as { type: string }, name: vector.name });
      if (version.downgrade !== undefined) for (const vector of mine) found.push({ document: vector.document as { type: string }, down: event.versions[index - 1]!.version, name: vector.name });
    });
  }
  return found;
}

describe.each(subjects.map((subject) => [subject.name, subject] as const))("migrations: %s", (_name, subject) => {
  test("TypeScript and Rust move every vector to the same valid payload", { timeout: 300_000 }, async () => {
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const work = cases(catalogue);
    if (!catalogue.events.some((event) => event.versions.some((version) => version.upgrade !== undefined))) {
      expect(work).toEqual([]);
      return;
    }
    expect(work.length).toBeGreaterThan(0);
    const sdk = (await import(pathToFileURL(path.join(subject.out, "ts", "index.ts")).href)) as Sdk;
    const rust = rustMigrator(subject.name, path.join(subject.out, "rust"))(work.map(({ document, down }) => `${down === undefined ? "U" : `D${down} `}${JSON.stringify(document)}`));
    const disagreements: unknown[] = [];
    work.forEach(({ document, down, name }, index) => {
      const ts = down === undefined ? sdk.parseEvent(document, { upgrade: "latest" }) : sdk.downgradeEvent(document, { to: down });
      const answer = rust[index]!;
      const issues = ts.event === undefined ? ["no event"] : sdk.validatePayload(ts.event.type, ts.event.payload);
      const same = ts.event !== undefined && answer.raw !== undefined && canonicalJson(answer.raw) === canonicalJson(ts.event);
      const typedSame = ts.event !== undefined && answer.json !== undefined && canonicalJson(answer.json.payload) === canonicalJson(reencode(ts.event.payload, answer.json.payload));
      if (ts.kind !== "event" || issues.length > 0 || answer.verdict !== "accept" || !same || !typedSame) {
        disagreements.push({ name, document, down, typescript: ts, issues, rust: answer });
      }
    });
    expect(disagreements).toEqual([]);
  });
});

/** The TypeScript payload as a typed reader re-encodes it: members the typed result does not have are left out. */
function reencode(value: unknown, typed: unknown): unknown {
  if (Array.isArray(value) && Array.isArray(typed)) return value.map((item, index) => reencode(item, typed[index]));
  if (typeof value !== "object" || value === null || typeof typed !== "object" || typed === null || Array.isArray(typed)) return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(typed)) if (Object.hasOwn(value, key)) out[key] = reencode((value as Record<string, unknown>)[key], (typed as Record<string, unknown>)[key]);
  return out;
}
