/**
 * The read side of the Redis Streams transport (transports/redis/streams.ts), as one object: its
 * subscriptions (`StreamCursor`, each a reader of one stream from its own position), its read loop —
 * one `XREAD COUNT c BLOCK t STREAMS …` over every subscribed stream on the reader connection —, the
 * wake-up of that XREAD (`CLIENT UNBLOCK`, sent on the client connection), the gap check after each
 * read, the fence around keys Redis refuses, and its timers. `stop()` releases all of them, once.
 *
 * The guarantees are the transport's (see the top of streams.ts): entries after a cursor's position,
 * in order; a gap signalled before the entry delivery continues at, never a silent partial replay; one
 * stream Redis refuses fenced off the shared read, so it cannot stop the others.
 */
import { BusError, messageOf } from "../../core/errors.js";
import { startTimer } from "../../core/platform.js";
import type { Link } from "./command-link.js";
import type { Serializer } from "./serializer.js";
import { comparePositions, envelopeText, isNoSuchKey, parseRead, readInfo, recreated, refusesKey, START, STREAM_ENVELOPE_FIELD, text, trimmedAfter, type Entry, type StreamInfo } from "./stream-entries.js";
import type { PositionGap, TransportListener } from "../transport.js";

const ignore = (): void => {};

const MAX_PREVIEW = 1000;
/** Pause after a failed read before the next, so a refused command does not spin. */
const READ_RETRY_DELAY = 250;
/** Pause before a wake-up is sent again, when it reached the reader before its XREAD did. */
const UNBLOCK_RETRY_DELAY = 10;

/** One subscription: a reader of one stream from its own position. */
export interface StreamCursor {
  readonly key: string;
  readonly channel: string;
  readonly listener: TransportListener;
  readonly onGap: ((gap: PositionGap) => void) | undefined;
  /** The last position delivered (or the start); undefined until `ready`. */
  position: string | undefined;
  /**
   * How many entries the stream had ever received up to `position` (XINFO's entries-added then), when
   * known: it tells a gap from a reader that is merely at the trimming edge, and a stream created anew
   * from the one it read. Unknown for a `from` cursor until it catches up with the end of the stream.
   */
  seen: number | undefined;
  /** Redis refused to read its key: left out of the shared read, tried again on its own now and then. */
  fenced: boolean;
  active: boolean;
}

export interface StreamReaderSettings {
  /** Entries read per stream by one XREAD. */
  readonly readCount: number;
  /** Milliseconds one XREAD blocks; also how often a fenced key is tried again. */
  readonly blockMs: number;
  readonly serializer: Serializer;
  readonly report: (error: Error) => void;
}

/** The streams one XREAD reads, each from the lowest position of the cursors reading it. */
type ReadPlan = Map<string, { from: string; cursors: StreamCursor[] }>;

/** What one read returned, and the gap check of each stream in it (a stream without one is read again next round). */
interface ReadResult {
  readonly batches: Map<string, Entry[]>;
  readonly infos: Map<string, StreamInfo>;
}

export class StreamReader {
  /** The subscriptions: what the loop reads, and what `stats()` counts. */
  readonly cursors: Set<StreamCursor> = new Set();
  /** The connection CLIENT UNBLOCK goes through (never the blocked reader). */
  readonly #client: Link;
  readonly #settings: StreamReaderSettings;
  #loop: Promise<void> | undefined;
  #stopping = false;
  /**
   * The reader's CLIENT ID on its current connection, for CLIENT UNBLOCK; forgotten on any connection
   * event (an ID of a past connection may belong to another client now). A CLIENT ID reply always
   * names the connection it ran on, and arrives before that connection's close event.
   */
  #readerId: string | undefined;
  /** A read is in flight; `#readRound` tells one read from the next. */
  #reading = false;
  #readRound = 0;
  #wakeIdle: (() => void) | undefined;
  #cancelPause: (() => void) | undefined;
  #cancelUnblockRetry: (() => void) | undefined;
  #readFailure: string | undefined;
  /** When the fenced keys are tried again (ms since the epoch). */
  #probeFencedAt = 0;

