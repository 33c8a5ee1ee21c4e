/**
 * The WebSocket spoke transport: `createWebSocketTransport(url, options)` is a bus transport over one
 * WebSocket to a hub (`createWebSocketHub` with a `bus`), so a spoke process's
 * `createBus({ transport })` publishes on the hub's bus and subscribes to it with no other change.
 * Publishes are `publish` messages the hub answers; each subscription of the bus is a subscription
 * of the hub, whose stream is the SSE handler's (ws/protocol.ts).
 *
 * Delivery guarantee: what the hub's SSE handler gives — every event of a subscription exactly once
 * and in order, across reconnects: each subscription resumes after the last id it received, and the
 * hub replays what followed or says `gap` (all or nothing). A gap is reported through `onError`
 * (`stream-gap`: events may be missing) and delivery goes on; ids delivered already (the newest
 * `dedupe` per subscription) are dropped, so an overlapping replay repeats nothing. A subscription's
 * `ready` resolves on the hub's `live` frame. Messages are not trusted: the bus validates each.
 *
 * Publishing: `publish` resolves when the hub answered `published` (its bus took the envelope) and
 * rejects with a `BusError` when it answered `rejected` (`publish-invalid` for 400, else
 * `publish-failed`, with the hub's status and text). Publishes of this transport reach the hub's bus
 * in publish order. The envelope's id is kept; the hub stamps its own time (docs/websocket.md).
 *
 * Outages, as the Redis pub/sub transport's:
 * - At most `maxPublishesInFlight` publishes are sent and unanswered at once; the others, and every
 *   publish made while the connection is down, are held here in order — at most
 *   `maxQueuedPublishes` (default 1000), each for at most `publishQueueTimeout` ms (default 10 s);
 *   past either bound a publish is rejected (`publish-failed`) with a message that says which.
 * - Publishes sent and unanswered when the connection drops are sent again, first and in order, once
 *   it is back: the hub may have published some already, and the copy carries the same envelope id,
 *   which the hub's replay and every client drop (in-process subscribers of the hub's bus see both).
 * - The connection is made again with full-jitter backoff (`backoffInitialMs` · 2^failures up to
 *   `backoffMaxMs`; a connection open for `healthyAfterMs` starts the count over); a connection
 *   silent for `watchdogMs` while it has subscriptions (the hub's heartbeats stopped) is dropped and
 *   made again. The first error of each outage is reported (`connection-lost`); the status
 *   (`onStatus`) is `down` from then until the connection is open again, `up` after.
 * - A publish sent and unanswered for `publishQueueTimeout` while the connection is open (a hub that
 *   stalled, with no subscription whose heartbeats would show it) is rejected — the hub may have
 *   published it; its id is kept — and the connection is dropped, to be made again when needed.
 * - `close()` gives what is held and in flight until `publishQueueTimeout` to be answered while the
 *   connection is open, rejects the rest (`closed`), and releases every subscription (a `ready`
 *   still pending rejects), timer, listener and the socket.
 *
 * The connection is made when there is something to do — a subscription, a publish — and kept while
 * there is; a spoke with neither is not connected (the hub would close a socket that says nothing).
 * The URL is authorized at the upgrade as the hub's `authorize` decides (with the selection the URL
 * names; every event the handler serves when it names none), then every subscription and publish on
 * its own.
 *
 * What the hub sends is bounded: an event of a subscription's stream, and a control message, may have
 * `maxEventSize` characters; past it the connection is dropped, reported and made again. A publish
 * message longer than `maxMessageBytes` (the hub's bound, which would close the socket) is rejected
 * here. No Node or DOM types: the socket is typed by the members used. Browsers, Deno, Bun and Node
 * 22+ have `WebSocket`; on Node 20 pass the ws package's. This file imports eventsource-parser.
 */
