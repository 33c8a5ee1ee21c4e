/**
 * Loads a catalogue: imports every schema module, collects the `defineEvent` exports, validates
 * them one by one and as a whole, and builds the IR. Every problem found is reported together,
 * each naming file, event, version and field path.
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CALL_SITE, DEFINITIONS_MADE, isEventDefinition, type EventDefinition } from "../authoring.js";
import { EventcError, throwIfAny } from "../errors.js";
import { SchemaReader } from "../ir/from-json-schema.js";
import { canonicalJson } from "../ir/canonical.js";
import type { Catalogue, EventDef, EventVersion, NamedType, TypeNode } from "../ir/types.js";
import { NamedMigrations, readEventMigrations } from "../migration/read.js";
import type { DeclaredMigrations } from "./migrations.js";
import { describeCycle, findImportCycle, findSchemaModules, forgetModules, importSchemaModule } from "./modules.js";
import { readZodV4Payload } from "./zod-ir.js";
import { findUnrepresentable, formatPath, isObjectSchema, toWireSchema, zodMajor, type ZodMajor } from "./zod.js";

export interface LoadOptions {
  /** Folder of schema modules; a relative path is taken from `cwd`. */
  schemasDir: string;
  /** Paths in messages are relative to this folder. Default: the working directory. */
  cwd?: string;
}

interface Found {
  definition: EventDefinition;
  /** Display path (relative to cwd). */
  file: string;
  /** Absolute path of the module. */
  module: string;
  exportName: string;
  /** Line of the `defineEvent` call, when it was made in this module while loading. */
  line?: number;
}

const NAME_SEGMENT = /^[a-z][a-z0-9_-]*$/;

export async function loadCatalogue(options: LoadOptions): Promise<Catalogue> {
  const cwd = options.cwd ?? process.cwd();
  const display = (file: string): string => path.relative(cwd, file).split(path.sep).join("/");
  const schemasDir = path.resolve(cwd, options.schemasDir);
  const files = findSchemaModules(schemasDir, display(schemasDir) || ".");
  forgetModules(schemasDir, files);

  const found: Found[] = [];
  const made: EventDefinition[] = [];
  const nested = new Map<EventDefinition, string>();
  const global = globalThis as Record<symbol, unknown>;
  const outer = global[DEFINITIONS_MADE];
  global[DEFINITIONS_MADE] = made;
  try {
    for (const file of files) {
      const exports = await importSchemaModule(file, display(file));
      for (const exportName of Object.keys(exports).sort()) {
        const value = exports[exportName];
        if (isEventDefinition(value)) found.push({ definition: value, file: display(file), module: file, exportName, ...definedAt(value, file) });
        else findNested(value, exportName, nested);
      }
    }
  } finally {
    global[DEFINITIONS_MADE] = outer;
  }
  const errors = unexported(made, found, nested, display);
  if (found.length === 0) {
    throwIfAny(errors);
    throw new EventcError(
      `no events found in "${display(schemasDir) || "."}" (${files.length} module${files.length === 1 ? "" : "s"} read); export the result of defineEvent(…) from a module there`,
    );
  }

  const byName = new Map<string, Found>();
  for (const entry of found) {
    const earlier = byName.get(entry.definition.name);
    if (earlier === undefined) byName.set(entry.definition.name, entry);
    else if (earlier.definition !== entry.definition) {
      errors.push(
        new EventcError(
          `event is defined twice: in ${earlier.file} (export "${earlier.exportName}") and in ${entry.file} (export "${entry.exportName}")`,
          { file: entry.file, ...(entry.line === undefined ? {} : { line: entry.line }), event: entry.definition.name },
        ),
      );
    }
  }

  const named = new NamedTypeTable();
  const migrations = new NamedMigrations();
  const declared: DeclaredMigrations[] = [];
  const events: EventDef[] = [];
  for (const name of [...byName.keys()].sort()) {
    const event = buildEvent(byName.get(name)!, named, errors, migrations, declared);
    if (event) events.push(event);
  }
  throwIfAny(errors);
  const catalogue: Catalogue = { events, types: named.sorted() };
  if (declared.length > 0) {
    const { proveMigrations } = await import("./migrations.js");
    throwIfAny(proveMigrations(catalogue, declared, migrations));
    catalogue.migrations = migrations.sorted();
  }
  return catalogue;
}

