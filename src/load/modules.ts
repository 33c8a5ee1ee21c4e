/**
 * Finds the schema modules of a catalogue and imports them (TypeScript or JavaScript) with jiti.
 * Import failures become EventcErrors that name the file, and the line where the parser knows it.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createJiti } from "jiti";
import { EventcError } from "../errors.js";
import { didYouMean } from "./did-you-mean.js";
import { calledExpression, importOf, quoteLine, userMessage } from "./user-expression.js";

const MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/**
 * Schema module files under `dir`, recursively, sorted by path (declaration files excluded).
 * Symbolic links are followed, to files and to folders alike; a link that leads back into a folder
 * it is inside of is an error, as is a broken link. A file or folder name that is not UTF-8 is an
 * error too: Node can only import modules by UTF-8 paths.
 */
export function findSchemaModules(dir: string, display: string = dir): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EventcError(`schemas folder "${display}" does not exist (set it with --schemas or "schemas" in eventc.config.ts)`);
  }
  const shown = (full: string): string => path.join(display, path.relative(dir, full)).split(path.sep).join("/");
  const files: string[] = [];
  /** `inside`: the real paths of the folders being visited, outermost first. */
  const visit = (folder: string, inside: string[]): void => {
    for (const raw of readdirSync(folder, { encoding: "buffer" })) {
      const name = raw.toString("utf8");
      if (name === "node_modules" || name.startsWith(".")) continue;
      const isModuleName = MODULE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !/\.d\.[mc]?ts$/.test(name);
      if (!Buffer.from(name, "utf8").equals(raw)) {
        const stats = lstatSync(Buffer.concat([Buffer.from(folder + path.sep), raw]));
        if (isModuleName || stats.isDirectory() || stats.isSymbolicLink()) {
          throw new EventcError(`name is not valid UTF-8; rename it (Node imports modules by UTF-8 paths only)`, { file: shown(path.join(folder, escapeBytes(raw))) });
        }
        continue;
      }
      const full = path.join(folder, name);
      let stats = lstatSync(full);
      if (stats.isSymbolicLink()) {
        try {
          stats = statSync(full);
        } catch {
          throw new EventcError(`symbolic link is broken: "${readlinkSync(full)}" does not exist`, { file: shown(full) });
        }
      }
      if (stats.isDirectory()) {
        const real = realpathSync(full);
        const loop = inside.find((ancestor) => ancestor === real);
        if (loop !== undefined) {
          throw new EventcError(`symbolic link loop: "${readlinkSync(full)}" leads back to a folder it is inside of; remove the link`, { file: shown(full) });
        }
        visit(full, [...inside, real]);
      } else if (stats.isFile() && isModuleName) {
        files.push(full);
      }
    }
  };
  visit(dir, [realpathSync(dir)]);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A file name with every byte outside ASCII written as `\xHH`, for messages. */