import { Backoff } from "../client/backoff.js";
import { BusError, messageOf } from "../core/errors.js";
import { ownField, startTimer } from "../core/platform.js";
import { positiveInteger, runtimeDefaults, sseDefaults, wsDefaults } from "../core/policies.js";
import { utf8Length, WS_PUBLISHED, WS_REFUSED, WS_REJECTED, WS_UNSUBSCRIBE, wsPublishMessage, type WebSocketConstructor as SpokeSocketConstructor, type WebSocketLike as SpokeSocketLike } from "../ws/protocol.js";
import { TRANSPORT_UP, type ChannelFilter, type Transport, type TransportListener, type TransportStatus, type TransportSubscription } from "./transport.js";
import { PublishOutbox } from "./websocket/outbox.js";
import { HubSubscription } from "./websocket/subscription.js";

/** The socket, as the transport uses it: the host's `WebSocket`, or the ws package's. */
export type { WebSocketConstructor as SpokeSocketConstructor, WebSocketEventLike as SpokeSocketEvent, WebSocketLike as SpokeSocketLike } from "../ws/protocol.js";

export interface WebSocketTransportOptions {
  /** Default: the host's `WebSocket`. On Node 20: `WebSocket` from the ws package. */
  readonly WebSocket?: SpokeSocketConstructor;
  /** Publishes sent and unanswered at once; keep it at most the hub's. Default `wsDefaults.maxPublishesInFlight` (64). */
  readonly maxPublishesInFlight?: number;
  /** Publishes held (the connection down, or the window full). Default `runtimeDefaults.maxQueuedPublishes` (1000). */
  readonly maxQueuedPublishes?: number;
  /** Milliseconds a held publish waits. Default `runtimeDefaults.publishQueueTimeout` (10,000). */
  readonly publishQueueTimeout?: number;
  /** Bytes of one publish message; keep it at most the hub's. Default `wsDefaults.maxMessageBytes` (65,536). */
  readonly maxMessageBytes?: number;
  /** Upper bound of the first reconnection delay, ms. Default `sseDefaults.backoffInitial` (500). */
  readonly backoffInitialMs?: number;
  /** Cap of the reconnection delay, ms. Default `sseDefaults.backoffMax` (20,000). */
  readonly backoffMaxMs?: number;
  /** Milliseconds a connection must stay open before the backoff starts over. Default `sseDefaults.healthyAfter` (10,000). */
  readonly healthyAfterMs?: number;
  /** Silence (with subscriptions) after which the connection is made again, ms. Default `sseDefaults.watchdog` (45,000). */
  readonly watchdogMs?: number;
  /** Envelope ids remembered per subscription to drop duplicates. Default `sseDefaults.dedupe` (10,000). */
  readonly dedupe?: number;
  /** Characters of one event, and of one control message, from the hub. Default `sseDefaults.maxEventSize` (1,048,576). */
  readonly maxEventSize?: number;
}

const OPEN = 1;
const NORMAL = 1000;

interface SpokeSettings {
  readonly maxQueuedPublishes: number;
  readonly publishQueueTimeout: number;
  readonly maxPublishesInFlight: number;
  readonly maxMessageBytes: number;
  readonly healthyAfterMs: number;
  readonly watchdogMs: number;
  readonly dedupe: number;
  readonly maxEventSize: number;
}

function spokeSettings(options: WebSocketTransportOptions): SpokeSettings {
  return {
    maxQueuedPublishes: positiveInteger("maxQueuedPublishes", options.maxQueuedPublishes, runtimeDefaults.maxQueuedPublishes),
    publishQueueTimeout: positiveInteger("publishQueueTimeout", options.publishQueueTimeout, runtimeDefaults.publishQueueTimeout),
    maxPublishesInFlight: positiveInteger("maxPublishesInFlight", options.maxPublishesInFlight, wsDefaults.maxPublishesInFlight),
    maxMessageBytes: positiveInteger("maxMessageBytes", options.maxMessageBytes, wsDefaults.maxMessageBytes),
    healthyAfterMs: positiveInteger("healthyAfterMs", options.healthyAfterMs, sseDefaults.healthyAfter),
    watchdogMs: positiveInteger("watchdogMs", options.watchdogMs, sseDefaults.watchdog),
    dedupe: positiveInteger("dedupe", options.dedupe, sseDefaults.dedupe),
    maxEventSize: positiveInteger("maxEventSize", options.maxEventSize, sseDefaults.maxEventSize),
  };
}

