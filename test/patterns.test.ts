/**
 * Every pattern runs the same in every dialect it is published to, and no reader throws or panics:
 * Zod regular expressions are published in Unicode mode with their flags carried over where an
 * exact equivalent exists, refused (exit 2, naming file, event, version and field) where none
 * does, refused when the Rust crate could not compile them, and deep documents are an invalid
 * result, never an exception.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { publishedPattern } from "../src/load/pattern.js";
import { jsonSchemaJudge, rustJudge, typescriptJudge, type TypeScriptJudge } from "./conformance/engines.js";
import { runCli, workDir } from "./helpers.js";

describe("a Zod regular expression as the published Unicode-mode pattern", () => {
  test.each([
    [/^\+?\d{1,3}\-\d+$/, "^\\+?\\d{1,3}-\\d+$"],
    [/^[\w-.]+$/, "^[\\w\\-.]+$"],
    [/^a{$/, "^a\\{$"],
    [/^a}]$/, "^a\\}\\]$"],
    [/^\u{3}$/, "^u{3}$"],
    [/^\p{L}$/, "^p\\{L\\}$"],
    [/^\_\@\#$/, "^_@#$"],
    [/^\p{L}{1,3}$/u, "^\\p{L}{1,3}$"],
    [/^a.b$/s, "^a(?:.|[\\n\\r\\u2028\\u2029])b$"],
    [/abc/y, "^(?:abc)"],
    [/abc/g, "abc"],
  ])("%s is published as %s", (regex, expected) => {
    expect(publishedPattern(regex.source, regex.flags)).toEqual({ ok: true, pattern: expected });
  });

  test.each([
    [/^abc$/i, 'the "i" flag (ignore case) has no JSON Schema form'],
    [/^a$/m, 'the "m" flag (multiline) has no JSON Schema form'],
    [/^[\p{L}--[a-z]]$/v, 'the "v" flag (Unicode sets) has no JSON Schema form'],
    [/^\8$/, "legacy octal escape"],
  ])("%s is refused", (regex, reason) => {
    const result = publishedPattern(regex.source, regex.flags);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });
});

const SCHEMA = `import { z } from "zod";
import { defineEvent } from "eventc";

export const TreeNode = z
  .object({
    get children() {
      return z.array(TreeNode);
    },
  })
  .meta({ id: "TreeNode" });

export const formSubmitted = defineEvent("form.submitted", {
  versions: {
    1: z.object({
      phone: z.string().regex(/^\\+?\\d{1,3}\\-\\d+$/),
      sticky: z.string().regex(/ab/y),
      dotAll: z.string().regex(/^a.b$/s),
      named: z.string().regex(/^(?<$x>ab)+$/),
      brace: z.string().regex(/^x{$/),
      letters: z.string().regex(/^\\p{L}{1,3}$/u),
      tree: TreeNode.optional(),
    }),
  },
});
`;

/** The same payload schema as SCHEMA, for the verdict of Zod itself. */
const TreeNode: z.ZodType = z.object({
  get children() {
    return z.array(TreeNode);
  },
});
const payload = z.object({
  phone: z.string().regex(/^\+?\d{1,3}\-\d+$/),
  sticky: z.string().regex(/ab/y),
  dotAll: z.string().regex(/^a.b$/s),
  named: z.string().regex(/^(?<$x>ab)+$/),
  brace: z.string().regex(/^x{$/),
  letters: z.string().regex(/^\p{L}{1,3}$/u),
  tree: TreeNode.optional(),
});

const VALID = { phone: "+1-234", sticky: "abc", dotAll: "a\nb", named: "abab", brace: "x{", letters: "éß" };
const VARIANTS: Record<string, unknown>[] = [
  VALID,
  { ...VALID, phone: "1\\-2" },
  { ...VALID, phone: "+1234-5" },
  { ...VALID, sticky: "cab" },
  { ...VALID, dotAll: "a\u2028b" },
  { ...VALID, dotAll: "ab" },
  { ...VALID, named: "aba" },
  { ...VALID, brace: "x" },
  { ...VALID, letters: "abcd" },
  { ...VALID, letters: "1" },
  { ...VALID, tree: { children: [{ children: [] }] } },
];

function project(name: string, schema: string): string {
  const dir = workDir(`patterns-${name}`);
  mkdirSync(path.join(dir, "schemas"));
  writeFileSync(path.join(dir, "schemas", "events.ts"), schema);
  return dir;
}

describe("published patterns agree with Zod in every reader", () => {
  let dir: string;
  let typescript: TypeScriptJudge;
  let sdk: { parseEvent: (input: unknown) => { kind: string; issues?: { path: string; message: string }[] } };

  beforeAll(async () => {
    dir = project("agree", SCHEMA);
    const result = runCli(["generate"], dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    typescript = await typescriptJudge(path.join(dir, "generated", "ts"));
    sdk = (await import(pathToFileURL(path.join(dir, "generated", "ts", "index.ts")).href)) as typeof sdk;
  });

  test("TypeScript, ajv and serde give Zod's verdict on every variant", () => {
    const documents = VARIANTS.map((variant) => ({ type: "form.submitted.v1", payload: variant }));
    const expected = VARIANTS.map((variant) => (payload.safeParse(variant).success ? "accept" : "reject"));
    expect(expected.filter((verdict) => verdict === "accept")).toHaveLength(3);
    const ajv = jsonSchemaJudge(path.join(dir, "generated", "jsonschema"));
    const rust = rustJudge("patterns", path.join(dir, "generated", "rust"))(documents.map((document) => ({ document }))).map((answer) => answer.verdict);
    expect(documents.map((document) => typescript.judge({ document }))).toEqual(expected);
    expect(documents.map((document) => ajv({ document }))).toEqual(expected);
    expect(rust).toEqual(expected);
  });

  test("the crate has no panicking call a document could reach (a pattern that fails to compile matches nothing)", () => {
    const source = readdirSync(path.join(dir, "generated", "rust", "src"))
      .map((file) => readFileSync(path.join(dir, "generated", "rust", "src", file), "utf8"))
      .join("\n");
    expect(source).toContain("RegexBuilder::new(self.source)");
    expect(source.match(/\.(?:expect|unwrap)\(|panic!|unreachable!|todo!|unimplemented!/g)).toBeNull();
  });

  test("a document nested far deeper than the call stack is one issue past the nesting limit, not an exception", () => {
    let tree: { children: unknown[] } = { children: [] };
    for (let depth = 0; depth < 200_000; depth++) tree = { children: [tree] };
    const result = sdk.parseEvent({ type: "form.submitted.v1", payload: { ...VALID, tree } });
    expect(result).toEqual({ kind: "invalid", issues: [{ path: "", message: "nested deeper than 128 levels" }] });
  });
});

describe("a pattern with no exact equivalent in some reader stops generation", () => {
  test.each([
    ["a case-insensitive flag", "z.string().regex(/^abc$/i)", 'the pattern /^abc$/i has no wire form: the "i" flag (ignore case) has no JSON Schema form'],
    ["a program too large for the Rust crate", "z.string().regex(/^\\p{L}{1,3000}$/u)", `the pattern "^\\\\p{L}{1,3000}$" cannot be checked in Rust: its compiled form would exceed the Rust regex crate's size limit (an estimated 1200k units, the limit is 145k); use a pattern without it`],
    ["a long counted dot", "z.string().regex(/^.{1,20000}$/)", `the pattern "^.{1,20000}$" cannot be checked in Rust: its compiled form would exceed the Rust regex crate's size limit (an estimated 200k units, the limit is 145k); use a pattern without it`],
  ])("%s: exit 2 naming file, event, version and field, nothing written", (name, field, message) => {
    const dir = project(name.replace(/\W+/g, "-"), `import { z } from "zod";\nimport { defineEvent } from "eventc";\n\nexport const jobQueued = defineEvent("job.queued", {\n  versions: { 1: z.object({ code: ${field} }) },\n});\n`);
    const result = runCli(["generate"], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`schemas/events.ts:5: event "job.queued" v1, field "code": `);
    expect(result.stderr).toContain(message);
    expect(existsSync(path.join(dir, "generated"))).toBe(false);
  });
});
