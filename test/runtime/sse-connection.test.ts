/**
 * One SSE connection owns what it created and releases it in one `close()`: its source (the
 * subscriptions and queue of a log reader, a reader of the ring), its place under the server's caps
 * and its destroy timer — whatever ends it, however often. The server's side (`SseServerConnections`)
 * flushes, beats and admits. Driven here with a sink that records what it is given; the handler's
 * own tests (sse-server, sse-hostile, sse-streams-hostile) drive the same objects over real HTTP.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { SseServerConnections, type SseServerConnection, type SseSource } from "../../templates/ts/runtime/sse/connection.js";
import type { SseSink } from "../../templates/ts/runtime/sse/http.js";
import { HttpRefusal } from "../../templates/ts/runtime/sse/selection.js";

interface RecordingSink extends SseSink {
  readonly written: string[];
  ended: number;
  destroyed: number;
  /** Whether write takes more; onDrain listeners wait for `drain()`. */
  full: boolean;
  drain(): void;
}

function recordingSink(): RecordingSink {
  let listeners: (() => void)[] = [];
  const sink: RecordingSink = {
    written: [],
    ended: 0,
    destroyed: 0,
    full: false,
    write(chunk) {
      sink.written.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      return !sink.full;
    },
    onDrain: (listener) => void listeners.push(listener),
    end: () => void (sink.ended += 1),
    destroy: () => void (sink.destroyed += 1),
    drain() {
      sink.full = false;
      const waiting = listeners;
      listeners = [];
      for (const listener of waiting) listener();
    },
  };
  return sink;
}

/** A source of queued frames that counts its releases. */
function queueSource(frames: string[] = []): SseSource & { frames: string[]; releases: number } {
  const source = {
    frames,
    releases: 0,
    produce: () => source.frames.shift() ?? "",
    queued: () => source.frames.length,
    release() {
      source.releases += 1;
      source.frames = [];
    },
  };
  return source;
}

