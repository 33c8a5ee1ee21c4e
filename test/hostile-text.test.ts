/**
 * Hostile user text through every place it lands in generated code. Each hostile string becomes
 * one event whose description, payload and field descriptions, named type (its id and
 * description), union member descriptions, default, enum value, literal, discriminator value,
 * field name, record keys, pattern, coalesce and topic paths carry it. Then:
 * - the TypeScript SDK type-checks under the strict flags, exports exactly what an SDK of the same
 *   catalogue with plain text exports (no injected code), and accepts and rejects documents
 *   carrying the hostile values as the schema says;
 * - the Rust crate passes fmt, clippy -D warnings and doc, and decodes, validates and re-encodes
 *   the same documents (one crate, one build);
 * - text a Rust String cannot hold (a lone surrogate) in a wire value is an EventcError naming
 *   event, version and field path (exit 2), while in a description it is shown escaped.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, test } from "vitest";
import { EventcError } from "../src/errors.js";
import type { Catalogue } from "../src/ir/types.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { emitRust } from "../src/targets/rust/index.js";
import { emitTypeScript } from "../src/targets/typescript/index.js";
import type { OutputFile } from "../src/targets/target.js";
import { runCli, workDir } from "./helpers.js";
import { cargo, qualityChecks, writeCrate } from "./rust/cargo.js";

const LONE_SURROGATE = "\ud800";

/** [label, text]: every string goes everywhere user text can go. */
const HOSTILE: readonly (readonly [string, string])[] = [
  ["comment close", "*/"],
  ["comment open", "/*"],
  ["comment injection", "Runs a job. */ export const INJECTED = 1; /**"],
  ["Rust literal injection", '"); pub const INJECTED: u8 = 1; //'],
  ["line feed", "a\nb"],
  ["carriage return", "a\rb"],
  ["CRLF", "a\r\nb"],
  ["line separator", "a\u2028b"],
  ["paragraph separator", "a\u2029b"],
  ["NUL", "a\u0000b"],
  ["tab", "a\tb"],
  ["leading tab", "\ta"],
  ["bell", "a\u0007b"],
  ["form feed", "a\fb"],
  ["other controls", "\u0001\u001b\u007f\u0085\u009f"],
  ["bidirectional controls", "\u202ea\u2066b\u2069"],
  ["byte order mark", "a\ufeff"],
  ["double quote", '"'],
  ["backslash", "\\"],
  ["trailing backslash", "a\\"],
  ["backtick", "`"],
  ["template", "${x}"],
  ["hash", "#"],
  ["quote hash", '"#'],
  ["apostrophe", "'"],
  ["emoji", "🎉"],
  ["cron default", "*/5 * * * *"],
  ["Markdown blocks", "- item\nlazy\n\n```\nnot rust {\n```\n\n      indented\n[link] <b> https://example.com\n# h\n    code\n~~~\nx\n~~~\n> quote\nlazy\n\nsetext\n--\n    after\n\u00a0- nbsp\nz"],
  ["Markdown lists", "- a\n```\n1. b\n2) c\n   - d\ne\n10. f\ng\n- - h\ni\n\n      j\nk  \nl\\\n[^1] [a]: b xhttps://a.example <https://b.example> `code [x] <y>` ``two ` ticks``"],
  ["lone surrogate", LONE_SURROGATE],
];

/** What a Rust String can hold of `text`: the lone surrogate case carries a stand-in in wire values. */
const rustValue = (text: string): string => text.replace(LONE_SURROGATE, "lone");

/** A JavaScript string literal for schema source, ASCII only (lone surrogates included). */
const js = (text: string): string => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** The pattern matching `text` literally, valid with and without the `u` flag. */
const literalPattern = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** Text for the named type's id: no ASCII letters or digits, so identifiers stay `Hostile<i>`. */
const idSuffix = (text: string): string => text.replace(/[A-Za-z0-9]/g, "").replace(/[/~]/g, "");

