/**
 * serde round trip through the generated crate: each vector is decoded by a real Rust program
 * (test/rust/roundtrip.rs) and re-encoded; the helpers' answers come back beside it.
 * Accepted documents must come out as the same JSON value, except that unknown object fields are
 * dropped (tolerant reader); an unknown wire type is kept whole as `Event::Unknown`.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { emitRust } from "../../src/targets/rust/index.js";
import { ROOT } from "../helpers.js";
import { cargo, writeCrate } from "./cargo.js";

interface Vector {
  kind: "event" | "envelope";
  input: unknown;
  /** Expected re-encoding; the input itself when absent. */
  output?: unknown;
  helpers?: { name: string; version: number | null; wire_type: string; coalesce_key: string | null; unknown: boolean };
  /** Expected decode failure (message prefix). */
  error?: string;
}

const retry = { type: "retry", attempt: 2, message: "rate limited", next: 1_700_000_000_000 };
const assistant = {
  role: "assistant",
  id: "m2",
  sessionID: "s1",
  parentID: "m1",
  modelID: "model",
  providerID: "provider",
  cost: 0.25,
  tokens: { input: 10, output: 20, reasoning: 0, cache: { read: 0, write: 0 } },
  finish: null,
  time: { created: 1, completed: 2 },
};

