import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  topic: "sessionID",
  versions: {
    1: z.object({ sessionID: z.string(), status: z.string() }),
  },
});
