import { z } from "zod";
import { defineEvent } from "eventc";

const Address = z.object({ street: z.string(), city: z.string() }).meta({ id: "Address" });
export const userMoved = defineEvent("user.moved", { versions: { 1: z.object({ to: Address }) } });
