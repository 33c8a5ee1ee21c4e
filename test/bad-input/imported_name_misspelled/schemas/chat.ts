import { z } from "zod";
import { defineEvnt } from "eventc";

export const chatMessage = defineEvnt("chat.message", {
  versions: { 1: z.object({ text: z.string() }) },
});
