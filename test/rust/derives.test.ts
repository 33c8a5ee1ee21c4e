/**
 * `rust.derives`: the comparison and hashing traits are off by default and, when asked for, each
 * type derives the largest set its fields allow. Proved by cargo on the largest golden case
 * (floats, JSON values, recursion through `Box`, 80 enums): the crate with every trait asked for
 * builds warning-free, and a program holding each type to the bounds its derive line claims
 * compiles — so no type claims a trait it lacks, and none is left without one it could have.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { EventcError } from "../../src/errors.js";
import type { Catalogue } from "../../src/ir/types.js";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { derivesByItem, EXTRA_DERIVES, withImplied } from "../../src/targets/rust/derives.js";
import type { RustItem } from "../../src/targets/rust/model.js";
import { emitRust } from "../../src/targets/rust/index.js";
import { ROOT, workDir } from "../helpers.js";
import { cargo, qualityChecks, writeCrate } from "./cargo.js";

const CASE = path.join(ROOT, "test", "cases", "large_catalogue_of_nested_named_unions");

/** Each generated item's derive list, by name, read from the crate's source. */
function deriveLines(source: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const match of source.matchAll(/#\[derive\(([^)]*)\)\]\n(?:#\[[^\n]*\]\n)*pub (?:struct|enum) (\w+)/g)) found.set(match[2]!, match[1]!.split(", "));
  return found;
}

const struct = (name: string, ...types: string[]): RustItem => ({
  kind: "struct",
  name,
  docs: [],
  share: { kind: "faithful" },
  closed: false,
  fields: types.map((rust, index) => ({ ident: `f${index}`, wire: `f${index}`, type: { rust, share: rust }, docs: [], optional: false, nullable: false })),
});

describe("which traits a type can derive", () => {
  test("a trait brings the traits it needs", () => {
    expect(withImplied(["Ord"])).toEqual(["PartialEq", "Eq", "PartialOrd", "Ord"]);
    expect(withImplied(["Hash"])).toEqual(["Hash"]);
    expect(withImplied(["Eq", "Hash"])).toEqual(["PartialEq", "Eq", "Hash"]);
    expect(withImplied([])).toEqual([]);
  });

  test("floats and JSON values take away what they lack, through every type that holds them, recursion included", () => {
    const items = [
      struct("Plain", "String", "i64", "Option<Vec<bool>>"),
      struct("Measured", "f64"),
      struct("Loose", "BTreeMap<String, JsonValue>"),
      struct("HoldsMeasured", "Vec<Measured>"),
      struct("Tree", "Option<Box<Tree>>", "Vec<Tree>", "String"),
      struct("FloatTree", "Option<Box<FloatTree>>", "Option<Box<Leaf>>"),
      struct("Leaf", "Option<Box<FloatTree>>", "f64"),
    ];
    const byItem = derivesByItem(items, [...EXTRA_DERIVES]);
    expect(Object.fromEntries(byItem)).toEqual({
      Plain: ["PartialEq", "Eq", "Hash", "PartialOrd", "Ord"],
      Measured: ["PartialEq", "PartialOrd"],
      Loose: ["PartialEq", "Eq"],
      HoldsMeasured: ["PartialEq", "PartialOrd"],
      Tree: ["PartialEq", "Eq", "Hash", "PartialOrd", "Ord"],
      FloatTree: ["PartialEq", "PartialOrd"],
      Leaf: ["PartialEq", "PartialOrd"],
    });
    expect(Object.fromEntries(derivesByItem(items, ["Hash"]))).toEqual({ Plain: ["Hash"], Measured: [], Loose: [], HoldsMeasured: [], Tree: ["Hash"], FloatTree: [], Leaf: [] });
  });

  test("an enum that keys a map is ordered whatever was asked for", () => {
    const region: RustItem = { kind: "unit-enum", name: "Region", docs: [], share: { kind: "faithful" }, variants: [{ ident: "Eu", wire: "eu" }] };
    const byItem = derivesByItem([region, struct("Usage", "BTreeMap<Region, i64>")], []);
    expect(byItem.get("Region")).toEqual(["PartialEq", "Eq", "PartialOrd", "Ord"]);
    expect(byItem.get("Usage")).toEqual([]);
  });

  test("the config takes the five traits, each once; anything else is an input error", async () => {
    // Each config in a folder of its own: a module once loaded is not read again.
    const config = (name: string, derives: string) => {
      const dir = workDir(`rust-derives-config-${name}`);
      writeFileSync(path.join(dir, "eventc.config.ts"), `export default { rust: { derives: ${derives} } };\n`);
      return resolveConfig(dir);
    };
    expect((await config("valid", '["Eq", "Hash"]')).targetOptions.derives).toEqual(["Eq", "Hash"]);
    await expect(config("unknown", '["Clone"]')).rejects.toThrow(EventcError);
    await expect(config("unknown-message", '["Clone"]')).rejects.toThrow(/"rust\.derives\[0\]": a trait the types can derive: PartialEq, Eq, Hash, PartialOrd, Ord/);
    await expect(config("twice", '["Eq", "Eq"]')).rejects.toThrow(/a trait is listed twice/);
  });
});

describe("a crate with every trait asked for", () => {
  let catalogue: Catalogue;
  let crate: string;
  let lines: Map<string, string[]>;

  beforeAll(async () => {
    catalogue = await loadCatalogue({ schemasDir: path.join(CASE, "schemas"), cwd: CASE });
    const files = emitRust(catalogue, { derives: ["Ord", "Hash"] });
    crate = writeCrate("derives-all", files);
    lines = deriveLines(files.filter((file) => file.path.endsWith(".rs")).map((file) => file.contents).join("\n"));
  });

  test("by default no type derives a comparison or hashing trait", () => {
    // The catalogue's types and the event types (validate.rs's own `Issue` compares, as it always did).
    const plain = deriveLines(emitRust(catalogue).filter((file) => file.path === "src/types.rs" || file.path === "src/event.rs").map((file) => file.contents).join("\n"));
    expect(plain.size).toBeGreaterThan(100);
    for (const [name, traits] of plain) expect(traits.filter((trait) => (EXTRA_DERIVES as readonly string[]).includes(trait)), name).toEqual([]);
  });

  test("types differ in what they get, and the event union compares when every payload does", () => {
    const kinds = new Set([...lines.values()].map((traits) => traits.filter((trait) => (EXTRA_DERIVES as readonly string[]).includes(trait)).join(" ")));
    // Whole (strings and integers only), floats inside, JSON values inside.
    expect(kinds).toContain("PartialEq Eq Hash PartialOrd Ord");
    expect(kinds).toContain("PartialEq PartialOrd");
    expect(lines.get("Event")).toEqual(["Debug", "Clone", "PartialEq", "Serialize"]);
    expect(lines.get("EventEnvelope")).toEqual(["Debug", "Clone", "PartialEq", "Serialize", "Deserialize"]);
  });

  test("it builds warning-free, and every type has each trait its derive line names", () => {
    qualityChecks(crate);
    const bound: Record<string, string> = { PartialEq: "PartialEq", Eq: "Eq", Hash: "std::hash::Hash", PartialOrd: "PartialOrd", Ord: "Ord" };
    const claims = [...lines].map(([name, traits]) => [name, traits.filter((trait) => trait in bound).join(" + ")] as const).filter(([, set]) => set !== "");
    // One function per claimed set, its bounds exactly the claimed traits: each call below proves one type's claim.
    const sets = [...new Set(claims.map(([, set]) => set))];
    const program = [
      "use eventc_events::*;",
      "",
      ...sets.map((set, index) => `fn has${index}<T: ${set.split(" + ").map((trait) => bound[trait]).join(" + ")}>() {}`),
      "",
      "fn main() {",
      ...claims.map(([name, set]) => `    has${sets.indexOf(set)}::<${name}>();`),
      "}",
      "",
    ].join("\n");
    mkdirSync(path.join(crate, "examples"), { recursive: true });
    writeFileSync(path.join(crate, "examples", "derives.rs"), program);
    const result = cargo(["build", "--quiet", "--example", "derives"], crate);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(claims.length).toBeGreaterThan(100);
  });
});
