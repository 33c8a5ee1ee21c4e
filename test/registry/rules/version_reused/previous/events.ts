import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  retired: [1],
  versions: {
    2: z.object({ sessionID: z.string(), status: z.number() }),
  },
});
