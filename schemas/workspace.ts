import { z } from "zod";
import { defineEvent } from "eventc";
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

export const lspDiagnostics = defineEvent("lsp.client.diagnostics", {
  description: "A language server published the diagnostics of one file.",
  coalesce: ["serverID", "path"],
  versions: {
    1: z.object({
      serverID: z.string(),
      path: z.string(),
      diagnostics: z.array(Diagnostic),
    }),
  },
});

export const installationUpdateAvailable = defineEvent("installation.update-available", {
  description: "A newer version of the assistant can be installed.",
  coalesce: [],
  versions: { 1: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/) }) },
});
