/**
 * Wire types and the parts of validation shared by every generated TypeScript SDK. This file is
 * copied into the SDK as it is; the generated `validate.ts` holds one validator per event version
 * and named type, and `catalogue.ts` dispatches to them by wire type.
 *
 * A validator is a `PayloadCheck`: `(value, path, out, level) => boolean`. With `out === null` it
 * stops at the first failure and builds no path or message (the success path of every parse); with
 * an array it appends every failure, at most MAX_ISSUES of them. `level` is the nesting level of
 * `value` in the document (the outermost object or array is 1).
 * Readers are tolerant: unknown object fields are ignored unless a schema forbids them. A reader
 * never throws on its input.
 *
 * The document rules (I-JSON, RFC 7493, and one nesting limit), as the Rust crate applies them to
 * the text it reads: nested at most MAX_DEPTH levels, strings and member names well-formed (no
 * lone surrogate), numbers finite (JSON text beyond the double range reads as Infinity), no member
 * name repeated in an object. JSON text handed to a reader is held to them as a whole. A parsed
 * value cannot show a repeated member, and the validators hold what they read to the others — every
 * typed string and number, every value of any JSON type, the nesting of everything they enter —
 * without walking the members a tolerant reader ignores (that walk would cost more than the
 * validation itself).
 */

/** One validation failure. `path` is a JSON Pointer into the checked document. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** An event whose type this SDK does not know (a newer producer): kept, not thrown. */
export interface UnknownEvent {
  type: string;
  payload: unknown;
}

/** One event in transit. `time` is RFC 3339 in UTC; `topic` is the value of the event's topic path. */
export interface EventEnvelope<E = UnknownEvent> {
  id: string;
  time: string;
  topic?: string;
  event: E;
}

export type EventParseResult<E> =
  | { kind: "event"; event: E }
  | { kind: "unknown"; event: UnknownEvent }
  | { kind: "invalid"; issues: ValidationIssue[] };

export type EnvelopeParseResult<E> =
  | { kind: "event"; envelope: EventEnvelope<E> }
  | { kind: "unknown"; envelope: EventEnvelope<UnknownEvent> }
  | { kind: "invalid"; issues: ValidationIssue[] };

/**
 * RFC 3339 date-time in UTC, as envelopes carry it: a real calendar date (leap years counted),
 * hours 00–23, minutes and seconds 00–59, an optional fraction, `Z`. Zod 4's `z.iso.datetime()`
 * pattern; the JSON Schema of the envelope and the Rust crate check the same one.
 */
export const ENVELOPE_TIME: RegExp =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

/**
 * The id grammar (docs/wire-format.md, "Ids"): every id that crosses the wire — an envelope id, a
 * Redis Streams position, the SSE cursor a client resumes from — is 1 to `maxLength` visible ASCII
 * characters, `!` (0x21) to `~` (0x7E): no space, no control character (so no line break), nothing
 * outside ASCII. Such an id can be written after `id: ` in an SSE frame and sent back as a
 * `Last-Event-ID` header as it is. It covers the bus's UUID-form ids and Streams positions.
 */
export const WIRE_ID: RegExp = /^[!-~]+$/;

/** Characters an envelope id may have, at most (the JSON Schema of the envelope and the Rust crate hold the same bound). */
export const MAX_ENVELOPE_ID_LENGTH = 256;

/**
 * Characters an SSE cursor (the `id:` of a frame, sent back as `Last-Event-ID`) may have, at most:
 * an envelope id, a position, or the positions of several channels (sse/log.ts).
 */
export const MAX_CURSOR_LENGTH = 4096;

/** Whether `value` is an id by the id grammar: 1 to `maxLength` visible ASCII characters. */
export function isWireId(value: unknown, maxLength: number = MAX_ENVELOPE_ID_LENGTH): value is string {
  return typeof value === "string" && value.length <= maxLength && WIRE_ID.test(value);
}

