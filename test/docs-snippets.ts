/**
 * Documentation snippets are code. Every TypeScript block of README.md and docs/ is type-checked
 * as a module of its own, in a scratch project laid out the way the docs assume, with the settings
 * `tsc --init` of the TypeScript version under test writes for a new user (strict,
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess, nodenext, verbatimModuleSyntax, …), in an
 * ES-module package. A snippet sits at the project's root beside `generated/` (the example
 * catalogue's SDK and runtime), or in the folder its first line names (`// schemas/session.ts`,
 * `// src/producer.ts` importing `../generated/…`), under a name of its own. The
 * packages the docs use (eventc, zod, ioredis, redis, hono, eventsource-parser, ws, @types/node) are
 * linked into the project's `node_modules`; any other import fails as it would for a reader.
 * The snippets of the getting-started page (`INIT_PAGES`) follow a reader's own app instead: they
 * sit in a project made by `eventc init` and `eventc generate`, beside its `generated/`.
 *
 * Which blocks: fences whose language is ts, typescript, mts, cts or tsx. After the language the
 * info string may say `partial: <why>` — the block is deliberately incomplete (an excerpt of
 * generated code, say) and is not checked; the reason is required, and no other word is accepted,
 * so a typo never skips a block silently. A block that uses a name it does not import declares it
 * (`declare function render(batch: unknown): void;`), so the reader sees what it stands for.
 *
 * Where a block runs: one that imports a `node:` module, ioredis, redis or ws, or reads `process.…`,
 * is Node code and is checked with `"types": ["node"]` (as after `npm install -D @types/node`);
 * every other block keeps tsc --init's `"types": []` — code for the browser or for any runtime —
 * and may not lean on Node's globals.
 *
 * Speed: per TypeScript version, one tsc process per environment checks all of its blocks at once
 * (the two run side by side); every diagnostic is mapped back to `file.md:line:column`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./helpers.js";

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, as reported (`docs/runtime.md`). */
  file: string;
  /** Line of the opening fence (1-based); the code's first line is `line + 1`. */
  line: number;
  /** Spaces stripped from each code line (the fence's own indentation, in a list item). */
  indent: number;
  /** The info string after the fence, trimmed. */
  info: string;
  code: string;
}

/** A TypeScript block and what its info string says about it. */
export interface Snippet extends CodeBlock {
  /** The reason given by `partial: <why>`: the block is not checked. */
  partial: string | undefined;
  /** What is wrong with the info string (unknown words, `partial` without a reason). */
  infoError: string | undefined;
  environment: "node" | "plain";
  /** Whose SDK the snippet imports: the example catalogue's, or that of a project `eventc init` made. */
  project: "example" | "init";
}

export interface SnippetProblem {
  /** `docs/runtime.md:71:32`, or a file of the SDK, or `tsc` for what has no place. */
  location: string;
  /** `TS2379`, or `info` for an info string the checker does not accept. */
  code: string;
  message: string;
  /** The snippet's line the diagnostic points at. */
  source?: string;
}

export interface SnippetCheck {
  /** `TypeScript 5.9.3`. */
  compiler: string;
  checked: Snippet[];
  skipped: Snippet[];
  problems: SnippetProblem[];
  /** The compiler options the Node snippets were checked with, as `tsc --showConfig` prints them. */
  settings: Record<string, unknown>;
}

export interface Compiler {
  /** The package folder (`node_modules/typescript`). */
  packageDir: string;
}

const TYPESCRIPT_LANGUAGES = new Set(["ts", "typescript", "mts", "cts", "tsx"]);

/** Packages the docs import, linked into the scratch project's node_modules. */
const PACKAGES: ReadonlyArray<[name: string, target: string]> = [
  ["eventc", ROOT],
  ...["zod", "ioredis", "redis", "hono", "eventsource-parser", "ws", "@types/node", "@types/ws"].map((name): [string, string] => [name, path.join(ROOT, "node_modules", name)]),
];

/** README.md and every Markdown file under docs/, as repository-relative paths. */
export function documentationFiles(root: string = ROOT): string[] {
  const files = ["README.md"];
  const visit = (folder: string): void => {
    for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const relative = `${folder}/${entry.name}`;
      if (entry.isDirectory()) visit(relative);
      else if (entry.name.endsWith(".md")) files.push(relative);
    }
  };
  visit("docs");
  return files;
}

