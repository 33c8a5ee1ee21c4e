import { z } from "zod/v3";
import { defineEvent } from "eventc";

export const legacyOrderPlaced = defineEvent("legacy.order-placed", {
  description: "An order from the legacy shop (Zod v3 schemas).",
  topic: "customerID",
  versions: {
    1: z.object({
      orderID: z.string().uuid(),
      customerID: z.string(),
      total: z.number().int().min(0).describe("Cents."),
      currency: z.enum(["EUR", "USD"]),
      note: z.string().nullable(),
      coupon: z.string().optional(),
      lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
      pair: z.tuple([z.string(), z.boolean()]),
      attributes: z.record(z.string()),
      delivery: z.discriminatedUnion("method", [
        z.object({ method: z.literal("pickup"), store: z.string() }),
        z.object({ method: z.literal("post"), address: z.string() }),
      ]),
      strictExtras: z.object({ a: z.string() }).strict(),
    }),
  },
});
