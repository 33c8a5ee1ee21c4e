/**
 * `filter(predicate)`: the values for which `predicate` returns true, in order. Holds nothing.
 * With a type guard (`(value): value is S => …`, or `isEvent(…)`) the stream's type narrows to `S`.
 * A throwing predicate ends the stream with its error and releases the source. Fuses with a `filter`
 * or `map` before it (one read of the source per value; see operator.ts).
 */
import { FusedStream, fusedParts, SKIP, type Operator } from "./operator.js";

export function filter<T, S extends T>(predicate: (value: T) => value is S): Operator<T, S>;
export function filter<T>(predicate: (value: T) => boolean): Operator<T, T>;
export function filter<T>(predicate: (value: T) => boolean): Operator<T, T> {
  return (source) => {
    const fused = fusedParts(source);
    if (fused === undefined) return new FusedStream<T>(source, (value) => (predicate(value as T) ? (value as T) : SKIP));
    const before = fused.step;
    return new FusedStream<T>(fused.origin, (value) => {
      const stepped = before(value);
      return stepped === SKIP || !predicate(stepped) ? SKIP : stepped;
    });
  };
}
