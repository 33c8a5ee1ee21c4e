/**
 * The lockfile format: version 2 keeps what each retired version was; version 1 (retired numbers
 * only) is still read; `nextLock` keeps every retired number reserved.
 */
import { describe, expect, it } from "vitest";
import { schemaHash } from "../../src/registry/check.js";
import { nextLock, parseLockfile, serializeLockfile } from "../../src/registry/lockfile.js";
import type { Registry, RegistryVersion } from "../../src/registry/types.js";

const schema = (type: string) => ({ properties: { id: { type } }, required: ["id"], type: "object" });
const version = (n: number, type: string): RegistryVersion => ({ version: n, schema: schema(type), hash: schemaHash(schema(type)), history: [] });

describe("lockfile", () => {
  it("round-trips retired versions with their schema and hash", () => {
    const registry: Registry = {
      events: [{ name: "a.b", retired: [{ version: 1, hash: schemaHash(schema("string")), schema: schema("string"), history: [] }, { version: 2, history: [] }], versions: [version(3, "number")] }],
    };
    const text = serializeLockfile(registry);
    expect(JSON.parse(text).lockfileVersion).toBe(2);
    expect(JSON.parse(text).events["a.b"].retired).toEqual({ "1": { hash: schemaHash(schema("string")), schema: schema("string") }, "2": {} });
    expect(parseLockfile(JSON.parse(text), "x.json")).toEqual(registry);
  });

  it("reads lockfile version 1, whose retired versions are numbers only", () => {
    const v1 = { lockfileVersion: 1, events: { "a.b": { retired: [2, 1], versions: { "3": { hash: schemaHash(schema("number")), schema: schema("number") } } } } };
    expect(parseLockfile(v1, "x.json").events[0]!.retired).toEqual([
      { version: 1, history: [] },
      { version: 2, history: [] },
    ]);
  });

  it("rejects a lockfile from a newer eventc, a retired entry without its hash, and a number both published and retired", () => {
    expect(() => parseLockfile({ lockfileVersion: 3, events: {} }, "x.json")).toThrow(`invalid lockfile: unsupported "lockfileVersion" 3; this eventc reads versions 1 and 2 (a newer eventc wrote it?)`);
    const entry = { hash: schemaHash(schema("number")), schema: schema("number") };
    expect(() => parseLockfile({ lockfileVersion: 2, events: { "a.b": { retired: { "1": { schema: schema("string") } }, versions: { "3": entry } } } }, "x.json")).toThrow(
      `retired version 1 needs "hash" and "schema"`,
    );
    expect(() => parseLockfile({ lockfileVersion: 2, events: { "a.b": { retired: { "3": {} }, versions: { "3": entry } } } }, "x.json")).toThrow(`version 3 is both published and retired`);
  });

  it("keeps a retired version's schema, keeps retired numbers the catalogue no longer lists, and moves a forced re-use's schema into history", () => {
    const locked: Registry = { events: [{ name: "a.b", retired: [], versions: [version(1, "string"), version(2, "number")] }] };
    const retiring: Registry = { events: [{ name: "a.b", retired: [{ version: 1, history: [] }], versions: [version(2, "number")] }] };
    const afterRetire = nextLock(locked, retiring);
    expect(afterRetire.events[0]!.retired).toEqual([{ version: 1, hash: schemaHash(schema("string")), schema: schema("string"), history: [] }]);
    const forgotten = nextLock(afterRetire, { events: [{ name: "a.b", retired: [], versions: [version(2, "number")] }] });
    expect(forgotten.events[0]!.retired).toEqual(afterRetire.events[0]!.retired);
    const reused = nextLock(forgotten, { events: [{ name: "a.b", retired: [], versions: [version(1, "boolean"), version(2, "number")] }] });
    expect(reused.events[0]!.retired).toEqual([]);
    expect(reused.events[0]!.versions[0]!.history).toEqual([{ hash: schemaHash(schema("string")), schema: schema("string") }]);
  });

  it("records each version's migrations, reads them back, and refuses migrations that are not lists of steps", () => {
    const upgrade = [{ op: "wrap", path: ["status"], key: "type" }];
    const migrated: RegistryVersion = { ...version(2, "number"), upgrade, downgrade: [{ key: "type", op: "unwrap", path: ["status"] }] };
    const registry: Registry = { events: [{ name: "a.b", retired: [], versions: [version(1, "string"), migrated] }] };
    const text = serializeLockfile(registry);
    expect(JSON.parse(text).events["a.b"].versions["2"].upgrade).toEqual([{ key: "type", op: "wrap", path: ["status"] }]);
    expect(JSON.parse(text).events["a.b"].versions["1"]).not.toHaveProperty("upgrade");
    expect(parseLockfile(JSON.parse(text), "x.json")).toEqual(registry);
    const entry = { hash: schemaHash(schema("number")), schema: schema("number"), upgrade: "wrap" };
    expect(() => parseLockfile({ lockfileVersion: 2, events: { "a.b": { versions: { "2": entry } } } }, "x.json")).toThrow(`version 2: "upgrade" must list migration steps`);
    // The next lock keeps what the catalogue declares now.
    expect(nextLock(registry, { events: [{ name: "a.b", retired: [], versions: [version(1, "string"), version(2, "number")] }] }).events[0]!.versions[1]).not.toHaveProperty("upgrade");
  });
});
