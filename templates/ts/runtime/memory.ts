/**
 * The in-process transport: the bus's embedded default.
 *
 * Delivery guarantee: every message published is delivered exactly once to every listener whose
 * subscription was active when the message is delivered, in publish order (one FIFO for the whole
 * transport, so order holds across channels too). Delivery is asynchronous — on a microtask after
 * `publish` returns — so a publisher never runs subscriber code in its own call stack, and a
 * subscriber that publishes in reaction queues behind what is already waiting. Nothing crosses a
 * process: messages are the publisher's envelope objects, not copies; treat them as read-only.
 * `close()` discards what has not been delivered yet.
 *
 * Cost: `publish` queues and returns a settled promise; one microtask then delivers everything
 * queued, so a burst of publishes costs one scheduled job, not one per event. The listeners of a
 * channel (exact and prefix alike) are resolved once and remembered until a listener comes or goes.
 */
import { BusError, messageOf } from "./errors.js";
import { acceptedNow } from "./platform.js";
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
  let scheduled = false;
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

  const drain = (): void => {
    // Messages published while draining join this loop, so one microtask empties the queue.
    for (let index = 0; index < queue.length; index += 1) {
      const message = queue[index] as Pending;
      for (const entry of listenersOf(message.channel)) deliverOne(entry, message);
    }
    queue = [];
    scheduled = false;
  };

  return {
    trusted: true,

    publish(channel: string, envelope: unknown): Promise<void> {
      if (closed) return Promise.reject(new BusError("closed", `Cannot publish on channel "${channel}": the in-process transport is closed.`, { channel }));
      queue.push({ channel, data: envelope });
      if (!scheduled) {
        scheduled = true;
        void acceptedNow.then(drain);
      }
      return acceptedNow;
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
      observers.clear();
      return confirmed;
    },
  };
}
