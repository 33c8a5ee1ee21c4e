/**
 * The lockfile `eventc.lock.json`: the registry of published event versions.
 *
 * Shape (keys sorted at every level, two-space indent, trailing newline):
 *
 *     { "lockfileVersion": 1,
 *       "events": { "<name>": { "description"?, "topic"?, "coalesce"?, "retired": [..],
 *         "versions": { "<n>": { "hash": "sha256:…", "schema": {…}, "history"?: [{ "hash", "schema" }] } } } } }
 *
 * It is written atomically (a temporary file beside it, then a rename), so it is never half-written.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { canonicalJson } from "../ir/canonical.js";
import type { JsonSchema } from "../ir/types.js";
import { EventcError } from "../errors.js";
import { schemaHash } from "./check.js";
import type { Registry, RegistryEvent, RegistryVersion } from "./types.js";

export const LOCKFILE = "eventc.lock.json";
export const LOCKFILE_VERSION = 1;

export function serializeLockfile(registry: Registry): string {
  const events: Record<string, unknown> = {};
  for (const event of registry.events) {
    events[event.name] = {
      description: event.description,
      topic: event.topic,
      coalesce: event.coalesce,
      retired: event.retired,
      versions: Object.fromEntries(
        event.versions.map((version) => [
          String(version.version),
          { hash: version.hash, schema: version.schema, history: version.history.length > 0 ? version.history : undefined },
        ]),
      ),
    };
  }
  return `${canonicalJson({ lockfileVersion: LOCKFILE_VERSION, events }, 2)}\n`;
}

/** Whether parsed JSON looks like a lockfile (used by `eventc diff` to tell inputs apart). */
export function isLockfileJson(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "lockfileVersion" in value;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses and validates a lockfile; `file` names it in messages. */
export function parseLockfile(value: unknown, file: string): Registry {
  const fail = (message: string, event?: string): never => {
    throw new EventcError(`invalid lockfile: ${message}`, event === undefined ? { file } : { file, event });
  };
  if (!isObject(value)) return fail("not a JSON object");
  if (value.lockfileVersion !== LOCKFILE_VERSION) return fail(`unsupported "lockfileVersion" ${JSON.stringify(value.lockfileVersion)}; this eventc reads version ${LOCKFILE_VERSION}`);
  if (!isObject(value.events)) return fail(`"events" must be an object`);
  const events: RegistryEvent[] = [];
  for (const name of Object.keys(value.events).sort()) {
    const raw = value.events[name];
    if (!isObject(raw)) return fail(`event entry must be an object`, name);
    if (!isObject(raw.versions)) return fail(`"versions" must be an object`, name);
    const retired = raw.retired ?? [];
    if (!Array.isArray(retired) || !retired.every((v) => Number.isInteger(v) && v > 0)) return fail(`"retired" must list positive integers`, name);
    const versions: RegistryVersion[] = [];
    for (const key of Object.keys(raw.versions)) {
      const entry = raw.versions[key];
      if (!/^[1-9]\d*$/.test(key)) return fail(`version "${key}" is not a positive integer`, name);
      if (!isObject(entry) || !isObject(entry.schema) || typeof entry.hash !== "string") return fail(`version ${key} needs "hash" and "schema"`, name);
      const history = entry.history ?? [];
      if (!Array.isArray(history) || !history.every((item) => isObject(item) && typeof item.hash === "string" && isObject(item.schema))) {
        return fail(`version ${key}: "history" must list { hash, schema } entries`, name);
      }
      const schema = entry.schema as JsonSchema;
      if (schemaHash(schema) !== entry.hash) return fail(`version ${key}: "hash" does not match its schema (edited by hand? run \`eventc lock --force\`)`, name);
      versions.push({ version: Number(key), schema, hash: entry.hash, history: history as RegistryVersion["history"] });
    }
    versions.sort((a, b) => a.version - b.version);
    const event: RegistryEvent = { name, retired: [...(retired as number[])].sort((a, b) => a - b), versions };
    if (typeof raw.description === "string") event.description = raw.description;
    if (typeof raw.topic === "string") event.topic = raw.topic;
    if (Array.isArray(raw.coalesce) && raw.coalesce.every((item) => typeof item === "string")) event.coalesce = raw.coalesce as string[];
    events.push(event);
  }
  return { events };
}

/** Reads a lockfile; `display` names it in messages. */
export function readLockfile(file: string, display: string = file): Registry {
  if (!existsSync(file)) {
    throw new EventcError(`lockfile not found; run \`eventc lock\` to record the published catalogue, or pass --against <git-ref>`, { file: display });
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new EventcError(`invalid lockfile: ${error instanceof Error ? error.message : String(error)}`, { file: display });
  }
  return parseLockfile(value, display);
}

/** Writes the lockfile atomically: temporary file beside it, then rename. Skips an identical file. */
export function writeLockfile(file: string, registry: Registry): boolean {
  const text = serializeLockfile(registry);
  if (existsSync(file) && readFileSync(file, "utf8") === text) return false;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return true;
}

/**
 * The registry `eventc lock` records: the current catalogue, with each published version whose
 * schema changed keeping its earlier schema in `history` (for `-transitive` modes).
 */
export function nextLock(previous: Registry | undefined, current: Registry): Registry {
  const before = new Map((previous?.events ?? []).map((event) => [event.name, event]));
  return {
    events: current.events.map((event) => {
      const { source: _source, ...rest } = event;
      const locked = before.get(event.name);
      return {
        ...rest,
        versions: event.versions.map((version) => {
          const published = locked?.versions.find((candidate) => candidate.version === version.version);
          if (!published) return version;
          if (published.hash === version.hash) return { ...version, history: published.history };
          const history = [...published.history, { hash: published.hash, schema: published.schema }].filter((entry) => entry.hash !== version.hash);
          return { ...version, history };
        }),
      };
    }),
  };
}
