/**
 * One WebSocket connection of the hub, as one object: its socket, its subscriptions (each an SSE
 * server connection of the handler the hub serves, reading the same replay source), its pending
 * subscribes, its place in the hub and its timers. `close()` releases all of them, once, whatever ends
 * the connection — the client leaving, a bad message, a slow consumer, the heartbeat, the hub closing.
 * Its publishes (ws/publishes.ts) are its own too: in flight at most `maxPublishesInFlight`, none
 * checked or published before the request that opened the socket was authorized, forgotten by `close()`.
 *
 * Everything the peer sends is hostile: a message is a JSON object with an own `op`; its fields are
 * read by name, never merged; a subscription id keeps `WS_SUB_ID`; subscriptions per connection are
 * capped (pending ones included), so a flood of subscribe messages costs a refusal each, and the
 * refusals themselves count against the connection's budget of buffered bytes.
 *
 * Writing: a subscription writes only while the socket's buffered amount is under `highWaterBytes`;
 * above it the subscriptions wait (the ring or the log reader's bounded queue holds their place) and
 * resume when a send completes and the amount is back under. A socket whose buffered amount passes
 * `maxBufferedBytes` (what was written past back-pressure: refusals, status frames) is slow: every
 * subscription gets a `gap` (`overflow`, its id still good) and the socket closes with `slow`.
 */
import { BusError, messageOf } from "../core/errors.js";
import { ownField, startTimer } from "../core/platform.js";
import type { SseServerConnection } from "../sse/connection.js";
import type { SseEndCause, SseRequest, SseSink } from "../sse/http.js";
import type { SseHandler } from "../sse/server.js";
import { HttpRefusal } from "../sse/selection.js";
import { WS_CLOSE, WS_PUBLISH, WS_REF, WS_REFUSED, WS_SUB_ID, WS_SUBSCRIBE, WS_UNSUBSCRIBE } from "./protocol.js";
import { WsPublishQueue, type WsPublishing } from "./publishes.js";

/** Any event listener, as EventEmitter-style `on` takes it. */
export type WsListener = (...args: unknown[]) => void;

/** The part of a `ws` WebSocket (the server side of a connection) the hub uses. */
export interface WsSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array, options: { binary: boolean }, callback: (error?: Error) => void): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: string, listener: WsListener): unknown;
}

/** What a connection reads of the hub that owns it. */
export interface WsHubSettings {
  readonly sse: SseHandler;
  /** Publishing through the hub (disabled without a bus: every publish is rejected 405). */
  readonly publishing: WsPublishing;
  readonly maxSubscriptions: number;
  readonly highWaterBytes: number;
  readonly maxBufferedBytes: number;
  readonly initTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly report: (error: unknown) => void;
  /** The connection closed: the hub forgets it. */
  readonly closed: (connection: WsHubConnection) => void;
}

const OPEN = 1;

interface Subscription {
  /** Undefined while the handler is admitting it. */
  connection: SseServerConnection | undefined;
}

/** `text` as UTF-8 bytes (a subscription id: ASCII, so one byte a character). */
function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index += 1) bytes[index] = text.charCodeAt(index);
  return bytes;
}

function closeCodeOf(cause: SseEndCause | undefined): number {
  return cause === "overflow" ? WS_CLOSE.slow : cause === "closing" ? WS_CLOSE.goingAway : WS_CLOSE.failed;
}

export class WsHubConnection {
  readonly socket: WsSocketLike;
  readonly request: SseRequest;
  readonly #settings: WsHubSettings;
  readonly #subscriptions = new Map<string, Subscription>();
  /**
   * Every subscription's connection opened on this socket and not yet closed by it: when the socket
   * closes they are closed again, which cancels the timer an ending one set to destroy its sink.
   */
  readonly #opened = new Set<SseServerConnection>();
  #drainListeners: (() => void)[] = [];
  #open = true;
  /** Writing the gaps of a slow consumer: nothing closes the socket until every one is written. */
  #slowing = false;
  #alive = true;
  #cancelInit: (() => void) | undefined;
  #cancelTerminate: (() => void) | undefined;
  readonly #publishes: WsPublishQueue;
  readonly #sent = (): void => {
    if (this.#drainListeners.length === 0 || this.socket.bufferedAmount >= this.#settings.highWaterBytes) return;
    const waiting = this.#drainListeners;
    this.#drainListeners = [];
    for (const listener of waiting) listener();
  };

