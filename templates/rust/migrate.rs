//! Migrations between versions of an event, compiled from the catalogue: [`Event::upgrade`] to
//! the latest version, [`Event::upgrade_to`] and [`Event::downgrade_to`] one version at a time
//! through the declared steps, and [`migrate_json`] over a payload as JSON. Each declared step is
//! one call below (`upgrade_*`, `downgrade_*`, `named_*`), into the operations of `ops`; nothing
//! is interpreted at run time. A migration never panics: what it cannot do is an error.
//!
//! Every migration was proven by `eventc generate` to turn each valid payload of the version it
//! reads into a valid payload of the version it produces; the result is read again with that
//! version's reader all the same, so an `Event` is never of a type its payload does not fit.

use crate::event::Event;
use crate::wire::JsonValue;
use std::fmt;

/// Why an event could not be moved to another version.
#[derive(Debug)]
pub enum MigrationError {
    /// No migration is declared for a step on the way (or the version does not exist).
    Unavailable { from: String, to: String },
    /// The migrated payload did not read as the version it was moved to.
    Invalid { wire_type: String, error: String },
}

impl fmt::Display for MigrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable { from, to } => {
                write!(f, "no migration declared from {from} toward {to}")
            }
            Self::Invalid { wire_type, error } => write!(
                f,
                "the migrated payload is not a valid {wire_type}: {error}"
            ),
        }
    }
}

impl std::error::Error for MigrationError {}

/// One compiled migration between two consecutive versions, over the payload as JSON.
type Change = fn(&mut JsonValue);

/// Which way a migration goes.
#[derive(Clone, Copy)]
enum Direction {
    Upgrade,
    Downgrade,
}

/// Moves a payload of `wire_type` to version `to` of its event through the declared migrations,
/// one version at a time, and returns the wire type reached with the payload. The payload is JSON
/// as it came (fields its version does not declare included); nothing is validated here.
pub fn migrate_json(
    wire_type: &str,
    mut payload: JsonValue,
    to: u32,
) -> Result<(String, JsonValue), MigrationError> {
    let (name, from) = split(wire_type).ok_or_else(|| unavailable(wire_type, wire_type))?;
    let target = format!("{name}.v{to}");
    let direction = if to >= from {
        Direction::Upgrade
    } else {
        Direction::Downgrade
    };
    let mut at = wire_type.to_owned();
    while at != target {
        match step(&at, direction) {
            Some((next, change)) => {
                change(&mut payload);
                at = next.to_owned();
            }
            None => return Err(unavailable(&at, &target)),
        }
    }
    Ok((at, payload))
}

impl Event {
    /// Upgrades the event to the latest version of its event. An unknown event is returned as it is.
    pub fn upgrade(self) -> Result<Event, MigrationError> {
        if matches!(self, Event::Unknown(_)) {
            return Ok(self);
        }
        let latest = latest_version(self.name()).unwrap_or(0);
        self.upgrade_to(latest)
    }

    /// Upgrades the event to version `to` of its event (not below its own).
    pub fn upgrade_to(self, to: u32) -> Result<Event, MigrationError> {
        self.migrate(to, Direction::Upgrade)
    }

    /// Downgrades the event to version `to` of its event (not above its own), for consumers pinned to it.
    pub fn downgrade_to(self, to: u32) -> Result<Event, MigrationError> {
        self.migrate(to, Direction::Downgrade)
    }

    /// Reads an event document and upgrades it to the latest version of its event.
    pub fn from_json_str_latest(
        text: &str,
    ) -> Result<Event, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Event::from_json_str(text)?.upgrade()?)
    }

    fn migrate(self, to: u32, direction: Direction) -> Result<Event, MigrationError> {
        let wire_type = self.wire_type().to_owned();
        let version = self.version().unwrap_or(0);
        let target = format!("{}.v{to}", self.name());
        let wrong_way = match direction {
            Direction::Upgrade => to < version,
            Direction::Downgrade => to > version,
        };
        if matches!(self, Event::Unknown(_)) || wrong_way {
            return Err(unavailable(&wire_type, &target));
        }
        if to == version {
            return Ok(self);
        }
        let (reached, payload) = migrate_json(&wire_type, self.payload_json(), to)?;
        let document = serde_json::json!({ "type": reached, "payload": payload });
        serde_json::from_value::<Event>(document).map_err(|error| MigrationError::Invalid {
            wire_type: reached,
            error: error.to_string(),
        })
    }
}

fn unavailable(from: &str, to: &str) -> MigrationError {
    MigrationError::Unavailable {
        from: from.to_owned(),
        to: to.to_owned(),
    }
}

/// Splits `session.status.v2` into `session.status` and `2`.
fn split(wire_type: &str) -> Option<(&str, u32)> {
    let (name, version) = wire_type.rsplit_once(".v")?;
    if version.is_empty() || !version.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some((name, version.parse().ok()?))
}

