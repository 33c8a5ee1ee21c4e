/**
 * SSE connections that replay from the server's own buffer (`createSseHandler(bus)`, the default
 * `replayFrom: "buffer"`): the handler's feed fills a ring of the last `replayWindow` envelopes
 * (sse/replay.ts), and each connection is a reader of that ring — a position, nothing else. The
 * transport-log counterpart is sse/log.ts; both are the `SseSource` of an `SseServerConnection` (sse/connection.ts).
 *
 * Delivery: a connection reads every entry of its selection from its position on, in ring order.
 * Resuming after an id is all or nothing: exactly when the entry with that id is still in the ring
 * (or the start token, while nothing was evicted) it replays what follows; otherwise one `gap`
 * (`resume-too-old`) and the live stream. A connection that does not resume may first get the
 * late-joiner snapshot, read where the ring stood (`SnapshotCut`), then every entry from there on.
 *
 * Ids: an envelope id the ring holds already is a second copy (a resent PUBLISH, a producer reusing
 * an id) and is not kept again — a resume from that id replays everything after its one copy. An id
 * the frame writer refuses (outside the id grammar) is not kept at all.
 *
 * Memory: the ring is shared, so a connection costs its position; connections at the same position
 * with the same selection are sent one encoded chunk, built once per flush. A reader that falls
 * behind the ring's oldest entry gets a `gap` (`overflow`, `resync: true`) and is disconnected.
 */
