/**
 * The writer: the only code that writes generated output to disk.
 *
 * - Skips files whose bytes are unchanged.
 * - All-or-nothing: every changed file is first staged as a temporary file beside its target; only
 *   when all are staged are they renamed into place. A failure while staging removes the staged
 *   files and any folder it created, so the output folder is left as it was.
 * - Removes stale outputs it generated earlier, and only those: what it generated is recorded in
 *   a manifest (`.eventc-manifest.json`) in the output folder.
 * - In check mode writes nothing and reports every missing, stale and extra file.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
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
  manifest: string[];
  manifestChanged: boolean;
}

function readManifest(outDir: string): string[] {
  const file = path.join(outDir, MANIFEST);
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { files?: unknown };
    return Array.isArray(parsed.files) ? parsed.files.filter((item): item is string => typeof item === "string") : [];
  } catch {
    throw new EventcError(`the manifest is not valid JSON; delete it and run eventc generate again`, { file: path.join(outDir, MANIFEST) });
  }
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
  const previous = readManifest(options.outDir);
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
  return { changed, unchanged, extra, manifest, manifestChanged };
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
  const { changed, unchanged, extra, manifest, manifestChanged } = plan(files, options);
  const toWrite = manifestChanged ? [...changed, { path: MANIFEST, contents: manifestText(manifest) }] : changed;

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
    removeEmptyFolders(path.dirname(path.join(options.outDir, file)), options.outDir);
  }
  return { written: changed.map((file) => file.path), unchanged, removed: extra };
}

function removeEmptyFolders(folder: string, stopAt: string): void {
  let current = folder;
  while (path.resolve(current) !== path.resolve(stopAt)) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}