const vectors: Vector[] = [
  {
    kind: "event",
    input: { type: "session.status.v2", payload: { sessionID: "s1", status: retry } },
    helpers: { name: "session.status", version: 2, wire_type: "session.status.v2", coalesce_key: '["session.status","s1"]', unknown: false },
  },
  {
    kind: "event",
    input: { type: "session.status.v1", payload: { sessionID: "s1", status: "busy" } },
    helpers: { name: "session.status", version: 1, wire_type: "session.status.v1", coalesce_key: '["session.status","s1"]', unknown: false },
  },
  {
    kind: "event",
    input: { type: "session.status.v9", payload: { sessionID: "s1", status: { type: "sleeping" } } },
    helpers: { name: "session.status", version: 9, wire_type: "session.status.v9", coalesce_key: null, unknown: true },
  },
  {
    kind: "event",
    input: { type: "brand.new", payload: [1, "two"] },
    helpers: { name: "brand.new", version: null, wire_type: "brand.new", coalesce_key: null, unknown: true },
  },
  {
    kind: "event",
    input: { type: "file.edited.v1", payload: { file: "a.ts", addedLater: { deep: true } } },
    output: { type: "file.edited.v1", payload: { file: "a.ts" } },
    helpers: { name: "file.edited", version: 1, wire_type: "file.edited.v1", coalesce_key: null, unknown: false },
  },
  {
    kind: "event",
    input: { type: "message.updated.v1", payload: { info: assistant } },
    helpers: { name: "message.updated", version: 1, wire_type: "message.updated.v1", coalesce_key: '["message.updated","m2"]', unknown: false },
  },
  {
    kind: "event",
    input: {
      type: "message.part.updated.v1",
      payload: {
        part: {
          id: "p1",
          sessionID: "s1",
          messageID: "m2",
          type: "tool",
          callID: "c1",
          tool: "bash",
          state: { status: "completed", input: { command: "ls" }, output: "a\nb", title: "ls", metadata: { exit: 0 }, time: { start: 5, end: 9 } },
        },
      },
    },
    helpers: { name: "message.part.updated", version: 1, wire_type: "message.part.updated.v1", coalesce_key: '["message.part.updated","p1"]', unknown: false },
  },
  {
    kind: "event",
    input: {
      type: "lsp.client.diagnostics.v1",
      payload: {
        serverID: "ts",
        path: "a.ts",
        diagnostics: [
          { range: { start: { line: 0, character: 1 }, end: { line: 0, character: 4 } }, severity: 2, code: 2304, message: "x" },
          { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, code: "no-unused", source: "eslint", message: "y" },
        ],
      },
    },
    helpers: { name: "lsp.client.diagnostics", version: 1, wire_type: "lsp.client.diagnostics.v1", coalesce_key: '["lsp.client.diagnostics","ts","a.ts"]', unknown: false },
  },
  {
    kind: "event",
    input: { type: "installation.update-available.v1", payload: { version: "1.2.3" } },
    helpers: { name: "installation.update-available", version: 1, wire_type: "installation.update-available.v1", coalesce_key: '["installation.update-available"]', unknown: false },
  },
  {
    kind: "envelope",
    input: { id: "e1", time: "2025-01-02T03:04:05Z", topic: "s1", event: { type: "session.compacted.v1", payload: { sessionID: "s1" } } },
    helpers: { name: "session.compacted", version: 1, wire_type: "session.compacted.v1", coalesce_key: null, unknown: false },
  },
  {
    kind: "envelope",
    input: { id: "e2", time: "2025-01-02T03:04:05Z", event: { type: "session.forked.v1", payload: { from: "s1" } } },
    helpers: { name: "session.forked", version: 1, wire_type: "session.forked.v1", coalesce_key: null, unknown: true },
  },
  { kind: "event", input: { type: "session.status.v1", payload: { sessionID: "s1", status: "sleeping" } }, error: "session.status.v1: unknown variant `sleeping`" },
  { kind: "event", input: { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "sleeping" } } }, error: "session.status.v2: unknown variant `sleeping`" },
  { kind: "event", input: { type: "file.edited.v1", payload: {} }, error: "file.edited.v1: missing field `file`" },
  { kind: "event", input: { type: "file.edited.v1" }, error: "file.edited.v1: invalid type: null, expected struct FileEditedV1" },
  // A struct is read from an object only (serde's derive also read one from the array of its fields' values).
  { kind: "event", input: { type: "file.edited.v1", payload: ["a.ts"] }, error: "file.edited.v1: invalid type: sequence, expected struct FileEditedV1" },
  {
    kind: "event",
    input: { type: "message.updated.v1", payload: { info: { ...assistant, finish: undefined } } },
    error: "message.updated.v1: missing field `finish`",
  },
  {
    kind: "event",
    input: { type: "lsp.client.diagnostics.v1", payload: { serverID: "ts", path: "a.ts", diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 5, message: "x" }] } },
    error: "lsp.client.diagnostics.v1: invalid value: 5, expected one of: 1, 2, 3, 4",
  },
  { kind: "event", input: { type: "todo.updated.v1", payload: { sessionID: "s1", todos: [{ id: "t", content: "c", status: "pending", priority: 1.5 }] } }, error: "todo.updated.v1: invalid type: floating point `1.5`" },
];

let results: Record<string, unknown>[];

beforeAll(async () => {
  const catalogue = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas"), cwd: ROOT });
  const crate = writeCrate("roundtrip", emitRust(catalogue));
  mkdirSync(path.join(crate, "examples"), { recursive: true });
  copyFileSync(path.join(ROOT, "test", "rust", "roundtrip.rs"), path.join(crate, "examples", "roundtrip.rs"));
  const input = vectors.map((vector) => `${vector.kind} ${JSON.stringify(vector.input)}\n`).join("");
  const result = cargo(["run", "--quiet", "--example", "roundtrip"], crate, input);
  expect(result.status, result.stderr).toBe(0);
  results = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(results).toHaveLength(vectors.length);
});

test.each(vectors.map((vector, index) => [index, vector] as const))("vector %i", (index, vector) => {
  const result = results[index]!;
  if (vector.error !== undefined) {
    expect(result.json).toBeUndefined();
    expect(String(result.error).startsWith(vector.error), String(result.error)).toBe(true);
    return;
  }
  expect(result.error).toBeUndefined();
  expect(result.json).toEqual(vector.output ?? vector.input);
  expect(result.helpers).toEqual(vector.helpers);
});
