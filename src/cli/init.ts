/**
 * `eventc init`: makes a folder a project that runs. It writes the first event (`schemas/user.ts`),
 * `eventc.config.ts`, an example program that sends that event through the generated bus, the
 * `tsconfig.json` that `tsc --init` writes, and a `package.json` — created, or completed with what
 * it lacks — then prints the commands to run next.
 *
 * It never overwrites a file: fields and scripts already in package.json are kept (and it says
 * which), an existing tsconfig.json is kept, and when one of the files it creates exists already it
 * stops before writing anything.
 *
 * Module kind: the example and the generated code are ES modules. A package.json without
 * `"type": "module"` is set to it when no module of the project depends on its type (an empty
 * folder, or one with only `npm init -y`, which writes `"type": "commonjs"`); a CommonJS project
 * with code of its own keeps its type, and the new modules are `.mts` files, which are ES modules in
 * any package.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { CONFIG_FILES } from "../config.js";
import { EventcError, throwIfAny } from "../errors.js";

const EXAMPLE_SCHEMA = `import { z } from "zod";
import { defineEvent } from "eventc";

/** A reusable named type: it becomes \`User\` in every target. */
export const User = z
  .object({
    id: z.string().describe("Stable user id."),
    name: z.string(),
  })
  .meta({ id: "User" });

export const userSignedIn = defineEvent("user.signed-in", {
  description: "A user signed in.",
  topic: "user.id",
  coalesce: ["user.id"],
  versions: {
    1: z.object({
      user: User,
      method: z.enum(["password", "sso", "token"]),
      at: z.iso.datetime(),
    }),
  },
});
`;

/** The same event for Zod 3, which has no \`.meta()\` and no \`z.iso\`. */
const EXAMPLE_SCHEMA_ZOD3 = `import { z } from "zod";
import { defineEvent } from "eventc";

// Written for Zod 3. Named types (\`.meta({ id: "User" })\`: one reusable \`User\` in every
// target) need Zod 4; with zod 3.25 or later, \`import { z } from "zod/v4"\` has them.
export const User = z.object({
  id: z.string().describe("Stable user id."),
  name: z.string(),
});

export const userSignedIn = defineEvent("user.signed-in", {
  description: "A user signed in.",
  topic: "user.id",
  coalesce: ["user.id"],
  versions: {
    1: z.object({
      user: User,
      method: z.enum(["password", "sso", "token"]),
      at: z.string().datetime(),
    }),
  },
});
`;

const EXAMPLE_CONFIG = `import { defineConfig } from "eventc";

export default defineConfig({
  schemas: "schemas",
  out: "generated",
});
`;

const EXAMPLE_PROGRAM = `// A producer and a consumer of "user.signed-in" in one process, through the bus that
// \`npx eventc generate\` writes to generated/. Run it with \`npm run example\`.
import { createBus } from "./generated/runtime/index.js";
import { parseEvent } from "./generated/ts/index.js";

const bus = createBus(); // in process; every publish is checked against schemas/user