/** Nesting levels a document may have; the outermost object or array is level 1. */
export const MAX_DEPTH = 128;


/** Issues collected for one document, at most. */
export const MAX_ISSUES = 100;

/**
 * A generated validator (see the module comment); `level` is the nesting level of `value` (1: the
 * whole document). The exported `check…Payload` never throw: a payload nested past MAX_DEPTH is one
 * issue at `path`.
 */
export type PayloadCheck = (value: unknown, path: string, out: ValidationIssue[] | null, level?: number) => boolean;

/**
 * The metadata table of a catalogue (`eventMeta`) from its JSON text, which leaves out what each
 * wire type says itself: `session.status.v2` is `name` `session.status`, `version` 2, `type`
 * `session.status.v2`.
 */
export function metaTable<T>(text: string): T {
  const table = JSON.parse(text) as Record<string, Record<string, unknown>>;
  for (const type of Object.keys(table)) {
    const at = type.lastIndexOf(".v");
    table[type] = { name: type.slice(0, at), version: Number(type.slice(at + 2)), type, ...table[type] };
  }
  return table as T;
}

/** Scheme, colon, no white space: what a `uri` format without a pattern is held to. */
export const ABSOLUTE_URI: RegExp = /^[A-Za-z][A-Za-z\d+.-]*:\S*$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/*
 * The generated boolean checks' tests. They state no type predicate: a check declares each value
 * with the type it reads it as and tests it at run time, and a predicate would have the type
 * checker narrow what needs no narrowing.
 */

/** An object as the generated checks read one: members of any value. */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** An array as the generated checks read one. */
export type JsonItems = readonly unknown[];

/** Whether `value` is an object that is not an array, nested at most MAX_DEPTH levels (`level`). */
export function isObjectAt(value: unknown, level: number): boolean {
  return isObject(value) && level <= MAX_DEPTH;
}

/** Whether `value` is an array nested at most MAX_DEPTH levels (`level`). */
export function isArrayAt(value: unknown, level: number): boolean {
  return Array.isArray(value) && level <= MAX_DEPTH;
}

/** Whether `value` is an integer within ±(2^53 − 1). */
export function isInteger(value: unknown): boolean {
  return Number.isSafeInteger(value);
}

/** Whether `value` is an integer within ±(2^53 − 1) and from `min` to `max`. */
export function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Whether `value` is a finite number from `min` to `max`. */
export function isNumberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && value - value === 0 && value >= min && value <= max;
}

/** Whether every own member name of `record` is in `keys`. */
export function hasOnlyKeys(record: JsonRecord, keys: ReadonlySet<string>): boolean {
  for (const key of Object.keys(record)) if (!keys.has(key)) return false;
  return true;
}

/** Whether `value` is an object that is not an array (isRecord, for the boolean checks). */
export function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is a well-formed string. */
export function isText(value: unknown): boolean {
  return typeof value === "string" && isWellFormed(value);
}

/** Whether `value` is a finite number. */
export function isFiniteNumber(value: unknown): boolean {
  return typeof value === "number" && value - value === 0;
}

/** Whether `text` has `min` to `max` code points. */
export function codePointsWithin(text: string, min: number, max: number): boolean {
  const length = codePoints(text);
  return length >= min && length <= max;
}

/** `path` extended by one member or index, escaped as JSON Pointer requires. */
export function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/** The JSON type of a value, for messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Length in code points, as JSON Schema counts it (a lone surrogate counts as one). */
export function codePoints(text: string): number {
  let count = text.length;
  for (let index = 0; index < text.length - 1; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        index += 1;
      }
    }
  }
  return count;
}

/** Appends one failure, keeping the list bounded; false, for `ok = fail(…)`. */
export function fail(out: ValidationIssue[], path: string, message: string): false {
  if (out.length < MAX_ISSUES) out.push({ path, message });
  return false;
}

