/**
 * The bus over the in-process transport: envelopes, versions, selectors, topics, ordering, failing
 * subscribers, close. Typed by the example catalogue through the hand-written binding.
 */
import { describe, expect, test } from "vitest";
import type { EventEnvelope } from "../../generated/ts/index.js";
import { ENVELOPE_TIME } from "../../generated/ts/index.js";
import { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createMemoryTransport } from "../../templates/ts/runtime/transports/memory.js";
import type { Transport } from "../../templates/ts/runtime/transports/transport.js";
import { createBus } from "./example-runtime.js";
import { settle } from "./turns.js";

const delta = (sessionID: string, n: number) => ({ sessionID, messageID: "m1", partID: "p1", field: "text" as const, delta: String(n) });

/** Collects everything a handler receives. */
function collector<E>() {
  const seen: EventEnvelope<E>[] = [];
  return { seen, handler: (envelope: EventEnvelope<E>) => void seen.push(envelope) };
}

/** Lets queued in-process deliveries run. */

function errorsOf(): { errors: BusError[]; onError: (error: BusError) => void } {
  const errors: BusError[] = [];
  return { errors, onError: (error) => void errors.push(error) };
}

describe("publish", () => {
  test("wraps_the_latest_version_in_an_envelope_with_a_unique_id_utc_time_and_the_topic_from_the_payload", async () => {
    const bus = createBus();
    const first = await bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } });
    const second = await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    expect(first.event).toEqual({ type: "session.status.v2", payload: { sessionID: "s1", status: { type: "idle" } } });
    expect(first.topic).toBe("s1");
    expect(first.time).toMatch(ENVELOPE_TIME);
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.id).not.toBe(first.id);
    expect(Object.keys(first)).toEqual(["id", "time", "topic", "event"]);
    await bus.close();
  });

  test("publishes_a_named_older_version", async () => {
    const bus = createBus();
    const envelope = await bus.publish("session.status", { sessionID: "s1", status: "busy" }, { version: 1 });
    expect(envelope.event.type).toBe("session.status.v1");
    await bus.close();
  });

  test("takes_the_topic_from_a_nested_topic_path_and_lets_an_explicit_topic_win", async () => {
    const bus = createBus();
    const part = { id: "p1", sessionID: "s9", messageID: "m1", type: "text" as const, text: "hi" };
    expect((await bus.publish("message.part.updated", { part })).topic).toBe("s9");
    expect((await bus.publish("message.part.updated", { part }, { topic: "override" })).topic).toBe("override");
    await bus.close();
  });

  test("leaves_an_event_without_topic_path_unscoped", async () => {
    const bus = createBus();
    const envelope = await bus.publish("file.edited", { file: "a.ts" });
    expect("topic" in envelope).toBe(false);
    await bus.close();
  });

  test("rejects_an_invalid_payload_unknown_name_or_version_and_sends_nothing", async () => {
    const bus = createBus();
    const received = collector();
    const off = bus.subscribe("*", received.handler);
    await off.ready;
    const invalid = bus.publish("session.status", { sessionID: "s1", status: { type: "sleeping" } } as never);
    await expect(invalid).rejects.toMatchObject({ code: "publish-invalid", message: expect.stringContaining("/status/type") });
    await expect(bus.publish("no.such" as never, {} as never)).rejects.toMatchObject({ code: "publish-invalid", message: expect.stringContaining('Unknown event "no.such"') });
    await expect(bus.publish("session.status", {} as never, { version: 7 as never })).rejects.toMatchObject({ code: "publish-invalid", message: expect.stringContaining("no version 7") });
    await settle();
    expect(received.seen).toEqual([]);
    await bus.close();
  });

  test("sends_an_invalid_payload_as_is_when_validation_is_off", async () => {
    const bus = createBus({ validate: false });
    const received = collector();
    bus.subscribe("session.status", received.handler);
    await bus.publish("session.status", { sessionID: "s1", status: { type: "sleeping" } } as never);
    await settle();
    expect(received.seen).toHaveLength(1);
    await bus.close();
  });

  test("delivers_after_publish_returns_never_inside_the_publishers_call", async () => {
    const bus = createBus();
    let delivered = false;
    bus.subscribe("file.edited", () => {
      delivered = true;
    });
    const sent = bus.publish("file.edited", { file: "a" });
    expect(delivered).toBe(false);
    await sent;
    await settle();
    expect(delivered).toBe(true);
    await bus.close();
  });
});

