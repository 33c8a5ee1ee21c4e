import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created.v2", {
  versions: { 1: z.object({ id: z.string() }) },
});
