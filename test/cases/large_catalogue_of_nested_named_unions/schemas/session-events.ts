import { z } from "zod";
import { defineEvent } from "eventc";
import { Actor, AppError, Cost, Id, Label, TimeSpan } from "./common.js";
import { Message, Part, ToolState } from "./parts.js";
import { AgentInfo, Share, Todo } from "./activity.js";

const SessionInfo = z
  .object({ id: Id, title: z.string().max(200), parentID: Id.optional(), time: z.object({ created: z.int().min(0), updated: z.int().min(0) }), labels: z.array(Label).optional() })
  .meta({ id: "SessionInfo" });

export const sessionCreated = defineEvent("session.created", {
  description: "A session was created.",
  versions: {
    1: z.object({ info: SessionInfo }),
    2: z.object({ info: SessionInfo, by: Actor, agent: AgentInfo.optional() }),
  },
});

export const sessionUpdated = defineEvent("session.updated", { coalesce: ["info.id"], versions: { 1: z.object({ info: SessionInfo }) } });

export const sessionDeleted = defineEvent("session.deleted", { versions: { 1: z.object({ sessionID: Id, by: Actor }) } });

export const sessionStatus = defineEvent("session.status", {
  coalesce: ["sessionID"],
  topic: "sessionID",
  versions: {
    1: z.object({ sessionID: Id, status: z.enum(["idle", "busy"]) }),
    2: z.object({
      sessionID: Id,
      status: z.discriminatedUnion("type", [
        z.object({ type: z.literal("idle") }),
        z.object({ type: z.literal("busy"), since: z.int().min(0) }),
        z.object({ type: z.literal("retry"), attempt: z.int().min(1), next: z.int().min(0), error: AppError }),
      ]),
    }),
  },
});

export const sessionError = defineEvent("session.error", { topic: "sessionID", versions: { 1: z.object({ sessionID: Id.optional(), error: AppError }) } });

export const sessionCompacted = defineEvent("session.compacted", { topic: "sessionID", versions: { 1: z.object({ sessionID: Id, summary: Message, removed: z.int().min(0) }) } });

export const sessionShared = defineEvent("session.shared", { topic: "sessionID", versions: { 1: z.object({ sessionID: Id, share: Share }) } });

export const sessionUnshared = defineEvent("session.unshared", { topic: "sessionID", versions: { 1: z.object({ sessionID: Id }) } });

export const sessionReverted = defineEvent("session.reverted", {
  topic: "sessionID",
  versions: { 1: z.object({ sessionID: Id, messageID: Id, partID: Id.optional(), snapshot: z.string(), diff: z.string().optional() }) },
});

export const sessionIdle = defineEvent("session.idle", { coalesce: [], versions: { 1: z.object({ sessionID: Id, time: TimeSpan }) } });

export const messageCreated = defineEvent("message.created", { topic: "message.sessionID", versions: { 1: z.object({ message: Message }) } });

export const messageUpdated = defineEvent("message.updated", {
  coalesce: ["info.id"],
  versions: {
    1: z.object({ info: Message }),
    2: z.object({ info: Message, cost: Cost.optional(), previous: Message.nullable() }),
  },
});

export const messageRemoved = defineEvent("message.removed", { topic: "sessionID", versions: { 1: z.object({ sessionID: Id, messageID: Id }) } });

export const messagePartUpdated = defineEvent("message.part-updated", {
  coalesce: ["part.id"],
  versions: { 1: z.object({ part: Part, delta: z.string().optional() }) },
});

export const messagePartRemoved = defineEvent("message.part-removed", { versions: { 1: z.object({ messageID: Id, partID: Id }) } });

export const toolStateChanged = defineEvent("tool.state-changed", {
  coalesce: ["callID"],
  versions: { 1: z.object({ callID: Id, tool: z.string(), previous: ToolState.nullable(), current: ToolState }) },
});

export const toolOutputAppended = defineEvent("tool.output-appended", { versions: { 1: z.object({ callID: Id, chunk: z.string(), offset: z.int().min(0) }) } });

export const todoUpdated = defineEvent("todo.updated", { coalesce: ["sessionID"], topic: "sessionID", versions: { 1: z.object({ sessionID: Id, todos: z.array(Todo).max(100) }) } });

export const agentStarted = defineEvent("agent.started", { versions: { 1: z.object({ agent: AgentInfo, sessionID: Id, parent: Id.nullable() }) } });

export const agentStepFinished = defineEvent("agent.step-finished", {
  versions: { 1: z.object({ sessionID: Id, step: z.int().min(0), cost: Cost, reason: z.enum(["stop", "tool-calls", "length", "error"]) }) },
});

export const agentFinished = defineEvent("agent.finished", { versions: { 1: z.object({ sessionID: Id, messages: z.array(Message), error: AppError.optional() }) } });

export const usageRecorded = defineEvent("usage.recorded", {
  versions: {
    1: z.object({ sessionID: Id, cost: Cost }),
    2: z.object({ sessionID: Id, cost: Cost, byModel: z.record(z.string(), Cost) }),
  },
});

export const modelSelected = defineEvent("model.selected", { versions: { 1: z.object({ provider: z.string(), model: z.string(), by: Actor }) } });
