/**
 * `reduce(reducer, initial)`: a terminal operator — the promise of `reducer(…reducer(initial, v1)…, vn)`
 * once the source ends (`initial` for an empty source). Holds one accumulator, whatever the source's
 * length: its bound is what the reducer keeps in it. On an endless source it resolves only through
 * `take` before it; an abort of `pipe`'s signal rejects it with the signal's reason. A throwing reducer
 * or source rejects it with that error and releases the source.
 */
import type { AbortSignalLike } from "../core/platform.js";
import type { Terminal } from "./operator.js";
import { consume } from "./terminal.js";

export function reduce<T, R>(reducer: (accumulator: R, value: T) => R, initial: R): Terminal<T, R> {
  return (source: AsyncIterable<T>, signal?: AbortSignalLike) => {
    let accumulator = initial;
    return consume(
      source,
      signal,
      (value) => {
        accumulator = reducer(accumulator, value);
      },
      () => accumulator,
    );
  };
}