function escapeBytes(name: Buffer): string {
  return [...name].map((byte) => (byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
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
 * Drops the cached modules under `dir`, and those of `files` (reached through symbolic links, they
 * are cached under their real paths), so the next import reads the files again (watch mode, and
 * several catalogues loaded in one process). Shared dependencies such as zod stay cached.
 */
export function forgetModules(dir: string, files: string[] = []): void {
  const cache = createRequire(import.meta.url).cache;
  const prefix = path.resolve(dir) + path.sep;
  const linked = new Set<string>();
  for (const file of files) {
    try {
      linked.add(realpathSync(file));
    } catch {
      // gone since it was listed: nothing cached under it matters
    }
  }
  for (const key of Object.keys(cache)) {
    if ((key.startsWith(prefix) && !key.includes(`${path.sep}node_modules${path.sep}`)) || linked.has(key)) delete cache[key];
  }
}

/** Thrown by `process.exit` while a schema module is being evaluated. */
class ModuleExit extends Error {
  constructor(readonly code: unknown) {
    super(`called process.exit(${code === undefined ? "" : JSON.stringify(code)}) while loading; a schema module must not end the process`);
  }
}

/**
 * Imports one schema module and returns its exports. `display` is the path used in messages.
 * While the module is evaluated, `process.exit` throws instead: a module that ends the process
 * would otherwise end the run with its exit code (`generate --check` exiting 0, nothing checked).
 */
export async function importSchemaModule(file: string, display: string): Promise<Record<string, unknown>> {
  const exit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new ModuleExit(code);
  }) as typeof process.exit;
  try {
    const exports = await jiti().import<Record<string, unknown>>(file);
    return typeof exports === "object" && exports !== null ? exports : {};
  } catch (error) {
    throw importError(error, file, display);
  } finally {
    process.exit = exit;
  }
}

/**
 * An import cycle among the relative imports reachable from `file` (statically read), as the list
 * of files around it with the first repeated at the end; undefined when there is none.
 */
export function findImportCycle(file: string): string[] | undefined {
  const { ts } = createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph");
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (current: string): string[] | undefined => {
    const at = stack.indexOf(current);
    if (at !== -1) return [...stack.slice(at), current];
    if (done.has(current)) return undefined;
    stack.push(current);
    let text = "";
    try {
      text = readFileSync(current, "utf8");
    } catch {
      // unreadable: no edges
    }
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      const target = fileName.startsWith(".") ? resolveRelative(path.dirname(current), fileName) : undefined;
      const cycle = target === undefined ? undefined : visit(target);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    done.add(current);
    return undefined;
  };
  return visit(file);
}

/** One clause on an import cycle and how to break it, for messages. */
export function describeCycle(cycle: string[]): string {
  const shown = cycle.map((file) => path.relative(process.cwd(), file).split(path.sep).join("/"));
  return `circular import ${shown.join(" → ")}, so one module reads another's exports before they are set; move the shared schemas into a module they all import`;
}

/** The module file a relative specifier names, the way TypeScript-aware loaders resolve it. */
function resolveRelative(folder: string, specifier: string): string | undefined {
  const base = path.resolve(folder, specifier);
  const swapped = /\.[mc]?js$/.test(base) ? [base.replace(/js$/, "ts")] : [];
  const candidates = [base, ...swapped, ...MODULE_EXTENSIONS.map((ext) => base + ext), ...MODULE_EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
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
  let text = error instanceof ModuleExit ? error.message : `failed to load: ${message.split("\n")[0]!}`;
  // A package the module imports that is not installed: say what to install.
  const missing = /^Cannot find (?:module|package) '([^'./][^']*)'/.exec(message);
  if (missing) {
    const name = missing[1]!.startsWith("@") ? missing[1]!.split("/").slice(0, 2).join("/") : missing[1]!.split("/")[0]!;
    text += `: the package "${name}" is not installed where this module can find it; install it in the project (npm install ${name})`;
  }
  // A module of an import cycle reads the others' exports before they are set (undefined).
  if (/Cannot read properties of undefined|before initialization/.test(message)) {
    const cycle = findImportCycle(file);
    if (cycle !== undefined) text += `: ${describeCycle(cycle)}`;
  }
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  // Where it was thrown: this module, or one it imports (the other side of a cycle, say).
  const thrown = throwingFrame(stack);
  const at = thrown !== undefined && thrown.file !== file ? thrown : lineInFile(stack, file);
  const shown = at === undefined || at.file === file ? display : path.join(path.dirname(display), path.relative(path.dirname(file), at.file)).split(path.sep).join("/");
  if (at === undefined) return new EventcError(text, { file: shown });
  const written = inUserTerms(message.split("\n")[0]!, at);
  if (written !== undefined) return new EventcError(`failed to load: ${written.message}`, { file: shown, line: at.line, column: written.column });
  return new EventcError(text, { file: shown, line: at.line });
}

/**
 * "… is not a function" in the user's terms: the expression as written (not as the transpiler
 * renamed it), what the called name may have been meant to be, and the source line quoted.
 */
function inUserTerms(message: string, at: StackPosition): { message: string; column: number } | undefined {
  let source: string;
  try {
    source = readFileSync(at.file, "utf8");
  } catch {
    return undefined;
  }
  const expression = calledExpression(message, source, at.file, at.line, at.column);
  if (expression === undefined) return undefined;
  const meant = expression.names === undefined ? undefined : suggestMember(source, at.file, expression.names);
  const text = `${userMessage(message, expression)}${meant === undefined ? "" : meant}`;
  return { message: `${text}\n${quoteLine(source, expression.line, expression.column, expression.length)}`, column: expression.column };
}

/**
 * For `z.strin` (a chain from an imported binding): `; did you mean z.string?` from the names the
 * imported object really has, or, when the import itself names nothing, `: "eventc" has no export
 * named "defineEvnt"; did you mean defineEvent?`. The module was loaded already by the failing
 * one; undefined when it cannot be read or nothing is close.
 */
function suggestMember(source: string, file: string, names: readonly string[]): string | undefined {
  const binding = importOf(source, file, names[0]!);
  if (binding === undefined || binding.module.startsWith(".")) return undefined;
  let namespace: unknown;
  try {
    namespace = loadedModule(binding.module, file);
  } catch {
    return undefined;
  }
  let value = namespace;
  const steps = binding.imported === "*" ? names.slice(1) : [binding.imported, ...names.slice(1)];
  for (const [index, step] of steps.entries()) {
    const keys = memberNames(value);
    if (keys === undefined) return undefined;
    if (!keys.includes(step)) {
      const close = didYouMean(step, keys);
      // The imported binding itself is what does not exist.
      if (index === 0 && binding.imported !== "*") {
        const head = `: "${binding.module}" has no export named "${step}"`;
        return close.length === 0 ? head : `${head}; did you mean ${close.join(" or ")}?`;
      }
      if (close.length === 0) return undefined;
      const owner = names.slice(0, names.length - (steps.length - index)).join(".");
      return `; did you mean ${close.map((name) => `${owner}.${name}`).join(" or ")}?`;
    }
    value = (value as Record<string, unknown>)[step];
  }
  return undefined;
}

/** Own and inherited property names of an object or function (Object's own excepted). */
function memberNames(value: unknown): string[] | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  const names = new Set<string>();
  for (let object: object | null = value; object !== null && object !== Object.prototype && object !== Function.prototype; object = Object.getPrototypeOf(object) as object | null) {
    for (const name of Object.getOwnPropertyNames(object)) if (name !== "constructor") names.add(name);
  }
  return [...names];
}

/** A package a schema module imports, as that module sees it (already in jiti's cache). */
function loadedModule(specifier: string, from: string): unknown {
  return jiti()(jiti().esmResolve(specifier, { parentURL: pathToFileURL(from) }));
}

/** This copy of eventc's own folder (`dist/` or `src/`): its frames are not the user's. */
const EVENTC_FOLDER = path.dirname(path.dirname(fileURLToPath(import.meta.url))) + path.sep;

interface StackPosition {
  file: string;
  line: number;
  /** The column in the text that ran (transpiled: not the user's column). */
  column: number;
}

/** The first stack frame in a user's file (not Node's, a package's or eventc's). */
function throwingFrame(stack: string): StackPosition | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const match = /(?:\(|at )(file:\/\/\S+?|(?:[A-Za-z]:)?[\\/][^()]*?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (match === null) continue;
    const frameFile = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (frameFile.startsWith(EVENTC_FOLDER) || frameFile.includes(`${path.sep}node_modules${path.sep}`) || !existsSync(frameFile)) continue;
    return { file: frameFile, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/** Where in `file` a stack trace says the error was thrown, if inside it. */
function lineInFile(stack: string, file: string): StackPosition | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  return match ? { file, line: Number(match[1]), column: Number(match[2]) } : undefined;
}
