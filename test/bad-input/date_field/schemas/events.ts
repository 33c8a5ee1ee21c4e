import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  versions: { 1: z.object({ at: z.date() }) },
});
