import { z } from "zod";
import { defineEvent } from "eventc";

export const sessionStatus = defineEvent("session.status", {
  versions: {
    1: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy"]) }),

  },
});
