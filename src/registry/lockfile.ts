/**
 * The lockfile `eventc.lock.json`: the registry of published event versions.
 *
 * Shape (keys sorted at every level, two-space indent, trailing newline):
 *
 *     { "lockfileVersion": 2,
 *       "events": { "<name>": { "description"?, "topic"?, "coalesce"?,
 *         "retired": { "<n>": { "hash"?, "schema"?, "history"? } },
 *         "versions": { "<n>": { "hash": "sha256:…", "schema": {…}, "history"?: [{ "hash", "schema" }],
 *                                "upgrade"?: [steps…], "downgrade"?: [steps…] } } } } }
 *
 * `upgrade` and `downgrade` are the compiled migration steps from and to the version before
 * (docs/migrations.md); a lockfile without them (written before migrations) reads as recording none.
 *
 * A retired version keeps what it was when it was withdrawn (its hash, schema and history), and
 * its number stays reserved for good. Lockfile version 1 listed retired numbers only
 * (`"retired": [1]`); it is still read, its retired numbers become entries without a schema (`{}`),
 * and the next `eventc lock` writes version 2.
 *
 * It is written atomically (a temporary file beside it, then a rename), so it is never half-written.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { canonicalJson, sortKeys } from "../ir/canonical.js";
import type { JsonSchema } from "../ir/types.js";
import { EventcError } from "../errors.js";
import { schemaHash } from "./check.js";
import type { HistoryEntry, Registry, RegistryEvent, RegistryVersion, RetiredVersion } from "./types.js";

export const LOCKFILE = "eventc.lock.json";
export const LOCKFILE_VERSION = 2;
/** Lockfile versions this eventc reads. */
const READABLE_VERSIONS = [1, 2];

function versionEntry(entry: { hash?: string; schema?: JsonSchema; history: HistoryEntry[]; upgrade?: unknown[]; downgrade?: unknown[] }): unknown {
  return { hash: entry.hash, schema: entry.schema, history: entry.history.length > 0 ? entry.history : undefined, upgrade: entry.upgrade, downgrade: entry.downgrade };
}

/** An object keyed by user text (event names, version numbers): no prototype to collide with. */
function keyed(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = Object.create(null);
  for (const [key, value] of entries) object[key] = value;
  return object;
}

export function serializeLockfile(registry: Registry): string {
  const events = keyed(
    registry.events.map((event) => [
      event.name,
      {
        description: event.description,
        topic: event.topic,
        coalesce: event.coalesce,
        retired: keyed(event.retired.map((retired) => [String(retired.version), versionEntry(retired)])),
        versions: keyed(event.versions.map((version) => [String(version.version), versionEntry(version)])),
      },
    ]),
  );
  return `${canonicalJson({ lockfileVersion: LOCKFILE_VERSION, events }, 2)}\n`;
}

