/**
 * The fixed part of `src/validate.rs`: issues, the `Validate` trait, `decode`, the nesting limit,
 * the shape vocabulary and the one checker that interprets it, and reading `Event` and
 * `EventEnvelope` documents. validate-module.ts prints the catalogue's part: the tables (`TYPES`,
 * `PATTERNS`, `EVENT_TYPES`) and one line per type. Helpers only some catalogues need are emitted
 * only when used, so the crate stays free of dead code.
 *
 * Validation works on the document as JSON (`serde_json::Value`), which every reader holds anyway:
 * the payload of an event is read as JSON, checked, then built as its type by its `FromJson` reader
 * (one small function per type, where serde's derived reader would be instantiated for every type
 * the crate reads). A value built in Rust is written as JSON first (`Validate::issues`).
 */
import { withoutLiterals } from "./escape.js";

/** Helpers of the runtime a catalogue may or may not need. */
export interface RuntimeUse {
  /** `reads::<T>`: rest-tuple elements and union members are read as their type. */
  reads: boolean;
  /** `member::<T>`: the reader of a plain union. */
  member: boolean;
  /** The readers of discriminated unions of structs. */
  dispatch: boolean;
  /** A `Deserialize` written out (plain and discriminated unions of structs). */
  deserializers: boolean;
  /** Types with something to check (`validate_by_shape!`), types without (`nothing_to_validate!`). */
  shaped: boolean;
  unshaped: boolean;
  /** Readers of required and of optional fields. */
  required: boolean;
  optional: boolean;
  /** The `FromJson` macros the catalogue's types need. */
  structs: boolean;
  closedStructs: boolean;
  taggedEnums: boolean;
  unitEnums: boolean;
  enumKeys: boolean;
  reprEnums: boolean;
  tuples: boolean;
}

const HEAD = `//! Validation: the constraints of the schemas that serde's types cannot express — bounds,
//! lengths, patterns, item counts, literal values, required record keys, the integer range and
//! the nesting limit — checked the way the TypeScript validators and the JSON Schemas check them.
//!
//! [\`decode\`] (and \`Event::from_json_str\`, \`EventEnvelope::from_json_str\`) reads a document
//! and validates it; a value built in Rust can be checked with [\`Validate::issues\`] before it is
//! sent.
//!
//! The schemas are data: \`TYPES\` holds one \`Shape\` per generated type and one checker
//! interprets it over the document as JSON, the way the TypeScript SDK interprets its shape table.`;

