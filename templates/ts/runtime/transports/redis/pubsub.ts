/**
 * The Redis pub/sub transport, over connections of ioredis (5, 6) or node-redis (4 and later) that
 * the application created — recognised structurally; this file imports no Redis client.
 *
 * Delivery guarantee: AT MOST ONCE. Redis pub/sub stores nothing: a message reaches the
 * subscribers connected at the moment Redis receives it, once, in the order one connection
 * published it — so per channel (per event and topic) the order of one publisher holds. A
 * subscriber that is disconnected (a restart, a network cut) misses what is published meanwhile;
 * no gap is signalled. One exception to "at most": ioredis resends a PUBLISH whose reply was lost
 * with the connection (`autoResendUnfulfilledCommands`), which can deliver that message twice; the
 * envelope `id` identifies the duplicate. For at-least-once delivery use the Redis Streams transport.
 *
 * Faults, without user code:
 * - Both clients reconnect by themselves; this transport relies on their resubscription (node-redis
 *   always; ioredis with `autoResubscribe`, its default), so subscriptions resume after a restart.
 * - While the publisher connection is down, publishes are held here, in order, up to
 *   `maxQueuedPublishes` (default 1000) and for at most `publishQueueTimeout` ms (default 10 s);
 *   past either bound a publish is rejected with a `BusError` (`publish-failed`) that says so. When
 *   the connection is back they are sent in order. Nothing is dropped silently.
 * - A publish Redis had been sent when the connection dropped settles as the client decides
 *   (node-redis rejects it; ioredis retries it up to `maxRetriesPerRequest`).
 * - The first connection error of each outage is reported through `onError` (`connection-lost`).
 * - Status (`onStatus`, relayed by the bus as `bus.status()`/`bus.onStatus()`): `down` as soon as
 *   the publisher or the subscriber connection is lost (or was not connected when the transport was
 *   created), with that outage's `connection-lost` error as its cause; `up` once both are ready
 *   again. One report per change, however many reconnection attempts an outage takes.
 * - Error messages name a channel as the bus does, without `prefix`; the Redis name appears only
 *   where it matters (the SUBSCRIBE Redis refused).
 *
 * Ingress: whatever arrives is decoded with the serializer; what cannot be decoded is reported
 * (`message-undecodable`) and dropped here; the bus then validates the rest (type, schema, channel)
 * before any subscriber sees it.
 *
 * Connections: `subscriber` is given over to subscriptions (Redis takes a subscribing connection
 * over), so it must be a separate connection from `publisher` — `client.duplicate()`. node-redis
 * connections must be connected (`await client.connect()`) before use. `close()` waits for the
 * replies to every publish sent, rejects publishes still held for an outage, unsubscribes, and
 * (unless `quitOnClose: false`) closes both connections.
 *
 * Cost: publishes made in one turn are sent together on the next microtask, as one EVAL of a short
 * Lua script that PUBLISHes them in order (up to 256 per run) — one command instead of one per event,
 * which roughly halves the client's CPU per event; each publish still settles with its own reply. A
 * lone publish is a plain PUBLISH. Where the server refuses scripts (ACL without EVAL, scripting
 * disabled) the transport falls back for good to one pipeline per batch (ioredis) or one PUBLISH per
 * event (node-redis). Cluster connections send a pipeline (ioredis) or one PUBLISH per event
 * (node-redis), and sharded publishes are sent one by one (a batch to a cluster must stay within one
 * slot).
 *
 * Sharded pub/sub (`sharded: true`, Redis 7 Cluster): SPUBLISH/SSUBSCRIBE, so each message travels
 * only within the shard that owns its channel. Redis has no sharded pattern subscription, so a
 * sharded subscription names one channel: an event with a topic, or an event that has no topic
 * path — not a wildcard and not "every topic" of a scoped event. ioredis clusters need
 * `shardedSubscribers: true` on the subscriber to SSUBSCRIBE on the shard that owns a channel.
 */
import { BusError, messageOf } from "../../core/errors.js";
import { acceptedNow } from "../../core/platform.js";
import { positiveInteger, runtimeDefaults } from "../../core/policies.js";
import { TRANSPORT_UP, type ChannelFilter, type Transport, type TransportListener, type TransportStatus, type TransportSubscription } from "../transport.js";
import { linkTo, type Link, type MessageSink, type Mode, type Outgoing, type RedisConnection } from "./pubsub-link.js";
import { HeldPublishes } from "./held-publishes.js";
import { jsonSerializer, type Serializer } from "./serializer.js";

export type { EmitterListener } from "./connection.js";
export type { IoRedisConnection, IoRedisPipeline, NodeRedisConnection, NodeRedisListener, RedisConnection } from "./pubsub-link.js";

