/**
 * The failure modes the operators design out (IxJS, RxJS and async-iterator trackers), each proved
 * against the real bus or an endless source: nothing subscribed before the first `next()`; `return()`
 * during a pending `next()` settles it at once and the bus's subscriptions go back to their baseline;
 * groupBy and join emit on an endless source; every stateful operator's memory stays bounded over
 * 1,000,000 events; an abort at any point of a five-operator chain leaves no subscription and no timer.
 * Timers: batch, window, dedupe, groupBy and join emit and forget on time, and release their timer.
 */
import { describe, expect, test } from "vitest";
import type { Transport } from "../../templates/ts/runtime/transports/transport.js";
import { createMemoryTransport } from "../../templates/ts/runtime/transports/memory.js";
import { batch, chain, dedupe, filter, flat, groupBy, isEvent, join, map, pipe, reduce, take, toArray, window, type OperatorStream } from "../../templates/ts/runtime/operators/index.js";
import { createBus } from "./example-runtime.js";
import { activeTimers, endless, envelope, settledHeap, tracked } from "./operators-kit.js";
import { settle } from "./turns.js";

/** A memory transport that counts the subscriptions open on it. */
function countingTransport(): { transport: Transport; open: () => number } {
  const inner = createMemoryTransport();
  let open = 0;
  const transport: Transport = {
    trusted: inner.trusted,
    publish: (channel, data) => inner.publish(channel, data),
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
    close: () => inner.close(),
  };
  return { transport, open: () => open };
}

const FAR = 3_600_000;
const delta = (n: number) => ({ sessionID: "s1", messageID: "m1", partID: `p${n % 5}`, field: "text", delta: `d${n}` });

/** Every operator, applied to a bus stream of message.part.delta (a stream operator each). */
function everyOperator(other: AsyncIterable<unknown>): [string, (source: AsyncIterable<{ id: string; event: { type: string; payload: { partID: string } } }>) => OperatorStream<unknown>][] {
  return [
    ["filter", filter(() => true)],
    ["map", map((envelope) => envelope.id)],
    ["take", take(5)],
    ["batch", batch({ size: 5 })],
    ["dedupe", dedupe()],
    ["window by count", window({ size: 3 })],
    ["window by time", window({ duration: 1000 })],
    ["flat", (source) => flat()(pipe(source, batch({ size: 2 })))],
    ["groupBy", groupBy((envelope) => envelope.event.payload.partID)],
    ["chain", chain(() => other)],
    ["join", join(other, { key: (envelope) => envelope.id, otherKey: () => "" })],
    ["pipe with a signal", (source) => pipe(source, map((envelope) => envelope), { signal: new AbortController().signal })],
  ];
}

describe("lazy: nothing is opened before the first next()", () => {
  test("operators_applied_but_never_iterated_open_no_source_and_start_no_timer", async () => {
    const timers = activeTimers();
    const source = tracked([envelope(1)]);
    for (const [name, operator] of everyOperator(source)) {
      operator(source as never);
      expect(source.opened, name).toBe(0);
    }
    void pipe(source, batch(), flat(), groupBy((value: unknown) => value), dedupe({ key: (value) => value }));
    expect(source.opened).toBe(0);
    expect(activeTimers()).toBe(timers);
  });

  test("a_chained_bus_stream_subscribes_only_when_its_turn_comes", async () => {
    const { transport, open } = countingTransport();
    const bus = createBus({ transport });
    const stream = pipe(tracked([envelope(1)]), chain(() => bus.stream("file.edited")), take(2));
    expect(open()).toBe(0);
    await stream.next();
    expect(open()).toBe(0);
    const second = stream.next();
    await settle();
    expect(open()).toBe(1);
    await bus.publish("file.edited", { file: "a" });
    expect((await second).done).toBe(false);
    expect(open()).toBe(0); // take(2) released it with the second value
    await bus.close();
  });
});

describe("return() during a pending next() settles it at once and releases the subscription", () => {
  test("every_operator_over_a_bus_stream_goes_back_to_the_baseline_subscription_count", async () => {
    const { transport, open } = countingTransport();
    const bus = createBus({ transport });
    const timers = activeTimers();
    for (const [name, operator] of everyOperator(bus.stream("file.edited"))) {
      const baseline = open();
      const stream = operator(bus.stream("message.part.delta"));
      const pending = stream.next();
      await settle();
      let settled = false;
      void pending.then(() => (settled = true));
      void stream.return();
      await Promise.resolve();
      await Promise.resolve();
      expect(settled, name).toBe(true);
      await expect(pending, name).resolves.toEqual({ done: true, value: undefined });
      // chain and join also release the other bus stream they were given.
      expect(open(), name).toBeLessThanOrEqual(baseline);
    }
    expect(open()).toBe(0);
    expect(activeTimers()).toBe(timers);
    await bus.close();
  });

  test("an_async_generator_source_blocked_in_an_await_does_not_hold_the_consumer", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    async function* slow(): AsyncGenerator<number> {
      try {
        await blocked;
        yield 1;
      } finally {
        finished = true;
      }
    }
    const stream = pipe(slow(), map((n: number) => n + 1), batch({ size: 10 }));
    const pending = stream.next();
    await stream.return();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    release();
    await settle();
    expect(finished).toBe(true); // its queued return() ran once its await ended
  });
});