const SCHEMA_HEAD = `import { z } from "zod";
import { defineEvent } from "eventc";

function hostileEvent(index: number, text: string, value: string, id: string) {
  const Named = z.object({ inner: z.string().describe(text) }).meta({ id: \`Hostile\${index}\${id}\`, description: text });
  const payload = z
    .object({
      [value]: z.string().describe(text),
      choice: z.enum(["plain", value]).describe(text),
      literal: z.literal(value),
      withDefault: z.string().default(text).describe(text),
      keyed: z.record(z.enum(["plain", value]), z.number()),
      patterned: z.string().regex(new RegExp(PATTERNS[index]!)).describe(text),
      named: Named,
      tagged: z.discriminatedUnion("kind", [
        z.object({ kind: z.literal(value), a: z.string() }).describe(text),
        z.object({ kind: z.literal("plain") }).describe(text),
      ]),
      either: z.union([z.string().describe(text), z.number().describe(text)]),
    })
    .describe(text);
  const paths = value.includes(".") ? {} : { coalesce: [value], topic: value };
  return defineEvent(\`hostile.s\${index}\`, { description: text, ...paths, versions: { 1: payload } });
}
`;

/** A schema module with one event per hostile string; `value` maps a text to what wire values carry. */
function schemaModule(texts: readonly string[], value: (text: string) => string, plain: boolean): string {
  const shown = (text: string, index: number): string => (plain ? `plain${index}` : text);
  const patterns = texts.map((text, index) => literalPattern(value(shown(text, index))));
  return [
    SCHEMA_HEAD,
    `const PATTERNS: string[] = [${patterns.map(js).join(", ")}];`,
    ...texts.map((text, index) => `export const s${index} = hostileEvent(${index}, ${js(shown(text, index))}, ${js(value(shown(text, index)))}, ${js(plain ? "" : idSuffix(text))});`),
    "",
  ].join("\n");
}

async function catalogueOf(name: string, source: string): Promise<Catalogue> {
  const dir = workDir(name);
  mkdirSync(path.join(dir, "schemas"));
  writeFileSync(path.join(dir, "schemas", "hostile.ts"), source);
  return loadCatalogue({ schemasDir: "schemas", cwd: dir });
}

/** An event document of case `index` carrying `value`, and the ways to break it. */
function documents(index: number, value: string) {
  const payload = {
    [value]: value,
    choice: value,
    literal: value,
    withDefault: value,
    keyed: { plain: 1, [value]: 2 },
    patterned: `<${value}>`,
    named: { inner: "x" },
    tagged: { kind: value, a: "x" },
    either: "x",
  };
  const type = `hostile.s${index}.v1`;
  const without = (key: string) => Object.fromEntries(Object.entries(payload).filter(([name]) => name !== key));
  return {
    valid: { type, payload },
    invalid: {
      "a wrong enum value": { type, payload: { ...payload, choice: `${value}!` } },
      "a wrong literal": { type, payload: { ...payload, literal: "plain" } },
      "a wrong discriminator": { type, payload: { ...payload, tagged: { kind: `${value}!`, a: "x" } } },
      "the hostile field missing": { type, payload: without(value) },
      "the hostile record key missing": { type, payload: { ...payload, keyed: { plain: 1 } } },
      "a string not matching the pattern": { type, payload: { ...payload, patterned: "" } },
    },
  };
}

/** Characters that must never appear raw in generated source: everything invisible but LF and tab, and lone surrogates. */
const RAW_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** No forbidden character in `files`; a tab only where allowed (TypeScript doc comments keep them). */
function expectCleanSource(files: readonly OutputFile[], tabs: boolean): void {
  for (const file of files) {
    const match = RAW_FORBIDDEN.exec(file.contents) ?? (tabs ? null : /\t/.exec(file.contents));
    expect(match === null ? "" : `U+${match[0].charCodeAt(0).toString(16)} at ${match.index}`, file.path).toBe("");
  }
}

const texts = HOSTILE.map(([, text]) => text);

