/**
 * SSE connections that replay from the transport's log (`createSseHandler(bus, { replayFrom:
 * "transport" })`, over Redis Streams): each connection subscribes to its channels on the bus,
 * resuming each from the position its client last received, so any server instance that shares the
 * stream can resume any client.
 *
 * Ids. A position belongs to one channel, so the SSE id is the client's position in every channel
 * of its selection: the bare position for a one-channel selection (`1718000000000-3`), otherwise
 * `<channel>=<position>` pairs joined by `&` (channel names URI-encoded; channels the client has
 * received nothing on yet are left out). Channels are those the selection covers in this catalogue,
 * in name order, so every instance reads an id the same way.
 *
 * Recovery per channel is all or nothing: a position the transport no longer keeps (or does not
 * accept) gives a `gap` frame for that channel, and the channel restarts live — nothing from the
 * middle of the log. A channel the client had received nothing on resumes live: exactly-once holds
 * from the first event the client received on each channel.
 *
 * Snapshot (when the handler has a store): once every subscription is confirmed, the connection reads
 * the latest envelope of each key of the channels it does not resume from a position (all of them on
 * a first connection), and sends those `snapshot` frames before the `live` frame. What its
 * subscriptions deliver meanwhile waits behind them; the publishers record each envelope before it
 * enters the stream, so an envelope the subscriptions missed is in the snapshot (or a newer one of its
 * key), and one they deliver may be in both.
 *
 * Memory: frames wait in a per-connection queue while the client is not taking them; past
 * `clientQueue` the client gets a `gap` (`overflow`, `resync: false`: its id is still good for the
 * log) and the connection ends. A writable connection may hold one transport read more than that
 * for a moment (a catch-up read delivers up to the transport's `readCount` at once).
 */
import type { EventEnvelope } from "../wire.js";
import type { AnyEvent } from "./binding.js";
import type { Delivery, SubscribeOptions, Unsubscribe } from "./bus.js";
import type { SseSink } from "./sse-http.js";
import { sseGapFrame, sseLiveFrame, type SseGap, type SseSelection } from "./sse-wire.js";
import type { PositionGap } from "./transport.js";

/**
 * One open SSE connection, as the server's writer sees it (shared by sse-server.ts and this file).
 * `produce` returns the next chunk to write (about `writeBatch` characters at most), or an empty one
 * when it has nothing; a `Uint8Array` chunk may be shared with other connections.
 */
export interface SseServerConnection {
  readonly sink: SseSink;
  produce(): string | Uint8Array;
  blocked: boolean;
  open: boolean;
  wroteSinceTick: boolean;
  /** Releases the connection's subscriptions. */
  release(): void;
  /** Frames waiting in memory. */
  queued(): number;
  /** Set while an ended connection is given time to flush: cancels the destroy timer. */
  cancelDestroy?: (() => void) | undefined;
}

/** What a connection reader asks of the server that owns the connection. */
export interface SseConnectionHub {
  /** Registers an open connection (heartbeats, stats, close). */
  add(connection: SseServerConnection): void;
  /** Writes past the queue (the `retry:` line); false when the sink is now full. */
  write(connection: SseServerConnection, chunk: string): boolean;
  /** The connection has something to write: flushed on the next microtask. */
  wake(connection: SseServerConnection): void;
  /** The client fell behind: `gap` is written, the connection ends. */
  overflow(connection: SseServerConnection, gap: SseGap): void;
  /** Ends the connection from the server's side. */
  finish(connection: SseServerConnection): void;
  report(error: unknown): void;
}

/** The bus as the SSE server uses it: selectors as plain strings. */
export interface SseBus {
  subscribe(selector: string, handler: (envelope: EventEnvelope<AnyEvent>, delivery: Delivery) => unknown, options?: SubscribeOptions): Unsubscribe;
}

/** One channel of a selection: an event name and, for a scoped event, a topic. */
export interface SseLogChannel {
  readonly name: string;
  readonly topic: string | undefined;
  /** The wire channel, `<name>` or `<name>:<topic>`. */
  readonly key: string;
}

/**
 * The channels `selection` covers, or why it covers none that a log can replay: wildcards need
 * `eventNames`; a scoped event needs a topic (every topic at once is a prefix, not a channel).
 */