const CORE = `/// One way a document breaks its schema: where (a JSON Pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// JSON Pointer to the offending value, \`""\` for the document itself.
    pub path: String,
    /// What is wrong, e.g. \`expected at least 3 characters\`.
    pub message: String,
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

    /// What [\`decode\`] does for this type: read the document, then check it. \`Event\` and
    /// \`EventEnvelope\` check the payload as they read it.
    #[doc(hidden)]
    fn decode_json(text: &str) -> Result<Self, DecodeError>
    where
        Self: Sized + DeserializeOwned,
    {
        let value: Self = read(text)?;
        let issues = value.issues();
        finish(value, issues)
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
    T::decode_json(text)
}

/// \`path\` extended by one member or index, escaped as JSON Pointer requires.
pub fn pointer(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// How deep a document handed to a reader may nest objects and arrays, the outermost one being
/// level 1. A deeper document is invalid (one issue at \`""\`), on every side of the contract.
pub const MAX_DEPTH: usize = 128;

/// Holds \`text\` to the document rules in one pass, whatever schema it is read by and however
/// deep: nesting within [\`MAX_DEPTH\`], no member name repeated in an object, no escaped lone
/// surrogate, no number beyond the double range. serde skips ignored members unchecked, so these
/// rules cannot wait for it. A nesting past the limit is reported alone, whatever else is wrong.
///
/// Returns the text serde is to read: \`text\` itself, or a copy in which every bare \`-0\` reads
/// \`0\` (serde_json reads \`-0\` as a float, which an integer refuses; it is the whole number 0,
/// written \`0\` again).
///
/// Only what the rules need is tokenised; the JSON grammar is serde's to enforce. On text that is
/// not JSON the answer only bounds the part serde reads before it stops, which is all that
/// matters: serde refuses the rest.
fn document_text(text: &str) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = text.as_bytes();
    // The open objects and arrays: whether each is an object, and where its names start in
    // \`names\`.
    let mut open: Vec<(bool, usize)> = Vec::new();
    let mut names: Vec<Cow<'_, str>> = Vec::new();
    let mut broken: Option<String> = None;
    let mut negative_zeros: Vec<usize> = Vec::new();
    let mut expect_name = false;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                let start = index + 1;
                let mut end = start;
                let mut escaped = false;
                while end < bytes.len() && bytes[end] != b'"' {
                    if bytes[end] == b'\\\\' {
                        escaped = true;
                        end += 1;
                    }
                    end += 1;
                }
                let end = end.min(bytes.len());
                let raw = text.get(start..end).unwrap_or_default();
                let string = if escaped {
                    match unescape(raw) {
                        Ok(string) => Cow::Owned(string),
                        Err(message) => {
                            broken.get_or_insert(message);
                            Cow::Borrowed(raw)
                        }
                    }
                } else {
                    Cow::Borrowed(raw)
                };
                if expect_name {
                    names.push(string);
                    expect_name = false;
                }
                index = end + 1;
                continue;
            }
            byte @ (b'{' | b'[') => {
                if open.len() == MAX_DEPTH {
                    return Err(DecodeError::Invalid(vec![Issue {
                        path: String::new(),
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    }]));
                }
                open.push((byte == b'{', names.len()));
                expect_name = byte == b'{';
            }
            b'}' | b']' => {
                if let Some((_, start)) = open.pop() {
                    if broken.is_none() {
                        if let Some(name) = repeated(&names[start..]) {
                            broken = Some(format!("the member name \`{name}\` is repeated"));
                        }
                    }
                    names.truncate(start);
                }
                expect_name = false;
            }
            b',' => expect_name = open.last().is_some_and(|(object, _)| *object),
            b'-' | b'0'..=b'9' => {
                let start = index;
                while index < bytes.len()
                    && matches!(bytes[index], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    index += 1;
                }
                let token = text.get(start..index).unwrap_or_default();
                if token == "-0" {
                    negative_zeros.push(start);
                } else if (token.len() > 300 || token.contains(['e', 'E']))
                    && token.parse::<f64>().is_ok_and(f64::is_infinite)
                {
                    broken.get_or_insert_with(|| {
                        format!("the number {token} is beyond the double range")
                    });
                }
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    if let Some(message) = broken {
        return Err(DecodeError::Json(serde::de::Error::custom(message)));
    }
    if negative_zeros.is_empty() {
        return Ok(Cow::Borrowed(text));
    }
    let mut normalized = String::with_capacity(text.len());
    let mut copied = 0;
    for start in negative_zeros {
        normalized.push_str(text.get(copied..start).unwrap_or_default());
        normalized.push(' ');
        copied = start + 1;
    }
    normalized.push_str(text.get(copied..).unwrap_or_default());
    Ok(Cow::Owned(normalized))
}

/// A name repeated among one object's member names, if any.
fn repeated<'a>(names: &'a [Cow<'_, str>]) -> Option<&'a str> {
    if names.len() <= 16 {
        return names
            .iter()
            .enumerate()
            .find(|(index, name)| names[..*index].contains(name))
            .map(|(_, name)| name.as_ref());
    }
    let mut sorted: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    sorted
        .windows(2)
        .find(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
}

/// The string a JSON string's text (between its quotes) stands for, or why it is not well-formed
/// Unicode (an escaped lone surrogate). An escape that is not JSON is left for serde to refuse.
fn unescape(raw: &str) -> Result<String, String> {
    let mut string = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(next) = chars.next() {
        if next != '\\\\' {
            string.push(next);
            continue;
        }
        match chars.next() {
            Some('b') => string.push('\\u{8}'),
            Some('f') => string.push('\\u{c}'),
            Some('n') => string.push('\\n'),
            Some('r') => string.push('\\r'),
            Some('t') => string.push('\\t'),
            Some('u') => {
                let Some(unit) = hex_unit(&mut chars) else {
                    continue;
                };
                let code = match unit {
                    0xD800..=0xDBFF => {
                        let rest = chars.as_str();
                        let low = rest
                            .strip_prefix("\\\\u")
                            .and_then(|rest| hex_unit(&mut rest.chars()))
                            .filter(|low| (0xDC00..=0xDFFF).contains(low));
                        let Some(low) = low else {
                            return Err(format!("the escape \\\\u{unit:04x} is a lone surrogate"));
                        };
                        chars = rest.get(6..).unwrap_or_default().chars();
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(format!("the escape \\\\u{unit:04x} is a lone surrogate"));
                    }
                    _ => unit,
                };
                string.extend(char::from_u32(code));
            }
            Some(other) => string.push(other),
            None => {}
        }
    }
    Ok(string)
}

/// The code unit of the four hex digits \`chars\` starts with.
fn hex_unit(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut unit = 0;
    for _ in 0..4 {
        unit = unit * 16 + chars.next()?.to_digit(16)?;
    }
    Some(unit)
}

/// Reads \`text\` as a \`T\` with serde once it is known to keep the document rules. serde_json's
/// own recursion limit is lifted: it counts differently and would refuse documents within the
/// limit read through a recursive type.
fn read<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let text = document_text(text)?;
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    deserializer.disable_recursion_limit();
    let value = T::deserialize(&mut deserializer).map_err(DecodeError::Json)?;
    deserializer.end().map_err(DecodeError::Json)?;
    Ok(value)
}

/// The value when \`issues\` is empty.
fn finish<T>(value: T, issues: Vec<Issue>) -> Result<T, DecodeError> {
    if issues.is_empty() {
        Ok(value)
    } else {
        Err(DecodeError::Invalid(issues))
    }
}

/// Size limit for one compiled pattern: four times the crate's default. eventc refuses, at
/// generation time, patterns it estimates above the default, so the margin absorbs its estimate.
const PATTERN_SIZE_LIMIT: usize = 40 * (1 << 20);

/// A pattern in the regex crate's syntax, compiled on first use, and what a value failing it is
/// not (a format name or the pattern itself).
struct Pattern {
    source: &'static str,
    label: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    const fn new(source: &'static str, label: &'static str) -> Self {
        Self {
            source,
            label,
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

/// String constraints: lengths count code points, as JSON Schema does; \`pattern\` indexes
/// \`PATTERNS\`.
struct Text {
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<usize>,
}

/// Number bounds. \`multiple_of\` holds when \`value / multiple_of\` is a whole number in
/// IEEE-754 arithmetic, the rule of the TypeScript validators and of Ajv.
#[allow(dead_code)]
struct Bounds {
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
    multiple_of: Option<f64>,
}

/// No bounds; a shape names only the bounds it has.
#[allow(dead_code)]
const UNBOUNDED: Bounds = Bounds {
    minimum: None,
    maximum: None,
    exclusive_minimum: None,
    exclusive_maximum: None,
    multiple_of: None,
};

/// What validation checks of one value beyond the JSON types serde enforces: a node of the shape
/// table. The vocabulary is fixed; a catalogue uses the part its schemas need.
#[allow(dead_code)]
enum Shape {
    /// Nothing to check.
    Any,
    Text(Text),
    /// A number, integer or not (an integer's bounds include ±(2^53 − 1)).
    Number(Bounds),
    /// A literal Rust widens to \`bool\`: the value must equal it.
    Bool(bool),
    /// A literal Rust widens to \`f64\`, with its JSON text for the message.
    Float(f64, &'static str),
    /// A generated type: its entry in \`TYPES\`.
    Item(usize),
    /// Null, or the inner shape.
    Nullable(&'static Shape),
    List {
        min_items: Option<usize>,
        max_items: Option<usize>,
        items: &'static Shape,
    },
    /// A record: its keys' text constraints, its values, and how many keys an enum-keyed record
    /// must have (all of them).
    Map {
        keys: Option<Text>,
        values: &'static Shape,
        keys_required: Option<usize>,
    },
    Tuple(&'static [Shape]),
    /// A tuple with rest elements (carried as JSON values): every element is read as its type.
    RestTuple {
        items: &'static [Element],
        rest: &'static Element,
    },
    /// An object: the fields that have something to check, by wire name.
    Struct(&'static [Field]),
    /// A discriminated union of inline objects: each variant's fields, by discriminator value.
    Tagged {
        tag: &'static str,
        variants: &'static [(&'static str, &'static [Field])],
    },
    /// A discriminated union over structs: each member's shape, by discriminator value.
    Dispatch {
        tag: &'static str,
        variants: &'static [(&'static str, Shape)],
    },
    /// A plain union: the first member that reads and is valid is the value.
    Untagged(&'static [Element]),
}

/// A field of an object with something to check: wire name and shape.
#[allow(dead_code)]
struct Field(&'static str, Shape);

/// A union member or tuple element: whether a JSON value reads as its Rust type, and its shape.
#[allow(dead_code)]
struct Element(fn(&JsonValue) -> bool, Shape);

/// Where a value sits, built while the checker descends and written out only for an issue.
#[derive(Clone, Copy)]
enum At<'a> {
    Path(&'a str),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn pointer(&self) -> String {
        match self {
            At::Path(path) => (*path).to_owned(),
            At::Key(parent, key) => pointer(&parent.pointer(), key),
            At::Index(parent, index) => format!("{}/{index}", parent.pointer()),
        }
    }
}

/// The one checker: walks a JSON value along its shape and records every failure.
struct Checker<'a> {
    issues: &'a mut Vec<Issue>,
    /// The value was just read as its type, so plain unions in it hold a valid member
    /// already (their reader takes only one) and are not checked again.
    decoded: bool,
}

impl Checker<'_> {
    fn push(&mut self, at: &At<'_>, message: String) {
        self.issues.push(Issue {
            path: at.pointer(),
            message,
        });
    }

    /// Whether \`value\` passes \`shape\`, recording nothing.
    fn passes(&self, value: &JsonValue, shape: &Shape) -> bool {
        let mut issues = Vec::new();
        Checker {
            issues: &mut issues,
            decoded: self.decoded,
        }
        .check(value, shape, &At::Path(""));
        issues.is_empty()
    }

    fn check(&mut self, value: &JsonValue, shape: &Shape, at: &At<'_>) {
        match shape {
            Shape::Any => {}
            Shape::Text(rule) => {
                if let Some(text) = value.as_str() {
                    self.text(text, rule, at);
                }
            }
            Shape::Number(bounds) => {
                if let Some(number) = value.as_f64() {
                    self.bounds(number, bounds, at);
                }
            }
            Shape::Bool(expected) => {
                if value.as_bool() != Some(*expected) {
                    self.push(at, format!("expected {expected}"));
                }
            }
            Shape::Float(expected, text) => {
                if value.as_f64() != Some(*expected) {
                    self.push(at, format!("expected {text}"));
                }
            }
            Shape::Item(index) => self.check(value, &TYPES[*index], at),
            Shape::Nullable(inner) => {
                if !value.is_null() {
                    self.check(value, inner, at);
                }
            }
            Shape::List {
                min_items,
                max_items,
                items,
            } => {
                let Some(list) = value.as_array() else { return };
                if let Some(min) = min_items.filter(|min| list.len() < *min) {
                    self.push(at, format!("expected at least {min} items"));
                }
                if let Some(max) = max_items.filter(|max| list.len() > *max) {
                    self.push(at, format!("expected at most {max} items"));
                }
                if !matches!(items, Shape::Any) {
                    for (index, item) in list.iter().enumerate() {
                        self.check(item, items, &At::Index(at, index));
                    }
                }
            }
            Shape::Map {
                keys,
                values,
                keys_required,
            } => {
                let Some(map) = value.as_object() else { return };
                if keys_required.is_some_and(|count| map.len() != count) {
                    self.push(at, "expected every key".to_owned());
                }
                if keys.is_none() && matches!(values, Shape::Any) {
                    return;
                }
                for (key, item) in map {
                    let at = At::Key(at, key);
                    if let Some(rule) = keys {
                        self.text(key, rule, &at);
                    }
                    self.check(item, values, &at);
                }
            }
            Shape::Tuple(items) => {
                let Some(list) = value.as_array() else { return };
                for (index, (item, shape)) in list.iter().zip(items.iter()).enumerate() {
                    self.check(item, shape, &At::Index(at, index));
                }
            }
            Shape::RestTuple { items, rest } => {
                let Some(list) = value.as_array() else { return };
                if list.len() < items.len() {
                    self.push(at, format!("expected at least {} items", items.len()));
                }
                for (index, item) in list.iter().enumerate() {
                    let Element(reads, shape) = items.get(index).unwrap_or(rest);
                    let at = At::Index(at, index);
                    if reads(item) {
                        self.check(item, shape, &at);
                    } else {
                        self.push(&at, "has the wrong type".to_owned());
                    }
                }
            }
            Shape::Struct(fields) => self.fields(value, fields, at),
            Shape::Tagged { tag, variants } => {
                let chosen = value.get(tag).and_then(JsonValue::as_str);
                if let Some((_, fields)) = variants.iter().find(|(wire, _)| Some(*wire) == chosen) {
                    self.fields(value, fields, at);
                }
            }
            Shape::Dispatch { tag, variants } => {
                let chosen = value.get(tag).and_then(JsonValue::as_str);
                if let Some((_, shape)) = variants.iter().find(|(wire, _)| Some(*wire) == chosen) {
                    self.check(value, shape, at);
                }
            }
            Shape::Untagged(members) => {
                if self.decoded {
                    return;
                }
                let mut read = members.iter().filter(|Element(reads, _)| reads(value));
                let Some(first) = read.next() else {
                    self.push(at, "matches no member of the union".to_owned());
                    return;
                };
                if self.passes(value, &first.1) || read.any(|member| self.passes(value, &member.1))
                {
                    return;
                }
                // No member that reads is valid: report why the first one is not.
                self.check(value, &first.1, at);
            }
        }
    }

    fn fields(&mut self, value: &JsonValue, fields: &[Field], at: &At<'_>) {
        for Field(name, shape) in fields {
            if let Some(field) = value.get(name) {
                self.check(field, shape, &At::Key(at, name));
            }
        }
    }

    fn text(&mut self, text: &str, rule: &Text, at: &At<'_>) {
        if rule.min_length.is_some() || rule.max_length.is_some() {
            let length = text.chars().count();
            if let Some(min) = rule.min_length.filter(|min| length < *min) {
                self.push(at, format!("expected at least {min} characters"));
            }
            if let Some(max) = rule.max_length.filter(|max| length > *max) {
                self.push(at, format!("expected at most {max} characters"));
            }
        }
        if let Some(pattern) = rule.pattern.map(|index| &PATTERNS[index]) {
            if !pattern.is_match(text) {
                self.push(at, format!("not a valid {}", pattern.label));
            }
        }
    }

    fn bounds(&mut self, value: f64, bounds: &Bounds, at: &At<'_>) {
        if let Some(minimum) = bounds.minimum.filter(|minimum| value < *minimum) {
            self.push(at, format!("expected at least {minimum}"));
        }
        if let Some(maximum) = bounds.maximum.filter(|maximum| value > *maximum) {
            self.push(at, format!("expected at most {maximum}"));
        }
        if let Some(bound) = bounds.exclusive_minimum.filter(|bound| value <= *bound) {
            self.push(at, format!("expected more than {bound}"));
        }
        if let Some(bound) = bounds.exclusive_maximum.filter(|bound| value >= *bound) {
            self.push(at, format!("expected less than {bound}"));
        }
        if let Some(step) = bounds
            .multiple_of
            .filter(|step| (value / *step) % 1.0 != 0.0)
        {
            self.push(at, format!("expected a multiple of {step}"));
        }
    }
}`;

