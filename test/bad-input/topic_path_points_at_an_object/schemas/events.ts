import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  topic: "user",
  versions: { 1: z.object({ user: z.object({ id: z.string() }) }) },
});
