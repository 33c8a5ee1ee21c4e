import { z } from "zod";
import { defineEvent } from "eventc";
import { Invoice } from "./billing.js";

export const Account = z.object({ id: z.string() });
export const accountOpened = defineEvent("account.opened", { versions: { 1: z.object({ account: Account, firstInvoice: Invoice.optional() }) } });