const REQUIRED = `/// A field the schema requires: absent is an error, whatever its type.
fn required<T: FromJson>(
    members: &mut Members,
    name: &'static str,
) -> Result<T, serde_json::Error> {
    match members.remove(name) {
        Some(json) => T::from_json(json),
        None => Err(serde::de::Error::missing_field(name)),
    }
}`;

const OPTIONAL = `/// An optional field: absent is \`None\`; a value, null included, is read as \`T\`.
fn optional<T: FromJson>(
    members: &mut Members,
    name: &'static str,
) -> Result<Option<T>, serde_json::Error> {
    match members.remove(name) {
        Some(json) => T::from_json(json).map(Some),
        None => Ok(None),
    }
}`;

const READS = `/// Whether a JSON value reads as a \`T\`.
fn reads<T: FromJson>(value: &JsonValue) -> bool {
    T::from_json(value.clone()).is_ok()
}`;

const MEMBER = `/// Reads member \`index\` of the plain union whose shape is \`union\`: a value only when the JSON
/// reads as \`T\` and passes the member's shape.
fn member<T: FromJson>(json: &JsonValue, union: &Shape, index: usize) -> Option<T> {
    let value = T::from_json(json.clone()).ok()?;
    let Shape::Untagged(members) = union else {
        return Some(value);
    };
    let mut issues = Vec::new();
    let mut checker = Checker {
        issues: &mut issues,
        decoded: true,
    };
    checker.check(json, &members[index].1, &At::Path(""));
    issues.is_empty().then_some(value)
}`;

