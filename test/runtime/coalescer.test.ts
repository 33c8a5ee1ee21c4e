/**
 * The coalescer: ordering semantics (replacement in the original slot, un-keyed order, `[]` keys,
 * never-merged events, keys equal exactly when the SDK's coalesceKey texts are), at most one flush per
 * frame (fake timers where exact; a real-time flood of 100,000 events/s for 2 s), immediate envelopes,
 * the memory bound, yielding under floods, close. Bound to the example catalogue in generated/ts.
 */
import path from "node:path";
import { build } from "esbuild";
import { afterEach, describe, expect, test, vi } from "vitest";
import { coalesceKey, type Event, type EventEnvelope } from "../../generated/ts/index.js";
import { createCoalescerFor, type Coalescer, type CoalescerOptions } from "../../templates/ts/runtime/coalescer.js";
import type { BusError } from "../../templates/ts/runtime/core/core/errors.js";
import { ROOT } from "../helpers.js";
import { binding } from "./example-runtime.js";

type Envelope = EventEnvelope<Event>;

let sequence = 0;
/** An envelope of `type` with `payload`; the coalescer reads only `event`, validity is not its concern. */
function envelope(type: string, payload: unknown): Envelope {
  sequence += 1;
  return { id: `e${sequence}`, time: "2025-01-01T00:00:00Z", event: { type, payload } as Event };
}

const status = (sessionID: string, state: string) => envelope("session.status.v2", { sessionID, status: { type: state } });
const delta = (n: number) => envelope("message.part.delta.v1", { sessionID: "s1", messageID: "m1", partID: "p1", field: "text", delta: `t${n}` });
const part = (id: string, text: string) => envelope("message.part.updated.v1", { part: { id, sessionID: "s1", messageID: "m1", type: "text", text } });
const update = (version: string) => envelope("installation.update-available.v1", { version });
const diagnostics = (serverID: unknown, path: unknown) => envelope("lsp.client.diagnostics.v1", { serverID, path, diagnostics: [] });
const sessionError = (message: string) => envelope("session.error.v1", { sessionID: "s1", error: { name: "UnknownError", message } });

/** A coalescer whose batches are collected in `batches`. */
function collecting(options: Omit<CoalescerOptions<Envelope>, "onFlush"> = {}): { coalescer: Coalescer<Envelope>; batches: (readonly Envelope[])[] } {
  const batches: (readonly Envelope[])[] = [];
  const coalescer = createCoalescerFor(binding, { ...options, onFlush: (batch) => void batches.push(batch) });
  return { coalescer, batches };
}

/** Pushes `envelopes`, flushes, and returns the one batch. */
function coalesced(...envelopes: Envelope[]): readonly Envelope[] {
  const { coalescer, batches } = collecting();
  for (const each of envelopes) coalescer.push(each);
  coalescer.close();
  expect(batches).toHaveLength(1);
  return batches[0] as readonly Envelope[];
}

const microtasks = () => Promise.resolve();

/**
 * Real-time check of the frame bound on `onFlush` call times. Calls are at least a frame apart
 * (less 1 ms: the coalescer's clock is Date.now(), in whole milliseconds). The tolerance: a host
 * pause (a GC, the OS scheduler on a busy machine) between the coalescer's decision and the start of
 * `onFlush` makes that call late and the next gap short by as much — so a short gap must follow a
 * long one, the two spanning two frames, and short gaps must be rare.
 */