/** Whether parsed JSON looks like a lockfile (used by `eventc diff` to tell inputs apart). */
export function isLockfileJson(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.hasOwn(value, "lockfileVersion");
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A segment of an event name, as the catalogue requires it (src/load/catalogue.ts). */
const NAME_SEGMENT = /^[a-z][a-z0-9_-]*$/;

export interface ParseOptions {
  /**
   * Recompute hashes that do not match their schemas instead of rejecting the lockfile (`eventc
   * lock --force`: the way out of a lockfile edited by hand); each one is reported to `onRehash`.
   */
  rehash?: boolean;
  onRehash?(message: string): void;
}

/** Parses and validates a lockfile; `file` names it in messages. */
export function parseLockfile(value: unknown, file: string, options: ParseOptions = {}): Registry {
  const fail = (message: string, event?: string, version?: number): never => {
    const context = event === undefined ? { file } : version === undefined ? { file, event } : { file, event, version };
    throw new EventcError(`invalid lockfile: ${message}`, context);
  };
  if (!isObject(value)) return fail("not a JSON object");
  const format = value.lockfileVersion;
  if (typeof format !== "number" || !READABLE_VERSIONS.includes(format)) {
    return fail(`unsupported "lockfileVersion" ${JSON.stringify(format)}; this eventc reads versions ${READABLE_VERSIONS.join(" and ")} (a newer eventc wrote it?)`);
  }
  if (!isObject(value.events)) return fail(`"events" must be an object`);
  const events: RegistryEvent[] = [];
  for (const name of Object.keys(value.events).sort()) {
    const raw = value.events[name];
    if (!name.split(".").every((segment) => NAME_SEGMENT.test(segment)) || /^v\d+$/.test(name.split(".").at(-1)!)) {
      return fail(`invalid event name: use dot-separated segments of lower-case letters, digits, "_" and "-", each starting with a letter, the last not a version`, name);
    }
    if (!isObject(raw)) return fail(`event entry must be an object`, name);
    if (!isObject(raw.versions)) return fail(`"versions" must be an object`, name);
    /** A hash checked against its schema (or recomputed, with `rehash`). */
    const checked = (hash: string, schema: JsonSchema, what: string, version: number): string => {
      const actual = schemaHash(schema);
      if (actual === hash) return hash;
      if (!options.rehash) {
        return fail(
          `${what}: "hash" does not match its schema (edited by hand?); restore the lockfile from version control, or run \`eventc lock --force\` to recompute the hashes from the recorded schemas and record the catalogue`,
          name,
          version,
        );
      }
      options.onRehash?.(`${file}: event "${name}" v${version}: ${what}: "hash" did not match its schema; recomputed it`);
      return actual;
    };
    /** A version entry; `recorded` = hash and schema are required (published versions). */
    const readEntry = (key: string, entry: unknown, label: string, recorded: boolean): { hash?: string; schema?: JsonSchema; history: HistoryEntry[] } => {
      if (!/^[1-9]\d*$/.test(key)) return fail(`${label} "${key}" is not a positive integer`, name);
      const version = Number(key);
      if (!isObject(entry)) return fail(`${label} ${key} must be an object`, name, version);
      const hasSchema = entry.schema !== undefined || entry.hash !== undefined;
      if ((recorded || hasSchema) && (!isObject(entry.schema) || typeof entry.hash !== "string")) return fail(`${label} ${key} needs "hash" and "schema"`, name, version);
      const history = entry.history ?? [];
      if (!Array.isArray(history) || !history.every((item) => isObject(item) && typeof item.hash === "string" && isObject(item.schema))) {
        return fail(`${label} ${key}: "history" must list { hash, schema } entries`, name, version);
      }
      const copies = (history as HistoryEntry[]).map((item, index) => {
        const schema = sortKeys(item.schema) as JsonSchema;
        return { hash: checked(item.hash, schema, `${label} ${key}, history entry ${index + 1}`, version), schema };
      });
      if (!hasSchema) return { history: copies };
      const schema = sortKeys(entry.schema) as JsonSchema;
      return { hash: checked(entry.hash as string, schema, `${label} ${key}`, version), schema, history: copies };
    };
    const versions: RegistryVersion[] = [];
    for (const key of Object.keys(raw.versions)) {
      const entry = readEntry(key, raw.versions[key], "version", true);
      const version: RegistryVersion = { version: Number(key), schema: entry.schema!, hash: entry.hash!, history: entry.history };
      for (const direction of ["upgrade", "downgrade"] as const) {
        const steps = (raw.versions[key] as Record<string, unknown>)[direction];
        if (steps === undefined) continue;
        if (!Array.isArray(steps) || !steps.every(isObject)) return fail(`version ${key}: "${direction}" must list migration steps`, name, Number(key));
        version[direction] = sortKeys(steps) as unknown[];
      }
      versions.push(version);
    }
    versions.sort((a, b) => a.version - b.version);
    const retired: RetiredVersion[] = [];
    const rawRetired = raw.retired ?? (format === 1 ? [] : {});
    if (format === 1) {
      if (!Array.isArray(rawRetired) || !rawRetired.every((v) => Number.isInteger(v) && v > 0)) return fail(`"retired" must list positive integers`, name);
      for (const version of new Set(rawRetired as number[])) retired.push({ version, history: [] });
    } else {
      if (!isObject(rawRetired)) return fail(`"retired" must map retired version numbers to what they were`, name);
      for (const key of Object.keys(rawRetired)) retired.push({ version: Number(key), ...readEntry(key, rawRetired[key], "retired version", false) });
    }
    retired.sort((a, b) => a.version - b.version);
    for (const entry of retired) {
      if (versions.some((version) => version.version === entry.version)) return fail(`version ${entry.version} is both published and retired`, name, entry.version);
    }
    const event: RegistryEvent = { name, retired, versions };
    if (typeof raw.description === "string") event.description = raw.description;
    if (typeof raw.topic === "string") event.topic = raw.topic;
    if (Array.isArray(raw.coalesce) && raw.coalesce.every((item) => typeof item === "string")) event.coalesce = raw.coalesce as string[];
    events.push(event);
  }
  return { events };
}

/** Reads a lockfile; `display` names it in messages. */
export function readLockfile(file: string, display: string = file, options: ParseOptions = {}): Registry {
  if (!existsSync(file)) {
    throw new EventcError(`lockfile not found; run \`eventc lock\` to record the published catalogue, or pass --against <git-ref>`, { file: display });
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new EventcError(`invalid lockfile: ${error instanceof Error ? error.message : String(error)}`, { file: display });
  }
  return { ...parseLockfile(value, display, options), origin: display };
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
 * schema changed keeping its earlier schema in `history` (for `-transitive` modes), and every
 * version ever retired kept under `retired` with what it was — whether or not the catalogue still
 * lists it. A retired number defined again (only recorded with `--force`) is published again, its
 * retired schema moving into the version's history.
 */
export function nextLock(previous: Registry | undefined, current: Registry): Registry {
  const before = new Map((previous?.events ?? []).map((event) => [event.name, event]));
  return {
    events: current.events.map((event) => {
      const { source: _source, ...rest } = event;
      const locked = before.get(event.name);
      const defined = new Set(event.versions.map((version) => version.version));
      const retiredNumbers = new Set([...(locked?.retired ?? []), ...event.retired].map((retired) => retired.version));
      const retired = [...retiredNumbers]
        .filter((version) => !defined.has(version))
        .sort((a, b) => a - b)
        .map((version): RetiredVersion => {
          const record = locked?.retired.find((candidate) => candidate.version === version);
          if (record?.hash !== undefined) return record;
          const published = locked?.versions.find((candidate) => candidate.version === version);
          if (published) return { version, hash: published.hash, schema: published.schema, history: published.history };
          return record ?? { version, history: [] };
        });
      return {
        ...rest,
        retired,
        versions: event.versions.map((version) => {
          const published =
            locked?.versions.find((candidate) => candidate.version === version.version) ??
            locked?.retired.find((candidate): candidate is RetiredVersion & HistoryEntry => candidate.version === version.version && candidate.hash !== undefined);
          if (!published) return version;
          if (published.hash === version.hash) return { ...version, history: published.history };
          const history = [...published.history, { hash: published.hash, schema: published.schema }].filter((entry) => entry.hash !== version.hash);
          return { ...version, history };
        }),
      };
    }),
  };
}