// The consumer: every version of "user.signed-in", its payload typed by the schema.
const received = new Promise<void>((resolve) => {
  bus.subscribe("user.signed-in", (envelope) => {
    const { user, method } = envelope.event.payload;
    console.log(\`received \${envelope.event.type} on topic \${envelope.topic}: \${user.name} signed in with \${method}\`);
    resolve();
  });
});

// The producer: the latest version of the event, validated before it is sent.
await bus.publish("user.signed-in", { user: { id: "u1", name: "Ada" }, method: "sso", at: new Date().toISOString() });
await received;
await bus.close();

// JSON from another process or language goes through the SDK's validator before it is used.
const incoming = parseEvent('{"type":"user.signed-in.v1","payload":{"user":{"id":"u2"},"method":"fax","at":"yesterday"}}');
if (incoming.kind === "invalid") {
  for (const issue of incoming.issues) console.log(\`rejected \${issue.path}: \${issue.message}\`);
}
`;

/** Exactly what \`tsc --init\` writes with TypeScript 5.9 and 7 (test/init.test.ts compares them). */
const TSCONFIG = `{
  // Visit https://aka.ms/tsconfig to read more about this file
  "compilerOptions": {
    // File Layout
    // "rootDir": "./src",
    // "outDir": "./dist",

    // Environment Settings
    // See also https://aka.ms/tsconfig/module
    "module": "nodenext",
    "target": "esnext",
    "types": [],
    // For nodejs:
    // "lib": ["esnext"],
    // "types": ["node"],
    // and npm install -D @types/node

    // Other Outputs
    "sourceMap": true,
    "declaration": true,
    "declarationMap": true,

    // Stricter Typechecking Options
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,

    // Style Options
    // "noImplicitReturns": true,
    // "noImplicitOverride": true,
    // "noUnusedLocals": true,
    // "noUnusedParameters": true,
    // "noFallthroughCasesInSwitch": true,
    // "noPropertyAccessFromIndexSignature": true,

    // Recommended Options
    "strict": true,
    "jsx": "react-jsx",
    "verbatimModuleSyntax": true,
    "isolatedModules": true,
    "noUncheckedSideEffectImports": true,
    "moduleDetection": "force",
    "skipLibCheck": true,
  }
}
`;

/** The scripts init adds to package.json, by name; `example` runs the example file. */
function scriptsFor(extension: string): [string, string][] {
  return [
    ["generate", "eventc generate"],
    ["check", "eventc check"],
    ["lock", "eventc lock"],
    ["example", `tsx example${extension}`],
  ];
}

/** Files whose module kind follows package.json's "type" (a `.mjs`, `.cjs`, `.mts` or `.cts` has its own). */
const TYPED_BY_PACKAGE = new Set([".js", ".jsx", ".ts", ".tsx"]);

/**
 * The modules under `dir` whose meaning would change with package.json's "type": `found` (sorted,
 * relative), and whether the search saw the whole folder (it skips node_modules and dot folders, and
 * gives up after a bounded number of entries).
 */
function modulesTypedByPackage(dir: string): { found: string[]; complete: boolean } {
  const found: string[] = [];
  let budget = 20_000;
  const visit = (folder: string, depth: number): boolean => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return true;
    }
    for (const entry of entries) {
      if (--budget < 0) return false;
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth >= 8 || !visit(full, depth + 1)) return false;
      } else if (entry.isFile() && TYPED_BY_PACKAGE.has(path.extname(entry.name))) {
        found.push(path.relative(dir, full).split(path.sep).join("/"));
      }
    }
    return true;
  };
  const complete = visit(dir, 0);
  return { found: found.sort(), complete };
}

/** The version of `name` that a module in `dir` would import, or undefined when it is not installed there. */
function installedVersion(dir: string, name: string): string | undefined {
  try {
    const manifest = createRequire(path.join(dir, "eventc-init.js")).resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return undefined;
  }
}

function packageVersion(): string {
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

type Manifest = Record<string, unknown>;

/** package.json as an object, with the indentation to write it back with; undefined when there is none. */
function readManifest(file: string, display: string): { manifest: Manifest; indent: string } | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at === null ? undefined : text.slice(0, Number(at[1])).split("\n").length;
    throw new EventcError(`is not valid JSON (${message}); fix it, then run eventc init again`, line === undefined ? { file: display } : { file: display, line });
  }
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new EventcError(`is not a JSON object; fix it, then run eventc init again`, { file: display });
  }
  const scripts = (manifest as Manifest).scripts;
  if (scripts !== undefined && (scripts === null || typeof scripts !== "object" || Array.isArray(scripts))) {
    throw new EventcError(`"scripts" is not an object; fix it, then run eventc init again`, { file: display });
  }
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? "  ";
  return { manifest: manifest as Manifest, indent };
}

/** A package name npm accepts, from a folder name. */
function packageName(dir: string): string {
  const name = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+/, "")
    .slice(0, 214);
  return name === "" ? "app" : name;
}

/** A list in prose: `a`, `a and b`, `a, b and c`. */
function prose(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)!}`;
}

/** The module kind of the new files, and what init says about package.json's "type". */
interface ModuleKind {
  /** `.ts` in an ES-module package, `.mts` in a CommonJS one. */
  extension: ".ts" | ".mts";
  /** The change to "type", as printed; undefined when "type" stays as it is. */
  typeChange?: string;
  /** Why "type" stays CommonJS, as printed. */
  note?: string;
}

function moduleKind(dir: string, existing: Manifest | undefined): ModuleKind {
  if (existing === undefined) return { extension: ".ts", typeChange: `"type": "module"` };
  const declared = existing.type;
  if (declared === "module") return { extension: ".ts" };
  const modules = modulesTypedByPackage(dir);
  if (modules.complete && modules.found.length === 0) {
    return { extension: ".ts", typeChange: `"type": "module"${declared === undefined ? "" : ` (was ${JSON.stringify(declared)}; no module here depends on it)`}` };
  }
  const kind = declared === undefined ? "its default type, CommonJS" : `"type": ${JSON.stringify(declared)}`;
  const [first, ...more] = modules.found;
  const why = first === undefined ? "this folder has too many files to look through" : more.length === 0 ? `${first} is a CommonJS module` : `${first} and ${more.length} more are CommonJS modules`;
  return { extension: ".mts", note: `note: package.json keeps ${kind} (${why}), so the new modules are .mts files: ES modules in any package` };
}

/** package.json completed with what it lacks: its new text (undefined when nothing changes), and what was kept. */
function completeManifest(dir: string, existing: { manifest: Manifest; indent: string } | undefined, kind: ModuleKind): { contents?: string; changes: string[]; kept: string[]; exampleScript: boolean } {
  const manifest: Manifest = existing === undefined ? { name: packageName(dir), version: "0.1.0", private: true } : { ...existing.manifest };
  if (kind.typeChange !== undefined) manifest.type = "module";
  const scripts = { ...((manifest.scripts as Record<string, unknown> | undefined) ?? {}) };
  const added: string[] = [];
  const kept: string[] = [];
  for (const [name, command] of scriptsFor(kind.extension)) {
    if (scripts[name] === undefined) {
      scripts[name] = command;
      added.push(name);
    } else if (scripts[name] !== command) {
      kept.push(`scripts.${name} (${JSON.stringify(scripts[name])})`);
    }
  }
  manifest.scripts = scripts;
  const changes = [...(kind.typeChange === undefined ? [] : [kind.typeChange]), ...(added.length === 0 ? [] : [`scripts ${added.join(", ")}`])];
  const contents = existing === undefined || changes.length > 0 ? `${JSON.stringify(manifest, null, existing?.indent ?? "  ")}\n` : undefined;
  return { ...(contents === undefined ? {} : { contents }), changes, kept, exampleScript: scripts.example === `tsx example${kind.extension}` };
}

/**
 * What to run next, with a local install: installing what is missing, then npx (which runs the
 * project's node_modules/.bin) and the scripts init added.
 */
function nextSteps(dir: string, extension: string, exampleScript: boolean): string {
  const missing = [
    ...(installedVersion(dir, "eventc") === undefined ? [`path/to/eventc-${packageVersion()}.tgz`] : []),
    ...["zod", "tsx", "typescript"].filter((name) => installedVersion(dir, name) === undefined),
  ];
  const install = missing.length === 0 ? [] : [`npm install --save-dev ${missing.join(" ")}${missing[0]!.endsWith(".tgz") ? "   # eventc: the tarball or git URL you install it from" : ""}`];
  const steps: [command: string, why: string][] = [
    ["npx eventc generate", "schemas/ → generated/: TypeScript SDK and runtime, JSON Schemas, Rust crate"],
    [exampleScript ? "npm run example" : `npx tsx example${extension}`, "an event published and received through the generated bus"],
    ["npx tsc --noEmit", "type-check"],
  ];
  const width = Math.max(...steps.map(([command]) => command.length));
  const lines = [
    ...(path.resolve(dir) === process.cwd() ? [] : [`cd ${path.relative(process.cwd(), dir).split(path.sep).join("/")}`]),
    ...install,
    ...steps.map(([command, why]) => `${command.padEnd(width)}   # ${why}`),
  ];
  return `next:\n${lines.map((line) => `  ${line}\n`).join("")}`;
}