/// The operations a compiled migration is made of, as the TypeScript SDK's `migrate.ts` has them:
/// each total — where its path does not reach a value (an absent field, a null, a value of another
/// kind) it does nothing. Not every catalogue uses every one.
#[allow(dead_code)]
pub(crate) mod ops {
    use crate::wire::JsonValue;

    /// A scalar a `map` step matches or writes.
    pub(crate) enum Scalar {
        Str(&'static str),
        Int(i64),
        Float(f64),
        Bool(bool),
        Null,
    }

    impl Scalar {
        fn matches(&self, value: &JsonValue) -> bool {
            match (self, value) {
                (Scalar::Str(text), JsonValue::String(found)) => found == text,
                (Scalar::Int(number), JsonValue::Number(found)) => {
                    found.as_f64() == Some(*number as f64)
                }
                (Scalar::Float(number), JsonValue::Number(found)) => {
                    found.as_f64() == Some(*number)
                }
                (Scalar::Bool(flag), JsonValue::Bool(found)) => found == flag,
                (Scalar::Null, JsonValue::Null) => true,
                _ => false,
            }
        }

        fn value(&self) -> JsonValue {
            match self {
                Scalar::Str(text) => JsonValue::from(*text),
                Scalar::Int(number) => JsonValue::from(*number),
                Scalar::Float(number) => JsonValue::from(*number),
                Scalar::Bool(flag) => JsonValue::Bool(*flag),
                Scalar::Null => JsonValue::Null,
            }
        }
    }

    /// A constant written by `set` or `default`, from its JSON text.
    pub(crate) fn constant(text: &str) -> JsonValue {
        serde_json::from_str(text).unwrap_or(JsonValue::Null)
    }

    /// The value at `path`, every segment a field of an object.
    pub(crate) fn walk<'a>(value: &'a mut JsonValue, path: &[&str]) -> Option<&'a mut JsonValue> {
        path.iter()
            .try_fold(value, |at, key| at.as_object_mut()?.get_mut(*key))
    }

    /// Writes `item` at `path`, creating missing objects on the way.
    fn put(value: &mut JsonValue, path: &[&str], item: JsonValue) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut at = value;
        for key in parents {
            let JsonValue::Object(map) = at else { return };
            at = map
                .entry(key.to_string())
                .or_insert_with(|| JsonValue::Object(Default::default()));
        }
        if let JsonValue::Object(map) = at {
            map.insert(last.to_string(), item);
        }
    }

    pub(crate) fn move_field(value: &mut JsonValue, from: &[&str], to: &[&str]) {
        let Some((last, parents)) = from.split_last() else {
            return;
        };
        let taken = walk(value, parents)
            .and_then(JsonValue::as_object_mut)
            .and_then(|map| map.remove(*last));
        if let Some(item) = taken {
            put(value, to, item);
        }
    }

    pub(crate) fn set_field(value: &mut JsonValue, path: &[&str], item: JsonValue) {
        put(value, path, item);
    }

    pub(crate) fn default_field(value: &mut JsonValue, path: &[&str], item: JsonValue) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        if let Some(map) = walk(value, parents).and_then(JsonValue::as_object_mut) {
            map.entry(last.to_string()).or_insert(item);
        }
    }

    pub(crate) fn drop_field(value: &mut JsonValue, path: &[&str]) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        if let Some(map) = walk(value, parents).and_then(JsonValue::as_object_mut) {
            map.remove(*last);
        }
    }

    pub(crate) fn map_value(value: &mut JsonValue, path: &[&str], pairs: &[(Scalar, Scalar)]) {
        if let Some(at) = walk(value, path) {
            if let Some((_, to)) = pairs.iter().find(|(from, _)| from.matches(at)) {
                *at = to.value();
            }
        }
    }

    pub(crate) fn wrap_value(value: &mut JsonValue, path: &[&str], key: &str) {
        if let Some(at) = walk(value, path) {
            if !at.is_null() {
                let mut map = serde_json::Map::new();
                map.insert(key.to_owned(), at.take());
                *at = JsonValue::Object(map);
            }
        }
    }

    pub(crate) fn unwrap_value(value: &mut JsonValue, path: &[&str], key: &str) {
        if let Some(at) = walk(value, path) {
            if let Some(inner) = at.as_object_mut().and_then(|map| map.remove(key)) {
                *at = inner;
            }
        }
    }

    pub(crate) fn each_value(
        value: &mut JsonValue,
        path: &[&str],
        change: impl Fn(&mut JsonValue),
    ) {
        match walk(value, path) {
            Some(JsonValue::Array(items)) => items.iter_mut().for_each(change),
            Some(JsonValue::Object(map)) => map.values_mut().for_each(change),
            _ => {}
        }
    }

    pub(crate) fn apply(value: &mut JsonValue, path: &[&str], change: fn(&mut JsonValue)) {
        if let Some(at) = walk(value, path) {
            change(at);
        }
    }
}
