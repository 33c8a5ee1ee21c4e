/**
 * Type-level contract of the bus bound to the example catalogue: compiled (never run) by
 * typecheck.test.ts. Each `@ts-expect-error` line must fail to compile, every other line must pass.
 */
import type { EventEnvelope, SessionStatusV1, SessionStatusV2Event, SessionStatusEvent, MessagePartDeltaEvent, Event } from "../../generated/ts/index.js";
import { createBus } from "./example-runtime.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_value?: T): void {}

export async function contract(): Promise<void> {
  const bus = createBus();

  // publish: the latest version's payload unless a version is named.
  const latest = await bus.publish("session.status", { sessionID: "s1", status: { type: "retry", attempt: 1, message: "m", next: 5 } });
  assertType<Equal<typeof latest, EventEnvelope<SessionStatusV2Event>>>();
  const v1 = await bus.publish("session.status", { sessionID: "s1", status: "idle" }, { version: 1 });
  assertType<Equal<(typeof v1)["event"]["payload"], SessionStatusV1>>();
  await bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } }, { version: 2, topic: "t" });
  // @ts-expect-error v1's payload is not the latest's
  await bus.publish("session.status", { sessionID: "s1", status: "idle" });
  // @ts-expect-error no version 3
  await bus.publish("session.status", { sessionID: "s1", status: "idle" }, { version: 3 });
  // @ts-expect-error unknown event
  await bus.publish("session.nope", {});
  // @ts-expect-error a required field is missing
  await bus.publish("file.edited", {});

  // subscribe: any version of the event, or every event under a domain, or all.
  bus.subscribe("session.status", (envelope) => {
    assertType<Equal<typeof envelope, EventEnvelope<SessionStatusEvent>>>();
  });
  bus.subscribe("message.part.*", (envelope) => {
    assertType<Equal<(typeof envelope)["event"]["type"], "message.part.delta.v1" | "message.part.removed.v1" | "message.part.updated.v1">>();
  });
  bus.subscribe("*", (envelope) => {
    assertType<Equal<typeof envelope, EventEnvelope<Event>>>();
  });
  bus.subscribe("message.part.delta", async (envelope) => {
    assertType<Equal<typeof envelope, EventEnvelope<MessagePartDeltaEvent>>>();
  }, { topic: "s1" });
  // @ts-expect-error not a domain of the catalogue
  bus.subscribe("nothing.*", () => {});
  // @ts-expect-error not an event name
  bus.subscribe("session", () => {});
  const off = bus.subscribe("file.edited", () => {});
  await off.ready;
  off();

  // stream: the same selectors, with a typed async iterator.
  for await (const envelope of bus.stream("session.status", { buffer: 10, overflow: "drop-oldest", signal: new AbortController().signal })) {
    assertType<Equal<typeof envelope, EventEnvelope<SessionStatusEvent>>>();
  }
  // @ts-expect-error unknown overflow policy
  bus.stream("session.status", { overflow: "drop-all" });

  await bus.close();
}
