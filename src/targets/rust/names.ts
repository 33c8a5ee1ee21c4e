/**
 * Rust identifiers for wire names.
 *
 * Rules, applied the same way on every run so the crate's API is a function of the catalogue:
 * - Types and enum variants are PascalCase, fields snake_case, both built from the alphanumeric
 *   runs of the wire name (`sessionID` → `session_id`, `in_progress` → `InProgress`).
 * - A Rust keyword becomes a raw identifier (`type` → `r#type`); the four keywords that cannot be
 *   raw (`self`, `super`, `crate`, `Self`) take a trailing `_` (fields) or a `Value` suffix (variants).
 * - A name with no letters or digits, or that starts with a digit, gets a prefix (`field_`, `V`).
 * - Fields or variants of one item that land on the same identifier are told apart by a numeric
 *   suffix (`_2`, `3`, …): a wire name that already is the identifier keeps it, the others take
 *   suffixes in the sorted order of their wire names, so reordering declarations renames nothing. The wire name is kept with `#[serde(rename)]`.
 * - Type names are crate-wide (`TypeNamespace`). A name the user gave — a named type's id, an
 *   event's payload (`<Event>V<n>`) — is claimed first; two given names that land on one Rust name
 *   are the only collision reported, naming both and their source files. A given name the crate
 *   itself uses (`RESERVED_TYPE_NAMES`) becomes `<Name>Type`. Every name eventc derives (an inline
 *   object, enum or union named after where it sits) is claimed afterwards in catalogue order and,
 *   when taken, takes the smallest free numeric suffix (`StateDoneTime2`): derived names never
 *   block generation, and since the IR is sorted the result does not depend on file or export order.
 */
import { EventcError, throwIfAny, type ErrorContext } from "../../errors.js";

const KEYWORDS = new Set(
  (
    "as break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub ref return " +
    "self Self static struct super trait true type unsafe use where while async await dyn abstract become box do final " +
    "macro override priv typeof unsized virtual yield try gen union"
  ).split(" "),
);

/** Keywords that `r#` cannot escape. */
const NOT_RAW = new Set(["self", "Self", "super", "crate", "_"]);

/**
 * Names the crate declares or relies on at top level; a catalogue type may not take them, or the
 * crate would shadow the standard prelude or its own items.
 */
export const RESERVED_TYPE_NAMES = [
  "Event",
  "EventEnvelope",
  "UnknownEvent",
  "JsonValue",
  "Option",
  "Some",
  "None",
  "Result",
  "Ok",
  "Err",
  "String",
  "Vec",
  "Box",
  "BTreeMap",
  "HashMap",
  "Value",
  "Serialize",
  "Deserialize",
  "Deserializer",
  "Serializer",
  "Self",
  // Items of validate.rs, which sees the catalogue's types through `use crate::types::*`.
  "Issue",
  "Validate",
  "DecodeError",
  "Pattern",
  "StringRule",
  "NumberRule",
  "ItemCountRule",
  "Regex",
  "RegexBuilder",
  "OnceLock",
  "DeserializeOwned",
  // Names typeshare-cli reads as its own special types whatever they are declared as; a type of
  // one of these names makes it panic (`Cell`, `Arc`, … without type parameters) or mistype it.
  "Weak",
  "Arc",
  "Rc",
  "Cow",
  "ArcWeak",
  "RcWeak",
  "Cell",
  "Mutex",
  "RefCell",
  "RwLock",
  "OffsetDateTime",
  "I54",
  "U53",
];

const RESERVED = new Set(RESERVED_TYPE_NAMES);