export function sseLogChannels(selection: SseSelection, eventNames: readonly string[] | undefined, isScoped: (name: string) => boolean): SseLogChannel[] | string {
  const names = new Set<string>();
  for (const selector of selection.events) {
    if (selector === "*" || selector.endsWith(".*")) {
      if (eventNames === undefined) return `Selecting "${selector}" needs the handler's eventNames option (replayFrom: "transport" subscribes to each event by name).`;
      const prefix = selector === "*" ? "" : selector.slice(0, -1);
      for (const name of eventNames) if (name.startsWith(prefix)) names.add(name);
    } else {
      names.add(selector);
    }
  }
  const channels: SseLogChannel[] = [];
  for (const name of [...names].sort()) {
    if (selection.topics !== undefined) {
      if (!isScoped(name)) continue; // as bus.subscribe(…, { topic }): an unscoped event has no topic
      for (const topic of selection.topics) channels.push({ name, topic, key: `${name}:${topic}` });
    } else if (isScoped(name)) {
      return `"${name}" has a channel per topic: select it with a topic (?topic=…) when events are replayed from the transport.`;
    } else {
      channels.push({ name, topic: undefined, key: name });
    }
  }
  return channels.length === 0 ? "The selection covers no channel." : channels;
}

function encodeCursor(channels: readonly SseLogChannel[], positions: ReadonlyMap<string, string>): string | undefined {
  if (channels.length === 1) return positions.get((channels[0] as SseLogChannel).key);
  const parts: string[] = [];
  for (const channel of channels) {
    const position = positions.get(channel.key);
    if (position !== undefined) parts.push(`${encodeURIComponent(channel.key)}=${position}`);
  }
  return parts.length === 0 ? undefined : parts.join("&");
}

function decodeCursor(channels: readonly SseLogChannel[], id: string): Map<string, string> {
  const positions = new Map<string, string>();
  if (channels.length === 1 && !id.includes("=")) {
    positions.set((channels[0] as SseLogChannel).key, id);
    return positions;
  }
  for (const pair of id.split("&")) {
    const equals = pair.indexOf("=");
    if (equals < 0) continue;
    try {
      positions.set(decodeURIComponent(pair.slice(0, equals)), pair.slice(equals + 1));
    } catch {
      // A mangled pair resumes nothing of its channel (a gap follows).
    }
  }
  return positions;
}

/** The snapshot frames of some channels and how many there are. */
export interface SseLogSnapshot {
  readonly frames: string;
  readonly count: number;
}

export interface SseLogSettings {
  /** Reads the snapshot of `channels` (those a connection does not resume); absent: no snapshot. */
  readonly snapshot?: (channels: readonly SseLogChannel[]) => Promise<SseLogSnapshot>;
  readonly clientQueue: number;
  readonly writeBatch: number;
  readonly retryMs: number;
  /** The envelope's JSON, computed once per envelope however many connections send it. */
  readonly jsonOf: (envelope: EventEnvelope<AnyEvent>) => string;
}

const ignore = (): void => {};