/** Statuses of a refused subscribe that asking again would only repeat. */
function refusalIsFinal(status: unknown): boolean {
  return status === 400 || status === 401 || status === 403 || status === 404;
}

/** The hub's text in a message: a string, cut to 500 characters. */
function hubText(value: unknown): string {
  return typeof value === "string" ? value.slice(0, 500) : "";
}

/**
 * The transport, as one object: its socket (one at a time), its subscriptions, its publishes
 * (transports/websocket/outbox.ts), its backoff and timers, its observers — released by `close()`.
 */
class WebSocketTransport implements Transport {
  readonly trusted = false;
  readonly #url: string;
  readonly #WebSocket: SpokeSocketConstructor;
  readonly #settings: SpokeSettings;
  readonly #backoff: Backoff;
  readonly #outbox: PublishOutbox;
  readonly #subscriptions = new Map<string, HubSubscription>();
  readonly #observers = new Set<(error: Error) => void>();
  readonly #statusObservers = new Set<(status: TransportStatus) => void>();
  #socket: SpokeSocketLike | undefined;
  /** The current socket is open. */
  #open = false;
  /** The status while down (the first error of the outage as its cause); undefined while up. */
  #down: TransportStatus | undefined;
  #cancelReconnect: (() => void) | undefined;
  #cancelHealthy: (() => void) | undefined;
  #cancelWatchdog: (() => void) | undefined;
  /** When the hub last sent something (`Date.now()`), for the watchdog. */
  #lastData = 0;
  #subscriptionsMade = 0;
  #publishesMade = 0;
  #closing: Promise<void> | undefined;
  readonly #report = (error: Error): void => {
    for (const observer of [...this.#observers]) {
      try {
        observer(error);
      } catch {
        // An observer that throws must not stop the transport.
      }
    }
  };

