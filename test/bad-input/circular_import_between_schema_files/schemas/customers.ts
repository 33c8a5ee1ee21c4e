import { z } from "zod";
import { defineEvent } from "eventc";
import { Order } from "./orders.js";

export const Customer = z.object({ id: z.string(), lastOrder: Order.optional() }).meta({ id: "Customer" });

export const customerJoined = defineEvent("customer.joined", { versions: { 1: z.object({ customer: Customer }) } });
