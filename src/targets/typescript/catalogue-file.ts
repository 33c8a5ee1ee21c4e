/**
 * `catalogue.ts` of the SDK: the metadata table, dispatch from wire type to the generated
 * validators (validate.ts), and the parse functions and type guards bound to this catalogue's types.
 */
import type { Catalogue, EventDef } from "../../ir/types.js";
import type { TypeScriptNames } from "./names.js";
import { jsonPiece, jsonText, tsString } from "./escape.js";
import { Source } from "./source.js";
import { hasMigrations } from "./migrations-file.js";
import { payloadCheckName } from "./validators-file.js";

/** A quoted property key; a quoted "__proto__" key in an object literal sets the prototype: it is written computed. */
function propertyKey(key: string): string {
  return key === "__proto__" ? `[${tsString(key)}]` : tsString(key);
}

/** Overload signatures, each with its doc comment, then the implementation (exported). */
function overloaded(source: Source, name: string, signatures: [string, string][], implementation: string, body: string[]): void {
  for (const [signature, docs] of signatures) {
    source.blank().docs(docs);
    source.line(`export function ${name}${signature};`);
  }
  source.block(`export function ${name}${implementation} {`, () => {
    for (const line of body) source.line(line);
  });
}

/** `export function signature { body }` with a doc comment. */
function fn(source: Source, signature: string, body: string[], docs: string): void {
  source.blank().docs(docs);
  source.block(`export function ${signature} {`, () => {
    for (const line of body) source.line(line);
  });
}

/** A version's `EventMeta` as its JSON text carries it: without what its wire type says (`metaTable`). */
function metaEntry(event: EventDef, index: number): unknown {
  return {
    latest: index === event.versions.length - 1,
    ...(event.coalesce === undefined ? {} : { coalesce: event.coalesce }),
    ...(event.topic === undefined ? {} : { topic: event.topic }),
  };
}

/**
 * `export const name: type = JSON.parse(…) as type;` — a table of data as JSON text, one entry a
 * line (pieces joined by `+`), so large catalogues stay diffable. The checker reads strings, not an
 * object literal it would check entry by entry against the declared type. JSON.parse keeps every
 * key an own property, `__proto__` included.
 */
function jsonTable(source: Source, name: string, type: string, entries: [string, unknown][], docs: string, parse = "JSON.parse"): void {
  source.blank().docs(docs);
  source.line(`export const ${name}: ${type} = /* @__PURE__ */ ${parse}(`);
  source.line("  '{' +");
  entries.forEach(([key, value], index) => source.line(`  ${jsonPiece(`${JSON.stringify(key)}:${JSON.stringify(value)}${index === entries.length - 1 ? "" : ","}`)} +`));
  source.line("  '}',");
  source.line(`) as ${type};`);
}

