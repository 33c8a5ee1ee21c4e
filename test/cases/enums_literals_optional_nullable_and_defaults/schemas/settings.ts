import { z } from "zod";
import { defineEvent } from "eventc";

export const settingsChanged = defineEvent("settings.changed", {
  versions: {
    1: z.object({
      theme: z.enum(["light", "dark", "system"]).describe("Colour theme."),
      kind: z.literal("user"),
      schema: z.literal(3),
      enabled: z.literal(true),
      locale: z.string().optional(),
      timezone: z.string().nullable(),
      nickname: z.string().nullable().optional(),
      fontSize: z.int().min(8).default(14),
      density: z.enum(["compact", "comfortable"]).default("comfortable"),
      legacy: z.boolean().optional().meta({ deprecated: true, description: "Old toggle; ignored." }),
      extra: z.unknown(),
    }),
  },
});
