/**
 * Publishing through the hub: a spoke (`createWebSocketTransport`, or any client of the protocol)
 * sends `publish` messages (ws/protocol.ts), and the hub puts each envelope on its bus — so every
 * subscriber of that bus, the SSE handler's feed and so every SSE and WebSocket client among them,
 * receives it. `WsPublishing` is the hub's part (the catalogue check, `authorizePublish`, the bus),
 * `WsPublishQueue` one connection's (its publishes in flight, in order).
 *
 * What a publish goes through, in this order:
 * 1. The gate: nothing of a connection is checked or published before its request was authorized
 *    (`hub.accept` decides after the upgrade; until then its publishes wait, counted in flight).
 * 2. The catalogue: the whole message is held to the wire's document rules (no member name repeated,
 *    nesting, lone surrogates, numbers), then the envelope is read by the SDK's `parseEnvelope` — its
 *    id (the id grammar), time, type (one of the catalogue), payload — and its topic scoping: a topic
 *    only on an event with a topic path, and none missing where the payload names one (the bus would
 *    scope it there). A failure is `rejected` 400 and never reaches `authorizePublish` or the bus.
 * 3. `authorizePublish(request, envelope)`, with the upgrade request and the checked envelope.
 * 4. The bus: `bus.publish(name, payload, { version, topic, id })` — the envelope's id is kept (an
 *    idempotent producer's retry keeps its id, and a spoke that resends a publish after a reconnect
 *    is recognised: the replay and every client drop an id they hold already), its time is the hub's
 *    (one clock orders the snapshot; a spoke's clock is not trusted). The bus validates once more.
 *
 * Order: a connection's publishes go on the bus in the order they arrived, whatever order
 * `authorizePublish` decides them in; their answers go out as each settles.
 *
 * Bounds: at most `maxPublishesInFlight` publishes per connection between arrival and answer (those
 * waiting for the gate or for `authorizePublish` included); one more is rejected 429 at once and never
 * queued. Each is at most the hub's `maxMessageBytes`, and every answer counts against the socket's
 * budget of buffered bytes, so a flood of publishes costs a bounded amount of memory.
 */
import { readJsonText, type EventEnvelope } from "../../wire.js";
import { scopedEvents, type AnyEvent, type CatalogueBinding, type CatalogueEvent, type CatalogueShape, type EventMetaLike } from "../core/binding.js";
import type { Bus } from "../bus/bus.js";
import { topicAt } from "../bus/publisher.js";
import { BusError, describeIssues, messageOf } from "../core/errors.js";
import type { SseRequest } from "../sse/http.js";
import { HttpRefusal } from "../sse/selection.js";
import { WS_PUBLISHED, WS_REJECTED } from "./protocol.js";

/**
 * What `authorizePublish` decides: `true`/`undefined` — publish; `false` — 403; a refusal — its status
 * (400 to 599; any other number is 403) and text.
 */
export type WsPublishAuthorization = boolean | undefined | { readonly status: number; readonly message?: string };

/** `authorizePublish`: decides one checked envelope, with the request that opened the socket. */
export type WsAuthorizePublish<E> = (request: SseRequest, envelope: EventEnvelope<E>) => WsPublishAuthorization | Promise<WsPublishAuthorization>;

/** The hub's publishing options (part of `WebSocketHubOptions`). */
export interface WsPublishOptions<C extends CatalogueShape> {
  /**
   * The bus spokes publish on: typically the bus the SSE handler serves, so what a spoke publishes
   * reaches every SSE and WebSocket client. Absent: the hub takes no publishes (each is rejected 405).
   */
  readonly bus?: Bus<C> | undefined;
  /** The catalogue each published envelope is checked against (the generated `binding`). Required with `bus`. */
  readonly binding?: CatalogueBinding<C> | undefined;
  /**
   * Decides each publish that passed the catalogue, with the upgrade request (its headers and
   * cookies) and the envelope: `true`/`undefined` — publish; `false` — 403; `{ status, message }` —
   * that refusal. Throwing or rejecting is a 500 (reported to `onError`). Default: every publish of
   * a socket the hub let in is allowed.
   */
  readonly authorizePublish?: WsAuthorizePublish<CatalogueEvent<C>> | undefined;
}

/** An envelope that passed the catalogue, with what publishing it takes. */
export interface CheckedPublish {
  readonly envelope: EventEnvelope<AnyEvent>;
  readonly name: string;
  readonly version: number;
}

/** `bus.publish`, as the hub calls it with a checked envelope's parts. */
type PublishOnBus = (name: string, payload: unknown, options: { readonly version: number; readonly id: string; readonly topic?: string }) => Promise<unknown>;

