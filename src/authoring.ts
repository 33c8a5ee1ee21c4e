/**
 * The authoring API: what schema modules and `eventc.config.ts` import from "eventc".
 *
 * `defineEvent` does no validation of its own beyond marking the value: the loader validates the
 * catalogue as a whole, where it can name the file and compare events with each other.
 */

import type { EventMigrations } from "./migration/authoring.js";

export { namedMigration, type EventMigrations, type MigrationJson, type MigrationScalar, type MigrationStepInput, type NamedMigration, type VersionMigration } from "./migration/authoring.js";

/** Marks values produced by `defineEvent`, so the loader can find them among a module's exports. */
export const EVENT_DEFINITION = Symbol.for("eventc.event-definition");

/**
 * A payload schema: any Zod object schema, v4 or v3. Kept structural so that the authoring API
 * does not tie a user's project to one Zod major.
 */
export type PayloadSchema = object;

export interface EventOptions<V extends Record<number, PayloadSchema>> {
  /** One sentence on what happened; flows into doc comments and JSON Schema `description`. */
  description?: string;
  /**
   * Payload paths (dot-separated) whose values identify one state snapshot: a newer event with the
   * same key replaces an older queued one. `[]` means one key per event name. Absent: never coalesced.
   */
  coalesce?: string[];
  /** Payload path (dot-separated) that scopes the event's channel, e.g. `"sessionID"`. */
  topic?: string;
  /** Payload schema per version; keys are positive integers, the highest is the latest. */
  versions: V;
  /** Versions that were published once and are withdrawn on purpose. */
  retired?: number[];
  /**
   * For a version n > 1: how to upgrade a payload of version n−1 (and optionally downgrade back),
   * compiled into every target and proven by `eventc generate` (docs/migrations.md).
   */
  migrations?: NoInfer<EventMigrations<V>>;
}

export interface EventDefinition<
  N extends string = string,
  V extends Record<number, PayloadSchema> = Record<number, PayloadSchema>,
> extends EventOptions<V> {
  readonly [EVENT_DEFINITION]: true;
  readonly name: N;
}

/**
 * While the loader imports a catalogue it puts an array under this key of `globalThis`, and every
 * `defineEvent` call adds its result to it with the place it was called from. The loader compares
 * them with the modules' exports: a definition that is not a top-level export is reported (file
 * and line) instead of left out of every contract. A global symbol, because a schema module may
 * reach a different copy of this module than the loader.
 */
export const DEFINITIONS_MADE = Symbol.for("eventc.definitions-made");

/** Non-enumerable property of a recorded definition: an object whose `stack` starts at the call. */
export const CALL_SITE = Symbol.for("eventc.call-site");

/** Declares one event and all its versions. Export the result from a module under `schemas/`. */
export function defineEvent<const N extends string, V extends Record<number, PayloadSchema>>(
  name: N,
  options: EventOptions<V>,
): EventDefinition<N, V> {
  const definition: EventDefinition<N, V> = { ...options, name, [EVENT_DEFINITION]: true };
  const made = (globalThis as Record<symbol, unknown>)[DEFINITIONS_MADE];
  if (Array.isArray(made)) {
    // The trace is captured now and formatted only if it is read (for a line number): one frame,
    // the call's own, is all that is read.
    const site: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(site, defineEvent);
    Error.stackTraceLimit = limit;
    Object.defineProperty(definition, CALL_SITE, { value: site });
    made.push(definition);
  }
  return definition;
}

export function isEventDefinition(value: unknown): value is EventDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[EVENT_DEFINITION] === true;
}

/** Contents of `eventc.config.ts`. Every field is optional; CLI flags override it. */
export interface EventcConfig {
  /** Folder of schema modules, relative to the config file. Default `schemas`. */
  schemas?: string;
  /** Output folder, relative to the config file. Default `generated`. */
  out?: string;
  /** Targets to generate. Default: every target. */
  targets?: string[];
  /** Schema registry gate (`eventc check`, `eventc lock`). */
  registry?: RegistryConfig;
  /** The Rust target's settings. */
  rust?: RustConfig;
  /** Which parts of the runtime to emit (the runtime target). */
  runtime?: RuntimeConfig;
  /** The AsyncAPI document's info, servers and operations (the asyncapi target). */
  asyncapi?: AsyncApiConfig;
}

/**
 * What the AsyncAPI document says beyond the catalogue: the application's name and version, where
 * its channels are reached, and whether it sends or receives the events. Every field is optional.
 */
