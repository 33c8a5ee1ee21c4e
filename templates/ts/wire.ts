/**
 * Wire types and validation shared by every generated TypeScript SDK. This file is copied into the
 * SDK as it is; the generated `catalogue.ts` binds it to the catalogue's shapes and types.
 *
 * Validation interprets shapes (a data description of each payload) rather than compiling one
 * function per type: the SDK stays small and the checker is one tested piece of code.
 * Readers are tolerant: unknown object fields are ignored unless a schema forbids them.
 */

/** The wire model validators interpret: eventc's IR without documentation. */
export type WireShape =
  | { kind: "string"; format?: string; pattern?: string; minLength?: number; maxLength?: number }
  | {
      kind: "number";
      integer: boolean;
      minimum?: number;
      maximum?: number;
      exclusiveMinimum?: number;
      exclusiveMaximum?: number;
      multipleOf?: number;
    }
  | { kind: "boolean" }
  | { kind: "null" }
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "array"; items: WireShape; minItems?: number; maxItems?: number }
  | { kind: "tuple"; items: readonly WireShape[]; rest?: WireShape }
  | { kind: "record"; keys: WireShape; values: WireShape }
  | { kind: "object"; fields: readonly WireField[]; additional: "ignore" | "reject" | WireShape }
  | { kind: "union"; members: readonly WireShape[]; discriminator?: string; tags?: readonly string[] }
  | { kind: "nullable"; inner: WireShape }
  | { kind: "ref"; name: string }
  | { kind: "unknown" };

export interface WireField {
  name: string;
  type: WireShape;
  optional: boolean;
}

/** Named shapes by name, for `ref`. */
export type WireShapes = Readonly<Record<string, WireShape>>;

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
export const ENVELOPE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Scheme, colon, no white space: what a `uri` format without a pattern is held to. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z\d+.-]*:\S*$/;

const patterns = new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let compiled = patterns.get(source);
  if (compiled === undefined) {
    compiled = new RegExp(source, "u");
    patterns.set(source, compiled);
  }
  return compiled;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Checks `value` against `shape`, appending every failure to `issues`. */
export function check(shape: WireShape, value: unknown, shapes: WireShapes, path: string, issues: ValidationIssue[]): void {
  const fail = (message: string): void => {
    issues.push({ path, message });
  };
  switch (shape.kind) {
    case "string":
      if (typeof value !== "string") return fail(`expected string, got ${describe(value)}`);
      checkString(shape, value, fail);
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return fail(`expected number, got ${describe(value)}`);
      checkNumber(shape, value, fail);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(`expected boolean, got ${describe(value)}`);
      return;
    case "null":
      if (value !== null) fail(`expected null, got ${describe(value)}`);
      return;
    case "literal":
      if (value !== shape.value) fail(`expected ${JSON.stringify(shape.value)}`);
      return;
    case "enum":
      if (typeof value !== "string" || !shape.values.includes(value)) fail(`expected one of ${shape.values.map((v) => JSON.stringify(v)).join(", ")}`);
      return;
    case "array":
      if (!Array.isArray(value)) return fail(`expected array, got ${describe(value)}`);
      if (shape.minItems !== undefined && value.length < shape.minItems) fail(`expected at least ${shape.minItems} items`);
      if (shape.maxItems !== undefined && value.length > shape.maxItems) fail(`expected at most ${shape.maxItems} items`);
      value.forEach((item, index) => check(shape.items, item, shapes, pointer(path, index), issues));
      return;
    case "tuple":
      if (!Array.isArray(value)) return fail(`expected array, got ${describe(value)}`);
      if (value.length < shape.items.length || (shape.rest === undefined && value.length > shape.items.length)) {
        return fail(`expected ${shape.items.length} items${shape.rest === undefined ? "" : " or more"}, got ${value.length}`);
      }
      value.forEach((item, index) => {
        const itemShape = shape.items[index] ?? shape.rest;
        if (itemShape !== undefined) check(itemShape, item, shapes, pointer(path, index), issues);
      });
      return;
    case "record":
      if (!isRecord(value)) return fail(`expected object, got ${describe(value)}`);
      for (const [key, item] of Object.entries(value)) {
        check(shape.keys, key, shapes, pointer(path, key), issues);
        check(shape.values, item, shapes, pointer(path, key), issues);
      }
      if (shape.keys.kind === "enum") {
        for (const key of shape.keys.values) if (!Object.hasOwn(value, key)) issues.push({ path: pointer(path, key), message: "required" });
      }
      return;
    case "object":
      checkObject(shape, value, shapes, path, issues);
      return;
    case "union":
      checkUnion(shape, value, shapes, path, issues);
      return;
    case "nullable":
      if (value !== null) check(shape.inner, value, shapes, path, issues);
      return;
    case "ref": {
      const target = Object.hasOwn(shapes, shape.name) ? shapes[shape.name] : undefined;
      if (target === undefined) return fail(`unknown type ${shape.name}`);
      check(target, value, shapes, path, issues);
      return;
    }
    case "unknown":
      return;
  }
}

function checkString(shape: Extract<WireShape, { kind: "string" }>, value: string, fail: (message: string) => void): void {
  // Length in code points, as JSON Schema counts it.
  const needsLength = shape.minLength !== undefined || shape.maxLength !== undefined;
  const length = needsLength ? [...value].length : 0;
  if (shape.minLength !== undefined && length < shape.minLength) fail(`expected at least ${shape.minLength} characters`);
  if (shape.maxLength !== undefined && length > shape.maxLength) fail(`expected at most ${shape.maxLength} characters`);
  if (shape.pattern !== undefined && !pattern(shape.pattern).test(value)) {
    fail(shape.format === undefined ? `does not match ${shape.pattern}` : `not a valid ${shape.format}`);
  } else if (shape.pattern === undefined && shape.format === "uri" && !ABSOLUTE_URI.test(value)) {
    fail("not a valid uri");
  }
}