const TOO_MANY_IN_FLIGHT = (max: number): HttpRefusal => new HttpRefusal(429, `Too many publishes in flight: a connection has at most ${max} unanswered (maxPublishesInFlight).`);

/** Peer text in a message: JSON-quoted, cut to 80 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** A refusal from `authorizePublish`'s answer, or undefined when it allows the publish. */
function refusalOf(decision: WsPublishAuthorization): HttpRefusal | undefined {
  if (decision === true || decision === undefined) return undefined;
  if (decision === false) return new HttpRefusal(403, "Forbidden.");
  const status = Number.isInteger(decision.status) && decision.status >= 400 && decision.status <= 599 ? decision.status : 403;
  return new HttpRefusal(status, typeof decision.message === "string" ? decision.message : "Refused.");
}

/** The hub's publishing: the catalogue, `authorizePublish` and the bus, the same for every connection. */
export class WsPublishing {
  readonly maxInFlight: number;
  readonly #publish: PublishOnBus | undefined;
  readonly #binding: CatalogueBinding<CatalogueShape> | undefined;
  readonly #isScoped: ((name: string) => boolean) | undefined;
  readonly #authorize: WsAuthorizePublish<AnyEvent> | undefined;
  readonly #report: (error: unknown) => void;

  constructor(options: WsPublishOptions<CatalogueShape>, maxInFlight: number, report: (error: unknown) => void) {
    if (options.bus !== undefined && options.binding === undefined) {
      throw new TypeError("createWebSocketHub: publishing needs the catalogue to check each envelope against: pass binding (the generated `binding`) with bus");
    }
    this.maxInFlight = maxInFlight;
    // One cast: the hub publishes envelopes of any event of the catalogue, checked above it.
    this.#publish = options.bus === undefined ? undefined : (options.bus as unknown as { readonly publish: PublishOnBus }).publish;
    this.#binding = options.binding;
    this.#isScoped = options.binding === undefined ? undefined : scopedEvents(options.binding);
    this.#authorize = options.authorizePublish as WsAuthorizePublish<AnyEvent> | undefined;
    this.#report = report;
  }

  /** Whether the hub takes publishes at all (a `bus` was given). */
  get enabled(): boolean {
    return this.#publish !== undefined;
  }

  /** The envelope of a publish message, checked against the wire and the catalogue; a 400 when it fails. */
  check(text: string, value: unknown): CheckedPublish | HttpRefusal {
    const binding = this.#binding;
    if (binding === undefined) return new HttpRefusal(405, "This hub takes no publishes.");
    const read = readJsonText(text);
    if (!read.ok) return new HttpRefusal(400, `The message is not a JSON document the wire accepts: ${describeIssues([read.issue])}`);
    const result = binding.parseEnvelope(value);
    if (result.kind === "invalid") return new HttpRefusal(400, `Not a valid envelope: ${describeIssues(result.issues)}`);
    if (result.kind === "unknown") return new HttpRefusal(400, `Unknown event type ${quote(result.envelope.event.type)}: not an event of the hub's catalogue.`);
    const envelope = result.envelope as EventEnvelope<AnyEvent>;
    const type = envelope.event.type;
    const meta = binding.meta(type) as EventMetaLike;
    const topic = envelope.topic;
    if (topic !== undefined && this.#isScoped?.(meta.name) !== true) {
      return new HttpRefusal(400, `"${type}" has no topic path, so it is never scoped: its envelope has no topic (this one has ${quote(topic)}).`);
    }
    const scope = topicAt(meta.topic, envelope.event.payload);
    if (topic === undefined && scope !== undefined) {
      return new HttpRefusal(400, `The payload scopes "${type}" to topic ${quote(scope)} (its topic path), but the envelope has no topic.`);
    }
    return { envelope, name: meta.name, version: meta.version };
  }

