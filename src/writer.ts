/**
 * The writer: the only code that writes generated output to disk.
 *
 * - Skips files whose bytes are unchanged.
 * - All-or-nothing: every changed file is first staged as a temporary file beside its target (or,
 *   in a folder that does not exist yet, in that folder staged whole under a temporary name); only
 *   when all are staged are they renamed into place. A failure while staging removes the staged
 *   files and any folder it created, so the output folder is left as it was. A process killed at
 *   any moment is recovered by the next run from the commit journal (see journal.ts): rolled back
 *   when it was still staging, completed when it was renaming; `--check` meanwhile reports the
 *   output as interrupted, never as up to date.
 * - Removes stale outputs it generated earlier, and only those: what it generated is recorded in
 *   a manifest (`.eventc-manifest.json`) in the output folder. The manifest is committed with the
 *   output, so it is untrusted input: an entry is acted on only when it is a plain relative path
 *   to a regular file inside the output folder, reached without following a symbolic link. Any
 *   other entry is reported (`ignored`) and dropped from the manifest, and the file it names is
 *   never touched. Clean-up of emptied folders never climbs above the output folder.
 * - Never writes through a symbolic link that leads out of the output folder.
 * - In check mode writes nothing and reports every missing, stale and extra file.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EventcError } from "./errors.js";
import { hasJournal, JOURNAL, plainRelativePath, recoverInterruptedWrite, removeJournal, sweepTemporaries, temporaryFor, writeJournal, type Journal } from "./journal.js";

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
  /** A write was interrupted (killed) and not yet recovered: the next `eventc generate` completes or undoes it. */
  interrupted: boolean;
}

