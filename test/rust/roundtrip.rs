//! Reads one JSON document per stdin line, prefixed `event ` or `envelope `, decodes it with the
//! generated crate, and prints one JSON line: the re-encoded document and the helper results, or
//! the decode error.
use eventc_events::{Event, EventEnvelope};
use serde_json::{json, Value};
use std::io::BufRead;

fn describe(event: &Event) -> Value {
    json!({
        "name": event.name(),
        "version": event.version(),
        "wire_type": event.wire_type(),
        "coalesce_key": event.coalesce_key(),
        "unknown": matches!(event, Event::Unknown(_)),
    })
}

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let (kind, document) = line.split_once(' ').expect("a kind, a space, a document");
        let result = if kind == "envelope" {
            serde_json::from_str::<EventEnvelope>(document).map(|envelope| {
                json!({ "json": serde_json::to_value(&envelope).unwrap(), "helpers": describe(&envelope.event) })
            })
        } else {
            serde_json::from_str::<Event>(document)
                .map(|event| json!({ "json": serde_json::to_value(&event).unwrap(), "helpers": describe(&event) }))
        };
        let out = result.unwrap_or_else(|error| json!({ "error": error.to_string() }));
        println!("{out}");
    }
}