/** The fenced code blocks of a Markdown text (CommonMark fences: ``` or ~~~, three or more). */
export function extractCodeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let open: { fence: string; line: number; indent: number; info: string; code: string[] } | undefined;
  lines.forEach((text, index) => {
    if (open === undefined) {
      const start = /^( *)(`{3,}|~{3,})(.*)$/.exec(text);
      if (start === undefined || start === null) return;
      const [, spaces = "", fence = "", info = ""] = start;
      if (fence.startsWith("`") && info.includes("`")) return; // inline code, not a fence
      open = { fence, line: index + 1, indent: spaces.length, info: info.trim(), code: [] };
      return;
    }
    const close = /^ *(`{3,}|~{3,}) *$/.exec(text);
    if (close?.[1] !== undefined && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push({ file, line: open.line, indent: open.indent, info: open.info, code: open.code.join("\n") });
      open = undefined;
      return;
    }
    const strip = Math.min(open.indent, /^ */.exec(text)?.[0].length ?? 0);
    open.code.push(text.slice(strip));
  });
  // An unclosed fence runs to the end of the document.
  if (open !== undefined) blocks.push({ file, line: open.line, indent: open.indent, info: open.info, code: open.code.join("\n") });
  return blocks;
}

/**
 * Pages that follow a new user's own app: their snippets import the SDK generated from the project
 * `eventc init` scaffolds (its first event, `user.signed-in`), not the example catalogue's.
 */
export const INIT_PAGES: ReadonlySet<string> = new Set(["docs/getting-started.md"]);

const NODE_CODE = /\bfrom\s+["'](?:node:[^"']+|ioredis|redis|ws)["']|\bimport\(\s*["']node:|\bprocess\.\w/;

/** The TypeScript blocks among `blocks`, with what their info strings say. */
export function typeScriptSnippets(blocks: readonly CodeBlock[]): Snippet[] {
  const snippets: Snippet[] = [];
  for (const block of blocks) {
    const [language = "", ...words] = block.info.split(/\s+/);
    if (!TYPESCRIPT_LANGUAGES.has(language.toLowerCase())) continue;
    const rest = words.join(" ");
    let partial: string | undefined;
    let infoError: string | undefined;
    const marked = /^partial\b:?\s*(.*)$/.exec(rest);
    if (marked !== null) {
      partial = marked[1]?.trim() ?? "";
      if (partial === "") infoError = `marked partial without a reason: write \`\`\`${language} partial: <why it cannot be complete>`;
    } else if (rest !== "") {
      infoError = `unknown words after the language in \`\`\`${block.info}: the only one known is \`partial: <why>\``;
    }
    snippets.push({ ...block, partial, infoError, environment: NODE_CODE.test(block.code) ? "node" : "plain", project: INIT_PAGES.has(block.file) ? "init" : "example" });
  }
  return snippets;
}

/** Every TypeScript snippet of README.md and docs/. */
export function documentationSnippets(root: string = ROOT): Snippet[] {
  return documentationFiles(root).flatMap((file) => typeScriptSnippets(extractCodeBlocks(readFileSync(path.join(root, file), "utf8"), file)));
}

interface TscRun {
  status: number;
  output: string;
}

function runNode(args: string[], cwd: string): Promise<TscRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

function runTsc(compiler: Compiler, args: string[], cwd: string): Promise<TscRun> {
  return runNode([path.join(compiler.packageDir, "bin", "tsc"), ...args], cwd);
}

/**
 * Makes the app a reader of the getting-started page has: `npm init -y`'s package.json, then
 * `eventc init` and `eventc generate` (the TypeScript targets), with eventsource-parser installed so
 * that the SSE client is emitted. `dir` must reach eventc, zod and eventsource-parser in a
 * node_modules above it.
 */
async function makeInitProject(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "my-app", version: "1.0.0", main: "index.js", type: "commonjs" }, null, 2)}\n`);
  for (const args of [["init"], ["generate", "--target", "typescript", "runtime"]]) {
    const run = await runNode([path.join(ROOT, "bin", "eventc.js"), ...args], dir);
    if (run.status !== 0) throw new Error(`\`eventc ${args.join(" ")}\` failed in the getting-started project (exit ${run.status}):\n${run.output}`);
  }
}

/** A first line such as `// schemas/session.ts` or `// producer.ts — node-redis this time`. */
const FILE_COMMENT = /^\/\/\s*((?:[\w.-]+\/)*[\w.-]+\.[mc]?tsx?)(?=\s|$)/;

