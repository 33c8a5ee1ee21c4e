/**
 * The contract between the bus and a transport: publish a message to a channel, subscribe to a
 * channel or to every channel under a prefix, unsubscribe, close. The bus knows nothing else of a
 * transport; each transport is one file behind this contract (`memory.ts`, `redis.ts`).
 *
 * Channels follow the wire contract: `<name>` for an unscoped event, `<name>:<topic>` for a scoped
 * one, and every version of one event name shares its channel. A transport may put its own prefix
 * in front (Redis: `prefix` option) but hands channels to the bus without it.
 *
 * Division of work: the bus builds, validates and matches envelopes; a transport moves them and
 * decodes what arrives from outside. It does not validate: the bus checks every message of an
 * untrusted transport (type, schema, channel) before any subscriber sees it.
 */

/**
 * What one transport subscription listens to: exactly one channel, or every channel whose name
 * starts with `prefix` (`""` = every channel). Prefixes are how the bus subscribes to wildcards
 * (`session.*` → prefix `session.`) and to every topic of one event (`session.status:`).
 */
export type ChannelFilter = { readonly channel: string } | { readonly prefix: string };

/** One arriving message: its channel (without the transport's prefix) and the decoded envelope, not yet validated. */
export interface TransportMessage {
  readonly channel: string;
  readonly data: unknown;
}

export type TransportListener = (message: TransportMessage) => void;

/** A transport subscription: confirmation and release. */
export interface TransportSubscription {
  /**
   * Resolves when the transport confirmed the subscription (Redis: the SUBSCRIBE reply), so messages
   * published afterwards are delivered; rejects with a `BusError` when it could not subscribe.
   */
  readonly ready: Promise<void>;
  /** Stops delivery to this listener. Idempotent. The transport drops its interest in the channel when the last listener leaves. */
  unsubscribe(): void;
}

export interface Transport {
  /**
   * True when every message delivered was handed to `publish` in this process (the in-process
   * transport): the bus skips ingress validation. False for anything that crosses a process.
   */
  readonly trusted: boolean;

  /**
   * Sends `envelope` on `channel`. Resolves when the transport accepted it (in-process: queued for
   * delivery; Redis: the server acknowledged PUBLISH); rejects with a `BusError` when it could not.
   * Messages published on one channel by one publisher are delivered in publish order.
   */
  publish(channel: string, envelope: unknown): Promise<void>;

  /** Delivers every message whose channel matches `filter` to `listener`, in arrival order. */
  subscribe(filter: ChannelFilter, listener: TransportListener): TransportSubscription;

  /**
   * Registers an observer for faults not tied to one call: an undecodable message, a lost
   * connection. Returns a function that removes the observer. The bus registers its `onError`.
   */
  onError(observer: (error: Error) => void): () => void;

  /**
   * Flushes what was accepted, releases every subscription, listener, timer and connection the
   * transport holds. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
}

/** The channel of an event per the wire contract: `<name>` or `<name>:<topic>`. */
export function channelName(name: string, topic?: string): string {
  return topic === undefined ? name : `${name}:${topic}`;
}

/** A stable key for a filter (`=` exact channel, `*` prefix), for maps of subscriptions. */
export function filterKey(filter: ChannelFilter): string {
  return "channel" in filter ? `=${filter.channel}` : `*${filter.prefix}`;
}

/** Does `channel` fall under `filter`? */
export function filterMatches(filter: ChannelFilter, channel: string): boolean {
  return "channel" in filter ? channel === filter.channel : channel.startsWith(filter.prefix);
}
