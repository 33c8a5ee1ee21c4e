import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  versions: { 1: z.object({ profile: z.object({ name: z.string().transform((name) => name.trim()) }) }) },
});
