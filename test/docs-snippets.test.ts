/**
 * Docs that compile: every TypeScript snippet of README.md and docs/ type-checks against the
 * example's generated SDK (getting-started's against the app `eventc init` makes) under TypeScript
 * 5.9 and 7, with the settings `tsc --init` gives a new user (see test/docs-snippets.ts for the
 * layout, the environments and `partial`). Each run also checks pages of broken snippets, in the
 * same tsc runs, to prove that what breaks is reported at its `file.md:line:column`.
 */
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  checkSnippets,
  documentationSnippets,
  extractCodeBlocks,
  formatProblems,
  modulePath,
  parseDiagnostics,
  typeScriptSnippets,
  type Snippet,
  type SnippetCheck,
} from "./docs-snippets.js";
import { ROOT } from "./helpers.js";

const COMPILERS = [
  { label: "TypeScript 5.9", packageDir: path.join(ROOT, "node_modules", "typescript") },
  { label: "TypeScript 7", packageDir: path.join(ROOT, "node_modules", "typescript7") },
];

/** A page of snippets, each broken in one known way (or deliberately not). */
const BROKEN_PAGE = [
  "# Broken snippets", //                                                      1
  "", //                                                                       2
  "```ts", //                                                                  3
  'import { createBus } from "./generated/runtime/index.js";', //              4
  "", //                                                                       5
  "const bus = createBus();", //                                               6
  'await bus.publish("session.status", { sessionID: "s1", status: { type: "asleep" } });', // 7: not a status
  "```", //                                                                    8
  "", //                                                                       9
  "```typescript", //                                                          10
  "render([]); // neither imported nor declared", //                           11
  "```", //                                                                    12
  "", //                                                                       13
  "```ts", //                                                                  14
  "const options: { topic?: string } = { topic: undefined }; // exactOptionalPropertyTypes", // 15
  'const names: string[] = ["a"];', //                                         16
  "const first: string = names[0]; // noUncheckedIndexedAccess", //           17
  "```", //                                                                    18
  "", //                                                                       19
  "```ts", //                                                                  20
  'const bytes = Buffer.from("no Node types without a Node import"); // plain code', // 21
  "```", //                                                                    22
  "", //                                                                       23
  "```ts", //                                                                  24
  "const url: string | undefined = process.env.REDIS_URL; // Node code: fine", // 25
  "```", //                                                                    26
  "", //                                                                       27
  "1. In a list item:", //                                                     28
  "", //                                                                       29
  "   ```ts", //                                                               30
  "   const count: number = \"three\";", //                                    31
  "   ```", //                                                                 32
  "", //                                                                       33
  "```ts partial: an excerpt, skipped", //                                     34
  "this is not TypeScript at all", //                                          35
  "```", //                                                                    36
  "", //                                                                       37
  "```ts partial", //                                                          38
  "export {};", //                                                             39
  "```", //                                                                    40
  "", //                                                                       41
  "```ts partail: a typo", //                                                  42
  "export {};", //                                                             43
  "```", //                                                                    44
  "", //                                                                       45
  "```js", //                                                                  46
  "this is not checked", //                                                    47
  "```", //                                                                    48
  "", //                                                                       49
  "```ts", //                                                                  50
  "// src/consumer.ts — a file in a folder, importing ../generated", //       51
  'import { parseEvent } from "../generated/ts/index.js";', //                52
  'const kind: "event" = parseEvent({}).kind;', //                            53
  "```", //                                                                    54
].join("\n");

/** What the broken page must produce, under either version: place and code of each problem. */
const BROKEN_EXPECTED = [
  "fixture/broken.md:7:66 TS2322",
  "fixture/broken.md:11:1 TS2304",
  "fixture/broken.md:15:7 TS2375",
  "fixture/broken.md:17:7 TS2322",
  "fixture/broken.md:21:15 TS2591",
  "fixture/broken.md:31:10 TS2322",
  "fixture/broken.md:38 info",
  "fixture/broken.md:42 info",
  "fixture/broken.md:53:7 TS2322",
  "fixture/init.md:3:47 TS2741", // the app's own event: its user has no name
];

