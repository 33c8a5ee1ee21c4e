/**
 * The `runtime` target: the ready-to-run runtime bound to the catalogue, beside the SDK.
 *   runtime/<folder>/<module>.ts  the runtime's modules, copied from templates/ts/runtime/ in its
 *                        layout (core/, bus/, transports/, sse/; docs/architecture.md has the map),
 *                        imports of the SDK's wire module pointing into `../../ts/`
 *   runtime/index.ts     `createBus` bound to this catalogue's types, metadata and validators, and
 *                        the public exports of every emitted module that imports no package (a
 *                        module that does — the SSE client's parser — is imported on its own)
 *   runtime/package.json `{"type": "module"}`: the files are ES modules whatever the host project's
 *                        package.json says (a CommonJS project type-checks them and `require()`s them)
 * It needs the `typescript` target (it imports the SDK); leaving it out emits types only.
 *
 * Only the parts a project uses are emitted (`options.runtime`: its transports, the SSE server, the
 * SSE client), each with every module it imports, found by reading the templates' import
 * statements — so the output never imports a file it lacks, and index.ts re-exports only what is
 * there. Every module is free of top-level side effects, so a bundle that imports the bus and the
 * in-process transport carries no Redis code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Catalogue } from "../../ir/types.js";
import { templatePath } from "../../templates.js";
import { GENERATED_NOTICE, type OutputFile, type PackageNeed, type Target, type TargetOptions } from "../target.js";
import { ES_MODULE_PACKAGE } from "../typescript/index.js";

const HEADER = `// ${GENERATED_NOTICE}\n\n`;

/** The transports a project may choose (config `runtime.transports`); each is the module of that name. */
export const RUNTIME_TRANSPORTS = ["memory", "redis", "redis-streams", "websocket", "worker"] as const;

/** What a project wants of the runtime, every choice settled. */
interface RuntimeChoice {
  transports: ReadonlySet<string>;
  sseServer: boolean;
  sseClient: boolean;
}

interface Part {
  /** The modules the part starts from; every module they import comes along. */
  readonly modules: readonly string[];
  readonly wanted: (choice: RuntimeChoice) => boolean;
  /** What index.ts says of the part when it is left out, for a reader looking for it. */
  readonly name?: string;
}

/**
 * The parts of the runtime. The bus always has the in-process transport (its default), so
 * `transports/memory.ts` is always there. The Redis snapshot store is the SSE server's, on Redis.
 */
const PARTS: readonly Part[] = [
  { modules: ["core/binding.ts", "bus/bus.ts", "coalescer.ts", "transports/memory.ts"], wanted: () => true },
  // The stream operators, always: imported from runtime/operators/index.js, not re-exported by index.ts.
  { modules: ["operators/index.ts"], wanted: () => true },
  { modules: ["transports/redis/pubsub.ts"], wanted: (choice) => choice.transports.has("redis"), name: 'the Redis pub/sub transport (`createRedisTransport`; "redis" in runtime.transports)' },
  { modules: ["transports/redis/streams.ts"], wanted: (choice) => choice.transports.has("redis-streams"), name: 'the Redis Streams transport (`createRedisStreamTransport`; "redis-streams" in runtime.transports)' },
  { modules: ["transports/worker.ts"], wanted: (choice) => choice.transports.has("worker"), name: 'the Worker transports (`createWorkerHostTransport`, `createWorkerThreadTransport`; "worker" in runtime.transports)' },
  { modules: ["sse/server.ts"], wanted: (choice) => choice.sseServer, name: "the SSE server (`createSseHandler`; runtime.sse.server)" },
  { modules: ["sse/snapshot-redis.ts"], wanted: (choice) => choice.sseServer && (choice.transports.has("redis") || choice.transports.has("redis-streams")) },
  { modules: ["sse/client.ts"], wanted: (choice) => choice.sseClient, name: "the SSE client (`connectSse` in sse/client.ts; runtime.sse.client, by default emitted where eventsource-parser is installed)" },
  // The WebSocket hub serves the SSE handler's streams; its client is the SSE client's over a socket.
  { modules: ["ws/hub.ts"], wanted: (choice) => choice.sseServer, name: "the WebSocket hub (`createWebSocketHub`; with the SSE server, runtime.sse.server)" },
  { modules: ["ws/client.ts"], wanted: (choice) => choice.sseClient, name: "the WebSocket client (`connectWebSocket` in ws/client.ts; with the SSE client, runtime.sse.client)" },
  { modules: ["client/channels.ts"], wanted: (choice) => choice.sseClient, name: "the client over several channels (`connectChannels` in client/channels.ts; with the SSE client, runtime.sse.client)" },
  // After the clients: a package both need is named by the SSE client (one install serves both).
  {
    modules: ["transports/websocket.ts"],
    wanted: (choice) => choice.transports.has("websocket"),
    name: 'the WebSocket spoke transport (`createWebSocketTransport` in transports/websocket.ts; "websocket" in runtime.transports, by default emitted where eventsource-parser is installed)',
  },
];

