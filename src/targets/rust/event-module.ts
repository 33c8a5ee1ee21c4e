/**
 * `src/event.rs` of the crate: the `Event` enum over every event version, the explicit unknown
 * case, the envelope and the helpers (`name`, `version`, `wire_type`, `coalesce_key`,
 * `topic_path`, `topic`). Building an envelope and naming its channel live in `channel.rs`.
 *
 * `Event` serialises with serde's adjacent tagging (`{"type": "<wire type>", "payload": {…}}`),
 * the form typeshare carries. Its `Deserialize` is written out rather than derived: a wire type the
 * crate does not know becomes `Event::Unknown` with its payload kept, while a known wire type with
 * a bad payload stays an error.
 */
import type { Catalogue } from "../../ir/types.js";
import { deriveLine, type ExtraDerive } from "./derives.js";
import { rustString } from "./escape.js";
import { attribute, docs, matchArm } from "./render.js";

export interface EventVariant {
  /** Variant identifier, equal to the payload type's name. */
  ident: string;
  payload: string;
  wireType: string;
  name: string;
  version: number;
  description?: string;
  coalesce?: string[][];
  /** The event's topic path (the same for every version), when it has one. */
  topic?: string[];
}

export function eventVariants(catalogue: Catalogue, payloadName: (event: string, version: number) => string): EventVariant[] {
  return catalogue.events.flatMap((event) =>
    event.versions.map((version) => {
      const ident = payloadName(event.name, version.version);
      const variant: EventVariant = { ident, payload: ident, wireType: version.wireType, name: event.name, version: version.version };
      if (event.description !== undefined) variant.description = event.description;
      if (event.coalesce !== undefined) variant.coalesce = event.coalesce;
      if (event.topic !== undefined) variant.topic = event.topic;
      return variant;
    }),
  );
}

const I3 = "            ";

function method(docLine: string, signature: string, body: string[]): string[] {
  return ["", `    /// ${docLine}`, `    ${signature} {`, ...body, "    }"];
}

function matchSelf(variants: readonly EventVariant[], arm: (variant: EventVariant) => string, unknown: string): string[] {
  return [
    "        match self {",
    ...variants.flatMap((variant) => matchArm(`Self::${variant.ident}(_)`, arm(variant), I3)),
    ...matchArm("Self::Unknown(event)", unknown, I3),
    "        }",
  ];
}

/** `lookup`: the coalesce key and the topic read payload paths through it. */
const LOOKUP = [
  "",
  "/// The value at `path` inside `value`, when every step exists.",
  "fn lookup<'a>(value: &'a JsonValue, path: &[&str]) -> Option<&'a JsonValue> {",
  "    path.iter().try_fold(value, |at, segment| at.get(segment))",
  "}",
];

/** A payload path as a Rust slice literal: `&["info", "id"]`. */
const pathLiteral = (path: readonly string[]): string => `&[${path.map(rustString).join(", ")}]`;

function coalesceBody(variants: readonly EventVariant[]): string[] {
  const coalesced = variants.filter((variant) => variant.coalesce !== undefined);
  if (coalesced.length === 0) return ["        None"];
  const pathList = (paths: string[][]): string => `&[${paths.map(pathLiteral).join(", ")}]`;
  return [
    "        let paths: &[&[&str]] = match self {",
    ...coalesced.flatMap((variant) => matchArm(`Self::${variant.ident}(_)`, pathList(variant.coalesce!), I3)),
    `${I3}_ => return None,`,
    "        };",
    "        let payload = self.payload_json();",
    "        let mut key = vec![JsonValue::String(self.name().to_owned())];",
    "        for path in paths {",
    "            let value = lookup(&payload, path);",
    "            key.push(value.cloned().unwrap_or(JsonValue::Null));",
    "        }",
    "        Some(js_json(&JsonValue::Array(key)))",
  ];
}

function topicPathBody(variants: readonly EventVariant[]): string[] {
  const scoped = variants.filter((variant) => variant.topic !== undefined);
  if (scoped.length === 0) return ["        None"];
  return [
    "        match self {",
    ...scoped.flatMap((variant) => matchArm(`Self::${variant.ident}(_)`, `Some(${pathLiteral(variant.topic!)})`, I3)),
    `${I3}_ => None,`,
    "        }",
  ];
}