  /**
   * `admitted`: the request was authorized before the socket was opened (the hub's own upgrade); false
   * for a socket `hub.accept` took, whose publishes wait for `admit()`.
   */
  constructor(socket: WsSocketLike, request: SseRequest, settings: WsHubSettings, admitted: boolean) {
    this.socket = socket;
    this.request = request;
    this.#settings = settings;
    this.#publishes = new WsPublishQueue(settings.publishing, request, (message) => void this.#send(message), admitted);
    this.#cancelInit = startTimer(settings.initTimeoutMs, () => this.close(WS_CLOSE.initTimeout, "no subscribe message in time"));
    socket.on("message", (data: unknown, isBinary: unknown) => this.#receive(data, isBinary === true));
    socket.on("pong", () => void (this.#alive = true));
    socket.on("close", () => {
      this.#release();
      for (const connection of this.#opened) connection.close();
      this.#opened.clear();
    });
    socket.on("error", (error: unknown) => settings.report(error));
  }

  get open(): boolean {
    return this.#open;
  }

  /** Subscriptions held, those being admitted included. */
  get subscriptions(): number {
    return this.#subscriptions.size;
  }

  /** Publishes received and not yet answered. */
  get publishesInFlight(): number {
    return this.#publishes.inFlight;
  }

  /** The request that opened the socket was authorized (`hub.accept`): its publishes may go on. */
  admit(): void {
    this.#publishes.admit();
  }

  /** One heartbeat: a socket that did not answer the last ping is terminated; otherwise it is pinged. */
  beat(): void {
    if (!this.#open) return;
    if (!this.#alive) {
      this.socket.terminate();
      this.#release();
      return;
    }
    this.#alive = false;
    this.socket.ping();
  }

  /** Closes the socket with `code` and releases everything the connection holds. */
  close(code: number, reason = ""): void {
    if (!this.#open) return;
    this.#release();
    if (this.socket.readyState === OPEN) this.socket.close(code, reason);
    // A peer that does not answer the close handshake is cut off.
    this.#cancelTerminate = startTimer(this.#settings.closeTimeoutMs, () => this.socket.terminate());
  }

  /** Everything released once: subscriptions (their sources, places under the caps, timers), timers, the hub's count. */
  #release(): void {
    this.#cancelTerminate?.();
    this.#cancelTerminate = undefined;
    if (!this.#open) return;
    this.#open = false;
    this.#cancelInit?.();
    this.#cancelInit = undefined;
    const subscriptions = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    this.#drainListeners = [];
    this.#publishes.close();
    for (const subscription of subscriptions) subscription.connection?.close();
    this.#settings.closed(this);
  }

  #receive(data: unknown, isBinary: boolean): void {
    if (!this.#open) return;
    if (isBinary) return this.close(WS_CLOSE.badMessage, "binary messages are not part of the protocol");
    const text = String(data);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.close(WS_CLOSE.badMessage, "a message is not JSON");
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) return this.close(WS_CLOSE.badMessage, "a message is not a JSON object");
    const op = ownField(message, "op");
    if (op === WS_PUBLISH) {
      const ref = ownField(message, "ref");
      if (typeof ref !== "string" || !WS_REF.test(ref)) return this.close(WS_CLOSE.badMessage, "a publish reference breaks its grammar");
      this.#cancelInit?.();
      this.#cancelInit = undefined;
      return this.#publishes.receive(ref, ownField(message, "envelope"), text);
    }
    const sub = ownField(message, "sub");
    if (typeof sub !== "string" || !WS_SUB_ID.test(sub)) return this.close(WS_CLOSE.badMessage, "a subscription id breaks its grammar");
    if (op === WS_SUBSCRIBE) return this.#subscribe(sub, message);
    if (op === WS_UNSUBSCRIBE) return this.#unsubscribe(sub);
    this.close(WS_CLOSE.badMessage, "unknown op");
  }

  #subscribe(sub: string, message: object): void {
    if (this.#subscriptions.has(sub)) return this.#refuse(sub, new HttpRefusal(409, `Subscription "${sub}" is in use on this connection.`));
    if (this.#subscriptions.size >= this.#settings.maxSubscriptions) {
      return this.#refuse(sub, new HttpRefusal(429, `Too many subscriptions: a connection holds at most ${this.#settings.maxSubscriptions} (maxSubscriptions).`));
    }
    this.#cancelInit?.();
    this.#cancelInit = undefined;
    const subscription: Subscription = { connection: undefined };
    this.#subscriptions.set(sub, subscription);
    const ask = { events: ownField(message, "events"), topics: ownField(message, "topics"), lastEventId: ownField(message, "lastEventId") };
    this.#settings.sse.admit(this.request, ask).then(
      (answer) => {
        const wanted = this.#open && this.#subscriptions.get(sub) === subscription;
        if (answer instanceof HttpRefusal) {
          if (!wanted) return;
          this.#subscriptions.delete(sub);
          return this.#refuse(sub, answer);
        }
        if (!wanted) return answer.cancel();
        let connection: SseServerConnection;
        try {
          connection = answer.open(this.#sink(sub));
        } catch (error) {
          this.#settings.report(error);
          this.#subscriptions.delete(sub);
          return this.#refuse(sub, new HttpRefusal(503, `Could not subscribe: ${messageOf(error)}`));
        }
        subscription.connection = connection;
        if (connection.open) this.#opened.add(connection);
      },
      (error: unknown) => {
        this.#settings.report(error instanceof BusError ? error : new BusError("subscribe-failed", messageOf(error), { cause: error }));
        this.close(WS_CLOSE.failed, "a subscription failed");
      },
    );
  }

  #unsubscribe(sub: string): void {
    const subscription = this.#subscriptions.get(sub);
    if (subscription === undefined) return;
    this.#subscriptions.delete(sub);
    if (subscription.connection === undefined) return;
    subscription.connection.close();
    this.#opened.delete(subscription.connection);
  }

  #refuse(sub: string, refusal: HttpRefusal): void {
    this.#send(JSON.stringify({ op: WS_REFUSED, sub, status: refusal.status, message: refusal.message }));
  }

  /** Where subscription `sub`'s stream goes: this socket, each part prefixed with its id. */
  #sink(sub: string): SseSink {
    const prefix = `${sub}\n`;
    const prefixBytes = asciiBytes(prefix);
    return {
      write: (chunk) => {
        if (typeof chunk === "string") return this.#send(prefix + chunk);
        const framed = new Uint8Array(prefixBytes.length + chunk.length);
        framed.set(prefixBytes);
        framed.set(chunk, prefixBytes.length);
        return this.#send(framed);
      },
      onDrain: (listener) => void this.#drainListeners.push(listener),
      end: (cause) => {
        if (!this.#slowing) this.close(closeCodeOf(cause), cause === "overflow" ? "slow consumer" : cause === "closing" ? "the hub is closing" : "a subscription failed");
      },
      destroy: () => {
        this.socket.terminate();
        this.#release();
      },
    };
  }

  /** Sends a text message; false when the socket is over its high-water mark (write nothing more until it drains). */
  #send(data: string | Uint8Array): boolean {
    if (!this.#open || this.socket.readyState !== OPEN) return false;
    this.socket.send(data, { binary: false }, this.#sent);
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.#settings.maxBufferedBytes && !this.#slowing) {
      this.#slow();
      return false;
    }
    return buffered < this.#settings.highWaterBytes;
  }

  /** Over its budget: every subscription gets a gap (its id is still good for a resume), then the socket closes `slow`. */
  #slow(): void {
    this.#slowing = true;
    for (const subscription of [...this.#subscriptions.values()]) subscription.connection?.overflow({ reason: "overflow", resync: false });
    this.close(WS_CLOSE.slow, "slow consumer");
  }
}
