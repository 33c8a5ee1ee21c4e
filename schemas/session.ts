import { z } from "zod";
import { defineEvent } from "eventc";
import { SessionInfo } from "./shared.js";

export const sessionCreated = defineEvent("session.created", {
  description: "A session was created.",
  topic: "info.id",
  versions: { 1: z.object({ info: SessionInfo }) },
});

export const sessionUpdated = defineEvent("session.updated", {
  description: "A session's title, share link or timestamps changed.",
  topic: "info.id",
  coalesce: ["info.id"],
  versions: { 1: z.object({ info: SessionInfo }) },
});

export const sessionDeleted = defineEvent("session.deleted", {
  description: "A session was deleted.",
  topic: "info.id",
  versions: { 1: z.object({ info: SessionInfo }) },
});

export const sessionStatus = defineEvent("session.status", {
  description: "A session's run state changed.",
  coalesce: ["sessionID"],
  topic: "sessionID",
  versions: {
    1: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy"]) }),
    2: z.object({
      sessionID: z.string(),
      status: z.discriminatedUnion("type", [
        z.object({ type: z.literal("idle") }),
        z.object({ type: z.literal("busy") }),
        z.object({
          type: z.literal("retry"),
          attempt: z.int().min(1).describe("Retry number, from 1."),
          message: z.string().describe("Why the last attempt failed."),
          next: z.int().min(0).describe("Epoch milliseconds of the next attempt."),
        }),
      ]),
    }),
  },
  migrations: {
    // "busy" → { type: "busy" }; back again, a retry reads as busy to a consumer of version 1.
    2: {
      upgrade: [{ wrap: "status", key: "type" }],
      downgrade: [{ unwrap: "status", key: "type" }, { map: "status", values: { retry: "busy" } }],
    },
  },
});

export const sessionError = defineEvent("session.error", {
  description: "A session stopped on an error.",
  topic: "sessionID",
  versions: {
    1: z.object({
      sessionID: z.string().optional().describe("Absent for errors outside any session."),
      error: z.discriminatedUnion("name", [
        z.object({ name: z.literal("ProviderAuthError"), providerID: z.string(), message: z.string() }),
        z.object({ name: z.literal("MessageOutputLengthError") }),
        z.object({ name: z.literal("MessageAbortedError"), message: z.string() }),
        z.object({ name: z.literal("UnknownError"), message: z.string() }),
      ]),
    }),
  },
});

export const sessionCompacted = defineEvent("session.compacted", {
  description: "A session's history was summarised to fit the context window.",
  topic: "sessionID",
  versions: { 1: z.object({ sessionID: z.string() }) },
});
