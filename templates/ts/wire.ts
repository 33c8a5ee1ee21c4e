/**
 * Wire types and the parts of validation shared by every generated TypeScript SDK. This file is
 * copied into the SDK as it is; the generated `validate.ts` holds one validator per event version
 * and named type, and `catalogue.ts` dispatches to them by wire type.
 *
 * A validator is a `PayloadCheck`: `(value, path, out) => boolean`. With `out === null` it stops
 * at the first failure and builds no path or message (the success path of every parse); with an
 * array it appends every failure, at most MAX_ISSUES of them.
 * Readers are tolerant: unknown object fields are ignored unless a schema forbids them. A reader
 * never throws on its input.
 *
 * Besides its schema, every reader holds the whole document it is handed (ignored members
 * included) to the rules of I-JSON (RFC 7493), as the Rust crate does: nested at most MAX_DEPTH
 * levels, strings and member names well-formed (no lone surrogate), numbers finite (JSON text
 * beyond the double range reads as Infinity), and — for JSON text — no member name repeated in an
 * object (a parsed object cannot show one, so only text is checked for it).
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

/** Nesting levels a document may have; the outermost object or array is level 1. */
export const MAX_DEPTH = 128;


/** Issues collected for one document, at most. */
export const MAX_ISSUES = 100;

/** A generated validator (see the module comment). */
export type PayloadCheck = (value: unknown, path: string, out: ValidationIssue[] | null) => boolean;

/** Scheme, colon, no white space: what a `uri` format without a pattern is held to. */
export const ABSOLUTE_URI: RegExp = /^[A-Za-z][A-Za-z\d+.-]*:\S*$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

/** Every issue of `value` under `check`, reported at `path`. */
export function collectIssues(check: PayloadCheck, value: unknown, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  check(value, path, issues);
  return issues;
}

/** Whether `value` passes `check`: the early-exit form. */
export function passes(check: PayloadCheck, value: unknown): boolean {
  return check(value, "", null);
}

type TextIsWellFormed = (this: string) => boolean;
const nativeWellFormed = (String.prototype as { isWellFormed?: TextIsWellFormed }).isWellFormed;
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `text` is well-formed UTF-16: every surrogate paired. */
export const isWellFormed: (text: string) => boolean =
  nativeWellFormed === undefined ? (text) => !LONE_SURROGATE.test(text) : (text) => nativeWellFormed.call(text);

/** Whether the document `value` (at nesting `level` of its container) keeps the document rules of the module comment. */
function fitsDocument(value: unknown, level: number): boolean {
  if (typeof value === "string") return isWellFormed(value);
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || value === null) return true;
  if (level >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (!fitsDocument(value[index], level + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (!isWellFormed(key) || !fitsDocument((value as Record<string, unknown>)[key], level + 1)) return false;
  }
  return true;
}

/** Whether `value` nests deeper than MAX_DEPTH levels (counted from `level`, its container's). */
function tooDeep(value: unknown, level: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (level >= MAX_DEPTH) return true;
  for (const key in value) if (tooDeep((value as Record<string, unknown>)[key], level + 1)) return true;
  return false;
}

/** The first string or number in `value` that breaks the document rules, with its path. */
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
 * What breaks the document rules in `value`, the whole document a reader was handed (the module
 * comment); undefined when nothing does. Too deep is one issue at the root, whatever else is wrong.
 */
export function documentIssue(value: unknown): ValidationIssue | undefined {
  if (fitsDocument(value, 0)) return undefined;
  if (tooDeep(value, 0)) return { path: "", message: `nested deeper than ${MAX_DEPTH} levels` };
  return badScalar(value, "");
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
 * Reads JSON text as a reader of the wire must: JSON.parse, and no member name repeated in any
 * object (JSON.parse would keep the last). The other document rules are checked on the value.
 */
export function readJsonText(text: string): { ok: true; value: unknown } | { ok: false; issue: ValidationIssue } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, issue: { path: "", message: "not JSON text" } };
  }
  if (membersInText(text) !== membersInValue(value)) return { ok: false, issue: { path: "", message: "a member name is repeated in an object" } };
  return { ok: true, value };
}