/**
 * A `defineEvent` result that no module exports at the top level is in no contract: each one made
 * while loading is an error, with the file and line of its call. One exported only inside an array
 * or object says where. (A definition whose name an exported event has is taken to be that
 * event's source, e.g. copied with `{ ...base }`, and is not reported.)
 */
function unexported(made: EventDefinition[], found: Found[], nested: Map<EventDefinition, string>, display: (file: string) => string): EventcError[] {
  const exported = new Set(found.map((entry) => entry.definition));
  const names = new Set(found.map((entry) => entry.definition.name));
  const errors: EventcError[] = [];
  for (const definition of made) {
    if (exported.has(definition) || names.has(definition.name)) continue;
    const site = callSite(definition);
    const context = { ...(site === undefined ? {} : { file: display(site.file), line: site.line }), event: String(definition.name) };
    const inside = nested.get(definition);
    const fix = "only a module's top-level exports are read: export it on its own, `export const … = defineEvent(…)`";
    const what = inside === undefined ? "not exported" : `exported only inside "${inside.replace(/[.[].*$/, "")}" (at ${inside})`;
    errors.push(new EventcError(`${what}, so it is in no contract; ${fix}`, context));
  }
  return errors;
}

/** Records where event definitions sit inside an exported array or plain object (a few levels deep). */
function findNested(value: unknown, label: string, into: Map<EventDefinition, string>, depth = 0): void {
  if (depth > 3 || typeof value !== "object" || value === null) return;
  if (isEventDefinition(value)) {
    if (!into.has(value)) into.set(value, label);
    return;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) value.forEach((item, index) => findNested(item, `${label}[${index}]`, into, depth + 1));
  else if (prototype === Object.prototype || prototype === null) {
    for (const key of Object.keys(value)) findNested((value as Record<string, unknown>)[key], `${label}.${key}`, into, depth + 1);
  }
}

/** `{ line }` of the definition's `defineEvent` call when it is in `module`, else nothing. */
function definedAt(definition: EventDefinition, module: string): { line?: number } {
  const site = callSite(definition);
  if (site === undefined) return {};
  if (site.file === module) return { line: site.line };
  try {
    return realpathSync(site.file) === realpathSync(module) ? { line: site.line } : {};
  } catch {
    return {};
  }
}

/** Where `defineEvent` was called for a definition recorded while loading: absolute file and line. */
export function callSite(definition: EventDefinition): { file: string; line: number } | undefined {
  const site = (definition as unknown as Record<symbol, { stack?: string } | undefined>)[CALL_SITE];
  const frame = site?.stack?.split("\n")[1];
  const match = frame === undefined ? null : /(?:\(|at )(file:\/\/\S+?|(?:[A-Za-z]:)?[\\/][^()]*?):(\d+):\d+\)?\s*$/.exec(frame);
  if (match === null) return undefined;
  return { file: match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!, line: Number(match[2]) };
}

