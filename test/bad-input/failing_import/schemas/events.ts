import { z } from "zod";
import { defineEvent } from "eventc";
import { Address } from "./missing-types.js";

export const userCreated = defineEvent("user.created", { versions: { 1: z.object({ address: Address }) } });
