/**
 * What the SSE server remembers for replay, in memory and bounded (the late-joiner snapshot is
 * sse/snapshot.ts).
 *
 * The replay buffer is a ring of the last `capacity` envelopes the server's feed received, each
 * with a sequence number and its frame (`id:` line and `data:` line, built once and written to every
 * connection that selects it). A connection is a reader of this ring: its position is the next
 * sequence number it has not read. Resuming from an id means "everything after the entry with this
 * id": possible exactly when the entry is still in the ring, so replay is all or nothing. A start
 * token stands for "before the first entry", so a client that connected before anything was
 * published can resume too, as long as nothing has been evicted yet.
 */
import { randomId } from "../core/platform.js";
import { sseFrame } from "./protocol.js";

/** One envelope as the server keeps it. */
export interface ReplayEntry {
  readonly seq: number;
  /** The envelope id: the frame's `id:`. */
  readonly id: string;
  /** The event name (not the wire type). */
  readonly name: string;
  readonly topic: string | undefined;
  /** `id: <id>\ndata: <envelope JSON>\n\n`. */
  readonly frame: string;
}

export interface ReplayBuffer {
  /** The sequence number the next entry gets; entries `oldest … head - 1` are kept. */
  readonly head: number;
  readonly oldest: number;
  /** Stands for the position before the first entry (sent as the cursor while the ring is empty). */
  readonly startToken: string;
  /**
   * Keeps an envelope as the newest entry; undefined (nothing kept) when the frame writer refuses its
   * id or JSON. The caller keeps ids unique within the window (an id kept twice resumes from its
   * newest copy).
   */
  push(id: string, name: string, topic: string | undefined, json: string): ReplayEntry | undefined;
  /** The entry with sequence number `seq`, when it is kept. */
  at(seq: number): ReplayEntry | undefined;
  /**
   * The sequence number to read from to get every entry after `id`, or undefined when that is not
   * possible (`id` unknown or evicted, or the start token after an eviction).
   */
  resumeAfter(id: string): number | undefined;
  /** The cursor a connection that has read up to `head` resumes from: the newest id, or the start token. */
  cursor(): string;
}

export function createReplayBuffer(capacity: number): ReplayBuffer {
  const slots: (ReplayEntry | undefined)[] = new Array<ReplayEntry | undefined>(capacity);
  const seqById = new Map<string, number>();
  const startToken = `start-${randomId()}`;
  let head = 0;
  return {
    get head() {
      return head;
    },
    get oldest() {
      return Math.max(0, head - capacity);
    },
    startToken,
    push(id, name, topic, json) {
      const frame = sseFrame(undefined, id, json);
      if (frame === undefined) return undefined;
      const slot = head % capacity;
      const evicted = slots[slot];
      if (evicted !== undefined && seqById.get(evicted.id) === evicted.seq) seqById.delete(evicted.id);
      const entry: ReplayEntry = { seq: head, id, name, topic, frame };
      slots[slot] = entry;
      seqById.set(id, head);
      head += 1;
      return entry;
    },
    at(seq) {
      return seq >= head || seq < head - capacity ? undefined : slots[seq % capacity];
    },
    resumeAfter(id) {
      if (id === startToken) return head <= capacity ? 0 : undefined;
      const seq = seqById.get(id);
      return seq === undefined ? undefined : seq + 1;
    },
    cursor() {
      return head === 0 ? startToken : (slots[(head - 1) % capacity] as ReplayEntry).id;
    },
  };
}