/** `fail` with "expected <type>, got <JSON type of value>". */
export function failType(out: ValidationIssue[], path: string, expected: string, value: unknown): false {
  return fail(out, path, `expected ${expected}, got ${describe(value)}`);
}

/**
 * Thrown by a validator that meets a container past MAX_DEPTH; the parse functions turn it into
 * the one issue such a document has. Made once: throwing it builds nothing.
 */
const TOO_DEEP: RangeError = new RangeError(`nested deeper than ${MAX_DEPTH} levels`);

/** Throws TOO_DEEP: a validator met a container nested deeper than MAX_DEPTH. */
export function tooDeep(): never {
  throw TOO_DEEP;
}

/** Rethrows anything but TOO_DEEP; the one issue of a document nested too deeply. */
function depthIssue(error: unknown): ValidationIssue {
  if (error !== TOO_DEEP) throw error;
  return { path: "", message: TOO_DEEP.message };
}

/**
 * What an exported validator returns when its checker threw: anything but TOO_DEEP is rethrown;
 * for TOO_DEEP, `out` (when collecting) loses what the checker appended after `start` and holds
 * the one depth issue at `path` instead.
 */
export function depthFailure(error: unknown, path: string, out: ValidationIssue[] | null, start: number): false {
  const issue = depthIssue(error);
  if (out !== null) {
    out.length = start;
    fail(out, path, issue.message);
  }
  return false;
}

/** Every issue of `value` under `check` (`value` at nesting `level`), reported at `path`. */
export function collectIssues(check: PayloadCheck, value: unknown, path: string, level = 1): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  try {
    check(value, path, issues, level);
  } catch (error) {
    return [depthIssue(error)];
  }
  return issues;
}

/** Whether `value` passes `check`: the early-exit form; false for a document nested too deeply. */
export function passes(check: PayloadCheck, value: unknown): boolean {
  try {
    return check(value, "", null, 1);
  } catch (error) {
    depthIssue(error);
    return false;
  }
}

interface WellFormedText {
  isWellFormed(): boolean;
}
const LONE_SURROGATE = /\p{Cs}/u;

const NATIVE_WELL_FORMED = typeof (String.prototype as Partial<WellFormedText>).isWellFormed === "function";

/**
 * Whether `text` is well-formed UTF-16: every surrogate paired (String.prototype.isWellFormed where
 * it exists). A function declaration, not a function chosen into a constant: the engine inlines it
 * into the validators, which call it for every string they read.
 */
export function isWellFormed(text: string): boolean {
  return NATIVE_WELL_FORMED ? (text as unknown as WellFormedText).isWellFormed() : !LONE_SURROGATE.test(text);
}

/** Whether a string or number keeps the document rules (other scalars always do). */
function fitsScalar(value: unknown): boolean {
  return typeof value === "string" ? isWellFormed(value) : typeof value !== "number" || value - value === 0;
}

/**
 * Whether `value`, nested at `level`, keeps the document rules: depth, well-formed strings and
 * names, finite numbers. Scalars are checked in the loops, so only containers recurse.
 */
export function fitsDocument(value: unknown, level: number): boolean {
  if (typeof value !== "object" || value === null) return fitsScalar(value);
  if (level > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (typeof item === "object" && item !== null ? !fitsDocument(item, level + 1) : !fitsScalar(item)) return false;
    }
    return true;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (!isWellFormed(key) || (typeof item === "object" && item !== null ? !fitsDocument(item, level + 1) : !fitsScalar(item))) return false;
  }
  return true;
}

/** Whether `value`, nested at `level`, holds a container deeper than MAX_DEPTH. */
function nestsTooDeep(value: unknown, level: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (level > MAX_DEPTH) return true;
  for (const key in value) if (nestsTooDeep((value as Record<string, unknown>)[key], level + 1)) return true;
  return false;
}

