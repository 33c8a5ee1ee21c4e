import { z } from "zod";
import { defineEvent } from "eventc";

export const deviceReported = defineEvent("device.reported", {
  versions: {
    1: z.object({
      strict: z.strictObject({ serial: z.string() }),
      loose: z.looseObject({ model: z.string() }),
      counters: z.object({ boots: z.int() }).catchall(z.int()),
      plain: z.object({ firmware: z.string() }),
    }),
  },
});
