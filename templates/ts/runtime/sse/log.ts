/**
 * SSE connections that replay from the transport's log (`createSseHandler(bus, { replayFrom:
 * "transport" })`, over Redis Streams): each connection subscribes to its channels on the bus,
 * resuming each from the position its client last received, so any server instance that shares the
 * stream can resume any client.
 *
 * Ids. A position belongs to one channel, so the SSE id is the client's position in every channel
 * of its selection: the bare position for a one-channel selection (`1718000000000-3`), otherwise
 * `<channel>=<position>` pairs joined by `&` (channel names URI-encoded). Channels are those the
 * selection covers in this catalogue, in name order, so every instance reads an id the same way.
 * From the `live` frame on, every channel is in it: a channel the client has received nothing on
 * yet has the position its subscription started at (the stream's end then, `0-0` for no stream), so
 * what is published on it while the client reconnects is replayed, not lost.
 *
 * The cursor grammar, checked before anything of an id is used: visible ASCII, at most
 * `MAX_CURSOR_LENGTH` characters; a bare position (one-channel selection) or pairs, each naming a
 * channel of the selection (URI-encoded as written) at most once, each position two unsigned 64-bit
 * decimals (`isStreamPosition`). An id that breaks it — another channel's position, a one-channel id
 * for several channels, junk — resumes nothing: a `gap` (`resume-too-old`, no channel) and
 * `resumed: false`. A selection whose cursor could outgrow `MAX_CURSOR_LENGTH` is refused by
 * `sseLogChannels` (see `sseLogCursorBound`).
 *
 * Recovery per channel is all or nothing: a position the transport no longer keeps, or one ahead of
 * its stream, gives a `gap` frame for that channel (`resume-too-old`), and the channel restarts live —
 * nothing from the middle of the log. A channel whose stream cannot be read any more (its key
 * overwritten) gets a gap and, when it cannot be subscribed again, ends the connection.
 *
 * Snapshot (when the handler has a store): once every subscription is confirmed, the connection reads
 * the latest envelope of each key of the channels it does not resume from a position (all of them on
 * a first connection), and sends those `snapshot` frames before the `live` frame. What its
 * subscriptions deliver meanwhile waits behind them; the publishers record each envelope before it
 * enters the stream, so an envelope the subscriptions missed is in the snapshot (or a newer one of its
 * key), and one they deliver may be in both.
 *
 * Ownership: a connection holds at most one subscription per channel (a channel given twice is read
 * once), including those it makes again after a gap, and its `close()` — whatever ends the
 * connection — releases every one of them and its queue; nothing is subscribed after it.
 *
 * Memory: frames wait in a per-connection queue while the client is not taking them; past
 * `clientQueue` the client gets a `gap` (`overflow`, `resync: false`: its id is still good for the
 * log) and the connection ends. A writable connection may hold one transport read more than that
 * for a moment (a catch-up read delivers up to the transport's `readCount` at once).
 */
import { isWireId, MAX_CURSOR_LENGTH, type EventEnvelope } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import type { Delivery, SubscribeOptions, Unsubscribe } from "../bus/bus.js";
import type { SseConnect, SseServerConnection, SseSource } from "./connection.js";
import { coveredNames, sseGapFrame, sseLiveFrame, type SseSelection } from "./protocol.js";
import { isStreamPosition, type PositionGap } from "../transports/transport.js";

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
  const wildcard = eventNames === undefined ? selection.events.find((selector) => selector === "*" || selector.endsWith(".*")) : undefined;
  if (wildcard !== undefined) return `Selecting "${wildcard}" needs the handler's eventNames option (replayFrom: "transport" subscribes to each event by name).`;
  const names = coveredNames(selection.events, eventNames ?? []);
  const channels: SseLogChannel[] = [];
  const topics = selection.topics === undefined ? undefined : [...new Set(selection.topics)].sort();
  for (const name of [...names].sort()) {
    if (topics !== undefined) {
      if (!isScoped(name)) continue; // as bus.subscribe(…, { topic }): an unscoped event has no topic
      for (const topic of topics) channels.push({ name, topic, key: `${name}:${topic}` });
    } else if (isScoped(name)) {
      return `"${name}" has a channel per topic: select it with a topic (?topic=…) when events are replayed from the transport.`;
    } else {
      channels.push({ name, topic: undefined, key: name });
    }
  }
  if (channels.length === 0) return "The selection covers no channel.";
  const bound = sseLogCursorBound(channels);
  if (bound > MAX_CURSOR_LENGTH) {
    return `The selection's ${channels.length} channels need a resume id of up to ${bound} characters, more than ${MAX_CURSOR_LENGTH}: select fewer channels (or shorter topics).`;
  }
  return channels;
}

/** The longest position: two 20-digit decimals and a dash (`isStreamPosition`). */
const MAX_POSITION_LENGTH = 41;

/** `encodeURIComponent(key)`, or undefined for a key that is not well-formed text (a lone surrogate). */
function encodeKey(key: string): string | undefined {
  try {
    return encodeURIComponent(key);
  } catch {
    return undefined;
  }
}