const DISPATCH = `/// The discriminator of a discriminated union's document: a string member named \`tag\`.
fn discriminator<'a>(json: &'a JsonValue, tag: &'static str) -> Result<&'a str, serde_json::Error> {
    match json {
        JsonValue::Object(members) => match members.get(tag) {
            Some(JsonValue::String(value)) => Ok(value),
            Some(other) => Err(invalid_type(other, "a string")),
            None => Err(serde::de::Error::missing_field(tag)),
        },
        other => Err(invalid_type(other, "a discriminated union")),
    }
}

/// A discriminator value that names no member of the union.
fn unknown_discriminator(found: &str, expected: &'static str) -> serde_json::Error {
    serde::de::Error::custom(format_args!(
        "unknown variant \`{found}\`, expected one of {expected}"
    ))
}`;

const FROM_JSON = `/// An object's members, as serde_json holds them.
type Members = serde_json::Map<String, JsonValue>;

/// Builds a value of a generated type from its payload's JSON: what \`Event::from_json_str\` and
/// \`Event\`'s \`Deserialize\` read a known event's payload with. It takes the JSON types as serde's
/// derived readers take them and reports what does not fit in serde's words (\`missing field\`,
/// \`invalid type\`, \`unknown variant\`), but reads an object type from a JSON object only and a
/// discriminator from a string only, as every other side of the contract does. One small reader
/// per type, with no generic deserializer behind it, keeps the crate quick to build.
pub(crate) trait FromJson: Sized {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error>;
}

/// A record key: a string, or the name of a variant of an enum of strings.
trait FromJsonKey: Sized {
    fn from_key(key: String) -> Result<Self, serde_json::Error>;
}

/// How serde names what it found, for messages.
fn unexpected(json: &JsonValue) -> Unexpected<'_> {
    match json {
        JsonValue::Null => Unexpected::Unit,
        JsonValue::Bool(value) => Unexpected::Bool(*value),
        JsonValue::Number(number) => match (number.as_u64(), number.as_i64()) {
            (Some(value), _) => Unexpected::Unsigned(value),
            (None, Some(value)) => Unexpected::Signed(value),
            _ => Unexpected::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        JsonValue::String(text) => Unexpected::Str(text),
        JsonValue::Array(_) => Unexpected::Seq,
        JsonValue::Object(_) => Unexpected::Map,
    }
}

fn invalid_type(json: &JsonValue, expected: &str) -> serde_json::Error {
    serde::de::Error::invalid_type(unexpected(json), &expected)
}

/// The members of an object, or the error naming what was expected instead.
fn members(json: JsonValue, expected: &str) -> Result<Members, serde_json::Error> {
    match json {
        JsonValue::Object(members) => Ok(members),
        other => Err(invalid_type(&other, expected)),
    }
}

/// A value that must be an integer within \`i64\`, as serde reads one: a float (\`1.5\`, and \`1.0\`
/// as serde_json holds it) is refused.
fn integer_of(json: &JsonValue) -> Result<i64, serde_json::Error> {
    match json {
        JsonValue::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(value), _) => Ok(value),
            (None, Some(value)) => Err(serde::de::Error::invalid_value(
                Unexpected::Unsigned(value),
                &"i64",
            )),
            _ => Err(invalid_type(json, "i64")),
        },
        other => Err(invalid_type(other, "i64")),
    }
}

impl FromJson for JsonValue {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        Ok(json)
    }
}

impl FromJson for String {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        match json {
            JsonValue::String(text) => Ok(text),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl FromJsonKey for String {
    fn from_key(key: String) -> Result<Self, serde_json::Error> {
        Ok(key)
    }
}

impl FromJson for bool {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        json.as_bool()
            .ok_or_else(|| invalid_type(&json, "a boolean"))
    }
}

impl FromJson for i64 {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        integer_of(&json)
    }
}

impl FromJson for f64 {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        json.as_f64().ok_or_else(|| invalid_type(&json, "f64"))
    }
}

impl FromJson for () {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        match json {
            JsonValue::Null => Ok(()),
            other => Err(invalid_type(&other, "unit")),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        match json {
            JsonValue::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        T::from_json(json).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        match json {
            JsonValue::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(T::from_json(item)?);
                }
                Ok(values)
            }
            other => Err(invalid_type(&other, "a sequence")),
        }
    }
}

impl<K: FromJsonKey + Ord, V: FromJson> FromJson for BTreeMap<K, V> {
    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
        let mut map = BTreeMap::new();
        for (key, value) in members(json, "a map")? {
            map.insert(K::from_key(key)?, V::from_json(value)?);
        }
        Ok(map)
    }
}

/// What [\`decode\`] does for a generated type, as \`Event::from_json_str\` does for a payload: the
/// document as JSON, checked against \`shape\`, then built by the type's reader, whose verdict
/// comes first.
fn read_checked<T: FromJson>(text: &str, shape: &Shape) -> Result<T, DecodeError> {
    let json: JsonValue = read(text)?;
    let mut issues = Vec::new();
    Checker {
        issues: &mut issues,
        decoded: true,
    }
    .check(&json, shape, &At::Path(""));
    let value = T::from_json(json).map_err(DecodeError::Json)?;
    finish(value, issues)
}`;

