/**
 * What the publish hot path must keep while it avoids allocation and per-event work: ids unique and
 * UUID-shaped from a per-bus prefix and counter, times current to the millisecond, one microtask
 * delivering a burst in order, and the in-process transport's remembered listener lists following
 * every subscribe and unsubscribe.
 */
import { describe, expect, test, vi } from "vitest";
import { ENVELOPE_TIME } from "../../generated/ts/index.js";
import { createMemoryTransport } from "../../templates/ts/runtime/transports/memory.js";
import { createClock, createIdSource } from "../../templates/ts/runtime/core/platform.js";
import type { TransportMessage } from "../../templates/ts/runtime/transports/transport.js";
import { createBus } from "./example-runtime.js";
import { settle } from "./turns.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("envelope ids and times", () => {
  test("ids_are_uuid_shaped_and_never_repeat_across_counter_blocks_or_between_buses", () => {
    const first = createIdSource();
    const second = createIdSource();
    const ids = Array.from({ length: 5000 }, () => first());
    ids.push(...Array.from({ length: 5000 }, () => second()));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]?.slice(0, 24)).not.toBe(ids[5000]?.slice(0, 24));
  });

  test("the_clock_is_rfc_3339_utc_and_moves_with_the_millisecond", async () => {
    const now = createClock();
    const before = now();
    expect(before).toMatch(ENVELOPE_TIME);
    await sleep(5);
    const after = now();
    expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(4);
    expect(Math.abs(Date.parse(after) - Date.now())).toBeLessThan(50);
  });

  test("within_one_turn_the_clock_is_read_once_per_64_calls_and_afresh_in_the_next_turn", async () => {
    const now = createClock();
    const reads = vi.spyOn(Date, "now");
    try {
      const first = now();
      for (let call = 1; call < 640; call += 1) now();
      expect(reads).toHaveBeenCalledTimes(10);
      // A long synchronous run still moves on: after 64 calls the clock is read again.
      const started = Date.now();
      while (Date.now() - started < 3) {
        // busy for 3 ms within the same turn
      }
      reads.mockClear();
      for (let call = 0; call < 64; call += 1) now();
      expect(reads).toHaveBeenCalledTimes(1);
      expect(Date.parse(now()) - Date.parse(first)).toBeGreaterThanOrEqual(3);
      await Promise.resolve();
      await Promise.resolve();
      reads.mockClear();
      now();
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
  });

  test("envelopes_published_apart_in_time_carry_their_own_times", async () => {
    const bus = createBus();
    const first = await bus.publish("file.edited", { file: "a" });
    await sleep(5);
    const second = await bus.publish("file.edited", { file: "b" });
    expect(Date.parse(second.time) - Date.parse(first.time)).toBeGreaterThanOrEqual(4);
    expect(second.id).not.toBe(first.id);
    await bus.close();
  });
});

describe("in-process delivery", () => {
  test("a_burst_published_in_one_turn_is_delivered_in_publish_order_after_every_publish_resolved", async () => {
    const bus = createBus({ validate: false });
    const seen: string[] = [];
    bus.subscribe("message.part.delta", (envelope) => void seen.push((envelope.event.payload as { delta: string }).delta), { topic: "s1" });
    const sent = Array.from({ length: 2000 }, (_, n) => bus.publish("message.part.delta", { sessionID: "s1", messageID: "m", partID: "p", field: "text", delta: String(n) }));
    expect(seen).toEqual([]);
    const envelopes = await Promise.all(sent);
    const order = Array.from({ length: 2000 }, (_, n) => String(n));
    expect(envelopes.map((envelope) => (envelope.event.payload as { delta: string }).delta)).toEqual(order);
    await settle();
    expect(seen).toEqual(order);
    await bus.close();
  });

  test("listeners_added_or_removed_after_a_channel_was_delivered_to_are_followed_at_once", async () => {
    const transport = createMemoryTransport();
    const got: string[] = [];
    const listener = (label: string) => (message: TransportMessage) => void got.push(`${label}:${String(message.data)}`);
    const exact = transport.subscribe({ channel: "a.b:t" }, listener("exact"));
    await transport.publish("a.b:t", 1);
    await settle();
    const prefix = transport.subscribe({ prefix: "a." }, listener("prefix"));
    await transport.publish("a.b:t", 2);
    await settle();
    exact.unsubscribe();
    await transport.publish("a.b:t", 3);
    await settle();
    prefix.unsubscribe();
    await transport.publish("a.b:t", 4);
    await settle();
    expect(got).toEqual(["exact:1", "exact:2", "prefix:2", "prefix:3"]);
    await transport.close();
  });

  test("a_listener_that_unsubscribes_another_mid_burst_stops_its_delivery_at_once", async () => {
    const transport = createMemoryTransport();
    const got: number[] = [];
    let second: { unsubscribe(): void } | undefined;
    transport.subscribe({ channel: "x" }, (message) => {
      if (message.data === 2) second?.unsubscribe();
    });
    second = transport.subscribe({ channel: "x" }, (message) => void got.push(message.data as number));
    for (let n = 1; n <= 4; n += 1) void transport.publish("x", n);
    await settle();
    expect(got).toEqual([1]);
    await transport.close();
  });
});
