/**
 * `src/channel.rs` of the crate: envelopes on pub/sub channels by the rules of the TypeScript
 * runtime (templates/ts/runtime/: `bus/bus.ts` builds and admits envelopes, `transports/transport.ts` names
 * channels), so a Rust service and a TypeScript bus read each other's messages. The module is
 * fixed text: the catalogue reaches it only through `Event::name` and `Event::topic`.
 *
 * Each rule here has its TypeScript twin, and test/runtime/rust-interop.test.ts holds them together
 * over a real Redis:
 *   channel_name     `channelName`: `<prefix><name>` or `<prefix><name>:<topic>`
 *   topic_text       `topicAt`'s text of a value: a string as is, a number or boolean as JavaScript's
 *                    `JSON.stringify` writes it — Rust's shortest round-trip digits (a tie between
 *                    two broken towards the even one, as ECMAScript does), laid out by ECMAScript's
 *                    Number::toString (exponent from 1e21 and below 1e-6)
 *   js_json          `JSON.stringify` of a value (numbers by the same rule): the coalesce key's text
 *   random_id        `randomId`: a UUID in version 4 form
 *   utc_time         `new Date().toISOString()`: RFC 3339 UTC with milliseconds
 *   from_message     the bus's ingress: undecodable, invalid, unknown type, wrong channel
 *
 * Ids and time come from the standard library alone (no new dependency; the crate stays free of
 * any transport): SipHash keyed by `RandomState` (which std seeds from the operating system's
 * randomness) over a counter and the clock, and `SystemTime` laid out as a civil date by hand.
 */

