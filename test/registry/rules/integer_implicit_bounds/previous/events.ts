import { z } from "zod";
import { defineEvent } from "eventc";

// z.int() publishes the safe-integer range (±(2^53−1)) as minimum and maximum: bounds nobody wrote.
export const event = defineEvent("chat.message", {
  description: "Test event.",
  versions: {
    1: z.object({
      seq: z.int().min(0),
      count: z.int(),
      total: z.int().max(100),
      ratio: z.number().max(1),
    }),
  },
});
