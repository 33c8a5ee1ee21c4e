// Sources and helpers the operator tests share.

/** A finite source that counts how it is opened and released; values arrive after `gaps[i]` microtasks. */
export interface TrackedSource<T> extends AsyncIterable<T> {
  readonly opened: number;
  readonly returned: number;
}

export function tracked<T>(values: readonly T[], options: { gaps?: readonly number[]; failAt?: number; error?: unknown } = {}): TrackedSource<T> {
  let opened = 0;
  let returned = 0;
  return {
    get opened() {
      return opened;
    },
    get returned() {
      return returned;
    },
    [Symbol.asyncIterator](): AsyncIterator<T> {
      opened += 1;
      let index = 0;
      let ended = false;
      return {
        async next(): Promise<IteratorResult<T>> {
          const gap = options.gaps?.[index % Math.max(1, options.gaps.length)] ?? 0;
          for (let turn = 0; turn < gap; turn += 1) await Promise.resolve();
          if (ended) return { done: true, value: undefined };
          if (options.failAt === index) {
            ended = true;
            throw options.error ?? new Error(`source failed at ${index}`);
          }
          if (index >= values.length) {
            ended = true;
            return { done: true, value: undefined };
          }
          return { done: false, value: values[index++] as T };
        },
        async return(): Promise<IteratorResult<T>> {
          returned += 1;
          ended = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** An endless source: `make(i)` for i = 0, 1, …; resolves on a microtask. */
export function endless<T>(make: (index: number) => T): TrackedSource<T> & { readonly produced: number } {
  let opened = 0;
  let returned = 0;
  let produced = 0;
  return {
    get opened() {
      return opened;
    },
    get returned() {
      return returned;
    },
    get produced() {
      return produced;
    },
    [Symbol.asyncIterator](): AsyncIterator<T> {
      opened += 1;
      let ended = false;
      return {
        next(): Promise<IteratorResult<T>> {
          if (ended) return Promise.resolve({ done: true, value: undefined });
          return Promise.resolve({ done: false, value: make(produced++) });
        },
        return(): Promise<IteratorResult<T>> {
          returned += 1;
          ended = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

/** Reads a stream to its end (or its error: returned as `{ error }`). */
export async function drain<T>(stream: AsyncIterable<T>): Promise<{ values: T[]; error?: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of stream) values.push(value);
    return { values };
  } catch (error) {
    return { values, error };
  }
}

/** A minimal envelope for operator tests that do not need a catalogue. */
export interface TestEnvelope {
  readonly id: string;
  readonly time: string;
  readonly topic?: string;
  readonly event: { readonly type: string; readonly payload: { readonly n: number } };
}

export function envelope(n: number, id = `e${n}`, topic = `t${n % 7}`): TestEnvelope {
  return { id, time: "2025-01-01T00:00:00.000Z", topic, event: { type: n % 3 === 0 ? "tick.v2" : "tick.v1", payload: { n } } };
}

/** Timers the Node process has active now (setTimeout handles). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
}

/** Runs the garbage collector (exposed at run time) and returns the heap in use. */
export async function settledHeap(): Promise<number> {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
