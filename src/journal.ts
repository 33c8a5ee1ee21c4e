/**
 * The writer's commit journal: how a write survives being killed at any moment.
 *
 * A write is recorded in `<out>/.eventc-journal.json` before the output folder changes:
 * 1. `staging`: the temporary files about to be written beside their targets, and the temporary
 *    folders a folder that does not exist yet is staged in whole. Killed here, the next run rolls
 *    back: it deletes those (and the folders an older journal lists) and the journal, and the
 *    output is as it was.
 * 2. `committing` (written only once every file is staged): the renames into place, manifest last,
 *    and the stale files to remove. Killed here, the next run rolls forward: it finishes the renames
 *    and removals, and the output is all new.
 * The journal itself is replaced atomically (a temporary file, then a rename). While one is
 * present, `eventc generate --check` reports the output as interrupted, never as up to date, and
 * every `eventc generate` first completes or undoes it. Temporary files the writer left beside
 * manifest entries before journals existed are swept as well.
 *
 * The journal is read as untrusted input: every path in it must be a plain relative path inside
 * the output folder (see `plainRelativePath`), and a temporary file must have the writer's name
 * shape; anything else is ignored.
 */
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const JOURNAL = ".eventc-journal.json";

export interface Journal {
  state: "staging" | "committing";
  /** `[temporary file, target]`, relative to the output folder, in commit order. */
  renames: [string, string][];
  /** Stale outputs to remove once the renames are done. */
  removals: string[];
  /** Folders the staging creates, outermost first (removed again when rolling back). */
  folders: string[];
}

/** A plain relative path inside the output folder: no empty, `.` or `..` segment, no backslash or NUL. */
export function plainRelativePath(value: unknown): value is string {
  return typeof value === "string" && value.split("/").every((segment) => /^(?!\.{1,2}$)[^/\\\u0000]+$/.test(segment));
}

/** The temporary file a target is staged in: `.<name>.<8 hex>.tmp` beside it. */
export function temporaryFor(target: string): string {
  const folder = path.posix.dirname(target);
  const name = `.${path.posix.basename(target)}.${randomBytes(4).toString("hex")}.tmp`;
  return folder === "." ? name : `${folder}/${name}`;
}

function isTemporaryOf(temp: string, target: string): boolean {
  const folder = path.posix.dirname(target);
  const prefix = `${folder === "." ? "" : `${folder}/`}.${path.posix.basename(target)}.`;
  return temp.startsWith(prefix) && /^[0-9a-f]{8}\.tmp$/.test(temp.slice(prefix.length));
}

/** Replaces the journal atomically. */
export function writeJournal(outDir: string, journal: Journal): void {
  const file = path.join(outDir, JOURNAL);
  const temp = path.join(outDir, temporaryFor(JOURNAL));
  writeFileSync(temp, `${JSON.stringify(journal)}\n`);
  renameSync(temp, file);
}

export function removeJournal(outDir: string): void {
  rmSync(path.join(outDir, JOURNAL), { force: true });
}

export function hasJournal(outDir: string): boolean {
  return existsSync(path.join(outDir, JOURNAL));
}

/** The journal left by an interrupted write, checked; undefined when there is none or it is unreadable. */
function readJournal(outDir: string): Journal | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path.join(outDir, JOURNAL), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const raw = value as Partial<Record<keyof Journal, unknown>>;
  if (raw.state !== "staging" && raw.state !== "committing") return undefined;
  const list = (items: unknown): unknown[] => (Array.isArray(items) ? items : []);
  return {
    state: raw.state,
    renames: list(raw.renames).filter(
      (pair): pair is [string, string] => Array.isArray(pair) && plainRelativePath(pair[0]) && plainRelativePath(pair[1]) && isTemporaryOf(pair[0], pair[1]),
    ),
    removals: list(raw.removals).filter(plainRelativePath),
    folders: list(raw.folders).filter(plainRelativePath),
  };
}

/** Whether the folders on the way to `relative` are real folders, not symbolic links (the journal is untrusted). */
function withoutLinks(outDir: string, relative: string): boolean {
  const segments = relative.split("/").slice(0, -1);
  let current = outDir;
  for (const segment of segments) {
    current = path.join(current, segment);
    try {
      if (lstatSync(current, { throwIfNoEntry: false })?.isSymbolicLink()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Completes or undoes a write that was interrupted (see the module comment). Returns what it did,
 * for the report, or undefined when there was nothing to do.
 */
export function recoverInterruptedWrite(outDir: string, removeEmptyFolders: (relative: string) => void): "rolled back" | "completed" | undefined {
  if (!hasJournal(outDir)) return undefined;
  const journal = readJournal(outDir);
  let outcome: "rolled back" | "completed" = "rolled back";
  if (journal?.state === "committing") {
    for (const [temp, target] of journal.renames) {
      if (withoutLinks(outDir, temp) && existsSync(path.join(outDir, temp))) renameSync(path.join(outDir, temp), path.join(outDir, target));
    }
    for (const file of journal.removals) {
      rmSync(path.join(outDir, file), { force: true });
      removeEmptyFolders(file);
    }
    outcome = "completed";
  } else if (journal !== undefined) {
    // A staged folder (a folder that did not exist) goes with everything staged in it.
    for (const [temp] of journal.renames) if (withoutLinks(outDir, temp)) rmSync(path.join(outDir, temp), { recursive: true, force: true });
    for (const folder of [...journal.folders].reverse()) {
      try {
        rmdirSync(path.join(outDir, folder));
      } catch {
        // Not empty (it holds something else) or already gone: left as it is.
      }
    }
  }
  removeJournal(outDir);
  return outcome;
}

/**
 * Deletes temporary files the writer staged beside `entries` (manifest entries) and never renamed:
 * `.<name>.<8 hex>.tmp` in the entry's folder, nothing else; and stray journal temporaries.
 */
export function sweepTemporaries(outDir: string, entries: readonly string[]): void {
  const byFolder = new Map<string, Set<string>>();
  for (const entry of [...entries, JOURNAL]) {
    const folder = path.posix.dirname(entry);
    if (!byFolder.has(folder)) byFolder.set(folder, new Set());
    byFolder.get(folder)!.add(path.posix.basename(entry));
  }
  for (const [folder, names] of byFolder) {
    let listing: string[];
    try {
      listing = readdirSync(path.join(outDir, folder));
    } catch {
      continue;
    }
    for (const file of listing) {
      const match = /^\.(.+)\.[0-9a-f]{8}\.tmp$/.exec(file);
      if (match && names.has(match[1]!)) rmSync(path.join(outDir, folder, file), { force: true });
    }
  }
}
