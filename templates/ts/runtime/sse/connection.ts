/**
 * One SSE connection, and the server's set of them.
 *
 * `SseServerConnection` owns everything a connection created: its source of frames (a reader of the
 * server's ring, sse/buffer.ts, or its subscriptions and queue on the transport's log, sse/log.ts),
 * its place under the server's caps, and the timer that destroys a socket that does not flush after
 * the end. `close()` releases all of them, once, whatever ends the connection — the client leaving,
 * an overflow, a failed subscription, the server closing — and a connection closed has nothing left
 * that can deliver to it.
 *
 * `SseServerConnections` is the server's side: the open connections, the one microtask that flushes every
 * connection with something to write, the one heartbeat timer (a comment on each connection that
 * wrote nothing since the last beat), and the caps (`maxConnections`, `maxServerChannels`), taken by
 * an admission before a request subscribes anything and handed to its connection.
 *
 * Writing: a connection writes only while its sink takes more (`write` returned true); when it
 * returns false the connection is `blocked` until the sink drains, and its source holds the rest
 * (the ring keeps it, or the log reader's queue does, up to its bound).
 */
import { startTimer } from "../core/platform.js";
import type { SseEndCause, SseSink } from "./http.js";
import { HttpRefusal } from "./selection.js";
import { sseGapFrame, sseStatusFrame, type SseGap, type SseServerStatus } from "./protocol.js";

/** What feeds one connection its frames: a reader of the ring (sse/buffer.ts) or of the transport's log (sse/log.ts). */
export interface SseSource {
  /** The next chunk to write (about `writeBatch` characters), or "" for nothing now; a `Uint8Array` may be shared with other connections. */
  produce(): string | Uint8Array;
  /** Frames waiting in memory for this connection. */
  queued(): number;
  /** Lets go of what the source holds (subscriptions, queued frames); nothing is produced after. */
  release(): void;
}

/** Opens a connection on the sink an admission was answered with, fed by `source`. */
export type SseConnect = (source: SseSource) => SseServerConnection;

/**
 * What an accepted request holds until its connection opens: its place under the caps. `open` hands
 * it to the connection (which gives it back when it closes); a request whose client left before that
 * gives it back with `cancel`.
 */
export interface SseAdmission {
  readonly channels: number;
  /** A poll (`?poll=1`): the response ends once it carries events (sse/poll.ts). */
  readonly poll?: boolean;
  open(sink: SseSink): SseServerConnection;
  cancel(): void;
}

export interface SseConnectionSettings {
  readonly heartbeatMs: number;
  readonly closeTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxServerChannels: number;
}

