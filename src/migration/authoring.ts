/**
 * Migrations as authors write them: for a version n > 1 of an event, the steps that turn a payload
 * of version n−1 into one of version n (`upgrade`), and optionally back (`downgrade`).
 *
 * A step is a plain object naming its operation by its first key, so it is data: the loader reads
 * it into the IR (`MigrationStep`), the lockfile records it, and each target compiles it into code
 * of its language. Paths are dot-separated field names (`"status"`, `"info.time"`), or arrays of
 * names when a name holds a dot. In the typed form (`EventOptions.migrations`), a path of the
 * source version and one of the target version are completed by an editor; whether the result is
 * of the target version's type is proven by `eventc generate`, which refuses a migration whose
 * result could be invalid (docs/migrations.md).
 */

/** A JSON value, as a migration writes one. */
export type MigrationJson = string | number | boolean | null | readonly MigrationJson[] | { readonly [key: string]: MigrationJson };
/** A value a `map` step matches and writes: enum members, literals. */
export type MigrationScalar = string | number | boolean | null;

/**
 * Dot paths of the object fields of `T`, through nested objects and every member of a union, a
 * few levels deep. Unknown or very wide types give `string`.
 */
export type FieldPath<T, Depth extends unknown[] = []> = Depth["length"] extends 4
  ? never
  : T extends readonly unknown[]
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: K | `${K}.${FieldPath<NonNullable<T[K]>, [...Depth, unknown]>}` }[keyof T & string]
      : never;

/** A path of `T`: completed from its fields when `T` is known, any path otherwise. */
export type PathOf<T> = unknown extends T ? string | readonly string[] : FieldPath<T> | readonly string[];

/** The value at dot path `P` of `T` (through unions), or unknown. */
export type ValueAt<T, P> = P extends `${infer Head}.${infer Rest}`
  ? T extends object
    ? Head extends keyof T
      ? ValueAt<NonNullable<T[Head]>, Rest>
      : unknown
    : unknown
  : P extends keyof T
    ? T[P]
    : unknown;

/** The element of an array, or the value of a record. */
export type ElementOf<T> = T extends readonly (infer E)[] ? E : T extends Record<string, infer V> ? V : unknown;

/** A migration declared once for a named type and applied wherever that type sits (`apply`). */
export interface NamedMigration<From = unknown, To = unknown> {
  readonly [NAMED_MIGRATION]: true;
  /** Unique in the catalogue; names the generated function. Letters, digits and `_`. */
  readonly id: string;
  readonly steps: readonly MigrationStepInput<From, To>[];
}

export const NAMED_MIGRATION = Symbol.for("eventc.named-migration");

/**
 * One step. Each reads and writes the payload as JSON; a step whose path does not reach a value
 * (an absent optional field, a null) does nothing, so every step is total.
 */
export type MigrationStepInput<From = unknown, To = unknown> =
  /** Renames or moves a field: removes it at `move` and writes it at `to` (objects on the way are created). */
  | { move: PathOf<From>; to: PathOf<To> }
  /** Writes a constant (objects on the way are created). */
  | { set: PathOf<To>; value: MigrationJson }
  /** Writes a value where the field is absent (only inside an object that is there). */
  | { default: PathOf<To>; value: MigrationJson }
  /** Removes a field. */
  | { drop: PathOf<From> }
  /** Replaces values found in the table (enum members, literals); others stay as they are. */
  | { map: PathOf<From> | ""; values: Readonly<Record<string, MigrationScalar>> | readonly (readonly [MigrationScalar, MigrationScalar])[] }
  /** Wraps a value into an object under `key`: `"busy"` → `{ "type": "busy" }`. */
  | { wrap: PathOf<From> | ""; key: string }
  /** Takes the member `key` out of an object: `{ "type": "busy", … }` → `"busy"`. */
  | { unwrap: PathOf<From> | ""; key: string }
  /** An integer field read as any number (no change on the wire). */
  | { widen: PathOf<From> | ""; to: "number" }
  /** Applies steps to each element of an array, or each value of a record. */
  | { each: PathOf<From> | ""; steps: readonly MigrationStepInput[] }
  /** Applies a named migration to the value at a path (`""`: the value itself, inside `each`). */
  | { apply: PathOf<From> | ""; migration: NamedMigration };

/** How one version relates to the one before it. */
export interface VersionMigration<From = unknown, To = unknown> {
  /** Steps from version n−1 to n. */
  upgrade: readonly MigrationStepInput<From, To>[];
  /** Steps from version n back to n−1, where the producer keeps serving consumers pinned to it. */
  downgrade?: readonly MigrationStepInput<To, From>[];
}

/** The payload type a Zod schema (v4 or v3) describes, read structurally; unknown otherwise. */
export type SchemaOutput<S> = S extends { _zod: { output: infer T } } ? T : S extends { _output: infer T } ? T : unknown;

type PreviousVersion = [never, never, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];

/** The version before `K` (up to 32; past that, paths are not completed). */
type Before<K> = K extends keyof PreviousVersion ? PreviousVersion[K] : K extends number ? number : never;

/** `migrations` of an event with versions `V`: for each version after the first, from the one before. */
export type EventMigrations<V> = {
  [K in keyof V]?: VersionMigration<Before<K> extends keyof V ? SchemaOutput<V[Before<K>]> : unknown, SchemaOutput<V[K]>>;
};

/**
 * Declares a migration for a named type, to `apply` wherever the type sits: one generated function
 * per side, whatever the number of places.
 */
export function namedMigration<From = unknown, To = unknown>(id: string, steps: readonly MigrationStepInput<From, To>[]): NamedMigration<From, To> {
  return { [NAMED_MIGRATION]: true, id, steps };
}

export function isNamedMigration(value: unknown): value is NamedMigration {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[NAMED_MIGRATION] === true;
}
