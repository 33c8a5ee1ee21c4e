/**
 * The Rust items a catalogue lowers to, before printing. Each item knows its serde shape and how
 * typeshare sees it; the printer (render.ts) turns items into source text and nothing else.
 * Text here is raw — wire names, values, `docs` lines as the schema wrote them — and is escaped
 * only when printed (escape.ts); identifiers (`ident`, `name`) are already valid Rust.
 */

/** A Rust type expression, with the type typeshare should read for it when that differs. */
export interface RustType {
  /** The type as written in Rust, e.g. `Option<BTreeMap<String, i64>>`. */
  rust: string;
  /**
   * The same type as typeshare should parse it: `i64` → `I54`, `BTreeMap` → `HashMap`, tuples →
   * `JsonValue`. Equal to `rust` when typeshare can read the Rust type as it is.
   */
  share: string;
  /** What validation checks on a value of this type beyond what serde enforces; absent = nothing. */
  check?: Check;
}

/** String constraints: lengths in code points, a pattern already in the regex crate's syntax. */
export interface StringRule {
  kind: "string";
  minLength?: number;
  maxLength?: number;
  /** Translated pattern and what failing it means (the format name, or the source pattern). */
  pattern?: { source: string; label: string };
}

export interface NumberRule {
  kind: "number";
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}

export interface ItemCountRule {
  kind: "items";
  minItems?: number;
  maxItems?: number;
}

/**
 * Validation of one value, as a tree that follows the Rust type: validate-module.ts prints it as
 * a node of the crate's shape table, which one checker interprets over the value as JSON.
 */
export type Check =
  | { kind: "rule"; rule: StringRule | NumberRule; integer?: boolean }
  /** A bool or f64 that must equal one literal (Zod literals Rust widens). */
  | { kind: "equals"; rust: string; json: string }
  /** A generated item (struct or union), checked by its own shape; `name` is its Rust name. */
  | { kind: "nested"; name: string }
  /** A type alias: check what it stands for (resolved by name when printing). */
  | { kind: "alias"; name: string }
  | { kind: "list"; count?: ItemCountRule; items?: Check }
  | { kind: "option"; inner: Check }
  | { kind: "map"; keys?: Check; values?: Check; requiredKeys?: number }
  | { kind: "tuple"; items: (Check | undefined)[] }
  /** A tuple with rest elements, carried as `Vec<JsonValue>`: every element is read as its type. */
  | { kind: "rest-tuple"; items: RustType[]; rest: RustType };

export interface RustField {
  /** Identifier without the `r#` escape (render adds it). */
  ident: string;
  /** Name on the wire. */
  wire: string;
  type: RustType;
  docs: string[];
  /** Optional on the wire: absent stays absent on re-serialisation. */
  optional: boolean;
  /** Null allowed on the wire (the type is `Option<…>` for it). */
  nullable: boolean;
}

/** How typeshare is told about an item. */
export type ShareMode =
  /** `#[typeshare]`: typeshare carries the item faithfully. */
  | { kind: "faithful" }
  /** `#[typeshare(serialized_as = "…")]`: typeshare sees a simpler stand-in; a warning says why. */
  | { kind: "stand-in"; as: string };

interface ItemBase {
  name: string;
  docs: string[];
  share: ShareMode;
}

export interface StructItem extends ItemBase {
  kind: "struct";
  fields: RustField[];
  /** The schema forbids unknown fields (`z.strictObject`): its reader refuses them (validate.rs). */
  closed: boolean;
}

export interface AliasItem extends ItemBase {
  kind: "alias";
  type: RustType;
}

/** Unit variants serialised as strings (Zod enums, string literals). */
export interface UnitEnumItem extends ItemBase {
  kind: "unit-enum";
  variants: { ident: string; wire: string }[];
}

/** Unit variants serialised as integers (unions of integer literals), via serde_repr. */
export interface ReprEnumItem extends ItemBase {
  kind: "repr-enum";
  variants: { ident: string; value: number }[];
}

/** A discriminated union of inline objects: internally tagged, the discriminator inside each variant's object. */
export interface TaggedEnumItem extends ItemBase {
  kind: "tagged-enum";
  tag: string;
  variants: { ident: string; wire: string; docs: string[]; fields: RustField[] }[];
}

/**
 * A discriminated union with a named type among its members. One newtype variant per member,
 * each member a struct of its own that holds the discriminator as a field: a named type as it is
 * declared everywhere else (one Rust type per named type), an inline member as `<Union><Variant>`.
 * Serialised untagged (each member writes its own discriminator); read by the discriminator with a
 * `Deserialize` written out in validate.rs.
 */
export interface DispatchEnumItem extends ItemBase {
  kind: "dispatch-enum";
  tag: string;
  variants: { ident: string; wire: string; docs: string[]; type: RustType }[];
}

/** A plain union: untagged, members tried in declaration order. */
export interface UntaggedEnumItem extends ItemBase {
  kind: "untagged-enum";
  variants: UntaggedVariant[];
}

export type UntaggedVariant =
  | { ident: string; docs: string[]; shape: "unit" }
  | { ident: string; docs: string[]; shape: "newtype"; type: RustType };

export type RustItem = StructItem | AliasItem | UnitEnumItem | ReprEnumItem | TaggedEnumItem | DispatchEnumItem | UntaggedEnumItem;

/** A typeshare limitation met while lowering: the type it concerns and why. */
export interface ShareWarning {
  type: string;
  reason: string;
}

/** The Rust type expressions inside an item: its fields', its variants', what it aliases. */
export function typesInside(item: RustItem): string[] {
  switch (item.kind) {
    case "struct":
      return item.fields.map((field) => field.type.rust);
    case "tagged-enum":
      return item.variants.flatMap((variant) => variant.fields.map((field) => field.type.rust));
    case "dispatch-enum":
      return item.variants.map((variant) => variant.type.rust);
    case "untagged-enum":
      return item.variants.flatMap((variant) => (variant.shape === "newtype" ? [variant.type.rust] : []));
    case "alias":
      return [item.type.rust];
    case "unit-enum":
    case "repr-enum":
      return [];
  }
}

/** The names that key a map somewhere in `items` (`BTreeMap<Region, …>` → `Region`). */
export function mapKeyNames(items: readonly RustItem[]): Set<string> {
  return new Set(items.flatMap(typesInside).flatMap((type) => [...type.matchAll(/\bBTreeMap<([A-Za-z0-9_]+), /g)].map((match) => match[1]!)));
}
