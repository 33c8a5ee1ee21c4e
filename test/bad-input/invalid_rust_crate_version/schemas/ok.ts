import { z } from "zod";
import { defineEvent } from "eventc";

export const pingSent = defineEvent("ping.sent", { versions: { 1: z.object({ at: z.string() }) } });
