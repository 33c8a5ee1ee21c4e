import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("user.created", {
  versions: { 1: z.object({ both: z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() })) }) },
});