/** The first string, member name or number in `value` that breaks the document rules, with its path. */
function badScalar(value: unknown, path: string): ValidationIssue | undefined {
  if (typeof value === "string") return isWellFormed(value) ? undefined : { path, message: "not well-formed Unicode: a lone surrogate" };
  if (typeof value === "number") return Number.isFinite(value) ? undefined : { path, message: "a number beyond the double range" };
  if (typeof value !== "object" || value === null) return undefined;
  for (const key in value) {
    if (!isWellFormed(key)) return { path: pointer(path, key), message: "member name is not well-formed Unicode: a lone surrogate" };
    const found = badScalar((value as Record<string, unknown>)[key], pointer(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * What breaks the document rules in `value`, the whole document a reader was handed (`level` 1)
 * or a part of it nested at `level`; undefined when nothing does. Too deep is one issue at the
 * root, whatever else is wrong.
 */
export function documentIssue(value: unknown, level = 1): ValidationIssue | undefined {
  if (fitsDocument(value, level)) return undefined;
  if (nestsTooDeep(value, level)) return { path: "", message: TOO_DEEP.message };
  return badScalar(value, "");
}

/**
 * A value of any JSON type, nested at `level`, read by a validator: held to the document rules
 * (throws TOO_DEEP past the limit). False, with the issue appended to `out`, for a lone surrogate
 * or a number beyond the double range.
 */
export function checkJson(value: unknown, level: number, path: string, out: ValidationIssue[] | null): boolean {
  if (fitsDocument(value, level)) return true;
  if (nestsTooDeep(value, level)) tooDeep();
  if (out !== null) {
    const issue = badScalar(value, path);
    if (issue !== undefined) fail(out, issue.path, issue.message);
  }
  return false;
}

/** Object member names in JSON text that JSON.parse accepted: one `:` outside strings each. */
function membersInText(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x3a) count++;
    else if (code === 0x22) {
      for (index++; text.charCodeAt(index) !== 0x22; index++) if (text.charCodeAt(index) === 0x5c) index++;
    }
  }
  return count;
}

/** Object members in a parsed value. */
function membersInValue(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += membersInValue(item);
    return count;
  }
  for (const key in value) count += 1 + membersInValue((value as Record<string, unknown>)[key]);
  return count;
}

/**
 * Reads JSON text as a reader of the wire must: JSON.parse, then the document rules over the whole
 * document — no member name repeated in an object (JSON.parse would keep the last), nesting, lone
 * surrogates, numbers beyond the double range.
 */
export function readJsonText(text: string): { ok: true; value: unknown } | { ok: false; issue: ValidationIssue } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, issue: { path: "", message: "not JSON text" } };
  }
  const issue = documentIssue(value);
  if (issue !== undefined) return { ok: false, issue };
  if (membersInText(text) !== membersInValue(value)) return { ok: false, issue: { path: "", message: "a member name is repeated in an object" } };
  return { ok: true, value };
}

/**
 * Validates an event document `{ type, payload }` — a parsed value, or JSON text as a string (the
 * whole text held to the document rules; of a value, the parts the reader reads); `checks` holds
 * the validator of each known wire type.
 */
export function parseEventWith<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown): EventParseResult<E> {
  let value = input;
  if (typeof input === "string") {
    const read = readJsonText(input);
    if (!read.ok) return { kind: "invalid", issues: [read.issue] };
    value = read.value;
  }
  try {
    return checkEvent<E>(checks, value, "", 2);
  } catch (error) {
    return { kind: "invalid", issues: [depthIssue(error)] };
  }
}

/**
 * The event at `path` of a document, its payload nested at `level` (may throw TOO_DEEP). Members
 * are read directly: an own `type` or `payload` shadows anything inherited, and a missing one is
 * undefined on a plain object (JSON.parse makes no other).
 */
