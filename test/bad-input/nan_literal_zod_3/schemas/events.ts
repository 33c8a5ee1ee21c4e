import { z } from "zod/v3";
import { defineEvent } from "eventc";

export const subject = defineEvent("gauge.read", {
  versions: { 1: z.object({ limit: z.literal(Infinity) }) },
});