describe("subscribe", () => {
  test("receives_every_version_of_its_event_and_nothing_else", async () => {
    const bus = createBus();
    const status = collector<unknown>();
    bus.subscribe("session.status", status.handler);
    await bus.publish("session.status", { sessionID: "s1", status: "idle" }, { version: 1 });
    await bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } });
    await bus.publish("session.compacted", { sessionID: "s1" });
    await settle();
    expect(status.seen.map((envelope) => (envelope.event as { type: string }).type)).toEqual(["session.status.v1", "session.status.v2"]);
    await bus.close();
  });

  test("domain_wildcards_and_star_select_by_dotted_prefix", async () => {
    const bus = createBus();
    const session = collector<{ type: string }>();
    const message = collector<{ type: string }>();
    const messagePart = collector<{ type: string }>();
    const everything = collector<{ type: string }>();
    bus.subscribe("session.*", session.handler);
    bus.subscribe("message.*", message.handler);
    bus.subscribe("message.part.*", messagePart.handler);
    bus.subscribe("*", everything.handler);
    await bus.publish("session.compacted", { sessionID: "s1" });
    await bus.publish("message.part.delta", delta("s1", 1));
    await bus.publish("message.removed", { sessionID: "s1", messageID: "m1" });
    await bus.publish("file.edited", { file: "a" });
    await settle();
    const types = (seen: EventEnvelope<{ type: string }>[]) => seen.map((envelope) => envelope.event.type);
    expect(types(session.seen)).toEqual(["session.compacted.v1"]);
    expect(types(message.seen)).toEqual(["message.part.delta.v1", "message.removed.v1"]);
    expect(types(messagePart.seen)).toEqual(["message.part.delta.v1"]);
    expect(types(everything.seen)).toEqual(["session.compacted.v1", "message.part.delta.v1", "message.removed.v1", "file.edited.v1"]);
    await bus.close();
  });

  test("a_topic_narrows_to_that_topic_and_no_topic_means_every_topic", async () => {
    const bus = createBus();
    const s1 = collector();
    const all = collector();
    const wildcardS2 = collector();
    bus.subscribe("message.part.delta", s1.handler, { topic: "s1" });
    bus.subscribe("message.part.delta", all.handler);
    bus.subscribe("message.*", wildcardS2.handler, { topic: "s2" });
    for (const session of ["s1", "s2", "s1", "s3"]) await bus.publish("message.part.delta", delta(session, 0));
    await settle();
    expect(s1.seen.map((envelope) => envelope.topic)).toEqual(["s1", "s1"]);
    expect(all.seen.map((envelope) => envelope.topic)).toEqual(["s1", "s2", "s1", "s3"]);
    expect(wildcardS2.seen.map((envelope) => envelope.topic)).toEqual(["s2"]);
    await bus.close();
  });

  test("unsubscribe_stops_delivery_and_is_idempotent", async () => {
    const bus = createBus();
    const received = collector();
    const off = bus.subscribe("file.edited", received.handler);
    await bus.publish("file.edited", { file: "a" });
    await settle();
    off();
    off();
    await bus.publish("file.edited", { file: "b" });
    await settle();
    expect(received.seen).toHaveLength(1);
    await bus.close();
  });

  test("preserves_publish_order_per_topic_across_interleaved_topics", async () => {
    const bus = createBus();
    const byTopic = new Map<string, number[]>();
    bus.subscribe("message.part.delta", (envelope) => {
      const list = byTopic.get(envelope.topic ?? "") ?? [];
      list.push(Number(envelope.event.payload.delta));
      byTopic.set(envelope.topic ?? "", list);
    });
    const sends: Promise<unknown>[] = [];
    for (let n = 0; n < 3000; n += 1) sends.push(bus.publish("message.part.delta", delta(`s${n % 7}`, n)));
    await Promise.all(sends);
    await settle();
    let total = 0;
    for (const list of byTopic.values()) {
      total += list.length;
      expect(list).toEqual([...list].sort((a, b) => a - b));
    }
    expect(total).toBe(3000);
    await bus.close();
  });

  test("an_event_without_topic_path_is_never_scoped_neither_on_publish_nor_on_subscribe", async () => {
    const bus = createBus();
    await expect(bus.publish("file.edited", { file: "a" }, { topic: "t" })).rejects.toMatchObject({ code: "publish-invalid", message: expect.stringContaining("has no topic path") });
    expect(() => bus.subscribe("file.edited", () => {}, { topic: "t" })).toThrow(/has no topic path/);
    await bus.close();
  });

  test("rejects_an_unknown_event_name", () => {
    const bus = createBus();
    expect(() => bus.subscribe("no.such" as never, () => {})).toThrow(BusError);
    void bus.close();
  });
});

