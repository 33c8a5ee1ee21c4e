import { z } from "zod";
import { defineEvent } from "eventc";

export const userCreated = defineEvent("user.created", { versions: { 1: z.object({ id: z.string() }) } });