export function catalogueFile(catalogue: Catalogue, names: TypeScriptNames): string {
  const source = new Source();
  const versions = catalogue.events.flatMap((event) => event.versions.map((version) => ({ event, version })));
  const typeImports = ["Event", "EventName", "EventOf", "EventOfName", "EventType", "LatestEvent", "LatestOf", "LatestTypes", "NameOfType", "PayloadOf"];
  for (const event of catalogue.events) {
    typeImports.push(names.eventUnion(event), ...event.versions.map((version) => names.eventVersion(event, version)));
  }
  source.block("import type {", () => {
    for (const name of typeImports.sort()) source.line(`${name},`);
  }, '} from "./types.js";');
  const checkers = versions.map((_, index) => payloadCheckName(index));
  source.block("import {", () => {
    for (const name of [...checkers].sort()) source.line(`${name},`);
  }, '} from "./validate.js";');
  if (hasMigrations(catalogue)) source.line('import { downgrades, toLatest, upgrades } from "./migrations.js";');
  source.line(
    `import { coalesceKeyOf, collectIssues, metaTable, migrateWith, parseEnvelopeWith, parseEventWith, type EnvelopeParseResult, type EventParseResult, ${hasMigrations(catalogue) ? "" : "type Migration, "}type MigrationResult, type PayloadCheck, type ValidationIssue } from "./wire.js";`,
  );
  if (!hasMigrations(catalogue)) {
    source.blank().docs("The catalogue declares no migration: no version upgrades or downgrades to another.");
    source.line("const upgrades: ReadonlyMap<string, Migration> = /* @__PURE__ */ new Map();");
    source.line("const downgrades: ReadonlyMap<string, Migration> = /* @__PURE__ */ new Map();");
    source.line("const toLatest: ReadonlyMap<string, Migration> = /* @__PURE__ */ new Map();");
  }

  source.blank().docs("What the runtime knows of one event version.");
  source.block("export interface EventMeta<T extends EventType = EventType> {", () => {
    source.line("readonly name: EventName;");
    source.line("readonly version: number;");
    source.line("readonly type: T;");
    source.docs("The highest version of its event.");
    source.line("readonly latest: boolean;");
    source.docs("Payload paths whose values identify one state snapshot; absent: never coalesced.");
    source.line("readonly coalesce?: readonly (readonly string[])[];");
    source.docs("Payload path that scopes the channel.");
    source.line("readonly topic?: readonly string[];");
  });

  jsonTable(
    source,
    // Declared, not mapped per key: one `EventMeta` for every wire type.
    "eventMeta",
    "Readonly<Record<EventType, EventMeta>>",
    catalogue.events.flatMap((event) => event.versions.map((version, index) => [version.wireType, metaEntry(event, index)] as [string, unknown])),
    "Every event version of the catalogue, by wire type.",
    "metaTable",
  );
  source.blank();
  source.docs("Every wire type, sorted.");
  source.line(`export const eventTypes: readonly EventType[] = /* @__PURE__ */ JSON.parse(${jsonText(versions.map(({ version }) => version.wireType))}) as readonly EventType[];`);
  source.blank();
  source.docs("Every event name, sorted.");
  source.line(`export const eventNames: readonly EventName[] = /* @__PURE__ */ JSON.parse(${jsonText(catalogue.events.map((event) => event.name))}) as readonly EventName[];`);
  jsonTable(
    source,
    "latestTypes",
    "LatestTypes",
    catalogue.events.map((event) => [event.name, event.versions.at(-1)!.wireType]),
    "The latest wire type of each event name.",
  );
  // A hash lookup, not a search: one Map read whatever the number of versions. Built from an object
  // literal checked against `PayloadCheck` key by key: an array of `[type, check]` pairs would make
  // the checker infer, and reduce, a union of one tuple type per version.
  source.blank();
  source.docs("The generated validator of each wire type.");
  source.block("export const payloadChecks: ReadonlyMap<string, PayloadCheck> = /* @__PURE__ */ new Map(/* @__PURE__ */ Object.entries<PayloadCheck>({", () => {
    versions.forEach(({ version }, index) => source.line(`${propertyKey(version.wireType)}: ${checkers[index]!},`));
  }, "}));");
  fn(
    source,
    "payloadCheckOf(type: string): PayloadCheck | undefined",
    ["return payloadChecks.get(type);"],
    "The generated validator of a wire type; undefined for a type this catalogue does not know.",
  );

  fn(source, "isEventType(type: string): type is EventType", ["return Object.hasOwn(eventMeta, type);"], "Is `type` a wire type of this catalogue?");
  source.blank().docs("How a parse function delivers a known event: as it came (the default), or upgraded to the latest version of its event.");
  source.line('export interface ParseOptions { upgrade?: "latest" }');
  overloaded(
    source,
    "parseEvent",
    [
      // The plain signature last: a program that passes the function on (a binding) is typed by it.
      ['(input: unknown, options: { upgrade: "latest" }): EventParseResult<LatestEvent>', "Validates an event document and upgrades it to the latest version of its event through the declared migrations; an event with a step that declares none is `invalid`, never delivered as the latest type."],
      ["(input: unknown): EventParseResult<Event>", "Validates an event document: a parsed value, or JSON text as a string. Unknown wire types are an explicit `unknown` result, never a throw."],
    ],
    "(input: unknown, options?: ParseOptions): EventParseResult<Event>",
    [
      "const result = parseEventWith<Event>(payloadChecks, input);",
      'if (options?.upgrade !== "latest" || result.kind !== "event") return result;',
      "// The common case in one table read: the result, made here, carries the upgraded event.",
      "const chain = toLatest.get(result.event.type);",
      "if (chain === undefined) return upgradeParsed(result.event, result);",
      "result.event = { type: chain[0], payload: chain[1](result.event.payload) } as Event;",
      "return result;",
    ],
  );
  overloaded(
    source,
    "parseEnvelope",
    [
      ['(input: unknown, options: { upgrade: "latest" }): EnvelopeParseResult<LatestEvent>', "Validates an envelope and upgrades its event to the latest version (id, time and topic kept); one that cannot be upgraded is `invalid`."],
      ["(input: unknown): EnvelopeParseResult<Event>", "Validates an envelope and the event inside it: a parsed value, or JSON text as a string. Unknown wire types are an explicit `unknown` result."],
    ],
    "(input: unknown, options?: ParseOptions): EnvelopeParseResult<Event>",
    [
      "const result = parseEnvelopeWith<Event>(payloadChecks, input);",
      'if (options?.upgrade !== "latest" || result.kind !== "event") return result;',
      "const upgraded = upgradeParsed(result.envelope.event, undefined);",
      'if (upgraded.kind !== "event") return upgraded;',
      'return upgraded.event === result.envelope.event ? result : { kind: "event", envelope: { ...result.envelope, event: upgraded.event } };',
    ],
  );
  source.blank();
  source.blank().docs("A valid event at the latest version of its event (itself when it is there already), or why not.");
  source.block("function latestOf(event: Event): MigrationResult<Event> {", () => {
    source.line("const chain = toLatest.get(event.type);");
    source.line('if (chain !== undefined) return { kind: "event", event: { type: chain[0], payload: chain[1](event.payload) } as Event };');
    source.line("const meta = eventMeta[event.type];");
    source.line("// At the latest version already, or some step on the way declares no migration (the result names it).");
    source.line('return meta.latest ? { kind: "event", event } : migrateWith<Event>(upgrades, event, latestTypes[meta.name]);');
  });
  source.blank().docs("What an upgrading parse gives for a valid event: the parse's own result when the event is at the latest version already.");
  source.block('function upgradeParsed(event: Event, parsed: { kind: "event"; event: Event } | undefined): { kind: "event"; event: Event } | { kind: "invalid"; issues: ValidationIssue[] } {', () => {
    source.line('if (parsed !== undefined && eventMeta[event.type].latest) return parsed;');
    source.line("const result = latestOf(event);");
    source.line('return result.kind === "event" ? result : { kind: "invalid", issues: result.issues };');
  });
  fn(
    source,
    "upgradeEvent<E extends Event>(event: E, options?: { to?: number }): MigrationResult<LatestOf<E>>",
    [
      "const meta = eventMeta[event.type];",
      "if (options?.to === undefined) return latestOf(event) as MigrationResult<LatestOf<E>>;",
      "const to = options.to;",
      "const target = `${meta.name}.v${to}`;",
      'if (!isEventType(target) || to < meta.version) return { kind: "unavailable", issues: [{ path: "/type", message: `${event.type} cannot be upgraded to version ${to}` }] };',
      "return migrateWith<LatestOf<E>>(upgrades, event, target);",
    ],
    "Upgrades a valid event through the declared migrations, one version at a time, to the latest version of its event (or version `to`; typed as the latest). The event given is not changed.",
  );
  fn(
    source,
    "downgradeEvent<E extends Event>(event: E, options: { to: number }): MigrationResult<EventOfName<NameOfType<E[\"type\"]>>>",
    [
      "const meta = eventMeta[event.type];",
      "const target = `${meta.name}.v${options.to}`;",
      'if (!isEventType(target) || options.to > meta.version) return { kind: "unavailable", issues: [{ path: "/type", message: `${event.type} cannot be downgraded to version ${options.to}` }] };',
      "return migrateWith<EventOfName<NameOfType<E[\"type\"]>>>(downgrades, event, target);",
    ],
    "Downgrades a valid event through the declared downgrades to version `to` of its event, for consumers pinned to it. The event given is not changed.",
  );
  fn(
    source,
    "validatePayload<T extends EventType>(type: T, payload: unknown): ValidationIssue[]",
    [
      "const check = payloadCheckOf(type);",
      'return check === undefined ? [{ path: "/type", message: "unknown type" }] : collectIssues(check, payload, "");',
    ],
    "Every problem with `payload` as the payload of `type`; empty when it is valid.",
  );
  fn(source, "isEvent(input: unknown): input is Event", ['return parseEvent(input).kind === "event";'], "Is `input` a valid event of this catalogue?");
  fn(source, "isEventOfType<T extends EventType>(event: { type: string }, type: T): event is EventOf<T>", ["return event.type === type;"], "Narrows an event to wire type `type`.");
  fn(
    source,
    "isEventOfName<N extends EventName>(event: { type: string }, name: N): event is EventOfName<N>",
    ["return isEventType(event.type) && eventMeta[event.type].name === name;"],
    "Narrows an event to any version of the event named `name`.",
  );
  fn(source, "eventName(type: EventType): EventName", ["return eventMeta[type].name;"], "The event name of a wire type: `session.status.v2` → `session.status`.");
  fn(source, "eventVersion(type: EventType): number", ["return eventMeta[type].version;"], "The version of a wire type.");
  fn(
    source,
    "coalesceKey(event: Event): string | undefined",
    ["const meta: EventMeta = eventMeta[event.type];", "return coalesceKeyOf(meta.name, meta.coalesce, event.payload);"],
    "The coalesce key of an event (`[name, values…]` as JSON text); undefined when its event is never coalesced.",
  );
  fn(
    source,
    "latestEvent<N extends EventName>(name: N, payload: PayloadOf<LatestTypes[N]>): EventOf<LatestTypes[N]>",
    ["return { type: latestTypes[name], payload } as EventOf<LatestTypes[N]>;"],
    "Builds the latest version's event document for `name`.",
  );
  source.blank().docs("A type guard of one event or one event version: narrows an event by its wire type.");
  source.line("export type EventGuard<E extends { type: string }> = (event: { type: string }) => event is E;");
  source.blank().docs("The event name of `type`; undefined for a type this catalogue does not know.");
  source.block("function nameOfType(type: string): string | undefined {", () => source.line("return isEventType(type) ? eventMeta[type].name : undefined;"));
  source.blank();
  source.block("function nameGuard<E extends { type: string }>(name: string): EventGuard<E> {", () => source.line("return (event): event is E => nameOfType(event.type) === name;"));
  source.blank();
  source.block("function typeGuard<E extends { type: string }>(type: string): EventGuard<E> {", () => source.line("return (event): event is E => event.type === type;"));
  const guard = (name: string, type: string, make: string, of: string, docs: string): void => {
    source.blank().docs(docs);
    source.line(`export const ${name}: EventGuard<${type}> = /* @__PURE__ */ ${make}(${tsString(of)});`);
  };
  for (const event of catalogue.events) {
    guard(names.nameGuard(event), names.eventUnion(event), "nameGuard", event.name, `Narrows an event to any version of \`${event.name}\`.`);
    for (const version of event.versions) {
      guard(names.versionGuard(event, version), names.eventVersion(event, version), "typeGuard", version.wireType, `Narrows an event to \`${version.wireType}\`.`);
    }
  }
  return source.toString();
}
