/**
 * The in-process transport: the bus's embedded default.
 *
 * Delivery guarantee: every message published is delivered exactly once to every listener whose
 * subscription was active when the message is delivered, in publish order (one FIFO for the whole
 * transport, so order holds across channels too). Delivery is asynchronous — never inside
 * `publish` — so a publisher never runs subscriber code in its own call stack. Nothing crosses a
 * process: messages are the publisher's envelope objects, not copies; treat them as read-only.
 * `close()` discards what has not been delivered yet.
 *
 * Turns: a delivery run takes the messages queued when it begins, and no more; what is published
 * meanwhile — a subscriber that publishes in reaction — queues behind what is already waiting and
 * goes in the next run. At most one run happens per turn of the event loop: the first on a
 * microtask after `publish`, the next on a later macrotask (`runLater`: `setImmediate`, a
 * `MessageChannel`, or `setTimeout(0)`), so timers and I/O run between runs however subscribers
 * publish to each other — synchronously or after awaiting — and a ping-pong holds one message at a
 * time. A producer that awaits each publish is held once BACKLOG messages wait for the next turn:
 * its publish then resolves when they are delivered, so a loop of `await publish(…)` also yields
 * and holds bounded memory.
 *
 * Cost: `publish` queues and returns a settled promise; one job then delivers everything queued,
 * so a burst of publishes costs one scheduled job, not one per event. The listeners of a
 * channel (exact and prefix alike) are resolved once and remembered until a listener comes or goes.
 */
import { BusError, messageOf } from "../core/errors.js";
import { acceptedNow, runLater } from "../core/platform.js";
import type { ChannelFilter, Transport, TransportListener, TransportSubscription } from "./transport.js";

interface Listener {
  readonly listener: TransportListener;
  /** Prefix filters only; exact-channel listeners live in a map by channel. */
  readonly prefix: string;
  active: boolean;
}

interface Pending {
  readonly channel: string;
  readonly data: unknown;
}

const confirmed: Promise<void> = Promise.resolve();

/** Channels whose resolved listener lists are remembered at once; past this the memo starts over (topics can be unbounded). */
const MEMO_CHANNELS = 1024;

/** Messages waiting for the next turn past which a publish resolves only once they are delivered (backpressure for awaiting producers). */
const BACKLOG = 1024;

