import { z } from "zod";
import { defineEvent } from "eventc";
import { Customer } from "./customers.js";

export const Order = z.object({ id: z.string() }).meta({ id: "Order" });

export const orderPlaced = defineEvent("order.placed", { versions: { 1: z.object({ order: Order, customer: Customer }) } });
