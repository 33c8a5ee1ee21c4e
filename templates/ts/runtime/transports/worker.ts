/**
 * The Worker transports: a bus in the main thread and a bus in a worker exchange events as if in one
 * process. `createWorkerHostTransport(worker)` is the host's side (a Web `Worker`, or a Node
 * `worker_threads` `Worker`); `createWorkerThreadTransport(port)` the worker's (`self` in a Web
 * Worker — the default —, `parentPort` in Node). Each side's `createBus({ transport })` publishes
 * and subscribes as usual: an event published on either side reaches the subscribers of both.
 *
 * Delivery guarantee: every event published on one side reaches every subscriber of the other whose
 * subscription was `ready` when it was published, exactly once, in publish order; the side's own
 * subscribers receive it as the in-process transport delivers (the same FIFO). A subscription is
 * `ready` once the other side confirmed it (`subbed`): only what the other side subscribed to crosses.
 *
 * The link (transports/worker/protocol.ts): a `hello` each way with the protocol version and the
 * credit each side grants; `sub`/`unsub`/`subbed`; `pubs` — the publishes of one turn in one message,
 * as structured clones (not JSON text); `credit`; `ping`/`pong` (the host checks the worker is alive);
 * `close` both ways. A message without the protocol's `eventc` member is the application's own and
 * is passed over; anything else that breaks the protocol is reported (`message-invalid`) and dropped.
 *
 * Back-pressure: `postMessage` queues without limit, so publishes go out only against credit the
 * other side grants as it delivers (`window`, default 1024): a side that stops reading holds the
 * sender's publishes — at most `maxQueuedPublishes` (default 10,000), then the `overflow` policy
 * (transports/worker/sender.ts) — and never grows this side's memory without bound. A peer that
 * sends past the credit it was granted is reported and what it sent past it dropped.
 *
 * Trust: a worker is another trust domain: `trusted: false` (the default) — the bus validates every
 * envelope that arrives against the catalogue, so nothing invalid or hostile is delivered. Between
 * threads of one application that trust each other, `trusted: true` skips that. Transferables are
 * opt-in: `transfer(envelope)` names what to move instead of copy.
 *
 * Ending: `close()` on either side sends `close` and ends this side; the other ends its own when it
 * reads it. A Node worker that exits (crashed or terminated), a `messageerror`, or — on the host — a
 * worker that answers no ping for `livenessTimeoutMs` (a Web Worker terminated by the application
 * says nothing) ends the link: every held publish is rejected, later publishes and subscriptions are
 * refused, pending `ready`s reject, and the status turns `ended` with the cause, which ends every
 * stream of the bus with that error. `error` events of the worker (an uncaught exception in it) are
 * reported (`worker-failed`); a Node worker exits after one, which ends the link.
 *
 * Node: the host's `Worker` keeps the process alive only while this side waits for it — a
 * subscription (events may come), a publish held for credit — and is `unref`ed while idle (no
 * subscription, nothing held), so an idle transport does not keep the process alive (pass
 * `keepAlive: true` to keep it always); the heartbeat timer never does. The thread side removes its listeners in `close()`, so a worker with nothing else to do
 * can exit.
 */
import { BusError, messageOf } from "../core/errors.js";
import { acceptedNow, startBackgroundTimer } from "../core/platform.js";
import { positiveInteger, workerDefaults, type OverflowPolicy } from "../core/policies.js";
import { createMemoryTransport } from "./memory.js";
import { filterKey, filterMatches, TRANSPORT_UP, type ChannelFilter, type Transport, type TransportListener, type TransportStatus, type TransportSubscription } from "./transport.js";
import { WorkerLink, type WorkerEndpoint } from "./worker/endpoint.js";
import { readWorkerMessage, workerMessage, type WorkerMessage } from "./worker/protocol.js";
import { CreditedSender } from "./worker/sender.js";

export type { WorkerEndpoint } from "./worker/endpoint.js";

