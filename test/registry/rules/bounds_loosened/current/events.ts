import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  versions: {
    1: z.object({ attempt: z.int().min(0).max(10), name: z.string() }),
  },
});