export function createMemoryTransport(): Transport {
  // Listener lists are replaced, never mutated, so a delivery in progress iterates a stable list.
  const byChannel = new Map<string, readonly Listener[]>();
  let byPrefix: readonly Listener[] = [];
  /** Every listener of a channel, exact ones first: a memo over `byChannel` and `byPrefix`, cleared when either changes. */
  const byResolvedChannel = new Map<string, readonly Listener[]>();
  // The last channel resolved, for a run of messages on one channel.
  let recentChannel: string | undefined;
  let recentListeners: readonly Listener[] = [];
  const forget = (): void => {
    byResolvedChannel.clear();
    recentChannel = undefined;
  };
  const observers = new Set<(error: Error) => void>();
  let queue: Pending[] = [];
  /** The array of the last run, emptied, to take the next run's publishes. */
  let spare: Pending[] = [];
  /** A run is due for what is queued: on a microtask, or at the turn's end. */
  let scheduled = false;
  /** A run happened in this turn of the event loop: the next waits for `turnEnded`. */
  let ranThisTurn = false;
  let turnEndPending = false;
  let running = false;
  /** Settles once the messages waiting for the next turn are delivered; made when a publish past BACKLOG needs it. */
  let backlog: { readonly delivered: Promise<void>; readonly resolve: () => void } | undefined;
  let closed = false;

  const report = (error: Error): void => {
    for (const observer of observers) observer(error);
  };

  const deliverOne = (entry: Listener, message: Pending): void => {
    if (!entry.active) return;
    try {
      entry.listener(message);
    } catch (error) {
      report(new BusError("subscriber-failed", `A listener on channel "${message.channel}" threw: ${messageOf(error)}`, { cause: error, channel: message.channel }));
    }
  };

  const listenersOf = (channel: string): readonly Listener[] => {
    if (channel === recentChannel) return recentListeners;
    let listeners = byResolvedChannel.get(channel);
    if (listeners === undefined) {
      const matching = byPrefix.filter((entry) => channel.startsWith(entry.prefix));
      listeners = [...(byChannel.get(channel) ?? []), ...matching];
      if (byResolvedChannel.size >= MEMO_CHANNELS) byResolvedChannel.clear();
      byResolvedChannel.set(channel, listeners);
    }
    recentChannel = channel;
    recentListeners = listeners;
    return listeners;
  };

  /** Delivers the messages queued now; what they cause to be published waits for the next turn. */
  const run = (): void => {
    const batch = queue;
    queue = spare;
    const waited = backlog;
    backlog = undefined;
    running = true;
    for (let index = 0; index < batch.length && !closed; index += 1) {
      const message = batch[index] as Pending;
      for (const entry of listenersOf(message.channel)) deliverOne(entry, message);
    }
    running = false;
    batch.length = 0;
    spare = batch;
    scheduled = queue.length > 0;
    ranThisTurn = true;
    if (!turnEndPending) {
      turnEndPending = true;
      runLater(turnEnded);
    }
    waited?.resolve();
  };

  const runSoon = (): void => {
    if (scheduled && !closed) run();
  };

  /** A macrotask after a run: the event loop has turned, so the next run may go (now, if one is due). */
  const turnEnded = (): void => {
    turnEndPending = false;
    ranThisTurn = false;
    if (scheduled && !closed) run();
  };

  /** What a publish returns: settled at once, unless the queue for the next turn is past BACKLOG. */
  const accepted = (): Promise<void> => {
    if (queue.length < BACKLOG || !(running || ranThisTurn)) return acceptedNow;
    if (backlog === undefined) {
      let resolve = (): void => {};
      const delivered = new Promise<void>((settle) => {
        resolve = settle;
      });
      backlog = { delivered, resolve };
    }
    return backlog.delivered;
  };

  return {
    trusted: true,

    publish(channel: string, envelope: unknown): Promise<void> {
      if (closed) return Promise.reject(new BusError("closed", `Cannot publish on channel "${channel}": the in-process transport is closed.`, { channel }));
      queue.push({ channel, data: envelope });
      if (!scheduled && !running) {
        scheduled = true;
        // The turn's first run goes on a microtask; a later one waits for turnEnded.
        if (!ranThisTurn) void acceptedNow.then(runSoon);
      }
      return queue.length < BACKLOG ? acceptedNow : accepted();
    },

    subscribe(filter: ChannelFilter, listener: TransportListener): TransportSubscription {
      if (closed) throw new BusError("closed", "Cannot subscribe: the in-process transport is closed.");
      const entry: Listener = { listener, prefix: "prefix" in filter ? filter.prefix : "", active: true };
      forget();
      if ("channel" in filter) byChannel.set(filter.channel, [...(byChannel.get(filter.channel) ?? []), entry]);
      else byPrefix = [...byPrefix, entry];
      return {
        ready: confirmed,
        unsubscribe(): void {
          if (!entry.active) return;
          entry.active = false;
          forget();
          if ("channel" in filter) {
            const rest = (byChannel.get(filter.channel) ?? []).filter((other) => other !== entry);
            if (rest.length === 0) byChannel.delete(filter.channel);
            else byChannel.set(filter.channel, rest);
          } else {
            byPrefix = byPrefix.filter((other) => other !== entry);
          }
        },
      };
    },

    onError(observer: (error: Error) => void): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },

    close(): Promise<void> {
      closed = true;
      for (const list of byChannel.values()) for (const entry of list) entry.active = false;
      for (const entry of byPrefix) entry.active = false;
      byChannel.clear();
      byPrefix = [];
      forget();
      queue = [];
      backlog?.resolve();
      backlog = undefined;
      observers.clear();
      return confirmed;
    },
  };
}
