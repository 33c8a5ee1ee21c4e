/**
 * The Rust target's payload readers (`FromJson` in validate.rs): the tuple readers the crate
 * declares must cover every tuple its types hold, nested ones included.
 */
import { expect, test } from "vitest";
import { tupleArities } from "../../src/targets/rust/validate-module.js";

test("every tuple in a Rust type expression is counted, nested and trailing ones included", () => {
  expect(tupleArities("String")).toEqual([]);
  expect(tupleArities("()")).toEqual([]);
  expect(tupleArities("(i64,)")).toEqual([1]);
  expect(tupleArities("(i64, f64)")).toEqual([2]);
  expect(tupleArities("Vec<(String, BTreeMap<String, i64>)>")).toEqual([2]);
  // A tuple ending in a tuple: the outer one has three elements (found by the catalogue fuzzer).
  expect(tupleArities("Option<(i64, JsonValue, (String, Kind))>")).toEqual([2, 3]);
  expect(tupleArities("((i64, i64), (i64,), ())")).toEqual([2, 1, 3]);
  expect(tupleArities("(Vec<(i64, i64)>, Option<(String,)>)")).toEqual([2, 1, 2]);
});