function checkEvent<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown, path: string, level: number): EventParseResult<E> {
  if (!isRecord(input)) return { kind: "invalid", issues: [{ path, message: `expected object, got ${describe(input)}` }] };
  const type = input["type"];
  if (typeof type !== "string") return { kind: "invalid", issues: [{ path: pointer(path, "type"), message: "expected string" }] };
  const check = checks.get(type);
  if (check === undefined) {
    // An unknown event is kept with its payload as it came, which is read, so held to the document rules.
    if (!isWellFormed(type)) return { kind: "invalid", issues: [{ path: pointer(path, "type"), message: "not well-formed Unicode: a lone surrogate" }] };
    const payload = Object.hasOwn(input, "payload") ? input["payload"] : undefined;
    const issues: ValidationIssue[] = [];
    if (payload !== undefined && !checkJson(payload, level, pointer(path, "payload"), issues)) return { kind: "invalid", issues };
    return { kind: "unknown", event: { type, payload } };
  }
  const payload = input["payload"];
  if (payload === undefined && !Object.hasOwn(input, "payload")) return { kind: "invalid", issues: [{ path: pointer(path, "payload"), message: "required" }] };
  if (check(payload, "", null, level)) return { kind: "event", event: input as E };
  const issues: ValidationIssue[] = [];
  check(payload, pointer(path, "payload"), issues, level);
  return { kind: "invalid", issues };
}

/**
 * Validates an envelope `{ id, time, topic?, event }` and the event inside it — a parsed value, or
 * JSON text as a string (read as parseEventWith reads it).
 */
export function parseEnvelopeWith<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown): EnvelopeParseResult<E> {
  let value = input;
  if (typeof input === "string") {
    const read = readJsonText(input);
    if (!read.ok) return { kind: "invalid", issues: [read.issue] };
    value = read.value;
  }
  try {
    return checkEnvelope<E>(checks, value);
  } catch (error) {
    return { kind: "invalid", issues: [depthIssue(error)] };
  }
}

function checkEnvelope<E>(checks: ReadonlyMap<string, PayloadCheck>, value: unknown): EnvelopeParseResult<E> {
  if (!isRecord(value)) return { kind: "invalid", issues: [{ path: "", message: `expected object, got ${describe(value)}` }] };
  const own = (key: string): unknown => (Object.hasOwn(value, key) ? value[key] : undefined);
  const issues: ValidationIssue[] = [];
  const id = own("id");
  const time = own("time");
  const topic = own("topic");
  if (!isWireId(id)) issues.push({ path: "/id", message: `expected an id: 1 to ${MAX_ENVELOPE_ID_LENGTH} visible ASCII characters` });
  if (typeof time !== "string" || !ENVELOPE_TIME.test(time)) issues.push({ path: "/time", message: "expected an RFC 3339 UTC date-time" });
  if (topic !== undefined && (typeof topic !== "string" || !isWellFormed(topic))) issues.push({ path: "/topic", message: "expected string" });
  const result = checkEvent<E>(checks, own("event"), "/event", 3);
  if (result.kind === "invalid") issues.push(...result.issues);
  if (issues.length > 0 || result.kind === "invalid") return { kind: "invalid", issues };
  const envelope = value as unknown as EventEnvelope<never>;
  return result.kind === "event" ? { kind: "event", envelope } : { kind: "unknown", envelope };
}

/**
 * The coalesce key of an event: the JSON text of `[name, value at each path…]`, absent values as
 * `null` (the Rust crate's `Event::coalesce_key` gives the same text). `paths` undefined: the event
 * is never coalesced.
 */
export function coalesceKeyOf(name: string, paths: readonly (readonly string[])[] | undefined, payload: unknown): string | undefined {
  if (paths === undefined) return undefined;
  const values = paths.map((path) => {
    let value: unknown = payload;
    for (const segment of path) value = isRecord(value) ? value[segment] : undefined;
    return value === undefined ? null : value;
  });
  return JSON.stringify([name, ...values]);
}

/*
 * Standard Schema v1 (https://standardschema.dev) and its Standard JSON Schema extension, declared
 * here so the SDK needs no package; every consumer of the standard (tRPC, Hono, TanStack Form…)
 * accepts these objects structurally.
 */