/** Alphanumeric runs of `text`, split further at lower→upper and acronym→word boundaries. */
function words(text: string): string[] {
  return text
    .split(/[^A-Za-z0-9]+/)
    .flatMap((run) => run.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").split(" "))
    .filter((word) => word !== "");
}

/** `session.status` → `SessionStatus`, `HTTPServer` → `HttpServer`, `in_progress` → `InProgress`. */
export function pascalCase(text: string): string {
  return words(text)
    .map((word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())
    .join("");
}

/** `sessionID` → `session_id`, `HTTPServer` → `http_server`. */
export function snakeCase(text: string): string {
  return words(text)
    .map((word) => word.toLowerCase())
    .join("_");
}

/** A field identifier for a wire name, before collisions are resolved. */
export function fieldIdent(wire: string): string {
  let ident = snakeCase(wire);
  if (ident === "") ident = "field";
  else if (/^[0-9]/.test(ident)) ident = `field_${ident}`;
  if (NOT_RAW.has(ident)) return `${ident}_`;
  return ident;
}

/** A variant or type identifier for a wire name, before collisions are resolved. */
export function variantIdent(wire: string): string {
  let ident = pascalCase(wire);
  if (ident === "") ident = "Value";
  else if (/^[0-9]/.test(ident)) ident = `V${ident}`;
  if (NOT_RAW.has(ident)) return `${ident}Value`;
  return ident;
}

/** The identifier as Rust source: keywords become raw identifiers. */
export function rustIdent(ident: string): string {
  return KEYWORDS.has(ident) ? `r#${ident}` : ident;
}

/**
 * Identifiers for a list of wire names within one item (fields of a struct, variants of an enum),
 * in the input order. Collisions get numeric suffixes assigned in sorted wire-name order.
 */
export function distinctIdents(wires: readonly string[], base: (wire: string) => string, separator: string): string[] {
  const bases = wires.map(base);
  const order = wires.map((_, index) => index).sort((a, b) => (wires[a]! < wires[b]! ? -1 : wires[a]! > wires[b]! ? 1 : a - b));
  const taken = new Set<string>();
  const result: string[] = new Array<string>(wires.length);
  // First pass: every base that is unique keeps its name, so a suffix never steals a plain name.
  const counts = new Map<string, number>();
  for (const name of bases) counts.set(name, (counts.get(name) ?? 0) + 1);
  // A wire name that already is its identifier keeps it.
  for (const index of order) {
    const name = bases[index]!;
    if (counts.get(name)! > 1 && wires[index] === name && !taken.has(name)) {
      result[index] = name;
      taken.add(name);
    }
  }
  for (const index of order) {
    const name = bases[index]!;
    if (counts.get(name) === 1) {
      result[index] = name;
      taken.add(name);
    }
  }
  for (const index of order) {
    if (result[index] !== undefined) continue;
    const name = bases[index]!;
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${separator}${n}`;
    taken.add(candidate);
    result[index] = candidate;
  }
  return result;
}

/** Who gave a type its name, for messages: `type "Part"`, `the payload of "a.b.v1"`, and where. */
export interface NameOwner {
  label: string;
  /** The source file that declares it (for a named type: of the first event that uses it). */
  file?: string;
  context?: ErrorContext;
}

/**
 * The crate-wide type namespace: given names are claimed (a second claim of one name is an error
 * naming both owners), derived names are handed out free ones. Claim every given name before the
 * first derived one.
 */
export class TypeNamespace {
  private readonly owners = new Map<string, NameOwner | "crate">();
  private readonly errors: EventcError[] = [];

  constructor() {
    for (const name of RESERVED_TYPE_NAMES) this.owners.set(name, "crate");
  }

  /** Is `name` one the crate itself declares or relies on? */
  static reserved(name: string): boolean {
    return RESERVED.has(name);
  }

  /** Claims a name the user gave; a second claim records an error naming both owners. */
  claim(name: string, owner: NameOwner): string {
    const earlier = this.owners.get(name);
    if (earlier === undefined) {
      this.owners.set(name, owner);
    } else {
      const describe = (who: NameOwner | "crate"): string => (who === "crate" ? "the crate itself" : who.file === undefined ? who.label : `${who.label} (${who.file})`);
      const context = owner.context ?? (earlier === "crate" ? {} : (earlier.context ?? {}));
      this.errors.push(new EventcError(`the Rust type name "${name}" would be used by both ${describe(earlier)} and ${describe(owner)}; rename one of them`, context));
    }
    return name;
  }

  /** A derived name: `wanted` when free, else `wanted` with the smallest free suffix from 2. */
  derive(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.owners.has(name); n++) name = `${wanted}${n}`;
    this.owners.set(name, { label: "a derived name" });
    return name;
  }

  /** Throws every collision found, together. */
  finish(): void {
    throwIfAny(this.errors);
  }
}
