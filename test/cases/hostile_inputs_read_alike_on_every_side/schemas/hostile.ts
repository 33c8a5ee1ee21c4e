import { z } from "zod";
import { z as z3 } from "zod/v3";
import { defineEvent } from "eventc";

// Named after members every JavaScript object inherits: a reader must look at own members only.
const Inherited = z.object({ constructor: z.string(), toString: z.number().optional() }).meta({ id: "Inherited" });

// Recursion through a named type: documents nest as deep as the limit allows.
interface Node {
  label: string;
  children: Node[];
}
const Node: z.ZodType<Node> = z.lazy(() => z.object({ label: z.string(), children: z.array(Node) })).meta({ id: "TreeNode" });

export const jobProgress = defineEvent("job.progress", {
  description: "Progress of a job; coalesced by job and score.",
  coalesce: ["job", "score"],
  versions: {
    1: z.object({
      job: z.string(),
      score: z.number(),
      usage: z.partialRecord(z.enum(["cpu", "mem"]), z.number()),
      methods: z.record(z.enum(["toString", "valueOf", "__proto__"]), z.boolean()),
      inherited: Inherited,
      detail: z.unknown(),
      tree: Node.optional(),
      count: z.int(),
    }),
  },
});

export const legacyUpload = defineEvent("legacy.upload", {
  description: "An upload from a Zod 3 producer: string formats and integers as Zod 3 writes them.",
  coalesce: ["size"],
  versions: {
    1: z3.object({
      id: z3.string().uuid(),
      owner: z3.string().email(),
      at: z3.string().datetime(),
      atOffset: z3.string().datetime({ offset: true }),
      day: z3.string().date(),
      clock: z3.string().time(),
      address: z3.string().ip(),
      v4: z3.string().ip({ version: "v4" }),
      data: z3.string().base64(),
      link: z3.string().url(),
      size: z3.number().int(),
      parts: z3.number().int().min(1).max(100),
      meta: z3.unknown(),
    }),
  },
});
