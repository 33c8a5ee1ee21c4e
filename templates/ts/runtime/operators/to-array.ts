/**
 * `toArray({ max })`: a terminal operator — the promise of every value of the source, in order, once
 * it ends. Bounded: at most `max` values (default `operatorDefaults.toArrayMax`, 10,000); a source
 * with more rejects the promise with `BusError` `operator-overflow` and is released (put `take(n)`
 * before it to keep the first n instead). An error of the source rejects the promise with it; so does
 * an abort of `pipe`'s signal (with the signal's reason).
 */
import { BusError } from "../core/errors.js";
import { operatorDefaults } from "../core/policies.js";
import type { AbortSignalLike } from "../core/platform.js";
import { positiveInteger } from "./options.js";
import { consume } from "./terminal.js";

export interface ToArrayOptions {
  /** Values collected at most; one more rejects. Default `operatorDefaults.toArrayMax` (10,000). */
  readonly max?: number;
}

export function toArray(options: ToArrayOptions = {}): <T>(source: AsyncIterable<T>, signal?: AbortSignalLike) => Promise<T[]> {
  const max = positiveInteger("toArray max", options.max, operatorDefaults.toArrayMax);
  return <T>(source: AsyncIterable<T>, signal?: AbortSignalLike) => {
    const values: T[] = [];
    return consume(
      source,
      signal,
      (value) => {
        if (values.length === max) throw new BusError("operator-overflow", `toArray() collected its maximum of ${max} values and the source had more; raise max, or put take(${max}) before it to keep the first ${max}.`);
        values.push(value);
      },
      () => values,
    );
  };
}
