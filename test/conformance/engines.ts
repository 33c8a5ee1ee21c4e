/**
 * The three readers a conformance run compares, each answering `accept`, `unknown` or `reject`
 * for an event document or an envelope: the generated TypeScript validators, Ajv over the generated
 * JSON Schemas, and the generated Rust crate (decode + validate) through one long-lived batch: a
 * test binary reading NDJSON on stdin and answering line by line.
 *
 * Ajv runs as docs/wire-format.md says a JSON Schema validator agrees with eventc's readers:
 * `format` is an annotation (readers check the pattern published beside it), except `uri` without a
 * pattern, which is scheme, colon, no white space; `required` and friends look at own properties
 * only (`ownProperties`), so a missing member named `constructor` is missing.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Verdict } from "../../src/conformance/vectors.js";
import { cargo, CARGO_TARGET_DIR, copyCrate } from "../rust/cargo.js";
import { ROOT } from "../helpers.js";

export interface RustAnswer {
  verdict: Verdict;
  json?: unknown;
  error?: string;
  /** The event's coalesce key (null when it has none). */
  coalesce?: string | null;
}

/** What a reader is handed: a parsed document or JSON text, an event document or an envelope. */
export interface Input {
  document: unknown;
  text?: string | undefined;
  envelope?: boolean | undefined;
}

export type Judge = (input: Input) => Verdict;

interface ParseResult {
  kind: "event" | "unknown" | "invalid";
  event?: unknown;
}

interface Sdk {
  parseEvent: (input: unknown) => ParseResult;
  parseEnvelope: (input: unknown) => ParseResult;
  coalesceKey: (event: unknown) => string | undefined;
}

export interface TypeScriptJudge {
  /** The verdict on the input as given (text when it has text, else the value). */
  judge: Judge;
  /** The verdict on the input as JSON text (the value written with JSON.stringify when it has no text). */
  judgeText: Judge;
  /** The coalesce key of an accepted event document (null when it has none). */
  coalesce: (document: unknown) => string | null;
}

const verdictOf = (result: ParseResult): Verdict => (result.kind === "event" ? "accept" : result.kind === "unknown" ? "unknown" : "reject");

/** The generated TypeScript SDK in `dir` (its `index.ts`), judging with `parseEvent` and `parseEnvelope`. */
export async function typescriptJudge(dir: string): Promise<TypeScriptJudge> {
  const sdk = (await import(pathToFileURL(path.join(dir, "index.ts")).href)) as Sdk;
  const parse = (input: Input, given: unknown): Verdict => verdictOf(input.envelope ? sdk.parseEnvelope(given) : sdk.parseEvent(given));
  return {
    judge: (input) => parse(input, input.text ?? input.document),
    judgeText: (input) => parse(input, input.text ?? JSON.stringify(input.document)),
    coalesce: (document) => sdk.coalesceKey(document) ?? null,
  };
}

/** Every `format` named in a JSON Schema document. */
function formatsIn(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => formatsIn(item, into));
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "format" && typeof value === "string") into.add(value);
      else if (key !== "const" && key !== "enum" && key !== "default" && key !== "examples") formatsIn(value, into);
    }
  }
  return into;
}

/**
 * Ajv over the JSON Schemas in `dir`. `event.json` is the closed union of known versions: a
 * document it rejects whose `type` is a string naming none of them is an unknown event.
 */
export function jsonSchemaJudge(dir: string): Judge {
  const ajv = new Ajv2020({ strict: true, strictTuples: false, strictRequired: false, ownProperties: true });
  const documents = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>);
  for (const format of formatsIn(documents, new Set())) ajv.addFormat(format, format === "uri" ? ABSOLUTE_URI : true);
  for (const document of documents) ajv.addSchema(document);
  const validate = ajv.getSchema("event.json");
  const validateEnvelope = ajv.getSchema("envelope.json");
  if (validate === undefined || validateEnvelope === undefined) throw new Error(`no event.json or envelope.json in ${dir}`);
  const envelopeSchema = documents.find((document) => document["$id"] === "envelope.json")!;
  // The envelope with any event whose type is a string: an unknown event in a valid envelope passes it.
  const validateShell = ajv.compile({ ...envelopeSchema, $id: "envelope-shell.json", properties: { ...(envelopeSchema["properties"] as object), event: { type: "object", required: ["type"], properties: { type: { type: "string" } } } } });
  const eventSchema = documents.find((document) => document["$id"] === "event.json") as { $defs?: Record<string, unknown> };
  const known = new Set(Object.keys(eventSchema.$defs ?? {}));
  const unknownType = (event: unknown): boolean => {
    const type = (event as { type?: unknown } | null)?.type;
    return typeof type === "string" && !known.has(type);
  };
  return ({ document, envelope }) => {
    if (envelope) {
      if (validateEnvelope(document)) return "accept";
      return validateShell(document) && unknownType((document as { event?: unknown }).event) ? "unknown" : "reject";
    }
    if (validate(document)) return "accept";
    return unknownType(document) ? "unknown" : "reject";
  };
}

/** Scheme, colon, no white space: what every eventc reader holds a `uri` without a pattern to (wire.ts). */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z\d+.-]*:\S*$/;

/**
 * Builds the conformance binary against the crate in `crateDir` (copied to a scratch folder) and
 * returns a function answering a batch of documents in one process.
 */
export function rustJudge(name: string, crateDir: string): (inputs: readonly Input[]) => RustAnswer[] {
  const crate = copyCrate(`conformance-${name}`, crateDir);
  const example = `conformance_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
  mkdirSync(path.join(crate, "examples"), { recursive: true });
  copyFileSync(path.join(ROOT, "test", "conformance", "conformance.rs"), path.join(crate, "examples", `${example}.rs`));
  const build = cargo(["build", "--quiet", "--example", example], crate);
  if (build.status !== 0) throw new Error(`cargo build failed in ${crate}:\n${build.stderr}`);
  const binary = path.join(CARGO_TARGET_DIR, "debug", "examples", example);
  return (documents) => {
    const input = documents.map(({ document, text, envelope }) => `${envelope ? "E" : ""}${text ?? JSON.stringify(document)}\n`).join("");
    const result = spawnSync(binary, [], { input, encoding: "utf8", maxBuffer: 1 << 30 });
    if (result.error || result.status !== 0) throw new Error(`${binary} failed: ${result.error?.message ?? result.stderr}`);
    const lines = result.stdout.trim() === "" ? [] : result.stdout.trim().split("\n");
    if (lines.length !== documents.length) throw new Error(`${binary} answered ${lines.length} of ${documents.length} documents`);
    return lines.map((line) => JSON.parse(line) as RustAnswer);
  };
}
