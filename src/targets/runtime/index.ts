/**
 * The `runtime` target: the ready-to-run runtime bound to the catalogue, beside the SDK.
 *   runtime/<module>.ts  the runtime's modules, copied from templates/ts/runtime/ (bus, transports,
 *                        streams, policies, errors), importing the SDK's `../ts/wire.js`
 *   runtime/index.ts     `createBus` bound to this catalogue's types, metadata and validators, and
 *                        the public exports of every module that imports no package (a module
 *                        that does — the SSE client's parser — is imported on its own)
 * It needs the `typescript` target (it imports the SDK); leaving it out emits types only. Every
 * module is free of top-level side effects, so a bundle that imports the bus and the in-process
 * transport carries no Redis code.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Catalogue } from "../../ir/types.js";
import { templatePath } from "../../templates.js";
import { GENERATED_NOTICE, type OutputFile, type Target } from "../target.js";

const HEADER = `// ${GENERATED_NOTICE}\n\n`;

/** Modules whose exports index.ts does not re-export wholesale: the generic binding types and platform shims. */
const INTERNAL = new Set(["binding.ts", "platform.ts"]);

let templates: OutputFile[] | undefined;

/** The runtime's modules as they are emitted: imports of the SDK's wire types point into `../ts/`. */
function runtimeModules(): OutputFile[] {
  templates ??= readdirSync(templatePath("ts/runtime"))
    .filter((file) => file.endsWith(".ts") && file !== "index.ts")
    .sort()
    .map((file) => ({
      path: file,
      contents: HEADER + readFileSync(templatePath(`ts/runtime/${file}`), "utf8").replace(/(from\s+")\.\.\/wire\.js(")/g, "$1../ts/wire.js$2"),
    }));
  return templates;
}

/** Whether a module imports a package (a bare specifier): such a module is imported on its own, never through index.ts. */
function importsPackage(module: OutputFile): boolean {
  return /^\s*(?:import|export)\b[^;]*?\bfrom\s+"(?![./])[^"]+"/m.test(module.contents);
}

/** The coalescer bound to the catalogue, when the runtime has one. */
const COALESCER = `
/** A coalescer keyed by this catalogue's \`coalesce\` paths (see docs/runtime.md). */
export function createCoalescer<E extends EventEnvelope<Event> = EventEnvelope<Event>>(options: CoalescerOptions<E>): Coalescer<E> {
  return createCoalescerFor<Catalogue, E>(binding, options);
}
`;

function indexFile(modules: OutputFile[]): string {
  // index.ts re-exports only modules without package imports, so importing it never needs a
  // package the program does not use (the SSE client's parser, say): those are imported directly.
  const reexports = modules
    .filter((module) => !INTERNAL.has(module.path) && !importsPackage(module))
    .map((module) => `export * from "./${module.path.replace(/\.ts$/, ".js")}";`);
  return `${HEADER}import { eventMeta, isEventType, latestTypes, parseEnvelope, validatePayload, type Event, type EventEnvelope, type EventName, type EventsByName, type LatestTypes } from "../ts/index.js";
import type { CatalogueBinding } from "./binding.js";
import { createBusFor, type Bus, type BusOptions } from "./bus.js";
${modules.some((module) => module.path === "coalescer.ts") ? 'import { createCoalescerFor, type Coalescer, type CoalescerOptions } from "./coalescer.js";\n' : ""}
/** This catalogue's types, as the runtime's generics read them. */
export interface Catalogue {
  events: EventsByName;
  latest: LatestTypes;
}

/** What the runtime knows of this catalogue: latest versions, metadata and validators. */
export const binding: CatalogueBinding<Catalogue> = {
  latestType: (name) => (Object.hasOwn(latestTypes, name) ? latestTypes[name as EventName] : undefined),
  meta: (type) => (isEventType(type) ? eventMeta[type] : undefined),
  parseEnvelope,
  validatePayload,
};

/** A bus typed by this catalogue (see docs/runtime.md): in-process unless a transport is given. */
export function createBus(options: BusOptions = {}): Bus<Catalogue> {
  return createBusFor(binding, options);
}
${modules.some((module) => module.path === "coalescer.ts") ? COALESCER : ""}
/** Every event name of this catalogue (for \`createSseHandler(bus, { eventNames })\`), as the SDK exports it. */
export { eventNames } from "../ts/index.js";
export type { CatalogueBinding } from "./binding.js";
${reexports.join("\n")}
`;
}

export function emitRuntime(_catalogue: Catalogue): OutputFile[] {
  const modules = runtimeModules();
  return [...modules, { path: "index.ts", contents: indexFile(modules) }];
}

export const runtimeTarget: Target = {
  id: "runtime",
  description: "Runtime bound to the catalogue: typed bus, in-process and Redis transports (needs the typescript target)",
  folder: "runtime",
  requires: ["typescript"],
  emit: emitRuntime,
};
