/**
 * typeshare equivalence: typeshare-cli turns each generated crate (the example catalogue and every
 * golden case) into TypeScript, and tsc (strict) checks that typeshare's `Event` union and ours
 * are assignable both ways, after projecting ours onto what typeshare can carry (see PROJECTION
 * and docs/typeshare.md). Also: every type typeshare makes opaque JSON is one eventc warns about,
 * and a typeshare output with one field's type changed fails the same check. Then
 * `eventc generate --typeshare <langs>` with the real typeshare-cli, and without one on PATH.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { targetWarnings } from "../../src/generate.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { caseFolders, ROOT, runCli, snapshot, workDir } from "../helpers.js";
import { run, TYPESHARE } from "./cargo.js";

/**
 * The type-level comparison, written out as TypeScript source beside the SDKs under test
 * (docs/typeshare.md, "Equivalence"). `Align<Ours, Theirs>` is eventc's type projected onto what
 * typeshare can carry, guided by typeshare's type at the same position:
 * - typeshare has `unknown` (opaque JSON) → `unknown`;
 * - typeshare has `number` / `boolean` where ours is a literal union of that primitive → widened;
 * - a required nullable field `k: T | null` → `k?: T` (typeshare writes every `Option` as an
 *   optional property without null);
 * - elsewhere, `T | null` where typeshare's type has no null → `T` (typeshare writes an `Option`
 *   list item or record value as its bare type);
 * - everything else is kept as it is, recursing through arrays and object members.
 * `Wire<T>` then reads both sides as JSON: string enums become the union of their values.
 * The check is mutual assignability of `Wire<Aligned ours>` and `Wire<typeshare's Event>`.
 */
const PROJECTION = `/** eventc's types projected onto what typeshare can carry; see docs/typeshare.md. */
export type Align<O, T> = unknown extends T
  ? unknown
  : unknown extends O
    ? O
    : null extends O
      ? null extends T
        ? AlignPresent<O, T>
        : AlignPresent<Exclude<O, null>, T>
      : AlignPresent<O, T>;

type AlignPresent<O, T> = [T] extends [number]
  ? [O] extends [number] ? T : O
  : [T] extends [boolean]
    ? [O] extends [boolean] ? T : O
    : O extends readonly (infer OI)[]
      ? T extends readonly (infer TI)[] ? Align<OI, TI>[] : O
      : O extends object
        ? T extends object ? AlignObject<O, T> : O
        : O;

type Field<T, K> = K extends keyof T ? Exclude<T[K], undefined> : never;

type RequiredNullableKeys<O> = { [K in keyof O]-?: {} extends Pick<O, K> ? never : unknown extends O[K] ? never : null extends O[K] ? K : never }[keyof O];

type Flatten<T> = { [K in keyof T]: T[K] };

type AlignObject<O, T> = Flatten<
  { [K in keyof O as K extends RequiredNullableKeys<O> ? never : K]: Align<Exclude<O[K], undefined>, Field<T, K>> } & {
    [K in keyof O as K extends RequiredNullableKeys<O> ? K : never]?: Align<Exclude<O[K], null | undefined>, Field<T, K>>;
  }
>;

/** A type read as JSON: string enums are the union of their values. */
export type Wire<T> = unknown extends T
  ? unknown
  : T extends string
    ? \`\${T}\`
    : T extends number | boolean | null
      ? T
      : T extends readonly (infer I)[]
        ? Wire<I>[]
        : { [K in keyof T]: Wire<T[K]> };
`;

/** The assertion file for one SDK pair: eventc's `Event` (in `./ours/`) and typeshare's (`./typeshare.ts`). */
const EQUIVALENCE = `import type { Event as OursEvent, EventType, PayloadOf } from "./ours/index.js";
import type { Event as TheirsEvent } from "./typeshare.js";
import type { Align, Wire } from "../projection.js";

type TheirsPayload<K> = Extract<TheirsEvent, { type: K }>["payload"];

/** The wire types compared: every one, but those whose payload typeshare cannot carry (NARROWER_IN_TYPESHARE). */
type Compared = Exclude<EventType, NARROWER>;

/** eventc's Event union, each payload projected onto what typeshare carries. */
type Aligned = { [K in Compared]: { type: K; payload: Align<PayloadOf<K>, TheirsPayload<K>> } }[Compared];

type TheirsCompared = Exclude<TheirsEvent, { type: NARROWER }>;

export function oursToTypeshare(event: Wire<Aligned>): Wire<TheirsCompared> {
  return event;
}

export function typeshareToOurs(event: Wire<TheirsCompared>): Wire<Aligned> {
  return event;
}

/** Every wire type of ours is one of typeshare's, and the other way round. */
export function sameWireTypes(type: EventType): TheirsEvent["type"] {
  return type;
}

export function sameWireTypesBack(type: TheirsEvent["type"]): OursEvent["type"] {
  return type;
}
`;

