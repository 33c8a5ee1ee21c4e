/**
 * The demo server: the simulated activity feed goes through the bus (in-process, or Redis pub/sub
 * when `REDIS_URL` is set) to the SSE handler, and a small page renders it live through the
 * generated SSE client and coalescer (demo/app.ts, bundled for the browser when the server starts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { binding, createBus, createRedisTransport, createSseHandler, type Bus, type Catalogue, type Transport } from "../generated/runtime/index.js";
import { createSimulator, type Simulator, type SimulatorOptions } from "./simulator.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

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

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>eventc live feed</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d2330; }
  h1 { font-size: 1.2rem; margin: 0 0 1rem; }
  #status { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; background: #ddd; }
  #status[data-kind="connected"] { background: #c8f0c8; }
  #status[data-kind="reconnecting"], #status[data-kind="degraded"] { background: #ffe2a8; }
  #status[data-kind="gap"], #status[data-kind="closed"] { background: #f6c2c2; }
  table { border-collapse: collapse; margin: 1rem 0; min-width: 40rem; }
  th, td { text-align: left; padding: .25rem .75rem; border-bottom: 1px solid #e4e6eb; vertical-align: top; }
  .muted { color: #6b7280; }
</style>
</head>
<body>
<h1>eventc live feed <span id="status" data-kind="connecting">connecting</span></h1>
<p class="muted"><span id="received">0</span> events received, <span id="flushes">0</span> frames rendered</p>
<table><thead><tr><th>session</th><th>status</th><th>latest text</th><th>tool</th></tr></thead><tbody id="sessions"></tbody></table>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

export async function createDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const app = await build({ entryPoints: [path.join(HERE, "app.ts")], bundle: true, format: "esm", platform: "browser", write: false, minify: true, logLevel: "silent" });
  const script = app.outputFiles[0]!.text;

  let transport: Transport | undefined;
  let closeRedis = async (): Promise<void> => {};
  if (options.redisUrl !== undefined) {
    const { Redis } = await import("ioredis");
    const publisher = new Redis(options.redisUrl);
    const subscriber = new Redis(options.redisUrl);
    transport = createRedisTransport({ publisher, subscriber, prefix: "demo:" });
    closeRedis = async () => {
      publisher.disconnect();
      subscriber.disconnect();
    };
  }
  const bus = createBus(transport === undefined ? {} : { transport });
  const sse = createSseHandler(bus, { binding, snapshot: true, heartbeatMs: 5000 });
  await sse.ready;
  const simulator = createSimulator(bus, options);
  const streams = new Set<ServerResponse>();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://demo");
    if (url.pathname === "/events") {
      streams.add(response);
      response.on("close", () => streams.delete(response));
      sse.node(request, response);
    } else if (url.pathname === "/app.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
    } else if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    bus,
    simulator,
    dropConnections() {
      const count = streams.size;
      for (const response of streams) response.socket?.destroy();
      return count;
    },
    async close() {
      await simulator.stop();
      await sse.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
      await closeRedis();
    },
  };
}
