import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  versions: {
    1: z.object({ status: z.discriminatedUnion("type", [z.object({ type: z.literal("idle") }), z.object({ type: z.literal("busy") }), z.object({ type: z.literal("retry"), attempt: z.int() })]) }),
  },
});
