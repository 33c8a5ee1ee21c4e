/** Types every part of the workspace shares: ids, time, usage, people, errors. */
import { z } from "zod";

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/).meta({ id: "Id", description: "An opaque identifier." });

export const TimeSpan = z
  .object({ start: z.int().min(0).describe("Epoch milliseconds."), end: z.int().min(0).optional() })
  .meta({ id: "TimeSpan", description: "When something started and, once done, ended." });

export const TokenUsage = z
  .object({
    input: z.int().min(0),
    output: z.int().min(0),
    reasoning: z.int().min(0).default(0),
    cache: z.object({ read: z.int().min(0), write: z.int().min(0) }),
  })
  .meta({ id: "TokenUsage" });

export const Cost = z.object({ usd: z.number().min(0), tokens: TokenUsage }).meta({ id: "Cost" });

export const User = z.object({ id: Id, name: z.string().min(1), email: z.email().optional(), avatar: z.url().optional() }).meta({ id: "User" });

export const Bot = z.object({ id: Id, name: z.string(), model: z.string() }).meta({ id: "Bot" });

export const Actor = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("user"), user: User }),
    z.object({ kind: z.literal("bot"), bot: Bot }),
    z.object({ kind: z.literal("system") }),
  ])
  .meta({ id: "Actor", description: "Who did it." });

export const ApiError = z
  .object({ name: z.literal("api"), message: z.string(), status: z.int().min(100).max(599), retryable: z.boolean(), headers: z.record(z.string(), z.string()).optional() })
  .meta({ id: "ApiError" });

export const AuthError = z.object({ name: z.literal("auth"), message: z.string(), provider: z.string() }).meta({ id: "AuthError" });

export const AbortedError = z.object({ name: z.literal("aborted"), message: z.string().optional() }).meta({ id: "AbortedError" });

export const OutputLengthError = z.object({ name: z.literal("output-length"), limit: z.int().min(1) }).meta({ id: "OutputLengthError" });

export const AppError = z
  .discriminatedUnion("name", [ApiError, AuthError, AbortedError, OutputLengthError, z.object({ name: z.literal("unknown"), message: z.string(), data: z.json().optional() })])
  .meta({ id: "AppError", description: "Why something failed." });

export const Position = z.object({ line: z.int().min(0), character: z.int().min(0) }).meta({ id: "Position" });

export const Range = z.object({ start: Position, end: Position }).meta({ id: "Range" });

export const Label = z.string().min(1).max(40).nullable().meta({ id: "Label", description: "A short tag; null when cleared." });