  constructor(url: string, WebSocket: SpokeSocketConstructor, settings: SpokeSettings, backoff: Backoff) {
    this.#url = url;
    this.#WebSocket = WebSocket;
    this.#settings = settings;
    this.#backoff = backoff;
    this.#outbox = new PublishOutbox({
      maxQueued: settings.maxQueuedPublishes,
      maxInFlight: settings.maxPublishesInFlight,
      timeoutMs: settings.publishQueueTimeout,
      send: (message) => this.#send(message),
      stalled: () => this.#abort(new BusError("connection-lost", `The hub at ${url} answered no publish for ${settings.publishQueueTimeout} ms (publishQueueTimeout); the transport is reconnecting.`)),
    });
  }

  publish(channel: string, envelope: unknown): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new BusError("closed", `Cannot publish on "${channel}": the WebSocket transport is closed.`, { channel }));
    let json: string | undefined;
    try {
      json = JSON.stringify(envelope);
    } catch (error) {
      return Promise.reject(new BusError("publish-failed", `Could not encode the envelope for "${channel}": ${messageOf(error)}`, { cause: error, channel }));
    }
    if (json === undefined) return Promise.reject(new BusError("publish-failed", `Could not encode the envelope for "${channel}": it is not JSON data.`, { channel }));
    this.#publishesMade += 1;
    const ref = `p${this.#publishesMade.toString(36)}`;
    const message = wsPublishMessage(ref, json);
    const bytes = utf8Length(message);
    if (bytes > this.#settings.maxMessageBytes) {
      return Promise.reject(new BusError("publish-failed", `Did not publish on "${channel}": the publish message has ${bytes} bytes, over maxMessageBytes (${this.#settings.maxMessageBytes}), which the hub would close the connection for.`, { channel }));
    }
    const sent = this.#outbox.add(ref, channel, message);
    this.#wake();
    return sent;
  }

  subscribe(filter: ChannelFilter, listener: TransportListener): TransportSubscription {
    if (this.#closing !== undefined) throw new BusError("closed", "Cannot subscribe: the WebSocket transport is closed.");
    this.#subscriptionsMade += 1;
    const subscription = new HubSubscription(`s${this.#subscriptionsMade.toString(36)}`, filter, listener, {
      dedupe: this.#settings.dedupe,
      maxEventSize: this.#settings.maxEventSize,
      report: this.#report,
    });
    const { sub } = subscription;
    this.#subscriptions.set(sub, subscription);
    if (this.#open) {
      this.#send(subscription.subscribeMessage());
      this.#armWatchdog();
    } else this.#wake();
    return {
      ready: subscription.ready,
      unsubscribe: () => {
        if (this.#subscriptions.get(sub) !== subscription) return;
        this.#subscriptions.delete(sub);
        subscription.close();
        if (this.#open) this.#send(JSON.stringify({ op: WS_UNSUBSCRIBE, sub }));
        if (this.#subscriptions.size === 0) this.#armWatchdog();
      },
    };
  }

  onError(observer: (error: Error) => void): () => void {
    this.#observers.add(observer);
    return () => void this.#observers.delete(observer);
  }

  onStatus(observer: (status: TransportStatus) => void): () => void {
    this.#statusObservers.add(observer);
    // An observer that comes during an outage hears it at once.
    if (this.#down !== undefined) observer(this.#down);
    return () => void this.#statusObservers.delete(observer);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    // 1. Publishes: while the connection is open, what is held and in flight has until publishQueueTimeout to be answered.
    if (this.#open && this.#outbox.size > 0) {
      let cancel: (() => void) | undefined;
      await Promise.race([this.#outbox.empty(), new Promise<void>((resolve) => (cancel = startTimer(this.#settings.publishQueueTimeout, resolve)))]);
      cancel?.();
    }
    const reachable = this.#open;
    this.#outbox.rejectAll((channel) => new BusError("closed", `Did not publish on "${channel}": the WebSocket transport closed before the hub ${reachable ? "answered" : "was reachable"}.`, { channel }));
    // 2. Subscriptions: a `ready` still pending rejects.
    const closed = new BusError("closed", "The WebSocket transport closed before the hub confirmed the subscription.");
    for (const subscription of this.#subscriptions.values()) subscription.close(closed);
    this.#subscriptions.clear();
    // 3. Timers, the socket (its close handshake, bounded), observers.
    this.#cancelReconnect?.();
    this.#cancelReconnect = undefined;
    this.#stopTimers();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#open = false;
    if (socket !== undefined) {
      let cancel: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        socket.addEventListener("close", () => resolve());
        cancel = startTimer(wsDefaults.closeTimeout, resolve);
        try {
          socket.close(NORMAL);
        } catch {
          resolve();
        }
      });
      cancel?.();
    }
    this.#observers.clear();
    this.#statusObservers.clear();
  }

  /** Whether there is work for a connection: a subscription, or a publish held or in flight. */
  #wanted(): boolean {
    return this.#subscriptions.size > 0 || this.#outbox.size > 0;
  }

  /** Connects now when there is work and no connection or reconnection under way. */
  #wake(): void {
    if (this.#socket === undefined && this.#cancelReconnect === undefined && this.#closing === undefined) this.#connect();
  }

  #connect(): void {
    this.#cancelReconnect = undefined;
    // Down with nothing to do: connect all the same, to learn when the hub is back.
    if (this.#closing !== undefined || this.#socket !== undefined || (!this.#wanted() && this.#down === undefined)) return;
    let socket: SpokeSocketLike;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (error) {
      this.#lost(new BusError("connection-lost", `Could not open a WebSocket to the hub at ${this.#url}: ${messageOf(error)}`, { cause: error }));
      return this.#retry();
    }
    this.#socket = socket;
    socket.addEventListener("open", () => {
      if (this.#socket === socket) this.#opened();
    });
    socket.addEventListener("message", (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    });
    // An error is followed by a close, which says what happened.
    socket.addEventListener("error", () => {});
    socket.addEventListener("close", (event) => {
      if (this.#socket !== socket) return;
      const code = event.code ?? 1006;
      const reason = event.reason === undefined || event.reason === "" ? "" : ` ${event.reason.slice(0, 123)}`;
      const what = this.#open ? `The hub at ${this.#url} closed the connection (${code}${reason})` : `Could not connect to the hub at ${this.#url} (${code}${reason})`;
      this.#dropped(new BusError("connection-lost", `${what}; the transport is reconnecting.`));
    });
  }

  #opened(): void {
    this.#open = true;
    this.#cancelHealthy = startTimer(this.#settings.healthyAfterMs, () => {
      this.#cancelHealthy = undefined;
      this.#backoff.reset();
    });
    for (const subscription of this.#subscriptions.values()) this.#send(subscription.subscribeMessage());
    this.#outbox.opened();
    this.#armWatchdog();
    this.#setStatus(TRANSPORT_UP);
  }

  /** The current connection ended (`error` says how): publishes in flight are held again, and the connection is made again while there is work. */
  #dropped(error: BusError): void {
    this.#socket = undefined;
    this.#open = false;
    this.#stopTimers();
    this.#outbox.dropped();
    if (this.#closing !== undefined) {
      this.#outbox.rejectAll((channel) => new BusError("closed", `Did not publish on "${channel}": the connection to the hub ended while the transport was closing.`, { channel }));
      return;
    }
    // Nothing to do (the hub closed an idle socket): connect again when there is.
    if (!this.#wanted() && this.#down === undefined) return;
    this.#lost(error);
    this.#retry();
  }

  /** Drops the current connection from this side (a fault of what the hub sent, the watchdog, a refusal to ask again). */
  #abort(error: BusError): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#dropped(error);
    try {
      socket.close(NORMAL);
    } catch {
      // Closing a socket that failed already.
    }
  }

  #retry(): void {
    if (this.#closing !== undefined || this.#cancelReconnect !== undefined) return;
    this.#cancelReconnect = startTimer(this.#backoff.fail(), () => this.#connect());
  }

  /** The first error of an outage is reported, and the status is `down` until a connection is open again. */
  #lost(error: BusError): void {
    if (this.#down !== undefined) return;
    this.#report(error);
    this.#setStatus({ state: "down", cause: error });
  }

  #setStatus(status: TransportStatus): void {
    if ((status.state === "up") === (this.#down === undefined)) return;
    this.#down = status.state === "down" ? status : undefined;
    for (const observer of [...this.#statusObservers]) {
      try {
        observer(status);
      } catch (error) {
        this.#report(new BusError("subscriber-failed", `A transport status observer failed: ${messageOf(error)}`, { cause: error }));
      }
    }
  }

  #send(message: string): void {
    const socket = this.#socket;
    if (socket === undefined || !this.#open || socket.readyState !== OPEN) return;
    try {
      socket.send(message);
    } catch (error) {
      this.#abort(new BusError("connection-lost", `Could not send to the hub at ${this.#url}: ${messageOf(error)}`, { cause: error }));
    }
  }

  #stopTimers(): void {
    this.#cancelHealthy?.();
    this.#cancelWatchdog?.();
    this.#cancelHealthy = this.#cancelWatchdog = undefined;
  }

  /**
   * Runs the watchdog while the connection is open and has subscriptions (the hub's heartbeats keep
   * it quiet): one timer, which looks at when data last came rather than being restarted by each message.
   */
  #armWatchdog(): void {
    const { watchdogMs } = this.#settings;
    if (!this.#open || this.#subscriptions.size === 0) {
      this.#cancelWatchdog?.();
      this.#cancelWatchdog = undefined;
      return;
    }
    this.#lastData = Date.now();
    if (this.#cancelWatchdog !== undefined) return;
    const check = (): void => {
      const quiet = Date.now() - this.#lastData;
      if (quiet < watchdogMs) {
        this.#cancelWatchdog = startTimer(watchdogMs - quiet, check);
        return;
      }
      this.#cancelWatchdog = undefined;
      this.#abort(new BusError("connection-lost", `No data from the hub at ${this.#url} for ${watchdogMs} ms (watchdog); the transport is reconnecting.`));
    };
    this.#cancelWatchdog = startTimer(watchdogMs, check);
  }

  #receive(data: unknown): void {
    this.#lastData = Date.now();
    if (typeof data !== "string") return this.#abort(new BusError("connection-lost", `The hub at ${this.#url} sent a binary message, which is not part of the protocol; the transport is reconnecting.`));
    if (data.startsWith("{")) return this.#control(data);
    const newline = data.indexOf("\n");
    const subscription = newline < 0 ? undefined : this.#subscriptions.get(data.slice(0, newline));
    if (subscription === undefined) return; // one unsubscribed since
    const error = subscription.feed(data.slice(newline + 1));
    if (error !== undefined) this.#abort(error);
  }

  /** A control message: the answer to a publish, or a refused subscription. */
  #control(text: string): void {
    const { maxEventSize } = this.#settings;
    if (text.length > maxEventSize) return this.#abort(new BusError("connection-lost", `The hub at ${this.#url} sent a control message of more than maxEventSize (${maxEventSize}) characters; the transport is reconnecting.`));
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.#abort(new BusError("connection-lost", `The hub at ${this.#url} sent a control message that is not JSON; the transport is reconnecting.`));
    }
    if (typeof message !== "object" || message === null) return;
    const op = ownField(message, "op");
    if (op === WS_PUBLISHED || op === WS_REJECTED) {
      const ref = ownField(message, "ref");
      const channel = typeof ref === "string" ? this.#outbox.channelOf(ref) : undefined;
      if (channel === undefined) return; // no publish of ours in flight
      if (op === WS_PUBLISHED) return this.#outbox.answered(ref as string, undefined);
      const status = ownField(message, "status");
      const code = status === 400 ? "publish-invalid" : "publish-failed";
      return this.#outbox.answered(ref as string, new BusError(code, `The hub rejected the publish on "${channel}": ${String(status)} ${hubText(ownField(message, "message"))}`, { channel }));
    }
    if (op !== WS_REFUSED) return;
    const sub = ownField(message, "sub");
    const subscription = typeof sub === "string" ? this.#subscriptions.get(sub) : undefined;
    if (subscription === undefined) return;
    const status = ownField(message, "status");
    const why = `${String(status)} ${hubText(ownField(message, "message"))}`;
    if (refusalIsFinal(status)) {
      this.#subscriptions.delete(subscription.sub);
      const error = new BusError("subscribe-failed", `The hub refused the subscription to ${subscription.description}: ${why}`, "channel" in subscription.filter ? { channel: subscription.filter.channel } : {});
      // A pending `ready` carries it to the bus; one that resolved long ago does not.
      if (!subscription.close(error)) this.#report(error);
      return;
    }
    // 409, 429, 503: asked again on a new connection, after the backoff.
    this.#abort(new BusError("connection-lost", `The hub refused the subscription to ${subscription.description} for now (${why}); the transport is reconnecting to ask again.`));
  }
}

/** A transport over one WebSocket to the hub at `url` (see the top of this file). */
export function createWebSocketTransport(url: string, options: WebSocketTransportOptions = {}): Transport {
  const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: SpokeSocketConstructor }).WebSocket;
  if (WebSocket === undefined) throw new TypeError("createWebSocketTransport needs WebSocket (browsers, Deno, Bun and Node 22+ have it): on Node 20 pass options.WebSocket from the ws package");
  const backoff = new Backoff(
    positiveInteger("backoffInitialMs", options.backoffInitialMs, sseDefaults.backoffInitial),
    positiveInteger("backoffMaxMs", options.backoffMaxMs, sseDefaults.backoffMax),
  );
  return new WebSocketTransport(url, WebSocket, spokeSettings(options), backoff);
}
