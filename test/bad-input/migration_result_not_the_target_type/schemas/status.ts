import { z } from "zod";
import { defineEvent } from "eventc";

export const sessionStatus = defineEvent("session.status", {
  versions: {
    1: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy"]) }),
    2: z.object({ sessionID: z.string(), status: z.discriminatedUnion("type", [z.object({ type: z.literal("idle") }), z.object({ type: z.literal("busy") }), z.object({ type: z.literal("retry") })]) }),
  },
  // Back down, "retry" has no place in version 1's enum.
  migrations: { 2: { upgrade: [{ wrap: "status", key: "type" }], downgrade: [{ unwrap: "status", key: "type" }] } },
});
