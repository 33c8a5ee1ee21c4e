import { z } from "zod";
import { defineEvent } from "eventc";

const Attachment = z
  .object({
    name: z.string(),
    size: z.bigint(),
  })
  .meta({ id: "Attachment" });

export const messageSent = defineEvent("message.sent", {
  description: "A message was sent.",
  versions: {
    1: z.object({ text: z.string() }),
    2: z.object({
      text: z.string(),
      attachments: z.array(Attachment),
      sentAt: z.date(),
    }),
  },
});

export const messageRead = defineEvent("message.read", {
  versions: {
    1: z.string(),
  },
});