/** Opens a connection that reads `channels` from the transport's log, resuming after `lastEventId`. */
export function openSseLogReader(
  hub: SseConnectionHub,
  bus: SseBus,
  sink: SseSink,
  channels: readonly SseLogChannel[],
  lastEventId: string | undefined,
  settings: SseLogSettings,
): SseServerConnection {
  const positions = lastEventId === undefined ? new Map<string, string>() : decodeCursor(channels, lastEventId);
  /** Frames to write; gap frames of a failed resume are kept apart so they precede the live frame. */
  let pending: string[] = [];
  const resumeGaps: string[] = [];
  let started = false;
  let resumeFailed = false;
  const unsubscribes = new Map<string, Unsubscribe>();
  const deliveredOn = new Set<string>();
  /** Channels that do not resume from a position: they get the snapshot. */
  const unresumed = new Set<string>();
  /** The positions before the first frame queued ahead of the live frame: the live frame's id must not skip those frames. */
  let livePositions: Map<string, string> | undefined;
  const connection: SseServerConnection = {
    sink,
    blocked: false,
    open: true,
    wroteSinceTick: true,
    queued: () => pending.length,
    release() {
      for (const unsubscribe of unsubscribes.values()) unsubscribe();
      unsubscribes.clear();
      pending = [];
    },
    produce() {
      if (!started || pending.length === 0) return "";
      let size = 0;
      let count = 0;
      while (count < pending.length && size < settings.writeBatch) size += (pending[count++] as string).length;
      const chunk = count === pending.length ? pending.join("") : pending.slice(0, count).join("");
      pending = count === pending.length ? [] : pending.slice(count);
      return chunk;
    },
  };

  const enqueue = (frame: string): void => {
    if (!connection.open) return;
    // Only a connection that is not taking frames overflows: frames queued while it is writable go
    // out on the next microtask (a catch-up read hands over up to the transport's read count at once).
    if (connection.blocked && pending.length >= settings.clientQueue) {
      // No id in the gap: the positions here are of frames queued, not of frames the client got.
      // Its own last id is the one to resume from.
      hub.overflow(connection, { reason: "overflow", resync: false });
      return;
    }
    pending.push(frame);
    if (started && !connection.blocked) hub.wake(connection);
  };

  const subscribeChannel = (channel: SseLogChannel, from: string | undefined): Unsubscribe => {
    const onEnvelope = (envelope: EventEnvelope<AnyEvent>, delivery: Delivery): void => {
      if (!started && livePositions === undefined) livePositions = new Map(positions);
      if (delivery.position !== undefined) positions.set(channel.key, delivery.position);
      deliveredOn.add(channel.key);
      enqueue(`id: ${encodeCursor(channels, positions) ?? ""}\ndata: ${settings.jsonOf(envelope)}\n\n`);
    };
    const onGap = (gap: PositionGap): void => {
      // Nothing from the middle of the log: the channel restarts live, and the gap frame goes out once
      // that subscription is confirmed (a client resyncing on it misses nothing published after).
      // Before anything of the channel was delivered, it is the resume that failed (the transport
      // finds out on its first read, which may come after the live frame).
      unsubscribes.get(channel.key)?.();
      positions.delete(channel.key);
      const initial = from !== undefined && !deliveredOn.has(channel.key);
      if (!started) {
        resumeFailed = true;
        unresumed.add(channel.key);
        livePositions?.delete(channel.key);
      }
      const live = subscribeChannel(channel, undefined);
      unsubscribes.set(channel.key, live);
      const frame = sseGapFrame({ reason: initial ? "resume-too-old" : "trimmed", resync: true, lastEventId: gap.after, channel: channel.key });
      live.ready.then(() => (started ? enqueue(frame) : resumeGaps.push(frame)), ignore);
    };
    const options: SubscribeOptions = channel.topic === undefined ? { onGap } : { topic: channel.topic, onGap };
    return bus.subscribe(channel.name, onEnvelope, from === undefined ? options : { ...options, from });
  };

  hub.add(connection);
  try {
    for (const channel of channels) {
      const from = positions.get(channel.key);
      if (from === undefined) unresumed.add(channel.key);
      let unsubscribe: Unsubscribe;
      try {
        unsubscribe = subscribeChannel(channel, from);
      } catch (error) {
        if (from === undefined) throw error;
        // A position the transport does not accept (mangled, another deployment's): resume nothing of it.
        positions.delete(channel.key);
        unresumed.add(channel.key);
        resumeFailed = true;
        resumeGaps.push(sseGapFrame({ reason: "resume-too-old", resync: true, lastEventId: from, channel: channel.key }));
        unsubscribe = subscribeChannel(channel, undefined);
      }
      unsubscribes.set(channel.key, unsubscribe);
    }
  } catch (error) {
    hub.report(error);
    hub.finish(connection);
    return connection;
  }
  if (lastEventId !== undefined && positions.size === 0 && !resumeFailed) {
    resumeFailed = true;
    resumeGaps.push(sseGapFrame({ reason: "resume-too-old", resync: true, lastEventId }));
  }
  hub.write(connection, `retry: ${settings.retryMs}\n\n`);
  // The live frame once every subscription is confirmed (and the snapshot read): what is published
  // after that reaches the client.
  const confirmed = Promise.all([...unsubscribes.values()].map((unsubscribe) => unsubscribe.ready));
  const snapshot = settings.snapshot;
  confirmed
    .then(async (): Promise<SseLogSnapshot> => {
      if (snapshot === undefined || !connection.open) return { frames: "", count: 0 };
      const wanted = channels.filter((channel) => unresumed.has(channel.key));
      return wanted.length === 0 ? { frames: "", count: 0 } : snapshot(wanted);
    })
    .then(
      ({ frames, count }) => {
        if (!connection.open) return;
        const live = sseLiveFrame({ resumed: lastEventId !== undefined && !resumeFailed, replayed: 0, snapshot: count }, encodeCursor(channels, livePositions ?? positions));
        pending = frames === "" ? [...resumeGaps.splice(0), live, ...pending] : [...resumeGaps.splice(0), frames, live, ...pending];
        started = true;
        hub.wake(connection);
      },
      (error: unknown) => {
        hub.report(error);
        hub.finish(connection);
      },
    );
  return connection;
}