/**
 * Payloads typeshare's TypeScript cannot carry, per subject (docs/typeshare.md): a partial record
 * keyed by an enum (`z.partialRecord`) is a map in Rust, which typeshare writes as
 * `Record<Key, V>` — every key required — so its type is narrower than the wire's. These
 * versions are left out of the equivalence check; their wire types are still compared.
 */
const NARROWER_IN_TYPESHARE: Record<string, string[]> = { hostile_inputs_read_alike_on_every_side: ["job.progress.v1"] };

const CASES = path.join(ROOT, "test", "cases");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

/**
 * typeshare-cli (1.13) writes a member name that starts with a digit unquoted (`1st: string;`),
 * which is not TypeScript. The test quotes exactly these before compiling; the names it must find
 * are listed per subject, so a typeshare that quotes them itself fails here and the entry goes.
 */
const UNQUOTED_BY_TYPESHARE: Record<string, string[]> = { rust_keywords_and_case_collisions: ["1st"] };

/** `source` with typeshare's unquoted digit-leading member names quoted, and those names. */
function quoteDigitNames(source: string): { source: string; quoted: string[] } {
  const quoted: string[] = [];
  const repaired = source.replace(/^(\t+)(\d\w*)(\??): /gm, (_all, indent: string, name: string, optional: string) => {
    quoted.push(name);
    return `${indent}"${name}"${optional}: `;
  });
  return { source: repaired, quoted };
}

interface Subject {
  name: string;
  schemas: string;
  cwd: string;
  generated: string;
}

const subjects: Subject[] = [
  { name: "example", schemas: path.join(ROOT, "schemas"), cwd: ROOT, generated: path.join(ROOT, "generated") },
  ...caseFolders(CASES).map((name) => ({ name, schemas: path.join(CASES, name, "schemas"), cwd: path.join(CASES, name), generated: path.join(CASES, name, "expected") })),
];

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  include: ["*/equivalence.ts"],
};

/** typeshare's TypeScript for the crate in `crate`, written to `file`. */
function typeshareTypescript(crate: string, file: string): string {
  // typeshare-cli 1.13 hangs instead of exiting when a parser thread panics: bound it.
  const result = run(TYPESHARE, [".", "--config-file", "typeshare.toml", "--lang=typescript", `--output-file=${file}`], crate, undefined, 120_000);
  if (result.status !== 0) throw new Error(`typeshare failed in ${crate}:\n${result.stderr}`);
  return readFileSync(file, "utf8");
}

