/**
 * The Rust target over the example catalogue: the committed crate is what the target emits, it
 * passes fmt/clippy/doc, round-trips JSON through serde (unknown events and unknown fields
 * included), and typeshare-cli turns it into TypeScript that type-checks.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { emitRust, rustWarnings } from "../../src/targets/rust/index.js";
import type { Catalogue } from "../../src/ir/types.js";
import { ROOT, snapshot } from "../helpers.js";
import { cargo, qualityChecks, run, TYPESHARE, writeCrate } from "./cargo.js";

let catalogue: Catalogue;
let crate: string;

beforeAll(async () => {
  catalogue = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas"), cwd: ROOT });
  crate = writeCrate("example", emitRust(catalogue));
});

describe("rust target on schemas/", () => {
  test("generated/rust is exactly what the target emits", () => {
    const folder = path.join(ROOT, "generated", "rust");
    const emitted = new Map(emitRust(catalogue).map((file) => [file.path, file.contents]));
    expect([...snapshot(folder).keys()].sort()).toEqual([...emitted.keys()].sort());
    for (const [file, contents] of emitted) expect(readFileSync(path.join(folder, file), "utf8"), file).toBe(contents);
  });

  test("emitting twice gives the same bytes", () => {
    expect(emitRust(catalogue)).toEqual(emitRust(catalogue));
  });

  test("cargo fmt, clippy and doc pass without warnings", () => {
    qualityChecks(crate);
  });

  test("with the typeshare feature, typeshare's macro accepts every annotation, warning-free", () => {
    const result = cargo(["clippy", "--quiet", "--features", "typeshare", "--", "-D", "warnings"], crate);
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  test("typeshare warnings name each type it cannot carry, where it comes from, what typeshare's output gets, and what to do", () => {
    const opaque = "so typeshare's output gets opaque JSON";
    expect(rustWarnings(catalogue)).toEqual([
      'typeshare: "DiagnosticSeverity": typeshare has no integer enums, so typeshare\'s output gets a plain integer; string values (z.enum, a wire change) would give an enum there (the "severity" field of type "Diagnostic").',
      `typeshare: "DiagnosticCode": typeshare has no untagged enums, ${opaque} (the "code" field of type "Diagnostic").`,
      `typeshare: "MessageInfo": typeshare has only adjacently tagged enums and "role" sits inside each variant's object, ${opaque}.`,
      `typeshare: "Part": typeshare has only adjacently tagged enums and "type" sits inside each variant's object, ${opaque}.`,
      `typeshare: "ToolState": typeshare has only adjacently tagged enums and "status" sits inside each variant's object, ${opaque}.`,
      `typeshare: "SessionErrorV1Error": typeshare has only adjacently tagged enums and "name" sits inside each variant's object, ${opaque} (the "error" field of session.error.v1).`,
      `typeshare: "SessionStatusV2Status": typeshare has only adjacently tagged enums and "type" sits inside each variant's object, ${opaque} (the "status" field of session.status.v2).`,
      "typeshare: the Rust crate and the TypeScript SDK carry these 7 types exactly; only the code typeshare-cli writes from the crate (Swift, Kotlin, …) is less exact. Nothing to do unless you use typeshare; --quiet hides warnings.",
    ]);
  });

  test("decode reads one generated type as Event::from_json_str reads a payload: its shape, then its reader", () => {
    // Each line: a document for `Position` (line and character, integers ≥ 0); the example prints
    // what `decode` answers.
    mkdirSync(path.join(crate, "examples"), { recursive: true });
    writeFileSync(
      path.join(crate, "examples", "decode_one.rs"),
      [
        "use eventc_events::{decode, DecodeError, Position};",
        "use std::io::BufRead;",
        "",
        "fn main() {",
        "    for line in std::io::stdin().lock().lines() {",
        '        let line = line.expect("stdin is readable");',
        "        match decode::<Position>(&line) {",
        '            Ok(position) => println!("ok {} {}", position.line, position.character),',
        "            Err(DecodeError::Invalid(issues)) => {",
        '                let list: Vec<String> = issues.iter().map(|issue| format!("{} {}", issue.path, issue.message)).collect();',
        '                println!("invalid {}", list.join("; "));',
        "            }",
        '            Err(DecodeError::Json(error)) => println!("json {error}"),',
        "        }",
        "    }",
        "}",
        "",
      ].join("\n"),
    );
    const documents = ['{"line": 3, "character": 7}', '{"line": -1, "character": 0}', "[3, 7]", '{"line": 3}', '{"line": 1.5, "character": 0}'];
    const result = cargo(["run", "--quiet", "--example", "decode_one"], crate, documents.map((document) => `${document}\n`).join(""));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "ok 3 7",
      "invalid /line expected at least 0",
      // A struct is read from an object only, as on every side (serde's derive read one from an array).
      "json invalid type: sequence, expected struct Position",
      "json missing field `character`",
      "json invalid type: floating point `1.5`, expected i64",
    ]);
  });

  test("serde's Deserialize reads each generated type with its reader, from JSON text or from a JSON value", () => {
    // The same documents as decode above, through plain serde: what a user's own serde code gets.
    mkdirSync(path.join(crate, "examples"), { recursive: true });
    writeFileSync(
      path.join(crate, "examples", "serde_read.rs"),
      [
        "use eventc_events::{JsonValue, Position, SessionStatusV2Status};",
        "use std::io::BufRead;",
        "",
        "fn main() {",
        "    for line in std::io::stdin().lock().lines() {",
        '        let line = line.expect("stdin is readable");',
        "        let text = serde_json::from_str::<Position>(&line);",
        "        let value = serde_json::from_str::<JsonValue>(&line).map(serde_json::from_value::<Position>);",
        "        match (text, value) {",
        '            (Ok(position), Ok(Ok(again))) => println!("ok {} {} {}", position.line, position.character, again.line),',
        '            (Err(error), Ok(Err(again))) => println!("error {error} | {again}"),',
        '            (text, value) => println!("differ {text:?} {value:?}"),',
        "        }",
        "    }",
        '    let busy = serde_json::from_str::<SessionStatusV2Status>(r#"{"type":"busy"}"#);',
        '    let nowhere = serde_json::from_str::<SessionStatusV2Status>(r#"{"type":"nowhere"}"#);',
        '    println!("{} {}", busy.is_ok(), nowhere.map_err(|error| error.to_string()).unwrap_err());',
        "}",
        "",
      ].join("\n"),
    );
    const documents = ['{"line": 3, "character": 7}', "[3, 7]", '{"line": 3}', '{"line": 1.5, "character": 0}'];
    const result = cargo(["run", "--quiet", "--example", "serde_read"], crate, documents.map((document) => `${document}\n`).join(""));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "ok 3 7 3",
      // serde's derive read a struct from the array of its fields' values; the reader, as every side, does not.
      "error invalid type: sequence, expected struct Position | invalid type: sequence, expected struct Position",
      "error missing field `character` | missing field `character`",
      "error invalid type: floating point `1.5`, expected i64 | invalid type: floating point `1.5`, expected i64",
      "true unknown variant `nowhere`, expected one of `idle`, `busy`, `retry`",
    ]);
  });

  test("typeshare-cli writes TypeScript for the crate that type-checks", () => {
    const out = path.join(crate, "typeshare-out");
    mkdirSync(out, { recursive: true });
    const file = path.join(out, "events.ts");
    const result = run(TYPESHARE, [".", "--lang=typescript", "--config-file", "typeshare.toml", `--output-file=${file}`], crate);
    expect(result.status, result.stderr).toBe(0);
    const ts = readFileSync(file, "utf8");
    expect(ts).toContain('\t| { type: "session.status.v2", payload: SessionStatusV2 }');
    expect(ts).toContain("export type Part = unknown;");
    const config = { compilerOptions: { strict: true, noEmit: true, target: "es2022", types: [] }, files: ["events.ts"] };
    writeFileSync(path.join(out, "tsconfig.json"), JSON.stringify(config));
    const tsc = run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", out], crate);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
