import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  versions: {
    1: z.object({ sessionID: z.number() }),
    2: z.object({ sessionID: z.string(), status: z.number() }),
  },
});
