import { z } from "zod";
import { defineEvent } from "eventc";

export const event = defineEvent("session.status", {
  description: "Test event.",
  versions: {
    1: z.object({ finish: z.string().nullable() }),
  },
});
