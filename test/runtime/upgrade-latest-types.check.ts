/**
 * Compile-only: with `version: "latest"`, what the bus, the SSE and WebSocket clients and the
 * coalescer hand over is typed as the latest version of each event — never as an older one.
 * Checked by upgrade-latest.test.ts; each
 * `@ts-expect-error` line must fail to compile, every other line must pass.
 */
import { createCoalescer } from "../../generated/runtime/index.js";
import {
  parseEnvelope,
  upgradeEvent,
  type EventEnvelope,
  type LatestEvent,
  type SessionStatusEvent,
  type SessionStatusV1Event,
  type SessionStatusV2Event,
} from "../../generated/ts/index.js";
import { createCoalescerFor } from "../../templates/ts/runtime/coalescer.js";
import { connectSse } from "../../templates/ts/runtime/sse/client.js";
import { connectWebSocket } from "../../templates/ts/runtime/ws/client.js";
import { binding, createBus } from "./example-runtime.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_value?: T): void {}

export async function bus(): Promise<void> {
  const bus = createBus();

  bus.subscribe(
    "session.status",
    (envelope) => {
      assertType<Equal<typeof envelope, EventEnvelope<SessionStatusV2Event>>>();
      const latest: SessionStatusV2Event = envelope.event;
      // @ts-expect-error a latest subscriber never sees version 1
      const old: SessionStatusV1Event = envelope.event;
      void latest, old;
    },
    { version: "latest", topic: "s1" },
  );
  // Without the option: every version, as published.
  bus.subscribe("session.status", (envelope) => {
    assertType<Equal<typeof envelope, EventEnvelope<SessionStatusEvent>>>();
  });
  // A domain or everything: each event at its own latest version.
  bus.subscribe(
    "session.*",
    (envelope) => {
      // @ts-expect-error no session event is delivered at an older version
      const old: "session.status.v1" = envelope.event.type;
      void old;
    },
    { version: "latest" },
  );
  bus.subscribe("*", (envelope) => assertType<Equal<typeof envelope, EventEnvelope<LatestEvent>>>(), { version: "latest" });
  // @ts-expect-error only "latest" is a version a subscriber can ask for
  bus.subscribe("session.status", () => {}, { version: "newest" });

  for await (const envelope of bus.stream("session.status", { version: "latest", buffer: 10 })) {
    assertType<Equal<typeof envelope, EventEnvelope<SessionStatusV2Event>>>();
  }
  for await (const envelope of bus.stream("session.status")) {
    assertType<Equal<typeof envelope, EventEnvelope<SessionStatusEvent>>>();
  }
  await bus.close();
}

export async function clients(): Promise<void> {
  const sse = connectSse("http://127.0.0.1/events", {
    binding,
    version: "latest",
    onEvent(envelope) {
      assertType<Equal<typeof envelope, EventEnvelope<LatestEvent>>>();
      // @ts-expect-error a latest client never sees version 1
      const old: "session.status.v1" = envelope.event.type;
      void old;
    },
  });
  for await (const envelope of sse) assertType<Equal<typeof envelope, EventEnvelope<LatestEvent>>>();

  // The SDK's own functions are a binding too.
  const fromSdk = connectSse("http://127.0.0.1/events", { binding: { parseEnvelope, upgradeEvent }, version: "latest" });
  for await (const envelope of fromSdk) assertType<Equal<typeof envelope, EventEnvelope<LatestEvent>>>();

  const ws = connectWebSocket("ws://127.0.0.1/live", { binding, version: "latest" });
  for await (const envelope of ws.stream()) {
    if (envelope.event.type === "session.status.v2") assertType<Equal<typeof envelope.event, SessionStatusV2Event>>();
  }
}

export function coalescers(v1: EventEnvelope<SessionStatusV1Event>): void {
  const generated = createCoalescer({
    version: "latest",
    onFlush(batch) {
      assertType<Equal<typeof batch, readonly EventEnvelope<LatestEvent>[]>>();
    },
  });
  generated.push(v1); // any version goes in

  const bound = createCoalescerFor(binding, {
    version: "latest",
    onFlush(batch) {
      // @ts-expect-error the batch holds latest versions only
      const old: "session.status.v1" | undefined = batch[0]?.event.type;
      void old;
    },
  });
  bound.push(v1);

  // Without the option, what goes in comes out.
  createCoalescer<EventEnvelope<SessionStatusV1Event>>({ onFlush: (batch) => assertType<Equal<typeof batch, readonly EventEnvelope<SessionStatusV1Event>[]>>() });
}