const ignore = (): void => {};

export interface RedisTransportOptions {
  /** The connection PUBLISH goes through. */
  readonly publisher: RedisConnection;
  /** A separate connection for SUBSCRIBE (Redis gives a subscribing connection over to it). */
  readonly subscriber: RedisConnection;
  /** Put in front of every channel name, e.g. `"app:"` → `app:session.status:s1`. Default `""`. */
  readonly prefix?: string;
  /** Default: JSON. */
  readonly serializer?: Serializer;
  /** SPUBLISH/SSUBSCRIBE (Redis 7 Cluster sharded pub/sub) instead of PUBLISH/SUBSCRIBE. Default `false`. */
  readonly sharded?: boolean;
  /** Publishes held while the publisher is disconnected. Default `runtimeDefaults.maxQueuedPublishes` (1000). */
  readonly maxQueuedPublishes?: number;
  /** Milliseconds a held publish waits for the connection. Default `runtimeDefaults.publishQueueTimeout` (10 000). */
  readonly publishQueueTimeout?: number;
  /** `close()` also closes both connections. Default `true`; `false` when the application keeps using them. */
  readonly quitOnClose?: boolean;
}

/** Redis glob special characters, escaped so a prefix matches itself only. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

interface Interest {
  readonly mode: Mode;
  readonly name: string;
  listeners: readonly { readonly listener: TransportListener; active: boolean }[];
  readonly ready: Promise<void>;
}

const MAX_PREVIEW = 1000;

export function createRedisTransport(options: RedisTransportOptions): Transport {
  if (options.publisher === options.subscriber) {
    throw new TypeError("createRedisTransport: publisher and subscriber must be separate connections (subscribing takes a connection over): pass client.duplicate() as subscriber");
  }
  const prefix = options.prefix ?? "";
  const serializer = options.serializer ?? jsonSerializer;
  const sharded = options.sharded ?? false;
  const maxQueued = positiveInteger("maxQueuedPublishes", options.maxQueuedPublishes, runtimeDefaults.maxQueuedPublishes);
  const queueTimeout = positiveInteger("publishQueueTimeout", options.publishQueueTimeout, runtimeDefaults.publishQueueTimeout);
  const quitOnClose = options.quitOnClose ?? true;

  const observers = new Set<(error: Error) => void>();
  // Subscriptions by mode, then by Redis channel or pattern: an arriving message is looked up without building a key.
  const interests: Record<Mode, Map<string, Interest>> = { channel: new Map(), pattern: new Map(), shard: new Map() };
  /** Publishes sent (or batched) and not yet answered; `close()` waits for them. */
  let inflight = 0;
  const whenIdle: (() => void)[] = [];
  const pendingCommands = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  /** Publishes held while the publishing connection is down (held-publishes.ts). */
  const held = new HeldPublishes({ maxQueued, timeoutMs: queueTimeout, send: (channel, text) => send(channel, text), name: (channel) => `"${channel}"` });

  const report = (error: Error): void => {
    for (const observer of observers) observer(error);
  };

  const receive: MessageSink = (mode, name, redisChannel, text) => {
    const interest = interests[mode].get(name);
    if (interest === undefined || (prefix !== "" && !redisChannel.startsWith(prefix))) return; // after unsubscribe, or not ours
    const channel = prefix === "" ? redisChannel : redisChannel.slice(prefix.length);
    let data: unknown;
    try {
      data = serializer.decode(text);
    } catch (error) {
      const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
      report(new BusError("message-undecodable", `Dropped a message on channel "${channel}" that could not be decoded: ${messageOf(error)}`, { cause: error, channel, envelope: preview }));
      return;
    }
    const message = { channel, data };
    for (const entry of interest.listeners) {
      if (!entry.active) continue;
      try {
        entry.listener(message);
      } catch (error) {
        // Never let a listener's throw into the client's reply parser.
        report(new BusError("subscriber-failed", `A listener on channel "${channel}" threw: ${messageOf(error)}`, { cause: error, channel }));
      }
    }
  };

  // Every listener the transport adds to either connection, removed by close().
  const listening: (() => void)[] = [];
  const publisher = linkTo(options.publisher, undefined, listening);
  const subscriber = linkTo(options.subscriber, receive, listening);

  /** Runs a subscription command; close() waits for the ones still pending. */
  const command = (run: () => Promise<unknown>): Promise<unknown> => {
    let promise: Promise<unknown>;
    try {
      promise = run();
    } catch (error) {
      promise = Promise.reject(error);
    }
    pendingCommands.add(promise);
    const done = (): void => void pendingCommands.delete(promise);
    promise.then(done, done);
    return promise;
  };

  const refused = (redisChannel: string, error: unknown): BusError => {
    const channel = redisChannel.slice(prefix.length);
    return new BusError("publish-failed", `Redis did not accept the publish on "${channel}": ${messageOf(error)}`, { cause: error, channel });
  };

  const answered = (count: number): void => {
    inflight -= count;
    if (inflight === 0 && whenIdle.length > 0) for (const resume of whenIdle.splice(0)) resume();
  };
  const answeredOne = (): void => {
    answered(1);
  };

  // Publishes of one turn, sent together on the next microtask (ioredis: as one pipeline).
  const publishAll = sharded ? undefined : publisher.publishAll;
  let batch: Outgoing[] = [];
  const sendBatch = (): void => {
    const sending = batch;
    batch = [];
    if (sending.length === 0 || publishAll === undefined) return;
    let replies: Promise<readonly (Error | null)[]>;
    try {
      replies = publishAll(sending);
    } catch (error) {
      replies = Promise.reject(error);
    }
    replies.then(
      (errors) => {
        sending.forEach((message, index) => {
          const error = errors[index];
          if (error === null || error === undefined) message.resolve();
          else message.reject(refused(message.channel, error));
        });
        answered(sending.length);
      },
      (error: unknown) => {
        for (const message of sending) message.reject(refused(message.channel, error));
        answered(sending.length);
      },
    );
  };

  const send = (channel: string, text: string): Promise<void> => {
    const redisChannel = prefix + channel;
    inflight += 1;
    if (publishAll !== undefined) {
      if (batch.length === 0) void acceptedNow.then(sendBatch);
      return new Promise<void>((resolve, reject) => batch.push({ channel: redisChannel, text, resolve, reject }));
    }
    let sent: Promise<unknown>;
    try {
      sent = publisher.publish(redisChannel, text, sharded);
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.then(answeredOne, (error: unknown) => {
      answeredOne();
      throw refused(redisChannel, error);
    });
  };

  /** Resolves once every publish sent has its answer. */
  const idle = (): Promise<void> => (inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => whenIdle.push(resolve)));


  // Status: down while either connection is lost, up once both are back; observers hear each change once.
  const statusObservers = new Set<(status: TransportStatus) => void>();
  /** The connections lost and not ready again; the transport is down while any is. */
  const lostLinks = new Set<Link>();
  let downStatus: TransportStatus | undefined;
  const tellStatus = (status: TransportStatus): void => {
    for (const observer of [...statusObservers]) {
      try {
        observer(status);
      } catch (error) {
        report(new BusError("subscriber-failed", `A transport status observer failed: ${messageOf(error)}`, { cause: error }));
      }
    }
  };
  const linkDown = (link: Link, cause: Error): void => {
    if (closing !== undefined || lostLinks.has(link)) return;
    lostLinks.add(link);
    if (lostLinks.size > 1) return;
    downStatus = { state: "down", cause };
    tellStatus(downStatus);
  };
  const linkUp = (link: Link): void => {
    if (closing !== undefined || !lostLinks.delete(link)) return;
    // The other connection may be reconnecting without having said so yet.
    for (const other of [publisher, subscriber]) if (other.state() === "down" || other.state() === "closed") lostLinks.add(other);
    if (lostLinks.size > 0) return;
    downStatus = undefined;
    tellStatus(TRANSPORT_UP);
  };

  // Connection events: flush held publishes when the publisher is back, report each outage once.
  const watch = (link: Link, role: string): void => {
    let outage: BusError | undefined;
    const lost = (error?: unknown): BusError => {
      if (outage === undefined) {
        const cause = error === undefined ? "connection lost" : messageOf(error);
        outage = new BusError("connection-lost", `Redis ${role} connection (${link.client}): ${cause}; the client is reconnecting.`, { cause: error });
        report(outage);
      }
      return outage;
    };
    link.on("error", (error) => {
      const reported = lost(error);
      if (link.state() !== "ready") linkDown(link, reported);
    });
    link.on("reconnecting", () => linkDown(link, lost()));
    link.on("end", () => linkDown(link, outage ?? new BusError("connection-lost", `Redis ${role} connection (${link.client}) ended.`)));
    link.on("ready", () => {
      outage = undefined;
      if (link === publisher) held.flush();
      linkUp(link);
    });
    // A connection not ready at the start (node-redis not yet connected, ioredis reconnecting) counts as lost until it is.
    const state = link.state();
    if (state === "down" || state === "closed") linkDown(link, new BusError("connection-lost", `Redis ${role} connection (${link.client}) is not connected.`));
    if (link === publisher) {
      const ended = (channel: string): BusError => new BusError("publish-failed", `Did not publish on "${channel}": the Redis publisher connection ended.`, { channel });
      link.on("end", () => held.rejectAll(ended));
    }
  };
  watch(publisher, "publisher");
  watch(subscriber, "subscriber");

  const target = (filter: ChannelFilter): { mode: Mode; name: string } => {
    if ("channel" in filter) return { mode: sharded ? "shard" : "channel", name: prefix + filter.channel };
    if (sharded) {
      throw new BusError(
        "subscribe-invalid",
        `Sharded pub/sub has no pattern subscriptions, so channels starting with "${filter.prefix}" cannot be subscribed to: subscribe to one event with a topic, or to an event that has no topic path.`,
      );
    }
    return { mode: "pattern", name: `${escapeGlob(prefix + filter.prefix)}*` };
  };

  const verb = (mode: Mode): string => (mode === "channel" ? "SUBSCRIBE" : mode === "pattern" ? "PSUBSCRIBE" : "SSUBSCRIBE");

  return {
    trusted: false,

    publish(channel: string, envelope: unknown): Promise<void> {
      if (closing !== undefined) return Promise.reject(new BusError("closed", `Cannot publish on "${channel}": the Redis transport is closed.`, { channel }));
      let text: string;
      try {
        text = serializer.encode(envelope);
      } catch (error) {
        return Promise.reject(new BusError("publish-failed", `Could not encode the envelope for "${channel}": ${messageOf(error)}`, { cause: error, channel }));
      }
      const state = publisher.state();
      if (state === "closed") {
        const hint = publisher.client === "node-redis" ? " (node-redis: await client.connect() before publishing)" : "";
        return Promise.reject(new BusError("publish-failed", `Did not publish on "${channel}": the Redis publisher connection is closed${hint}.`, { channel }));
      }
      if (state === "ready" || state === "client") {
        held.flush(); // anything held goes first: publish order is send order
        return send(channel, text);
      }
      return held.hold(channel, text);
    },

    subscribe(filter: ChannelFilter, listener: TransportListener): TransportSubscription {
      if (closing !== undefined) throw new BusError("closed", "Cannot subscribe: the Redis transport is closed.");
      const { mode, name } = target(filter);
      const byName = interests[mode];
      let interest = byName.get(name);
      if (interest === undefined) {
        const ready = command(() => subscriber.subscribe(mode, name)).then(ignore, (error: unknown) => {
          const what = "channel" in filter ? `channel "${filter.channel}"` : `channels starting with "${filter.prefix}"`;
          throw new BusError("subscribe-failed", `Could not subscribe to ${what}: Redis refused ${verb(mode)} ${name}: ${messageOf(error)}`, {
            cause: error,
            ...("channel" in filter ? { channel: filter.channel } : {}),
          });
        });
        ready.catch(ignore); // the bus reports it; a caller awaiting `ready` still sees it
        interest = { mode, name, listeners: [], ready };
        byName.set(name, interest);
      }
      const current = interest;
      const entry = { listener, active: true };
      current.listeners = [...current.listeners, entry];
      return {
        ready: current.ready,
        unsubscribe(): void {
          if (!entry.active) return;
          entry.active = false;
          current.listeners = current.listeners.filter((other) => other !== entry);
          if (current.listeners.length > 0 || byName.get(name) !== current) return;
          byName.delete(name);
          command(() => subscriber.unsubscribe(mode, name)).catch(ignore);
        },
      };
    },

    onError(observer: (error: Error) => void): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },

    onStatus(observer: (status: TransportStatus) => void): () => void {
      statusObservers.add(observer);
      // An observer that comes while a connection is lost hears it at once.
      if (downStatus !== undefined) observer(downStatus);
      return () => void statusObservers.delete(observer);
    },

    close(): Promise<void> {
      closing ??= (async () => {
        // 1. Publishes: what Redis was sent is waited for; what waits for an outage is rejected.
        if (publisher.state() === "ready") held.flush();
        sendBatch();
        held.rejectAll((channel) => new BusError("closed", `Did not publish on "${channel}": the Redis transport closed while Redis was unreachable.`, { channel }));
        if (publisher.state() !== "down") await idle();
        // 2. Subscriptions.
        for (const byName of Object.values(interests)) {
          for (const interest of byName.values()) {
            for (const entry of interest.listeners) entry.active = false;
            command(() => subscriber.unsubscribe(interest.mode, interest.name)).catch(ignore);
          }
          byName.clear();
        }
        if (subscriber.state() !== "down") await Promise.allSettled([...pendingCommands]);
        // 3. Connections, then our listeners on them (kept until now so no error event goes unheard).
        if (quitOnClose) await Promise.all([publisher.end(), subscriber.end()]);
        for (const off of listening.splice(0)) off();
        observers.clear();
        statusObservers.clear();
      })();
      return closing;
    },
  };
}
