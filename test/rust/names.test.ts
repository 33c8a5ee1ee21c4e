/** Rust identifiers: case conversion, keywords, collisions, and type names that cannot be shared. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { EventcError } from "../../src/errors.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import type { Catalogue, TypeNode } from "../../src/ir/types.js";
import { emitRust } from "../../src/targets/rust/index.js";
import { distinctIdents, fieldIdent, rustIdent, snakeCase, variantIdent } from "../../src/targets/rust/names.js";
import { ROOT, workDir } from "../helpers.js";

describe("identifiers", () => {
  test("case conversion", () => {
    expect(["sessionID", "HTTPServer", "session-id", "v2Name", "already_snake"].map(snakeCase)).toEqual([
      "session_id",
      "http_server",
      "session_id",
      "v2_name",
      "already_snake",
    ]);
    expect(["in_progress", "installation.update-available", "Self", "2xx", "", "+"].map(variantIdent)).toEqual([
      "InProgress",
      "InstallationUpdateAvailable",
      "SelfValue",
      "V2xx",
      "Value",
      "Value",
    ]);
  });

  test("keywords become raw identifiers, or take a suffix where r# is not allowed", () => {
    expect(["type", "match", "move", "self", "super", "crate", "1st", "$"].map((wire) => rustIdent(fieldIdent(wire)))).toEqual([
      "r#type",
      "r#match",
      "r#move",
      "self_",
      "super_",
      "crate_",
      "field_1st",
      "field",
    ]);
  });

  test("collisions are numbered in wire-name order, whatever the declaration order", () => {
    expect(distinctIdents(["sessionID", "session-id", "session_id"], fieldIdent, "_")).toEqual(["session_id_3", "session_id_2", "session_id"]);
    expect(distinctIdents(["session_id", "sessionID", "session-id"], fieldIdent, "_")).toEqual(["session_id", "session_id_3", "session_id_2"]);
  });
});

describe("type names", () => {
  const object = { kind: "object" as const, fields: [], additional: "ignore" as const };
  const withField = (name: string, type: TypeNode): TypeNode => ({ kind: "object", fields: [{ name, type, optional: false }], additional: "ignore" });
  const event = (name: string, payload: TypeNode = object, file = "schemas/a.ts") => ({
    name,
    versions: [{ version: 1, wireType: `${name}.v1`, payload }],
    retired: [],
    source: { file, exportName: "a" },
  });
  const declared = (catalogue: Catalogue): string[] =>
    [...emitRust(catalogue).find((file) => file.path === "src/types.rs")!.contents.matchAll(/^pub (?:struct|enum|type) (\w+)/gm)].map((match) => match[1]!);

  test("two events that share a payload name are reported together, with their files", () => {
    const catalogue: Catalogue = { events: [event("a.b-c"), event("a.b_c", object, "schemas/b.ts")], types: [] };
    expect(() => emitRust(catalogue)).toThrow(EventcError);
    expect(() => emitRust(catalogue)).toThrow(
      'the Rust type name "ABCV1" would be used by both the payload of "a.b-c.v1" (schemas/a.ts) and the payload of "a.b_c.v1" (schemas/b.ts); rename one of them',
    );
  });

  test("two named types that share a Rust name are reported with the files of the events using them", () => {
    const catalogue: Catalogue = {
      events: [event("a.one", withField("x", { kind: "ref", name: "tool_state" })), event("b.two", withField("y", { kind: "ref", name: "ToolState" }), "schemas/b.ts")],
      types: [
        { name: "ToolState", type: object },
        { name: "tool_state", type: withField("z", { kind: "string" }) },
      ],
    };
    expect(() => emitRust(catalogue)).toThrow(
      'the Rust type name "ToolState" would be used by both type "ToolState" (schemas/b.ts) and type "tool_state" (schemas/a.ts); rename one of them',
    );
  });

  test("a named type the crate's own names or the prelude would shadow becomes <Name>Type", () => {
    const catalogue: Catalogue = {
      events: [event("a.b", withField("x", { kind: "ref", name: "Event" }))],
      types: [
        { name: "Event", type: object },
        { name: "Issue", type: object },
        { name: "IssueType", type: object },
        { name: "string", type: object },
      ],
    };
    expect(declared(catalogue)).toEqual(["EventType", "IssueType2", "IssueType", "StringType", "ABV1"]);
    expect(emitRust(catalogue).find((file) => file.path === "src/types.rs")!.contents).toContain("pub x: EventType,");
  });

  test("a derived name never blocks: the one declared later in catalogue order takes a numeric suffix", () => {
    // `State` declares `StateDoneTime` for its inline member "done"; so does the named type `StateDone`.
    const time = withField("start", { kind: "number", integer: false });
    const state: TypeNode = {
      kind: "union",
      discriminator: "status",
      tags: ["done"],
      members: [{ kind: "object", fields: [{ name: "status", type: { kind: "literal", value: "done" }, optional: false }, { name: "time", type: time, optional: false }], additional: "ignore" }],
    };
    const catalogue: Catalogue = {
      events: [event("a.b", withField("state", { kind: "ref", name: "State" }))],
      types: [
        { name: "State", type: state },
        { name: "StateDone", type: withField("time", time) },
        { name: "StateDoneTime2", type: object },
      ],
    };
    expect(declared(catalogue)).toEqual(["StateDoneTime", "State", "StateDoneTime3", "StateDone", "StateDoneTime2", "ABV1"]);
  });

  test("a payload's inline type yields its name to a named type", () => {
    const catalogue: Catalogue = {
      events: [event("ab", withField("part", withField("text", { kind: "string" })))],
      types: [{ name: "AbV1Part", type: object }],
    };
    expect(declared(catalogue)).toEqual(["AbV1Part", "AbV1Part2", "AbV1"]);
  });
});

describe("derived names from real schema modules", () => {
  const CASE = path.join(ROOT, "test", "cases", "derived_type_names_never_collide", "schemas");
  const rust = async (schemasDir: string): Promise<Map<string, string>> => {
    const catalogue = await loadCatalogue({ schemasDir, cwd: schemasDir });
    return new Map(emitRust(catalogue).map((file) => [file.path, file.contents]));
  };

  test("do not depend on file layout or export order", async () => {
    const packed = workDir("rust-derived-names-packed");
    const body = (file: string): string => readFileSync(path.join(CASE, file), "utf8").replace(/^import .*\n/gm, "");
    const header = 'import { z } from "zod";\nimport { defineEvent } from "eventc";\n';
    writeFileSync(path.join(packed, "all.ts"), header + body("tools.ts") + body("tracker.ts"));
    const fromCase = await rust(CASE);
    const fromPacked = await rust(packed);
    for (const [file, contents] of fromCase) expect(fromPacked.get(file), file).toBe(contents);
  });

  test("two given names that collide are reported with both files", async () => {
    const dir = workDir("rust-given-names-collide");
    const header = 'import { z } from "zod";\nimport { defineEvent } from "eventc";\n';
    writeFileSync(path.join(dir, "a.ts"), `${header}export const a = defineEvent("a.one", { versions: { 1: z.object({ s: z.object({ x: z.string() }).meta({ id: "tool_state" }) }) } });\n`);
    writeFileSync(path.join(dir, "b.ts"), `${header}export const b = defineEvent("b.two", { versions: { 1: z.object({ s: z.object({ y: z.int() }).meta({ id: "ToolState" }) }) } });\n`);
    const catalogue = await loadCatalogue({ schemasDir: dir, cwd: dir });
    expect(() => emitRust(catalogue)).toThrow('the Rust type name "ToolState" would be used by both type "ToolState" (b.ts) and type "tool_state" (a.ts); rename one of them');
  });
});
