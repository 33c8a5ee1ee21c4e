/** Named types shared across the activity feed's events. */
import { z } from "zod";

export const TokenUsage = z
  .object({
    input: z.int().min(0).describe("Prompt tokens."),
    output: z.int().min(0).describe("Completion tokens."),
    reasoning: z.int().min(0).describe("Tokens spent on reasoning."),
    cache: z.object({ read: z.int().min(0), write: z.int().min(0) }).describe("Prompt-cache traffic."),
  })
  .meta({ id: "TokenUsage", description: "Token counts of one model step." });

export const TimeSpan = z
  .object({
    start: z.int().min(0).describe("Epoch milliseconds."),
    end: z.int().min(0).optional().describe("Epoch milliseconds; absent while running."),
  })
  .meta({ id: "TimeSpan", description: "When something started and, once done, ended." });

export const ToolState = z
  .discriminatedUnion("status", [
    z.object({
      status: z.literal("pending"),
      input: z.record(z.string(), z.unknown()).describe("Arguments parsed so far."),
    }),
    z.object({
      status: z.literal("running"),
      input: z.record(z.string(), z.unknown()),
      title: z.string().optional().describe("Short label shown while the tool runs."),
      time: TimeSpan,
    }),
    z.object({
      status: z.literal("completed"),
      input: z.record(z.string(), z.unknown()),
      output: z.string(),
      title: z.string(),
      metadata: z.record(z.string(), z.unknown()),
      time: TimeSpan,
    }),
    z.object({
      status: z.literal("error"),
      input: z.record(z.string(), z.unknown()),
      error: z.string(),
      time: TimeSpan,
    }),
  ])
  .meta({ id: "ToolState", description: "Lifecycle of one tool call." });

const partBase = {
  id: z.string().describe("Part id, unique within its message."),
  sessionID: z.string(),
  messageID: z.string(),
};

export const Part = z
  .discriminatedUnion("type", [
    z.object({ ...partBase, type: z.literal("text"), text: z.string(), synthetic: z.boolean().optional(), time: TimeSpan.optional() }),
    z.object({ ...partBase, type: z.literal("reasoning"), text: z.string(), time: TimeSpan }),
    z.object({ ...partBase, type: z.literal("tool"), callID: z.string(), tool: z.string().describe("Tool name, e.g. `bash`."), state: ToolState }),
    z.object({
      ...partBase,
      type: z.literal("file"),
      mime: z.string().describe("MIME type, e.g. `image/png`."),
      filename: z.string().optional(),
      url: z.url().describe("Where the content lives (data: or file: URL)."),
    }),
    z.object({ ...partBase, type: z.literal("step-start"), snapshot: z.string().optional() }),
    z.object({ ...partBase, type: z.literal("step-finish"), cost: z.number().min(0).describe("USD."), tokens: TokenUsage }),
    z.object({ ...partBase, type: z.literal("patch"), hash: z.string().describe("Snapshot hash after the patch."), files: z.array(z.string()).min(1) }),
  ])
  .meta({ id: "Part", description: "One piece of a message: text, reasoning, a tool call, a file, a step marker or a patch." });

export const Position = z
  .object({ line: z.int().min(0).describe("Zero-based line."), character: z.int().min(0).describe("Zero-based UTF-16 offset.") })
  .meta({ id: "Position" });

export const Range = z.object({ start: Position, end: Position }).meta({ id: "Range", description: "A span of a text document." });

export const Todo = z
  .object({
    id: z.string(),
    content: z.string().min(1).describe("What is to be done."),
    status: z.enum(["pending", "in_progress", "completed", "cancelled"]),
    priority: z.enum(["high", "medium", "low"]),
  })
  .meta({ id: "Todo" });

export const SessionInfo = z
  .object({
    id: z.string(),
    projectID: z.string(),
    directory: z.string().describe("Working directory of the session."),
    parentID: z.string().optional().describe("Set on sub-agent sessions."),
    title: z.string(),
    version: z.string().describe("Version of the assistant that created it."),
    time: z.object({ created: z.int().min(0), updated: z.int().min(0), archived: z.int().min(0).optional() }),
    share: z.object({ url: z.url() }).optional(),
  })
  .meta({ id: "SessionInfo", description: "A conversation with the assistant." });
