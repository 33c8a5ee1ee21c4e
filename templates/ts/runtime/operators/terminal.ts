/**
 * What the terminal operators (`toArray`, `reduce`) share: read a whole source into one result, with
 * an abort signal that rejects the result with the signal's reason and releases the source at once.
 */
import type { AbortSignalLike } from "../core/platform.js";
import { SKIP, SourceReader } from "./operator.js";

/**
 * Reads `source` to its end, handing each value to `take`; resolves with `result()`. The source is
 * released when it ends, when `take` or the source throws (the promise rejects with that error), or
 * when `signal` aborts (the promise rejects with the signal's reason; nothing more is read).
 */
export function consume<T, R>(source: AsyncIterable<T>, signal: AbortSignalLike | undefined, take: (value: T) => void, result: () => R): Promise<R> {
  const reader = SourceReader.of(source);
  const step = reader.step;
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, failed: boolean): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      reader.release();
      if (failed) reject(error);
      else resolve(result());
    };
    const onAbort = (): void => settle(abortReason(signal), true);
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    void (async () => {
      try {
        for (;;) {
          const next = await reader.read();
          if (settled) return;
          if (next.done === true) break;
          if (step === undefined) take(next.value as T);
          else {
            const value = step(next.value);
            if (value !== SKIP && !settled) take(value);
          }
        }
        settle(undefined, false);
      } catch (error) {
        settle(error, true);
      }
    })();
  });
}

/** The reason an aborted signal carries (DOM and Node set one), or an `AbortError` where it has none. */
function abortReason(signal: AbortSignalLike | undefined): unknown {
  const reason = (signal as { reason?: unknown } | undefined)?.reason;
  if (reason !== undefined) return reason;
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
}