/**
 * The longest id a connection reading `channels` can write: a bare position for one channel, else
 * one `<encoded channel>=<position>` pair per channel joined by `&` — Σ (encoded length + 42) − 1.
 * `sseLogChannels` refuses a selection over `MAX_CURSOR_LENGTH`; a channel that cannot be encoded
 * counts as too long.
 */
export function sseLogCursorBound(channels: readonly SseLogChannel[]): number {
  if (channels.length === 1) return MAX_POSITION_LENGTH;
  let length = -1;
  for (const channel of channels) length += (encodeKey(channel.key)?.length ?? MAX_CURSOR_LENGTH) + 1 + MAX_POSITION_LENGTH + 1;
  return length;
}

/** A channel of a connection with its name as the cursor writes it. */
interface CursorChannel {
  readonly key: string;
  /** `encodeURIComponent(key)`; undefined when it cannot be encoded (then never in a cursor). */
  readonly encoded: string | undefined;
}

/** The cursor of `positions` (each channel's own, else where its subscription started), or undefined when it has none. */
function encodeCursor(channels: readonly CursorChannel[], positionOf: (key: string) => string | undefined): string | undefined {
  if (channels.length === 1) return positionOf((channels[0] as CursorChannel).key);
  const parts: string[] = [];
  for (const channel of channels) {
    const position = positionOf(channel.key);
    if (position !== undefined && channel.encoded !== undefined) parts.push(`${channel.encoded}=${position}`);
  }
  return parts.length === 0 ? undefined : parts.join("&");
}