const MODULE = `//! Envelopes on pub/sub channels, by the rules of the TypeScript runtime: build an envelope to
//! send ([\`EventEnvelope::new\`]), name its channel ([\`EventEnvelope::channel\`],
//! [\`channel_name\`]) and read a message that arrived on one ([\`EventEnvelope::from_message\`]).
//!
//! The crate moves nothing itself: send an envelope's JSON text with any client (Redis:
//! \`PUBLISH <channel> <text>\`), and hand what arrives to [\`EventEnvelope::from_message\`].

use crate::event::{Event, EventEnvelope};
use crate::validate::DecodeError;
use crate::wire::JsonValue;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The channel of every version of event \`name\` with \`topic\`, behind \`prefix\`:
/// \`<prefix><name>\` for an unscoped event, \`<prefix><name>:<topic>\` for a scoped one.
pub fn channel_name(prefix: &str, name: &str, topic: Option<&str>) -> String {
    match topic {
        Some(topic) => format!("{prefix}{name}:{topic}"),
        None => format!("{prefix}{name}"),
    }
}

impl EventEnvelope {
    /// Wraps \`event\` for sending, as the TypeScript bus's \`publish\` does: a new [\`random_id\`],
    /// the current time ([\`utc_time\`]) and the topic at the event's topic path ([\`Event::topic\`]).
    ///
    /// Uses the system clock and std's randomness, so it needs a target that has them (every std
    /// target but \`wasm32-unknown-unknown\`); elsewhere, build the struct with your own id and time.
    pub fn new(event: Event) -> Self {
        Self {
            id: random_id(),
            time: utc_time(SystemTime::now()),
            topic: event.topic(),
            event,
        }
    }

    /// The channel this envelope travels on: its event's name and its \`topic\`, behind \`prefix\`.
    pub fn channel(&self, prefix: &str) -> String {
        channel_name(prefix, self.event.name(), self.topic.as_deref())
    }

    /// Reads a message that arrived on \`channel\` (its full name, \`prefix\` included) by the
    /// TypeScript bus's ingress rules: the text must be an envelope that decodes and validates
    /// ([\`EventEnvelope::from_json_str\`]), of an event type this crate knows, on the channel of
    /// its event and topic. A subscriber reports the error and drops the message.
    pub fn from_message(prefix: &str, channel: &str, text: &str) -> Result<Self, MessageError> {
        let envelope = Self::from_json_str(text).map_err(|error| match error {
            DecodeError::Json(error) if error.is_syntax() || error.is_eof() => {
                MessageError::Undecodable(error)
            }
            error => MessageError::Invalid(error),
        })?;
        if let Event::Unknown(event) = &envelope.event {
            return Err(MessageError::UnknownType(event.r#type.clone()));
        }
        let expected = envelope.channel(prefix);
        if expected != channel {
            return Err(MessageError::WrongChannel {
                channel: channel.to_owned(),
                expected,
            });
        }
        Ok(envelope)
    }
}

/// Why a message from a channel was not accepted. Each case is one \`BusError\` code of the
/// TypeScript bus (in parentheses), which reports and drops such a message the same way.
#[derive(Debug)]
pub enum MessageError {
    /// Not JSON (\`message-undecodable\`).
    Undecodable(serde_json::Error),
    /// JSON, but not a valid envelope: a wrong shape, or a payload breaking its schema
    /// (\`message-invalid\`).
    Invalid(DecodeError),
    /// A valid envelope of a wire type this crate does not know (\`message-unknown-type\`).
    UnknownType(String),
    /// A valid envelope on another channel than its event's and topic's
    /// (\`message-wrong-channel\`).
    WrongChannel {
        /// The channel it arrived on.
        channel: String,
        /// The channel its event and topic belong on.
        expected: String,
    },
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Undecodable(error) => write!(f, "not JSON: {error}"),
            Self::Invalid(error) => write!(f, "invalid envelope: {error}"),
            Self::UnknownType(wire_type) => write!(f, "unknown event type \\"{wire_type}\\""),
            Self::WrongChannel { channel, expected } => write!(
                f,
                "arrived on channel \\"{channel}\\", but its event and topic belong on \\"{expected}\\""
            ),
        }
    }
}

impl std::error::Error for MessageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Undecodable(error) => Some(error),
            Self::Invalid(error) => Some(error),
            _ => None,
        }
    }
}

/// A topic value as text, as the TypeScript bus writes it: a string as it is, a number or a
/// boolean as its JSON text in JavaScript (\`1\`, \`0.5\`, \`1e+21\`, \`true\`); anything else is no
/// topic.
pub fn topic_text(value: &JsonValue) -> Option<String> {
    match value {
        JsonValue::String(text) => Some(text.clone()),
        JsonValue::Bool(flag) => Some(flag.to_string()),
        JsonValue::Number(number) => number.as_f64().map(js_number),
        _ => None,
    }
}

/// A JSON value as text, as JavaScript's \`JSON.stringify\` writes it: numbers as JavaScript writes
/// them (\`1\`, not serde_json's \`1.0\`; \`0\` for -0; \`1e+21\`), strings escaped as serde_json and
/// JavaScript both escape them, members in the value's order. Coalesce keys are this text.
pub fn js_json(value: &JsonValue) -> String {
    let mut text = String::new();
    write_js_json(value, &mut text);
    text
}

fn write_js_json(value: &JsonValue, text: &mut String) {
    match value {
        JsonValue::Number(number) => match number.as_f64() {
            Some(double) => text.push_str(&js_number(double)),
            None => text.push_str(&number.to_string()),
        },
        JsonValue::Array(items) => {
            text.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    text.push(',');
                }
                write_js_json(item, text);
            }
            text.push(']');
        }
        JsonValue::Object(members) => {
            text.push('{');
            for (index, (name, item)) in members.iter().enumerate() {
                if index > 0 {
                    text.push(',');
                }
                text.push_str(&JsonValue::from(name.as_str()).to_string());
                text.push(':');
                write_js_json(item, text);
            }
            text.push('}');
        }
        other => text.push_str(&other.to_string()),
    }
}

/// A finite double as JavaScript writes it (ECMAScript Number::toString): the shortest digits
/// that read back as the same double, laid out in plain notation from 1e-6 up to below 1e21 and in
/// exponent notation (\`1.5e+21\`, \`1e-7\`) outside.
fn js_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned(); // -0 too
    }
    let (digits, exponent) = shortest_digits(value.abs());
    let count = digits.len();
    // The value is 0.<digits> × 10^point.
    let point = exponent + 1;
    let sign = if value < 0.0 { "-" } else { "" };
    let text = match usize::try_from(point) {
        Ok(point) if (count..=21).contains(&point) => {
            format!("{digits}{}", "0".repeat(point - count))
        }
        Ok(point) if (1..=21).contains(&point) => {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
        _ if (-5..=0).contains(&point) => format!("0.{}{digits}", "0".repeat(point.unsigned_abs())),
        _ => {
            let power = point - 1;
            let power_sign = if power < 0 { '-' } else { '+' };
            let (first, rest) = digits.split_at(1);
            let fraction = if rest.is_empty() {
                String::new()
            } else {
                format!(".{rest}")
            };
            format!("{first}{fraction}e{power_sign}{}", power.unsigned_abs())
        }
    };
    format!("{sign}{text}")
}

/// The shortest digits that read back as \`value\` (positive and finite), and the power of ten
/// of the first: \`value\` ≈ d.ddd × 10^exponent. Of two such digit strings equally close to the
/// value, ECMAScript takes the one ending in an even digit, where Rust's shortest form may end in
/// the odd one (\`1104507819559585.25\`: JavaScript writes \`…585.2\`, Rust \`…585.3\`).
fn shortest_digits(value: f64) -> (String, isize) {
    let (digits, exponent) = scientific(&format!("{value:e}"));
    if !digits.ends_with(['1', '3', '5', '7', '9']) {
        return (digits, exponent);
    }
    // A tie puts the exact value (767 significant digits hold any double) halfway between the two.
    let (exact, exact_exponent) = scientific(&format!("{value:.767e}"));
    let (head, tail) = exact.split_at(digits.len());
    let halfway = exact_exponent == exponent
        && tail.starts_with('5')
        && tail.bytes().skip(1).all(|digit| digit == b'0');
    if !halfway {
        return (digits, exponent);
    }
    let even = if head != digits {
        // \`digits\` is the upper neighbour; the lower one is \`head\`.
        head.to_owned()
    } else {
        // \`digits\` is the lower neighbour; the upper one ends in the next digit (a carry past 9
        // would give a shorter form, which Rust would have found).
        match head.bytes().last() {
            Some(last) if last < b'9' => {
                format!("{}{}", &head[..head.len() - 1], char::from(last + 1))
            }
            _ => return (digits, exponent),
        }
    };
    if format!("{}.{}e{exponent}", &even[..1], &even[1..]).parse() == Ok(value) {
        (even, exponent)
    } else {
        (digits, exponent)
    }
}

/// The digits and the exponent of a number Rust wrote in \`{:e}\` form (\`1.25e-7\`).
fn scientific(text: &str) -> (String, isize) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// A new envelope id: a random UUID in version 4 form, like the TypeScript runtime's. Its 122 bits
/// are SipHash, keyed by a \`RandomState\` that std seeds from the operating system's randomness
/// once per process, over a counter and the clock: never repeated within a process, and colliding
/// across processes with negligible probability. Unique, not secret: never use one as a credential.
pub fn random_id() -> String {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let keys = KEYS.get_or_init(RandomState::new);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // The clock tells apart the ids of processes forked with the same keys and counter.
    let clock = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let half = |lane: u8| {
        let mut hasher = keys.build_hasher();
        hasher.write_u8(lane);
        hasher.write_u64(count);
        hasher.write_u128(clock);
        hasher.finish()
    };
    let bits = (u128::from(half(0)) << 64) | u128::from(half(1));
    // Version 4 (bits 76–79) and the RFC 9562 variant (bits 62–63).
    let bits = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// \`time\` as RFC 3339 in UTC with milliseconds (\`YYYY-MM-DDThh:mm:ss.sssZ\`), as JavaScript's
/// \`Date.prototype.toISOString\` writes it, for the years 0 to 9999.
pub fn utc_time(time: SystemTime) -> String {
    let nanos = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    };
    let millis = nanos.div_euclid(1_000_000);
    let (year, month, day) = civil_date(millis.div_euclid(86_400_000));
    let of_day = millis.rem_euclid(86_400_000);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3_600_000,
        of_day / 60_000 % 60,
        of_day / 1_000 % 60,
        of_day % 1_000
    )
}

/// The proleptic Gregorian date \`days\` after 1970-01-01, as (year, month, day): Howard
/// Hinnant's \`civil_from_days\`, which counts in 400-year eras starting on 1 March.
fn civil_date(days: i128) -> (i128, i128, i128) {
    let shifted = days + 719_468; // days from 0000-03-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    (year_of_era + era * 400 + i128::from(month <= 2), month, day)
}
`;

/** The text of `src/channel.rs` (without the generated-file header). */
export function channelModule(): string {
  return MODULE;
}