describe("TypeScript SDK", () => {
  let sdk: Record<string, unknown>;
  let exported: { hostile: string[]; plain: string[] };
  let files: OutputFile[];

  beforeAll(async () => {
    const hostile = await catalogueOf("hostile-ts", schemaModule(texts, (text) => text, false));
    const plain = await catalogueOf("hostile-ts-plain", schemaModule(texts, (text) => text, true));
    const dir = workDir("hostile-ts-sdk");
    files = emitTypeScript(hostile);
    for (const [folder, sdkFiles] of [
      ["hostile", files],
      ["plain", emitTypeScript(plain)],
    ] as const) {
      mkdirSync(path.join(dir, folder));
      for (const file of sdkFiles) writeFileSync(path.join(dir, folder, file.path), file.contents);
    }
    const roots = ["hostile", "plain"].map((folder) => path.join(dir, folder, "index.ts"));
    const program = ts.createProgram(roots, {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts"],
      types: [],
      outDir: path.join(dir, "js"),
      rootDir: dir,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => dir, getNewLine: () => "\n" };
    expect(ts.formatDiagnostics(diagnostics, host)).toBe("");
    expect(program.emit().emitSkipped).toBe(false);
    const checker = program.getTypeChecker();
    const exportsOf = (root: string): string[] =>
      checker
        .getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(root)!)!)
        .map((symbol) => symbol.name)
        .sort();
    exported = { hostile: exportsOf(roots[0]!), plain: exportsOf(roots[1]!) };
    sdk = (await import(pathToFileURL(path.join(dir, "js", "hostile", "index.js")).href)) as Record<string, unknown>;
  });

  test("no raw control, separator, bidirectional or lone surrogate character in the SDK", () => {
    expectCleanSource(files, true);
  });

  test("exports exactly what the SDK of the same catalogue in plain text exports", () => {
    expect(exported.hostile).toEqual(exported.plain);
    for (const index of texts.keys()) {
      expect(exported.hostile).toEqual(expect.arrayContaining([`Hostile${index}`, `HostileS${index}V1`, `HostileS${index}V1Event`, `isHostileS${index}V1`]));
    }
    expect(Object.keys(sdk).sort()).toEqual(exported.hostile.filter((name) => name in sdk));
    expect(exported.hostile).not.toContain("INJECTED");
  });

  test.each(HOSTILE.map(([label, text], index) => [label, text, index] as const))("%s: values survive into the validators and metadata", (_label, text, index) => {
    const parseEvent = sdk.parseEvent as (input: unknown) => { kind: string };
    const { valid, invalid } = documents(index, text);
    if (text.includes(LONE_SURROGATE)) {
      // No reader accepts a lone surrogate in a document (docs/wire-format.md, "Document rules"):
      // the text survives into the SDK's tables, and a document carrying it is refused.
      const result = parseEvent(valid) as { kind: string; issues?: readonly { message: string }[] };
      expect(result.kind).toBe("invalid");
      expect(result.issues?.map((issue) => issue.message)).toContain("not well-formed Unicode: a lone surrogate");
    } else {
      expect(parseEvent(valid)).toEqual({ kind: "event", event: valid });
    }
    for (const [problem, document] of Object.entries(invalid)) expect(parseEvent(document).kind, problem).toBe("invalid");
    if (!text.includes(".")) {
      const meta = (sdk.eventMeta as Record<string, { coalesce?: string[][]; topic?: string[] }>)[valid.type]!;
      expect(meta).toMatchObject({ coalesce: [[text]], topic: [text] });
      expect((sdk.coalesceKey as (event: unknown) => string)(valid)).toBe(JSON.stringify([`hostile.s${index}`, text]));
    }
  });
});

/** Reads one event document per stdin line; prints the re-encoded event and its coalesce key, or the error. */
const DECODE_EXAMPLE = `//! Decodes and validates one event document per stdin line.
use eventc_events::Event;
use serde_json::json;
use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let out = match Event::from_json_str(&line) {
            Ok(event) => json!({ "json": event, "coalesce_key": event.coalesce_key() }),
            Err(error) => json!({ "error": error.to_string() }),
        };
        println!("{out}");
    }
}
`;

describe("Rust crate", () => {
  let crate: string;
  let files: OutputFile[];

  beforeAll(async () => {
    files = emitRust(await catalogueOf("hostile-rust", schemaModule(texts, rustValue, false)));
    crate = writeCrate("hostile", files);
    mkdirSync(path.join(crate, "examples"));
    writeFileSync(path.join(crate, "examples", "decode.rs"), DECODE_EXAMPLE);
  });

  test("no raw control, separator, bidirectional or lone surrogate character in the crate", () => {
    expectCleanSource(files, false);
  });

  test("cargo fmt, clippy -D warnings and doc pass", () => {
    qualityChecks(crate);
  });

  test("decodes, validates and re-encodes documents carrying every hostile value", () => {
    const cases = texts.map((text, index) => ({ index, value: rustValue(text), ...documents(index, rustValue(text)) }));
    const lines = cases.flatMap((item) => [item.valid, ...Object.values(item.invalid)]);
    const result = cargo(["run", "--quiet", "--example", "decode"], crate, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    expect(result.status, result.stderr).toBe(0);
    const outputs = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { json?: unknown; coalesce_key?: string | null; error?: string });
    expect(outputs).toHaveLength(lines.length);
    let at = 0;
    for (const item of cases) {
      const decoded = outputs[at++]!;
      expect(decoded.error, `case ${item.index}`).toBeUndefined();
      expect(decoded.json).toEqual(item.valid);
      const key = item.value.includes(".") ? null : JSON.stringify([`hostile.s${item.index}`, item.value]);
      expect(decoded.coalesce_key === null || decoded.coalesce_key === undefined ? null : JSON.parse(decoded.coalesce_key)).toEqual(key === null ? null : JSON.parse(key));
      for (const problem of Object.keys(item.invalid)) expect(outputs[at++]!.error, `case ${item.index}: ${problem}`).toBeDefined();
    }
  });
});