/** A page that follows the app `eventc init` makes: its snippets see that project's SDK. */
const INIT_PAGE = [
  "```ts", //                                                                  1
  'import { createBus } from "./generated/runtime/index.js";', //              2
  'await createBus().publish("user.signed-in", { user: { id: "u1" }, method: "sso", at: "2025-01-02T03:04:05Z" });', // 3: no name
  "```", //                                                                    4
].join("\n");

const brokenSnippets = [
  ...typeScriptSnippets(extractCodeBlocks(BROKEN_PAGE, "fixture/broken.md")),
  ...typeScriptSnippets(extractCodeBlocks(INIT_PAGE, "fixture/init.md")).map((snippet): Snippet => ({ ...snippet, project: "init" })),
];
const docSnippets = documentationSnippets();
const runs = new Map<string, Promise<SnippetCheck>>();

beforeAll(() => {
  // Both versions at once: each run is one tsc process per environment over every snippet.
  for (const compiler of COMPILERS) {
    const run = checkSnippets([...docSnippets, ...brokenSnippets], compiler);
    run.catch(() => undefined); // awaited by the tests below
    runs.set(compiler.label, run);
  }
});

const isBroken = (location: string): boolean => location.startsWith("fixture/");

describe.each(COMPILERS.map((compiler) => [compiler.label]))("under %s", (label) => {
  const run = async (): Promise<SnippetCheck> => {
    const check = runs.get(label);
    if (check === undefined) throw new Error(`no run for ${label}`);
    return check;
  };

  test("every TypeScript snippet of README.md and docs/ type-checks", async () => {
    const check = await run();
    const problems = check.problems.filter((problem) => !isBroken(problem.location));
    if (problems.length > 0) expect.fail(formatProblems({ compiler: check.compiler, problems }));
    expect(check.checked.filter((snippet) => snippet.file === "README.md").length).toBeGreaterThan(0);
  });

  test("the snippets are checked with tsc --init's settings, Node code with @types/node", async () => {
    const check = await run();
    expect(check.settings).toMatchObject({
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      module: "nodenext",
      types: ["node"],
    });
  });

  test("a broken snippet is reported at its file.md:line:column with the line it points at", async () => {
    const check = await run();
    const problems = check.problems.filter((problem) => isBroken(problem.location));
    expect(problems.map((problem) => `${problem.location} ${problem.code}`).sort()).toEqual([...BROKEN_EXPECTED].sort());
    const notAStatus = problems.find((problem) => problem.location === "fixture/broken.md:7:66");
    expect(notAStatus?.source).toBe('await bus.publish("session.status", { sessionID: "s1", status: { type: "asleep" } });');
    expect(notAStatus?.message).toContain('"asleep"');
    const report = formatProblems({ compiler: check.compiler, problems });
    expect(report).toContain(`10 problem(s) in the documentation's TypeScript snippets under ${check.compiler}`);
    expect(report).toContain("fixture/broken.md:11:1  TS2304  Cannot find name 'render'.");
    expect(report).toContain("fixture/broken.md:38  info  marked partial without a reason: write ```ts partial: <why it cannot be complete>");
    // Plain code has no Node globals; the report says how a snippet counts as Node code.
    expect(report).toContain("imports node:…, ioredis, redis or ws or reads process.…");
  });
});