/**
 * The packages runtime modules import, with the versions the runtime is checked against.
 * eventsource-parser 3 runs on Node 20, 4 needs Node 22: 3 is what to install.
 */
const PACKAGES: Readonly<Record<string, { majors: readonly number[]; install: string; without: string }>> = {
  "eventsource-parser": { majors: [3, 4], install: "eventsource-parser@^3", without: "set runtime.sse.client to false in eventc.config.ts" },
};

/** Modules whose exports index.ts does not re-export wholesale: the generic binding types, platform shims and the SSE server's inner parts. */
const INTERNAL = new Set(["core/binding.ts", "core/platform.ts", "core/upgrade.ts", "core/wire-copy.ts", "sse/connection.ts", "sse/endpoints.ts", "sse/poll.ts", "bus/publisher.ts", "bus/routes.ts", "client/backoff.ts", "client/ladder.ts", "client/live-client.ts", "client/receiver.ts", "transports/redis/command-link.ts", "transports/redis/connection.ts", "transports/redis/held-publishes.ts", "transports/redis/pubsub-link.ts", "transports/redis/stream-entries.ts", "transports/redis/stream-reader.ts", "transports/worker/endpoint.ts", "transports/worker/protocol.ts", "transports/worker/sender.ts", "transports/websocket/outbox.ts", "transports/websocket/subscription.ts", "ws/connection.ts", "ws/publishes.ts"]);

/** Folders whose modules index.ts does not re-export: imported from their own index (`map`, `filter`, … would crowd the runtime's). */
const OWN_INDEX_FOLDERS = ["operators/"];

interface RuntimeModule extends OutputFile {
  /** Runtime modules it imports, as paths relative to runtime/. */
  imports: string[];
  /** Packages it imports (bare specifiers). */
  packages: string[];
}

let templates: Map<string, RuntimeModule> | undefined;

/**
 * Every module specifier of a source's import and export statements. The templates write them at
 * the start of a line (a comment's example code never is) and use no `import("…")` types.
 */
function specifiers(source: string): string[] {
  return [...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|^import\s+"([^"]+)"/gm)].map((match) => (match[1] ?? match[2])!);
}

/** Template files under `dir`, as paths relative to templates/ts/runtime/ with "/" separators. */
function templateFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (statSync(path.join(dir, entry)).isDirectory()) return templateFiles(path.join(dir, entry), `${prefix}${entry}/`);
    return entry.endsWith(".ts") && `${prefix}${entry}` !== "index.ts" ? [`${prefix}${entry}`] : [];
  });
}

/**
 * The runtime's modules as they are emitted, by path. A template imports the SDK's wire module as
 * `../wire.js` (templates/ts/wire.ts); emitted, that module is `<out>/ts/wire.ts`.
 */
