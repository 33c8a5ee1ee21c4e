/**
 * The demo server: the simulated activity feed goes through the bus to the SSE handler — served as
 * Server-Sent Events (`/events`) and, through the WebSocket hub, over WebSockets (`/live`) — and a
 * small page renders it live through the generated client of either channel and the coalescer
 * (demo/app.ts, bundled for the browser when the server starts). The page switches channel live —
 * SSE, WebSocket, polling — resuming on the new one from the last id of the old. Other processes
 * publish into the feed through the hub (demo/spoke.ts), for the sessions the page shows.
 *
 * Two setups, one page:
 * - In process (no `redisUrl`): the in-process bus; the handler replays from its buffer and keeps
 *   the late-joiner snapshot in memory. A cut connection resumes without loss; a restarted server
 *   has an empty buffer, so its clients get a gap and the snapshot.
 * - Redis (`redisUrl`): the Redis Streams transport; the handler replays from the streams
 *   (`replayFrom: "transport"`) and the snapshot lives in Redis, recorded by the publisher
 *   (`recordSnapshots`). The page's resume id names its position in every channel, so a cut
 *   connection and a restarted server both resume without losing an event, and any instance can
 *   serve it. When Redis goes away the page says so; what Redis itself loses (a restart without
 *   persistence) comes to the page as a gap, after which it rebuilds its state.
 *
 * A Streams selection names its channels: the page selects the events it renders for the
 * simulator's sessions (`events` × `topics`), and its resume id — a position per channel — must fit
 * 4,096 characters, which allows 12 sessions here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { WebSocketServer } from "ws";
import {
  binding,
  createBus,
  createRedisSnapshotStore,
  createRedisStreamTransport,
  createSseHandler,
  createWebSocketHub,
  eventNames,
  recordSnapshots,
  sseLogChannels,
  type Bus,
  type Catalogue,
  type SnapshotStore,
  type SseHandler,
  type Transport,
} from "../generated/runtime/index.js";
import { demoPage, type DemoPageConfig } from "./page.js";
import { createSimulator, type Simulator, type SimulatorOptions } from "./simulator.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The events the page renders; it asks for them on every session's topic. */
export const DEMO_EVENTS = ["session.created", "session.status", "message.updated", "message.part.updated", "message.part.delta"] as const;
/** Where the demo keeps its streams and its snapshot in Redis. */
export const DEMO_STREAM_PREFIX = "demo:events:";
export const DEMO_SNAPSHOT_PREFIX = "demo:snapshot:";

export interface DemoServerOptions extends SimulatorOptions {
  /** Port to listen on (0: any free port). Default 0. */
  port?: number;
  /** Redis URL; the in-process transport when absent. */
  redisUrl?: string;
}

export interface DemoServer {
  readonly url: string;
  readonly bus: Bus<Catalogue>;
  readonly simulator: Simulator;
  /** Cuts every open SSE connection on the server side (the page must reconnect and resume). */
  dropConnections(): number;
  close(): Promise<void>;
}

/** The demo's transport over Redis, as every publisher of the demo's events sets it up. */
export interface DemoRedis {
  readonly transport: Transport;
  readonly snapshots: SnapshotStore;
  /** Ends what the transport leaves open: the snapshot store's pending writes (the bus closes the transport). */
  close(): Promise<void>;
}

/**
 * The Redis Streams transport under the demo's prefix, recording the late-joiner snapshot before
 * each event enters its stream. A process that publishes the demo's events uses this, so pages
 * see its events and the snapshot holds them.
 */
export async function connectDemoRedis(url: string): Promise<DemoRedis> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url);
  const snapshots = createRedisSnapshotStore({ client, prefix: DEMO_SNAPSHOT_PREFIX, binding });
  const transport = recordSnapshots(createRedisStreamTransport({ client, prefix: DEMO_STREAM_PREFIX }), { binding, store: snapshots });
  return { transport, snapshots, close: () => snapshots.close() };
}

/** The session ids of the simulator, which the page selects as topics. */
export function demoSessions(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `ses_${index + 1}`);
}

export async function createDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const sessions = options.sessions ?? 3;
  if (!Number.isInteger(sessions) || sessions < 1) throw new Error(`demo: sessions must be a whole number, 1 or more (was ${sessions})`);
  const selection = { events: [...DEMO_EVENTS], topics: demoSessions(sessions) };
  const app = await build({ entryPoints: [path.join(HERE, "app.ts")], bundle: true, format: "esm", platform: "browser", write: false, minify: true, logLevel: "silent" });
  const script = app.outputFiles[0]!.text;

  let redis: DemoRedis | undefined;
  let sse: SseHandler;
  let bus: Bus<Catalogue>;
  if (options.redisUrl === undefined) {
    bus = createBus();
    sse = createSseHandler(bus, { binding, snapshot: true, heartbeatMs: 5000 });
  } else {
    // Every event the page selects is scoped by session: the channels are events × sessions.
    const channels = sseLogChannels(selection, eventNames, () => true);
    if (typeof channels === "string") throw new Error(`demo: ${sessions} sessions are more than the page can select over Redis Streams: ${channels}`);
    redis = await connectDemoRedis(options.redisUrl);
    bus = createBus({ transport: redis.transport });
    sse = createSseHandler(bus, { binding, eventNames, replayFrom: "transport", snapshot: { store: redis.snapshots }, heartbeatMs: 5000 });
  }
  await sse.ready;
  // Spokes (demo/spoke.ts) publish through the hub onto the demo's bus, for the sessions the page shows.
  const sessionIDs = new Set(selection.topics);
  const hub = createWebSocketHub(sse, { WebSocketServer, bus, binding, authorizePublish: (_request, envelope) => envelope.topic !== undefined && sessionIDs.has(envelope.topic) });
  const simulator = createSimulator(bus, options);
  const page = demoPage({ ...selection, transport: redis === undefined ? "in-process bus" : "Redis Streams" } satisfies DemoPageConfig);
  const streams = new Set<ServerResponse>();
  /** Sockets upgraded to the WebSocket hub. */
  const sockets = new Set<{ destroy(): unknown }>();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://demo");
    if (url.pathname === "/events") {
      streams.add(response);
      response.on("close", () => streams.delete(response));
      sse.node(request, response);
    } else if (url.pathname === "/app.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
    } else if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
    } else {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found.");
    }
  });
  server.on("upgrade", (request, socket, head) => {
    if (new URL(request.url ?? "/", "http://demo").pathname !== "/live") return void socket.destroy();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    hub.upgrade(request, socket, head);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await hub.close();
    await sse.close();
    await redis?.close();
    await bus.close();
    const busy = (error as { code?: string }).code === "EADDRINUSE";
    throw busy ? new Error(`demo: port ${options.port} is in use; choose another with PORT=…`, { cause: error }) : error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    bus,
    simulator,
    dropConnections() {
      const count = streams.size + sockets.size;
      for (const response of streams) response.socket?.destroy();
      for (const socket of sockets) socket.destroy();
      return count;
    },
    async close() {
      await simulator.stop();
      await hub.close();
      await sse.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis?.close();
      await bus.close();
    },
  };
}
