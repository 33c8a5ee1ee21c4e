/**
 * Registry inputs that are hostile in shape — a lockfile or JSON Schema nested 5,000 levels deep,
 * a `$ref` cycle — end in a one-line input error (exit 2), never a stack trace.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { schemaHash } from "../src/registry/check.js";
import { ROOT, runCli, workDir } from "./helpers.js";

const DRAFT = "https://json-schema.org/draft/2020-12/schema";

/** `{ type: object, properties: { x: … } }` nested `depth` times, as JSON text (too deep for JSON.stringify). */
function deepSchemaText(depth: number): string {
  return `${'{"type":"object","properties":{"x":'.repeat(depth)}{"type":"string"}${"}}".repeat(depth)}`;
}

function lockfileText(schemaText: string, hash: string): string {
  return `{"lockfileVersion":2,"events":{"ping.sent":{"retired":{},"versions":{"1":{"hash":${JSON.stringify(hash)},"schema":${schemaText}}}}}}`;
}

const schemas = path.join(ROOT, "test", "bad-input", "_baseline", "schemas");
const oneLine = (stderr: string): void => {
  expect(stderr.split("\n")).toHaveLength(2);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
};

describe("a schema nested 5,000 levels deep", () => {
  test("in a lockfile: check, lock and diff name the lockfile in one line", () => {
    const dir = workDir("registry-inputs-deep-lock");
    writeFileSync(path.join(dir, "eventc.lock.json"), lockfileText(deepSchemaText(5000), "sha256:0"));
    for (const args of [["check", "--schemas", schemas], ["lock", "--schemas", schemas], ["diff", "eventc.lock.json", schemas]]) {
      const result = runCli(args, dir);
      expect(result.stderr, args.join(" ")).toBe("eventc: eventc.lock.json: nested too deeply to read (a schema thousands of levels deep)\n");
      expect(result.status).toBe(2);
    }
  });

  test("in a JSON Schema input to diff: one line", () => {
    const dir = workDir("registry-inputs-deep-schema");
    writeFileSync(path.join(dir, "old.json"), deepSchemaText(5000));
    writeFileSync(path.join(dir, "new.json"), deepSchemaText(5000));
    const result = runCli(["diff", "old.json", "new.json"], dir);
    oneLine(result.stderr);
    expect(result.status).toBe(2);
  });
});

describe("a $ref cycle that never reaches a type", () => {
  const cyclic = { $schema: DRAFT, type: "object", properties: { a: { $ref: "#/$defs/A" } }, required: ["a"], $defs: { A: { $ref: "#/$defs/B" }, B: { $ref: "#/$defs/A" } } };

  test("in a JSON Schema input to diff: one line", () => {
    const dir = workDir("registry-inputs-cycle-schema");
    writeFileSync(path.join(dir, "old.json"), JSON.stringify(cyclic));
    writeFileSync(path.join(dir, "new.json"), JSON.stringify({ $schema: DRAFT, type: "object", properties: { a: { type: "string" } }, required: ["a"] }));
    const result = runCli(["diff", "old.json", "new.json"], dir);
    oneLine(result.stderr);
    expect(result.status).toBe(2);
  });

  test("in a lockfile: one line", () => {
    const dir = workDir("registry-inputs-cycle-lock");
    writeFileSync(path.join(dir, "eventc.lock.json"), lockfileText(JSON.stringify(cyclic), schemaHash(cyclic)));
    const result = runCli(["check", "--schemas", schemas], dir);
    oneLine(result.stderr);
    expect(result.status).toBe(2);
  });

  test("in a lockfile: the message names the lockfile, the event and the version", () => {
    const dir = workDir("registry-inputs-cycle-lock-named");
    writeFileSync(path.join(dir, "eventc.lock.json"), lockfileText(JSON.stringify(cyclic), schemaHash(cyclic)));
    const message = `eventc: eventc.lock.json: event "ping.sent" v1: $ref "#/$defs/A" reaches itself without a property or an item in between, so no validator can evaluate it\n`;
    expect(runCli(["check", "--schemas", schemas], dir).stderr).toBe(message);
    expect(runCli(["diff", "eventc.lock.json", schemas], dir).stderr).toBe(message);
  });

  test("in a JSON Schema input to diff: the message names the file that holds the cycle", () => {
    const dir = workDir("registry-inputs-cycle-schema-named");
    writeFileSync(path.join(dir, "old.json"), JSON.stringify({ $schema: DRAFT, type: "object", properties: { a: { type: "string" } }, required: ["a"] }));
    writeFileSync(path.join(dir, "new.json"), JSON.stringify(cyclic));
    expect(runCli(["diff", "old.json", "new.json"], dir)).toEqual({
      status: 2,
      stdout: "",
      stderr: `eventc: new.json: $ref "#/$defs/A" reaches itself without a property or an item in between, so no validator can evaluate it\n`,
    });
  });
});