const SETTINGS = { heartbeatMs: 1000, closeTimeoutMs: 500, maxConnections: 2, maxServerChannels: 5 };
const flushed = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function opened(connections: SseServerConnections, channels: number, source: SseSource, sink: SseSink = recordingSink()): SseServerConnection {
  const admission = connections.admit(channels, (connect) => connect(source));
  if (admission instanceof HttpRefusal) throw admission;
  return admission.open(sink);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("an SSE connection", () => {
  test("close_releases_its_source_once_and_gives_back_its_place_under_the_caps_however_often_it_is_called", () => {
    const connections = new SseServerConnections(SETTINGS, () => {});
    const source = queueSource(["a"]);
    const connection = opened(connections, 3, source);
    expect([connections.size, connections.channels, connections.queuedFrames()]).toEqual([1, 3, 1]);
    connection.close();
    connection.close();
    connection.finish();
    connection.overflow({ reason: "overflow", resync: true });
    expect([source.releases, connections.size, connections.channels, connections.overflows, connection.open]).toEqual([1, 0, 0, 0, false]);
    // The place came back: two connections of the remaining channels fit again.
    opened(connections, 2, queueSource());
    opened(connections, 3, queueSource());
    expect(connections.admit(1, (connect) => connect(queueSource()))).toBeInstanceOf(HttpRefusal);
  });

  test("finish_writes_the_last_frame_ends_the_sink_and_destroys_it_after_closeTimeoutMs_unless_the_socket_closes_first", () => {
    vi.useFakeTimers();
    const connections = new SseServerConnections(SETTINGS, () => {});
    const first = recordingSink();
    const second = recordingSink();
    const slow = opened(connections, 1, queueSource(), first);
    const quick = opened(connections, 1, queueSource(), second);
    slow.overflow({ reason: "overflow", resync: true });
    quick.finish("bye\n\n");
    expect([first.written.at(-1)?.startsWith("event: gap\n"), first.ended, second.written.at(-1), second.ended]).toEqual([true, 1, "bye\n\n", 1]);
    expect(connections.overflows).toBe(1);
    // The quick socket closes in time: its destroy timer is cancelled by close().
    quick.close();
    vi.advanceTimersByTime(SETTINGS.closeTimeoutMs);
    expect([first.destroyed, second.destroyed]).toEqual([1, 0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a_blocked_sink_holds_the_source_until_it_drains_and_registers_one_drain_listener_however_much_is_written", async () => {
    const connections = new SseServerConnections(SETTINGS, () => {});
    const sink = recordingSink();
    let listeners = 0;
    const onDrain = sink.onDrain;
    sink.onDrain = (listener) => {
      listeners += 1;
      onDrain(listener);
    };
    const source = queueSource(["1", "2", "3"]);
    const connection = opened(connections, 1, source, sink);
    sink.full = true;
    connection.wake();
    await flushed();
    expect([sink.written, connection.blocked, source.queued()]).toEqual([["1"], true, 2]);
    connection.tell({ transport: "down", reason: "gone" });
    connection.write("x");
    expect(listeners).toBe(1);
    sink.drain();
    await flushed();
    expect([sink.written.slice(-2), connection.blocked, source.queued()]).toEqual([["2", "3"], false, 0]);
  });

  test("an_opener_that_throws_before_or_after_connecting_gives_the_place_back_and_releases_what_it_connected", () => {
    const connections = new SseServerConnections(SETTINGS, () => {});
    const before = connections.admit(4, () => {
      throw new Error("refused before connecting");
    });
    if (before instanceof HttpRefusal) throw before;
    expect(() => before.open(recordingSink())).toThrow("refused before connecting");
    const source = queueSource();
    const after = connections.admit(4, (connect) => {
      connect(source);
      throw new Error("refused after connecting");
    });
    if (after instanceof HttpRefusal) throw after;
    expect(() => after.open(recordingSink())).toThrow("refused after connecting");
    expect([source.releases, connections.size, connections.channels]).toEqual([1, 0, 0]);
    // An admission cancelled (its client left before it opened) gives its place back once.
    const cancelled = connections.admit(5, (connect) => connect(queueSource()));
    if (cancelled instanceof HttpRefusal) throw cancelled;
    cancelled.cancel();
    cancelled.cancel();
    expect(() => cancelled.open(recordingSink())).toThrow("one connection");
    expect(connections.channels).toBe(0);
    opened(connections, 5, queueSource());
  });

  test("the_heartbeat_writes_a_comment_to_a_connection_that_wrote_nothing_since_the_last_beat_and_stops_with_the_last_connection", () => {
    vi.useFakeTimers();
    const connections = new SseServerConnections(SETTINGS, () => {});
    const idle = recordingSink();
    const busy = recordingSink();
    const idleConnection = opened(connections, 1, queueSource(), idle);
    const busyConnection = opened(connections, 1, queueSource(), busy);
    // Each has just opened (counts as written): the first beat only resets them.
    vi.advanceTimersByTime(SETTINGS.heartbeatMs);
    busyConnection.write("data\n\n");
    vi.advanceTimersByTime(SETTINGS.heartbeatMs);
    expect([idle.written, busy.written]).toEqual([[":\n\n"], ["data\n\n"]]);
    idleConnection.close();
    busyConnection.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  test("finishAll_ends_every_open_connection_and_releases_each_source", () => {
    const connections = new SseServerConnections(SETTINGS, () => {});
    const sources = [queueSource(["a"]), queueSource(["b"])];
    const sinks = sources.map((source) => {
      const sink = recordingSink();
      opened(connections, 1, source, sink);
      return sink;
    });
    connections.finishAll();
    expect([sources.map((source) => source.releases), sinks.map((sink) => sink.ended), connections.size, connections.channels]).toEqual([[1, 1], [1, 1], 0, 0]);
  });
});