/**
 * Where a snippet lives in the scratch project: in the folder its first-line comment names (the
 * root by default, beside `generated/`), under a name made unique by its place in the docs —
 * `docs--runtime.md-L68.ts`, `src/docs--start.md-L12--consumer.ts`. All snippets share the one
 * `generated/`: TypeScript does not resolve a relative import through a link to its real path, so
 * a link per snippet would put a copy of the SDK into the program per snippet.
 */
export function modulePath(snippet: Snippet): string {
  const unique = `${snippet.file.replace(/[^A-Za-z0-9._-]+/g, "--")}-L${snippet.line}`;
  const named = FILE_COMMENT.exec(snippet.code.trimStart())?.[1];
  if (named !== undefined && !named.split("/").some((segment) => segment === "." || segment === ".." || segment === "generated" || segment === "node_modules")) {
    const slash = named.lastIndexOf("/");
    return `${named.slice(0, slash + 1)}${unique}--${named.slice(slash + 1)}`;
  }
  const language = snippet.info.split(/\s+/)[0]?.toLowerCase();
  return `${unique}.${language === "tsx" || language === "mts" || language === "cts" ? language : "ts"}`;
}

/**
 * Type-checks `snippets` with one TypeScript version. Partial snippets are skipped; an info string
 * the checker does not accept is a problem of its own.
 */
