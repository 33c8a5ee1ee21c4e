/**
 * Channels and operations of the AsyncAPI document: one channel per event name, whose address is
 * the channel the runtime publishes it on (docs/wire-format.md, "Channels"), and per channel the
 * application's operations on it.
 *
 * Address: `<name>` for an event without a topic path; `<name>:{<parameter>}` for one with, the
 * parameter standing for the envelope's `topic`. An envelope of a scoped event whose topic value
 * is absent travels on `<name>`, which the parameter's description says (AsyncAPI gives a channel
 * one address). The application's namespace prefix (the transport's `prefix`, `""` by default) is
 * a deployment setting the catalogue does not know, and is not part of the address.
 *
 * What AsyncAPI has no field for is said in `x-eventc-*` extensions, each true of the catalogue
 * whatever the runtime is configured with:
 * - `x-eventc-topic-path`: the payload path (field wire names) whose value scopes the channel;
 * - `x-eventc-coalesce-key`: the payload paths whose values identify one state snapshot (`[]`: one
 *   key per event name); absent when the event is never coalesced;
 * - `x-eventc-replay`: how a stream client catches up — `resume: "last-event-id"` (a reconnecting
 *   SSE or WebSocket client names the last id it saw and gets every envelope after it, or a `gap`
 *   frame; never a silent skip), and `snapshot`: `"latest-per-coalesce-key"` when a late joiner's
 *   snapshot carries this event (it has a coalesce key: it is state), `"none"` when not.
 *
 * Keys and references are derived from the catalogue's text here too: each key is made to fit the
 * grammar AsyncAPI 3.0 gives it, and every reference is a JSON Pointer with its segments escaped.
 */
import type { AsyncApiConfig } from "../../authoring.js";
import type { EventDef, JsonSchema } from "../../ir/types.js";
import type { MessageEntry } from "./messages.js";

/** A character AsyncAPI does not allow in a component, channel or operation key. */
const OUTSIDE_COMPONENT_KEY = /[^A-Za-z0-9._-]/gu;

/** A character AsyncAPI does not allow in a parameter name (nor a dot). */
const OUTSIDE_PARAMETER_NAME = /[^A-Za-z0-9_-]/gu;

/**
 * The key of an event's channel or a version's message: the event name or wire type with any
 * character outside `[A-Za-z0-9._-]` as `_`. The loader's event-name grammar (dot-separated
 * segments of lower-case letters, digits, `_` and `-`) makes this the name itself, which is what
 * readers link to (`asyncapi.json#/components/messages/session.status.v2`); the mapping keeps the
 * document valid should that grammar ever widen.
 */
export function componentKey(text: string): string {
  return text.replace(OUTSIDE_COMPONENT_KEY, "_");
}

/**
 * Keys for `texts`, in their order: each text's `componentKey`, and should two texts ever map to
 * one key, the later one with `_2`, `_3`, … appended — a document never loses a channel or a
 * message to another's key.
 */
export function claimKeys(texts: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const keys = new Map<string, string>();
  for (const text of texts) {
    const base = componentKey(text);
    let key = base;
    for (let suffix = 2; taken.has(key); suffix++) key = `${base}_${suffix}`;
    taken.add(key);
    keys.set(text, key);
  }
  return keys;
}

/**
 * The name of the parameter standing for a topic in a channel address: the topic path as written
 * (`info.id`) with every character outside `[A-Za-z0-9_-]`, its dots included, as `_` (`info_id`).
 * A channel has one topic at most, so the name never meets another.
 */
export function topicParameterName(path: readonly string[]): string {
  return path.join(".").replace(OUTSIDE_PARAMETER_NAME, "_");
}

/** A local reference (`#/a/b`), each segment escaped as RFC 6901 asks (`~` → `~0`, `/` → `~1`). */
export function pointer(...segments: string[]): string {
  return `#/${segments.map((segment) => segment.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;
}

/**
 * An object keyed by derived keys, built without prototype, so that a key such as `constructor`
 * or `__proto__` is an own member like any other. Keys are added in the order given (the IR's).
 */
export function keyed<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const object = Object.create(null) as Record<string, V>;
  for (const [key, value] of entries) object[key] = value;
  return object;
}

/** Reference to a message by its key under `components.messages`. */
export function messageRef(key: string): JsonSchema {
  return { $ref: pointer("components", "messages", key) };
}

/** The operations the application performs on every channel. */
export type OperationsMode = NonNullable<AsyncApiConfig["operations"]>;

/** An event with the keys the document gives it and its messages. */
export interface ChannelEntry {
  event: EventDef;
  /** Key under `channels`. */
  key: string;
  /** Every version, defined and retired, with its key under `components.messages`. */
  messages: { entry: MessageEntry; key: string }[];
}

/** Runtime expression of the envelope's `topic`, as the headers of the envelope trait describe it. */
const TOPIC_LOCATION = "$message.header#/topic";

/** The channel of one event: its address, the topic parameter, its defined versions' messages, the extensions. */
export function eventChannel(channel: ChannelEntry): JsonSchema {
  const { event } = channel;
  const result: JsonSchema = { address: event.name, title: event.name };
  if (event.description !== undefined) result.description = event.description;
  if (event.topic !== undefined) {
    const parameter = topicParameterName(event.topic);
    result.address = `${event.name}:{${parameter}}`;
    result.parameters = keyed([
      [
        parameter,
        {
          description: `The envelope's topic: by default the payload's value at "${event.topic.join(".")}", as text. An envelope without a topic travels on "${event.name}".`,
          location: TOPIC_LOCATION,
        },
      ],
    ]);
  }
  result.messages = keyed(current(channel).map(({ key }) => [key, messageRef(key)] as const));
  if (event.topic !== undefined) result["x-eventc-topic-path"] = [...event.topic];
  if (event.coalesce !== undefined) result["x-eventc-coalesce-key"] = event.coalesce.map((path) => [...path]);
  result["x-eventc-replay"] = { resume: "last-event-id", snapshot: event.coalesce !== undefined ? "latest-per-coalesce-key" : "none" };
  return result;
}

/**
 * The application's operations on one channel, keyed `<channel key>.send` and `<channel key>.receive`
 * (unique: channel keys are, and the action is the last segment). Each lists the channel's
 * messages — the defined versions; a retired one is neither sent nor received.
 */
export function channelOperations(channel: ChannelEntry, mode: OperationsMode): [string, JsonSchema][] {
  const actions = mode === "both" ? (["send", "receive"] as const) : ([mode] as const);
  return actions.map((action) => [
    `${channel.key}.${action}`,
    {
      action,
      channel: { $ref: pointer("channels", channel.key) },
      title: `${action === "send" ? "Send" : "Receive"} ${channel.event.name}`,
      messages: current(channel).map(({ key }) => ({ $ref: pointer("channels", channel.key, "messages", key) })),
    },
  ]);
}

function current(channel: ChannelEntry): { entry: MessageEntry; key: string }[] {
  return channel.messages.filter(({ entry }) => entry.defined !== undefined);
}
