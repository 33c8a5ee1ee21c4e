import { z } from "zod";
import { defineEvent } from "eventc";

export const subject = defineEvent("gauge.read", {
  versions: { 1: z.object({ reading: z.object({ missing: z.literal(NaN) }) }) },
});