describe("reading snippets out of Markdown", () => {
  test("fences of backticks or tildes, longer fences holding shorter ones, info strings and list indentation", () => {
    const page = [
      "````ts", //          1
      "```", //             2
      "````", //            3
      "~~~ typescript  partial: why", // 4
      "a", //               5
      "~~~", //             6
      "  ```ts", //         7
      "    indented", //    8
      "  b", //             9
      "  ```", //           10
      "`` `inline` ``", //  11
      "```ts", //           12
      "unclosed", //        13
    ].join("\n");
    expect(extractCodeBlocks(page, "page.md")).toEqual([
      { file: "page.md", line: 1, indent: 0, info: "ts", code: "```" },
      { file: "page.md", line: 4, indent: 0, info: "typescript  partial: why", code: "a" },
      { file: "page.md", line: 7, indent: 2, info: "ts", code: "  indented\nb" },
      { file: "page.md", line: 12, indent: 0, info: "ts", code: "unclosed" },
    ]);
    const snippets = typeScriptSnippets(extractCodeBlocks(page, "page.md"));
    expect(snippets.map((snippet) => [snippet.line, snippet.partial, snippet.infoError])).toEqual([
      [1, undefined, undefined],
      [4, "why", undefined],
      [7, undefined, undefined],
      [12, undefined, undefined],
    ]);
  });

  test("Node code is told apart from code for any runtime", () => {
    const environment = (code: string): Snippet["environment"] | undefined => typeScriptSnippets([{ file: "x.md", line: 1, indent: 0, info: "ts", code }])[0]?.environment;
    expect(environment('import { createServer } from "node:http";')).toBe("node");
    expect(environment('import { Redis } from "ioredis";')).toBe("node");
    expect(environment('import { createClient } from "redis";')).toBe("node");
    expect(environment("const url = process.env.REDIS_URL;")).toBe("node");
    expect(environment('import { Hono } from "hono";\n// every process that publishes')).toBe("plain");
    expect(environment('import { connectSse } from "./generated/runtime/sse/client.js";')).toBe("plain");
  });

  test("a snippet sits in the folder its first line names, under a name of its own", () => {
    const at = (code: string, info = "ts"): string => {
      const [snippet] = typeScriptSnippets([{ file: "docs/getting-started.md", line: 12, indent: 0, info, code }]);
      if (snippet === undefined) throw new Error("no snippet");
      return modulePath(snippet);
    };
    expect(at("const a = 1;")).toBe("docs--getting-started.md-L12.ts");
    expect(at("const a = 1;", "tsx")).toBe("docs--getting-started.md-L12.tsx");
    expect(at("// schemas/session.ts\nexport {};")).toBe("schemas/docs--getting-started.md-L12--session.ts");
    expect(at("// producer.ts — node-redis this time")).toBe("docs--getting-started.md-L12--producer.ts");
    expect(at("// src/worker.mts")).toBe("src/docs--getting-started.md-L12--worker.mts");
    expect(at("// ../outside.ts")).toBe("docs--getting-started.md-L12.ts");
    expect(at("// generated/ts/index.ts")).toBe("docs--getting-started.md-L12.ts");
    expect(at("// Hono\nexport {};")).toBe("docs--getting-started.md-L12.ts");
  });

  test("tsc's diagnostics map back to the Markdown line; continuation lines and other files are kept", () => {
    const [snippet] = typeScriptSnippets([{ file: "docs/x.md", line: 40, indent: 3, info: "ts", code: "const a = 1;\nconst b: string = a;" }]);
    if (snippet === undefined) throw new Error("no snippet");
    const output = [
      "docs--x.md-L40.ts(2,7): error TS2322: Type 'number' is not assignable to type 'string'.",
      "  More detail.",
      "generated/runtime/bus/bus.ts(3,1): error TS1005: ';' expected.",
      `${path.relative("/tmp/project", path.join(ROOT, "generated/ts/wire.ts"))}(4,2): error TS1005: ';' expected.`,
      "error TS5083: Cannot read file 'x'.",
    ].join("\n");
    expect(parseDiagnostics(output, "/tmp/project", new Map([[modulePath(snippet), snippet]]))).toEqual([
      { location: "docs/x.md:42:10", code: "TS2322", message: "Type 'number' is not assignable to type 'string'.\nMore detail.", source: "const b: string = a;" },
      { location: "generated/runtime/bus/bus.ts:3:1", code: "TS1005", message: "';' expected." },
      { location: "generated/ts/wire.ts:4:2", code: "TS1005", message: "';' expected." },
      { location: "tsc", code: "TS5083", message: "Cannot read file 'x'." },
    ]);
  });
});