function buildEvent(entry: Found, named: NamedTypeTable, errors: EventcError[], migrations: NamedMigrations, declared: DeclaredMigrations[]): EventDef | undefined {
  const { definition, file } = entry;
  const name = definition.name;
  const at = entry.line === undefined ? {} : { line: entry.line };
  const fail = (message: string, extra: { version?: number; path?: string } = {}): void => {
    errors.push(new EventcError(message, { file, ...at, event: name, ...extra }));
  };
  const before = errors.length;

  if (typeof name !== "string" || !name.split(".").every((segment) => NAME_SEGMENT.test(segment))) {
    fail(`invalid event name: use dot-separated segments of lower-case letters, digits, "_" and "-", each starting with a letter (e.g. "session.status")`);
  } else if (/^v\d+$/.test(name.split(".").at(-1)!)) {
    fail(`invalid event name: the last segment "${name.split(".").at(-1)}" looks like a version; versions go under "versions"`);
  }
  if (definition.description !== undefined && typeof definition.description !== "string") fail(`"description" must be a string`);

  const versionsObject = definition.versions as Record<string, unknown> | undefined;
  if (typeof versionsObject !== "object" || versionsObject === null || Object.keys(versionsObject).length === 0) {
    fail(`"versions" must map at least one version number to a payload schema`);
    return undefined;
  }
  const versionKeys = Object.keys(versionsObject);
  for (const key of versionKeys) {
    if (!/^[1-9]\d*$/.test(key)) fail(`version "${key}" is not a positive integer`);
  }
  const retired = definition.retired ?? [];
  if (!Array.isArray(retired) || !retired.every((v) => Number.isInteger(v) && v > 0)) {
    fail(`"retired" must list positive integer versions`);
  } else {
    for (const version of retired) {
      if (Object.hasOwn(versionsObject, String(version))) fail(`version ${version} is listed as retired but is still defined`, { version });
    }
  }
  const coalesce = parsePaths(definition.coalesce, "coalesce", fail);
  const topic = definition.topic === undefined ? undefined : parsePaths([definition.topic], "topic", fail)?.[0];
  if (errors.length > before) return undefined;

  const versions: EventVersion[] = [];
  for (const key of versionKeys.map(Number).sort((a, b) => a - b)) {
    const schema = versionsObject[String(key)];
    const payload = buildPayload(schema, key, fail, named, { event: name, file, module: entry.module });
    if (payload) versions.push({ version: key, wireType: `${name}.v${key}`, payload });
  }
  if (errors.length > before) return undefined;

  const resolve = (node: TypeNode): TypeNode => (node.kind === "ref" ? resolve(named.get(node.name)!.type) : node);
  for (const [label, paths] of [
    ["coalesce", coalesce ?? []],
    ["topic", topic ? [topic] : []],
  ] as const) {
    for (const fieldPath of paths) {
      for (const version of versions) {
        const problem = checkScalarPath(version.payload, fieldPath, resolve);
        if (problem) fail(`${label} path "${fieldPath.join(".")}" ${problem}`, { version: version.version, path: fieldPath.join(".") });
      }
    }
  }
  if (errors.length > before) return undefined;

  const steps = readEventMigrations(definition.migrations, versions.map((version) => version.version), fail, migrations);
  if (steps === undefined) return undefined;

  const event: EventDef = { name, versions, retired: [...retired].sort((a, b) => a - b), source: { file, exportName: entry.exportName } };
  if (steps.size > 0) declared.push({ event, steps, context: { file, ...at } });
  if (definition.description !== undefined) event.description = definition.description;
  if (coalesce !== undefined) event.coalesce = coalesce;
  if (topic !== undefined) event.topic = topic;
  return event;
}

function parsePaths(value: unknown, label: string, fail: (message: string) => void): string[][] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "")) {
    fail(label === "topic" ? `"topic" must be a payload path string` : `"${label}" must be a list of payload path strings`);
    return undefined;
  }
  return value.map((item: string) => item.split("."));
}

function buildPayload(
  schema: unknown,
  version: number,
  fail: (message: string, extra?: { version?: number; path?: string }) => void,
  named: NamedTypeTable,
  owner: { event: string; file: string; module: string },
): TypeNode | undefined {
  const major = zodMajor(schema);
  if (major === undefined) {
    fail(`payload is not a Zod schema`, { version });
    return undefined;
  }
  if (!isObjectSchema(schema as object)) {
    fail(`payload must be an object schema (z.object(…))`, { version });
    return undefined;
  }
  const unrepresentable = findUnrepresentable(schema as object);
  for (const item of unrepresentable) {
    fail(`${item.construct} has no wire form: ${item.hint}`, { version, path: formatPath(item.path) });
  }
  if (unrepresentable.length > 0) return undefined;

  const read = readPayload(schema as object, major);
  if (read instanceof Error) {
    const context = read instanceof EventcError ? read.context : {};
    fail(`cannot be compiled: ${UNDEFINED_SCHEMA.test(read.message) ? undefinedSchema(owner.module) : read.message}`, { version, ...context });
    return undefined;
  }
  const { payload, named: types } = read;
  for (const type of types.values()) {
    const clash = named.add(type, { event: owner.event, file: owner.file, version });
    if (clash) fail(clash, { version });
  }
  return payload;
}

