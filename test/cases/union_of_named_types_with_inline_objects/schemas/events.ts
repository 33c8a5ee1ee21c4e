import { z } from "zod";
import { defineEvent } from "eventc";
import { Part } from "./parts.js";
import { State, StateRunning } from "./states.js";

export const toolStateChanged = defineEvent("tool.state-changed", {
  description: "A tool call moved to another state.",
  coalesce: ["callID"],
  versions: {
    1: z.object({ callID: z.string(), previous: State.nullable(), current: State }),
  },
});

export const toolStarted = defineEvent("tool.started", {
  versions: {
    // A member of the union used on its own.
    1: z.object({ callID: z.string(), state: StateRunning }),
  },
});

export const messagePartUpdated = defineEvent("message.part-updated", {
  topic: "messageID",
  versions: {
    1: z.object({ messageID: z.string(), part: Part, parts: z.array(Part).max(50).optional() }),
  },
});
