/**
 * The writer: the only code that writes generated output to disk.
 *
 * - Skips files whose bytes are unchanged.
 * - All-or-nothing: every changed file is first staged as a temporary file beside its target; only
 *   when all are staged are they renamed into place. A failure while staging removes the staged
 *   files and any folder it created, so the output folder is left as it was.
 * - Removes stale outputs it generated earlier, and only those: what it generated is recorded in
 *   a manifest (`.eventc-manifest.json`) in the output folder. The manifest is committed with the
 *   output, so it is untrusted input: an entry is acted on only when it is a plain relative path
 *   to a regular file inside the output folder, reached without following a symbolic link. Any
 *   other entry is reported (`ignored`) and dropped from the manifest, and the file it names is
 *   never touched. Clean-up of emptied folders never climbs above the output folder.
 * - Never writes through a symbolic link that leads out of the output folder.
 * - In check mode writes nothing and reports every missing, stale and extra file.
 */
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EventcError } from "./errors.js";

export const MANIFEST = ".eventc-manifest.json";

/** A file to write, `path` relative to the output folder with "/" separators. */
export interface PlannedFile {
  path: string;
  contents: string;
}

export interface WriteOptions {
  /** Output folder. */
  outDir: string;
  /**
   * Folders (relative to outDir) this run owns. Manifest entries under them that are no longer
   * produced are stale; entries elsewhere belong to targets not run this time and are kept.
   */
  ownedFolders: string[];
  /** How paths are shown in messages (relative to the working directory). */
  display?: (file: string) => string;
}

export interface WriteReport {
  written: string[];
  unchanged: string[];
  removed: string[];
  /** Manifest entries that were not acted on, and why (see the module comment). */
  ignored: IgnoredEntry[];
}

export interface IgnoredEntry {
  entry: string;
  reason: string;
}

export interface CheckReport {
  missing: string[];
  stale: string[];
  extra: string[];
}

interface Plan {
  changed: PlannedFile[];
  unchanged: string[];
  extra: string[];
  ignored: IgnoredEntry[];
  manifest: string[];
  manifestChanged: boolean;
}

function readManifest(outDir: string, display: (file: string) => string): unknown[] {
  const file = path.join(outDir, MANIFEST);
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new EventcError(`the manifest is not valid JSON; delete it and run eventc generate again`, { file: display(file) });
  }
  const files = typeof parsed === "object" && parsed !== null ? (parsed as { files?: unknown }).files : undefined;
  if (!Array.isArray(files)) {
    throw new EventcError(`the manifest's "files" must be a list of paths; delete it and run eventc generate again`, { file: display(file) });
  }
  return files;
}

/** One path segment the writer may produce: no empty, `.` or `..` segment, no separator or NUL. */
const PLAIN_SEGMENT = /^(?!\.{1,2}$)[^/\\\u0000]+$/;

/**
 * Why `relative` (a manifest entry) must not be acted on, or undefined when it names a regular
 * file inside `outDir` reached through real folders only.
 */
function unsafeEntry(outDir: string, relative: unknown): string | undefined {
  if (typeof relative !== "string" || !relative.split("/").every((segment) => PLAIN_SEGMENT.test(segment))) {
    return "it is not a plain relative path inside the output folder";
  }
  const segments = relative.split("/");
  let current = outDir;
  for (const [index, segment] of segments.entries()) {
    current = path.join(current, segment);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      return undefined; // Nothing there: nothing to remove, nothing followed.
    }
    const last = index === segments.length - 1;
    if (stat.isSymbolicLink()) return last ? "it is a symbolic link, not a generated file" : `${segments.slice(0, index + 1).join("/")} is a symbolic link`;
    if (last && stat.isDirectory()) return "it is a folder, not a generated file";
    if (last && !stat.isFile()) return "it is not a regular file";
  }
  return undefined;
}

/** The first folder on the way to `relative` that is a symbolic link leading out of `outDir`, if any. */
function linkLeadingOut(outDir: string, relative: string): string | undefined {
  if (!existsSync(outDir)) return undefined;
  const root = realpathSync(outDir);
  const segments = relative.split("/").slice(0, -1);
  let current = outDir;
  for (const [index, segment] of segments.entries()) {
    current = path.join(current, segment);
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      return undefined;
    }
    if (!isLink) continue;
    const target = realpathSync(current);
    const inside = path.relative(root, target);
    if (inside.startsWith("..") || path.isAbsolute(inside)) return segments.slice(0, index + 1).join("/");
  }
  return undefined;
}