/**
 * A reader's input: a parsed document as it is, a string as JSON text (readJsonText); and the first
 * issue of the document rules, if any.
 */
function readDocument(input: unknown): { ok: true; value: unknown } | { ok: false; issue: ValidationIssue } {
  let value = input;
  if (typeof input === "string") {
    const read = readJsonText(input);
    if (!read.ok) return read;
    value = read.value;
  }
  const issue = documentIssue(value);
  return issue === undefined ? { ok: true, value } : { ok: false, issue };
}

/**
 * Validates an event document `{ type, payload }` — a parsed value, or JSON text as a string;
 * `checks` holds the validator of each known wire type.
 */
export function parseEventWith<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown): EventParseResult<E> {
  const document = readDocument(input);
  if (!document.ok) return { kind: "invalid", issues: [document.issue] };
  return checkEvent<E>(checks, document.value, "");
}

/** The event at `path` of a document that keeps the document rules. */
function checkEvent<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown, path: string): EventParseResult<E> {
  if (!isRecord(input)) return { kind: "invalid", issues: [{ path, message: `expected object, got ${describe(input)}` }] };
  const type = Object.hasOwn(input, "type") ? input["type"] : undefined;
  if (typeof type !== "string") return { kind: "invalid", issues: [{ path: pointer(path, "type"), message: "expected string" }] };
  const check = checks.get(type);
  const payload = Object.hasOwn(input, "payload") ? input["payload"] : undefined;
  if (check === undefined) return { kind: "unknown", event: { type, payload } };
  if (payload === undefined) return { kind: "invalid", issues: [{ path: pointer(path, "payload"), message: "required" }] };
  if (check(payload, "", null)) return { kind: "event", event: input as E };
  return { kind: "invalid", issues: collectIssues(check, payload, pointer(path, "payload")) };
}

/** Validates an envelope `{ id, time, topic?, event }` and the event inside it — a parsed value, or JSON text as a string. */
export function parseEnvelopeWith<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown): EnvelopeParseResult<E> {
  const document = readDocument(input);
  if (!document.ok) return { kind: "invalid", issues: [document.issue] };
  const value = document.value;
  if (!isRecord(value)) return { kind: "invalid", issues: [{ path: "", message: `expected object, got ${describe(value)}` }] };
  const own = (key: string): unknown => (Object.hasOwn(value, key) ? value[key] : undefined);
  const issues: ValidationIssue[] = [];
  const id = own("id");
  const time = own("time");
  const topic = own("topic");
  if (typeof id !== "string" || id === "") issues.push({ path: "/id", message: "expected a non-empty string" });
  if (typeof time !== "string" || !ENVELOPE_TIME.test(time)) issues.push({ path: "/time", message: "expected an RFC 3339 UTC date-time" });
  if (topic !== undefined && typeof topic !== "string") issues.push({ path: "/topic", message: "expected string" });
  const result = checkEvent<E>(checks, own("event"), "/event");
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

/**
 * The issues of a payload under its generated validator (the early-exit check first); the payload
 * is the whole document here, held to the document rules.
 */
export function payloadIssues(check: PayloadCheck): (value: unknown) => readonly ValidationIssue[] {
  return (value) => {
    const issue = documentIssue(value);
    if (issue !== undefined) return [issue];
    return passes(check, value) ? [] : collectIssues(check, value, "");
  };
}

/** A JSON Schema document with other documents embedded as resources under `$defs` by their `$id`. */
export function withResources(document: Record<string, unknown>, resources: readonly Record<string, unknown>[]): Record<string, unknown> {
  const defs: Record<string, unknown> = { ...(document["$defs"] as Record<string, unknown> | undefined) };
  for (const resource of resources) defs[String(resource["$id"])] = resource;
  return { ...document, $defs: defs };
}