const READ_STRUCTS = `/// \`FromJson\` for structs: each field read by its wire name; other members are ignored.
macro_rules! read_structs {
    ($($name:ident { $($field:ident: $read:ident $wire:literal,)* })*) => {$(
        impl FromJson for types::$name {
            #[allow(unused_mut, unused_variables)]
            fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
                let mut members = members(json, concat!("struct ", stringify!($name)))?;
                Ok(Self {
                    $($field: $read(&mut members, $wire)?,)*
                })
            }
        }
    )*};
}`;

const READ_CLOSED_STRUCTS = `/// What is left of a closed object's members after its fields were read: nothing.
fn no_other_members(
    members: &Members,
    fields: &'static [&'static str],
) -> Result<(), serde_json::Error> {
    match members.keys().next() {
        Some(name) => Err(serde::de::Error::unknown_field(name, fields)),
        None => Ok(()),
    }
}

/// \`FromJson\` for structs that refuse members they do not declare.
macro_rules! read_closed_structs {
    ($($name:ident { $($field:ident: $read:ident $wire:literal,)* })*) => {$(
        impl FromJson for types::$name {
            #[allow(unused_mut)]
            fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
                let mut members = members(json, concat!("struct ", stringify!($name)))?;
                let value = Self {
                    $($field: $read(&mut members, $wire)?,)*
                };
                no_other_members(&members, &[$($wire),*])?;
                Ok(value)
            }
        }
    )*};
}`;

