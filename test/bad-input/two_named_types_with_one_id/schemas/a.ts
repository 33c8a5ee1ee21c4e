import { z } from "zod";
import { defineEvent } from "eventc";

const Address = z.object({ street: z.string() }).meta({ id: "Address" });
export const orderPlaced = defineEvent("order.placed", { versions: { 1: z.object({ ship: Address }) } });
