/**
 * Wire types and the parts of validation shared by every generated TypeScript SDK. This file is
 * copied into the SDK as it is; the generated `validate.ts` holds one validator per event version
 * and named type, and `catalogue.ts` dispatches to them by wire type.
 *
 * A validator is a `PayloadCheck`: `(value, path, out) => boolean`. With `out === null` it stops
 * at the first failure and builds no path or message (the success path of every parse); with an
 * array it appends every failure, at most MAX_ISSUES of them.
 * Readers are tolerant: unknown object fields are ignored unless a schema forbids them. A reader
 * never throws on its input: a document nested deeper than the call stack allows is invalid.
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

/** RFC 3339 date-time in UTC, as envelopes carry it. */
export const ENVELOPE_TIME: RegExp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;


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

/**
 * Every issue of `value` under `check`, reported at `path`; a document nested deeper than the call
 * stack allows is one issue, never an exception.
 */
export function collectIssues(check: PayloadCheck, value: unknown, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  try {
    check(value, path, issues);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return [{ path, message: "nested too deeply to check" }];
  }
  return issues;
}

/** Whether `value` passes `check`: the early-exit form, false for a document too deep to check. */
export function passes(check: PayloadCheck, value: unknown): boolean {
  try {
    return check(value, "", null);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return false;
  }
}

/** Validates an event document `{ type, payload }`; `checks` holds the validator of each known wire type. */
export function parseEventWith<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown, path: string): EventParseResult<E> {
  if (!isRecord(input)) return { kind: "invalid", issues: [{ path, message: `expected object, got ${describe(input)}` }] };
  const type = input["type"];
  if (typeof type !== "string") return { kind: "invalid", issues: [{ path: pointer(path, "type"), message: "expected string" }] };
  const check = checks.get(type);
  if (check === undefined) return { kind: "unknown", event: { type, payload: input["payload"] } };
  const payload = input["payload"];
  if (payload === undefined && !Object.hasOwn(input, "payload")) return { kind: "invalid", issues: [{ path: pointer(path, "payload"), message: "required" }] };
  try {
    if (check(payload, "", null)) return { kind: "event", event: input as E };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  return { kind: "invalid", issues: collectIssues(check, payload, pointer(path, "payload")) };
}

/** Validates an envelope `{ id, time, topic?, event }` and the event inside it. */
export function parseEnvelopeWith<E>(checks: ReadonlyMap<string, PayloadCheck>, input: unknown): EnvelopeParseResult<E> {
  if (!isRecord(input)) return { kind: "invalid", issues: [{ path: "", message: `expected object, got ${describe(input)}` }] };
  const issues: ValidationIssue[] = [];
  if (typeof input["id"] !== "string" || input["id"] === "") issues.push({ path: "/id", message: "expected a non-empty string" });
  if (typeof input["time"] !== "string" || !ENVELOPE_TIME.test(input["time"])) issues.push({ path: "/time", message: "expected an RFC 3339 UTC date-time" });
  if (input["topic"] !== undefined && typeof input["topic"] !== "string") issues.push({ path: "/topic", message: "expected string" });
  const result = parseEventWith<E>(checks, input["event"], "/event");
  if (result.kind === "invalid") issues.push(...result.issues);
  if (issues.length > 0 || result.kind === "invalid") return { kind: "invalid", issues };
  const envelope = input as unknown as EventEnvelope<never>;
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

/** The issues of a payload under its generated validator (the early-exit check first). */
export function payloadIssues(check: PayloadCheck): (value: unknown) => readonly ValidationIssue[] {
  return (value) => (passes(check, value) ? [] : collectIssues(check, value, ""));
}

/** A JSON Schema document with other documents embedded as resources under `$defs` by their `$id`. */
export function withResources(document: Record<string, unknown>, resources: readonly Record<string, unknown>[]): Record<string, unknown> {
  const defs: Record<string, unknown> = { ...(document["$defs"] as Record<string, unknown> | undefined) };
  for (const resource of resources) defs[String(resource["$id"])] = resource;
  return { ...document, $defs: defs };
}
