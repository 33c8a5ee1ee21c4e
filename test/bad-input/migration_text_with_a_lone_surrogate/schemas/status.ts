import { z } from "zod";
import { defineEvent } from "eventc";

export const sessionStatus = defineEvent("session.status", {
  versions: {
    1: z.object({ sessionID: z.string() }),
    2: z.object({ sessionID: z.string(), label: z.string() }),
  },
  migrations: { 2: { upgrade: [{ set: "label", value: "broken \ud800 text" }] } },
});