describe("groupBy and join on an endless source emit as they go", () => {
  test("groupBy_emits_groups_from_an_endless_source", async () => {
    const source = endless((n) => ({ key: n % 3, n }));
    const groups = await pipe(source, groupBy((item: { key: number; n: number }) => item.key, { size: 4 }), take(5), toArray());
    expect(groups.map((group) => group.values.length)).toEqual([4, 4, 4, 4, 4]);
    expect(source.returned).toBe(1);
    expect(source.produced).toBeLessThan(100);
  });

  test("join_pairs_two_endless_sources_without_reading_either_to_its_end", async () => {
    const left = endless((n) => ({ key: n % 10, n }));
    const right = endless((n) => ({ key: n % 10, n }));
    const pairs = await pipe(left, join(right, { key: (l: { key: number }) => l.key, otherKey: (r: { key: number }) => r.key, max: 20 }), take(50), toArray());
    expect(pairs).toHaveLength(50);
    for (const [l, r] of pairs) expect(l.key).toBe(r.key);
    expect(left.returned).toBe(1);
    expect(right.returned).toBe(1);
  });
});

describe("memory stays bounded over 1,000,000 events", () => {
  const EVENTS = 1_000_000;
  const cases: [string, (source: AsyncIterable<ReturnType<typeof envelope>>) => OperatorStream<unknown>][] = [
    ["dedupe (a new id each)", dedupe({ ttl: FAR })],
    ["groupBy (a new key each)", groupBy((item) => item.id, { idle: FAR })],
    ["window by time", window({ duration: FAR, max: 1000 })],
    ["batch", batch({ size: 1000, maxWait: FAR })],
    // Keys repeat every 500 values on both sides: each value pairs with the few of its key in the other window.
    ["join", join(endless((n) => envelope(n, `r${n}`)), { key: (l) => Number(l.id.slice(3)) % 500, otherKey: (r) => r.event.payload.n % 500, within: FAR })],
  ];
  test.each(cases)("%s", async (_name, operator) => {
    const source = endless((n) => envelope(n, `id-${n}`, `t${n}`));
    const stream = operator(source);
    let early = 0;
    for await (const _ of stream) {
      if (early === 0 && source.produced >= 100_000) early = await settledHeap();
      if (source.produced >= EVENTS) break;
    }
    const late = await settledHeap();
    // An unbounded store of 900,000 more ids or envelopes would be well over 50 MB.
    expect(late - early).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("cancellation at every point of a five-operator chain", () => {
  type Point = "before" | "filter" | "map" | "dedupe" | "batch" | "flat" | "after";

  /**
   * filter → map → dedupe → batch (3) → flat over a bus stream, with a signal, aborted at `point`:
   * inside the filter's predicate, the map's projection or the dedupe's key function as value 4 goes
   * through; with a partial batch and its timer pending; in the consumer while flat holds the rest of
   * a batch; before the first next(); after the end. Returns what the consumer read.
   */
  async function abortAt(point: Point): Promise<number[]> {
    const { transport, open } = countingTransport();
    const bus = createBus({ transport });
    const timers = activeTimers();
    const controller = new AbortController();
    const at = (stage: Point, n: number): void => {
      if (point === stage && n === 4) controller.abort();
    };
    const stream = pipe(
      bus.stream("message.part.delta"),
      filter((envelope) => {
        at("filter", Number(envelope.event.payload.delta.slice(1)));
        return isEvent("message.part.delta.v1")(envelope);
      }),
      map((envelope) => {
        const n = Number(envelope.event.payload.delta.slice(1));
        at("map", n);
        return { id: String(n), n };
      }),
      dedupe({
        key: (value) => {
          at("dedupe", value.n);
          return value.id;
        },
      }),
      batch({ size: 3, maxWait: 1000 }),
      flat(),
      { signal: controller.signal },
    );
    if (point === "before") controller.abort();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const value of stream) {
        seen.push(value.n);
        if (point === "flat" && value.n === 1) controller.abort();
      }
    })();
    await settle();
    for (let n = 0; n < (point === "batch" ? 5 : 8); n += 1) await bus.publish("message.part.delta", delta(n));
    await settle();
    if (point === "batch") controller.abort(); // 3 and 4 wait in a partial batch, its timer running
    if (point === "after") await bus.close(); // the end: the partial batch is emitted
    await reading;
    controller.abort();
    expect(open(), point).toBe(0);
    expect(activeTimers(), point).toBe(timers);
    await bus.close();
    return seen;
  }

  test("abort_before_start_reads_nothing_and_releases_the_bus_stream", async () => {
    expect(await abortAt("before")).toEqual([]);
  });
  test("abort_inside_the_filter_predicate", async () => {
    expect(await abortAt("filter")).toEqual([0, 1, 2]);
  });
  test("abort_inside_the_map_projection", async () => {
    expect(await abortAt("map")).toEqual([0, 1, 2]);
  });
  test("abort_inside_the_dedupe_key", async () => {
    expect(await abortAt("dedupe")).toEqual([0, 1, 2]);
  });
  test("abort_with_a_partial_batch_and_its_timer_pending_drops_the_batch", async () => {
    expect(await abortAt("batch")).toEqual([0, 1, 2]);
  });
  test("abort_while_flat_holds_the_rest_of_a_batch", async () => {
    expect(await abortAt("flat")).toEqual([0, 1]);
  });
  test("abort_after_the_end_changes_nothing", async () => {
    expect(await abortAt("after")).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test("a_terminal_under_an_aborted_signal_rejects_with_its_reason_and_releases_the_source", async () => {
    const { transport, open } = countingTransport();
    const bus = createBus({ transport });
    const controller = new AbortController();
    const counted = pipe(bus.stream("file.edited"), map((envelope) => envelope.event.payload.file), reduce((total: number) => total + 1, 0), { signal: controller.signal });
    await bus.publish("file.edited", { file: "a" });
    controller.abort(new Error("enough"));
    await expect(counted).rejects.toThrow("enough");
    expect(open()).toBe(0);
    const never = pipe(bus.stream("file.edited"), toArray(), { signal: controller.signal });
    await expect(never).rejects.toThrow("enough");
    expect(open()).toBe(0);
    await bus.close();
  });
});

describe("timers emit and forget on time, and are released", () => {
  test("batch_emits_a_partial_batch_after_maxWait_while_the_source_is_silent", async () => {
    const bus = createBus();
    const stream = pipe(bus.stream("file.edited"), batch({ size: 100, maxWait: 30 }));
    const first = stream.next();
    await settle();
    const started = Date.now();
    await bus.publish("file.edited", { file: "a" });
    await bus.publish("file.edited", { file: "b" });
    const batchOf = await first;
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(batchOf.done === false && batchOf.value.map((envelope) => envelope.event.payload.file)).toEqual(["a", "b"]);
    await stream.return();
    await bus.close();
  });

  test("groupBy_emits_an_idle_group_and_dedupe_forgets_after_ttl_and_window_drops_expired_values", async () => {
    const bus = createBus();
    const groups = pipe(bus.stream("file.edited"), groupBy((envelope) => envelope.event.payload.file, { idle: 30 }));
    const deduped = pipe(bus.stream("file.edited"), dedupe({ key: (envelope) => envelope.event.payload.file, ttl: 30 }), map((envelope) => envelope.event.payload.file));
    const windows = pipe(bus.stream("file.edited"), window({ duration: 30 }), map((items) => items.map((envelope) => envelope.event.payload.file)));
    const group = groups.next();
    const firstSeen = [deduped.next(), deduped.next()];
    const firstWindows = [windows.next(), windows.next()];
    await settle();
    await bus.publish("file.edited", { file: "a" });
    await bus.publish("file.edited", { file: "a" });
    await expect(group).resolves.toMatchObject({ value: { key: "a", values: [{}, {}] } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await bus.publish("file.edited", { file: "a" });
    expect((await Promise.all(firstSeen)).map((result) => result.value)).toEqual(["a", "a"]);
    expect((await Promise.all(firstWindows)).map((result) => result.value)).toEqual([["a"], ["a", "a"]]);
    await expect(windows.next()).resolves.toEqual({ done: false, value: ["a"] });
    const timers = activeTimers();
    await Promise.all([groups.return(), deduped.return(), windows.return()]);
    expect(activeTimers()).toBeLessThan(timers);
    await bus.close();
  });

  test("join_pairs_only_within_its_time_window", async () => {
    const bus = createBus();
    const pairs = pipe(
      bus.stream("session.status"),
      join(bus.stream("file.edited"), { key: (status) => status.event.payload.sessionID, otherKey: (edit) => edit.event.payload.file, within: 30 }),
      map(([status, edit]) => `${status.event.payload.sessionID}:${edit.event.payload.file}`),
    );
    const first = pairs.next();
    await settle();
    await bus.publish("file.edited", { file: "s1" });
    await bus.publish("session.status", { sessionID: "s1", status: { type: "idle" } });
    await expect(first).resolves.toEqual({ done: false, value: "s1:s1" });
    const second = pairs.next();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await bus.publish("session.status", { sessionID: "s1", status: { type: "busy" } }); // the edit has left the window
    await bus.publish("file.edited", { file: "s1" });
    await expect(second).resolves.toEqual({ done: false, value: "s1:s1" });
    await pairs.return();
    await bus.close();
  });
});
