/**
 * The fixed part of `src/validate.rs`: issues, the `Validate` trait, `decode`, the rule types the
 * generated impls use, and validation of `Event` and `EventEnvelope`. Helpers only some catalogues
 * need are emitted only when used, so the crate stays free of dead code.
 */
import { withoutLiterals } from "./escape.js";

/** Helpers of the runtime a catalogue may or may not need. */
export interface RuntimeUse {
  number: boolean;
  items: boolean;
  keyName: boolean;
  element: boolean;
  member: boolean;
  dispatch: boolean;
}

const HEAD = `//! Validation: the constraints of the schemas that serde's types cannot express — bounds,
//! lengths, patterns, item counts, literal values and required record keys — checked the way the
//! TypeScript validators and the JSON Schemas check them.
//!
//! [\`decode\`] (and \`Event::from_json_str\`, \`EventEnvelope::from_json_str\`) reads a document
//! and validates it; a value built in Rust can be checked with [\`Validate::issues\`] before it is
//! sent.`;

const CORE = `/// One way a document breaks its schema: where (a JSON Pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// JSON Pointer to the offending value, \`""\` for the document itself.
    pub path: String,
    /// What is wrong, e.g. \`expected at least 3 characters\`.
    pub message: String,
}

impl Issue {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// The checks of a type's schema that serde does not make while decoding.
pub trait Validate {
    /// Appends every failure inside \`self\`, which sits at \`path\`, to \`issues\`.
    fn validate(&self, path: &str, issues: &mut Vec<Issue>);

    /// Every failure of this value; empty when it is valid.
    fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        self.validate("", &mut issues);
        issues
    }
}

/// Why a document was not accepted.
#[derive(Debug)]
pub enum DecodeError {
    /// Not JSON, or JSON that serde cannot read as the type (wrong type, missing field, …).
    Json(serde_json::Error),
    /// Read, but breaking the schema's constraints.
    Invalid(Vec<Issue>),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(error) => write!(f, "{error}"),
            Self::Invalid(issues) => {
                let list: Vec<String> = issues
                    .iter()
                    .map(|issue| format!("{}: {}", issue.path, issue.message))
                    .collect();
                write!(f, "{}", list.join("; "))
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Reads \`text\` as a \`T\` and checks it: the one way to accept a document from the wire.
pub fn decode<T: DeserializeOwned + Validate>(text: &str) -> Result<T, DecodeError> {
    let value: T = serde_json::from_str(text).map_err(DecodeError::Json)?;
    let issues = value.issues();
    if issues.is_empty() {
        Ok(value)
    } else {
        Err(DecodeError::Invalid(issues))
    }
}

/// \`path\` extended by one member or index, escaped as JSON Pointer requires.
pub fn pointer(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Size limit for one compiled pattern: four times the crate's default. eventc refuses, at
/// generation time, patterns it estimates above the default, so the margin absorbs its estimate.
const PATTERN_SIZE_LIMIT: usize = 40 * (1 << 20);

/// A pattern in the regex crate's syntax, compiled on first use.
struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    const fn new(source: &'static str) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// Whether \`value\` matches. A pattern that does not compile matches nothing: the value is
    /// reported invalid, never a panic.
    fn is_match(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                RegexBuilder::new(self.source)
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|regex| regex.is_match(value))
    }
}

/// String constraints; lengths count code points, as JSON Schema does.
struct StringRule {
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<Pattern>,
    /// What a value failing the pattern is not: a format name or the pattern itself.
    label: &'static str,
}

impl StringRule {
    fn check(&self, value: &str, path: &str, issues: &mut Vec<Issue>) {
        let length = value.chars().count();
        if let Some(min) = self.min_length.filter(|min| length < *min) {
            issues.push(Issue::new(
                path,
                format!("expected at least {min} characters"),
            ));
        }
        if let Some(max) = self.max_length.filter(|max| length > *max) {
            issues.push(Issue::new(
                path,
                format!("expected at most {max} characters"),
            ));
        }
        if let Some(pattern) = &self.pattern {
            if !pattern.is_match(value) {
                issues.push(Issue::new(path, format!("not a valid {}", self.label)));
            }
        }
    }
}`;

const NUMBER = `/// Number bounds. \`multiple_of\` holds when \`value / multiple_of\` is a whole number in
/// IEEE-754 arithmetic, the rule of the TypeScript validators and of Ajv.
struct NumberRule {
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
    multiple_of: Option<f64>,
}

impl NumberRule {
    fn check(&self, value: f64, path: &str, issues: &mut Vec<Issue>) {
        if let Some(minimum) = self.minimum.filter(|minimum| value < *minimum) {
            issues.push(Issue::new(path, format!("expected at least {minimum}")));
        }
        if let Some(maximum) = self.maximum.filter(|maximum| value > *maximum) {
            issues.push(Issue::new(path, format!("expected at most {maximum}")));
        }
        if let Some(bound) = self.exclusive_minimum.filter(|bound| value <= *bound) {
            issues.push(Issue::new(path, format!("expected more than {bound}")));
        }
        if let Some(bound) = self.exclusive_maximum.filter(|bound| value >= *bound) {
            issues.push(Issue::new(path, format!("expected less than {bound}")));
        }
        if let Some(step) = self.multiple_of.filter(|step| (value / *step) % 1.0 != 0.0) {
            issues.push(Issue::new(path, format!("expected a multiple of {step}")));
        }
    }
}`;

