import { z } from "zod";
import { defineEvent } from "eventc";

export const sessionStatus = defineEvent("session.status", {
  versions: {
    1: z.object({ sessionID: z.string(), state: z.string() }),
    2: z.object({ sessionID: z.string(), status: z.string() }),
  },
  // @ts-expect-error "stat" is no field of version 1
  migrations: { 2: { upgrade: [{ move: "stat", to: "status" }] } },
});
