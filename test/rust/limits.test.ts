/**
 * The reader's limits, through the golden crate of `number_records_deep_nesting_and_integer_range`
 * and `Event::from_json_str`: one nesting limit for the whole document (128 levels, the outermost
 * object being level 1) whether the depth comes from a recursive named type or from any JSON, with
 * no panic or stack overflow far beyond it; integers within ±(2^53 − 1).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { rustJudge, type RustAnswer } from "../conformance/engines.js";
import { ROOT } from "../helpers.js";
import { CARGO_TARGET_DIR } from "./cargo.js";

const CRATE = path.join(ROOT, "test", "cases", "number_records_deep_nesting_and_integer_range", "expected", "rust");
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A valid payload whose chain or `anything` field takes the document to `depth` levels. */
function payload(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { scores: { "1": "one", "2.5": "two and a half" }, chain: { label: "root" }, anything: null, count: 1, ...fields };
}

/** `{"type":…,"payload":{…,"chain":{"label":"n","next":{…}}}}` with `depth` levels in all, as text. */
function chainDocument(depth: number): string {
  const links = depth - 2;
  const head = '{"type":"limits.probed.v1","payload":{"scores":{},"anything":null,"count":1,"chain":';
  return `${head}${'{"label":"n","next":'.repeat(links - 1)}{"label":"end"}${"}".repeat(links - 1)}}}`;
}

/** The same depth reached inside the `anything` field (any JSON): nested arrays. */
function anyJsonDocument(depth: number): string {
  const arrays = depth - 2;
  const head = '{"type":"limits.probed.v1","payload":{"scores":{},"chain":{"label":"n"},"count":1,"anything":';
  return `${head}${"[".repeat(arrays)}${"]".repeat(arrays)}}}`;
}

beforeAll(() => {
  rustJudge("limits", CRATE);
}, 600_000);

/** Answers for documents as values, each sent as its JSON text. */
const judge = (documents: readonly unknown[]): RustAnswer[] => rustJudgeLines(documents.map((document) => JSON.stringify(document)));

describe("nesting limit", () => {
  test.each([
    ["a recursive named type", chainDocument],
    ["any JSON", anyJsonDocument],
  ])("through %s: 127 and 128 levels are read, 129 levels are invalid at the document", (_, document) => {
    const answers = rustJudgeLines([document(127), document(128), document(129)]);
    expect(answers.map((answer) => answer.verdict)).toEqual(["accept", "accept", "reject"]);
    expect(answers[2]!.error).toBe(": nested deeper than 128 levels");
  });

  test("200,000 levels are invalid, with no stack overflow", () => {
    const deep = `{"type":"limits.probed.v1","payload":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    const answers = rustJudgeLines([deep, chainDocument(200_000)]);
    expect(answers.map((answer) => answer.error)).toEqual([": nested deeper than 128 levels", ": nested deeper than 128 levels"]);
  });

  test("brackets inside strings do not count", () => {
    const answers = judge([{ type: "limits.probed.v1", payload: payload({ chain: { label: "[[[[{{{{" }, anything: "[".repeat(500) }) }]);
    expect(answers[0]!.verdict).toBe("accept");
  });
});

describe("integer range", () => {
  test("integers within ±(2^53 − 1) are read; one beyond is invalid with a bound message", () => {
    const document = (count: string): string => `{"type":"limits.probed.v1","payload":{"scores":{},"chain":{"label":"n"},"anything":null,"count":${count}}}`;
    const answers = rustJudgeLines([document(String(MAX_SAFE)), document(String(-MAX_SAFE)), document("9007199254740992"), document("-9007199254740993"), document("1e300")]);
    expect(answers.map((answer) => answer.verdict)).toEqual(["accept", "accept", "reject", "reject", "reject"]);
    expect(answers[2]!.error).toBe("/payload/count: expected at most 9007199254740991");
    expect(answers[3]!.error).toBe("/payload/count: expected at least -9007199254740991");
  });
});

describe("records with number keys", () => {
  test("keys must be numbers", () => {
    const answers = judge([
      { type: "limits.probed.v1", payload: payload() },
      { type: "limits.probed.v1", payload: payload({ scores: { one: "1" } }) },
    ]);
    expect(answers.map((answer) => answer.verdict)).toEqual(["accept", "reject"]);
    expect(answers[1]!.error).toBe("/payload/scores/one: not a valid ^-?\\d+(?:\\.\\d+)?$");
  });
});

/** Event documents as text, one a line, to the conformance binary `rustJudge` built (`Event::from_json_str`). */
function rustJudgeLines(lines: readonly string[]): RustAnswer[] {
  const binary = path.join(CARGO_TARGET_DIR, "debug", "examples", "conformance_limits");
  const result = spawnSync(binary, [], { input: lines.map((line) => `${line}\n`).join(""), encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.error || result.status !== 0) throw new Error(`${binary} failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as RustAnswer);
}