import type { EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import type { SseConnect, SseServerConnection, SseSource } from "./connection.js";
import { createReplayBuffer, type ReplayBuffer, type ReplayEntry } from "./replay.js";
import type { SelectionPlan } from "./selection.js";
import type { SnapshotItem } from "./snapshot.js";
import { SSE_SNAPSHOT_EVENT, sseFrame, sseGapFrame, sseLiveFrame, type SseLive } from "./protocol.js";

/** A snapshot and where the ring stood when it was read: a connection that does not resume starts there. */
export interface SnapshotCut {
  readonly next: number;
  /** The ring's cursor at `next`: the live frame's id. */
  readonly cursor: string;
  readonly items: readonly SnapshotItem[];
}

export interface SseBufferSettings {
  /** Envelopes the ring keeps. */
  readonly replayWindow: number;
  readonly writeBatch: number;
  readonly retryMs: number;
}

/** What became of an envelope handed to `feed`. */
export type FeedResult = "kept" | "duplicate" | "refused";

export interface SseBuffer {
  readonly ring: ReplayBuffer;
  /** Keeps an envelope of event `name` as the newest entry and wakes the readers it concerns. */
  feed(envelope: EventEnvelope<AnyEvent>, name: string, json: string): FeedResult;
  /**
   * Opens a connection (`connect`) that reads the ring: resuming after `lastEventId` when it can,
   * else a gap; with a `cut`, the snapshot first and the live stream from where it was read.
   */
  open(connect: SseConnect, plan: SelectionPlan, lastEventId: string | undefined, cut: SnapshotCut | undefined): SseServerConnection;
  /** The end of one flush of every connection: the chunks shared during it are let go. */
  flushed(): void;
}

/** A connection's reader of the ring: `next` is the sequence number it reads next. */
interface Reader extends SseSource {
  next: number;
  connection: SseServerConnection | undefined;
}

interface TextEncoderLike {
  encode(text: string): Uint8Array;
}

/** The host's TextEncoder; undefined on a host without one (then every connection writes its own text). */
function hostEncoder(): TextEncoderLike | undefined {
  const TextEncoder = (globalThis as unknown as { TextEncoder?: new () => TextEncoderLike }).TextEncoder;
  return TextEncoder === undefined ? undefined : new TextEncoder();
}

/** An `event: snapshot` frame: state, without an `id:` (not a position); "" for data the frame writer refuses. */
export function snapshotFrame(item: SnapshotItem): string {
  return sseFrame(SSE_SNAPSHOT_EVENT, undefined, item.json) ?? "";
}

export function createSseBuffer(settings: SseBufferSettings): SseBuffer {
  const { writeBatch, retryMs } = settings;
  const ring = createReplayBuffer(settings.replayWindow);
  const encoder = hostEncoder();
  const readers = new Set<Reader>();
  /**
   * Chunks built during one flush, by selection and ring position: a thousand clients reading the
   * same events are sent one encoded chunk, not a thousand copies of it.
   */
  const sharedChunks = new Map<string, { readonly bytes: Uint8Array; readonly next: number }>();

  /** This reader's frames from its position, up to `end` and about `writeBatch` characters. */
  const readUpTo = (reader: Reader, plan: SelectionPlan, end: number): string => {
    let chunk = "";
    while (reader.next < end && chunk.length < writeBatch) {
      const entry = ring.at(reader.next) as ReplayEntry;
      reader.next += 1;
      if (plan.wants(entry.name, entry.topic)) chunk += entry.frame;
    }
    return chunk;
  };

  const open = (connect: SseConnect, plan: SelectionPlan, lastEventId: string | undefined, cut: SnapshotCut | undefined): SseServerConnection => {
    let head = `retry: ${retryMs}\n\n`;
    let next = ring.head;
    let resumed = false;
    let replayed = 0;
    let sent = 0;
    if (cut !== undefined) {
      if (lastEventId !== undefined) head += sseGapFrame({ reason: "resume-too-old", resync: true, lastEventId });
      next = cut.next;
      for (const item of cut.items) {
        if (!plan.wants(item.name, item.topic)) continue;
        const frame = snapshotFrame(item);
        if (frame === "") continue;
        head += frame;
        sent += 1;
      }
    } else if (lastEventId !== undefined) {
      const from = ring.resumeAfter(lastEventId);
      if (from === undefined) {
        head += sseGapFrame({ reason: "resume-too-old", resync: true, lastEventId });
      } else {
        resumed = true;
        next = from;
        for (let seq = from; seq < ring.head; seq += 1) {
          const entry = ring.at(seq) as ReplayEntry;
          if (plan.wants(entry.name, entry.topic)) replayed += 1;
        }
      }
    }
    // The live frame goes right after the replay — entries up to the ring head now — or where the
    // snapshot was read, and its id is the cursor there: where the client stands once it has it.
    const live: SseLive = { resumed, replayed, snapshot: sent };
    let liveFrame = sseLiveFrame(live, cut === undefined ? ring.cursor() : cut.cursor);
    const liveAt = cut === undefined ? ring.head : cut.next;
    const reader: Reader = {
      next,
      connection: undefined,
      release: () => void readers.delete(reader),
      queued: () => 0,
      produce() {
        if (liveFrame !== "") {
          // Up to the live frame (the replay), this connection's own chunk; then the live frame.
          let chunk = readUpTo(reader, plan, liveAt);
          if (reader.next >= liveAt) {
            chunk += liveFrame;
            liveFrame = "";
          }
          return chunk;
        }
        if (encoder === undefined) return readUpTo(reader, plan, ring.head);
        const key = `${plan.key}@${reader.next}`;
        const built = sharedChunks.get(key);
        if (built !== undefined) {
          reader.next = built.next;
          return built.bytes;
        }
        const chunk = readUpTo(reader, plan, ring.head);
        if (chunk === "") return chunk;
        const bytes = encoder.encode(chunk);
        sharedChunks.set(key, { bytes, next: reader.next });
        return bytes;
      },
    };
    const connection = connect(reader);
    reader.connection = connection;
    readers.add(reader);
    // The ring moved past the snapshot's position while the store was read: events are lost to it.
    if (reader.next < ring.oldest) connection.overflow({ reason: "overflow", resync: true });
    else if (connection.write(head)) connection.wake();
    return connection;
  };

  return {
    ring,
    feed(envelope, name, json) {
      // Buffering a second copy would make a resume from its first copy skip what came between.
      if (ring.resumeAfter(envelope.id) !== undefined) return "duplicate";
      if (ring.push(envelope.id, name, envelope.topic, json) === undefined) return "refused";
      const oldest = ring.oldest;
      for (const { next, connection } of readers) {
        if (connection === undefined) continue;
        if (next < oldest) connection.overflow({ reason: "overflow", resync: true });
        else if (!connection.blocked) connection.wake();
      }
      return "kept";
    },
    open,
    flushed: () => sharedChunks.clear(),
  };
}
