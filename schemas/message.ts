import { z } from "zod";
import { defineEvent } from "eventc";
import { Part, TokenUsage } from "./shared.js";

const MessageInfo = z
  .discriminatedUnion("role", [
    z.object({
      role: z.literal("user"),
      id: z.string(),
      sessionID: z.string(),
      time: z.object({ created: z.int().min(0) }),
    }),
    z.object({
      role: z.literal("assistant"),
      id: z.string(),
      sessionID: z.string(),
      parentID: z.string().describe("The user message this answers."),
      modelID: z.string(),
      providerID: z.string(),
      mode: z.string().default("build").describe("Agent mode that produced it."),
      cost: z.number().min(0),
      tokens: TokenUsage,
      finish: z.string().nullable().describe("Why generation stopped; null while streaming."),
      time: z.object({ created: z.int().min(0), completed: z.int().min(0).optional() }),
    }),
  ])
  .meta({ id: "MessageInfo", description: "A user prompt or an assistant reply, without its parts." });

export const messageUpdated = defineEvent("message.updated", {
  description: "A message was created or its metadata changed.",
  topic: "info.sessionID",
  coalesce: ["info.id"],
  versions: { 1: z.object({ info: MessageInfo }) },
});

export const messageRemoved = defineEvent("message.removed", {
  description: "A message was removed from a session.",
  topic: "sessionID",
  versions: { 1: z.object({ sessionID: z.string(), messageID: z.string() }) },
});

export const messagePartUpdated = defineEvent("message.part.updated", {
  description: "A part of a message was added or replaced as a whole.",
  topic: "part.sessionID",
  coalesce: ["part.id"],
  versions: { 1: z.object({ part: Part }) },
});

export const messagePartDelta = defineEvent("message.part.delta", {
  description: "Streamed text appended to a part; apply in order, never coalesce.",
  topic: "sessionID",
  versions: {
    1: z.object({
      sessionID: z.string(),
      messageID: z.string(),
      partID: z.string(),
      field: z.enum(["text"]).describe("Which string field the delta extends."),
      delta: z.string(),
    }),
  },
});

export const messagePartRemoved = defineEvent("message.part.removed", {
  description: "A part was removed from a message.",
  topic: "sessionID",
  versions: { 1: z.object({ sessionID: z.string(), messageID: z.string(), partID: z.string() }) },
});
