/** What the Redis transports share of a client connection, whichever client it is. */

/** Any event listener, as EventEmitter-style `on` takes it. */
export type EmitterListener = (...args: unknown[]) => void;

/** ready: commands reach the server now. down: lost, the client is reconnecting. closed: ended. client: the client queues (lazy connection, cluster) or connects on its first command. */
export type LinkState = "ready" | "down" | "closed" | "client";

/** What the transports watch and end of an ioredis connection (ioredis 5 and 6). */
export interface IoRedisLifecycle {
  readonly status: string;
  /** True on an ioredis `Cluster`. */
  readonly isCluster?: boolean;
  on(event: string, listener: EmitterListener): unknown;
  removeListener(event: string, listener: EmitterListener): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** What the transports watch and end of a node-redis connection (node-redis 4 and later). */
export interface NodeRedisLifecycle {
  readonly isOpen: boolean;
  on(event: string, listener: EmitterListener): unknown;
  removeListener(event: string, listener: EmitterListener): unknown;
  /** node-redis 5: waits for pending replies, then closes. */
  close?(): Promise<unknown>;
  /** node-redis 4. */
  quit?(): Promise<unknown>;
  /** node-redis 5: closes at once. */
  destroy?(): void;
  /** node-redis 4. */
  disconnect?(): Promise<unknown>;
}
