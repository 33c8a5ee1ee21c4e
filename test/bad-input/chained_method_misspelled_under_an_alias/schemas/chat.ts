import { z as schema } from "zod";
import { defineEvent } from "eventc";

export const chatMessage = defineEvent("chat.message", {
  versions: {
    1: schema.object({
      id: schema.string(),
      text: schema.string().minn(1),
    }),
  },
});
