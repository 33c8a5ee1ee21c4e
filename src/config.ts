/**
 * `eventc.config.ts`: found in the working directory or the nearest folder above it up to the
 * package root, loaded like a schema module, validated. Paths in it are relative to the config
 * file. CLI flags override it (their paths are relative to the working directory).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod/v4";
import type { AsyncApiConfig, AsyncApiServer, CompatibilityMode, EventcConfig, RegistryConfig, RuntimeConfig } from "./authoring.js";
import { EventcError } from "./errors.js";
import { packageFound } from "./generate.js";
import { importSchemaModule } from "./load/modules.js";
import { findTarget, targetIds } from "./targets/index.js";
import { EXTRA_DERIVES } from "./targets/rust/derives.js";
import { RUNTIME_TRANSPORTS, sseClientPackages, websocketTransportPackages } from "./targets/runtime/index.js";
import type { TargetOptions } from "./targets/target.js";

/** Every compatibility mode, in the order `eventc rules` and the docs list them. */
export const COMPATIBILITY_MODES = [
  "backward",
  "forward",
  "full",
  "backward-transitive",
  "forward-transitive",
  "full-transitive",
  "none",
] as const satisfies readonly CompatibilityMode[];

export const CONFIG_FILES = ["eventc.config.ts", "eventc.config.mts", "eventc.config.js", "eventc.config.mjs"];

/** Cargo's rules for a package name (ASCII), and a SemVer 2 version. */
const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * AsyncAPI's grammar for a server name; a host (with an optional port) without scheme or path, which
 * have fields of their own; a protocol name in the characters of a URI scheme.
 */
const SERVER_NAME = /^[A-Za-z0-9_-]+$/;
const SERVER_HOST = /^[^\s/]+$/;
const SERVER_PROTOCOL = /^[a-z][a-z0-9+.-]*$/;

/** A non-empty string (matching `check`, when given), with one message for a wrong type and a wrong value. */
const nonEmptyString = (message: string, check?: RegExp) => (check === undefined ? z.string({ error: message }).min(1, { message }) : z.string({ error: message }).regex(check, { message }));

