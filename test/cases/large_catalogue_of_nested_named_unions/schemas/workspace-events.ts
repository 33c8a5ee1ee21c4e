import { z } from "zod";
import { defineEvent } from "eventc";
import { Actor, Id, Position } from "./common.js";
import { CiJob, Commit, Diagnostic, FsEntry, GitChange, LspServer, Settings, Setting, TerminalSize } from "./workspace.js";
import { CommandRun, Notification, Permission, Reply, SearchHit } from "./activity.js";

export const fileEdited = defineEvent("file.edited", { coalesce: ["file"], versions: { 1: z.object({ file: z.string(), by: Actor }) } });

export const fileWatcherChanged = defineEvent("file.watcher-changed", { versions: { 1: z.object({ file: z.string(), event: z.enum(["add", "change", "unlink"]) }) } });

export const fileTreeUpdated = defineEvent("file.tree-updated", { coalesce: ["root"], versions: { 1: z.object({ root: z.string(), tree: FsEntry }) } });

export const fileCursorMoved = defineEvent("file.cursor-moved", {
  coalesce: ["file", "by.kind"],
  versions: { 1: z.object({ file: z.string(), position: Position, selection: z.tuple([Position, Position]).optional(), by: Actor }) },
});

export const lspDiagnostics = defineEvent("lsp.client-diagnostics", {
  coalesce: ["serverID", "path"],
  versions: {
    1: z.object({ serverID: z.string(), path: z.string() }),
    2: z.object({ serverID: z.string(), path: z.string(), diagnostics: z.array(Diagnostic) }),
  },
});

export const lspServerStatus = defineEvent("lsp.server-status", { coalesce: ["server.id"], versions: { 1: z.object({ server: LspServer }) } });

export const terminalOpened = defineEvent("terminal.opened", { topic: "terminalID", versions: { 1: z.object({ terminalID: Id, shell: z.string(), cwd: z.string(), size: TerminalSize }) } });

export const terminalOutput = defineEvent("terminal.output", { topic: "terminalID", versions: { 1: z.object({ terminalID: Id, data: z.string(), seq: z.int().min(0) }) } });

export const terminalResized = defineEvent("terminal.resized", { coalesce: ["terminalID"], topic: "terminalID", versions: { 1: z.object({ terminalID: Id, size: TerminalSize }) } });

export const terminalExited = defineEvent("terminal.exited", { topic: "terminalID", versions: { 1: z.object({ terminalID: Id, code: z.int().nullable(), signal: z.string().optional() }) } });

export const gitStatusChanged = defineEvent("git.status-changed", {
  coalesce: ["repo"],
  versions: { 1: z.object({ repo: z.string(), branch: z.string(), ahead: z.int().min(0), behind: z.int().min(0), changes: z.array(GitChange) }) },
});

export const gitCommitCreated = defineEvent("git.commit-created", { versions: { 1: z.object({ repo: z.string(), commit: Commit, changes: z.array(GitChange).min(1) }) } });

export const gitBranchSwitched = defineEvent("git.branch-switched", { versions: { 1: z.object({ repo: z.string(), from: z.string().nullable(), to: z.string() }) } });

export const ciJobUpdated = defineEvent("ci.job-updated", { coalesce: ["pipelineID", "job.id"], versions: { 1: z.object({ pipelineID: Id, job: CiJob }) } });

export const ciPipelineFinished = defineEvent("ci.pipeline-finished", {
  versions: { 1: z.object({ pipelineID: Id, commit: Commit, jobs: z.array(CiJob).min(1), outcome: z.enum(["success", "failure", "cancelled"]) }) },
});

export const permissionAsked = defineEvent("permission.asked", {
  topic: "sessionID",
  versions: { 1: z.object({ id: Id, sessionID: Id, permission: Permission, time: z.object({ created: z.int().min(0) }) }) },
});

export const permissionReplied = defineEvent("permission.replied", { topic: "sessionID", versions: { 1: z.object({ id: Id, sessionID: Id, reply: Reply }) } });

export const settingsChanged = defineEvent("workspace.settings-changed", {
  coalesce: [],
  versions: {
    1: z.object({ settings: Settings }),
    2: z.object({ settings: Settings, changed: z.record(z.string(), z.object({ before: Setting, after: Setting })) }),
  },
});

export const projectOpened = defineEvent("project.opened", { versions: { 1: z.object({ id: Id, root: z.string(), vcs: z.enum(["git", "none"]), tree: FsEntry.optional() }) } });

export const projectClosed = defineEvent("project.closed", { versions: { 1: z.object({ id: Id }) } });

export const installationUpdated = defineEvent("installation.updated", { versions: { 1: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+$/) }) } });

export const installationUpdateAvailable = defineEvent("installation.update-available", {
  coalesce: [],
  versions: { 1: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+$/), notes: z.url().optional() }) },
});

export const notificationShown = defineEvent("notification.shown", { versions: { 1: z.object({ notification: Notification }) } });

export const notificationDismissed = defineEvent("notification.dismissed", { versions: { 1: z.object({ id: Id, by: Actor }) } });

export const commandExecuted = defineEvent("command.executed", { versions: { 1: z.object({ run: CommandRun, by: Actor }) } });

export const searchResults = defineEvent("search.results", {
  coalesce: ["queryID"],
  versions: { 1: z.object({ queryID: Id, query: z.string().min(1), hits: z.array(SearchHit).max(1000), done: z.boolean() }) },
});