/** A value that validates itself for Standard Schema consumers and publishes its JSON Schema. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardResult<Output>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  /** Standard JSON Schema: the published schema (draft 2020-12 only), the same for input and output. */
  readonly jsonSchema: {
    readonly input: (options: StandardJsonSchemaOptions) => Record<string, unknown>;
    readonly output: (options: StandardJsonSchemaOptions) => Record<string, unknown>;
  };
}

export interface StandardJsonSchemaOptions {
  readonly target: string;
  readonly libraryOptions?: Record<string, unknown> | undefined;
}

export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] };

export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly PropertyKey[] | undefined;
}

/** JSON Pointer → Standard Schema path (reference tokens unescaped); none for the root. */
function standardIssue(issue: ValidationIssue): StandardIssue {
  if (issue.path === "") return { message: issue.message };
  return { message: issue.message, path: issue.path.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~")) };
}

/**
 * A Standard Schema object: `issuesOf` lists what is wrong with a value (none: valid, and the value
 * is returned as it is), `jsonSchema` builds the published JSON Schema on request.
 */
export function standardSchema<T>(issuesOf: (value: unknown) => readonly ValidationIssue[], jsonSchema: () => Record<string, unknown>): StandardSchemaV1<T, T> {
  const convert = (options: StandardJsonSchemaOptions): Record<string, unknown> => {
    if (options.target !== "draft-2020-12") throw new Error(`eventc publishes JSON Schema draft 2020-12; target "${options.target}" is not supported`);
    return jsonSchema();
  };
  return {
    "~standard": {
      version: 1,
      vendor: "eventc",
      validate: (value) => {
        const issues = issuesOf(value);
        return issues.length === 0 ? { value: value as T } : { issues: issues.map(standardIssue) };
      },
      jsonSchema: { input: convert, output: convert },
    },
  };
}

/** The issues of a payload under its generated validator (the early-exit check first); the payload is level 1. */
export function payloadIssues(check: PayloadCheck): (value: unknown) => readonly ValidationIssue[] {
  return (value) => (passes(check, value) ? [] : collectIssues(check, value, ""));
}

/**
 * A published JSON Schema (draft 2020-12) document: data, keyword by keyword. Declared, not inferred
 * from the document's literal, so a catalogue's schemas cost the type checker nothing per keyword.
 */
export type JsonSchemaDocument = Record<string, unknown>;

/** A JSON Schema document with other documents embedded as resources under `$defs` by their `$id`. */
export function withResources(document: JsonSchemaDocument, resources: readonly JsonSchemaDocument[]): JsonSchemaDocument {
  const defs: Record<string, unknown> = { ...(document["$defs"] as Record<string, unknown> | undefined) };
  for (const resource of resources) defs[String(resource["$id"])] = resource;
  return { ...document, $defs: defs };
}

/** One declared migration: the wire type it produces and the function that produces its payload. */
export type Migration = readonly [to: string, change: (payload: unknown) => unknown];

/** An event moved to another version, or why it could not be (a step with no migration declared). */
export type MigrationResult<E> = { kind: "event"; event: E } | { kind: "unavailable"; issues: ValidationIssue[] };

/**
 * Moves a valid event through `steps` (the upgrades or the downgrades of migrations.ts), one
 * version at a time, until its wire type is `target`. The event given is not changed; one already
 * at `target` is returned as it is.
 */
export function migrateWith<E>(steps: ReadonlyMap<string, Migration>, event: { type: string; payload?: unknown }, target: string): MigrationResult<E> {
  let type = event.type;
  let payload = event.payload;
  while (type !== target) {
    const step = steps.get(type);
    if (step === undefined) return { kind: "unavailable", issues: [{ path: "/type", message: `no migration declared from ${type} toward ${target}` }] };
    payload = step[1](payload);
    type = step[0];
  }
  return { kind: "event", event: (type === event.type ? event : { type, payload }) as E };
}
