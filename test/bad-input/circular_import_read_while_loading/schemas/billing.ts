import { z } from "zod";
import { defineEvent } from "eventc";
import { Account } from "./accounts.js";

const BilledAccount = Account.extend({ plan: z.string() });
export const Invoice = z.object({ id: z.string(), account: BilledAccount });
export const invoiceSent = defineEvent("invoice.sent", { versions: { 1: z.object({ invoice: Invoice }) } });
