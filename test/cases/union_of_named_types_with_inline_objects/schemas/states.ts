import { z } from "zod";

// Each state of a tool call is a named type with an unnamed object of its own (`time`).
export const StatePending = z
  .object({ status: z.literal("pending"), input: z.record(z.string(), z.unknown()) })
  .meta({ id: "StatePending", description: "Queued, not started yet." });

export const StateRunning = z
  .object({ status: z.literal("running"), title: z.string().optional(), time: z.object({ start: z.number() }) })
  .meta({ id: "StateRunning", description: "Started." });

export const StateDone = z
  .object({ status: z.literal("done"), output: z.string(), time: z.object({ start: z.number(), end: z.number() }) })
  .meta({ id: "StateDone" });

export const StateError = z
  .strictObject({ status: z.literal("error"), error: z.string().min(1), time: z.object({ start: z.number(), end: z.number() }) })
  .meta({ id: "StateError", description: "Failed; no other members allowed." });

export const State = z.discriminatedUnion("status", [StatePending, StateRunning, StateDone, StateError]).meta({ id: "State" });

// Named and inline members in one union.
export const FileAttachment = z
  .object({ kind: z.literal("file"), path: z.string(), range: z.object({ start: z.int().min(0), end: z.int().min(0) }).optional() })
  .meta({ id: "FileAttachment" });

export const Attachment = z
  .discriminatedUnion("kind", [FileAttachment, z.object({ kind: z.literal("url"), url: z.string().min(1), title: z.string().optional() })])
  .meta({ id: "Attachment" });