function expectAtMostOneFlushPerFrame(calledAt: readonly number[], frame: number): void {
  const gaps = calledAt.slice(1).map((at, index) => at - (calledAt[index] as number));
  const short = gaps.map((gap, index) => ({ gap, before: gaps[index - 1] ?? 0 })).filter(({ gap }) => gap < frame - 1);
  const message = `gaps between flushes (ms): ${gaps.map((gap) => gap.toFixed(1)).join(" ")}`;
  for (const { gap, before } of short) expect(gap + before, message).toBeGreaterThanOrEqual(2 * frame - 1);
  expect(short.length, message).toBeLessThanOrEqual(Math.ceil(gaps.length / 20));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ordering", () => {
  test("a_newer_envelope_of_a_queued_key_replaces_it_in_its_original_slot", () => {
    const a1 = status("s1", "busy");
    const x = delta(1);
    const b1 = status("s2", "busy");
    const a2 = status("s1", "idle");
    const y = delta(2);
    const a3 = status("s1", "retry");
    expect(coalesced(a1, x, b1, a2, y, a3)).toEqual([a3, x, b1, y]);
  });

  test("envelopes_without_a_key_keep_their_order_and_are_never_merged_even_when_identical", () => {
    const same = { sessionID: "s1", messageID: "m1", partID: "p1", field: "text", delta: "x" };
    const envelopes = Array.from({ length: 1000 }, () => envelope("message.part.delta.v1", same));
    expect(coalesced(...envelopes)).toEqual(envelopes);
    const mixed = [delta(1), status("s1", "busy"), delta(2), status("s1", "idle"), delta(3)];
    expect(coalesced(...mixed).filter((each) => each.event.type === "message.part.delta.v1")).toEqual([mixed[0], mixed[2], mixed[4]]);
  });

  test("an_empty_coalesce_list_is_one_key_per_event_name_whatever_the_payload", () => {
    const first = update("1.0.0");
    const x = delta(1);
    const last = update("2.0.0");
    expect(coalesced(first, x, update("1.5.0"), last)).toEqual([last, x]);
  });

  test("versions_of_one_event_share_keys", () => {
    const v1 = envelope("session.status.v1", { sessionID: "s1", status: "busy" });
    const v2 = status("s1", "idle");
    expect(coalesced(v1, delta(1), v2)[0]).toBe(v2);
  });

  test("a_key_of_several_paths_merges_only_when_every_value_matches", () => {
    const a = diagnostics("ts", "a.ts");
    const b = diagnostics("ts", "b.ts");
    const c = diagnostics("eslint", "a.ts");
    const a2 = diagnostics("ts", "a.ts");
    expect(coalesced(a, b, c, a2)).toEqual([a2, b, c]);
  });

  test("events_without_coalesce_and_wire_types_the_catalogue_does_not_know_are_never_merged", () => {
    const edits = [envelope("file.edited.v1", { file: "a.ts" }), envelope("file.edited.v1", { file: "a.ts" })];
    const unknown = [envelope("file.edited.v9", { file: "a.ts" }), envelope("future.event.v1", {}), envelope("future.event.v1", {})];
    expect(coalesced(...edits, ...unknown)).toEqual([...edits, ...unknown]);
  });

  test("two_keys_are_equal_exactly_when_the_sdk_coalesceKey_texts_are", () => {
    // JSON's equalities: 1 and 1.0 and -0/0; NaN, Infinity, absent and null; objects by their text
    // (key order included); a toJSON giving a primitive. JSON's inequalities: "1" and 1, [1] and "[1]".
    const values: unknown[] = [
      "a", "1", 1, 1.0, 0, -0, 2.5, true, "true", false, null, undefined, Number.NaN, Number.POSITIVE_INFINITY,
      { a: 1, b: 2 }, { a: 1, b: 2 }, { b: 2, a: 1 }, [1], [1], "[1]", [], {}, new Date(0), "1970-01-01T00:00:00.000Z", [[1], { x: null }],
    ];
    const kinds = [
      (value: unknown) => envelope("file.watcher.updated.v1", { file: value, event: "change" }),
      (value: unknown) => envelope("message.part.updated.v1", { part: { id: value } }),
      (value: unknown) => diagnostics("ts", value),
      (value: unknown) => diagnostics(value, "a.ts"),
    ];
    const parents = [null, [], "x", { part: [] }];
    let pairs = 0;
    for (const make of kinds) {
      for (const first of values) {
        for (const second of values) {
          const a = make(first);
          const b = make(second);
          const same = coalesceKey(a.event) === coalesceKey(b.event);
          expect(coalesced(a, b), `${coalesceKey(a.event)} vs ${coalesceKey(b.event)}`).toEqual(same ? [b] : [a, b]);
          pairs += 1;
        }
      }
    }
    // A path through something other than a plain object reads as null.
    for (const payload of parents) {
      const a = envelope("message.part.updated.v1", payload);
      const b = envelope("message.part.updated.v1", { part: { id: null } });
      expect(coalesceKey(a.event)).toBe(coalesceKey(b.event));
      expect(coalesced(a, b)).toEqual([b]);
    }
    expect(pairs).toBe(kinds.length * values.length ** 2);
  });

  test("keys_never_reach_back_into_a_batch_already_handed_over", () => {
    const { coalescer, batches } = collecting();
    const first = status("s1", "busy");
    coalescer.push(first);
    coalescer.flush();
    const second = status("s1", "idle");
    coalescer.push(second);
    coalescer.flush();
    expect(batches).toEqual([[first], [second]]);
  });

  test("a_batch_handed_to_onFlush_is_never_mutated_afterwards", () => {
    const { coalescer, batches } = collecting();
    const batch = [status("s1", "busy"), delta(1), part("p1", "a")];
    for (const each of batch) coalescer.push(each);
    coalescer.flush();
    const handed = batches[0] as readonly Envelope[];
    const copy = [...handed];
    // Same keys again: they must land in a new batch, not in the slots of the one handed over.
    coalescer.push(status("s1", "idle"));
    coalescer.push(part("p1", "b"));
    for (let n = 0; n < 100; n += 1) coalescer.push(delta(n));
    coalescer.flush();
    expect(handed).toEqual(copy);
    expect(handed).not.toBe(batches[1]);
    coalescer.close();
  });

  test("envelopes_pushed_from_inside_onFlush_go_to_the_next_batch", () => {
    const batches: Envelope[][] = [];
    const echo = delta(2);
    const coalescer: Coalescer<Envelope> = createCoalescerFor(binding, {
      onFlush: (batch) => {
        batches.push([...batch]);
        if (batches.length === 1) coalescer.push(echo);
      },
    });
    const first = delta(1);
    coalescer.push(first);
    coalescer.flush();
    expect(coalescer.size).toBe(1);
    coalescer.close();
    expect(batches).toEqual([[first], [echo]]);
  });

  test("received_equals_replaced_plus_delivered_plus_queued_at_every_moment", () => {
    const { coalescer } = collecting({ maxQueued: 7 });
    for (let n = 0; n < 500; n += 1) {
      coalescer.push(n % 3 === 0 ? delta(n) : status(`s${n % 5}`, "busy"));
      const stats = coalescer.stats();
      expect(stats.received).toBe(stats.replaced + stats.delivered + coalescer.size);
      if (n % 50 === 0) coalescer.flush();
    }
  });
});