function checkNumber(shape: Extract<WireShape, { kind: "number" }>, value: number, fail: (message: string) => void): void {
  if (shape.integer && !Number.isInteger(value)) fail("expected an integer");
  if (shape.minimum !== undefined && value < shape.minimum) fail(`expected at least ${shape.minimum}`);
  if (shape.maximum !== undefined && value > shape.maximum) fail(`expected at most ${shape.maximum}`);
  if (shape.exclusiveMinimum !== undefined && value <= shape.exclusiveMinimum) fail(`expected more than ${shape.exclusiveMinimum}`);
  if (shape.exclusiveMaximum !== undefined && value >= shape.exclusiveMaximum) fail(`expected less than ${shape.exclusiveMaximum}`);
  // Exact IEEE-754 division, as Ajv and the Rust crate check it: every side gives the same answer.
  if (shape.multipleOf !== undefined && (value / shape.multipleOf) % 1 !== 0) fail(`expected a multiple of ${shape.multipleOf}`);
}

function checkObject(shape: Extract<WireShape, { kind: "object" }>, value: unknown, shapes: WireShapes, path: string, issues: ValidationIssue[]): void {
  if (!isRecord(value)) {
    issues.push({ path, message: `expected object, got ${describe(value)}` });
    return;
  }
  for (const field of shape.fields) {
    const item = Object.hasOwn(value, field.name) ? value[field.name] : undefined;
    if (item === undefined) {
      if (!field.optional) issues.push({ path: pointer(path, field.name), message: "required" });
    } else {
      check(field.type, item, shapes, pointer(path, field.name), issues);
    }
  }
  if (shape.additional === "ignore") return;
  for (const key of Object.keys(value)) {
    if (shape.fields.some((field) => field.name === key)) continue;
    if (shape.additional === "reject") issues.push({ path: pointer(path, key), message: "unknown field" });
    else check(shape.additional, value[key], shapes, pointer(path, key), issues);
  }
}

function checkUnion(shape: Extract<WireShape, { kind: "union" }>, value: unknown, shapes: WireShapes, path: string, issues: ValidationIssue[]): void {
  if (shape.discriminator !== undefined && shape.tags !== undefined) {
    if (!isRecord(value)) {
      issues.push({ path, message: `expected object, got ${describe(value)}` });
      return;
    }
    const tag = Object.hasOwn(value, shape.discriminator) ? value[shape.discriminator] : undefined;
    const index = typeof tag === "string" ? shape.tags.indexOf(tag) : -1;
    const member = shape.members[index];
    if (member === undefined) {
      issues.push({
        path: pointer(path, shape.discriminator),
        message: `expected one of ${shape.tags.map((t) => JSON.stringify(t)).join(", ")}`,
      });
      return;
    }
    check(member, value, shapes, path, issues);
    return;
  }
  for (const member of shape.members) {
    const memberIssues: ValidationIssue[] = [];
    check(member, value, shapes, path, memberIssues);
    if (memberIssues.length === 0) return;
  }
  issues.push({ path, message: "matches no member of the union" });
}

/**
 * `check`, reporting false instead of throwing when the document is nested deeper than the call
 * stack allows: a reader never throws on its input.
 */
function checkWithinStack(shape: WireShape, value: unknown, shapes: WireShapes, path: string, issues: ValidationIssue[]): boolean {
  try {
    check(shape, value, shapes, path, issues);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** Validates an event document `{ type, payload }` against the catalogue's payload shapes. */
export function parseEventWith<E>(payloads: WireShapes, shapes: WireShapes, input: unknown, path = ""): EventParseResult<E> {
  if (!isRecord(input)) return { kind: "invalid", issues: [{ path, message: `expected object, got ${describe(input)}` }] };
  const type = input.type;
  if (typeof type !== "string") return { kind: "invalid", issues: [{ path: pointer(path, "type"), message: "expected string" }] };
  const payloadShape = Object.hasOwn(payloads, type) ? payloads[type] : undefined;
  if (payloadShape === undefined) return { kind: "unknown", event: { type, payload: input.payload } };
  const issues: ValidationIssue[] = [];
  if (!Object.hasOwn(input, "payload")) issues.push({ path: pointer(path, "payload"), message: "required" });
  else if (!checkWithinStack(payloadShape, input.payload, shapes, pointer(path, "payload"), issues)) {
    return { kind: "invalid", issues: [{ path: pointer(path, "payload"), message: "nested too deeply to check" }] };
  }
  if (issues.length > 0) return { kind: "invalid", issues };
  return { kind: "event", event: input as E };
}

/** Validates an envelope `{ id, time, topic?, event }` and the event inside it. */
export function parseEnvelopeWith<E>(payloads: WireShapes, shapes: WireShapes, input: unknown): EnvelopeParseResult<E> {
  if (!isRecord(input)) return { kind: "invalid", issues: [{ path: "", message: `expected object, got ${describe(input)}` }] };
  const issues: ValidationIssue[] = [];
  if (typeof input.id !== "string" || input.id === "") issues.push({ path: "/id", message: "expected a non-empty string" });
  if (typeof input.time !== "string" || !ENVELOPE_TIME.test(input.time)) issues.push({ path: "/time", message: "expected an RFC 3339 UTC date-time" });
  if (input.topic !== undefined && typeof input.topic !== "string") issues.push({ path: "/topic", message: "expected string" });
  const result = parseEventWith<E>(payloads, shapes, input.event, "/event");
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
