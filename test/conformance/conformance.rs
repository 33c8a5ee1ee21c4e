//! Reads one event document per stdin line, decodes and validates it with the generated crate, and
//! prints one JSON line: the verdict (`accept`, `unknown`, `reject`) and the re-encoded document or
//! the error.
use eventc_events::Event;
use serde_json::json;
use std::io::{BufRead, BufWriter, Write};

fn main() {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let answer = match Event::from_json_str(&line) {
            Ok(event) => json!({
                "verdict": if matches!(event, Event::Unknown(_)) { "unknown" } else { "accept" },
                "json": serde_json::to_value(&event).expect("a decoded event encodes"),
            }),
            Err(error) => json!({ "verdict": "reject", "error": error.to_string() }),
        };
        writeln!(out, "{answer}").expect("stdout is writable");
    }
}
