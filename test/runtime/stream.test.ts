/**
 * bus.stream(): a bounded async iterator. Each overflow policy, and every way of ending one
 * (return, abort, lag, close), releases the subscription behind it.
 */
import { describe, expect, test } from "vitest";
import { BusError } from "../../templates/ts/runtime/core/errors.js";
import { runtimeDefaults } from "../../templates/ts/runtime/core/policies.js";
import { createBus } from "./example-runtime.js";
import { settle } from "./turns.js";


async function publishFiles(bus: ReturnType<typeof createBus>, count: number): Promise<void> {
  for (let n = 0; n < count; n += 1) await bus.publish("file.edited", { file: `f${n}` });
  await settle();
}

async function take<T>(stream: AsyncIterator<T>, count: number): Promise<T[]> {
  const values: T[] = [];
  for (let n = 0; n < count; n += 1) {
    const result = await stream.next();
    if (result.done === true) break;
    values.push(result.value);
  }
  return values;
}

const files = (envelopes: { event: { payload: { file: string } } }[]) => envelopes.map((envelope) => envelope.event.payload.file);

describe("stream", () => {
  test("yields_envelopes_in_order_to_a_for_await_loop_and_break_releases_the_subscription", async () => {
    const bus = createBus();
    const stream = bus.stream("file.edited");
    await stream.ready;
    await publishFiles(bus, 3);
    const seen: string[] = [];
    for await (const envelope of stream) {
      seen.push(envelope.event.payload.file);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(["f0", "f1", "f2"]);
    await publishFiles(bus, 1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await bus.close();
  });

  test("a_waiting_consumer_receives_the_next_event_as_it_arrives", async () => {
    const bus = createBus();
    const stream = bus.stream("session.status", { topic: "s1" });
    const next = stream.next();
    await bus.publish("session.status", { sessionID: "s2", status: { type: "idle" } });
    await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } });
    expect((await next).value?.event.payload).toEqual({ sessionID: "s1", status: { type: "busy" } });
    await stream.return();
    await bus.close();
  });

  test("drop_oldest_keeps_the_newest_events_and_counts_the_dropped", async () => {
    const bus = createBus();
    const stream = bus.stream("file.edited", { buffer: 3, overflow: "drop-oldest" });
    await publishFiles(bus, 10);
    expect(stream.dropped).toBe(7);
    expect(files(await take(stream, 3))).toEqual(["f7", "f8", "f9"]);
    await bus.close();
  });

  test("drop_newest_keeps_the_oldest_events_and_counts_the_dropped", async () => {
    const bus = createBus();
    const stream = bus.stream("file.edited", { buffer: 3, overflow: "drop-newest" });
    await publishFiles(bus, 10);
    expect(stream.dropped).toBe(7);
    expect(files(await take(stream, 3))).toEqual(["f0", "f1", "f2"]);
    await bus.close();
  });

  test("error_policy_yields_what_was_buffered_then_ends_with_a_lag_error_and_releases_the_subscription", async () => {
    const bus = createBus();
    const stream = bus.stream("file.edited", { buffer: 2, overflow: "error" });
    await publishFiles(bus, 5);
    expect(files(await take(stream, 2))).toEqual(["f0", "f1"]);
    const lagged = await stream.next().catch((error: unknown) => error);
    expect(lagged).toBeInstanceOf(BusError);
    expect(lagged).toMatchObject({ code: "stream-lagged", message: expect.stringContaining("more than 2 events behind") });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(stream.dropped).toBe(0);
    await bus.close();
  });

  test("the_default_policy_is_a_1024_event_buffer_ending_with_a_lag_error", async () => {
    expect(runtimeDefaults.streamBuffer).toBe(1024);
    expect(runtimeDefaults.streamOverflow).toBe("error");
    const bus = createBus();
    const stream = bus.stream("file.edited");
    await publishFiles(bus, 1025);
    expect((await take(stream, 1024)).length).toBe(1024);
    await expect(stream.next()).rejects.toMatchObject({ code: "stream-lagged" });
    await bus.close();
  });

  test("abort_ends_a_waiting_iteration_and_releases_the_subscription", async () => {
    const bus = createBus();
    const controller = new AbortController();
    const stream = bus.stream("file.edited", { signal: controller.signal });
    const pending = stream.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    await publishFiles(bus, 1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await bus.close();
  });

  test("an_already_aborted_signal_gives_an_ended_stream", async () => {
    const bus = createBus();
    const stream = bus.stream("file.edited", { signal: AbortSignal.abort() });
    await publishFiles(bus, 1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await bus.close();
  });

  test("close_ends_every_open_stream", async () => {
    const bus = createBus();
    const a = bus.stream("file.edited");
    const b = bus.stream("*");
    const waiting = [a.next(), b.next()];
    await bus.close();
    expect(await Promise.all(waiting)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  test("rejects_a_buffer_that_is_not_a_positive_integer_and_an_unknown_policy", async () => {
    const bus = createBus();
    expect(() => bus.stream("file.edited", { buffer: 0 })).toThrow(RangeError);
    expect(() => bus.stream("file.edited", { buffer: 1.5 })).toThrow(RangeError);
    expect(() => bus.stream("file.edited", { overflow: "drop-everything" as never })).toThrow(RangeError);
    await bus.close();
  });
});
