import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  coalesce: ["users.id"],
  versions: { 1: z.object({ users: z.array(z.object({ id: z.string() })) }) },
});