describe("frames", () => {
  test("an_envelope_after_a_quiet_frame_is_flushed_on_the_next_turn_not_inside_push", () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting();
    const first = delta(1);
    coalescer.push(first);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(batches).toEqual([[first]]);
    coalescer.close();
  });

  test("flushes_at_most_once_per_frame_and_every_envelope_waits_at_most_one_frame", () => {
    vi.useFakeTimers();
    const flushedAt: number[] = [];
    const pushedAt = new Map<Envelope, number>();
    let longestWait = 0;
    const coalescer = createCoalescerFor(binding, {
      onFlush: (batch) => {
        const now = Date.now();
        flushedAt.push(now);
        for (const each of batch) longestWait = Math.max(longestWait, now - (pushedAt.get(each) ?? now));
      },
    });
    // 1,000 ms of activity: ten envelopes every millisecond, some of them keyed.
    for (let ms = 0; ms < 1000; ms += 1) {
      for (let n = 0; n < 10; n += 1) {
        const each = n % 2 === 0 ? delta(n) : status(`s${n}`, "busy");
        pushedAt.set(each, Date.now());
        coalescer.push(each);
      }
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(16);
    const gaps = flushedAt.slice(1).map((at, index) => at - (flushedAt[index] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(16);
    expect(flushedAt.length).toBeGreaterThanOrEqual(Math.floor(1000 / 16));
    expect(flushedAt.length).toBeLessThanOrEqual(Math.ceil(1000 / 16) + 1);
    expect(longestWait).toBeLessThanOrEqual(16);
    expect(coalescer.stats().delivered).toBe(10_000 - coalescer.stats().replaced);
    coalescer.close();
  });

  test("the_frame_length_is_an_option", () => {
    vi.useFakeTimers();
    const flushedAt: number[] = [];
    const coalescer = createCoalescerFor(binding, { frameMs: 50, onFlush: () => void flushedAt.push(Date.now()) });
    for (let ms = 0; ms < 500; ms += 1) {
      coalescer.push(delta(ms));
      vi.advanceTimersByTime(1);
    }
    const gaps = flushedAt.slice(1).map((at, index) => at - (flushedAt[index] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
    expect(flushedAt.length).toBeLessThanOrEqual(11);
    coalescer.close();
  });

  test("a_host_timer_that_fires_before_the_frame_is_over_by_the_clock_waits_out_the_frame", () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting();
    coalescer.push(delta(1));
    vi.advanceTimersByTime(0);
    const flushedAt = Date.now();
    coalescer.push(delta(2));
    // The host's timer runs 16 ms on, but the clock says only 10 ms have passed (Node measures a
    // timer from the start of its loop turn, which can be well before the push).
    vi.setSystemTime(flushedAt - 6);
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(6);
    expect(batches).toHaveLength(2);
    coalescer.close();
  });

  test("a_clock_that_goes_back_delays_a_flush_by_at_most_one_frame", () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting();
    coalescer.push(delta(1));
    vi.advanceTimersByTime(0);
    vi.setSystemTime(Date.now() - 3_600_000);
    coalescer.push(delta(2));
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(2);
    coalescer.close();
  });

  test("frame_and_queue_options_must_be_positive_integers", () => {
    const onFlush = () => {};
    expect(() => createCoalescerFor(binding, { onFlush, frameMs: 0 })).toThrow(RangeError);
    expect(() => createCoalescerFor(binding, { onFlush, maxQueued: 0 })).toThrow(RangeError);
    expect(() => createCoalescerFor(binding, { onFlush, frameMs: Number.NaN })).toThrow(RangeError);
  });
});

describe("immediate envelopes", () => {
  test("an_immediate_envelope_flushes_the_queue_in_a_microtask_with_everything_before_it_in_order", async () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting({ immediate: (each) => each.event.type === "session.error.v1" });
    const before = [delta(1), status("s1", "busy"), delta(2)];
    const failure = sessionError("boom");
    for (const each of before) coalescer.push(each);
    coalescer.push(failure);
    expect(batches).toEqual([]);
    await microtasks();
    expect(batches).toEqual([[...before, failure]]);
    expect(coalescer.stats().immediateFlushes).toBe(1);
    coalescer.close();
  });

  test("immediate_envelopes_pushed_in_one_synchronous_run_share_one_flush", async () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting({ immediate: (each) => each.event.type === "session.error.v1" });
    const run = [sessionError("a"), delta(1), sessionError("b"), sessionError("c")];
    for (const each of run) coalescer.push(each);
    await microtasks();
    expect(batches).toEqual([run]);
    coalescer.close();
  });

  test("an_immediate_flush_restarts_the_frame", async () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting({ immediate: (each) => each.event.type === "session.error.v1" });
    coalescer.push(sessionError("a"));
    await microtasks();
    const flushedAt = Date.now();
    coalescer.push(delta(1));
    vi.advanceTimersByTime(15);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(2);
    expect(Date.now() - flushedAt).toBe(16);
    coalescer.close();
  });
});

