/**
 * Polling: the SSE handler's answer to a request with `?poll=1`, for clients whose live channels do
 * not get through (a proxy that buffers event streams, a network that drops long-lived connections).
 *
 * A poll is an SSE connection whose response ends: it is admitted, authorized, bounded and fed
 * exactly as a connection of the same selection and resume id — the same frames, ids, all-or-nothing
 * replay, `gap` and snapshot — and its response ends once it carries events, or after `pollWaitMs`
 * with only its `live` frame. The next poll resumes after the last id received (the `live` frame's
 * id when no event came), so a client moves between polling and the streaming channels without
 * losing or repeating an event.
 *
 * When a poll ends: at the end of the turn in which its first event frame (an envelope, a `gap`, a
 * snapshot frame) was written — so everything flushed in that turn goes with it — or as soon as it
 * has written `maxChars` characters, or after `waitMs`. It holds its place under the handler's caps
 * until then, like any connection.
 */
import { startTimer } from "../core/platform.js";
import type { SseAdmission, SseServerConnection } from "./connection.js";
import type { SseEndCause, SseSink } from "./http.js";

/** A frame that carries events: an envelope frame (its first line `id:` or `data:`), a `gap` or a snapshot frame. */
const EVENT_FRAME = /(?:^|\n\n)(?:id|data): |(?:^|\n\n)event: (?:gap|snapshot)\n/;

/** Whether a chunk a connection writes carries events (chunks are whole frames; shared bytes are envelope frames). */
export function carriesEvents(chunk: string | Uint8Array): boolean {
  return typeof chunk !== "string" || EVENT_FRAME.test(chunk);
}

export interface PollSettings {
  /** Milliseconds a poll waits for its first event. */
  readonly waitMs: number;
  /** Characters after which the response ends. */
  readonly maxChars: number;
}

/**
 * The sink of one poll, in front of its response's sink: it passes every chunk on and decides when
 * the response is whole, then finishes the connection (`complete`), which releases what it holds.
 */
export class PollSink implements SseSink {
  readonly #sink: SseSink;
  readonly #maxChars: number;
  #connection: SseServerConnection | undefined;
  #written = 0;
  #done = false;
  #cancelWait: (() => void) | undefined;
  #cancelEnd: (() => void) | undefined;

  constructor(sink: SseSink, settings: PollSettings) {
    this.#sink = sink;
    this.#maxChars = settings.maxChars;
    this.#cancelWait = startTimer(settings.waitMs, () => this.#complete());
  }

  /** The connection the poll feeds: finished when the response is whole. */
  attach(connection: SseServerConnection): void {
    this.#connection = connection;
    if (this.#done) connection.finish(undefined, "complete");
  }

  write(chunk: string | Uint8Array): boolean {
    const taken = this.#sink.write(chunk);
    this.#written += chunk.length;
    if (this.#written >= this.#maxChars) {
      this.#complete();
      return false;
    }
    // The end of this turn: what else the connection flushes now goes in the same response.
    if (this.#cancelEnd === undefined && carriesEvents(chunk)) this.#cancelEnd = startTimer(0, () => this.#complete());
    return taken;
  }

  onDrain(listener: () => void): void {
    this.#sink.onDrain(listener);
  }

  end(cause?: SseEndCause): void {
    this.#release();
    this.#sink.end(cause);
  }

  destroy(): void {
    this.#release();
    this.#sink.destroy();
  }

  /** Stops its timers without ending anything (the connection never opened). */
  cancel(): void {
    this.#release();
  }

  #complete(): void {
    if (this.#done) return;
    this.#release();
    this.#connection?.finish(undefined, "complete");
  }

  #release(): void {
    this.#done = true;
    this.#cancelWait?.();
    this.#cancelEnd?.();
    this.#cancelWait = this.#cancelEnd = undefined;
  }
}

/** The admission of a poll: the connection it opens writes to a `PollSink`, which ends the response when it is whole. */
export function pollAdmission(admission: SseAdmission, settings: PollSettings): SseAdmission {
  return {
    channels: admission.channels,
    poll: true,
    open(sink) {
      const poll = new PollSink(sink, settings);
      let connection: SseServerConnection;
      try {
        connection = admission.open(poll);
      } catch (error) {
        poll.cancel();
        throw error;
      }
      poll.attach(connection);
      return connection;
    },
    cancel: () => admission.cancel(),
  };
}
