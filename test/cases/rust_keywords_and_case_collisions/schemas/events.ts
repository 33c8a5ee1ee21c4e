import { z } from "zod";
import { defineEvent } from "eventc";

export const Self = z
  .object({ self: z.string(), super: z.string().optional(), crate: z.int() })
  .meta({ id: "self-ref", description: "Fields named after keywords that cannot be raw identifiers." });

export const keywordsUsed = defineEvent("job.keywords-used", {
  description: "Field and value names that are Rust keywords or collide after case conversion.",
  coalesce: ["type"],
  versions: {
    1: z.object({
      type: z.string(),
      match: z.boolean(),
      move: z.number(),
      sessionID: z.string(),
      session_id: z.string(),
      "session-id": z.string().optional(),
      "1st": z.string(),
      $: z.string(),
      owner: Self,
      state: z.enum(["in-progress", "in_progress", "Self", "2xx", "done"]),
    }),
  },
});