const READ_TAGGED_ENUMS = `/// An internally tagged object: its discriminator and its members.
fn tagged(
    json: JsonValue,
    tag: &'static str,
    expected: &str,
) -> Result<(String, Members), serde_json::Error> {
    let mut members = members(json, expected)?;
    match members.remove(tag) {
        Some(JsonValue::String(value)) => Ok((value, members)),
        Some(other) => Err(invalid_type(&other, "a string")),
        None => Err(serde::de::Error::missing_field(tag)),
    }
}

/// \`FromJson\` for internally tagged enums: the discriminator picks the variant, whose fields
/// are read from the same object.
macro_rules! read_tagged_enums {
    ($($name:ident $tag:literal {
        $($wire:literal => $variant:ident $({ $($field:ident: $read:ident $field_wire:literal,)* })?,)*
    })*) => {$(
        impl FromJson for types::$name {
            #[allow(unused_mut, unused_variables)]
            fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
                let expected = concat!("internally tagged enum ", stringify!($name));
                let (tag, mut members) = tagged(json, $tag, expected)?;
                match tag.as_str() {
                    $($wire => Ok(Self::$variant $({
                        $($field: $read(&mut members, $field_wire)?,)*
                    })?),)*
                    other => Err(serde::de::Error::unknown_variant(other, &[$($wire),*])),
                }
            }
        }
    )*};
}`;

const READ_UNIT_ENUMS = `/// The text of a value that must be a string.
fn text_of<'a>(json: &'a JsonValue, expected: &str) -> Result<&'a str, serde_json::Error> {
    json.as_str().ok_or_else(|| invalid_type(json, expected))
}

/// \`FromJson\` for enums of strings: a string naming one of the variants.
macro_rules! read_unit_enums {
    ($($name:ident { $($wire:literal => $variant:ident,)* })*) => {$(
        impl FromJson for types::$name {
            fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
                match text_of(&json, concat!("enum ", stringify!($name)))? {
                    $($wire => Ok(Self::$variant),)*
                    other => Err(serde::de::Error::unknown_variant(other, &[$($wire),*])),
                }
            }
        }
    )*};
}`;

const READ_ENUM_KEYS = `/// \`FromJsonKey\` for the enums of strings that key records.
macro_rules! read_enum_keys {
    ($($name:ident,)*) => {$(
        impl FromJsonKey for types::$name {
            fn from_key(key: String) -> Result<Self, serde_json::Error> {
                Self::from_json(JsonValue::String(key))
            }
        }
    )*};
}`;

const READ_REPR_ENUMS = `/// \`FromJson\` for enums of integers: an integer equal to one of the variants.
macro_rules! read_repr_enums {
    ($($name:ident $expected:literal { $($value:literal => $variant:ident,)* })*) => {$(
        impl FromJson for types::$name {
            fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
                match integer_of(&json)? {
                    $($value => Ok(Self::$variant),)*
                    other => Err(serde::de::Error::custom(format_args!(
                        "invalid value: {other}, expected {}",
                        $expected
                    ))),
                }
            }
        }
    )*};
}`;

