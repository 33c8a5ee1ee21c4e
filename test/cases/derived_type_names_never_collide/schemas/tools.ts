import { z } from "zod";
import { defineEvent } from "eventc";

// Two derived names that coincide: `Tool.call_result` and `ToolCall.result` both make
// `ToolCallResult`; `State`'s inline member "done" and the named type `StateDone` both declare a
// `time` object (`StateDoneTime`). The one declared first in catalogue order (named types by name)
// keeps the name; the other takes a numeric suffix.
export const Tool = z.object({ name: z.string(), call_result: z.object({ ok: z.boolean(), detail: z.string().optional() }).optional() }).meta({ id: "Tool" });

export const ToolCall = z.object({ id: z.string(), tool: Tool, result: z.object({ output: z.string() }) }).meta({ id: "ToolCall" });

export const State = z
  .discriminatedUnion("status", [
    z.object({ status: z.literal("running"), time: z.object({ start: z.number() }) }),
    z.object({ status: z.literal("done"), time: z.object({ start: z.number(), end: z.number() }) }),
  ])
  .meta({ id: "State" });

export const StateDone = z.object({ status: z.literal("done"), time: z.object({ start: z.number(), end: z.number(), cached: z.boolean() }) }).meta({ id: "StateDone" });

export const toolCalled = defineEvent("tool.called", {
  versions: {
    1: z.object({ call: ToolCall, state: State, last: StateDone.optional() }),
  },
});