export async function checkSnippets(snippets: readonly Snippet[], compiler: Compiler): Promise<SnippetCheck> {
  const version = (JSON.parse(readFileSync(path.join(compiler.packageDir, "package.json"), "utf8")) as { version: string }).version;
  if (!existsSync(path.join(ROOT, "dist", "index.d.ts"))) throw new Error("dist/index.d.ts is missing: run `npm run build` first (snippets import eventc from dist).");
  const problems: SnippetProblem[] = [];
  const checked: Snippet[] = [];
  const skipped: Snippet[] = [];
  for (const snippet of snippets) {
    if (snippet.infoError !== undefined) problems.push({ location: `${snippet.file}:${snippet.line}`, code: "info", message: snippet.infoError });
    if (snippet.partial !== undefined) skipped.push(snippet);
    else checked.push(snippet);
  }

  const dir = mkdtempSync(path.join(tmpdir(), "eventc-snippets-"));
  try {
    writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "snippets", private: true, type: "module" }, null, 2)}\n`);
    symlinkSync(path.join(ROOT, "generated"), path.join(dir, "generated"), "dir");
    for (const [name, target] of PACKAGES) {
      mkdirSync(path.dirname(path.join(dir, "node_modules", name)), { recursive: true });
      symlinkSync(target, path.join(dir, "node_modules", name), "dir");
    }
    // The settings a new user starts from: this version's own `tsc --init`.
    const [init] = await Promise.all([
      runTsc(compiler, ["--init"], dir),
      checked.some((snippet) => snippet.project === "init") ? makeInitProject(path.join(dir, "init")) : undefined,
    ]);
    if (init.status !== 0 || !existsSync(path.join(dir, "tsconfig.json"))) throw new Error(`tsc --init failed (${init.status}):\n${init.output}`);

    const byModule = new Map<string, Snippet>();
    const files: Record<Snippet["environment"], string[]> = { node: [], plain: [] };
    for (const snippet of checked) {
      const name = `${snippet.project === "init" ? "init/" : ""}${modulePath(snippet)}`;
      byModule.set(name, snippet);
      files[snippet.environment].push(name);
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), `${snippet.code}\n`);
    }
    const configs: Record<Snippet["environment"], string> = { node: "tsconfig.node.json", plain: "tsconfig.plain.json" };
    for (const environment of ["node", "plain"] as const) {
      const compilerOptions = environment === "node" ? { types: ["node"], noEmit: true } : { noEmit: true };
      writeFileSync(path.join(dir, configs[environment]), JSON.stringify({ extends: "./tsconfig.json", compilerOptions, files: files[environment] }, null, 2));
    }

    const environments = (["node", "plain"] as const).filter((environment) => files[environment].length > 0);
    const [shown, ...runs] = await Promise.all([
      runTsc(compiler, ["-p", configs.node, "--showConfig"], dir),
      ...environments.map((environment) => runTsc(compiler, ["-p", configs[environment], "--pretty", "false"], dir)),
    ]);
    const settings = shown === undefined || shown.status !== 0 ? {} : ((JSON.parse(shown.output) as { compilerOptions?: Record<string, unknown> }).compilerOptions ?? {});
    for (const run of runs) {
      const found = parseDiagnostics(run.output, dir, byModule);
      problems.push(...found);
      if (run.status !== 0 && found.length === 0) problems.push({ location: "tsc", code: `exit ${run.status}`, message: run.output.trim() || "tsc failed without a message" });
    }
    problems.sort(byPlace);
    return { compiler: `TypeScript ${version}`, checked, skipped, problems, settings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Orders problems by file, line and column; those without a place (`tsc`) last, as they came. */
function byPlace(a: SnippetProblem, b: SnippetProblem): number {
  const key = (problem: SnippetProblem): [string, number, number] => {
    const match = /^(.*?):(\d+)(?::(\d+))?$/.exec(problem.location);
    return match === null ? ["\u{10FFFF}", 0, 0] : [match[1] ?? "", Number(match[2]), Number(match[3] ?? 0)];
  };
  const [fileA, lineA, columnA] = key(a);
  const [fileB, lineB, columnB] = key(b);
  return fileA < fileB ? -1 : fileA > fileB ? 1 : lineA - lineB || columnA - columnB;
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (?:error|warning) (TS\d+): (.*)$/;
const GLOBAL_DIAGNOSTIC = /^(?:error|warning) (TS\d+): (.*)$/;

/** Reads `tsc --pretty false` output, mapping each place in a snippet module back to its Markdown line. */
export function parseDiagnostics(output: string, dir: string, byModule: ReadonlyMap<string, Snippet>): SnippetProblem[] {
  const problems: SnippetProblem[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const located = DIAGNOSTIC.exec(line);
    const global = located === null ? GLOBAL_DIAGNOSTIC.exec(line) : null;
    const last = problems.at(-1);
    if (located !== null) {
      const [, file = "", row = "0", column = "0", code = "", message = ""] = located;
      problems.push({ ...place(file, Number(row), Number(column), dir, byModule), code, message });
    } else if (global !== null) {
      problems.push({ location: "tsc", code: global[1] ?? "", message: global[2] ?? "" });
    } else if (/^\s/.test(line) && last !== undefined) {
      last.message += `\n${line.trim()}`;
    } else {
      problems.push({ location: "tsc", code: "", message: line });
    }
  }
  return problems;
}

function place(file: string, row: number, column: number, dir: string, byModule: ReadonlyMap<string, Snippet>): { location: string; source?: string } {
  const absolute = path.resolve(dir, file);
  const inProject = path.relative(dir, absolute).split(path.sep).join("/");
  const snippet = byModule.get(inProject);
  if (snippet !== undefined) {
    const source = snippet.code.split("\n")[row - 1];
    const location = `${snippet.file}:${snippet.line + row}:${column + snippet.indent}`;
    return source === undefined ? { location } : { location, source };
  }
  // The example's SDK through the project's `generated` link (or at its real place in the
  // repository), or the SDK of the project `eventc init` made.
  const linked = inProject.startsWith("generated/") ? inProject : inProject.startsWith("init/generated/") ? `(eventc init project) ${inProject.slice("init/".length)}` : undefined;
  const inRoot = path.relative(ROOT, absolute);
  const shown = linked ?? (inRoot.startsWith("..") || path.isAbsolute(inRoot) ? absolute : inRoot.split(path.sep).join("/"));
  return { location: `${shown}:${row}:${column}` };
}

/** The problems as a list a reader can act on, one entry per diagnostic. */
export function formatProblems(check: Pick<SnippetCheck, "compiler" | "problems">): string {
  if (check.problems.length === 0) return "";
  const entries = check.problems.map((problem) => {
    const [first = "", ...more] = problem.message.split("\n");
    const lines = [`${problem.location}  ${problem.code}  ${first}`, ...more.map((text) => `    ${text}`)];
    if (problem.source !== undefined) lines.push(`    | ${problem.source.trim()}`);
    return lines.join("\n");
  });
  const hint = check.problems.some((problem) => problem.code === "TS2580" || problem.code === "TS2591")
    ? "\n(A snippet is checked as Node code, with @types/node, when it imports node:…, ioredis, redis or ws or reads process.…; any other with tsc --init's \"types\": [].)"
    : "";
  return `${check.problems.length} problem(s) in the documentation's TypeScript snippets under ${check.compiler} (tsc --init settings):\n\n${entries.join("\n\n")}${hint}\n`;
}