const READ_TUPLES = `/// \`FromJson\` for the tuples the catalogue uses: an array of exactly their length.
macro_rules! read_tuples {
    ($(($($item:ident)+))*) => {$(
        impl<$($item: FromJson),+> FromJson for ($($item,)+) {
            fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {
                let length = [$(stringify!($item)),+].len();
                let items = match json {
                    JsonValue::Array(items) if items.len() == length => items,
                    JsonValue::Array(items) => {
                        let expected = format!("a tuple of size {length}");
                        return Err(serde::de::Error::invalid_length(
                            items.len(),
                            &expected.as_str(),
                        ));
                    }
                    other => return Err(invalid_type(&other, "a tuple")),
                };
                let mut items = items.into_iter();
                Ok(($($item::from_json(items.next().unwrap_or_default())?,)+))
            }
        }
    )*};
}`;

const DESERIALIZE_BY_READER = `/// serde's \`Deserialize\` for every generated type: the value as JSON, then the type's reader, so
/// serde and \`Event::from_json_str\` read alike (and each type costs the compiler one small
/// function instead of a derived visitor). Any self-describing format serde reads (JSON, YAML,
/// CBOR, MessagePack, …) goes through it.
macro_rules! deserialize_by_reader {
    ($($name:ident,)*) => {$(
        impl<'de> Deserialize<'de> for types::$name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let json = JsonValue::deserialize(deserializer)?;
                Self::from_json(json).map_err(serde::de::Error::custom)
            }
        }
    )*};
}`;

const SHAPED = `/// Checks \`value\` as its JSON form against \`shape\`: how a value built in Rust is validated.
fn check_serialized<T: Serialize>(value: &T, shape: &Shape, path: &str, issues: &mut Vec<Issue>) {
    match serde_json::to_value(value) {
        Ok(json) => Checker {
            issues,
            decoded: false,
        }
        .check(&json, shape, &At::Path(path)),
        Err(error) => issues.push(Issue {
            path: path.to_owned(),
            message: format!("cannot be written as JSON: {error}"),
        }),
    }
}

/// \`Validate\` for generated types with something to check: the value is written as JSON and
/// checked against its entry in \`TYPES\`.
macro_rules! validate_by_shape {
    ($($name:ty => $index:literal,)*) => {$(
        impl Validate for $name {
            fn validate(&self, path: &str, issues: &mut Vec<Issue>) {
                check_serialized(self, &TYPES[$index], path, issues);
            }

            fn decode_json(text: &str) -> Result<Self, DecodeError> {
                read_checked(text, &TYPES[$index])
            }
        }
    )*};
}`;

const UNSHAPED = `/// \`Validate\` for generated types serde checks completely (enums of literals).
macro_rules! nothing_to_validate {
    ($($name:ty,)*) => {$(
        impl Validate for $name {
            fn validate(&self, _path: &str, _issues: &mut Vec<Issue>) {}

            fn decode_json(text: &str) -> Result<Self, DecodeError> {
                read_checked(text, &Shape::Any)
            }
        }
    )*};
}`;

