/**
 * A subscription as an async iterator with a bounded buffer and an explicit overflow policy.
 *
 * Events arrive whether or not the consumer is asking; up to `buffer` of them wait in order, and
 * the overflow policy (see `core/policies.ts`) decides what happens past that. The iterator owns its
 * subscription: `return()` (a `break` out of `for await`), the abort signal, the `error` policy
 * firing, or the bus closing each release it at once, with no timer or listener left behind.
 * An abort or `return()` ends the iteration normally (`done: true`) and discards what was buffered.
 * A transport that ends for good (a worker that exited) ends the stream with its error, after what
 * was buffered.
 */
import { BusError } from "../core/errors.js";
import type { AbortSignalLike } from "../core/platform.js";
import type { OverflowPolicy } from "../core/policies.js";

export interface EventStream<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  /** Ends the stream and releases its subscription; buffered events are discarded. */
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncIterator](): EventStream<T>;
  /** Resolves when the subscription behind the stream is confirmed by the transport. */
  readonly ready: Promise<void>;
  /** Events discarded so far by a `drop-oldest` or `drop-newest` policy. */
  readonly dropped: number;
}

/** A started subscription, as the bus's `subscribe` returns it. */
export interface StreamSubscription {
  (): void;
  readonly ready: Promise<void>;
}

export interface StreamSetup {
  readonly buffer: number;
  readonly overflow: OverflowPolicy;
  readonly signal?: AbortSignalLike | undefined;
  /** What the stream is reading, for the lag error's message. */
  readonly description: string;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

/**
 * Creates a stream and starts its subscription: `subscribe` receives the function that feeds the
 * stream and returns the subscription the stream will release.
 */
export function createEventStream<T>(setup: StreamSetup, subscribe: (push: (value: T) => void, fail: (error: BusError) => void) => StreamSubscription): EventStream<T> {
  // A queue as an array with a moving head: O(1) at both ends, compacted as it drains.
  let items: (T | undefined)[] = [];
  let head = 0;
  const waiters: Waiter<T>[] = [];
  let state: "open" | "failed" | "done" = "open";
  let failure: BusError | undefined;
  let dropped = 0;
  let subscription: StreamSubscription | undefined;

  const size = (): number => items.length - head;
  const shift = (): T => {
    const value = items[head] as T;
    items[head] = undefined;
    head += 1;
    if (head === items.length) {
      items = [];
      head = 0;
    } else if (head >= 1024 && head * 2 >= items.length) {
      items = items.slice(head);
      head = 0;
    }
    return value;
  };

  const release = (): void => {
    setup.signal?.removeEventListener("abort", finish);
    const current = subscription;
    subscription = undefined;
    current?.();
  };

  function finish(): void {
    if (state === "done") return;
    state = "done";
    release();
    items = [];
    head = 0;
    for (const waiter of waiters.splice(0)) waiter.resolve(DONE);
  }

  const push = (value: T): void => {
    if (state !== "open") return;
    const waiter = waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ done: false, value });
      return;
    }
    if (size() < setup.buffer) {
      items.push(value);
      return;
    }
    switch (setup.overflow) {
      case "drop-oldest":
        shift();
        items.push(value);
        dropped += 1;
        return;
      case "drop-newest":
        dropped += 1;
        return;
      case "error":
        state = "failed";
        failure = new BusError("stream-lagged", `The consumer of ${setup.description} fell more than ${setup.buffer} events behind; the stream ended (overflow policy "error").`);
        release();
        return;
    }
  };

  /** Ends the stream with `error` from outside (its transport ended): what is buffered is read first, then `next()` rejects with it. */
  const fail = (error: BusError): void => {
    if (state !== "open") return;
    release();
    const waiter = waiters.shift();
    if (waiter === undefined) {
      state = "failed";
      failure = error;
      return;
    }
    // Someone is waiting, so nothing is buffered: they get the error, anyone behind them the end.
    state = "done";
    waiter.reject(error);
    for (const other of waiters.splice(0)) other.resolve(DONE);
  };

  const stream: EventStream<T> = {
    next(): Promise<IteratorResult<T, undefined>> {
      if (size() > 0) return Promise.resolve({ done: false, value: shift() });
      if (state === "failed") {
        const error = failure;
        finish();
        return Promise.reject(error);
      }
      if (state === "done") return Promise.resolve(DONE);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<T, undefined>> {
      finish();
      return Promise.resolve(DONE);
    },
    [Symbol.asyncIterator](): EventStream<T> {
      return stream;
    },
    get ready(): Promise<void> {
      return ready;
    },
    get dropped(): number {
      return dropped;
    },
  };

  let ready: Promise<void> = Promise.resolve();
  if (setup.signal?.aborted === true) {
    state = "done";
  } else {
    subscription = subscribe(push, fail);
    ready = subscription.ready;
    setup.signal?.addEventListener("abort", finish, { once: true });
  }
  return stream;
}
