import { z } from "zod";
import { defineEvent } from "eventc";

export const permissionAsked = defineEvent("permission.asked", {
  description: "The assistant asks the user before running a tool.",
  topic: "sessionID",
  versions: {
    1: z.object({
      id: z.string(),
      sessionID: z.string(),
      messageID: z.string(),
      callID: z.string().optional(),
      permission: z.enum(["edit", "bash", "webfetch", "external_directory"]),
      patterns: z.array(z.string()).describe("Commands or paths the request covers."),
      title: z.string(),
      metadata: z.record(z.string(), z.unknown()),
    }),
  },
});

export const permissionReplied = defineEvent("permission.replied", {
  description: "The user answered a permission request.",
  topic: "sessionID",
  coalesce: ["requestID"],
  versions: {
    1: z.object({
      sessionID: z.string(),
      requestID: z.string(),
      reply: z.enum(["once", "always", "reject"]),
    }),
  },
});