const EVENTS = `/// A wire type the crate knows: its payload's shape and how to read the payload as its type.
struct EventType {
    wire: &'static str,
    payload: Shape,
    read: fn(JsonValue) -> Result<Event, serde_json::Error>,
}

/// The known wire type \`wire\`, if it is one.
fn event_type(wire: &str) -> Option<&'static EventType> {
    let index = EVENT_TYPES
        .binary_search_by(|known| known.wire.cmp(wire))
        .ok()?;
    Some(&EVENT_TYPES[index])
}

/// An event document with its payload read as JSON.
#[derive(Deserialize)]
struct EventDocument {
    #[serde(rename = "type")]
    wire_type: String,
    #[serde(default)]
    payload: JsonValue,
}

/// Reads an event document, read as JSON, as its wire type and checks its payload, which sits at
/// \`at\`; a wire type the crate does not know is [\`Event::Unknown\`].
fn event_from(
    document: EventDocument,
    at: &At<'_>,
    issues: &mut Vec<Issue>,
) -> Result<Event, DecodeError> {
    let EventDocument { wire_type, payload } = document;
    let Some(known) = event_type(&wire_type) else {
        return Ok(Event::Unknown(UnknownEvent {
            r#type: wire_type,
            payload,
        }));
    };
    // Checked before its reader takes the JSON; the reader's verdict comes first.
    Checker {
        issues,
        decoded: true,
    }
    .check(&payload, &known.payload, at);
    (known.read)(payload).map_err(|error| {
        DecodeError::Json(serde::de::Error::custom(format_args!(
            "{}: {error}",
            known.wire
        )))
    })
}

/// An envelope document with its event read as JSON.
#[derive(Deserialize)]
struct EnvelopeDocument {
    id: String,
    time: String,
    #[serde(default, deserialize_with = "crate::wire::not_null")]
    topic: Option<String>,
    event: EventDocument,
}

/// The envelope's \`time\`: RFC 3339 in UTC (\`PATTERNS[0]\`).
static ENVELOPE_TIME: Text = Text {
    min_length: None,
    max_length: None,
    pattern: Some(0),
};

/// Characters an envelope id may have, at most (the id grammar, docs/wire-format.md).
const MAX_ENVELOPE_ID_LENGTH: usize = 256;

/// Whether \`id\` is an id by the id grammar: 1 to \`max_length\` visible ASCII characters (\`!\` to \`~\`).
fn is_wire_id(id: &str, max_length: usize) -> bool {
    !id.is_empty() && id.len() <= max_length && id.bytes().all(|byte| (0x21..=0x7e).contains(&byte))
}

/// The envelope's own checks: an id by the id grammar and an RFC 3339 time.
fn check_envelope(id: &str, time: &str, at: &At<'_>, issues: &mut Vec<Issue>) {
    let mut checker = Checker {
        issues,
        decoded: true,
    };
    if !is_wire_id(id, MAX_ENVELOPE_ID_LENGTH) {
        checker.push(
            &At::Key(at, "id"),
            format!("expected an id: 1 to {MAX_ENVELOPE_ID_LENGTH} visible ASCII characters"),
        );
    }
    checker.text(time, &ENVELOPE_TIME, &At::Key(at, "time"));
}

impl Validate for Event {
    fn validate(&self, path: &str, issues: &mut Vec<Issue>) {
        if matches!(self, Self::Unknown(_)) {
            return;
        }
        if let Some(known) = event_type(self.wire_type()) {
            let at = At::Path(path);
            Checker {
                issues,
                decoded: false,
            }
            .check(
                &self.payload_json(),
                &known.payload,
                &At::Key(&at, "payload"),
            );
        }
    }

    fn decode_json(text: &str) -> Result<Self, DecodeError> {
        let document: EventDocument = read(text)?;
        let mut issues = Vec::new();
        let event = event_from(document, &At::Key(&At::Path(""), "payload"), &mut issues)?;
        finish(event, issues)
    }
}

impl Validate for EventEnvelope {
    fn validate(&self, path: &str, issues: &mut Vec<Issue>) {
        check_envelope(&self.id, &self.time, &At::Path(path), issues);
        self.event.validate(&pointer(path, "event"), issues);
    }

    fn decode_json(text: &str) -> Result<Self, DecodeError> {
        let document: EnvelopeDocument = read(text)?;
        let mut issues = Vec::new();
        let root = At::Path("");
        check_envelope(&document.id, &document.time, &root, &mut issues);
        let at = At::Key(&root, "event");
        let event = event_from(document.event, &At::Key(&at, "payload"), &mut issues)?;
        let envelope = EventEnvelope {
            id: document.id,
            time: document.time,
            topic: document.topic,
            event,
        };
        finish(envelope, issues)
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

/**
 * The `use` lines of validate.rs, sorted as rustfmt sorts them. Generated types are named through
 * `types::` (`types::SessionInfo`): a glob import would let a type named like an item of the
 * runtime (`Shape`, `Field`) shadow it or be shadowed.
 */
export function runtimeUses(source: string, use: RuntimeUse): string[] {
  const uses = [
    "use crate::event::{Event, EventEnvelope, UnknownEvent};",
    "use crate::wire::JsonValue;",
    "use regex::{Regex, RegexBuilder};",
    "use serde::de::DeserializeOwned;",
    "use serde::de::Unexpected;",
    "use std::borrow::Cow;",
    "use std::collections::BTreeMap;",
    "use std::fmt;",
    "use std::sync::OnceLock;",
  ];
  if (/\btypes::/.test(withoutLiterals(source))) uses.push("use crate::types;");
  const serde = ["Deserialize", ...(use.deserializers ? ["Deserializer"] : []), ...(use.shaped ? ["Serialize"] : [])];
  uses.push(serde.length === 1 ? `use serde::${serde[0]!};` : `use serde::{${serde.join(", ")}};`);
  // rustfmt orders module segments before type names: `serde::de::…` before `serde::{…}`.
  const key = (line: string): string => line.replace("serde::de::", "serde::0de::");
  return uses.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function runtimeHead(): string {
  return HEAD;
}

/** The runtime's items, in file order. */
export function runtimeItems(use: RuntimeUse): string[] {
  return [
    CORE,
    FROM_JSON,
    ...(use.required ? [REQUIRED] : []),
    ...(use.optional ? [OPTIONAL] : []),
    ...(use.reads ? [READS] : []),
    ...(use.member ? [MEMBER] : []),
    ...(use.dispatch ? [DISPATCH] : []),
    ...(use.structs ? [READ_STRUCTS] : []),
    ...(use.closedStructs ? [READ_CLOSED_STRUCTS] : []),
    ...(use.taggedEnums ? [READ_TAGGED_ENUMS] : []),
    ...(use.unitEnums ? [READ_UNIT_ENUMS] : []),
    ...(use.enumKeys ? [READ_ENUM_KEYS] : []),
    ...(use.reprEnums ? [READ_REPR_ENUMS] : []),
    ...(use.tuples ? [READ_TUPLES] : []),
    ...(use.deserializers ? [DESERIALIZE_BY_READER] : []),
    ...(use.shaped ? [SHAPED] : []),
    ...(use.unshaped ? [UNSHAPED] : []),
    EVENTS,
  ];
}
