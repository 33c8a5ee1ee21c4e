import { z } from "zod";
import { defineEvent } from "eventc";

const regions = JSON.parse("{not json") as string[];
export const userCreated = defineEvent("user.created", { versions: { 1: z.object({ region: z.enum(regions) }) } });