export interface WorkerTransportOptions {
  /**
   * The other side is trusted (threads of one application): the bus does not validate what arrives.
   * Default false: a worker is another trust domain, every envelope is validated.
   */
  readonly trusted?: boolean;
  /** Publishes this side takes before it grants more credit. Default `workerDefaults.window` (1024). */
  readonly window?: number;
  /** Publishes held while the other side has granted no credit. Default `workerDefaults.maxQueuedPublishes` (10,000). */
  readonly maxQueuedPublishes?: number;
  /** What a full hold does: `"error"` (reject the new publish, default), `"drop-oldest"`, `"drop-newest"`. */
  readonly overflow?: OverflowPolicy;
  /** Channel filters the other side may subscribe to at once. Default `workerDefaults.maxPeerFilters` (10,000). */
  readonly maxPeerFilters?: number;
  /** Objects to transfer rather than copy with an envelope (its `ArrayBuffer`s, say). Default: none. */
  readonly transfer?: (envelope: unknown) => readonly unknown[] | undefined;
  /** Host: milliseconds between pings. Default `workerDefaults.heartbeat` (5000). */
  readonly heartbeatMs?: number;
  /** Host: milliseconds without a message from the worker after which it is taken for gone. Default `workerDefaults.livenessTimeout` (30,000). */
  readonly livenessTimeoutMs?: number;
  /** Host, Node: keep the process alive while the worker runs (no `unref`). Default false. */
  readonly keepAlive?: boolean;
}

/** The status of a Worker transport, and a count of what it holds. */
export interface WorkerTransportStats {
  /** Publishes held for credit. */
  readonly held: number;
  /** Publishes let go by a `drop-*` overflow policy. */
  readonly dropped: number;
  /** Channel filters of this side's subscriptions. */
  readonly filters: number;
  /** Channel filters the other side subscribes to. */
  readonly peerFilters: number;
}

export interface WorkerTransport extends Transport {
  onStatus(observer: (status: TransportStatus) => void): () => void;
  stats(): WorkerTransportStats;
}

/** A Node `Worker` or a Web `Worker`, as the host side uses it. */
export interface WorkerLike extends WorkerEndpoint {
  terminate?(): unknown;
}

type Side = "host" | "thread";

interface LocalFilter {
  readonly filter: ChannelFilter;
  /** This side's subscriptions of the filter. */
  count: number;
  /** The other side confirmed it. */
  confirmed: boolean;
  /** `ready`s waiting for the confirmation. */
  waiting: { resolve(): void; reject(error: Error): void }[];
}

const ignore = (): void => {};

/** One side of the link: the local fan-out, the interests of both sides, the credit, the liveness. */
class WorkerLinkTransport implements WorkerTransport {
  readonly trusted: boolean;
  readonly #side: Side;
  readonly #link: WorkerLink;
  readonly #local = createMemoryTransport();
  readonly #sender: CreditedSender;
  readonly #window: number;
  readonly #maxPeerFilters: number;
  readonly #transfer: ((envelope: unknown) => readonly unknown[] | undefined) | undefined;
  readonly #observers = new Set<(error: Error) => void>();
  readonly #statusObservers = new Set<(status: TransportStatus) => void>();
  readonly #filters = new Map<string, LocalFilter>();
  /** What the other side subscribes to, by filter key. */
  readonly #peerFilters = new Map<string, ChannelFilter>();
  /** Publishes of the other side handed to local delivery and not yet taken. */
  #undelivered = 0;
  /** Delivered and not yet granted back. */
  #ungranted = 0;
  #peerReady = false;
  #status: TransportStatus = TRANSPORT_UP;
  #ended: BusError | undefined;
  #closing: Promise<void> | undefined;
  #refusedReported = false;
  #lastHeard = Date.now();
  #cancelBeat: (() => void) | undefined;
  /** Host, Node: whether the worker keeps the process alive now (undefined: never changed; `keepAlive`: always). */
  #referenced: boolean | undefined;
  readonly #keepAlive: boolean;
  readonly #heartbeatMs: number;
  readonly #livenessTimeoutMs: number;

