import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("User.Created", {
  versions: { 1: z.object({ id: z.string() }) },
});