describe("bounded memory", () => {
  test("a_queue_that_reaches_max_queued_is_flushed_at_once_inside_push_and_nothing_is_dropped", () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting({ maxQueued: 100 });
    const envelopes = Array.from({ length: 250 }, (_, n) => delta(n));
    for (const each of envelopes) {
      coalescer.push(each);
      expect(coalescer.size).toBeLessThan(100);
    }
    expect(batches.map((batch) => batch.length)).toEqual([100, 100]);
    expect(coalescer.stats()).toMatchObject({ received: 250, delivered: 200, earlyFlushes: 2, flushes: 2 });
    coalescer.close();
    expect(batches.flat()).toEqual(envelopes);
  });

  test("replacements_never_grow_the_queue", () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting({ maxQueued: 100 });
    for (let n = 0; n < 100_000; n += 1) coalescer.push(part(`p${n % 50}`, String(n)));
    expect(coalescer.size).toBe(50);
    expect(batches).toEqual([]);
    expect(coalescer.stats()).toMatchObject({ received: 100_000, replaced: 99_950, earlyFlushes: 0 });
    coalescer.close();
  });

  test("the_default_bound_is_10000_envelopes", () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting();
    for (let n = 0; n < 25_000; n += 1) coalescer.push(delta(n));
    expect(batches.map((batch) => batch.length)).toEqual([10_000, 10_000]);
    expect(coalescer.size).toBe(5_000);
    coalescer.close();
  });
});

