import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  versions: { 0: z.object({ id: z.string() }) },
});
