import { z } from "zod";
import { Attachment, State } from "./states.js";

export const TextPart = z
  .object({ type: z.literal("text"), text: z.string(), time: z.object({ start: z.number(), end: z.number().optional() }).optional() })
  .meta({ id: "TextPart" });

export const ToolPart = z.object({ type: z.literal("tool"), tool: z.string(), state: State, attachments: z.array(Attachment) }).meta({ id: "ToolPart" });

// Recursion through the union: in a list, and directly (boxed in Rust).
export const GroupPart = z
  .object({
    type: z.literal("group"),
    get parts() {
      return z.array(Part);
    },
  })
  .meta({ id: "GroupPart" });

export const QuotePart = z
  .object({
    type: z.literal("quote"),
    get quoted() {
      return Part.optional();
    },
  })
  .meta({ id: "QuotePart" });

export const Part = z.discriminatedUnion("type", [TextPart, ToolPart, GroupPart, QuotePart]).meta({ id: "Part", description: "One part of a message." });