/** A folder with the projection, one sub-folder per SDK pair and a tsconfig over them all. */
function setUp(dir: string): void {
  writeFileSync(path.join(dir, "projection.ts"), PROJECTION);
  writeFileSync(path.join(dir, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
}

function addPair(dir: string, name: string, generated: string, typeshare: string): void {
  const pair = path.join(dir, name);
  mkdirSync(pair, { recursive: true });
  cpSync(path.join(generated, "ts"), path.join(pair, "ours"), { recursive: true });
  writeFileSync(path.join(pair, "typeshare.ts"), typeshare);
  const narrower = NARROWER_IN_TYPESHARE[name] ?? [];
  const excluded = narrower.length === 0 ? "never" : narrower.map((type) => JSON.stringify(type)).join(" | ");
  writeFileSync(path.join(pair, "equivalence.ts"), `${EQUIVALENCE}\ntype NARROWER = ${excluded};\n`);
}

function tsc(dir: string) {
  return run(process.execPath, [TSC, "-p", "tsconfig.json", "--pretty", "false"], dir);
}

describe("typeshare", () => {
  const outputs = new Map<string, string>();
  const dir = workDir("typeshare-equivalence");

  test.each(subjects.map((subject) => [subject.name, subject] as const))("typeshare-cli writes TypeScript for %s; its opaque types are the ones eventc warns about", async (name, subject) => {
    const typeshare = typeshareTypescript(path.join(subject.generated, "rust"), path.join(dir, `${name}.typeshare.ts`));
    const { source, quoted } = quoteDigitNames(typeshare);
    expect(quoted).toEqual(UNQUOTED_BY_TYPESHARE[name] ?? []);
    outputs.set(name, source);
    const catalogue = await loadCatalogue({ schemasDir: subject.schemas, cwd: subject.cwd });
    const warned = new Set(targetWarnings(catalogue, ["rust"]).filter((warning) => warning.includes("opaque JSON")).map((warning) => /"([^"]+)"/.exec(warning)?.[1]));
    // A named type that is any JSON (`z.unknown()`, `z.json()`) is `unknown` on both sides: faithful, no warning.
    const types = readFileSync(path.join(subject.generated, "rust", "src", "types.rs"), "utf8");
    const anyJson = new Set([...types.matchAll(/^pub type (\w+) = JsonValue;$/gm)].map((match) => match[1]));
    const opaque = [...typeshare.matchAll(/^export type (\w+) = unknown;$/gm)].map((match) => match[1]);
    expect(opaque.filter((type) => !warned.has(type) && !anyJson.has(type))).toEqual([]);
  });

  test("eventc's Event union and typeshare's are assignable both ways (tsc --strict)", { timeout: 120_000 }, () => {
    setUp(dir);
    for (const subject of subjects) addPair(dir, subject.name, subject.generated, outputs.get(subject.name)!);
    const result = tsc(dir);
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  test("a typeshare output with one field's type changed fails the check", { timeout: 120_000 }, () => {
    const negative = workDir("typeshare-equivalence-negative");
    setUp(negative);
    const original = outputs.get("example")!;
    const field = /^\t(\w+): string;$/m.exec(original);
    expect(field).not.toBeNull();
    const changed = original.replace(field![0], `\t${field![1]}: number;`);
    expect(changed).not.toBe(original);
    addPair(negative, "example", path.join(ROOT, "generated"), changed);
    const result = tsc(negative);
    expect(result.status).not.toBe(0);
    const errors = result.stdout.split("\n").filter((line) => line.includes("error TS"));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((line) => line.startsWith("example/equivalence.ts("))).toBe(true);
  });
});

describe("eventc generate --typeshare", () => {
  const languages = ["swift", "kotlin", "typescript"];
  const files = ["typeshare/kotlin/Events.kt", "typeshare/swift/Events.swift", "typeshare/typescript/events.ts"];
  const scratchOut = (name: string) => path.join(workDir(`typeshare-cli-${name}`), "out");

  test("writes typeshare-cli's output per language through the writer; --check covers it", { timeout: 120_000 }, () => {
    const out = scratchOut("write");
    const result = runCli(["generate", "--out", out, "--typeshare", languages.join(",")], ROOT);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/; typeshare swift, kotlin, typescript\) in \d+ ms\n$/);
    const written = snapshot(out);
    expect([...written.keys()].filter((file) => file.startsWith("typeshare/"))).toEqual(files);
    const manifest = JSON.parse(written.get(".eventc-manifest.json")!) as unknown;
    expect(JSON.stringify(manifest)).toContain('"typeshare/swift/Events.swift"');
    // The same bytes typeshare-cli writes when run by hand on the generated crate.
    const direct = typeshareTypescript(path.join(out, "rust"), path.join(path.dirname(out), "direct.ts"));
    expect(written.get("typeshare/typescript/events.ts")).toBe(direct);

    expect(runCli(["generate", "--check", "--out", out, "--typeshare", languages.join(",")], ROOT).status).toBe(0);
    writeFileSync(path.join(out, "typeshare", "swift", "Events.swift"), "// edited\n");
    const check = runCli(["generate", "--check", "--out", out, "--typeshare", languages.join(",")], ROOT);
    expect(check.status).toBe(1);
    expect(check.stderr).toBe(`${path.relative(ROOT, out)} is out of date; run \`eventc generate\`:\n  stale    typeshare/swift/Events.swift\n`);
    // Without --typeshare its files are neither checked nor removed.
    expect(runCli(["generate", "--check", "--out", out], ROOT).status).toBe(0);
  });

  test("exits 2 with how to install typeshare-cli when it is not on PATH, and writes nothing", () => {
    const out = scratchOut("missing");
    const result = runCli(["generate", "--out", out, "--typeshare", "swift"], ROOT, { PATH: "/usr/bin:/bin" });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("eventc: --typeshare needs typeshare-cli, and no `typeshare` is on PATH; install it with `cargo install typeshare-cli`\n");
    expect(snapshot(out).size).toBe(0);
  });

  test("a language the installed typeshare-cli does not support is a usage error", () => {
    const out = scratchOut("unsupported");
    const result = runCli(["generate", "--out", out, "--typeshare", "swift,cobol"], ROOT);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^eventc: --typeshare: "cobol" not supported by \S+typeshare; choose from [a-z, ]+\n$/);
    expect(snapshot(out).size).toBe(0);
  });
});