export class SseServerConnection {
  readonly sink: SseSink;
  readonly #owner: SseServerConnections;
  readonly #channels: number;
  #source: SseSource | undefined;
  #open = true;
  #blocked = false;
  #wroteSinceBeat = true;
  #cancelDestroy: (() => void) | undefined;
  readonly #drained = (): void => {
    this.#blocked = false;
    this.wake();
  };

  /** Use `SseServerConnections.admit`: a connection is opened by the admission that holds its place. */
  constructor(owner: SseServerConnections, sink: SseSink, channels: number) {
    this.#owner = owner;
    this.sink = sink;
    this.#channels = channels;
  }

  /** False once the connection is closed (or ending): nothing more is written or queued for it. */
  get open(): boolean {
    return this.#open;
  }

  /** The sink is not taking more: the source holds frames until it drains. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Channels the connection holds under `maxServerChannels`. */
  get channels(): number {
    return this.#channels;
  }

  /** Frames waiting in memory for this connection. */
  queued(): number {
    return this.#source?.queued() ?? 0;
  }

  /** The source that feeds it; set once, when the connection opens. */
  attach(source: SseSource): void {
    if (this.#source !== undefined) throw new Error("an SSE connection has one source");
    this.#source = source;
    if (!this.#open) source.release();
  }

  /** Writes past the source's queue (the `retry:` line, a status frame); false when the sink is now full. */
  write(chunk: string | Uint8Array): boolean {
    this.#wroteSinceBeat = true;
    if (this.sink.write(chunk)) return true;
    if (!this.#blocked) {
      this.#blocked = true;
      this.sink.onDrain(this.#drained);
    }
    return false;
  }

  /** The source has something to write: flushed on the next microtask with every other connection. */
  wake(): void {
    if (this.#open) this.#owner.wake(this);
  }

  /** Writes what the source produces while the sink takes it. */
  flush(): void {
    const source = this.#source;
    if (source === undefined) return;
    while (this.#open && !this.#blocked) {
      const chunk = source.produce();
      if (chunk.length === 0) return;
      this.write(chunk);
    }
  }

  /** One heartbeat: a comment when the connection wrote nothing since the last one. */
  beat(): void {
    if (!this.#wroteSinceBeat && !this.#blocked && this.#open) this.write(":\n\n");
    this.#wroteSinceBeat = false;
  }

  /** A status frame, past the queue: one per change of the transport's state, so bounded. */
  tell(status: SseServerStatus): void {
    if (this.#open) this.write(sseStatusFrame(status));
  }

  /** The client fell behind: a `gap` frame, then the end. */
  overflow(gap: SseGap): void {
    if (!this.#open) return;
    this.#owner.overflowed();
    this.finish(sseGapFrame(gap), "overflow");
  }

  /**
   * Ends the connection from the server's side: closed at once, `last` written past back-pressure,
   * then the socket has `closeTimeoutMs` to flush before it is destroyed. `cause` tells the sink why.
   */
  finish(last?: string, cause: SseEndCause = "failed"): void {
    if (!this.#open) return;
    this.close();
    if (last !== undefined) this.sink.write(last);
    this.sink.end(cause);
    this.#cancelDestroy = startTimer(this.#owner.settings.closeTimeoutMs, () => this.sink.destroy());
  }

  /**
   * Releases everything the connection holds: its source (subscriptions, queue), its place under
   * the caps, its destroy timer. Called again when the socket closes, which cancels that timer.
   */
  close(): void {
    this.#cancelDestroy?.();
    this.#cancelDestroy = undefined;
    if (!this.#open) return;
    this.#open = false;
    this.#source?.release();
    this.#owner.closed(this);
  }
}

/** The server's open connections: flushing, heartbeat, caps. */
export class SseServerConnections {
  readonly settings: SseConnectionSettings;
  readonly #open = new Set<SseServerConnection>();
  readonly #dirty = new Set<SseServerConnection>();
  readonly #onFlushed: () => void;
  #flushScheduled = false;
  #cancelBeat: (() => void) | undefined;
  /** Admitted: open connections and those accepted and about to open, and the channels they hold. */
  #admitted = 0;
  #admittedChannels = 0;
  #overflows = 0;
  readonly #flushAll = (): void => {
    this.#flushScheduled = false;
    if (this.#dirty.size === 0) return;
    const list = [...this.#dirty];
    this.#dirty.clear();
    for (const connection of list) connection.flush();
    this.#onFlushed();
  };
  readonly #beat = (): void => {
    this.#cancelBeat = undefined;
    for (const connection of this.#open) connection.beat();
    if (this.#open.size > 0) this.#cancelBeat = startTimer(this.settings.heartbeatMs, this.#beat);
  };

  /** `onFlushed`: after each flush of every connection with something to write (the buffer lets go of shared chunks). */
  constructor(settings: SseConnectionSettings, onFlushed: () => void) {
    this.settings = settings;
    this.#onFlushed = onFlushed;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Channels held by admitted connections, together. */
  get channels(): number {
    return this.#admittedChannels;
  }

  /** Connections ended because their client fell behind. */
  get overflows(): number {
    return this.#overflows;
  }

  queuedFrames(): number {
    let frames = 0;
    for (const connection of this.#open) frames += connection.queued();
    return frames;
  }

  /** Tells every open connection the transport's state. */
  tell(status: SseServerStatus): void {
    for (const connection of this.#open) connection.tell(status);
  }

  /**
   * Takes a place under the caps for a connection of `channels` channels, or says why not (429).
   * `opener` opens the connection when the admission does: it makes the source and calls `connect`
   * with it, once; a connection it closes at once (a failed subscription) gives the place back.
   */
  admit(channels: number, opener: (connect: SseConnect) => SseServerConnection): SseAdmission | HttpRefusal {
    const { maxConnections, maxServerChannels } = this.settings;
    if (this.#admitted >= maxConnections) return new HttpRefusal(429, `Too many connections: this server serves at most ${maxConnections} at once (maxConnections).`);
    if (this.#admittedChannels + channels > maxServerChannels) {
      return new HttpRefusal(429, `Too many channels: this server serves at most ${maxServerChannels} across its connections (maxServerChannels); try again later.`);
    }
    this.#admitted += 1;
    this.#admittedChannels += channels;
    let settled = false;
    return {
      channels,
      open: (sink) => {
        if (settled) throw new Error("an admission opens one connection");
        settled = true;
        let connection: SseServerConnection | undefined;
        try {
          return opener((source) => {
            if (connection !== undefined) throw new Error("an admission opens one connection");
            connection = new SseServerConnection(this, sink, channels);
            this.#open.add(connection);
            if (this.#cancelBeat === undefined) this.#cancelBeat = startTimer(this.settings.heartbeatMs, this.#beat);
            connection.attach(source);
            return connection;
          });
        } catch (error) {
          if (connection === undefined) this.#giveBack(channels);
          else connection.close();
          throw error;
        }
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        this.#giveBack(channels);
      },
    };
  }

  /** Ends every open connection from the server's side. */
  finishAll(): void {
    for (const connection of [...this.#open]) connection.finish(undefined, "closing");
    this.#stopBeat();
  }

  /** @internal SseServerConnection: `connection` has something to write. */
  wake(connection: SseServerConnection): void {
    this.#dirty.add(connection);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    void Promise.resolve().then(this.#flushAll);
  }

  /** @internal SseServerConnection: one more connection ended for overflow. */
  overflowed(): void {
    this.#overflows += 1;
  }

  /** @internal SseServerConnection: `connection` closed; its place under the caps comes back. */
  closed(connection: SseServerConnection): void {
    if (!this.#open.delete(connection)) return;
    this.#dirty.delete(connection);
    this.#giveBack(connection.channels);
    if (this.#open.size === 0) this.#stopBeat();
  }

  #giveBack(channels: number): void {
    this.#admitted -= 1;
    this.#admittedChannels -= channels;
  }

  #stopBeat(): void {
    this.#cancelBeat?.();
    this.#cancelBeat = undefined;
  }
}
