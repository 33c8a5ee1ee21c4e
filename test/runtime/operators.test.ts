/**
 * Each operator against a plain reference implementation over finite random inputs (fast-check),
 * the sources delivering after random numbers of microtasks. Time bounds are set far away here so
 * the count semantics decide; operators-time.test.ts holds the timers to their word.
 * Fast by default; EVENTC_PROPERTY_RUNS=<n> for a large run (each property runs n times).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BusError } from "../../templates/ts/runtime/core/errors.js";
import { batch, chain, dedupe, filter, flat, groupBy, join, map, pipe, reduce, take, toArray, window } from "../../templates/ts/runtime/operators/index.js";
import { drain, envelope, tracked } from "./operators-kit.js";

const RUNS = Number(process.env.EVENTC_PROPERTY_RUNS ?? 60);
const FAR = 3_600_000;

const values = fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 60 });
const gaps = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 });
const run = (property: fc.IAsyncPropertyWithHooks<never> | fc.IAsyncProperty<never>): Promise<void> => fc.assert(property as fc.IAsyncProperty<unknown>, { numRuns: RUNS });

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

describe("each operator matches its reference over random finite inputs", () => {
  test("filter_keeps_what_the_predicate_accepts_in_order", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 1, max: 5 }), async (input, gap, modulus) => {
        const source = tracked(input, { gaps: gap });
        const { values: out } = await drain(pipe(source, filter((n: number) => n % modulus === 0)));
        expect(out).toEqual(input.filter((n) => n % modulus === 0));
        expect(source.opened).toBe(1);
      }) as never,
    ));

  test("map_projects_each_value_in_order", () =>
    run(
      fc.asyncProperty(values, gaps, async (input, gap) => {
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), map((n: number) => n * 2 + 1)));
        expect(out).toEqual(input.map((n) => n * 2 + 1));
      }) as never,
    ));

  test("take_gives_the_first_n_and_releases_the_source", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 0, max: 70 }), async (input, gap, count) => {
        const source = tracked(input, { gaps: gap });
        const { values: out } = await drain(pipe(source, take(count)));
        expect(out).toEqual(input.slice(0, count));
        if (count === 0) expect(source.opened).toBe(0);
        else if (count <= input.length) expect(source.returned).toBe(1);
      }) as never,
    ));

  test("reduce_folds_like_array_reduce", () =>
    run(
      fc.asyncProperty(values, gaps, async (input, gap) => {
        const folded = await pipe(tracked(input, { gaps: gap }), reduce((sum: string, n: number) => `${sum},${n}`, "start"));
        expect(folded).toBe(input.reduce((sum, n) => `${sum},${n}`, "start"));
      }) as never,
    ));

  test("toArray_collects_up_to_max_and_rejects_past_it", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 1, max: 70 }), async (input, gap, max) => {
        const source = tracked(input, { gaps: gap });
        const collected = pipe(source, toArray({ max }));
        if (input.length <= max) await expect(collected).resolves.toEqual(input);
        else {
          await expect(collected).rejects.toBeInstanceOf(BusError);
          await expect(collected).rejects.toMatchObject({ code: "operator-overflow" });
          expect(source.returned).toBe(1);
        }
      }) as never,
    ));

  test("batch_chunks_by_size_the_last_partial", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 1, max: 10 }), async (input, gap, size) => {
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), batch({ size, maxWait: FAR })));
        expect(out).toEqual(chunks(input, size));
      }) as never,
    ));

  test("dedupe_drops_keys_remembered_within_capacity", () =>
    run(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 80 }), gaps, fc.integer({ min: 1, max: 10 }), async (ids, gap, capacity) => {
        const input = ids.map((id, n) => envelope(n, `id${id}`));
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), dedupe({ capacity, ttl: FAR })));
        const remembered: string[] = [];
        const expected = input.filter((item) => {
          if (remembered.includes(item.id)) return false;
          if (remembered.length >= capacity) remembered.shift();
          remembered.push(item.id);
          return true;
        });
        expect(out).toEqual(expected);
      }) as never,
    ));

  test("window_by_count_slides_over_the_last_size_values", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), async (input, gap, size, every) => {
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), window({ size, every })));
        const expected = input.flatMap((_, i) => ((i + 1) % every === 0 ? [input.slice(Math.max(0, i + 1 - size), i + 1)] : []));
        expect(out).toEqual(expected);
      }) as never,
    ));

  test("window_by_time_within_a_long_duration_keeps_the_max_newest", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 1, max: 8 }), async (input, gap, max) => {
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), window({ duration: FAR, max })));
        expect(out).toEqual(input.map((_, i) => input.slice(Math.max(0, i + 1 - max), i + 1)));
      }) as never,
    ));

  test("flat_flattens_arrays_iterables_and_async_iterables_one_level", () =>
    run(
      fc.asyncProperty(fc.array(fc.tuple(fc.array(fc.integer(), { maxLength: 5 }), fc.constantFrom("array", "set", "async")), { maxLength: 20 }), gaps, async (parts, gap) => {
        const input = parts.map(([items, kind]) => (kind === "array" ? items : kind === "set" ? new Set(items) : tracked(items, { gaps: gap })));
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), flat()));
        expect(out).toEqual(parts.flatMap(([items, kind]) => (kind === "set" ? [...new Set(items)] : items)));
      }) as never,
    ));

  test("groupBy_emits_groups_as_they_close_by_size_and_max_groups", () =>
    run(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 80 }), gaps, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), async (keys, gap, maxGroups, size) => {
        const input = keys.map((key, n) => ({ key, n }));
        const { values: out } = await drain(pipe(tracked(input, { gaps: gap }), groupBy((item: { key: number; n: number }) => item.key, { maxGroups, size, idle: FAR })));
        const expected: { key: number; values: { key: number; n: number }[] }[] = [];
        let open: { key: number; values: { key: number; n: number }[] }[] = [];
        for (const item of input) {
          let group = open.find((candidate) => candidate.key === item.key);
          if (group !== undefined) open = open.filter((candidate) => candidate !== group);
          else {
            if (open.length >= maxGroups) expected.push(open.shift()!);
            group = { key: item.key, values: [] };
          }
          group.values.push(item);
          if (group.values.length >= size) expected.push(group);
          else open.push(group);
        }
        expected.push(...open);
        expect(out).toEqual(expected);
      }) as never,
    ));

  test("chain_concatenates_sources_each_opened_in_its_turn", () =>
    run(
      fc.asyncProperty(values, values, values, gaps, async (a, b, c, gap) => {
        const second = tracked(b, { gaps: gap });
        let thirdMade = 0;
        const { values: out } = await drain(
          pipe(
            tracked(a, { gaps: gap }),
            chain(second, () => {
              thirdMade += 1;
              return c;
            }),
          ),
        );
        expect(out).toEqual([...a, ...b, ...c]);
        expect(second.opened).toBe(1);
        expect(thirdMade).toBe(1);
      }) as never,
    ));

  test("join_pairs_every_left_and_right_of_equal_keys_within_the_window", () =>
    run(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }), gaps, gaps, async (left, right, leftGaps, rightGaps) => {
        const lefts = left.map((key, n) => ({ side: "l", key, n }));
        const rights = right.map((key, n) => ({ side: "r", key, n }));
        const { values: out } = await drain(pipe(tracked(lefts, { gaps: leftGaps }), join(tracked(rights, { gaps: rightGaps }), { key: (l) => l.key, otherKey: (r) => r.key, within: FAR, max: 100 })));
        const expected = lefts.flatMap((l) => rights.filter((r) => r.key === l.key).map((r) => `${l.n}-${r.n}`)).sort();
        expect(out.map(([l, r]) => `${l.n}-${r.n}`).sort()).toEqual(expected);
      }) as never,
    ));

  test("a_random_pipe_of_filter_map_take_batch_flat_matches_the_array_methods", () =>
    run(
      fc.asyncProperty(values, gaps, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 6 }), async (input, gap, modulus, count, size) => {
        const { values: out } = await drain(
          pipe(
            tracked(input, { gaps: gap }),
            filter((n: number) => n % modulus !== 0),
            map((n: number) => n * 3),
            take(count),
            batch({ size, maxWait: FAR }),
            map((items: number[]) => items.reverse()),
            flat(),
          ),
        );
        const expected = chunks(input.filter((n) => n % modulus !== 0).map((n) => n * 3).slice(0, count), size).flatMap((items) => items.reverse());
        expect(out).toEqual(expected);
      }) as never,
    ));
});

describe("errors travel down the chain after what came before them, and release upstream", () => {
  test("a_throwing_map_ends_the_chain_with_its_error_and_releases_the_source", async () => {
    const source = tracked([1, 2, 3, 4, 5]);
    const boom = new Error("boom");
    const { values: out, error } = await drain(
      pipe(
        source,
        map((n: number) => {
          if (n === 3) throw boom;
          return n;
        }),
        filter(() => true),
      ),
    );
    expect(out).toEqual([1, 2]);
    expect(error).toBe(boom);
    expect(source.returned).toBe(1);
  });

  test("a_throwing_filter_inside_a_batch_flushes_the_partial_batch_then_the_error", async () => {
    const source = tracked([1, 2, 3, 4, 5]);
    const boom = new Error("predicate");
    const { values: out, error } = await drain(
      pipe(
        source,
        filter((n: number) => {
          if (n === 4) throw boom;
          return true;
        }),
        batch({ size: 2, maxWait: FAR }),
      ),
    );
    expect(out).toEqual([[1, 2], [3]]);
    expect(error).toBe(boom);
    expect(source.returned).toBe(1);
  });

  test("an_upstream_error_reaches_the_consumer_after_the_values_before_it_through_every_operator", async () => {
    const failure = new Error("upstream");
    const cases: [string, (source: AsyncIterable<ReturnType<typeof envelope>>) => AsyncIterable<unknown>, number][] = [
      ["take", take(100), 2],
      ["dedupe", dedupe(), 2],
      ["window", window({ size: 2 }), 2],
      ["groupBy", groupBy((item: { id: string }) => item.id, { idle: FAR }), 2],
      ["batch", batch({ maxWait: FAR }), 1],
      ["chain", chain([envelope(99)]), 2],
    ];
    for (const [name, operator, before] of cases) {
      const source = tracked([envelope(1), envelope(2)], { failAt: 2, error: failure });
      const { values: out, error } = await drain(operator(source));
      expect(error, name).toBe(failure);
      expect(out.length, name).toBe(before);
      expect(source.returned, name).toBe(1);
    }
    // join: the other side is released too.
    const left = tracked([envelope(1)], { failAt: 1, error: failure });
    const right = tracked([envelope(2)], { gaps: [50] });
    const joined = await drain(pipe(left, join(right, { key: () => 1, otherKey: () => 1 })));
    expect(joined.error).toBe(failure);
    expect(right.returned).toBe(1);
    const stream = tracked([envelope(1)], { failAt: 1, error: failure });
    await expect(pipe(stream, toArray())).rejects.toBe(failure);
  });

  test("bad_options_are_refused_when_the_operator_is_made", () => {
    expect(() => batch({ size: 0 })).toThrow(RangeError);
    expect(() => take(-1)).toThrow(RangeError);
    expect(() => window({ size: 2, duration: 5 } as never)).toThrow(RangeError);
    expect(() => dedupe({ ttl: 1.5 })).toThrow(RangeError);
    expect(() => toArray({ max: 0 })).toThrow(RangeError);
  });
});
