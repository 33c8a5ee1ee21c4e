/**
 * The demo's activity feed: a few assistant sessions working in a loop through the example
 * catalogue's events — a session goes busy, an assistant message starts, its text part streams in
 * as deltas, a tool call goes pending → running → completed, the text part is replaced whole, the
 * session goes idle — published through the bus at a steady rate. While the bus's transport is down
 * (Redis unreachable) the feed pauses, and goes on when it is up. With `record`, every envelope the
 * bus accepted is kept, in publish order, so a test can check what a client received.
 */
import type { Bus, Catalogue } from "../generated/runtime/index.js";

export interface SimulatorOptions {
  /** Concurrent sessions. Default 3. */
  sessions?: number;
  /** Events per second, spread over 10 ms ticks. Default 500. */
  rate?: number;
  /** Keep the id of every envelope published (`published`). Default false: a long run holds nothing. */
  record?: boolean;
}

export interface Simulator {
  start(): void;
  /** Stops publishing and resolves once every publish made so far has settled. */
  stop(): Promise<void>;
  /** With `record`: ids of the envelopes published so far, in publish order. */
  readonly published: readonly string[];
  /** Publishes the bus rejected. */
  readonly failures: number;
}

type Step = (bus: Bus<Catalogue>) => Promise<{ id: string }>;

const WORDS = "events travel between processes as typed envelopes validated on every side of the wire".split(" ");

/** One session's endless script: each call returns the next publish. */
function sessionScript(index: number): () => Step {
  const sessionID = `ses_${index + 1}`;
  let round = 0;
  let queue: Step[] = [];
  const refill = (): void => {
    round += 1;
    const messageID = `msg_${index + 1}_${round}`;
    const textID = `${messageID}_text`;
    const toolID = `${messageID}_tool`;
    const now = Date.now();
    const words = WORDS.slice(0, 6 + ((round + index) % 8));
    const tokens = { input: 120 + round, output: 40 + words.length, reasoning: 0, cache: { read: 0, write: 0 } };
    queue = [
      (bus) => bus.publish("session.status", { sessionID, status: { type: "busy" } }),
      (bus) =>
        bus.publish("message.updated", {
          info: { role: "assistant", id: messageID, sessionID, parentID: `${messageID}_user`, modelID: "demo-model", providerID: "demo", cost: 0, tokens, finish: null, time: { created: now } },
        }),
      (bus) => bus.publish("message.part.updated", { part: { id: textID, sessionID, messageID, type: "text", text: "" } }),
      ...words.map((word, position): Step => (bus) => bus.publish("message.part.delta", { sessionID, messageID, partID: textID, field: "text", delta: position === 0 ? word : ` ${word}` })),
      (bus) => bus.publish("message.part.updated", { part: { id: toolID, sessionID, messageID, type: "tool", callID: `call_${round}`, tool: "bash", state: { status: "pending", input: {} } } }),
      (bus) =>
        bus.publish("message.part.updated", {
          part: { id: toolID, sessionID, messageID, type: "tool", callID: `call_${round}`, tool: "bash", state: { status: "running", input: { command: "npm test" }, title: "npm test", time: { start: now } } },
        }),
      (bus) =>
        bus.publish("message.part.updated", {
          part: {
            id: toolID,
            sessionID,
            messageID,
            type: "tool",
            callID: `call_${round}`,
            tool: "bash",
            state: { status: "completed", input: { command: "npm test" }, output: `${40 + round} passed, 0 failed`, title: "npm test", metadata: {}, time: { start: now, end: now + 5 } },
          },
        }),
      (bus) => bus.publish("message.part.updated", { part: { id: textID, sessionID, messageID, type: "text", text: words.join(" ") } }),
      (bus) => bus.publish("session.status", { sessionID, status: { type: "idle" } }),
    ];
  };
  return () => {
    if (queue.length === 0) refill();
    return queue.shift()!;
  };
}

export function createSimulator(bus: Bus<Catalogue>, options: SimulatorOptions = {}): Simulator {
  const sessions = options.sessions ?? 3;
  const perTick = Math.max(1, Math.round((options.rate ?? 500) / 100));
  const published: string[] = [];
  const record = options.record === true;
  let failures = 0;
  let unreported = 0;
  let reportedAt = 0;
  const pending = new Set<Promise<unknown>>();
  const scripts = Array.from({ length: sessions }, (_, index) => sessionScript(index));
  let timer: ReturnType<typeof setInterval> | undefined;
  let turn = 0;
  let started = false;

  const publish = (step: Step): void => {
    const attempt = step(bus).then(
      (envelope) => void (record && published.push(envelope.id)),
      (error: unknown) => {
        failures += 1;
        unreported += 1;
        // One line per 5 s at most: a failure that repeats fails the same way.
        const now = Date.now();
        if (now - reportedAt < 5000) return;
        const message = error instanceof Error ? error.message : String(error);
        console.error(unreported === 1 ? `demo: publish failed: ${message}` : `demo: ${unreported} publishes failed since the last report; the last: ${message}`);
        unreported = 0;
        reportedAt = now;
      },
    );
    pending.add(attempt);
    void attempt.finally(() => pending.delete(attempt));
  };

  return {
    start() {
      if (timer !== undefined) return;
      if (!started) {
        started = true;
        scripts.forEach((_, index) => {
          const now = Date.now();
          publish((target) =>
            target.publish("session.created", {
              info: { id: `ses_${index + 1}`, projectID: "demo", directory: "/work/demo", title: `Session ${index + 1}`, version: "1.0.0", time: { created: now, updated: now } },
            }),
          );
        });
      }
      timer = setInterval(() => {
        if (bus.status().state === "down") return;
        for (let count = 0; count < perTick; count++) {
          publish(scripts[turn % scripts.length]!());
          turn += 1;
        }
      }, 10);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    published,
    get failures() {
      return failures;
    },
  };
}