/**
 * The IR of a payload schema and the named types it reaches, or the error that stops it. A Zod v4
 * schema is read directly (zod-ir.ts); a Zod v3 schema, and any v4 schema the direct reader does
 * not take, goes through its JSON Schema.
 */
export function readPayload(schema: object, major: ZodMajor): { payload: TypeNode; named: Map<string, NamedType> } | Error {
  if (major === 4) {
    const direct = readZodV4Payload(schema);
    if (direct !== undefined) return direct;
  }
  return readPayloadThroughJsonSchema(schema);
}

/** The JSON Schema path: Zod's converter (or zod-to-json-schema), then SchemaReader. */
export function readPayloadThroughJsonSchema(schema: object): { payload: TypeNode; named: Map<string, NamedType> } | Error {
  try {
    const reader = new SchemaReader(toWireSchema(schema));
    const payload = reader.readRoot();
    return { payload, named: reader.named };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** What Zod says when a schema inside a payload is `undefined`. */
const UNDEFINED_SCHEMA = /Cannot read properties of undefined \(reading '(_zod|_def)'\)/;

/**
 * Why a payload holds an undefined schema: most often two modules that import each other, one
 * reading the other's exports before they are set.
 */
function undefinedSchema(module: string): string {
  const cycle = findImportCycle(module);
  if (cycle === undefined) return "a schema it uses is undefined (imported under a name its module does not export, or used before it is defined?)";
  return `a schema it uses is undefined: ${describeCycle(cycle)}`;
}

/**
 * Why `fieldPath` does not reach a scalar field in `payload`, or undefined when it does. Through a
 * union, the path must reach a scalar in every member (e.g. a field all message kinds share).
 */
function checkScalarPath(payload: TypeNode, fieldPath: string[], resolve: (node: TypeNode) => TypeNode, walked: string[] = []): string | undefined {
  let node = resolve(payload);
  if (node.kind === "nullable") node = resolve(node.inner);
  if (node.kind === "union") {
    for (const member of node.members) {
      const problem = checkScalarPath(member, fieldPath, resolve, walked);
      if (problem) return `${problem} (in one member of the union at "${walked.join(".") || "payload"}")`;
    }
    return undefined;
  }
  const [segment, ...rest] = fieldPath;
  if (segment === undefined) {
    const scalar = ["string", "number", "boolean", "literal", "enum"].includes(node.kind);
    return scalar ? undefined : `must point at a string, number, boolean or enum field, not ${node.kind === "unknown" ? "unknown" : `${/^[aeiou]/.test(node.kind) ? "an" : "a"} ${node.kind}`}`;
  }
  if (node.kind !== "object") return `does not exist: "${walked.join(".")}" is not an object`;
  const field = node.fields.find((f) => f.name === segment);
  if (!field) return `does not exist in this version`;
  return checkScalarPath(field.type, rest, resolve, [...walked, segment]);
}

/** Named types across the catalogue: one shape per name, wherever it is used. */
class NamedTypeTable {
  private readonly types = new Map<string, { type: NamedType; shape: string; owner: string }>();

  /** Adds a type; returns a message when the same name already has a different shape. */
  add(type: NamedType, owner: { event: string; version: number; file: string }): string | undefined {
    // Plain JSON first: the same schema converts to the same text, so the sorted form is needed
    // only when the texts differ.
    const shape = JSON.stringify(type);
    const ownerText = `event "${owner.event}" v${owner.version} (${owner.file})`;
    const existing = this.types.get(type.name);
    if (existing === undefined) {
      this.types.set(type.name, { type, shape, owner: ownerText });
      return undefined;
    }
    if (existing.shape === shape || canonicalJson(existing.type) === canonicalJson(type)) return undefined;
    return `named type "${type.name}" has two different shapes: one used by ${existing.owner}, another by ${ownerText}; give one of them another id`;
  }

  get(name: string): NamedType | undefined {
    return this.types.get(name)?.type;
  }

  sorted(): NamedType[] {
    return [...this.types.keys()].sort().map((name) => this.types.get(name)!.type);
  }
}