export function initCommand(dir: string): number {
  const display = (file: string): string => path.relative(process.cwd(), file).split(path.sep).join("/") || ".";
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new EventcError(`is a file, not a folder; give --dir a folder (it is created when missing)`, { file: display(dir) });
  }

  // What is there: package.json and its module kind, and the zod a schema module would import.
  const manifestFile = path.join(dir, "package.json");
  const existing = readManifest(manifestFile, display(manifestFile));
  const kind = moduleKind(dir, existing?.manifest);
  const zod = installedVersion(dir, "zod");
  const zod3 = zod !== undefined && /^3\./.test(zod);

  // The files init creates; any of them already there stops it before it writes anything.
  const files = [
    { file: path.join(dir, "schemas", `user${kind.extension}`), contents: zod3 ? EXAMPLE_SCHEMA_ZOD3 : EXAMPLE_SCHEMA },
    { file: path.join(dir, `eventc.config${kind.extension}`), contents: EXAMPLE_CONFIG },
    { file: path.join(dir, `example${kind.extension}`), contents: EXAMPLE_PROGRAM },
  ];
  const configs = CONFIG_FILES.map((name) => path.join(dir, name)).filter((file) => existsSync(file));
  const conflicts = [...new Set([...files.map(({ file }) => file).filter((file) => existsSync(file)), ...configs])];
  throwIfAny(conflicts.map((file) => new EventcError(`already exists; eventc init never overwrites`, { file: display(file) })));

  const manifest = completeManifest(dir, existing, kind);
  const tsconfig = path.join(dir, "tsconfig.json");
  const keptTsconfig = existsSync(tsconfig);
  const writes = [
    ...(manifest.contents === undefined
      ? []
      : [{ file: manifestFile, contents: manifest.contents, line: existing === undefined ? `created ${display(manifestFile)} (${manifest.changes.join(", ")})` : `updated ${display(manifestFile)}: ${manifest.changes.join(", ")}` }]),
    ...(keptTsconfig ? [] : [{ file: tsconfig, contents: TSCONFIG, line: `created ${display(tsconfig)}` }]),
    ...files.map(({ file, contents }) => ({ file, contents, line: `created ${display(file)}` })),
  ];
  for (const { file, contents, line } of writes) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      throw new EventcError(`cannot be created (${code})`, { file: display(file) });
    }
    process.stdout.write(`${line}\n`);
  }
  if (manifest.kept.length > 0) process.stdout.write(`kept ${display(manifestFile)} ${prose(manifest.kept)}\n`);
  if (keptTsconfig) process.stdout.write(`kept ${display(tsconfig)}\n`);
  if (kind.note !== undefined) process.stdout.write(`${kind.note}\n`);
  if (zod3) process.stdout.write(`note: zod ${zod} is installed, so the example is written for Zod 3; named types (.meta({ id })) need Zod 4\n`);
  process.stdout.write(nextSteps(dir, kind.extension, manifest.exampleScript));
  return 0;
}
