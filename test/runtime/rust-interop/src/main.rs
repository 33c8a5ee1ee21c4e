//! The Rust side of test/runtime/rust-interop.test.ts, built on the generated crate and the
//! `redis` crate (sync API). One JSON line out per unit of work; the test reads them.
//!
//!   publish <redis-url> <prefix>
//!       Reads one JSON command a line and publishes one envelope each:
//!         {"event": {…}}                     decode the event (serde only, so a test can send an
//!                                            invalid one on purpose), wrap it, publish it on its channel
//!         {"event": {…}, "channel": "…"}     the same, on that channel instead
//!         {"typed": "retry"}                 an event built as a Rust value, not from JSON
//!       Prints {"channel", "envelope", "issues"} per envelope sent.
//!   subscribe <redis-url> <prefix> <count> <channel | pattern*>…
//!       Subscribes (PSUBSCRIBE for a name ending in `*`), prints {"ready": true}, then reads
//!       <count> messages with `EventEnvelope::from_message`, printing {"channel", "envelope",
//!       "variant"} or {"channel", "error", "message"}, and exits.
//!   topic-text   reads JSON values, prints `channel::topic_text` of each (a string or null)
//!   utc-time     reads milliseconds since 1970, prints `channel::utc_time` of each
//!   ids <n>      prints n `channel::random_id()`s (as JSON strings)
use eventc_events::channel::{random_id, topic_text, utc_time};
use eventc_events::{Event, EventEnvelope, MessageError, SessionStatusV2, SessionStatusV2Status};
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::time::{Duration, UNIX_EPOCH};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |index: usize| args.get(index).map(String::as_str).unwrap_or_default();
    match arg(0) {
        "publish" => publish(arg(1), arg(2)),
        "subscribe" => subscribe(arg(1), arg(2), arg(3).parse()?, &args[4..]),
        "topic-text" => each_line(|line| Ok(json!(topic_text(&serde_json::from_str(line)?)))),
        "utc-time" => each_line(|line| {
            let millis: i64 = line.parse()?;
            let offset = Duration::from_millis(millis.unsigned_abs());
            let time = if millis < 0 {
                UNIX_EPOCH - offset
            } else {
                UNIX_EPOCH + offset
            };
            Ok(json!(utc_time(time)))
        }),
        "ids" => {
            let mut out = std::io::stdout().lock();
            for _ in 0..arg(1).parse::<usize>()? {
                writeln!(out, "{}", json!(random_id()))?;
            }
            Ok(())
        }
        other => Err(format!("unknown mode {other:?}").into()),
    }
}

fn each_line(answer: impl Fn(&str) -> Result<Value, Failure>) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        writeln!(out, "{}", answer(&line?)?)?;
    }
    Ok(())
}

fn publish(url: &str, prefix: &str) -> Result<(), Failure> {
    let mut connection = redis::Client::open(url)?.get_connection()?;
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let command: Value = serde_json::from_str(&line?)?;
        let event = if command["typed"] == "retry" {
            Event::SessionStatusV2(SessionStatusV2 {
                session_id: "s-typed".to_owned(),
                status: SessionStatusV2Status::Retry {
                    attempt: 2,
                    message: "rate limited".to_owned(),
                    next: 1_700_000_000_000,
                },
            })
        } else {
            serde_json::from_value(command["event"].clone())?
        };
        let envelope = EventEnvelope::new(event);
        let channel = match command["channel"].as_str() {
            Some(channel) => format!("{prefix}{channel}"),
            None => envelope.channel(prefix),
        };
        let text = serde_json::to_string(&envelope)?;
        redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(&text)
            .query::<i64>(&mut connection)?;
        let issues: Vec<String> = eventc_events::Validate::issues(&envelope)
            .into_iter()
            .map(|issue| format!("{}: {}", issue.path, issue.message))
            .collect();
        writeln!(
            out,
            "{}",
            json!({ "channel": channel, "envelope": envelope, "issues": issues })
        )?;
        out.flush()?;
    }
    Ok(())
}

fn subscribe(
    url: &str,
    prefix: &str,
    count: usize,
    subscriptions: &[String],
) -> Result<(), Failure> {
    let mut connection = redis::Client::open(url)?.get_connection()?;
    let mut pubsub = connection.as_pubsub();
    for name in subscriptions {
        if name.ends_with('*') {
            pubsub.psubscribe(name)?;
        } else {
            pubsub.subscribe(name)?;
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", json!({ "ready": true }))?;
    out.flush()?;
    for _ in 0..count {
        let message = pubsub.get_message()?;
        let channel = message.get_channel_name();
        let text: String = message.get_payload()?;
        let line = match EventEnvelope::from_message(prefix, channel, &text) {
            Ok(envelope) => {
                // The typed value: the variant's name, e.g. `SessionStatusV2`.
                let variant = format!("{:?}", envelope.event);
                let variant = variant.split('(').next().unwrap_or_default();
                json!({ "channel": channel, "envelope": envelope, "variant": variant })
            }
            Err(error) => {
                json!({ "channel": channel, "error": code(&error), "message": error.to_string() })
            }
        };
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    Ok(())
}

/// The TypeScript bus's `BusError` code for the same rejection.
fn code(error: &MessageError) -> &'static str {
    match error {
        MessageError::Undecodable(_) => "message-undecodable",
        MessageError::Invalid(_) => "message-invalid",
        MessageError::UnknownType(_) => "message-unknown-type",
        MessageError::WrongChannel { .. } => "message-wrong-channel",
    }
}