/** The positions an id names by channel key, or undefined when it breaks the cursor grammar (see the top of this file). */
function decodeCursor(channels: readonly CursorChannel[], id: string): Map<string, string> | undefined {
  if (!isWireId(id, MAX_CURSOR_LENGTH)) return undefined;
  const positions = new Map<string, string>();
  if (channels.length === 1 && isStreamPosition(id)) {
    positions.set((channels[0] as CursorChannel).key, id);
    return positions;
  }
  const byName = new Map<string, string>();
  for (const channel of channels) if (channel.encoded !== undefined) byName.set(channel.encoded, channel.key);
  for (const pair of id.split("&")) {
    const equals = pair.indexOf("=");
    const key = equals < 0 ? undefined : byName.get(pair.slice(0, equals));
    const position = pair.slice(equals + 1);
    if (key === undefined || positions.has(key) || !isStreamPosition(position)) return undefined;
    positions.set(key, position);
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

/**
 * Opens a connection (`connect`) that reads `channels` from the transport's log, resuming after
 * `lastEventId`; failures with no client to tell go to `report`.
 */
export function openSseLogReader(
  connect: SseConnect,
  report: (error: unknown) => void,
  bus: SseBus,
  given: readonly SseLogChannel[],
  lastEventId: string | undefined,
  settings: SseLogSettings,
): SseServerConnection {
  // One subscription per channel key, whatever the caller passed.
  const byKey = new Map<string, SseLogChannel>();
  for (const channel of given) if (!byKey.has(channel.key)) byKey.set(channel.key, channel);
  const channels = [...byKey.values()];
  const cursorChannels: CursorChannel[] = channels.map((channel) => ({ key: channel.key, encoded: encodeKey(channel.key) }));

  const resumeFrom = lastEventId === undefined ? undefined : decodeCursor(cursorChannels, lastEventId);
  /** The position of each channel's last frame queued (or the one it resumes from). */
  const positions = resumeFrom ?? new Map<string, string>();
  /** Where each channel's current subscription started: its position until it delivers one. */
  const starts = new Map<string, string>();
  const positionOf = (key: string): string | undefined => positions.get(key) ?? starts.get(key);
  /** Frames to write; gap frames of a failed resume are kept apart so they precede the live frame. */
  let pending: string[] = [];
  const resumeGaps: string[] = [];
  let started = false;
  let resumeFailed = false;
  /** Every subscription the connection holds, one per channel key: what `release()` drops. */
  const subscriptions = new Map<string, Unsubscribe>();
  let released = false;
  const deliveredOn = new Set<string>();
  /** Channels that do not resume from a position: they get the snapshot. */
  const unresumed = new Set<string>();
  /** The positions before the first frame queued ahead of the live frame: the live frame's id must not skip those frames. */
  let livePositions: Map<string, string> | undefined;
  const source: SseSource = {
    queued: () => pending.length,
    release() {
      released = true;
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
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
  const connection = connect(source);

  const enqueue = (frame: string): void => {
    if (!connection.open) return;
    // Only a connection that is not taking frames overflows: frames queued while it is writable go
    // out on the next microtask (a catch-up read hands over up to the transport's read count at once).
    if (connection.blocked && pending.length >= settings.clientQueue) {
      // No id in the gap: the positions here are of frames queued, not of frames the client got.
      // Its own last id is the one to resume from.
      connection.overflow({ reason: "overflow", resync: false });
      return;
    }
    pending.push(frame);
    if (started && !connection.blocked) connection.wake();
  };

  /** Ends the connection after a gap it cannot recover from: the gap goes out first, past the queue. */
  const failChannel = (error: unknown, frame: string): void => {
    report(error);
    if (!connection.open) return;
    connection.write(frame);
    connection.finish();
  };

  /** Subscribes `channel` (from `from`, else live), replacing the connection's subscription of it. */
  const hold = (channel: SseLogChannel, from: string | undefined): Unsubscribe | undefined => {
    subscriptions.get(channel.key)?.();
    subscriptions.delete(channel.key);
    starts.delete(channel.key);
    if (released) return undefined;
    const unsubscribe = subscribeChannel(channel, from);
    subscriptions.set(channel.key, unsubscribe);
    unsubscribe.ready.then(() => {
      const start = subscriptions.get(channel.key) === unsubscribe ? unsubscribe.position() : undefined;
      if (start !== undefined) starts.set(channel.key, start);
    }, ignore);
    return unsubscribe;
  };

  const subscribeChannel = (channel: SseLogChannel, from: string | undefined): Unsubscribe => {
    const onEnvelope = (envelope: EventEnvelope<AnyEvent>, delivery: Delivery): void => {
      if (!started && livePositions === undefined) livePositions = new Map(positions);
      if (delivery.position !== undefined) positions.set(channel.key, delivery.position);
      deliveredOn.add(channel.key);
      enqueue(`id: ${encodeCursor(cursorChannels, positionOf) ?? ""}\ndata: ${settings.jsonOf(envelope)}\n\n`);
    };
    const onGap = (gap: PositionGap): void => {
      // Nothing from the middle of the log: the channel restarts live, and the gap frame goes out once
      // that subscription is confirmed (a client resyncing on it misses nothing published after).
      // Before anything of the channel was delivered, it is the resume that failed (the transport
      // finds out on its first read, which may come after the live frame).
      positions.delete(channel.key);
      const initial = from !== undefined && !deliveredOn.has(channel.key);
      if (!started) {
        resumeFailed = true;
        unresumed.add(channel.key);
        livePositions?.delete(channel.key);
      }
      const frame = sseGapFrame({ reason: initial ? "resume-too-old" : "trimmed", resync: true, lastEventId: gap.after, channel: channel.key });
      const live = hold(channel, undefined);
      if (live === undefined) return;
      live.ready.then(
        () => (started ? enqueue(frame) : resumeGaps.push(frame)),
        // Before the live frame, waiting for every subscription fails the connection; after it, here.
        (error: unknown) => (started ? failChannel(error, frame) : undefined),
      );
    };
    const options: SubscribeOptions = channel.topic === undefined ? { onGap } : { topic: channel.topic, onGap };
    return bus.subscribe(channel.name, onEnvelope, from === undefined ? options : { ...options, from });
  };

  /** Resolves once every subscription the connection holds is confirmed, those made again after a gap included. */
  const confirmed = async (): Promise<void> => {
    for (;;) {
      const current = [...subscriptions.values()];
      await Promise.all(current.map((unsubscribe) => unsubscribe.ready));
      const held = new Set(subscriptions.values());
      if (released || current.every((unsubscribe) => held.has(unsubscribe))) return;
    }
  };

  if (lastEventId !== undefined && resumeFrom === undefined) {
    resumeFailed = true;
    resumeGaps.push(sseGapFrame({ reason: "resume-too-old", resync: true, lastEventId }));
  }
  try {
    for (const channel of channels) {
      const from = positions.get(channel.key);
      if (from === undefined) unresumed.add(channel.key);
      try {
        hold(channel, from);
      } catch (error) {
        if (from === undefined) throw error;
        // A position the transport does not accept: resume nothing of it.
        positions.delete(channel.key);
        unresumed.add(channel.key);
        resumeFailed = true;
        resumeGaps.push(sseGapFrame({ reason: "resume-too-old", resync: true, lastEventId: from, channel: channel.key }));
        hold(channel, undefined);
      }
    }
  } catch (error) {
    report(error);
    connection.finish();
    return connection;
  }
  connection.write(`retry: ${settings.retryMs}\n\n`);
  // The live frame once every subscription is confirmed (and the snapshot read): what is published
  // after that reaches the client, and every channel has a position in its id.
  const snapshot = settings.snapshot;
  confirmed()
    .then(async (): Promise<SseLogSnapshot> => {
      if (snapshot === undefined || !connection.open) return { frames: "", count: 0 };
      const wanted = channels.filter((channel) => unresumed.has(channel.key));
      return wanted.length === 0 ? { frames: "", count: 0 } : snapshot(wanted);
    })
    .then(
      ({ frames, count }) => {
        if (!connection.open) return;
        const before = livePositions;
        const cursor = encodeCursor(cursorChannels, before === undefined ? positionOf : (key) => before.get(key) ?? starts.get(key));
        const live = sseLiveFrame({ resumed: lastEventId !== undefined && !resumeFailed, replayed: 0, snapshot: count }, cursor);
        pending = frames === "" ? [...resumeGaps.splice(0), live, ...pending] : [...resumeGaps.splice(0), frames, live, ...pending];
        started = true;
        connection.wake();
      },
      (error: unknown) => {
        report(error);
        connection.finish();
      },
    );
  return connection;
}