function runtimeModules(): Map<string, RuntimeModule> {
  if (templates !== undefined) return templates;
  templates = new Map();
  for (const file of templateFiles(templatePath("ts/runtime")).sort()) {
    const source = readFileSync(templatePath(`ts/runtime/${file}`), "utf8");
    const imports: string[] = [];
    const packages: string[] = [];
    for (const specifier of specifiers(source)) {
      // A package's name: its first path segment, or its first two when scoped (`@scope/name/sub`).
      if (!specifier.startsWith(".")) packages.push(specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"));
      else {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
        if (!target.startsWith("../")) imports.push(target);
      }
    }
    const unknown = packages.find((name) => PACKAGES[name] === undefined);
    if (unknown !== undefined) throw new Error(`templates/ts/runtime/${file} imports "${unknown}", which the runtime target does not list in PACKAGES`);
    // Outside runtime/ in templates/ts/ is outside runtime/ in the output too, under ts/.
    const contents = source.replace(/^((?:import|export)\b[^;]*?\bfrom\s+")(\.\.?\/[^"]+)(")/gm, (whole, before: string, specifier: string, after: string) => {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      if (!target.startsWith("../")) return whole;
      const emitted = path.posix.relative(path.posix.dirname(`runtime/${file}`), `ts/${target.slice(3)}`);
      return `${before}${emitted.startsWith(".") ? emitted : `./${emitted}`}${after}`;
    });
    templates.set(file, { path: file, contents: HEADER + contents, imports: [...new Set(imports)], packages: [...new Set(packages)] });
  }
  return templates;
}

function runtimeChoice(options: TargetOptions | undefined): RuntimeChoice {
  const runtime = options?.runtime;
  return {
    transports: new Set(runtime?.transports ?? RUNTIME_TRANSPORTS),
    sseServer: runtime?.sse?.server ?? true,
    sseClient: runtime?.sse?.client ?? true,
  };
}

/** The modules to emit for a choice: its parts' modules and everything they import, in path order. */
function chosenModules(choice: RuntimeChoice): RuntimeModule[] {
  const all = runtimeModules();
  const chosen = new Set<string>();
  const visit = (file: string): void => {
    if (chosen.has(file)) return;
    const module = all.get(file);
    if (module === undefined) throw new Error(`the runtime target wants templates/ts/runtime/${file}, which does not exist`);
    chosen.add(file);
    module.imports.forEach(visit);
  };
  for (const part of PARTS) if (part.wanted(choice)) part.modules.forEach(visit);
  return [...chosen].sort().map((file) => all.get(file)!);
}

/** The coalescer bound to the catalogue, when the runtime has one. */
const COALESCER = `
/** A coalescer keyed by this catalogue's \`coalesce\` paths that flushes every envelope at the latest version of its event (see docs/runtime.md). */
export function createCoalescer(options: CoalescerOptions<EventEnvelope<LatestEvent>> & { readonly version: "latest" }): Coalescer<EventEnvelope<Event>>;
/** A coalescer keyed by this catalogue's \`coalesce\` paths (see docs/runtime.md). */
export function createCoalescer<E extends EventEnvelope<Event> = EventEnvelope<Event>>(options: CoalescerOptions<E> & { readonly version?: undefined }): Coalescer<E>;
export function createCoalescer(options: CoalescerOptions<EventEnvelope<Event>> | (CoalescerOptions<EventEnvelope<LatestEvent>> & { readonly version: "latest" })): Coalescer<EventEnvelope<Event>> {
  return options.version === "latest" ? createCoalescerFor(binding, { ...options, version: "latest" }) : createCoalescerFor<Catalogue, EventEnvelope<Event>>(binding, { ...options, version: undefined });
}
`;

/** The packages a module needs: its own imports' and those of every runtime module it imports. */
function packagesNeeded(file: string): string[] {
  const all = runtimeModules();
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const module = all.get(path);
    if (module === undefined) return;
    module.packages.forEach((name) => packages.add(name));
    module.imports.forEach(visit);
  };
  visit(file);
  return [...packages].sort();
}

