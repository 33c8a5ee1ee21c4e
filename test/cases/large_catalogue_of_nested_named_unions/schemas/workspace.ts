/** Files, diagnostics, version control, CI and settings of a workspace. */
import { z } from "zod";
import { Actor, Id, Label, Range } from "./common.js";

export const FileEntry = z.object({ kind: z.literal("file"), name: z.string().min(1), size: z.int().min(0), modified: z.int().min(0) }).meta({ id: "FileEntry" });
export const SymlinkEntry = z.object({ kind: z.literal("symlink"), name: z.string().min(1), target: z.string() }).meta({ id: "SymlinkEntry" });
export const DirectoryEntry = z
  .object({
    kind: z.literal("directory"),
    name: z.string().min(1),
    get children() {
      return z.array(FsEntry);
    },
  })
  .meta({ id: "DirectoryEntry" });
export const FsEntry = z.discriminatedUnion("kind", [FileEntry, DirectoryEntry, SymlinkEntry]).meta({ id: "FsEntry", description: "A node of the file tree." });

export const Severity = z.enum(["error", "warning", "information", "hint"]).meta({ id: "Severity" });

export const Diagnostic = z
  .object({
    range: Range,
    severity: Severity,
    message: z.string(),
    source: z.string().optional(),
    code: z.union([z.string(), z.int()]).optional(),
    related: z.array(z.object({ file: z.string(), range: Range, message: z.string() })).optional(),
  })
  .meta({ id: "Diagnostic" });

export const LspServer = z
  .object({ id: z.string(), languages: z.array(z.string()).min(1), root: z.string(), state: z.enum(["starting", "ready", "crashed"]) })
  .meta({ id: "LspServer" });

export const GitAdded = z.object({ change: z.literal("added"), path: z.string() }).meta({ id: "GitAdded" });
export const GitModified = z.object({ change: z.literal("modified"), path: z.string(), staged: z.boolean() }).meta({ id: "GitModified" });
export const GitRenamed = z.object({ change: z.literal("renamed"), from: z.string(), to: z.string(), similarity: z.int().min(0).max(100) }).meta({ id: "GitRenamed" });
export const GitDeleted = z.object({ change: z.literal("deleted"), path: z.string() }).meta({ id: "GitDeleted" });
export const GitChange = z.discriminatedUnion("change", [GitAdded, GitModified, GitRenamed, GitDeleted]).meta({ id: "GitChange" });

export const Commit = z
  .object({ sha: z.string().regex(/^[0-9a-f]{4,40}$/), message: z.string().min(1), author: Actor, parents: z.array(z.string()).max(8), labels: z.array(Label).optional() })
  .meta({ id: "Commit" });

// CI: jobs are a union of named types whose steps are another union.
export const CommandStep = z.object({ step: z.literal("command"), run: z.string(), exitCode: z.int().nullable() }).meta({ id: "CommandStep" });
export const CacheStep = z.object({ step: z.literal("cache"), key: z.string(), hit: z.boolean() }).meta({ id: "CacheStep" });
export const ArtifactStep = z.object({ step: z.literal("artifact"), name: z.string(), bytes: z.int().min(0) }).meta({ id: "ArtifactStep" });
export const CiStep = z.discriminatedUnion("step", [CommandStep, CacheStep, ArtifactStep]).meta({ id: "CiStep" });

export const QueuedJob = z.object({ state: z.literal("queued"), id: Id, name: z.string(), queuedAt: z.int().min(0) }).meta({ id: "QueuedJob" });
export const RunningJob = z
  .object({ state: z.literal("running"), id: Id, name: z.string(), runner: z.string(), steps: z.array(CiStep), progress: z.number().min(0).max(1) })
  .meta({ id: "RunningJob" });
export const FinishedJob = z
  .object({ state: z.literal("finished"), id: Id, name: z.string(), steps: z.array(CiStep), outcome: z.enum(["success", "failure", "cancelled"]), time: z.object({ start: z.int(), end: z.int() }) })
  .meta({ id: "FinishedJob" });
export const CiJob = z.discriminatedUnion("state", [QueuedJob, RunningJob, FinishedJob]).meta({ id: "CiJob" });

export const Setting = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()])
  .meta({ id: "Setting", description: "A value in the settings file." });

export const Settings = z.record(z.string(), Setting).meta({ id: "Settings" });

export const TerminalSize = z.object({ cols: z.int().min(1).max(1000), rows: z.int().min(1).max(1000) }).meta({ id: "TerminalSize" });
