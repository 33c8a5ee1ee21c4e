import { z } from "zod";
import { defineEvent } from "eventc";

// Named types whose names the crate itself uses (validate.rs's `Issue` and `Pattern`, the prelude's
// `Result` and `Option`, `Value`): in Rust they become `IssueType`, `PatternType`, ….
export const Issue = z
  .object({ id: z.string(), title: z.string().min(1), labels: z.array(z.object({ name: z.string(), color: z.string().optional() })) })
  .meta({ id: "Issue", description: "An issue in the tracker." });

export const Result = z.object({ ok: z.boolean(), message: z.string().optional() }).meta({ id: "Result" });

export const Value = z.union([z.string(), z.number(), z.boolean()]).meta({ id: "Value" });

export const Pattern = z.object({ glob: z.string(), negate: z.boolean().optional() }).meta({ id: "Pattern" });

export const Option = z.object({ label: z.string(), votes: z.int().min(0) }).meta({ id: "Option" });

// A given name beats a derived one: `Message.part` would be `MessagePart`, which is a named type.
export const MessagePart = z.object({ text: z.string() }).meta({ id: "MessagePart" });

export const Message = z.object({ id: z.string(), part: z.object({ text: z.string(), synthetic: z.boolean() }), parts: z.array(MessagePart) }).meta({ id: "Message" });

export const issueOpened = defineEvent("issue.opened", {
  coalesce: ["issue.id"],
  versions: {
    1: z.object({ issue: Issue, result: Result, fields: z.record(z.string(), Value), watch: z.array(Pattern), poll: z.array(Option).optional() }),
  },
});

export const messageSent = defineEvent("message.sent", {
  versions: {
    1: z.object({ message: Message }),
  },
});
