/**
 * The two ways an SSE connection arrives — Node's `http` (request, response) and fetch-style
 * `Request → Response` — reduced to one request view and one sink with back-pressure, so the SSE
 * server has a single code path. Typed by the members used: no Node or DOM types are needed, and
 * the fetch side takes `ReadableStream`, `Response` and `TextEncoder` from the host at run time.
 *
 * Back-pressure: a sink's `write` returns false when the other end is not taking more — Node's
 * `write()` returned false (its buffer is past the high-water mark), or the ReadableStream's
 * `desiredSize` fell to 0 (the server framework has not read it) — and `onDrain` fires when it does
 * again (`drain`, or the stream's `pull`). The SSE server writes nothing more until then.
 */
import type { AbortSignalLike } from "../core/platform.js";

/** The part of Node's `IncomingMessage` the handler reads. */
export interface NodeRequestLike {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly headers: { readonly [name: string]: string | readonly string[] | undefined };
}

/** The part of Node's `ServerResponse` the handler writes to. */
export interface NodeResponseLike {
  writeHead(status: number, headers: { [name: string]: string }): unknown;
  /** Node: removing `transfer-encoding` before the head is written turns chunked encoding off. */
  removeHeader?(name: string): void;
  /** False: the socket's buffer is full; wait for `drain`. */
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string): unknown;
  on(event: "drain" | "close" | "error", listener: () => void): unknown;
  removeListener(event: "drain" | "close" | "error", listener: () => void): unknown;
  destroy?(): unknown;
}

/** The part of a fetch `Request` the handler reads. */
export interface FetchRequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: { get(name: string): string | null };
  readonly signal?: AbortSignalLike;
}

/** What `handler.fetch` resolves with by default: a fetch `Response` built by the host's constructor. */
export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: unknown;
}

/** The request as `authorize` sees it, whichever way it arrived. */
export interface SseRequest {
  /** As received: a path with query (Node) or an absolute URL (fetch). */
  readonly url: string;
  readonly method: string;
  /** A request header (case-insensitive name); several values joined by ", ". */
  header(name: string): string | undefined;
  /** The Node `IncomingMessage` or the fetch `Request`. */
  readonly raw: NodeRequestLike | FetchRequestLike;
}

/** Why the server ends a connection (see `SseSink.end`); `complete`: a poll's response is whole. */
export type SseEndCause = "overflow" | "closing" | "failed" | "complete";

/** Where a connection's text goes. */
export interface SseSink {
  /**
   * False: the other end is full; write nothing more until `onDrain`. A `Uint8Array` chunk is
   * UTF-8 text shared with other connections: passed on as it is, never modified.
   */
  write(chunk: string | Uint8Array): boolean;
  /** Calls `listener` once, when the other end takes more again. */
  onDrain(listener: () => void): void;
  /**
   * Ends the response after what was written. `cause`: why the server ends it — the client fell
   * behind (`overflow`), the server is closing (`closing`), or its subscription failed (`failed`);
   * an HTTP response ends alike for each, a WebSocket closes with the code of the cause.
   */
  end(cause?: SseEndCause): void;
  /** Drops the connection now. */
  destroy(): void;
}

export function nodeRequest(request: NodeRequestLike): SseRequest {
  return {
    url: request.url ?? "/",
    method: request.method ?? "GET",
    header(name) {
      const value = request.headers[name.toLowerCase()];
      return value === undefined ? undefined : typeof value === "string" ? value : value.join(", ");
    },
    raw: request,
  };
}

export function fetchRequest(request: FetchRequestLike): SseRequest {
  return { url: request.url, method: request.method, header: (name) => request.headers.get(name) ?? undefined, raw: request };
}

export function nodeSink(response: NodeResponseLike): SseSink {
  return {
    write: (chunk) => response.write(chunk),
    onDrain(listener) {
      const once = (): void => {
        response.removeListener("drain", once);
        listener();
      };
      response.on("drain", once);
    },
    end: () => void response.end(),
    destroy: () => void response.destroy?.(),
  };
}

interface StreamController {
  enqueue(chunk: Uint8Array): void;
  close(): void;
  readonly desiredSize: number | null;
}

interface Host {
  ReadableStream?: new (source: { start(controller: StreamController): void; pull(): void; cancel(): void }, strategy: { highWaterMark: number }) => unknown;
  Response?: new (body: unknown, init: { status: number; headers: { [name: string]: string } }) => unknown;
  TextEncoder?: new () => { encode(text: string): Uint8Array };
}

const host = globalThis as unknown as Host;

/** Chunks the ReadableStream holds before it reports itself full (each chunk is one write: a frame or a batch of frames). */
const STREAM_HIGH_WATER_MARK = 8;

/**
 * A ReadableStream body and the sink that feeds it. `onCancel` runs when the reader goes away (the
 * server framework cancels the body when the client disconnects).
 */
export function streamSink(onCancel: () => void): { sink: SseSink; body: unknown } {
  const { ReadableStream, TextEncoder } = requireHost();
  const encoder = new TextEncoder();
  let controller: StreamController | undefined;
  let drained: (() => void)[] = [];
  let ended = false;
  const sink: SseSink = {
    write(chunk) {
      if (ended || controller === undefined) return true;
      controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    onDrain(listener) {
      drained.push(listener);
    },
    end() {
      if (ended) return;
      ended = true;
      drained = [];
      controller?.close();
    },
    destroy() {
      ended = true;
      drained = [];
    },
  };
  const body = new ReadableStream(
    {
      start(started) {
        controller = started;
      },
      pull() {
        const listeners = drained;
        drained = [];
        for (const listener of listeners) listener();
      },
      cancel() {
        ended = true;
        drained = [];
        onCancel();
      },
    },
    { highWaterMark: STREAM_HIGH_WATER_MARK },
  );
  return { sink, body };
}

/** A fetch `Response` made by the host's constructor. */
export function fetchResponse<R>(body: unknown, status: number, headers: { [name: string]: string }): R {
  const { Response } = requireHost();
  return new Response(body, { status, headers }) as R;
}

function requireHost(): Required<Host> {
  const { ReadableStream, Response, TextEncoder } = host;
  if (ReadableStream === undefined || Response === undefined || TextEncoder === undefined) {
    throw new TypeError("createSseHandler: handler.fetch needs Response, ReadableStream and TextEncoder on globalThis (Node 18+, Deno, Bun, browsers, edge runtimes)");
  }
  return { ReadableStream, Response, TextEncoder };
}
