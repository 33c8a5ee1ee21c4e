/** Messages and their parts: the union at the top of the four levels, recursive through subtasks. */
import { z } from "zod";
import { AppError, Cost, Id, TimeSpan } from "./common.js";
import { ToolOutput } from "./outputs.js";

// Level 2: the state of a tool call; each state a named type with an unnamed `time` of its own.
export const ToolPending = z.object({ status: z.literal("pending"), input: z.record(z.string(), z.unknown()), queuedAt: z.int().min(0) }).meta({ id: "ToolPending" });
export const ToolRunning = z
  .object({ status: z.literal("running"), input: z.record(z.string(), z.unknown()), title: z.string().optional(), time: z.object({ start: z.int().min(0) }) })
  .meta({ id: "ToolRunning" });
export const ToolCompleted = z
  .object({
    status: z.literal("completed"),
    input: z.record(z.string(), z.unknown()),
    title: z.string(),
    output: ToolOutput,
    attachments: z.array(ToolOutput).optional(),
    time: z.object({ start: z.int().min(0), end: z.int().min(0) }),
  })
  .meta({ id: "ToolCompleted" });
export const ToolFailed = z
  .object({ status: z.literal("failed"), input: z.record(z.string(), z.unknown()), error: AppError, time: z.object({ start: z.int().min(0), end: z.int().min(0) }) })
  .meta({ id: "ToolFailed" });
export const ToolState = z.discriminatedUnion("status", [ToolPending, ToolRunning, ToolCompleted, ToolFailed]).meta({ id: "ToolState" });

const partBase = { id: Id, messageID: Id };

// Level 1: the parts of a message.
export const TextPart = z.object({ ...partBase, type: z.literal("text"), text: z.string(), synthetic: z.boolean().optional(), time: TimeSpan.optional() }).meta({ id: "TextPart" });
export const ReasoningPart = z.object({ ...partBase, type: z.literal("reasoning"), text: z.string(), time: TimeSpan }).meta({ id: "ReasoningPart" });
export const ToolPart = z.object({ ...partBase, type: z.literal("tool"), callID: Id, tool: z.string().min(1), state: ToolState }).meta({ id: "ToolPart" });
export const FilePart = z
  .object({ ...partBase, type: z.literal("file"), mime: z.string(), filename: z.string().optional(), url: z.url(), source: z.object({ path: z.string(), lines: z.tuple([z.int().min(1), z.int().min(1)]).optional() }).optional() })
  .meta({ id: "FilePart" });
export const StepPart = z
  .object({ ...partBase, type: z.literal("step"), phase: z.enum(["start", "finish"]), cost: Cost.optional(), snapshot: z.string().optional() })
  .meta({ id: "StepPart" });
export const PatchPart = z.object({ ...partBase, type: z.literal("patch"), hash: z.string().regex(/^[0-9a-f]{4,40}$/), files: z.array(z.string()).min(1) }).meta({ id: "PatchPart" });
export const SubtaskPart = z
  .object({
    ...partBase,
    type: z.literal("subtask"),
    agent: z.string(),
    prompt: z.string(),
    get messages() {
      return z.array(Message).max(100);
    },
  })
  .meta({ id: "SubtaskPart", description: "Work delegated to another agent, with its own conversation." });
export const QuotePart = z
  .object({
    ...partBase,
    type: z.literal("quote"),
    get quoted() {
      return Part.optional();
    },
  })
  .meta({ id: "QuotePart" });
export const Part = z
  .discriminatedUnion("type", [TextPart, ReasoningPart, ToolPart, FilePart, StepPart, PatchPart, SubtaskPart, QuotePart])
  .meta({ id: "Part", description: "One piece of a message." });

// Level 0: messages, which hold parts.
export const UserMessage = z
  .object({ id: Id, role: z.literal("user"), sessionID: Id, time: z.object({ created: z.int().min(0) }), parts: z.array(Part) })
  .meta({ id: "UserMessage" });
export const AssistantMessage = z
  .object({
    id: Id,
    role: z.literal("assistant"),
    sessionID: Id,
    model: z.object({ provider: z.string(), id: z.string() }),
    time: z.object({ created: z.int().min(0), completed: z.int().min(0).optional() }),
    cost: Cost,
    error: AppError.optional(),
    parts: z.array(Part),
  })
  .meta({ id: "AssistantMessage" });
export const SystemMessage = z.object({ id: Id, role: z.literal("system"), sessionID: Id, text: z.string() }).meta({ id: "SystemMessage" });
export const Message = z.discriminatedUnion("role", [UserMessage, AssistantMessage, SystemMessage]).meta({ id: "Message" });
