/** Rust identifiers: case conversion, keywords, collisions, and type names that cannot be shared. */
import { describe, expect, test } from "vitest";
import { EventcError } from "../../src/errors.js";
import type { Catalogue } from "../../src/ir/types.js";
import { emitRust } from "../../src/targets/rust/index.js";
import { distinctIdents, fieldIdent, rustIdent, snakeCase, variantIdent } from "../../src/targets/rust/names.js";

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

describe("type names with no safe Rust name", () => {
  const object = { kind: "object" as const, fields: [], additional: "ignore" as const };
  const event = (name: string) => ({
    name,
    versions: [{ version: 1, wireType: `${name}.v1`, payload: object }],
    retired: [],
    source: { file: "schemas/a.ts", exportName: "a" },
  });

  test("two events that share a payload name are reported together", () => {
    const catalogue: Catalogue = { events: [event("a.b-c"), event("a.b_c")], types: [] };
    expect(() => emitRust(catalogue)).toThrow(EventcError);
    expect(() => emitRust(catalogue)).toThrow('the Rust type name "ABCV1" would be used by both the payload of "a.b-c.v1" and the payload of "a.b_c.v1"; rename one of them');
  });

  test("a named type may not shadow the crate's own names or the prelude", () => {
    const catalogue: Catalogue = { events: [], types: [{ name: "Event", type: object }, { name: "string", type: object }] };
    expect(() => emitRust(catalogue)).toThrow(
      'the Rust type name "Event" would be used by both the crate itself and type "Event"; rename one of them\n' +
        'the Rust type name "String" would be used by both the crate itself and type "string"; rename one of them',
    );
  });
});
