import { z } from "zod";
import { defineEvent } from "eventc";

export const chatMessage = defineEvent("chat.message", {
  description: "A chat message.",
  versions: {
    1: z.object({
      id: z.string(),
      text: z.strin(),
    }),
  },
});