function manifestText(files: string[]): string {
  return `${JSON.stringify({ generatedBy: "eventc", files }, null, 2)}\n`;
}

function isOwned(file: string, owned: string[]): boolean {
  return owned.some((folder) => file.startsWith(`${folder}/`));
}

function readIfFile(file: string): string | undefined {
  try {
    return statSync(file).isFile() ? readFileSync(file, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

function plan(files: PlannedFile[], options: WriteOptions): Plan {
  const ignored: IgnoredEntry[] = [];
  const previous: string[] = [];
  for (const entry of readManifest(options.outDir, options.display ?? ((file) => file))) {
    const reason = unsafeEntry(options.outDir, entry);
    if (reason === undefined) previous.push(entry as string);
    else ignored.push({ entry: typeof entry === "string" ? entry : JSON.stringify(entry), reason });
  }
  const produced = new Set(files.map((file) => file.path));
  const changed: PlannedFile[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    if (readIfFile(path.join(options.outDir, file.path)) === file.contents) unchanged.push(file.path);
    else changed.push(file);
  }
  const extra = previous
    .filter((file) => isOwned(file, options.ownedFolders) && !produced.has(file) && existsSync(path.join(options.outDir, file)))
    .sort();
  const kept = previous.filter((file) => !isOwned(file, options.ownedFolders) && !produced.has(file));
  const manifest = [...new Set([...kept, ...produced])].sort();
  const manifestChanged = readIfFile(path.join(options.outDir, MANIFEST)) !== manifestText(manifest);
  return { changed, unchanged, extra, ignored, manifest, manifestChanged };
}

/** Compares the output folder with what would be written. Writes nothing. */
export function checkOutputs(files: PlannedFile[], options: WriteOptions): CheckReport {
  const { changed, extra, manifest, manifestChanged } = plan(files, options);
  const missing: string[] = [];
  const stale: string[] = [];
  if (manifestChanged) changed.push({ path: MANIFEST, contents: manifestText(manifest) });
  for (const file of changed) {
    (existsSync(path.join(options.outDir, file.path)) ? stale : missing).push(file.path);
  }
  return { missing: missing.sort(), stale: stale.sort(), extra };
}

/** Writes `files` into the output folder (see the module comment for the guarantees). */
export function writeOutputs(files: PlannedFile[], options: WriteOptions): WriteReport {
  const display = options.display ?? ((file: string) => file);
  const { changed, unchanged, extra, ignored, manifest, manifestChanged } = plan(files, options);
  const toWrite = manifestChanged ? [...changed, { path: MANIFEST, contents: manifestText(manifest) }] : changed;

  for (const file of toWrite) {
    const link = linkLeadingOut(options.outDir, file.path);
    if (link !== undefined) {
      throw new EventcError(`${link} is a symbolic link leading out of the output folder; nothing was written`, { file: display(options.outDir) });
    }
  }
  const staged: { temp: string; target: string }[] = [];
  const createdFolders: string[] = [];
  try {
    for (const file of toWrite) {
      const target = path.join(options.outDir, file.path);
      const folder = path.dirname(target);
      if (!existsSync(folder)) {
        const first = mkdirSync(folder, { recursive: true });
        if (first !== undefined) createdFolders.push(first);
      }
      const temp = path.join(folder, `.${path.basename(target)}.${randomBytes(4).toString("hex")}.tmp`);
      writeFileSync(temp, file.contents);
      staged.push({ temp, target });
    }
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    for (const folder of createdFolders.reverse()) rmSync(folder, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const failed = (error as NodeJS.ErrnoException).path ?? options.outDir;
    throw new EventcError(`cannot write the output folder${code ? ` (${code})` : ""}; nothing was written`, { file: display(failed) });
  }
  for (const { temp, target } of staged) renameSync(temp, target);

  for (const file of extra) {
    unlinkSync(path.join(options.outDir, file));
    removeEmptyFolders(options.outDir, file);
  }
  return { written: changed.map((file) => file.path), unchanged, removed: extra, ignored };
}

/** Removes the folders of `relative` (a checked manifest entry) that are now empty, deepest first, never `outDir` itself. */
function removeEmptyFolders(outDir: string, relative: string): void {
  const segments = relative.split("/").slice(0, -1);
  for (let depth = segments.length; depth > 0; depth--) {
    try {
      rmdirSync(path.join(outDir, ...segments.slice(0, depth)));
    } catch {
      return;
    }
  }
}