describe("text a Rust String cannot hold", () => {
  const field = (body: string): string => `import { z } from "zod";
import { defineEvent } from "eventc";

export const bad = defineEvent("bad.text", {
  description: ${js(`Has a ${LONE_SURROGATE} in its description.`)},
  versions: { 1: z.object({ ok: z.string().describe(${js(LONE_SURROGATE)}).default(${js(LONE_SURROGATE)}), ${body} }) },
});
`;
  /** Where the surrogate sits: [schema field, the field path and the kind of text the message names]. */
  const bodies: Record<string, [string, string]> = {
    "field name": [`outer: z.object({ [${js(`a${LONE_SURROGATE}`)}]: z.string() })`, 'field "outer.a\\u{d800}": the field name'],
    "enum value": [`status: z.enum(["ok", ${js(LONE_SURROGATE)}])`, 'field "status": the enum value'],
    literal: [`kind: z.literal(${js(LONE_SURROGATE)})`, 'field "kind": the literal'],
    "record key": [`counts: z.record(z.enum(["a", ${js(LONE_SURROGATE)}]), z.number())`, 'field "counts": the enum value'],
    "discriminator value": [`shape: z.discriminatedUnion("type", [z.object({ type: z.literal(${js(LONE_SURROGATE)}) }), z.object({ type: z.literal("b") })])`, 'field "shape": the discriminator value'],
    pattern: [`code: z.string().regex(new RegExp(${js(LONE_SURROGATE)}))`, 'field "code": the pattern'],
  };

  test.each(Object.keys(bodies))("in the %s: an EventcError naming event, version and field path", async (kind) => {
    const [body, named] = bodies[kind]!;
    const catalogue = await catalogueOf(`hostile-surrogate-${kind.replace(/ /g, "-")}`, field(body));
    let error: unknown;
    try {
      emitRust(catalogue);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EventcError);
    const message = (error as EventcError).format();
    expect(message).toContain(`event "bad.text" v1, ${named} `);
    expect(message).toContain("lone surrogate (U+D800)");
    expect(message).not.toMatch(/[\ud800-\udfff\ufffd]/);
    // The TypeScript SDK holds the same text as an escape.
    expect(emitTypeScript(catalogue).some((file) => file.contents.includes("\\uD800"))).toBe(true);
  });

  test("the CLI exits 2 with the message, and generates nothing", () => {
    const dir = workDir("hostile-surrogate-cli");
    mkdirSync(path.join(dir, "schemas"));
    writeFileSync(path.join(dir, "schemas", "bad.ts"), field(bodies["enum value"]![0]));
    const result = runCli(["generate", "--target", "rust"], dir);
    expect(result.stderr).toContain('event "bad.text" v1, field "status": the enum value "\\u{d800}" in the payload of "bad.text.v1" cannot be written in Rust: it contains a lone surrogate (U+D800), which a Rust String cannot hold');
    expect(result.status).toBe(2);
    expect(existsSync(path.join(dir, "generated"))).toBe(false);
  });

  test("in descriptions and defaults only: the crate is generated, the surrogate shown as an escape", async () => {
    const catalogue = await catalogueOf("hostile-surrogate-docs", field("plain: z.string()"));
    const types = emitRust(catalogue).find((file) => file.path === "src/types.rs")!.contents;
    expect(types).toContain("/// Has a \\\\u{d800} in its description.");
    expect(types).toContain('/// Absent on the wire means the default `"\\ud800"`.');
  });
});