export interface AsyncApiConfig {
  /** The document's `info`. Default: title `"Events"`, version `"0.1.0"`, a one-line description. */
  info?: { title?: string; version?: string; description?: string };
  /**
   * Servers by name (letters, digits, `_` and `-`), in the order given. Default: none — a reader
   * of the document learns the channels, not where they are served.
   */
  servers?: Record<string, AsyncApiServer>;
  /**
   * The application's operations on every event's channel: `"send"`, `"receive"`, or `"both"`
   * (the default) — one operation of each action per event.
   */
  operations?: "send" | "receive" | "both";
}

/** One server of the AsyncAPI document. */
export interface AsyncApiServer {
  /** Host name, optionally with a port: `"events.example.com:6379"`. No scheme and no path. */
  host: string;
  /** Protocol, as AsyncAPI names it: `"redis"`, `"https"`, `"wss"`, … */
  protocol: string;
  /** Path on the host, starting with `/`: `"/events"`. */
  pathname?: string;
  description?: string;
}

/**
 * The parts of the runtime a project uses; the rest is not emitted. A part comes with every
 * module it imports, and `runtime/index.ts` re-exports only what is emitted.
 */
export interface RuntimeConfig {
  /**
   * Transports to emit: `"memory"` (in-process), `"redis"` (pub/sub), `"redis-streams"`,
   * `"websocket"` (a spoke of a WebSocket hub: `transports/websocket.ts`, `createWebSocketTransport`,
   * which imports the `eventsource-parser` package), `"worker"` (a bus across a worker:
   * `createWorkerHostTransport`, `createWorkerThreadTransport`). Default: all five — `"websocket"`
   * where eventsource-parser (3 or 4) is installed where the output folder finds it. The in-process
   * transport is always emitted: the bus falls back to it.
   */
  transports?: ("memory" | "redis" | "redis-streams" | "websocket" | "worker")[];
  sse?: {
    /** The SSE server (`sse/server.ts`, `createSseHandler`) and the WebSocket hub serving its streams (`ws/hub.ts`, `createWebSocketHub`). Default `true`. */
    server?: boolean;
    /**
     * The SSE client (`sse/client.ts`, `connectSse`) and the WebSocket client (`ws/client.ts`,
     * `connectWebSocket`), which import the `eventsource-parser` package. Default `"auto"`: emitted when eventsource-parser (3 or 4) is installed where the
     * output folder finds it. `true` emits it regardless (and `eventc generate` warns while the
     * package is missing); `false` never.
     */
    client?: boolean | "auto";
  };
}

export interface RustConfig {
  /**
   * The generated crate's package name (Cargo rules: a letter, then letters, digits, `-` and `_`;
   * at most 64) and version (SemVer). Default `eventc-events`, `0.1.0`.
   */
  crate?: { name?: string; version?: string };
  /**
   * Comparison and hashing traits for every generated type, beyond the `Debug`, `Clone` and serde
   * traits each has (and `Copy` on fieldless enums). Each type derives those its fields allow — a
   * float has no `Eq`, `Hash` or `Ord`; a JSON value no `Hash`, `PartialOrd` or `Ord` — and a trait
   * brings the ones it needs (`Ord` brings `Eq` and `PartialOrd`). Default: none, since each costs
   * build time and memory on every type. `["PartialEq"]` allows `==` on events.
   */
  derives?: ("PartialEq" | "Eq" | "Hash" | "PartialOrd" | "Ord")[];
}

/** Compatibility modes of the registry gate (schema-registry convention). */
export type CompatibilityMode =
  | "backward"
  | "forward"
  | "full"
  | "backward-transitive"
  | "forward-transitive"
  | "full-transitive"
  | "none";

export interface RegistryConfig {
  /** Default mode for every event. Default `full`. */
  mode?: CompatibilityMode;
  /** Per-event modes, by event name; they win over `mode` and over `--mode`. */
  events?: Record<string, CompatibilityMode>;
  /**
   * `"expected"`: a new version that declares no upgrade from the version before it is a warning
   * (`MIGRATION_MISSING`) in `eventc check` and `eventc lock`. Default `"optional"`.
   */
  migrations?: "optional" | "expected";
}

/** Identity function that gives `eventc.config.ts` its types. */
export function defineConfig(config: EventcConfig): EventcConfig {
  return config;
}
