/**
 * The SSE handler's two entry points — `handler.node(req, res)` and `handler.fetch(request)` — over
 * one `accept`: a request is answered with a refusal (its status and text) or an admission, which
 * opens the connection on the response's sink. A client that leaves at any point — while its
 * request is being accepted, while the connection opens, once it is open — takes nothing with it
 * that stays: an admission not opened is cancelled, a connection opened is closed.
 */
import type { SseAdmission, SseServerConnection } from "./connection.js";
import {
  fetchRequest,
  fetchResponse,
  nodeRequest,
  nodeSink,
  streamSink,
  type FetchRequestLike,
  type NodeRequestLike,
  type NodeResponseLike,
  type SseRequest,
  type SseSink,
} from "./http.js";
import { HttpRefusal } from "./selection.js";

export interface SseEndpointSettings {
  /** Reads, authorizes and bounds a request before anything is subscribed. */
  readonly accept: (request: SseRequest) => Promise<HttpRefusal | SseAdmission>;
  /** Extra response headers (CORS, say), on every answer. */
  readonly headers: { readonly [name: string]: string } | undefined;
  readonly report: (error: unknown) => void;
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const ignore = (): void => {};

function streamHeaders(headers: SseEndpointSettings["headers"]): { [name: string]: string } {
  return { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no", ...headers };
}

/** Opens the admitted connection; a failure to subscribe (the transport refused) ends the response. */
function open(admission: SseAdmission, sink: SseSink, report: (error: unknown) => void): SseServerConnection | undefined {
  try {
    return admission.open(sink);
  } catch (error) {
    report(error);
    sink.end();
    return undefined;
  }
}

/** `handler.node`: answers Node's `http` request on its response. */
export function nodeEndpoint({ accept, headers, report }: SseEndpointSettings): (request: NodeRequestLike, response: NodeResponseLike) => void {
  return (request, response) => {
    let gone = false;
    const onClose = (): void => {
      gone = true;
    };
    response.on("close", onClose);
    response.on("error", ignore);
    accept(nodeRequest(request)).then(
      (answer) => {
        response.removeListener("close", onClose);
        if (answer instanceof HttpRefusal) {
          if (gone) return;
          response.writeHead(answer.status, { ...TEXT, ...headers });
          response.end(answer.message);
          return;
        }
        if (gone) {
          answer.cancel();
          return;
        }
        if (answer.poll === true) {
          // A poll's response ends: chunked, and the connection kept for the next poll.
          response.writeHead(200, streamHeaders(headers));
        } else {
          // No chunked encoding: the body runs until the connection closes, which an event stream
          // does anyway, and each write goes to the socket as it is — no chunk framing per client.
          response.removeHeader?.("transfer-encoding");
          response.writeHead(200, { ...streamHeaders(headers), connection: "close" });
        }
        const connection = open(answer, nodeSink(response), report);
        if (connection !== undefined) response.on("close", () => connection.close());
      },
      (error: unknown) => {
        report(error);
        if (gone) return;
        response.writeHead(500, TEXT);
        response.end("Internal error.");
      },
    );
  };
}

/** `handler.fetch`: answers a fetch `Request` with a `Response` whose body is the stream. */
export function fetchEndpoint({ accept, headers, report }: SseEndpointSettings): <R>(request: FetchRequestLike) => Promise<R> {
  return async <R>(request: FetchRequestLike): Promise<R> => {
    let answer: HttpRefusal | SseAdmission;
    try {
      answer = await accept(fetchRequest(request));
    } catch (error) {
      report(error);
      return fetchResponse<R>("Internal error.", 500, TEXT);
    }
    if (answer instanceof HttpRefusal) return fetchResponse<R>(answer.message, answer.status, { ...TEXT, ...headers });
    const signal = request.signal;
    if (signal?.aborted === true) {
      answer.cancel();
      return fetchResponse<R>("", 499, TEXT);
    }
    let connection: SseServerConnection | undefined;
    let cancelled = false;
    const forget = (): void => {
      cancelled = true;
      connection?.close();
    };
    const { sink, body } = streamSink(forget);
    const response = fetchResponse<R>(body, 200, streamHeaders(headers));
    connection = open(answer, sink, report);
    // The body was cancelled while the connection opened: close it now.
    if (cancelled) connection?.close();
    signal?.addEventListener("abort", forget, { once: true });
    return response;
  };
}
