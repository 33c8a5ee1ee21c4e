/** What the Redis transports share of a client connection, whichever client it is. */

/** Any event listener, as EventEmitter-style `on` takes it. */
export type EmitterListener = (...args: unknown[]) => void;

/** ready: commands reach the server now. down: lost, the client is reconnecting. closed: ended. client: the client queues (lazy connection, cluster) or connects on its first command. */
export type LinkState = "ready" | "down" | "closed" | "client";
