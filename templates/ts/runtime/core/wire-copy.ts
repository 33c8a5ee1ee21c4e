/**
 * What goes on the wire, checked before it is validated: `wireCopy(payload)` copies a payload as
 * JSON data — what `JSON.stringify` would send and a reader in another process would decode — or says
 * where it is not JSON data. The bus validates that copy and sends it (and hands it to in-process
 * subscribers), so what is validated is what is sent: an inherited field, a `toJSON`, a class
 * instance or a getter that answers differently the second time cannot slip past validation.
 */
import { MAX_DEPTH, pointer } from "../../wire.js";
import { messageOf } from "./errors.js";

/** Where a payload is not plain JSON data, and why: what `wireCopy` returns instead of a copy. */
export class NotJsonData {
  constructor(
    readonly path: string,
    readonly message: string,
  ) {}
}

/** Level of the payload in its envelope (`{ event: { payload } }`), as a reader counts nesting. */
const PAYLOAD_LEVEL = 3;

const OBJECT_PROTOTYPE: unknown = Object.prototype;
const ARRAY_PROTOTYPE: unknown = Array.prototype;

/**
 * `payload` as JSON data — what JSON.stringify would send and a reader would decode — copied, or
 * where it is not. Objects: own enumerable fields, each read once (a getter runs once, and its
 * value is what is validated and sent); a field whose value is undefined is left out, as JSON
 * leaves it out; `-0` becomes `0`. Refused: an object whose prototype is neither Object.prototype
 * nor null (a class instance, Map, Date, or `Object.create(…)` with inherited fields, which JSON
 * would not send), anything with `toJSON` (JSON would send what it returns), an array that is not a
 * plain array, a function, symbol or bigint, a number that is not finite, undefined in an array or
 * a hole, a field that throws when read, and nesting deeper than an envelope may hold (so also a
 * cycle). Copying by spread costs about what validating does, a fraction of JSON.stringify +
 * JSON.parse, and leaves nothing the publisher can change after the fact.
 */
export function wireCopy(payload: unknown): unknown {
  const trail: (string | number)[] = [];
  try {
    if (typeof payload === "object" && payload !== null) return copyContainer(payload, PAYLOAD_LEVEL, trail);
    return copyScalar(payload, trail, "", true);
  } catch (error) {
    if (error instanceof NotJsonData) return error;
    throw error;
  }
}

/** A value that is not an object or array, as JSON sends it (`top`: the payload itself). */
function copyScalar(value: unknown, trail: (string | number)[], key: string | number, top: boolean): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw notJson(trail, key, top, `${String(value)} is not a JSON number (JSON would send null)`);
      return value === 0 ? 0 : value;
    case "undefined":
      throw notJson(trail, key, top, "undefined (or a hole) is not JSON data: in an array, JSON would send null");
    default:
      throw notJson(trail, key, top, `a ${typeof value} is not JSON data`);
  }
}

/** The object or array at `level` (the path to it is `trail`), copied. */
function copyContainer(value: object, level: number, trail: (string | number)[]): object {
  if (level > MAX_DEPTH) throw notJson(trail, "", true, `nested deeper than ${MAX_DEPTH} levels in its envelope (or a cycle)`);
  const prototype: unknown = Object.getPrototypeOf(value);
  const array = prototype === ARRAY_PROTOTYPE && Array.isArray(value);
  if (!array && prototype !== OBJECT_PROTOTYPE && prototype !== null) throw notJson(trail, "", true, `not a plain ${Array.isArray(value) ? "array" : "object"}: ${describePrototype(prototype)}`);
  if ("toJSON" in value) throw notJson(trail, "", true, "has toJSON: JSON would send what it returns");
  if (array) return copyArray(value as unknown[], level, trail);
  let copy: Record<string, unknown>;
  try {
    // Own enumerable fields, each read once, as data: what JSON.stringify reads.
    copy = { ...value };
  } catch (error) {
    throw notJson(trail, throwingField(value), false, `reading it threw: ${messageOf(error)}`);
  }
  let absent = false;
  for (const key in copy) {
    const item = copy[key];
    if (typeof item === "object" && item !== null) {
      trail.push(key);
      copy[key] = copyContainer(item, level + 1, trail);
      trail.pop();
    } else if (item === undefined) {
      absent = true;
    } else if (typeof item !== "string" && typeof item !== "boolean") {
      copy[key] = copyScalar(item, trail, key, false);
    }
  }
  return absent ? withoutAbsent(copy) : copy;
}

function copyArray(value: readonly unknown[], level: number, trail: (string | number)[]): unknown[] {
  let copy: unknown[];
  try {
    copy = value.slice(); // each index read once
  } catch (error) {
    throw notJson(trail, throwingField(value), false, `reading it threw: ${messageOf(error)}`);
  }
  for (let index = 0; index < copy.length; index += 1) {
    const item = copy[index];
    if (typeof item === "object" && item !== null) {
      trail.push(index);
      copy[index] = copyContainer(item, level + 1, trail);
      trail.pop();
    } else if (typeof item !== "string" && typeof item !== "boolean") {
      // undefined here is an undefined item or a hole: JSON would send null for either.
      copy[index] = copyScalar(item, trail, index, false);
    }
  }
  return copy;
}

/** `copy` without its fields whose value is undefined (rebuilt: deleting would slow the object down). */
function withoutAbsent(copy: Record<string, unknown>): Record<string, unknown> {
  const dense: Record<string, unknown> = {};
  for (const key in copy) {
    const item = copy[key];
    if (item === undefined) continue;
    // An own "__proto__" field (JSON.parse makes one) stays a field, not the object's prototype.
    if (key === "__proto__") Object.defineProperty(dense, key, { value: item, enumerable: true, writable: true, configurable: true });
    else dense[key] = item;
  }
  return dense;
}

/** Which field of `value` throws when read (read again, to say where: only after one did). */
function throwingField(value: object): string | number {
  for (const key of Object.keys(value)) {
    try {
      void (value as Record<string, unknown>)[key];
    } catch {
      return Array.isArray(value) ? Number(key) : key;
    }
  }
  return "";
}

function notJson(trail: readonly (string | number)[], key: string | number, atTrail: boolean, message: string): NotJsonData {
  let path = "";
  for (const segment of trail) path = pointer(path, segment);
  return new NotJsonData(atTrail ? path : pointer(path, key), message);
}

/** What an object with `prototype` is, for a message. */
function describePrototype(prototype: unknown): string {
  if (typeof prototype !== "object" || prototype === null) return "an object with an unusual prototype";
  const constructor: unknown = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value;
  const name = typeof constructor === "function" ? constructor.name : "";
  return name === "" ? "it inherits from another object (JSON sends own fields only)" : `an instance of ${name} (JSON sends own fields only, and it may define how it is sent)`;
}
