import { z } from "zod";
import { defineEvent, namedMigration } from "eventc";
import { Range, Todo } from "./shared.js";

export const todoUpdated = defineEvent("todo.updated", {
  description: "A session's todo list was replaced.",
  topic: "sessionID",
  coalesce: ["sessionID"],
  versions: { 1: z.object({ sessionID: z.string(), todos: z.array(Todo) }) },
});

export const fileWatcherUpdated = defineEvent("file.watcher.updated", {
  description: "A file in the project changed on disk.",
  coalesce: ["file"],
  versions: {
    1: z.object({
      file: z.string().describe("Path relative to the project root."),
      event: z.enum(["add", "change", "unlink"]),
    }),
  },
});

export const fileEdited = defineEvent("file.edited", {
  description: "The assistant edited a file.",
  versions: { 1: z.object({ file: z.string() }) },
});

const Diagnostic = z
  .object({
    range: Range,
    severity: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional().describe("1 error, 2 warning, 3 information, 4 hint."),
    code: z.union([z.string(), z.int()]).optional(),
    source: z.string().optional().describe("The tool that reported it, e.g. `typescript`."),
    message: z.string(),
  })
  .meta({ id: "Diagnostic", description: "One problem a language server reported." });

const Problem = z
  .object({
    range: Range,
    severity: z.enum(["error", "warning", "information", "hint"]).optional(),
    source: z.string().describe("The tool that reported it, e.g. `typescript`; `unknown` when it did not say."),
    message: z.string(),
  })
  .meta({ id: "Problem", description: "One problem a language server reported, its severity by name." });

/** A Diagnostic read as a Problem: its severity by name, a source always said, no code. */
const problemFromDiagnostic = namedMigration("ProblemFromDiagnostic", [
  { map: "severity", values: [[1, "error"], [2, "warning"], [3, "information"], [4, "hint"]] },
  { default: "source", value: "unknown" },
  { drop: "code" },
]);

export const lspDiagnostics = defineEvent("lsp.client.diagnostics", {
  description: "A language server published the diagnostics of one file.",
  coalesce: ["serverID", "path"],
  versions: {
    1: z.object({
      serverID: z.string(),
      path: z.string(),
      diagnostics: z.array(Diagnostic),
    }),
    2: z.object({
      serverID: z.string(),
      path: z.string(),
      problems: z.array(Problem),
      encoding: z.literal("utf-16").describe("How positions count characters."),
    }),
  },
  // The steps session.status does not show (it wraps, unwraps and maps): move, each, a named
  // migration (map, default, drop) and set.
  migrations: {
    2: {
      upgrade: [
        { move: "diagnostics", to: "problems" },
        { each: "problems", steps: [{ apply: "", migration: problemFromDiagnostic }] },
        { set: "encoding", value: "utf-16" },
      ],
    },
  },
});

export const installationUpdateAvailable = defineEvent("installation.update-available", {
  description: "A newer version of the assistant can be installed.",
  coalesce: [],
  versions: { 1: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/) }) },
});
