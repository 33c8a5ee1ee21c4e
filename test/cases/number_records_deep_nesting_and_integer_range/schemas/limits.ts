import { z } from "zod";
import { defineEvent } from "eventc";

/** One link of a chain: every link is one level deeper in the document. */
export const Link = z
  .object({
    label: z.string().max(8),
    get next() {
      return Link.optional();
    },
  })
  .meta({ id: "Link" });

export const limitsProbed = defineEvent("limits.probed", {
  description: "Records with number keys, a recursive chain, free-form JSON values and integers at the edge of the exact range.",
  versions: {
    1: z.object({
      scores: z.record(z.number(), z.string()),
      chain: Link,
      anything: z.unknown(),
      count: z.int(),
      ratio: z.number().int().optional(),
    }),
  },
});
