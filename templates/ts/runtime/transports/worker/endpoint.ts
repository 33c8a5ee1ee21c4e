/**
 * The other side of a Worker transport, whichever host made it — a Web `Worker`, the worker's own
 * global scope (`self`), a `MessagePort`, a Node `worker_threads` `Worker` or its `parentPort` — as one
 * object: `WorkerLink` adds its listeners (Node's `on`/`off`, or the DOM's `addEventListener`), posts,
 * and removes every listener in `close()`. Typed by the members used: no DOM or Node types needed.
 */

/** What an event listener of either host receives: a DOM event (`data`, `message`, `error`) or Node's value itself. */
export type EndpointListener = (event: unknown) => void;

/** A worker, a worker's scope or a message port, of the browser or of Node. */
export interface WorkerEndpoint {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  /** Node (`Worker`, `MessagePort`). */
  on?(event: string, listener: EndpointListener): unknown;
  off?(event: string, listener: EndpointListener): unknown;
  /** Browsers, Deno, Bun (`Worker`, `self`, `MessagePort`). */
  addEventListener?(type: string, listener: EndpointListener): void;
  removeEventListener?(type: string, listener: EndpointListener): void;
  /** A DOM `MessagePort` delivers nothing until started. */
  start?(): void;
  /** Node: the worker (or port) no longer keeps the process alive by itself, or does again. */
  unref?(): void;
  ref?(): void;
}

/** What a link reports: a message's data, one that could not be deserialized, the worker's error, its exit (Node). */
export interface LinkHandlers {
  message(data: unknown): void;
  messageError(error: Error): void;
  error(error: Error): void;
  exit(code: number): void;
}

/** An `Error` for what an `error` or `messageerror` listener got: a DOM event's `error`/`message`, or Node's error. */
function errorOf(event: unknown, what: string): Error {
  if (event instanceof Error) return event;
  if (typeof event === "object" && event !== null) {
    const { error, message } = event as { error?: unknown; message?: unknown };
    if (error instanceof Error) return error;
    if (typeof message === "string" && message !== "") return new Error(message);
  }
  return new Error(what);
}

export class WorkerLink {
  readonly endpoint: WorkerEndpoint;
  readonly #off: (() => void)[] = [];

  constructor(endpoint: WorkerEndpoint, handlers: LinkHandlers) {
    this.endpoint = endpoint;
    const listen = (event: string, listener: EndpointListener): void => {
      if (typeof endpoint.on === "function") {
        endpoint.on(event, listener);
        this.#off.push(() => void endpoint.off?.(event, listener));
      } else if (typeof endpoint.addEventListener === "function") {
        endpoint.addEventListener(event, listener);
        this.#off.push(() => endpoint.removeEventListener?.(event, listener));
      } else {
        throw new TypeError("a Worker transport needs a worker, a worker's scope or a message port: something with on() or addEventListener()");
      }
    };
    const node = typeof endpoint.on === "function";
    listen("message", (event) => handlers.message(node ? event : (event as { data?: unknown } | null)?.data));
    listen("messageerror", (event) => handlers.messageError(errorOf(event, "a message from the other side could not be deserialized")));
    listen("error", (event) => handlers.error(errorOf(event, "the worker failed")));
    if (node) listen("exit", (code) => handlers.exit(typeof code === "number" ? code : -1));
    endpoint.start?.();
  }

  post(message: unknown, transfer: readonly unknown[] | undefined): void {
    if (transfer === undefined || transfer.length === 0) this.endpoint.postMessage(message);
    else this.endpoint.postMessage(message, transfer);
  }

  /** Removes every listener the link added. */
  close(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
