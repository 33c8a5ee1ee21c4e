import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  versions: {
    1: z.object({ attempt: z.int().min(0), name: z.string().max(100), tags: z.array(z.string()).max(10) }),
  },
});