  constructor(endpoint: WorkerEndpoint, side: Side, options: WorkerTransportOptions) {
    this.#side = side;
    this.trusted = options.trusted === true;
    this.#window = positiveInteger("window", options.window, workerDefaults.window);
    this.#maxPeerFilters = positiveInteger("maxPeerFilters", options.maxPeerFilters, workerDefaults.maxPeerFilters);
    this.#heartbeatMs = positiveInteger("heartbeatMs", options.heartbeatMs, workerDefaults.heartbeat);
    this.#livenessTimeoutMs = positiveInteger("livenessTimeoutMs", options.livenessTimeoutMs, workerDefaults.livenessTimeout);
    this.#transfer = options.transfer;
    const overflow = options.overflow ?? "error";
    if (overflow !== "error" && overflow !== "drop-oldest" && overflow !== "drop-newest") throw new RangeError(`overflow must be "error", "drop-oldest" or "drop-newest", got ${String(overflow)}`);
    this.#sender = new CreditedSender({
      maxQueued: positiveInteger("maxQueuedPublishes", options.maxQueuedPublishes, workerDefaults.maxQueuedPublishes),
      overflow,
      post: (channels, envelopes, transfer) => this.#post({ t: "pubs", channels, envelopes }, transfer),
      report: (error) => this.#report(error),
    });
    this.#local.onError((error) => this.#report(error));
    this.#link = new WorkerLink(endpoint, {
      message: (data) => this.#receive(data),
      messageError: (error) => this.#report(new BusError("message-undecodable", `A message from the ${this.#peer} could not be deserialized: ${error.message}`, { cause: error })),
      error: (error) => this.#report(new BusError("worker-failed", `The ${this.#peer} failed: ${error.message}`, { cause: error })),
      exit: (code) => this.#end(new BusError("worker-failed", `The worker exited (code ${code}); its events stop here.`)),
    });
    this.#keepAlive = side === "thread" || options.keepAlive === true;
    this.#post({ t: "hello", window: this.#window });
    this.#hold();
    if (side === "host") this.#beat();
  }

  get #peer(): string {
    return this.#side === "host" ? "worker" : "host";
  }

  publish(channel: string, envelope: unknown): Promise<void> {
    if (this.#ended !== undefined) return Promise.reject(this.#refusal(`Cannot publish on channel "${channel}"`, channel));
    // This side's subscribers, when any selects the channel (an event only sent across costs nothing here).
    const local = this.#localWants(channel) ? this.#local.publish(channel, envelope) : acceptedNow;
    if (!this.#peerWants(channel)) return local;
    let transfer: readonly unknown[] | undefined;
    try {
      transfer = this.#transfer?.(envelope);
    } catch (error) {
      return Promise.reject(new BusError("publish-failed", `transfer() failed for channel "${channel}": ${messageOf(error)}`, { cause: error, channel }));
    }
    const sent = this.#sender.send(channel, envelope, transfer);
    this.#hold();
    // Sent at once and queued here at once: the bus resolves the publish without waiting.
    return sent === acceptedNow ? local : Promise.all([local, sent]).then(ignore);
  }

  subscribe(filter: ChannelFilter, listener: TransportListener): TransportSubscription {
    if (this.#ended !== undefined) throw this.#refusal("Cannot subscribe", undefined);
    const local = this.#local.subscribe(filter, listener);
    const key = filterKey(filter);
    let entry = this.#filters.get(key);
    if (entry === undefined) {
      entry = { filter, count: 0, confirmed: false, waiting: [] };
      this.#filters.set(key, entry);
      this.#post({ t: "sub", key });
    }
    entry.count += 1;
    const current = entry;
    const ready = current.confirmed ? Promise.resolve() : new Promise<void>((resolve, reject) => current.waiting.push({ resolve, reject }));
    ready.catch(ignore);
    this.#hold();
    let active = true;
    return {
      ready: Promise.all([local.ready, ready]).then(ignore),
      unsubscribe: () => {
        if (!active) return;
        active = false;
        local.unsubscribe();
        current.count -= 1;
        if (current.count > 0 || this.#filters.get(key) !== current) return;
        this.#filters.delete(key);
        for (const waiter of current.waiting.splice(0)) waiter.resolve();
        if (this.#ended === undefined) this.#post({ t: "unsub", key });
        this.#hold();
      },
    };
  }

  onError(observer: (error: Error) => void): () => void {
    this.#observers.add(observer);
    return () => void this.#observers.delete(observer);
  }

  onStatus(observer: (status: TransportStatus) => void): () => void {
    this.#statusObservers.add(observer);
    return () => void this.#statusObservers.delete(observer);
  }

  stats(): WorkerTransportStats {
    return { held: this.#sender.held, dropped: this.#sender.dropped, filters: this.#filters.size, peerFilters: this.#peerFilters.size };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#ended === undefined) {
        this.#post({ t: "close" });
        this.#end(new BusError("closed", "The Worker transport is closed."), false);
      }
      await this.#local.close();
      this.#observers.clear();
      this.#statusObservers.clear();
    })();
    return this.#closing;
  }

  // ---- The link ----

  #post(message: WorkerMessage, transfer?: unknown[]): void {
    if (this.#ended !== undefined && message.t !== "close") return;
    try {
      this.#link.post(workerMessage(message), transfer);
    } catch (error) {
      // A message that cannot be cloned (a function in an envelope, say), or a port already closed.
      this.#report(new BusError("publish-failed", `Could not post to the ${this.#peer}: ${messageOf(error)}`, { cause: error }));
    }
  }

  #receive(data: unknown): void {
    if (this.#ended !== undefined) return;
    const message = readWorkerMessage(data);
    if (message === undefined) return; // the application's own message
    this.#lastHeard = Date.now();
    if ("refused" in message) {
      if (message.otherProtocol === true) return this.#end(new BusError("worker-failed", `The ${this.#peer} speaks another protocol: ${message.refused}.`));
      return this.#refuse(message.refused);
    }
    switch (message.t) {
      case "hello":
        if (this.#peerReady) return this.#refuse("a second hello");
        this.#peerReady = true;
        this.#sender.open(message.window);
        return;
      case "sub":
        return this.#peerSubscribe(message.key);
      case "unsub":
        this.#peerFilters.delete(message.key);
        return;
      case "subbed": {
        const entry = this.#filters.get(message.key);
        if (entry === undefined || entry.confirmed) return;
        entry.confirmed = true;
        for (const waiter of entry.waiting.splice(0)) waiter.resolve();
        this.#hold();
        return;
      }
      case "pubs":
        return this.#deliver(message.channels, message.envelopes);
      case "credit":
        this.#sender.grant(message.n);
        this.#hold();
        return;
      case "ping":
        this.#post({ t: "pong" });
        return;
      case "pong":
        return;
      case "close":
        return this.#end(new BusError("closed", `The ${this.#peer} closed its side of the Worker transport.`));
    }
  }

  #peerSubscribe(key: string): void {
    if (!this.#peerFilters.has(key)) {
      if (this.#peerFilters.size >= this.#maxPeerFilters) return this.#refuse(`more than ${this.#maxPeerFilters} channel filters at once (maxPeerFilters)`);
      const text = key.slice(1);
      this.#peerFilters.set(key, key[0] === "=" ? { channel: text } : { prefix: text });
    }
    this.#post({ t: "subbed", key });
  }

  #localWants(channel: string): boolean {
    for (const entry of this.#filters.values()) if (filterMatches(entry.filter, channel)) return true;
    return false;
  }

  #peerWants(channel: string): boolean {
    for (const filter of this.#peerFilters.values()) if (filterMatches(filter, channel)) return true;
    return false;
  }

  /** The other side's publishes: delivered here in order; credit goes back as local delivery takes them. */
  #deliver(channels: readonly string[], envelopes: readonly unknown[]): void {
    let takenNow = 0;
    for (let index = 0; index < channels.length; index += 1) {
      const channel = channels[index] as string;
      const envelope = envelopes[index];
      if (this.#undelivered + this.#ungranted + takenNow >= this.#window) {
        this.#refuse(`publishes past the credit granted (window ${this.#window})`);
        break;
      }
      // Queued for delivery at once (the usual case), or once the local queue has room again.
      const taken = this.#local.publish(channel, envelope);
      if (taken === acceptedNow) takenNow += 1;
      else {
        this.#undelivered += 1;
        taken.then(this.#takenLater, this.#takenLater);
      }
    }
    if (takenNow > 0) this.#taken(takenNow);
  }

  readonly #takenLater = (): void => {
    this.#undelivered -= 1;
    this.#taken(1);
  };

  /** `n` more publishes of the other side taken here: credit goes back in grants of a quarter window (or when nothing waits). */
  #taken(n: number): void {
    this.#ungranted += n;
    if (this.#ungranted >= Math.max(1, this.#window >> 2) || this.#undelivered === 0) {
      const granted = this.#ungranted;
      this.#ungranted = 0;
      this.#post({ t: "credit", n: granted });
    }
  }

  /** A message that breaks the protocol: reported once per run, dropped. */
  #refuse(reason: string): void {
    if (this.#refusedReported) return;
    this.#refusedReported = true;
    this.#report(new BusError("message-invalid", `Dropped a message from the ${this.#peer} that breaks the Worker transport's protocol: ${reason}.`));
    void Promise.resolve().then(() => void (this.#refusedReported = false));
  }

  /** The host's heartbeat: a ping every `heartbeatMs`; silence for `livenessTimeoutMs` ends the link. */
  #beat(): void {
    this.#cancelBeat = startBackgroundTimer(this.#heartbeatMs, () => {
      this.#cancelBeat = undefined;
      if (this.#ended !== undefined) return;
      if (Date.now() - this.#lastHeard >= this.#livenessTimeoutMs) {
        this.#end(new BusError("worker-failed", `The worker answered nothing for ${this.#livenessTimeoutMs} ms (livenessTimeoutMs): taken for gone.`));
        return;
      }
      this.#post({ t: "ping" });
      this.#beat();
    });
  }

  /** Ends the link: held publishes and pending `ready`s rejected, listeners removed, status `ended` (unless this side closed it). */
  #end(cause: BusError, tell = true): void {
    if (this.#ended !== undefined) return;
    this.#ended = cause;
    this.#cancelBeat?.();
    this.#cancelBeat = undefined;
    this.#link.close();
    this.#sender.rejectAll((channel) => this.#refusal(`Did not publish on channel "${channel}"`, channel));
    for (const entry of this.#filters.values()) for (const waiter of entry.waiting.splice(0)) waiter.reject(this.#refusal("Could not subscribe", undefined));
    this.#peerFilters.clear();
    this.#hold();
    if (!tell) return;
    // The other side closing is how a link ends well: told by the status, not as a failure.
    if (cause.code !== "closed") this.#report(cause);
    this.#setStatus({ state: "ended", cause });
  }

  /** Host, Node: the worker keeps the process alive while this side waits for it — a subscription, a held publish — and not while idle. */
  #hold(): void {
    if (this.#keepAlive) return;
    const waiting = this.#ended === undefined && (this.#sender.held > 0 || this.#filters.size > 0);
    if (waiting === this.#referenced) return;
    this.#referenced = waiting;
    if (waiting) this.#link.endpoint.ref?.();
    else this.#link.endpoint.unref?.();
  }

  #refusal(what: string, channel: string | undefined): BusError {
    const cause = this.#ended as BusError;
    return new BusError(cause.code === "closed" ? "closed" : "publish-failed", `${what}: ${cause.message}`, { cause, ...(channel === undefined ? {} : { channel }) });
  }

  #setStatus(status: TransportStatus): void {
    if (status.state === this.#status.state) return;
    this.#status = status;
    for (const observer of [...this.#statusObservers]) {
      try {
        observer(status);
      } catch {
        // An observer that throws must not keep the others from hearing of the change.
      }
    }
  }

  #report(error: Error): void {
    for (const observer of [...this.#observers]) observer(error);
  }
}

/** The host's side of a Worker transport: `createBus({ transport: createWorkerHostTransport(worker) })`. */
export function createWorkerHostTransport(worker: WorkerLike, options: WorkerTransportOptions = {}): WorkerTransport {
  return new WorkerLinkTransport(worker, "host", options);
}

/**
 * The worker's side: `port` is `parentPort` in a Node worker; in a Web Worker it defaults to the
 * worker's global scope (`self`).
 */
export function createWorkerThreadTransport(port?: WorkerEndpoint | null, options: WorkerTransportOptions = {}): WorkerTransport {
  const scope = globalThis as unknown as Partial<WorkerEndpoint>;
  const endpoint = port ?? (typeof scope.postMessage === "function" && typeof scope.addEventListener === "function" ? (scope as WorkerEndpoint) : undefined);
  if (endpoint === undefined) throw new TypeError("createWorkerThreadTransport needs the worker's port: parentPort in Node (from node:worker_threads); in a Web Worker, self (the default)");
  return new WorkerLinkTransport(endpoint, "thread", options);
}
