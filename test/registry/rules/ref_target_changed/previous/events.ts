import { z } from "zod";
import { defineEvent } from "eventc";

const Usage = z.object({ input: z.int(), output: z.int() }).meta({ id: "Usage" });

export const event = defineEvent("session.status", {
  description: "Test event.",
  versions: {
    1: z.object({ usage: Usage }),
  },
});
