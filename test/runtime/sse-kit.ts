/**
 * Test plumbing for SSE over real HTTP: an SSE handler served by Node's http on 127.0.0.1 — either
 * through `handler.node` or through `handler.fetch` with a real `Request` built from the request and
 * the real `Response` body piped back (what Hono's and Next.js's Node adapters do) — with the server
 * side able to cut every open connection at once; and a raw reader of an event stream.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { SseHandler } from "../../templates/ts/runtime/sse/server.js";

export interface ServedSse {
  readonly url: string;
  readonly port: number;
  /** Destroys every open socket from the server's side (a crash of the connection, no goodbye). */
  cut(): number;
  /** Bytes the server's sockets hold in user space, written but not yet handed to the kernel. */
  buffered(): number;
  /** Open sockets. */
  readonly sockets: number;
  close(): Promise<void>;
}

/** Serves a fetch-style handler on Node's http: a real Request in, the real Response's body out, with back-pressure. */
export function fetchOnNode(handle: (request: Request) => Promise<Response>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const aborter = new AbortController();
    res.on("close", () => aborter.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, signal: aborter.signal });
    void handle(request).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body === null) {
        res.end();
        return;
      }
      const reader = response.body.getReader();
      res.on("close", () => void reader.cancel().catch(() => {}));
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!res.write(value)) await drained(res);
        }
        res.end();
      } catch {
        res.destroy();
      }
    });
  };
}

/** Resolves when `res` drains or closes; a slow reader waits many times over, so its listeners go each time. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.once("drain", done).once("close", done);
  });
}

/** Serves `handler` at `path`; with `upgrade`, WebSocket upgrades go to it (a hub's `upgrade`). */
export async function serve(handler: SseHandler, via: "node" | "fetch" = "node", path = "/events", upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): Promise<ServedSse> {
  const sockets = new Set<Socket>();
  const onRequest = via === "node" ? handler.node : fetchOnNode((request) => handler.fetch<Response>(request));
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith(path) === true) onRequest(req, res);
    else res.writeHead(404).end();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  if (upgrade !== undefined) server.on("upgrade", upgrade);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}${path}`,
    port: address.port,
    buffered() {
      let bytes = 0;
      for (const socket of sockets) bytes += socket.writableLength;
      return bytes;
    },
    get sockets() {
      return sockets.size;
    },
    cut() {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      return count;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw reader of an event stream: every frame as eventsource-parser gives it, and the HTTP status. */
export interface RawStream {
  readonly status: number;
  readonly frames: EventSourceMessage[];
  /** Resolves once a frame matching `test` arrived (or rejects after `timeout` ms). */
  until(test: (frame: EventSourceMessage) => boolean, timeout?: number): Promise<EventSourceMessage>;
  /** The response body as text, when it ended (a refusal). */
  readonly text: Promise<string>;
  close(): void;
}

export async function openRaw(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const aborter = new AbortController();
  const response = await fetch(url, { headers, signal: aborter.signal });
  const frames: EventSourceMessage[] = [];
  const waiting: { test: (frame: EventSourceMessage) => boolean; resolve: (frame: EventSourceMessage) => void }[] = [];
  const parser = createParser({
    onEvent(frame) {
      frames.push(frame);
      for (const wait of [...waiting]) {
        if (wait.test(frame)) {
          waiting.splice(waiting.indexOf(wait), 1);
          wait.resolve(frame);
        }
      }
    },
  });
  const decoder = new TextDecoder();
  let body = "";
  const text = (async () => {
    if (response.body === null) return "";
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        body += chunk;
        parser.feed(chunk);
      }
    } catch {
      // aborted
    }
    return body;
  })();
  return {
    status: response.status,
    frames,
    text,
    until(test, timeout = 5000) {
      const found = frames.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeout} ms; got ${JSON.stringify(frames.map((frame) => frame.event ?? "message"))}`)), timeout);
        waiting.push({
          test,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        });
      });
    },
    close: () => aborter.abort(),
  };
}

/** A `message.part.delta` payload whose `delta` carries a sequence number. */
export function delta(n: number, sessionID = "s1", pad = "") {
  return { sessionID, messageID: "m1", partID: "p1", field: "text", delta: `${n}${pad}` };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `probe()` holds; on timeout the error says what was awaited and, when given, where things stood. */
export async function waitFor(what: string, probe: () => boolean, timeout = 10_000, state?: () => string): Promise<void> {
  const end = Date.now() + timeout;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${state === undefined ? "" : ` (${state()})`}`);
    await sleep(5);
  }
}
