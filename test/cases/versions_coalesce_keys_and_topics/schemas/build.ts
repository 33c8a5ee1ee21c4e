import { z } from "zod";
import { defineEvent } from "eventc";

export const buildProgress = defineEvent("build.progress", {
  description: "A build advanced.",
  coalesce: ["project", "build.id"],
  topic: "project",
  versions: {
    1: z.object({ project: z.string(), build: z.object({ id: z.string() }), percent: z.number().min(0).max(100) }),
    2: z.object({
      project: z.string(),
      build: z.object({ id: z.string(), branch: z.string().optional() }),
      percent: z.number().min(0).max(100),
      stage: z.enum(["compile", "test", "package"]),
    }),
    3: z.object({
      project: z.string(),
      build: z.object({ id: z.string(), branch: z.string() }),
      progress: z.object({ done: z.int().min(0), total: z.int().min(1) }),
    }),
  },
});

export const buildLogLine = defineEvent("build.log-line", {
  description: "One line of build output; never coalesced.",
  topic: "buildID",
  versions: { 1: z.object({ buildID: z.string().optional(), line: z.string() }) },
});

export const serverRestarted = defineEvent("server.restarted", {
  coalesce: [],
  versions: { 1: z.object({ reason: z.string() }) },
});
