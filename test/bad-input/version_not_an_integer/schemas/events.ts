import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  versions: { "1.5": z.object({ id: z.string() }) },
});