describe("failing subscribers", () => {
  test("a_throwing_or_rejecting_subscriber_affects_neither_other_subscribers_nor_the_publisher", async () => {
    const { errors, onError } = errorsOf();
    const bus = createBus({ onError });
    const healthy = collector();
    bus.subscribe("file.edited", () => {
      throw new Error("sync boom");
    });
    bus.subscribe("file.edited", async () => {
      throw new Error("async boom");
    });
    bus.subscribe("file.edited", healthy.handler);
    await expect(bus.publish("file.edited", { file: "a" })).resolves.toBeDefined();
    await expect(bus.publish("file.edited", { file: "b" })).resolves.toBeDefined();
    await settle();
    expect(healthy.seen.map((envelope) => envelope.event)).toEqual([
      { type: "file.edited.v1", payload: { file: "a" } },
      { type: "file.edited.v1", payload: { file: "b" } },
    ]);
    expect(errors.map((error) => error.code)).toEqual(["subscriber-failed", "subscriber-failed", "subscriber-failed", "subscriber-failed"]);
    expect(errors.map((error) => (error.cause as Error).message).sort()).toEqual(["async boom", "async boom", "sync boom", "sync boom"]);
    expect(errors[0]?.envelope).toMatchObject({ event: { type: "file.edited.v1" } });
    await bus.close();
  });

  test("an_onError_that_throws_does_not_stop_delivery", async () => {
    const bus = createBus({
      onError: () => {
        throw new Error("onError boom");
      },
    });
    const healthy = collector();
    bus.subscribe("file.edited", () => {
      throw new Error("boom");
    });
    bus.subscribe("file.edited", healthy.handler);
    await bus.publish("file.edited", { file: "a" });
    await settle();
    expect(healthy.seen).toHaveLength(1);
    await bus.close();
  });
});

describe("close", () => {
  /** The real in-process transport, counting what the bus holds of it. */
  function countingTransport(): { transport: Transport; open: () => number; closes: () => number } {
    const inner = createMemoryTransport();
    let open = 0;
    let closes = 0;
    const transport: Transport = {
      trusted: inner.trusted,
      publish: (channel, envelope) => inner.publish(channel, envelope),
      subscribe(filter, listener) {
        const subscription = inner.subscribe(filter, listener);
        open += 1;
        let active = true;
        return {
          ready: subscription.ready,
          unsubscribe() {
            if (active) open -= 1;
            active = false;
            subscription.unsubscribe();
          },
        };
      },
      onError: (observer) => inner.onError(observer),
      close() {
        closes += 1;
        return inner.close();
      },
    };
    return { transport, open: () => open, closes: () => closes };
  }

  test("close_is_idempotent_releases_every_subscription_and_stream_and_closes_the_transport_once", async () => {
    const { transport, open, closes } = countingTransport();
    const bus = createBus({ transport });
    bus.subscribe("session.status", () => {});
    bus.subscribe("session.status", () => {}, { topic: "s1" });
    bus.subscribe("*", () => {});
    const stream = bus.stream("file.edited");
    const pending = stream.next();
    // A scoped event without topic: its unscoped channel and every topic; an unscoped event: one channel.
    expect(open()).toBe(5);
    const first = bus.close();
    expect(bus.close()).toBe(first);
    await first;
    expect(open()).toBe(0);
    expect(closes()).toBe(1);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(bus.publish("file.edited", { file: "a" })).rejects.toMatchObject({ code: "closed" });
    expect(() => bus.subscribe("file.edited", () => {})).toThrow(/closed/);
  });

  test("subscribers_sharing_a_channel_share_one_transport_subscription_released_with_the_last", async () => {
    const { transport, open } = countingTransport();
    const bus = createBus({ transport });
    const a = bus.subscribe("session.status", () => {}, { topic: "x" });
    const b = bus.subscribe("session.status", () => {}, { topic: "x" });
    expect(open()).toBe(1);
    a();
    expect(open()).toBe(1);
    b();
    expect(open()).toBe(0);
    await bus.close();
  });
});
