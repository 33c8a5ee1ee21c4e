import { z } from "zod";
import { defineEvent } from "eventc";

export const accountRegistered = defineEvent("account.registered", {
  description: "An account was registered.",
  versions: {
    1: z.object({
      id: z.uuid().describe("Account id."),
      email: z.email(),
      homepage: z.url().optional(),
      registeredAt: z.iso.datetime(),
      birthday: z.iso.date().optional(),
      handle: z.string().min(3).max(24).regex(/^[a-z0-9_]+$/),
      bio: z.string().max(280),
      age: z.int().min(13).max(150),
      score: z.number().gt(0).lt(100),
      step: z.number().multipleOf(0.5),
      visits: z.int().nonnegative(),
      shard: z.int32(),
      ratio: z.number(),
    }),
  },
});
