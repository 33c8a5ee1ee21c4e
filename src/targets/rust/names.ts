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
 * - Type names are public API shared across the crate: two things that would share one are
 *   reported as an EventcError rather than renamed.
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
];

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

/**
 * The crate-wide type namespace. Every declared type claims its name with a description of its
 * owner; a second claim is an error naming both owners.
 */
export class TypeNamespace {
  private readonly owners = new Map<string, string>();
  private readonly errors: EventcError[] = [];

  constructor() {
    for (const name of RESERVED_TYPE_NAMES) this.owners.set(name, "the crate itself");
  }

  claim(name: string, owner: string, context: ErrorContext = {}): string {
    const earlier = this.owners.get(name);
    if (earlier !== undefined) {
      this.errors.push(new EventcError(`the Rust type name "${name}" would be used by both ${earlier} and ${owner}; rename one of them`, context));
    } else {
      this.owners.set(name, owner);
    }
    return name;
  }

  /** Throws every collision found, together. */
  finish(): void {
    throwIfAny(this.errors);
  }
}
