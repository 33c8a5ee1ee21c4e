/**
 * Reads the `migrations` an event declares into IR steps, checking their form: which versions they
 * belong to, one operation per step, paths, JSON values, named migrations. Whether the result has
 * the right type is `verify.ts`'s question; this module reports what is malformed, naming the
 * version, the direction, the step and its path.
 */
import type { MigrationScalarValue, MigrationStep, NamedMigrationDef } from "../ir/types.js";
import { rustTextProblem } from "../targets/rust/escape.js";
import { isNamedMigration } from "./authoring.js";

export type Fail = (message: string, extra?: { version?: number; path?: string }) => void;

/** The operations, with the keys each step may carry besides its own. */
const OPERATIONS: Record<MigrationStep["op"], readonly string[]> = {
  move: ["to"],
  set: ["value"],
  default: ["value"],
  drop: [],
  map: ["values"],
  wrap: ["key"],
  unwrap: ["key"],
  widen: ["to"],
  each: ["steps"],
  apply: ["migration"],
};
const OPERATION_NAMES = Object.keys(OPERATIONS) as MigrationStep["op"][];

/** Operations whose path must name a field (they add or remove one), not the value itself. */
const FIELD_OPERATIONS = new Set<string>(["move", "set", "default", "drop"]);

export const NAMED_MIGRATION_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Named migrations met while reading, by id: one definition per id across the catalogue. */
export class NamedMigrations {
  private readonly byId = new Map<string, { def: NamedMigrationDef; shape: string; source: object }>();

  /** The id of `value` once its steps are read, or a message. */
  add(value: unknown, read: (steps: unknown, label: string) => MigrationStep[] | undefined): string | { error: string } {
    if (!isNamedMigration(value)) return { error: "must be a migration made by namedMigration(id, steps)" };
    const id = value.id;
    if (typeof id !== "string" || !NAMED_MIGRATION_ID.test(id)) return { error: `named migration id ${JSON.stringify(id)} must be a letter, then letters, digits and "_" (at most 64)` };
    const known = this.byId.get(id);
    if (known?.source === value) return id;
    const steps = read(value.steps, `named migration "${id}"`);
    if (steps === undefined) return { error: `named migration "${id}" is malformed` };
    const shape = JSON.stringify(steps);
    if (known !== undefined && known.shape !== shape) return { error: `two named migrations have the id "${id}" and different steps; give one another id` };
    if (known === undefined) this.byId.set(id, { def: { id, steps }, shape, source: value });
    return id;
  }

  get(id: string): NamedMigrationDef | undefined {
    return this.byId.get(id)?.def;
  }

  sorted(): NamedMigrationDef[] {
    return [...this.byId.keys()].sort().map((id) => this.byId.get(id)!.def);
  }
}

/**
 * The steps of every declared migration, by target version: `upgrade` from version−1 and
 * `downgrade` back to it. Undefined when anything is malformed (each problem reported through `fail`).
 */
export function readEventMigrations(
  declared: unknown,
  versions: readonly number[],
  fail: Fail,
  named: NamedMigrations,
): Map<number, { upgrade: MigrationStep[]; downgrade?: MigrationStep[] }> | undefined {
  const result = new Map<number, { upgrade: MigrationStep[]; downgrade?: MigrationStep[] }>();
  if (declared === undefined) return result;
  if (!isPlainObject(declared)) {
    fail(`"migrations" must map versions to { upgrade, downgrade? }`);
    return undefined;
  }
  let ok = true;
  for (const key of Object.keys(declared)) {
    const version = /^[1-9]\d*$/.test(key) ? Number(key) : NaN;
    const entry = declared[key];
    const bad = (message: string, path?: string): void => {
      ok = false;
      fail(message, { ...(Number.isNaN(version) ? {} : { version }), ...(path === undefined ? {} : { path }) });
    };
    if (Number.isNaN(version)) {
      bad(`migrations: "${key}" is not a version number`);
      continue;
    }
    if (!versions.includes(version)) {
      bad(`migrations: version ${version} is not defined`);
      continue;
    }
    if (!versions.includes(version - 1)) {
      bad(version === 1 ? `migrations: version 1 has no version before it to upgrade from` : `migrations: version ${version - 1}, which version ${version} upgrades from, is not defined`);
      continue;
    }
    if (!isPlainObject(entry) || !Array.isArray(entry["upgrade"])) {
      bad(`migrations: version ${version} must be { upgrade: [steps…], downgrade?: [steps…] }`);
      continue;
    }
    const extra = Object.keys(entry).filter((name) => name !== "upgrade" && name !== "downgrade");
    if (extra.length > 0) bad(`migrations: version ${version} has "${extra[0]}"; only "upgrade" and "downgrade" are read`);
    const reader = new StepReader(named, bad);
    const upgrade = reader.steps(entry["upgrade"], `version ${version} upgrade`);
    const downgrade = entry["downgrade"] === undefined ? undefined : reader.steps(entry["downgrade"], `version ${version} downgrade`);
    if (upgrade === undefined || (entry["downgrade"] !== undefined && downgrade === undefined)) continue;
    result.set(version, downgrade === undefined ? { upgrade } : { upgrade, downgrade });
  }
  return ok ? result : undefined;
}

class StepReader {
  constructor(
    private readonly named: NamedMigrations,
    private readonly bad: (message: string, path?: string) => void,
  ) {}

  steps(value: unknown, label: string): MigrationStep[] | undefined {
    if (!Array.isArray(value)) {
      this.bad(`${label}: steps must be an array`);
      return undefined;
    }
    const steps: MigrationStep[] = [];
    let ok = true;
    value.forEach((item, index) => {
      const step = this.step(item, `${label} step ${index + 1}`);
      if (step === undefined) ok = false;
      else steps.push(step);
    });
    return ok ? steps : undefined;
  }