function indexFile(modules: RuntimeModule[], omitted: string[]): string {
  // index.ts re-exports only modules that need no package (their own imports and what they import),
  // so importing it never needs a package the program does not use (the SSE client's parser, say):
  // those are imported directly.
  const reexports = modules
    .filter((module) => !INTERNAL.has(module.path) && !OWN_INDEX_FOLDERS.some((folder) => module.path.startsWith(folder)) && packagesNeeded(module.path).length === 0)
    .map((module) => `export * from "./${module.path.replace(/\.ts$/, ".js")}";`);
  const coalescer = modules.some((module) => module.path === "coalescer.ts");
  return `${HEADER}import { eventMeta, isEventType, latestTypes, parseEnvelope, upgradeEvent, validatePayload, type Event, type EventEnvelope, type EventName, type EventsByName, ${coalescer ? "type LatestEvent, " : ""}type LatestTypes } from "../ts/index.js";
import type { CatalogueBinding } from "./core/binding.js";
import { createBusFor, type Bus, type BusOptions } from "./bus/bus.js";
${coalescer ? 'import { createCoalescerFor, type Coalescer, type CoalescerOptions } from "./coalescer.js";\n' : ""}
/** This catalogue's types, as the runtime's generics read them. */
export interface Catalogue {
  events: EventsByName;
  latest: LatestTypes;
}

/** What the runtime knows of this catalogue: latest versions, metadata, validators and migrations. */
export const binding: CatalogueBinding<Catalogue> = {
  latestType: (name) => (Object.hasOwn(latestTypes, name) ? latestTypes[name as EventName] : undefined),
  meta: (type) => (isEventType(type) ? eventMeta[type] : undefined),
  parseEnvelope,
  validatePayload,
  // Total, as every binding function is: the SDK's upgradeEvent reads the metadata of a known type.
  upgradeEvent: (event) => (isEventType(event.type) ? upgradeEvent(event) : { kind: "unavailable", issues: [{ path: "/type", message: "unknown type" }] }),
};

/** A bus typed by this catalogue (see docs/runtime.md): in-process unless a transport is given. */
export function createBus(options: BusOptions = {}): Bus<Catalogue> {
  return createBusFor(binding, options);
}
${coalescer ? COALESCER : ""}
/** Every event name of this catalogue (for \`createSseHandler(bus, { eventNames })\`), as the SDK exports it. */
export { eventNames } from "../ts/index.js";
export type { CatalogueBinding } from "./core/binding.js";
${reexports.join("\n")}
${omitted.length === 0 ? "" : `\n// Left out of this runtime (\`runtime\` in eventc.config.ts; see docs/runtime.md):\n${omitted.map((name) => `// - ${name}\n`).join("")}`}`;
}

export function emitRuntime(_catalogue: Catalogue, options?: TargetOptions): OutputFile[] {
  const choice = runtimeChoice(options);
  const modules = chosenModules(choice);
  const omitted = PARTS.filter((part) => part.name !== undefined && !part.wanted(choice)).map((part) => part.name!);
  return [
    ...modules.map(({ path, contents }) => ({ path, contents })),
    { path: "index.ts", contents: indexFile(modules, omitted) },
    { path: "package.json", contents: ES_MODULE_PACKAGE },
  ];
}

/** The packages the emitted modules need, one entry per package. */
export function runtimePackages(options?: TargetOptions): PackageNeed[] {
  // Named by the part's own module (`sse/client.ts`), which is what a program imports, whichever
  // module of its closure has the import statement.
  const choice = runtimeChoice(options);
  const entries = [...new Set(PARTS.filter((part) => part.wanted(choice)).flatMap((part) => part.modules))];
  // One need per package, named by the first module in PARTS' order that needs it (the SSE client
  // before the WebSocket client, the client over several channels and the spoke: one install serves all).
  const needs = new Map<string, PackageNeed>();
  for (const file of entries) {
    for (const name of packagesNeeded(file)) {
      if (needs.has(name)) continue;
      // The spoke transport is left out by its own setting, not the SSE client's.
      const without = file === "transports/websocket.ts" ? { without: 'remove "websocket" from runtime.transports in eventc.config.ts' } : {};
      needs.set(name, { name, ...PACKAGES[name]!, importedBy: file, ...without });
    }
  }
  return [...needs.values()];
}

/** The packages the SSE client needs: the config's `runtime.sse.client: "auto"` emits it where they are installed. */
export function sseClientPackages(): PackageNeed[] {
  return packagesNeeded("sse/client.ts").map((name) => ({ name, ...PACKAGES[name]!, importedBy: "sse/client.ts" }));
}

/** The packages the WebSocket spoke transport needs: without `runtime.transports`, it is emitted where they are installed. */
export function websocketTransportPackages(): PackageNeed[] {
  return packagesNeeded("transports/websocket.ts").map((name) => ({ name, ...PACKAGES[name]!, importedBy: "transports/websocket.ts" }));
}

export const runtimeTarget: Target = {
  id: "runtime",
  description: "Runtime bound to the catalogue: typed bus, in-process and Redis transports (needs the typescript target)",
  folder: "runtime",
  requires: ["typescript"],
  emit: emitRuntime,
  packages: runtimePackages,
};
