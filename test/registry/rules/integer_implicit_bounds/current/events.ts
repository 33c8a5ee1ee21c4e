import { z } from "zod";
import { defineEvent } from "eventc";

// z.int() publishes the safe-integer range (±(2^53−1)) as minimum and maximum: bounds nobody wrote.
export const event = defineEvent("chat.message", {
  description: "Test event.",
  versions: {
    1: z.object({
      seq: z.number(),
      count: z.int().max(100),
      total: z.int(),
      ratio: z.int().max(1),
    }),
  },
});