describe("floods", () => {
  test("a_flood_of_100000_events_per_second_for_2_s_flushes_at_most_once_per_frame_keeps_the_last_state_per_key_and_loses_no_unkeyed_event", async () => {
    const RATE = 100_000;
    const DURATION = 2_000;
    const FRAME = 16;
    const flushedAt: number[] = [];
    const deltas: string[] = [];
    const state = new Map<string, Envelope>();
    const coalescer = createCoalescerFor(binding, {
      onFlush: (batch) => {
        flushedAt.push(performance.now());
        for (const each of batch) {
          const key = coalesceKey(each.event);
          if (key === undefined) deltas.push((each.event.payload as { delta: string }).delta);
          else state.set(key, each);
        }
      },
    });

    // The producer: every turn of the event loop, as many envelopes as the rate allows by now —
    // 60 % streamed deltas (never merged), the rest state updates over 200 parts and 10 sessions.
    const sent: string[] = [];
    const last = new Map<string, Envelope>();
    let pushed = 0;
    const started = performance.now();
    // Paced at RATE; on a loaded host it takes longer than DURATION, never fewer events.
    while (pushed < RATE * (DURATION / 1000) && performance.now() - started < DURATION * 10) {
      const due = Math.min(RATE * 2, Math.floor(((performance.now() - started) / 1000) * RATE));
      // After a host stall the producer catches up, but never past half the bound in one frame:
      // what is tested here is the frame, not the early flush of a full queue.
      for (; pushed < due && coalescer.size < 5_000; pushed += 1) {
        const slot = pushed % 10;
        let each: Envelope;
        if (slot < 6) {
          each = delta(pushed);
          sent.push(`t${pushed}`);
        } else {
          each = slot < 9 ? part(`p${pushed % 200}`, String(pushed)) : status(`s${pushed % 10}`, pushed % 20 < 10 ? "busy" : "idle");
          last.set(coalesceKey(each.event) as string, each);
        }
        coalescer.push(each);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const elapsed = performance.now() - started;
    await new Promise<void>((resolve) => setTimeout(resolve, FRAME * 2));
    const frameFlushes = flushedAt.length;
    coalescer.close();

    expect(pushed).toBe(RATE * (DURATION / 1000));
    expectAtMostOneFlushPerFrame(flushedAt.slice(0, frameFlushes), FRAME);
    expect(frameFlushes).toBeLessThanOrEqual(Math.ceil((elapsed + FRAME * 2) / FRAME) + 1);
    expect(frameFlushes).toBeGreaterThan(elapsed / FRAME / 4); // and it did keep flushing
    expect(coalescer.stats().earlyFlushes).toBe(0);
    // The final state per key is the last event of that key; no un-keyed event lost or reordered.
    expect(state.size).toBe(last.size);
    for (const [key, envelope] of last) expect(state.get(key)).toBe(envelope);
    expect(deltas).toEqual(sent);
    const stats = coalescer.stats();
    expect(stats.received).toBe(pushed);
    expect(stats.received).toBe(stats.replaced + stats.delivered);
  });

  test("consume_yields_to_the_event_loop_so_frames_flush_while_a_source_never_waits", async () => {
    let produced = 0;
    const flushedAt: number[] = [];
    let done = false;
    // A bound far above what the source can queue in a frame: every flush here is a frame flush.
    const coalescer = createCoalescerFor(binding, {
      maxQueued: 100_000_000,
      onFlush: () => {
        if (!done) flushedAt.push(performance.now());
      },
    });
    // An async source that resolves on microtasks only: a plain for-await over it starves every timer.
    async function* source(): AsyncGenerator<Envelope> {
      const started = performance.now();
      while (performance.now() - started < 300) {
        produced += 1;
        yield delta(produced);
      }
      done = true;
    }
    await coalescer.consume(source());
    expect(flushedAt.length).toBeGreaterThanOrEqual(5);
    expectAtMostOneFlushPerFrame(flushedAt, 16);
    coalescer.close();
    expect(coalescer.stats()).toMatchObject({ received: produced, delivered: produced, earlyFlushes: 0 });
  });

  test("consume_takes_a_synchronous_iterable_and_stops_and_returns_the_source_when_the_coalescer_closes", async () => {
    const { coalescer, batches } = collecting();
    let returned = false;
    function* endless(): Generator<Envelope> {
      try {
        for (let n = 0; ; n += 1) yield delta(n);
      } finally {
        returned = true;
      }
    }
    setTimeout(() => coalescer.close(), 50);
    await coalescer.consume(endless());
    expect(returned).toBe(true);
    expect(batches.length).toBeGreaterThan(1);
    expect(coalescer.stats().received).toBe(coalescer.stats().delivered);
  });
});

describe("close and failures", () => {
  test("close_flushes_what_is_queued_releases_the_timer_and_ignores_later_pushes", async () => {
    vi.useFakeTimers();
    const { coalescer, batches } = collecting({ immediate: () => true });
    const queued = [delta(1), status("s1", "busy")];
    for (const each of queued) coalescer.push(each);
    expect(vi.getTimerCount()).toBe(1);
    coalescer.close();
    expect(batches).toEqual([queued]);
    expect(vi.getTimerCount()).toBe(0);
    coalescer.push(delta(2));
    coalescer.flush();
    coalescer.close();
    await microtasks();
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(coalescer.stats()).toMatchObject({ received: 2, delivered: 2, flushes: 1 });
  });

  test("close_of_an_empty_coalescer_calls_nothing", () => {
    const { coalescer, batches } = collecting();
    coalescer.close();
    expect(batches).toEqual([]);
  });

  test("an_onFlush_that_throws_or_rejects_is_reported_and_the_next_batches_still_flush", async () => {
    vi.useFakeTimers();
    const errors: BusError[] = [];
    const seen: Envelope[][] = [];
    const coalescer = createCoalescerFor(binding, {
      onError: (error) => void errors.push(error),
      onFlush: (batch) => {
        seen.push([...batch]);
        if (seen.length === 1) throw new Error("render failed");
        if (seen.length === 2) return Promise.reject(new Error("async render failed"));
        return undefined;
      },
    });
    for (let n = 0; n < 3; n += 1) {
      coalescer.push(delta(n));
      vi.advanceTimersByTime(16);
    }
    await microtasks();
    expect(seen).toHaveLength(3);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ["subscriber-failed", "The coalescer's onFlush failed: render failed"],
      ["subscriber-failed", "The coalescer's onFlush failed: async render failed"],
    ]);
    coalescer.close();
  });
});

describe("bundles", () => {
  test("a_browser_bundle_of_the_coalescer_carries_no_node_built_in_and_no_redis_code", async () => {
    const result = await build({
      stdin: { contents: 'export { createCoalescerFor } from "./coalescer.js";', resolveDir: path.join(ROOT, "generated", "runtime"), loader: "ts" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const code = result.outputFiles[0]?.text ?? "";
    expect(code).toContain("onFlush");
    expect(code).not.toMatch(/\bnode:|\brequire\(|\bprocess\.|\bBuffer\b/);
    expect(code).not.toMatch(/ioredis|@redis\/|XADD|XREAD|PSUBSCRIBE|SSUBSCRIBE|createRedis/);
    expect(code.length).toBeLessThan(8_000);
  });
});
