//! Reads one line per document and moves it with the generated crate's migrations: `U<json>`
//! upgrades an event document to the latest version of its event, `D<version> <json>` downgrades
//! it to that version. Prints one JSON line: the typed result re-encoded (`json`), the payload as
//! `migrate_json` moves the JSON as it came (`raw`), or the error.
use eventc_events::{migrate_json, Event, JsonValue};
use serde::Deserialize;
use serde_json::json;
use std::io::{BufRead, BufWriter, Write};

fn answer(text: &str, to: Option<u32>) -> JsonValue {
    let event = match Event::from_json_str(text) {
        Ok(event) => event,
        Err(error) => return json!({ "verdict": "reject", "error": error.to_string() }),
    };
    // Read as the crate reads (no recursion limit: the document rules bound the nesting).
    let mut reader = serde_json::Deserializer::from_str(text);
    reader.disable_recursion_limit();
    let document = JsonValue::deserialize(&mut reader).expect("a decoded document is JSON");
    let wire_type = event.wire_type().to_owned();
    let moved = match to {
        None => event.upgrade(),
        Some(version) => event.downgrade_to(version),
    };
    match moved {
        Ok(moved) => {
            let version = moved.version().unwrap_or(0);
            let payload = document.get("payload").cloned().unwrap_or(JsonValue::Null);
            let raw = migrate_json(&wire_type, payload, version).map(|(wire, payload)| json!({ "type": wire, "payload": payload }));
            json!({
                "verdict": "accept",
                "json": serde_json::to_value(&moved).expect("an event encodes"),
                "raw": raw.map_err(|error| error.to_string()).unwrap_or_else(|error| json!({ "error": error })),
            })
        }
        Err(error) => json!({ "verdict": "reject", "error": error.to_string() }),
    }
}

fn main() {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let result = if let Some(text) = line.strip_prefix('U') {
            answer(text, None)
        } else if let Some(rest) = line.strip_prefix('D') {
            let (version, text) = rest.split_once(' ').expect("D<version> <json>");
            answer(text, Some(version.parse().expect("a version")))
        } else {
            json!({ "verdict": "reject", "error": "unknown line" })
        };
        writeln!(out, "{result}").expect("stdout is writable");
    }
}
