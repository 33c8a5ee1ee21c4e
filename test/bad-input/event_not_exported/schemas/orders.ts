import { z } from "zod";
import { defineEvent } from "eventc";

// Forgotten `export`: this event would be in no contract.
const orderPlaced = defineEvent("order.placed", {
  versions: { 1: z.object({ orderID: z.string() }) },
});

export const orderShipped = defineEvent("order.shipped", {
  versions: { 1: z.object({ orderID: z.string(), carrier: z.string() }) },
});
