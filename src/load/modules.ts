/**
 * Finds the schema modules of a catalogue and imports them (TypeScript or JavaScript) with jiti.
 * Import failures become EventcErrors that name the file, and the line where the parser knows it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createJiti } from "jiti";
import { EventcError } from "../errors.js";

const MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** Schema module files under `dir`, recursively, sorted by relative path (declaration files excluded). */
export function findSchemaModules(dir: string, display: string = dir): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EventcError(`schemas folder "${display}" does not exist (set it with --schemas or "schemas" in eventc.config.ts)`);
  }
  const files: string[] = [];
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) visit(full);
      } else if (MODULE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !/\.d\.[mc]?ts$/.test(entry.name)) {
        files.push(full);
      }
    }
  };
  visit(dir);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The module that `import … from "eventc"` resolves to inside schema files: this running copy of
 * eventc, so that a globally installed or npx-run eventc compiles a project that has none locally.
 * It is the authoring module alone: schema modules need nothing heavier.
 */
function authoringModule(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "..", "authoring.js"), path.join(here, "..", "authoring.ts")];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

let loader: ReturnType<typeof createJiti> | undefined;

function jiti(): ReturnType<typeof createJiti> {
  loader ??= createJiti(import.meta.url, {
    moduleCache: true,
    interopDefault: false,
    alias: { eventc: authoringModule() },
  });
  return loader;
}

/**
 * Drops the cached modules under `dir`, so the next import reads the files again (watch mode, and
 * several catalogues loaded in one process). Shared dependencies such as zod stay cached.
 */
export function forgetModules(dir: string): void {
  const cache = createRequire(import.meta.url).cache;
  const prefix = path.resolve(dir) + path.sep;
  for (const key of Object.keys(cache)) {
    if (key.startsWith(prefix) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete cache[key];
  }
}

/** Imports one schema module and returns its exports. `display` is the path used in messages. */
export async function importSchemaModule(file: string, display: string): Promise<Record<string, unknown>> {
  try {
    const exports = await jiti().import<Record<string, unknown>>(file);
    return typeof exports === "object" && exports !== null ? exports : {};
  } catch (error) {
    throw importError(error, file, display);
  }
}

function importError(error: unknown, file: string, display: string): EventcError {
  const message = error instanceof Error ? error.message : String(error);
  // jiti reports syntax errors as "ParseError: <reason> \n <file>:<line>:<column>".
  const parse = /^ParseError:\s*(.*?)\s*\n\s*(.+):(\d+):(\d+)\s*$/s.exec(message);
  if (parse) {
    return new EventcError(`syntax error: ${parse[1]!.trim() || "unexpected token"}`, {
      file: parse[2] === file ? display : parse[2]!,
      line: Number(parse[3]),
      column: Number(parse[4]),
    });
  }
  const firstLine = message.split("\n")[0]!;
  const location = error instanceof Error ? lineInFile(error.stack ?? "", file) : undefined;
  return new EventcError(`failed to load: ${firstLine}`, { file: display, ...(location === undefined ? {} : { line: location }) });
}

/** The line of `file` named in a stack trace, if the error was thrown from inside it. */
function lineInFile(stack: string, file: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}:(\\d+):\\d+`).exec(stack);
  return match ? Number(match[1]) : undefined;
}
