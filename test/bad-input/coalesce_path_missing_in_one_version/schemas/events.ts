import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  coalesce: ["id"],
  versions: { 1: z.object({ id: z.string() }), 2: z.object({ userID: z.string() }) },
});
