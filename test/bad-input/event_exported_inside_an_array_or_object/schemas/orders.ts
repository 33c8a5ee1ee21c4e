import { z } from "zod";
import { defineEvent } from "eventc";

export const orderEvents = [
  defineEvent("order.placed", { versions: { 1: z.object({ orderID: z.string() }) } }),
];

export const billing = {
  invoice: {
    sent: defineEvent("invoice.sent", { versions: { 1: z.object({ invoiceID: z.string() }) } }),
  },
};
