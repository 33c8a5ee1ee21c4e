/**
 * The intermediate representation: the one model every target reads.
 *
 * It is language-neutral and wire-oriented: it describes the JSON that travels, not the Zod
 * schema that produced it. Targets never see Zod; they see this. It is built from the JSON Schema
 * (draft 2020-12, "input" view) of each event version, so the same builder serves Zod v4, Zod v3
 * and raw JSON Schemas read back from a lockfile.
 *
 * Everything in a Catalogue is sorted (events by name, versions ascending, named types by name),
 * so targets can emit in the order they receive and stay deterministic.
 */

/** The whole compiled catalogue. */
export interface Catalogue {
  /** Events sorted by name. */
  events: EventDef[];
  /** Named types (Zod `.meta({ id })`) used anywhere in the catalogue, sorted by name. */
  types: NamedType[];
  /** Named migrations (`namedMigration`) that some version's steps apply, sorted by id. Absent: none. */
  migrations?: NamedMigrationDef[];
}

/** One event name with all its versions. */
export interface EventDef {
  /** Dot-separated event name, e.g. `session.status`. */
  name: string;
  description?: string;
  /**
   * Coalesce key: payload paths (each a list of field wire names) whose values identify a state
   * snapshot. `[]` = one key per event name. Absent = the event is never coalesced.
   */
  coalesce?: string[][];
  /** Payload path that scopes the channel; the field may be optional (absent = unscoped). */
  topic?: string[];
  /** Versions ascending; the last one is the latest. */
  versions: EventVersion[];
  /** Versions withdrawn on purpose (registry: removing these is not a break). */
  retired: number[];
  /** Where the event was defined, relative to the project root (for messages and annotations). */
  source: SourceLocation;
}

export interface SourceLocation {
  file: string;
  exportName: string;
}

/** One version of one event. */
export interface EventVersion {
  version: number;
  /** Wire discriminant: `<name>.v<version>`, e.g. `session.status.v2`. */
  wireType: string;
  /** The payload: always an object, or a reference to a named object type. */
  payload: TypeNode;
  /**
   * Steps that turn a payload of the version before this one into one of this version; absent when
   * none are declared. Proven at load time: every valid payload of the version before, upgraded, is
   * a valid payload of this one.
   */
  upgrade?: MigrationStep[];
  /** Steps from this version back to the one before; proven the same way. */
  downgrade?: MigrationStep[];
}

/**
 * One migration step over a payload as JSON (docs/migrations.md). A path is a list of field names
 * from the value the steps run on (the payload, or an element inside `each`); an empty path is that
 * value itself. Every step is total: where its path does not reach a value (an absent field, a
 * null, a value of another kind) it does nothing. Objects a step writes into are created by `move`
 * and `set` when missing; `default` writes only into an object that is there.
 */
export type MigrationStep =
  | { op: "move"; from: string[]; to: string[] }
  | { op: "set"; path: string[]; value: unknown }
  | { op: "default"; path: string[]; value: unknown }
  | { op: "drop"; path: string[] }
  /** Pairs of JSON scalars: a value equal to the first of a pair is replaced by the second. */
  | { op: "map"; path: string[]; values: [MigrationScalarValue, MigrationScalarValue][] }
  | { op: "wrap"; path: string[]; key: string }
  | { op: "unwrap"; path: string[]; key: string }
  /** An integer read as any number: a change of type only, the JSON stays as it is. */
  | { op: "widen"; path: string[] }
  | { op: "each"; path: string[]; steps: MigrationStep[] }
  | { op: "apply"; path: string[]; migration: string };

export type MigrationScalarValue = string | number | boolean | null;

/** A migration declared once (`namedMigration`) and applied by id. */
export interface NamedMigrationDef {
  id: string;
  steps: MigrationStep[];
}

/** A reusable type with a stable name (Zod `.meta({ id })`). */
export interface NamedType {
  name: string;
  description?: string;
  type: TypeNode;
}

/** Documentation common to every node. */
export interface NodeDocs {
  description?: string;
  deprecated?: boolean;
}

/**
 * A wire type. `ref` nodes point at a NamedType by name; recursion is only ever through a `ref`.
 * Unknown JSON (Zod `unknown`/`any`) is `unknown`.
 */
export type TypeNode =
  | StringNode
  | NumberNode
  | BooleanNode
  | NullNode
  | LiteralNode
  | EnumNode
  | ArrayNode
  | TupleNode
  | RecordNode
  | ObjectNode
  | UnionNode
  | NullableNode
  | RefNode
  | UnknownNode;

export interface StringNode extends NodeDocs {
  kind: "string";
  /** JSON Schema format name (`email`, `uuid`, `date-time`, `uri`, …). */
  format?: string;
  /** ECMAScript regular expression source, unanchored unless it anchors itself. */
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}

export interface NumberNode extends NodeDocs {
  kind: "number";
  /** Whole numbers only. */
  integer: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}

export interface BooleanNode extends NodeDocs {
  kind: "boolean";
}

export interface NullNode extends NodeDocs {
  kind: "null";
}

export interface LiteralNode extends NodeDocs {
  kind: "literal";
  value: string | number | boolean;
}

/** A closed set of strings (Zod `enum`). Values keep their declared order. */
export interface EnumNode extends NodeDocs {
  kind: "enum";
  values: string[];
}

export interface ArrayNode extends NodeDocs {
  kind: "array";
  items: TypeNode;
  minItems?: number;
  maxItems?: number;
}

/** Fixed-position array; `rest` types any elements past the fixed ones. */
export interface TupleNode extends NodeDocs {
  kind: "tuple";
  items: TypeNode[];
  rest?: TypeNode;
}

/**
 * String-keyed map. `keys` restricts the key set: a string node (pattern/format) or an enum. An
 * enum-keyed record requires every key (Zod's `z.record`) unless it is `partial` (Zod's
 * `z.partialRecord`: each key may be absent; JSON Schema: no `required`).
 */
export interface RecordNode extends NodeDocs {
  kind: "record";
  keys: StringNode | EnumNode;
  values: TypeNode;
  /** Enum keys only: every key is optional. */
  partial?: true;
}

export interface ObjectNode extends NodeDocs {
  kind: "object";
  /** Fields in declaration order (wire order). */
  fields: Field[];
  /**
   * What unknown fields mean. `ignore`: readers drop them (the default tolerant-reader rule);
   * `reject`: the schema forbids them (Zod `strictObject`); a TypeNode: they are kept and typed
   * (Zod `looseObject` = unknown, `catchall(T)` = T).
   */
  additional: "ignore" | "reject" | TypeNode;
}

export interface Field extends NodeDocs {
  /** The name on the wire, exactly. Targets derive language identifiers from it. */
  name: string;
  type: TypeNode;
  /** May be absent on the wire. */
  optional: boolean;
  /** JSON value a reader fills in when the field is absent (implies optional). */
  default?: unknown;
}

/**
 * One of several shapes. With `discriminator`, every member is an object (or a ref to one) whose
 * field of that name is a distinct string literal, and `tags[i]` is member i's literal.
 */
export interface UnionNode extends NodeDocs {
  kind: "union";
  members: TypeNode[];
  discriminator?: string;
  tags?: string[];
}

/** `inner` or JSON null. */
export interface NullableNode extends NodeDocs {
  kind: "nullable";
  inner: TypeNode;
}

export interface RefNode extends NodeDocs {
  kind: "ref";
  name: string;
}

export interface UnknownNode extends NodeDocs {
  kind: "unknown";
}

/** A JSON Schema document or sub-schema, as plain JSON. */
export type JsonSchema = { [key: string]: unknown };
