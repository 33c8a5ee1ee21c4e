/**
 * Compile-only: the SSE server's and client's structural types accept what applications hand them —
 * Node's `IncomingMessage`/`ServerResponse`, the fetch `Request`/`Response` of the DOM and of Node,
 * the global `fetch` — and the events arrive typed by the catalogue. Checked by sse-types.test.ts.
 */
import { createServer } from "node:http";
import { connectSse, type SseFetch } from "../../templates/ts/runtime/sse/client.js";
import { createSseHandler } from "../../templates/ts/runtime/sse/server.js";
import { binding, createBus } from "./example-runtime.js";

const handler = createSseHandler(createBus(), { binding, snapshot: true, authorize: (request) => request.header("authorization") !== undefined });

export const server = createServer((req, res) => handler.node(req, res));

/** A Next.js route handler (or Hono's `c.req.raw`): a `Request` in, a `Response` out. */
export function GET(request: Request): Promise<Response> {
  return handler.fetch<Response>(request);
}

export const viaGlobalFetch: SseFetch = fetch;

export const client = connectSse("http://127.0.0.1/events", {
  binding,
  events: ["session.*"],
  onEvent(envelope) {
    if (envelope.event.type === "session.status.v2") {
      const status: "idle" | "busy" | "retry" = envelope.event.payload.status.type;
      void status;
    }
  },
});

export async function iterate(): Promise<void> {
  for await (const envelope of client) {
    const type: string = envelope.event.type;
    void type;
  }
}

/** A wrapper typed like `fetch` (adding a header, choosing an instance) is accepted as it is. */
const withToken: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: "Bearer t" } });
export const wrapped = connectSse("http://127.0.0.1/events", { binding, fetch: withToken });