  /** `authorizePublish`'s decision: a refusal, or undefined — synchronously when the hook answers so. */
  authorize(request: SseRequest, checked: CheckedPublish): HttpRefusal | undefined | Promise<HttpRefusal | undefined> {
    if (this.#authorize === undefined) return undefined;
    const failed = (error: unknown): HttpRefusal => {
      this.#report(new BusError("publish-failed", `authorizePublish failed for "${checked.envelope.event.type}": ${messageOf(error)}`, { cause: error, envelope: checked.envelope }));
      return new HttpRefusal(500, "Could not authorize the publish.");
    };
    try {
      const decision = this.#authorize(request, checked.envelope);
      if (typeof (decision as { then?: unknown } | undefined)?.then !== "function") return refusalOf(decision as WsPublishAuthorization);
      return Promise.resolve(decision).then(refusalOf, failed);
    } catch (error) {
      return failed(error);
    }
  }

  /** Puts a checked, authorized envelope on the bus (in the caller's turn); resolves with a refusal when the bus did not take it. */
  publish(checked: CheckedPublish): Promise<HttpRefusal | undefined> {
    const publish = this.#publish;
    if (publish === undefined) return Promise.resolve(new HttpRefusal(405, "This hub takes no publishes."));
    const { envelope, name, version } = checked;
    const options = envelope.topic === undefined ? { version, id: envelope.id } : { version, id: envelope.id, topic: envelope.topic };
    const refused = (error: unknown): HttpRefusal => {
      if (error instanceof BusError && error.code === "publish-invalid") return new HttpRefusal(400, error.message);
      return new HttpRefusal(503, `The hub's bus did not take the publish: ${messageOf(error)}`);
    };
    let sent: Promise<unknown>;
    try {
      sent = publish(name, envelope.event.payload, options);
    } catch (error) {
      return Promise.resolve(refused(error));
    }
    return sent.then(() => undefined, refused);
  }
}

interface Pending {
  readonly ref: string;
  /** The whole message, for the document rules. */
  readonly text: string;
  /** The envelope as the message was read. */
  readonly value: unknown;
  /** Undefined while undecided (the gate, `authorizePublish`). */
  verdict: CheckedPublish | HttpRefusal | undefined;
}

/**
 * One connection's publishes: received and not yet on the bus (in arrival order, each decided on its
 * own), and on the bus without an answer yet. `close()` forgets them all; what the bus took stays
 * published, unanswered.
 */
export class WsPublishQueue {
  readonly #publishing: WsPublishing;
  readonly #request: SseRequest;
  readonly #send: (message: string) => void;
  #waiting: Pending[] = [];
  /** Handed to the bus, not yet answered. */
  #onBus = 0;
  #admitted: boolean;
  #closed = false;

  /** `admitted`: the request that opened the socket was authorized already (the hub's own upgrade). */
  constructor(publishing: WsPublishing, request: SseRequest, send: (message: string) => void, admitted: boolean) {
    this.#publishing = publishing;
    this.#request = request;
    this.#send = send;
    this.#admitted = admitted;
  }

  /** Publishes between arrival and answer. */
  get inFlight(): number {
    return this.#waiting.length + this.#onBus;
  }

  /** A publish message: `ref` keeps `WS_REF`, `value` is its `envelope` field, `text` the whole message. */
  receive(ref: string, value: unknown, text: string): void {
    if (this.#closed) return;
    if (!this.#publishing.enabled) return this.#reject(ref, new HttpRefusal(405, "This hub takes no publishes."));
    if (this.inFlight >= this.#publishing.maxInFlight) return this.#reject(ref, TOO_MANY_IN_FLIGHT(this.#publishing.maxInFlight));
    const pending: Pending = { ref, text, value, verdict: undefined };
    this.#waiting.push(pending);
    if (this.#admitted) this.#decide(pending);
  }

  /** The request that opened the socket was authorized (`hub.accept`): the waiting publishes go on. */
  admit(): void {
    if (this.#admitted || this.#closed) return;
    this.#admitted = true;
    for (const pending of [...this.#waiting]) this.#decide(pending);
  }

  close(): void {
    this.#closed = true;
    this.#waiting = [];
  }

  #decide(pending: Pending): void {
    const checked = this.#publishing.check(pending.text, pending.value);
    if (checked instanceof HttpRefusal) {
      pending.verdict = checked;
      return this.#drain();
    }
    const decision = this.#publishing.authorize(this.#request, checked);
    if (!(decision instanceof Promise)) {
      pending.verdict = decision ?? checked;
      return this.#drain();
    }
    void decision.then((refusal) => {
      pending.verdict = refusal ?? checked;
      this.#drain();
    });
  }

  /** Publishes (or rejects) every decided publish at the head, in arrival order. */
  #drain(): void {
    while (!this.#closed) {
      const head = this.#waiting[0];
      if (head?.verdict === undefined) return;
      this.#waiting.shift();
      const verdict = head.verdict;
      if (verdict instanceof HttpRefusal) {
        this.#reject(head.ref, verdict);
        continue;
      }
      this.#onBus += 1;
      void this.#publishing.publish(verdict).then((refusal) => {
        this.#onBus -= 1;
        if (refusal !== undefined) this.#reject(head.ref, refusal);
        else this.#send(`{"op":"${WS_PUBLISHED}","ref":${JSON.stringify(head.ref)}}`);
      });
    }
  }

  #reject(ref: string, refusal: HttpRefusal): void {
    this.#send(JSON.stringify({ op: WS_REJECTED, ref, status: refusal.status, message: refusal.message }));
  }
}
