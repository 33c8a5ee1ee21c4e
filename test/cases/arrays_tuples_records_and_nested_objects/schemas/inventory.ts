import { z } from "zod";
import { defineEvent } from "eventc";

export const inventorySnapshot = defineEvent("inventory.snapshot", {
  description: "The full inventory of one warehouse.",
  versions: {
    1: z.object({
      tags: z.array(z.string()).min(1).max(10),
      matrix: z.array(z.array(z.number())),
      point: z.tuple([z.number(), z.number()]),
      labelled: z.tuple([z.string()], z.int()),
      stock: z.record(z.string(), z.int().min(0)),
      byRegion: z.record(z.enum(["eu", "us"]), z.array(z.string())),
      warehouse: z.object({
        id: z.string(),
        address: z.object({ street: z.string(), city: z.string(), "postal-code": z.string() }),
      }),
      empty: z.object({}),
    }),
  },
});
