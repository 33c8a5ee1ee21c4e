/**
 * The contract between the bus and a transport: publish a message to a channel, subscribe to a
 * channel or to every channel under a prefix, unsubscribe, close. The bus knows nothing else of a
 * transport; each transport is one file behind this contract (`transports/memory.ts`, `transports/redis/pubsub.ts`, `transports/redis/streams.ts`, `transports/websocket.ts`).
 *
 * Channels follow the wire contract: `<name>` for an unscoped event, `<name>:<topic>` for a scoped
 * one, and every version of one event name shares its channel. A transport may put its own prefix
 * in front (Redis: `prefix` option) but hands channels to the bus without it.
 *
 * Positions (optional, `positions: true`): a transport that keeps a log per channel (Redis Streams)
 * hands each message's place in that log to the bus, lets a subscription start after a position it
 * was given (`from`), and signals a gap when positions after that one are no longer kept. Positions
 * are opaque strings, ordered within one channel only.
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
  /** Its position in the channel's log (Redis Streams: the entry ID), for transports with `positions`; otherwise absent. */
  readonly position?: string;
}

/**
 * Messages of one channel a transport with `positions` can no longer deliver: every position after
 * `after` and before `next` was trimmed away before it was read. Signalled before the message at
 * `next` is delivered; delivery then continues from `next` (the oldest message still kept).
 *
 * Some gaps are found before any message follows them: a `from` ahead of the end of the log, or a
 * log the transport can no longer read (Redis: the key was overwritten with another type). Those
 * are signalled at once, and `next` is the position delivery continues after: the log's last
 * position (`0-0` when it has none), or `0-0` — its start — for a log read again once it is one.
 */
export interface PositionGap {
  readonly channel: string;
  /** The last position delivered, or the `from` the subscription asked for. */
  readonly after: string;
  /** The first position delivered after the gap (or, for a gap found before anything follows it, the position delivery continues after). */
  readonly next: string;
}

/** Where a subscription of a transport with `positions` starts, and where its gaps go. */
export interface TransportSubscribeOptions {
  /** Deliver the messages after this position (one the transport handed out). Default: only messages published after `ready`. */
  readonly from?: string;
  /** Called, in delivery order, when messages were lost to trimming (see `PositionGap`). */
  readonly onGap?: (gap: PositionGap) => void;
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
  /**
   * Transports with `positions`: where delivery stands — the position of the last message delivered
   * to this subscription, or the one it started after (`from`, or the end of the log when it was
   * confirmed; `0-0` for an empty log). Every later message of the channel reaches the listener, so
   * it is a position to resume from. Undefined until `ready`.
   */
  position?(): string | undefined;
}

/**
 * Whether a transport can move events now. `down`: a connection it needs is lost (it reconnects by
 * itself); publishes are held or refused as the transport documents, and nothing arrives. `up`: every
 * connection it needs is back (or was never lost). `ended`: it never will again (the worker it talks
 * to exited): the bus ends every stream with the cause; publishes and subscriptions are refused.
 */
export interface TransportStatus {
  readonly state: "up" | "down" | "ended";
  /** For `down`: why (the first error of the outage); for `ended`: why it ended. */
  readonly cause?: Error;
}

/** The status of a transport that can move events: the one object every transport reports `up` with. */
export const TRANSPORT_UP: TransportStatus = /* @__PURE__ */ Object.freeze({ state: "up" });

export interface Transport {
  /**
   * True when every message delivered was handed to `publish` in this process (the in-process
   * transport): the bus skips ingress validation. False for anything that crosses a process.
   */
  readonly trusted: boolean;

  /**
   * True when messages carry their `position`, `subscribe` honours `TransportSubscribeOptions`
   * and gaps are signalled (Redis Streams). Absent or false: the bus refuses `from`.
   */
  readonly positions?: boolean;

  /**
   * Sends `envelope` on `channel`. Resolves when the transport accepted it (in-process: queued for
   * delivery; Redis: the server acknowledged PUBLISH); rejects with a `BusError` when it could not.
   * Messages published on one channel by one publisher are delivered in publish order.
   */
  publish(channel: string, envelope: unknown): Promise<void>;

  /**
   * Delivers every message whose channel matches `filter` to `listener`, in arrival order.
   * `options` is given only to a transport with `positions`.
   */
  subscribe(filter: ChannelFilter, listener: TransportListener, options?: TransportSubscribeOptions): TransportSubscription;

  /**
   * Registers an observer for faults not tied to one call: an undecodable message, a lost
   * connection. Returns a function that removes the observer. The bus registers its `onError`.
   */
  onError(observer: (error: Error) => void): () => void;

  /**
   * Registers an observer of the transport's status: called on every change (`up` → `down` when a
   * connection is lost, `down` → `up` once every connection is back), never twice in a row with the
   * same state. Returns a function that removes the observer. Absent: the transport is always up
   * (the in-process transport).
   */
  onStatus?(observer: (status: TransportStatus) => void): () => void;

  /**
   * Flushes what was accepted, releases every subscription, listener, timer and connection the
   * transport holds. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
}

/** The largest part of a stream position: Redis Streams IDs are two unsigned 64-bit integers. */
const MAX_POSITION_PART = "18446744073709551615";

/**
 * Whether `value` is a log position as Redis Streams writes one, `<milliseconds>-<sequence>`: two
 * decimals of at most 20 digits, each at most 2^64 − 1. The Streams transport refuses any other
 * `from` (Redis would refuse the read), and the SSE server any other position in a cursor.
 */
export function isStreamPosition(value: string): boolean {
  const dash = value.indexOf("-");
  return dash > 0 && isPositionPart(value.slice(0, dash)) && isPositionPart(value.slice(dash + 1));
}

function isPositionPart(part: string): boolean {
  if (!/^\d{1,20}$/.test(part)) return false;
  const digits = part.replace(/^0+(?=\d)/, "");
  return digits.length < 20 || (digits.length === 20 && digits <= MAX_POSITION_PART);
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