  constructor(client: Link, settings: StreamReaderSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** Whether the loop runs (started by the first subscription). */
  get started(): boolean {
    return this.#loop !== undefined;
  }

  /** Starts the loop on `link` once `connected` settles (an Error: the connection could not be made, reported). */
  start(link: Link, connected: Promise<unknown>): void {
    this.#loop ??= this.#run(link, connected);
  }

  /** The reader connection had an event: its CLIENT ID may name another connection now. */
  forgetReaderId(): void {
    this.#readerId = undefined;
  }

  /** Makes the loop look at its cursors again now: ends an idle wait or unblocks the XREAD in flight. */
  wake(): void {
    if (this.#wakeIdle !== undefined) {
      const resolve = this.#wakeIdle;
      this.#wakeIdle = undefined;
      resolve();
      return;
    }
    if (this.#cancelPause !== undefined) return; // retrying after a failure: it looks again when the pause ends
    if (this.#reading && this.#cancelUnblockRetry === undefined) this.#unblock(this.#readRound);
  }

  /** Tells one cursor of a gap: its `onGap`, else `onError` as `stream-gap`. */
  signalGap(cursor: StreamCursor, after: string, next: string): void {
    try {
      if (cursor.onGap !== undefined) cursor.onGap({ channel: cursor.channel, after, next });
      else this.#settings.report(new BusError("stream-gap", `Entries of channel "${cursor.channel}" after ${after} and before ${next} were lost before they were read.`, { channel: cursor.channel }));
    } catch (error) {
      this.#settings.report(new BusError("subscriber-failed", `An onGap handler on channel "${cursor.channel}" threw: ${messageOf(error)}`, { cause: error, channel: cursor.channel }));
    }
  }

  /**
   * Stops for good: every cursor ends, and the loop with it — `reader` (the reader connection, when
   * there is one) is disconnected at once when `endReader` (nothing on it to wait for), or else
   * unblocked; a read queued on a reader that is down is not waited for.
   */
  async stop(reader: Link | undefined, endReader: boolean): Promise<void> {
    this.#stopping = true;
    for (const cursor of this.cursors) cursor.active = false;
    this.cursors.clear();
    if (reader !== undefined) {
      const readerUp = reader.state() === "ready";
      if (this.#wakeIdle !== undefined) this.wake();
      this.#cancelPause?.();
      if (endReader) await reader.end(false);
      else if (this.#reading) this.#unblock(this.#readRound);
      if (readerUp && this.#loop !== undefined) await this.#loop;
    }
    this.#cancelUnblockRetry?.();
    this.#cancelUnblockRetry = undefined;
  }

  #unblock(round: number): void {
    this.#cancelUnblockRetry = undefined;
    if (!this.#reading || this.#readRound !== round) return;
    // The reader's id is not known yet (its CLIENT ID reply is on the way): look again shortly.
    if (this.#readerId === undefined) {
      this.#cancelUnblockRetry = startTimer(UNBLOCK_RETRY_DELAY, () => this.#unblock(round));
      return;
    }
    const state = this.#client.state();
    if (state !== "ready" && state !== "client") return;
    this.#client.command(["CLIENT", "UNBLOCK", this.#readerId]).then((reply) => {
      // 0: the reader is not blocked (yet): its XREAD may still be on the way. Try again shortly —
      // while closing too, or a close racing the read would wait out the whole block timeout.
      if (Number(reply) === 0 && this.#reading && this.#readRound === round) this.#cancelUnblockRetry = startTimer(UNBLOCK_RETRY_DELAY, () => this.#unblock(round));
    }, ignore);
  }

  /** Waits for `wake()`, or at most `milliseconds` when given. */
  #idle(milliseconds?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = milliseconds === undefined ? ignore : startTimer(milliseconds, () => this.wake());
      this.#wakeIdle = () => {
        cancel();
        resolve();
      };
    });
  }

  #pause(milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = startTimer(milliseconds, () => {
        this.#cancelPause = undefined;
        resolve();
      });
      this.#cancelPause = () => {
        cancel();
        this.#cancelPause = undefined;
        resolve();
      };
    });
  }

  #decode(cursor: StreamCursor, entry: Entry): unknown {
    const raw = envelopeText(entry);
    if (raw === undefined) {
      this.#settings.report(new BusError("message-undecodable", `Dropped entry ${entry.id} on channel "${cursor.channel}": it has no "${STREAM_ENVELOPE_FIELD}" field.`, { channel: cursor.channel }));
      return undefined;
    }
    try {
      return this.#settings.serializer.decode(raw);
    } catch (error) {
      const preview = raw.length > MAX_PREVIEW ? `${raw.slice(0, MAX_PREVIEW)}…` : raw;
      this.#settings.report(new BusError("message-undecodable", `Dropped entry ${entry.id} on channel "${cursor.channel}" that could not be decoded: ${messageOf(error)}`, { cause: error, channel: cursor.channel, envelope: preview }));
      return undefined;
    }
  }

  /** Hands a batch of one stream to one cursor: the entries after its position, a gap first if there is one. */
  #deliver(cursor: StreamCursor, entries: readonly Entry[], info: StreamInfo): void {
    let checked = false;
    for (const entry of entries) {
      if (!cursor.active) return;
      const after = cursor.position as string;
      if (!checked) {
        // Only before the first entry of the batch this cursor receives: the rest follow it in the stream.
        // A stream created anew since the cursor's last read is read from the first entry of the batch.
        const anew = recreated(info, after, cursor.seen);
        if (!anew && comparePositions(entry.id, after) <= 0) continue;
        checked = true;
        if (anew || trimmedAfter(info, after, cursor.seen)) {
          // Delivery goes on at the oldest entry kept, preceded by entries-added − length entries (when
          // that entry is still the oldest: trimming may have moved on since the read).
          cursor.seen = info.added === undefined || info.length === undefined || info.first !== entry.id ? undefined : info.added - info.length;
          this.signalGap(cursor, after, entry.id);
          if (!cursor.active) return;
        }
      } else if (comparePositions(entry.id, after) <= 0) {
        continue;
      }
      cursor.position = entry.id;
      if (cursor.seen !== undefined) cursor.seen += 1;
      const data = this.#decode(cursor, entry);
      if (data === undefined) continue;
      try {
        cursor.listener({ channel: cursor.channel, data, position: entry.id });
      } catch (error) {
        this.#settings.report(new BusError("subscriber-failed", `A listener on channel "${cursor.channel}" threw: ${messageOf(error)}`, { cause: error, channel: cursor.channel }));
      }
    }
    // Caught up with the end of the stream: the count is exact again.
    if (cursor.position === info.last && info.added !== undefined) cursor.seen = info.added;
  }

  /**
   * Redis refused to read `key`: its cursors leave the shared read (which they would fail for every
   * other cursor), each is told of a gap, and the key is tried again on its own every `blockMs`;
   * once it reads, they go on from its start.
   */
  #fence(key: string, error: unknown): void {
    let channel: string | undefined;
    for (const cursor of this.cursors) {
      if (cursor.key !== key || cursor.fenced || !cursor.active || cursor.position === undefined) continue;
      channel = cursor.channel;
      const after = cursor.position;
      cursor.fenced = true;
      cursor.position = START;
      cursor.seen = 0;
      this.signalGap(cursor, after, START);
    }
    if (channel === undefined) return;
    this.#probeFencedAt = Date.now() + this.#settings.blockMs;
    this.#settings.report(
      new BusError(
        "subscribe-failed",
        `Redis refused to read channel "${channel}" (key "${key}"): ${messageOf(error)}; its subscribers were given a gap, and the key is read again from its start once it holds a stream.`,
        { cause: error, channel },
      ),
    );
  }

  /** The fenced keys that read again (a stream, or no key at all) rejoin the shared read. */
  async #probeFenced(link: Link): Promise<void> {
    this.#probeFencedAt = Date.now() + this.#settings.blockMs;
    const keys = new Set<string>();
    for (const cursor of this.cursors) if (cursor.fenced && cursor.active) keys.add(cursor.key);
    const probes = await Promise.allSettled([...keys].map((key) => link.command(["XREAD", "COUNT", "1", "STREAMS", key, START])));
    let index = 0;
    for (const key of keys) {
      const probe = probes[index] as PromiseSettledResult<unknown>;
      index += 1;
      if (probe.status === "rejected") continue;
      for (const cursor of this.cursors) if (cursor.key === key) cursor.fenced = false;
    }
  }

  /**
   * After a shared read failed while the reader stayed up: reads each stream on its own (no BLOCK) and
   * fences the keys Redis refuses. True when any was fenced (the others read on at once).
   */
  async #attribute(link: Link, plan: ReadPlan): Promise<boolean> {
    const keys = [...plan.keys()];
    const probes = await Promise.allSettled(keys.map((key) => link.command(["XREAD", "COUNT", "1", "STREAMS", key, (plan.get(key) as { from: string }).from])));
    if (link.state() !== "ready") return false;
    let fenced = false;
    probes.forEach((probe, index) => {
      if (probe.status === "fulfilled" || !refusesKey(probe.reason)) return;
      this.#fence(keys[index] as string, probe.reason);
      fenced = true;
    });
    return fenced;
  }

  /** The streams to read, each from the lowest position of the cursors reading it. */
  #plan(): ReadPlan {
    const plan: ReadPlan = new Map();
    for (const cursor of this.cursors) {
      if (!cursor.active || cursor.fenced || cursor.position === undefined) continue;
      const step = plan.get(cursor.key);
      if (step === undefined) plan.set(cursor.key, { from: cursor.position, cursors: [cursor] });
      else {
        step.cursors.push(cursor);
        if (comparePositions(cursor.position, step.from) < 0) step.from = cursor.position;
      }
    }
    return plan;
  }

  /**
   * One XREAD over `plan` and the gap check of what it returned (XINFO STREAM per stream read), before
   * anything of it is delivered. A key that fails the check alone is that key's problem: gone since the
   * read (read again next round) or refused (fenced). Undefined when the reader is stopping.
   */
  async #read(link: Link, plan: ReadPlan): Promise<ReadResult | undefined> {
    const keys = [...plan.keys()];
    // Sent just before the XREAD on the same connection: its reply is in before the XREAD blocks.
    if (this.#readerId === undefined) link.command(["CLIENT", "ID"]).then((id) => void (this.#readerId = text(id)), ignore);
    this.#reading = true;
    this.#readRound += 1;
    const { readCount, blockMs } = this.#settings;
    const reply = await link.command(["XREAD", "COUNT", String(readCount), "BLOCK", String(blockMs), "STREAMS", ...keys, ...keys.map((key) => (plan.get(key) as { from: string }).from)]);
    this.#reading = false;
    this.#cancelUnblockRetry?.();
    this.#cancelUnblockRetry = undefined;
    if (this.#stopping) return undefined;
    const batches = parseRead(reply);
    const infos = new Map<string, StreamInfo>();
    const readKeys = [...batches.keys()];
    const replies = await Promise.allSettled(readKeys.map((key) => link.command(["XINFO", "STREAM", key])));
    if (link.state() !== "ready" && replies.some((settled) => settled.status === "rejected")) throw (replies.find((settled) => settled.status === "rejected") as PromiseRejectedResult).reason;
    let failure: unknown;
    replies.forEach((settled, index) => {
      const key = readKeys[index] as string;
      if (settled.status === "fulfilled") infos.set(key, readInfo(settled.value));
      else if (refusesKey(settled.reason) && !isNoSuchKey(settled.reason)) this.#fence(key, settled.reason);
      else if (!isNoSuchKey(settled.reason)) failure ??= settled.reason;
    });
    if (failure !== undefined) throw failure;
    return { batches, infos };
  }

  async #run(link: Link, connected: Promise<unknown>): Promise<void> {
    const { report } = this.#settings;
    const connectError = await connected;
    if (connectError instanceof Error) report(new BusError("connection-lost", `Redis Streams reader connection (${link.client}) could not connect: ${connectError.message}`, { cause: connectError }));
    while (!this.#stopping) {
      let anyFenced = false;
      for (const cursor of this.cursors) anyFenced ||= cursor.fenced;
      if (anyFenced && Date.now() >= this.#probeFencedAt && link.state() === "ready") {
        await this.#probeFenced(link);
        if (this.#stopping) break;
      }
      const plan = this.#plan();
      if (plan.size === 0) {
        await this.#idle(anyFenced ? this.#settings.blockMs : undefined);
        continue;
      }
      let read: ReadResult | undefined;
      try {
        read = await this.#read(link, plan);
        this.#readFailure = undefined;
      } catch (error) {
        this.#reading = false;
        if (this.#stopping) break;
        // One stream Redis refuses must not stop the others: find it, fence it, read on.
        if (link.state() === "ready" && (await this.#attribute(link, plan))) {
          this.#readFailure = undefined;
          continue;
        }
        if (this.#stopping) break;
        // One report per run of failures; a lost connection is reported by its own watcher.
        const message = messageOf(error);
        if (this.#readFailure === undefined && link.state() === "ready") {
          report(new BusError("connection-lost", `Redis Streams read failed (${link.client}): ${message}; retrying.`, { cause: error }));
        }
        this.#readFailure = message;
        await this.#pause(READ_RETRY_DELAY);
        continue;
      }
      if (this.#stopping || read === undefined) break;
      for (const [key, entries] of read.batches) {
        const info = read.infos.get(key);
        if (info === undefined) continue; // not checked: read again next round
        for (const cursor of plan.get(key)?.cursors ?? []) if (cursor.active && !cursor.fenced) this.#deliver(cursor, entries, info);
      }
    }
  }
}