interface Plan {
  /** The manifest entries acted on (checked). */
  previous: string[];
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

/**
 * Why `relative` (a manifest entry) must not be acted on, or undefined when it names a regular
 * file inside `outDir` reached through real folders only.
 */
function unsafeEntry(outDir: string, relative: unknown): string | undefined {
  if (!plainRelativePath(relative)) {
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

/** The first folder on the way to any of `files` that is a symbolic link leading out of `outDir`, if any. */
function linkLeadingOut(outDir: string, files: readonly PlannedFile[]): string | undefined {
  if (!existsSync(outDir)) return undefined;
  const root = realpathSync(outDir);
  for (const folder of foldersOf(files)) {
    const current = path.join(outDir, folder);
    let stat;
    try {
      stat = lstatSync(current, { throwIfNoEntry: false });
    } catch {
      continue; // A path through a file: nothing is followed there.
    }
    if (!stat?.isSymbolicLink()) continue;
    const inside = path.relative(root, realpathSync(current));
    if (inside.startsWith("..") || path.isAbsolute(inside)) return folder;
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
    return statSync(file, { throwIfNoEntry: false })?.isFile() ? readFileSync(file, "utf8") : undefined;
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
  return { previous, changed, unchanged, extra, ignored, manifest, manifestChanged };
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
  return { missing: missing.sort(), stale: stale.sort(), extra, interrupted: hasJournal(options.outDir) };
}

/** Writes `files` into the output folder (see the module comment for the guarantees). */
export function writeOutputs(files: PlannedFile[], options: WriteOptions): WriteReport {
  const { outDir } = options;
  const display = options.display ?? ((file: string) => file);
  recoverInterruptedWrite(outDir, (file) => removeEmptyFolders(outDir, file));
  const { previous, changed, unchanged, extra, ignored, manifest, manifestChanged } = plan(files, options);
  sweepTemporaries(outDir, [...previous, ...files.map((file) => file.path)]);
  // The manifest is renamed into place last: until then it lists what was there before.
  const toWrite = manifestChanged ? [...changed, { path: MANIFEST, contents: manifestText(manifest) }] : changed;
  const report: WriteReport = { written: changed.map((file) => file.path), unchanged, removed: extra, ignored };
  if (toWrite.length === 0 && extra.length === 0) return report;

  const link = linkLeadingOut(outDir, toWrite);
  if (link !== undefined) {
    throw new EventcError(`${link} is a symbolic link leading out of the output folder; nothing was written`, { file: display(outDir) });
  }
  const { journal: planned, staged } = stagingPlan(outDir, toWrite);
  const journal: Journal = { ...planned, removals: extra };
  const createdOutDir = !existsSync(outDir);
  try {
    if (createdOutDir) mkdirSync(outDir, { recursive: true });
    writeJournal(outDir, journal);
    for (const folder of staged.folders) mkdirSync(path.join(outDir, folder));
    for (const [file, at] of staged.files) writeFileSync(path.join(outDir, at), file.contents);
  } catch (error) {
    for (const [temp] of journal.renames) removeQuietly(path.join(outDir, temp));
    removeQuietly(path.join(outDir, JOURNAL));
    if (createdOutDir) removeQuietly(outDir);
    const code = (error as NodeJS.ErrnoException).code;
    const failed = (error as NodeJS.ErrnoException).path ?? outDir;
    throw new EventcError(`cannot write the output folder${code ? ` (${code})` : ""}; nothing was written`, { file: display(failed) });
  }
  writeJournal(outDir, { ...journal, state: "committing" });
  for (const [temp, target] of journal.renames) renameSync(path.join(outDir, temp), path.join(outDir, target));
  for (const file of extra) {
    unlinkSync(path.join(outDir, file));
    removeEmptyFolders(outDir, file);
  }
  removeJournal(outDir);
  return report;
}

/** Best-effort clean-up after a failed staging: what cannot be removed (or is not there) is left. */
function removeQuietly(target: string): void {
  try {
    rmSync(target, { recursive: true, force: true });
  } catch {
    // A path through a file (ENOTDIR) or without permission: nothing of ours is there.
  }
}

/**
 * Where each file is staged. A file whose folder exists is staged as a temporary file beside its
 * target and renamed into place. A folder that does not exist yet is staged whole: created under
 * a temporary name, its files written there under their own names, and the folder renamed into
 * place in one step (a first run into an empty output folder renames a few folders, not every
 * file). The journal lists every rename, files first and the manifest last.
 */
function stagingPlan(outDir: string, files: readonly PlannedFile[]): { journal: Journal; staged: { folders: string[]; files: [PlannedFile, string][] } } {
  const missing = missingFolders(outDir, files);
  /** Each outermost missing folder and its temporary name. */
  const temporaries = new Map<string, string>();
  const stagedFolders: string[] = [];
  for (const folder of missing) {
    const parent = path.posix.dirname(folder);
    const inside = parent === "." ? undefined : stagedPath(parent);
    if (inside === undefined) {
      const temp = temporaryFor(folder);
      temporaries.set(folder, temp);
      stagedFolders.push(temp);
    } else {
      stagedFolders.push(`${inside}/${path.posix.basename(folder)}`);
    }
  }
  /** Where `relative` (a folder or file) lies while staged, when it is inside a staged folder. */
  function stagedPath(relative: string): string | undefined {
    const segments = relative.split("/");
    for (let depth = 1; depth <= segments.length; depth++) {
      const folder = segments.slice(0, depth).join("/");
      const temp = temporaries.get(folder);
      if (temp !== undefined) return [temp, ...segments.slice(depth)].join("/");
    }
    return undefined;
  }
  const renames: [string, string][] = [];
  const stagedFiles: [PlannedFile, string][] = [];
  for (const file of files) {
    const inside = stagedPath(file.path);
    if (inside !== undefined) stagedFiles.push([file, inside]);
    else {
      const temp = temporaryFor(file.path);
      stagedFiles.push([file, temp]);
      renames.push([temp, file.path]);
    }
  }
  // The manifest (when written) is the last file: its rename stays last, after the folders'.
  const manifest = renames.length > 0 && renames[renames.length - 1]![1] === MANIFEST ? renames.pop() : undefined;
  for (const [folder, temp] of temporaries) renames.push([temp, folder]);
  if (manifest !== undefined) renames.push(manifest);
  return { journal: { state: "staging", renames, removals: [], folders: [] }, staged: { folders: stagedFolders, files: stagedFiles } };
}

/** The folders the targets of `files` need that do not exist yet, outermost first. */
function missingFolders(outDir: string, files: readonly PlannedFile[]): string[] {
  return foldersOf(files).filter((folder) => !existsSync(path.join(outDir, folder)));
}

/** Every folder on the way to any of `files` (relative, each once), outermost first. */
function foldersOf(files: readonly PlannedFile[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    const segments = file.path.split("/").slice(0, -1);
    for (let depth = 1; depth <= segments.length; depth++) folders.add(segments.slice(0, depth).join("/"));
  }
  return [...folders].sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : a > b ? 1 : 0));
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