  private step(value: unknown, label: string): MigrationStep | undefined {
    if (!isPlainObject(value)) {
      this.bad(`${label}: a step is an object such as { move: "a", to: "b" }`);
      return undefined;
    }
    const ops = OPERATION_NAMES.filter((op) => Object.hasOwn(value, op));
    if (ops.length !== 1) {
      this.bad(`${label}: ${ops.length === 0 ? "names no operation" : `names ${ops.length} operations (${ops.join(", ")})`}; a step is one of ${OPERATION_NAMES.join(", ")}`);
      return undefined;
    }
    const op = ops[0]!;
    const allowed = new Set([op, ...OPERATIONS[op]]);
    const unknown = Object.keys(value).find((name) => !allowed.has(name));
    const pathText = typeof value[op] === "string" ? value[op] : Array.isArray(value[op]) ? (value[op] as unknown[]).join(".") : undefined;
    const fail = (message: string): undefined => {
      this.bad(`${label} (${op}): ${message}`, pathText);
      return undefined;
    };
    if (unknown !== undefined) return fail(`"${unknown}" is not read by ${op} (it takes ${[op, ...OPERATIONS[op]].join(", ")})`);
    // Every text a step holds reaches generated TypeScript and Rust, and a Rust string cannot hold a lone surrogate.
    if (!wellFormed(value)) return fail(`holds text with a lone surrogate, which no side can carry exactly`);
    const path = readPath(value[op]);
    if (path === undefined) return fail(`the path must be a dot-separated string of field names, or an array of field names`);
    if (path.length === 0 && FIELD_OPERATIONS.has(op)) return fail(`the path must name a field`);
    switch (op) {
      case "move": {
        const to = readPath(value["to"]);
        if (to === undefined || to.length === 0) return fail(`"to" must name a field`);
        return { op, from: path, to };
      }
      case "set":
      case "default": {
        if (!Object.hasOwn(value, "value")) return fail(`"value" is missing`);
        const problem = jsonProblem(value["value"]);
        if (problem !== undefined) return fail(`"value" ${problem}`);
        return { op, path, value: value["value"] };
      }
      case "drop":
        return { op, path };
      case "map": {
        const values = readPairs(value["values"]);
        if (typeof values === "string") return fail(values);
        return { op, path, values };
      }
      case "wrap":
      case "unwrap": {
        const key = value["key"];
        if (typeof key !== "string" || key === "") return fail(`"key" must be a field name`);
        return { op, path, key };
      }
      case "widen":
        if (value["to"] !== "number") return fail(`"to" must be "number" (an integer read as any number)`);
        return { op, path };
      case "each": {
        const steps = this.steps(value["steps"], `${label} (each)`);
        return steps === undefined ? undefined : { op, path, steps };
      }
      case "apply": {
        const id = this.named.add(value["migration"], (steps, inner) => this.steps(steps, inner));
        if (typeof id !== "string") return fail(`"migration" ${id.error}`);
        return { op, path, migration: id };
      }
    }
  }
}

/** `"a.b"` → `["a", "b"]`; `""` → `[]` (the value itself); an array of names as it is. */
function readPath(value: unknown): string[] | undefined {
  if (typeof value === "string") {
    if (value === "") return [];
    const segments = value.split(".");
    return segments.every((segment) => segment !== "") ? segments : undefined;
  }
  if (Array.isArray(value) && value.every((segment) => typeof segment === "string" && segment !== "")) return [...(value as string[])];
  return undefined;
}

function readPairs(value: unknown): [MigrationScalarValue, MigrationScalarValue][] | string {
  const scalar = (item: unknown): item is MigrationScalarValue =>
    item === null || typeof item === "string" || typeof item === "boolean" || (typeof item === "number" && Number.isFinite(item));
  let pairs: [unknown, unknown][];
  if (Array.isArray(value)) {
    if (!value.every((pair) => Array.isArray(pair) && pair.length === 2)) return `"values" must be [from, to] pairs or an object of from: to`;
    pairs = value as [unknown, unknown][];
  } else if (isPlainObject(value)) pairs = Object.keys(value).map((key) => [key, value[key]]);
  else return `"values" must be [from, to] pairs or an object of from: to`;
  if (pairs.length === 0) return `"values" maps nothing`;
  for (const [from, to] of pairs) {
    if (!scalar(from) || !scalar(to)) return `"values" maps only strings, finite numbers, booleans and null`;
  }
  const froms = pairs.map(([from]) => JSON.stringify(from));
  const repeated = froms.find((from, index) => froms.indexOf(from) !== index);
  if (repeated !== undefined) return `"values" maps ${repeated} twice`;
  return pairs as [MigrationScalarValue, MigrationScalarValue][];
}

/** Why `value` is not plain JSON data, or undefined. */
function jsonProblem(value: unknown, depth = 0): string | undefined {
  if (depth > 32) return "is nested too deeply";
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)) ? undefined : `holds ${value}, which has no exact JSON form on every side`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const problem = jsonProblem(value[key], depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `must be JSON data (strings, numbers, booleans, null, arrays and plain objects), not ${typeof value}`;
}

/** Whether every string in `value` (keys included) is well-formed Unicode; named migrations are checked where they are read. */
function wellFormed(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return rustTextProblem(value) === undefined;
  if (depth > 32 || typeof value !== "object" || value === null || isNamedMigration(value)) return true;
  if (Array.isArray(value)) return value.every((item) => wellFormed(item, depth + 1));
  return Object.keys(value).every((key) => rustTextProblem(key) === undefined && wellFormed((value as Record<string, unknown>)[key], depth + 1));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
