/**
 * What every live channel's client does with the envelopes it receives, whatever carried them (SSE
 * today; the WebSocket and polling clients share it): read the frame's data as the wire reads JSON
 * text, validate it against the catalogue, drop an envelope id delivered already (the newest
 * `dedupe` of them are remembered), and hand each envelope over once — to `onEvent` and to every
 * `stream()` reader. A frame that is not a valid envelope of the catalogue is dropped and reported,
 * never delivered. With `upgrade` (a client's `version: "latest"`), each envelope is handed over at
 * the latest version of its event (core/upgrade.ts), or dropped and reported
 * (`upgrade-unavailable`) when a step declares no migration.
 *
 * Snapshot frames are state, outside de-duplication: one after a resync replaces what the client had,
 * and the live copy of a snapshot envelope still comes through — after an older envelope of its key
 * that reached the server later than a shared snapshot, it is what sets the key right.
 *
 * Memory: the remembered ids are a ring of `dedupe` entries; each stream has its own bounded buffer
 * with an explicit overflow policy (bus/stream.ts); `close()` ends every stream.
 */
import { readJsonText, type EnvelopeParseResult, type EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import { BusError, describeIssues, messageOf } from "../core/errors.js";
import { upgradeEnvelope, type EventUpgrader } from "../core/upgrade.js";
import type { AbortSignalLike } from "../core/platform.js";
import { positiveInteger, runtimeDefaults, type OverflowPolicy } from "../core/policies.js";
import { createEventStream, type EventStream } from "../bus/stream.js";

/** What a client reads of the catalogue: the SDK's `parseEnvelope` (the generated `binding` has it). */
export interface EnvelopeParser<E extends AnyEvent> {
  parseEnvelope(input: unknown): EnvelopeParseResult<E>;
}

/** What `onEvent` learns besides the envelope. */
export interface LiveDelivery {
  /** A late-joiner snapshot frame (state, sent before the live stream), not a live event. */
  readonly snapshot: boolean;
}

export interface LiveStreamOptions {
  /** Envelopes held for a reader that is behind. Default `runtimeDefaults.streamBuffer` (1024). */
  readonly buffer?: number;
  /** Default `"error"`: the reader fell behind, its iteration throws `stream-lagged`. */
  readonly overflow?: OverflowPolicy;
  readonly signal?: AbortSignalLike;
}

export interface ReceiverOptions<E extends AnyEvent> {
  readonly binding: EnvelopeParser<AnyEvent>;
  /** Moves each envelope's event to the latest version of its event before it is handed over (`version: "latest"`). */
  readonly upgrader: EventUpgrader<E> | undefined;
  readonly onEvent: ((envelope: EventEnvelope<E>, delivery: LiveDelivery) => void) | undefined;
  /** Envelope ids remembered to drop duplicates (at least 1). */
  readonly dedupe: number;
  /** Where dropped frames and failing callbacks are reported; never throws. */
  readonly report: (error: BusError) => void;
  /** What the streams are of, for their errors (`the SSE stream of <url>`). */
  readonly description: string;
  /** What carries one envelope, for reports (`an SSE frame`). */
  readonly frame: string;
}

export interface ReceiverStats {
  /** Envelopes handed over. */
  delivered: number;
  /** Envelopes dropped as already delivered. */
  duplicates: number;
  /** Frames dropped as undecodable, invalid or of an unknown type, or (`version: "latest"`) with no way up. */
  dropped: number;
}

const SNAPSHOT: LiveDelivery = Object.freeze({ snapshot: true });
const LIVE: LiveDelivery = Object.freeze({ snapshot: false });

/** The newest `size` ids delivered: a set for lookup, a ring for eviction. */
export class SeenIds {
  readonly #ids = new Set<string>();
  readonly #order: (string | undefined)[];
  #next = 0;

  constructor(size: number) {
    this.#order = new Array<string | undefined>(size);
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    const evicted = this.#order[this.#next];
    if (evicted !== undefined) this.#ids.delete(evicted);
    this.#order[this.#next] = id;
    this.#next = (this.#next + 1) % this.#order.length;
    this.#ids.add(id);
  }
}

export class EnvelopeReceiver<E extends AnyEvent> {
  readonly stats: ReceiverStats = { delivered: 0, duplicates: 0, dropped: 0 };
  readonly #options: ReceiverOptions<E>;
  readonly #seen: SeenIds;
  readonly #listeners = new Set<(envelope: EventEnvelope<E>) => void>();
  readonly #streams = new Set<EventStream<EventEnvelope<E>>>();
  #closed = false;

  constructor(options: ReceiverOptions<E>) {
    this.#options = options;
    this.#seen = new SeenIds(options.dedupe);
  }

  /** One frame's data: a live envelope, or (`snapshot`) a snapshot entry. */
  receive(data: string, snapshot: boolean): void {
    const { binding, report } = this.#options;
    // Read as every reader of the wire reads JSON text: the document rules over the whole frame.
    const read = readJsonText(data);
    if (!read.ok) {
      this.stats.dropped += 1;
      report(new BusError("message-undecodable", `Dropped ${this.#options.frame} that is not a JSON document the wire accepts: ${describeIssues([read.issue])}`, { envelope: data.slice(0, 1000) }));
      return;
    }
    const result = binding.parseEnvelope(read.value);
    if (result.kind !== "event") {
      this.stats.dropped += 1;
      report(
        result.kind === "invalid"
          ? new BusError("message-invalid", `Dropped an invalid envelope: ${describeIssues(result.issues)}`, { issues: result.issues, envelope: read.value })
          : new BusError("message-unknown-type", `Dropped an event of unknown type "${result.envelope.event.type}".`, { envelope: read.value }),
      );
      return;
    }
    let envelope = result.envelope as EventEnvelope<E>;
    if (!snapshot) {
      if (this.#seen.has(envelope.id)) {
        this.stats.duplicates += 1;
        return;
      }
      this.#seen.add(envelope.id);
    }
    const { upgrader } = this.#options;
    if (upgrader !== undefined) {
      const upgraded = upgradeEnvelope(upgrader, envelope, report);
      if (upgraded === undefined) {
        this.stats.dropped += 1;
        return;
      }
      envelope = upgraded;
    }
    this.stats.delivered += 1;
    try {
      this.#options.onEvent?.(envelope, snapshot ? SNAPSHOT : LIVE);
    } catch (error) {
      report(new BusError("subscriber-failed", `onEvent failed for "${envelope.event.type}": ${messageOf(error)}`, { cause: error, envelope }));
    }
    for (const listener of this.#listeners) listener(envelope);
  }

  /** The envelopes from now on, as an async iterator with a bounded buffer; ended at once when the receiver is closed. */
  stream(options: LiveStreamOptions = {}): EventStream<EventEnvelope<E>> {
    const created: EventStream<EventEnvelope<E>> = createEventStream<EventEnvelope<E>>(
      {
        buffer: positiveInteger("buffer", options.buffer, runtimeDefaults.streamBuffer),
        overflow: options.overflow ?? "error",
        signal: options.signal,
        description: this.#options.description,
      },
      (push) => {
        this.#listeners.add(push);
        const release = (): void => {
          this.#listeners.delete(push);
          this.#streams.delete(created);
        };
        return Object.assign(release, { ready: Promise.resolve() });
      },
    );
    if (this.#closed) void created.return();
    else this.#streams.add(created);
    return created;
  }

  /** Ends every stream; later streams end at once. */
  close(): void {
    this.#closed = true;
    for (const stream of [...this.#streams]) void stream.return();
  }
}