const asyncApiServerSchema = z.strictObject({
  host: nonEmptyString('a host name, optionally with a port, e.g. "events.example.com:6379" (no scheme or path: those are "protocol" and "pathname")', SERVER_HOST),
  protocol: nonEmptyString('a protocol, e.g. "redis", "https" or "wss"', SERVER_PROTOCOL),
  pathname: nonEmptyString('a path starting with "/", e.g. "/events"', /^\//).optional(),
  description: z.string({ error: "a description: text" }).optional(),
});

const asyncApiSchema = z.strictObject({
  info: z
    .strictObject({
      title: nonEmptyString('a title, e.g. "Acme events"').optional(),
      version: nonEmptyString('the API\'s version, e.g. "1.4.0"').optional(),
      description: z.string({ error: "a description: text" }).optional(),
    })
    .optional(),
  servers: z
    .preprocess(
      (servers, context) => {
        // Zod's record drops a `__proto__` key without a word: a server so named would vanish.
        if (typeof servers === "object" && servers !== null && Object.hasOwn(servers, "__proto__")) {
          context.addIssue({ code: "custom", message: '"__proto__" cannot name a server; choose another name', path: ["__proto__"] });
        }
        return servers;
      },
      // A bad name is reported by the record ("Invalid key in record"), not by the key's own schema.
      z.record(z.string().regex(SERVER_NAME), asyncApiServerSchema, {
        error: (issue) =>
          issue.code === "invalid_key"
            ? 'a server name is letters, digits, "_" and "-", e.g. "production"'
            : issue.code === "invalid_type"
              ? 'servers by name, e.g. { production: { host: "events.example.com:6379", protocol: "redis" } }'
              : undefined,
      }),
    )
    .optional(),
  operations: z.enum(["send", "receive", "both"], { error: 'the application\'s operations: "send", "receive" or "both"' }).optional(),
});

const configSchema = z.strictObject({
  schemas: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  targets: z
    .array(z.string().refine((id) => targetIds.includes(id), { message: `unknown target; choose from ${targetIds.join(", ")}` }))
    .min(1)
    .refine((ids) => new Set(ids).size === ids.length, { message: "a target is listed twice; name each target once" })
    .optional(),
  rust: z
    .strictObject({
      crate: z
        .strictObject({
          name: z.string().regex(CRATE_NAME, { message: 'a crate name is a letter, then letters, digits, "-" and "_" (at most 64), e.g. "acme-events"' }).optional(),
          version: z.string().regex(SEMVER, { message: 'a crate version is a SemVer version, e.g. "1.4.0"' }).optional(),
        })
        .optional(),
      derives: z
        .array(z.enum(EXTRA_DERIVES, { error: `a trait the types can derive: ${EXTRA_DERIVES.join(", ")}` }))
        .refine((traits) => new Set(traits).size === traits.length, { message: "a trait is listed twice; name each trait once" })
        .optional(),
    })
    .optional(),
  runtime: z
    .strictObject({
      transports: z
        .array(z.string().refine((id) => (RUNTIME_TRANSPORTS as readonly string[]).includes(id), { message: `unknown transport; choose from ${RUNTIME_TRANSPORTS.join(", ")}` }))
        .refine((ids) => new Set(ids).size === ids.length, { message: "a transport is listed twice; name each transport once" })
        .optional(),
      sse: z
        .strictObject({
          server: z.boolean({ error: "true or false" }).optional(),
          client: z.union([z.boolean(), z.literal("auto")], { error: 'true, false or "auto"' }).optional(),
        })
        .optional(),
    })
    .optional(),
  asyncapi: asyncApiSchema.optional(),
  registry: z
    .strictObject({
      mode: z.enum(COMPATIBILITY_MODES).optional(),
      events: z.record(z.string(), z.enum(COMPATIBILITY_MODES)).optional(),
      migrations: z.enum(["optional", "expected"], { error: '"optional" or "expected"' }).optional(),
    })
    .optional(),
});

/** The settings of one run, paths absolute. */
export interface ResolvedConfig {
  /** The config file used, if any. */
  file?: string;
  schemasDir: string;
  outDir: string;
  targets: string[];
  /** Registry settings from the config file (flags are applied by the registry commands). */
  registry: RegistryConfig;
  /** Settings the targets read (the Rust crate's name and version, the runtime's parts). */
  targetOptions: TargetOptions;
}

export interface ConfigOverrides {
  config?: string;
  schemas?: string;
  out?: string;
  targets?: string[];
}

export async function resolveConfig(cwd: string, overrides: ConfigOverrides = {}): Promise<ResolvedConfig> {
  // An empty path would resolve to the working directory itself: never what was meant.
  for (const [flag, value] of [["--config", overrides.config], ["--schemas", overrides.schemas], ["--out", overrides.out]] as const) {
    if (value !== undefined && value.trim() === "") throw new EventcError(`${flag} needs a path; it was given an empty one`);
  }
  const repeated = (overrides.targets ?? []).find((id, index, all) => all.indexOf(id) !== index);
  if (repeated !== undefined) throw new EventcError(`--target "${repeated}" is given twice; name each target once`);
  const file = overrides.config !== undefined ? path.resolve(cwd, overrides.config) : findConfigFile(cwd);
  if (overrides.config !== undefined && !existsSync(file!)) throw new EventcError(`config file not found`, { file: overrides.config });
  let config: EventcConfig = {};
  if (file !== undefined) config = await loadConfigFile(file, path.relative(cwd, file) || file);
  const base = file !== undefined ? path.dirname(file) : cwd;
  for (const id of overrides.targets ?? []) {
    if (!targetIds.includes(id)) throw new EventcError(`unknown target "${id}"; choose from ${targetIds.join(", ")}`);
  }
  const resolved: ResolvedConfig = {
    schemasDir: overrides.schemas !== undefined ? path.resolve(cwd, overrides.schemas) : path.resolve(base, config.schemas ?? "schemas"),
    outDir: overrides.out !== undefined ? path.resolve(cwd, overrides.out) : path.resolve(base, config.out ?? "generated"),
    targets: overrides.targets ?? config.targets ?? [...targetIds],
    registry: registrySettings(config.registry),
    targetOptions: {},
  };
  if (config.rust?.crate !== undefined) resolved.targetOptions.crate = { ...config.rust.crate };
  if (config.rust?.derives !== undefined) resolved.targetOptions.derives = [...config.rust.derives];
  resolved.targetOptions.runtime = runtimeSettings(config.runtime, resolved.outDir);
  if (config.asyncapi !== undefined) resolved.targetOptions.asyncapi = asyncApiSettings(config.asyncapi);
  for (const id of resolved.targets) {
    const missing = (findTarget(id)?.requires ?? []).filter((required) => !resolved.targets.includes(required));
    if (missing.length > 0) {
      throw new EventcError(`the ${id} target needs the ${missing.join(", ")} target (it imports that output); add it, or leave out ${id}`, file !== undefined && config.targets !== undefined && overrides.targets === undefined ? { file: path.relative(cwd, file) || file } : {});
    }
  }
  if (file !== undefined) resolved.file = file;
  return resolved;
}

/**
 * The config file for a run in `cwd`: in `cwd` or the nearest folder above it that has one, up to
 * the package root (the first folder with a `package.json` or `.git`, which is searched too).
 */
export function findConfigFile(cwd: string): string | undefined {
  for (let folder = path.resolve(cwd); ; folder = path.dirname(folder)) {
    const file = CONFIG_FILES.map((name) => path.join(folder, name)).find(existsSync);
    if (file !== undefined) return file;
    const root = existsSync(path.join(folder, "package.json")) || existsSync(path.join(folder, ".git"));
    if (root || path.dirname(folder) === folder) return undefined;
  }
}

/**
 * The runtime's parts as the runtime target reads them. The SSE client's `"auto"` (the default)
 * is settled here, where the output folder is known: the client is emitted when the packages it
 * imports are found from `<out>/runtime/`, so a project that never installed eventsource-parser
 * gets a runtime that type-checks without it.
 */
function runtimeSettings(runtime: RuntimeConfig | undefined, outDir: string): NonNullable<TargetOptions["runtime"]> {
  const client = runtime?.sse?.client ?? "auto";
  const runtimeDir = path.join(outDir, findTarget("runtime")!.folder);
  // Every transport by default; the WebSocket spoke (it imports eventsource-parser) where its packages are found.
  const transports = runtime?.transports ?? RUNTIME_TRANSPORTS.filter((id) => id !== "websocket" || websocketTransportPackages().every((need) => packageFound(need, runtimeDir)));
  return {
    transports: [...transports],
    sse: {
      server: runtime?.sse?.server ?? true,
      client: client === "auto" ? sseClientPackages().every((need) => packageFound(need, runtimeDir)) : client,
    },
  };
}

/** The AsyncAPI settings, copied; servers in an object without prototype (keys are the user's server names). */
function asyncApiSettings(asyncapi: AsyncApiConfig): AsyncApiConfig {
  const settings: AsyncApiConfig = { ...asyncapi };
  if (asyncapi.info !== undefined) settings.info = { ...asyncapi.info };
  if (asyncapi.servers !== undefined) {
    const servers = Object.create(null) as Record<string, AsyncApiServer>;
    for (const [name, server] of Object.entries(asyncapi.servers)) servers[name] = { ...server };
    settings.servers = servers;
  }
  return settings;
}

/** The registry settings, per-event modes in an object without prototype (keys are event names). */
function registrySettings(registry: RegistryConfig | undefined): RegistryConfig {
  if (registry?.events === undefined) return { ...registry };
  return { ...registry, events: Object.assign(Object.create(null) as Record<string, CompatibilityMode>, registry.events) };
}

async function loadConfigFile(file: string, display: string): Promise<EventcConfig> {
  const exports = await importSchemaModule(file, display);
  const value = exports.default;
  if (value === undefined) throw new EventcError(`the config has no default export; write \`export default defineConfig({ … })\``, { file: display });
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${String(segment)}`)).join("").replace(/^\./, "");
    throw new EventcError(`invalid config: ${where === "" ? "" : `"${where}": `}${issue.message}`, { file: display });
  }
  return parsed.data as EventcConfig;
}