/** The event module; `extra` are the comparison traits the event union, unknown events and the envelope derive (derives.ts). */
export function eventModule(variants: readonly EventVariant[], extra: readonly ExtraDerive[] = []): string {
  const lines: string[] = [
    "//! The event union, its unknown case, the envelope and the event helpers.",
    "",
    variants.some((variant) => variant.coalesce !== undefined) ? "use crate::channel::{js_json, topic_text};" : "use crate::channel::topic_text;",
    ...(variants.length > 0 ? ["use crate::types::*;"] : []),
    "use crate::wire::JsonValue;",
    "use serde::{Deserialize, Deserializer, Serialize};",
    "use typeshare::typeshare;",
    "",
    "/// Any event of the catalogue: `type` names event and version, `payload` is that version's",
    "/// payload. A wire type this crate does not know decodes to [`Event::Unknown`].",
    "#[typeshare]",
    deriveLine(["Debug", "Clone"], extra, ["Serialize"]),
    '#[serde(tag = "type", content = "payload")]',
    "pub enum Event {",
  ];
  for (const variant of variants) {
    lines.push(...docs([...(variant.description === undefined ? [] : [variant.description, ""]), `Wire type \`${variant.wireType}\`.`], "    "));
    lines.push(...attribute("serde", [`rename = ${rustString(variant.wireType)}`], "    "), `    ${variant.ident}(${variant.payload}),`);
  }
  lines.push(
    "    /// An event of a wire type this crate does not know (a newer producer): kept as it came.",
    "    #[serde(untagged)]",
    "    #[typeshare(skip)]",
    "    Unknown(UnknownEvent),",
    "}",
    "",
    "/// An event document whose wire type the crate does not know.",
    "#[typeshare]",
    deriveLine(["Debug", "Clone"], extra, ["Serialize", "Deserialize"]),
    "pub struct UnknownEvent {",
    "    /// The wire type as it came, e.g. `session.status.v9`.",
    '    #[serde(rename = "type")]',
    "    pub r#type: String,",
    "    /// The payload as it came; null when it was absent.",
    '    #[serde(default, skip_serializing_if = "JsonValue::is_null")]',
    "    pub payload: JsonValue,",
    "}",
    "",
    "impl<'de> Deserialize<'de> for Event {",
    "    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {",
    "        let UnknownEvent { r#type, payload } = UnknownEvent::deserialize(deserializer)?;",
    "        match r#type.as_str() {",
    ...variants.flatMap((variant) => matchArm(rustString(variant.wireType), `payload_of(&r#type, payload).map(Self::${variant.ident})`, I3)),
    `${I3}_ => Ok(Self::Unknown(UnknownEvent { r#type, payload })),`,
    "        }",
    "    }",
    "}",
    "",
    "/// Decodes the payload of a known wire type with its type's reader, as `Event::from_json_str`",
    "/// does; errors name the wire type.",
    "fn payload_of<T, E>(wire_type: &str, payload: JsonValue) -> Result<T, E>",
    "where",
    "    T: crate::validate::FromJson,",
    "    E: serde::de::Error,",
    "{",
    '    T::from_json(payload).map_err(|error| E::custom(format!("{wire_type}: {error}")))',
    "}",
    "",
    "/// Splits `session.status.v2` into `session.status` and `2`.",
    "fn split_wire_type(wire_type: &str) -> (&str, Option<u32>) {",
    '    match wire_type.rsplit_once(".v") {',
    "        Some((name, version)) if is_digits(version) => (name, version.parse().ok()),",
    "        _ => (wire_type, None),",
    "    }",
    "}",
    "",
    "fn is_digits(text: &str) -> bool {",
    "    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())",
    "}",
    ...LOOKUP,
    "",
    "impl Event {",
    "    /// The wire type, e.g. `session.status.v2`.",
    "    pub fn wire_type(&self) -> &str {",
    ...matchSelf(variants, (variant) => rustString(variant.wireType), "&event.r#type"),
    "    }",
    ...method(
      "The event name: the wire type without its `.v<N>` suffix.",
      "pub fn name(&self) -> &str",
      matchSelf(variants, (variant) => rustString(variant.name), "split_wire_type(&event.r#type).0"),
    ),
    ...method(
      "The version; `None` only for an unknown wire type without a `.v<N>` suffix.",
      "pub fn version(&self) -> Option<u32>",
      matchSelf(variants, (variant) => `Some(${variant.version})`, "split_wire_type(&event.r#type).1"),
    ),
    ...method("The payload as a JSON value.", "pub fn payload_json(&self) -> JsonValue", [
      "        let value = match self {",
      ...variants.flatMap((variant) => matchArm(`Self::${variant.ident}(payload)`, "serde_json::to_value(payload)", I3)),
      `${I3}Self::Unknown(event) => return event.payload.clone(),`,
      "        };",
      "        value.unwrap_or(JsonValue::Null)",
    ]),
    "",
    "    /// The coalesce key: a newer event with the same key replaces an older queued one. It is the",
    "    /// JSON text of `[name, value at each coalesce path…]` (absent values are null) as JavaScript's",
    "    /// `JSON.stringify` writes it (`1`, not `1.0`), so both sides give the same key; `None` when",
    "    /// the event is never coalesced.",
    "    pub fn coalesce_key(&self) -> Option<String> {",
    ...coalesceBody(variants),
    "    }",
    "",
    "    /// The payload path that scopes this event's channel (the catalogue's `topic`), e.g.",
    '    /// `["sessionID"]`; `None` for an event that is never scoped and for unknown events.',
    "    pub fn topic_path(&self) -> Option<&'static [&'static str]> {",
    ...topicPathBody(variants),
    "    }",
    "",
    "    /// The topic: the value at the topic path as text ([`topic_text`]: a string as it is, a",
    "    /// number or boolean as JavaScript writes it). `None` when the event has no topic path, or the",
    "    /// value there is absent, null or not a scalar: the event is then unscoped.",
    "    pub fn topic(&self) -> Option<String> {",
    "        let path = self.topic_path()?;",
    "        lookup(&self.payload_json(), path).and_then(topic_text)",
    "    }",
    "}",
    "",
    "/// One event in transit, with its id, time and channel scope.",
    "#[typeshare]",
    deriveLine(["Debug", "Clone"], extra, ["Serialize", "Deserialize"]),
    "pub struct EventEnvelope {",
    "    /// Unique id of this occurrence; SSE `id:` lines carry it.",
    "    pub id: String,",
    "    /// When it happened, RFC 3339 in UTC.",
    "    pub time: String,",
    "    /// Value of the event's topic path, when it has one.",
    "    #[serde(",
    "        default,",
    '        skip_serializing_if = "Option::is_none",',
    '        deserialize_with = "crate::wire::not_null"',
    "    )]",
    "    pub topic: Option<String>,",
    "    /// The event document.",
    "    pub event: Event,",
    "}",
  );
  return `${lines.join("\n")}\n`;
}