const ITEMS = `/// Array length bounds.
struct ItemCountRule {
    min_items: Option<usize>,
    max_items: Option<usize>,
}

impl ItemCountRule {
    fn check(&self, count: usize, path: &str, issues: &mut Vec<Issue>) {
        if let Some(min) = self.min_items.filter(|min| count < *min) {
            issues.push(Issue::new(path, format!("expected at least {min} items")));
        }
        if let Some(max) = self.max_items.filter(|max| count > *max) {
            issues.push(Issue::new(path, format!("expected at most {max} items")));
        }
    }
}`;

const KEY_NAME = `/// A map key as it is written on the wire.
fn key_name<K: Serialize>(key: &K) -> String {
    match serde_json::to_value(key) {
        Ok(JsonValue::String(name)) => name,
        _ => String::new(),
    }
}`;

const ELEMENT = `/// Reads one element of a tuple with rest elements as its type, reporting it when it is not one.
fn element<T: DeserializeOwned>(
    value: &JsonValue,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<T> {
    let read = T::deserialize(value).ok();
    if read.is_none() {
        issues.push(Issue::new(path, "has the wrong type"));
    }
    read
}`;

const MEMBER = `/// Reads a plain union's member, or nothing when the JSON is not one.
fn member<T: DeserializeOwned>(value: &JsonValue) -> Option<T> {
    T::deserialize(value).ok()
}`;

const DISPATCH = `/// The discriminator of a discriminated union's document: a string member named \`tag\`.
fn discriminator<'a, E: serde::de::Error>(
    json: &'a JsonValue,
    tag: &'static str,
) -> Result<&'a str, E> {
    match json {
        JsonValue::Object(members) => match members.get(tag) {
            Some(JsonValue::String(value)) => Ok(value),
            Some(_) => Err(E::custom(format_args!(
                "the discriminator \`{tag}\` is not a string"
            ))),
            None => Err(E::missing_field(tag)),
        },
        _ => Err(E::custom("expected an object")),
    }
}

/// A discriminator value that names no member of the union.
fn unknown_discriminator<E: serde::de::Error>(found: &str, expected: &'static str) -> E {
    E::custom(format_args!(
        "unknown variant \`{found}\`, expected one of {expected}"
    ))
}

/// Reads the member of a discriminated union its discriminator chose.
fn variant<T: DeserializeOwned, E: serde::de::Error>(json: JsonValue) -> Result<T, E> {
    T::deserialize(json).map_err(E::custom)
}`;

const EVENTS = `/// The envelope's \`time\`: RFC 3339 in UTC.
static ENVELOPE_TIME: StringRule = StringRule {
    min_length: None,
    max_length: None,
    pattern: Some(Pattern::new(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?Z$",
    )),
    label: "RFC 3339 UTC date-time",
};

impl Validate for EventEnvelope {
    fn validate(&self, path: &str, issues: &mut Vec<Issue>) {
        if self.id.is_empty() {
            issues.push(Issue::new(
                &pointer(path, "id"),
                "expected a non-empty string",
            ));
        }
        ENVELOPE_TIME.check(&self.time, &pointer(path, "time"), issues);
        self.event.validate(&pointer(path, "event"), issues);
    }
}

impl Event {
    /// Reads an event document and checks its payload against its version's schema. An unknown
    /// wire type is accepted as [\`Event::Unknown\`].
    pub fn from_json_str(text: &str) -> Result<Self, DecodeError> {
        decode(text)
    }
}

impl EventEnvelope {
    /// Reads an envelope and checks it and the event inside it.
    pub fn from_json_str(text: &str) -> Result<Self, DecodeError> {
        decode(text)
    }
}`;

/** The \`use\` lines \`source\` needs, sorted as rustfmt sorts them. */
export function runtimeUses(source: string): string[] {
  const code = withoutLiterals(source);
  const has = (pattern: RegExp): boolean => pattern.test(code);
  const uses = ["use crate::event::{Event, EventEnvelope};", "use regex::{Regex, RegexBuilder};", "use serde::de::DeserializeOwned;", "use std::fmt;", "use std::sync::OnceLock;"];
  if (has(/\bimpl (?:Validate for|<'de> Deserialize<'de> for) (?!Event\b|EventEnvelope\b)/)) uses.push("use crate::types::*;");
  if (has(/\bJsonValue\b/)) uses.push("use crate::wire::JsonValue;");
  const serde = ["Deserialize", "Deserializer", "Serialize"].filter((name) => has(new RegExp(`\\b${name}\\b`)));
  if (serde.length === 1) uses.push(`use serde::${serde[0]!};`);
  if (serde.length > 1) uses.push(`use serde::{${serde.join(", ")}};`);
  // rustfmt orders module segments before type names: `serde::de::…` before `serde::Serialize`.
  const key = (line: string): string => line.replace("serde::de::", "serde::0de::");
  return uses.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function runtimeHead(): string {
  return HEAD;
}

/** The runtime's items, in file order. */
export function runtimeItems(use: RuntimeUse): string[] {
  return [CORE, ...(use.number ? [NUMBER] : []), ...(use.items ? [ITEMS] : []), ...(use.keyName ? [KEY_NAME] : []), ...(use.element ? [ELEMENT] : []), ...(use.member ? [MEMBER] : []), ...(use.dispatch ? [DISPATCH] : []), EVENTS];
}
