/**
 * `map(project)`: each value replaced by `project(value)`, in order. Holds nothing. The projection is
 * synchronous: a promise it returns is the value (`for await` does not unwrap it). A throwing
 * projection ends the stream with its error and releases the source. Fuses with a `filter` or `map`
 * before it (one read of the source per value; see operator.ts).
 */
import { FusedStream, fusedParts, SKIP, type Operator } from "./operator.js";

export function map<T, R>(project: (value: T) => R): Operator<T, R> {
  return (source) => {
    const fused = fusedParts(source);
    if (fused === undefined) return new FusedStream<R>(source, (value) => project(value as T));
    const before = fused.step;
    return new FusedStream<R>(fused.origin, (value) => {
      const stepped = before(value);
      return stepped === SKIP ? SKIP : project(stepped);
    });
  };
}
