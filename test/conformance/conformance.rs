//! Reads one document per stdin line, decodes and validates it with the generated crate, and
//! prints one JSON line: the verdict (`accept`, `unknown`, `reject`), the re-encoded document and
//! the event's coalesce key, or the error. A line is an event document; a line starting with `E`
//! is an envelope (the JSON text follows the `E`).
use eventc_events::{Event, EventEnvelope};
use serde_json::json;
use std::io::{BufRead, BufWriter, Write};

fn main() {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let answer = if let Some(text) = line.strip_prefix('E') {
            match EventEnvelope::from_json_str(text) {
                Ok(envelope) => json!({
                    "verdict": if matches!(envelope.event, Event::Unknown(_)) { "unknown" } else { "accept" },
                    "json": serde_json::to_value(&envelope).expect("a decoded envelope encodes"),
                }),
                Err(error) => json!({ "verdict": "reject", "error": error.to_string() }),
            }
        } else {
            match Event::from_json_str(&line) {
                Ok(event) => json!({
                    "verdict": if matches!(event, Event::Unknown(_)) { "unknown" } else { "accept" },
                    "json": serde_json::to_value(&event).expect("a decoded event encodes"),
                    "coalesce": event.coalesce_key(),
                }),
                Err(error) => json!({ "verdict": "reject", "error": error.to_string() }),
            }
        };
        writeln!(out, "{answer}").expect("stdout is writable");
    }
}
