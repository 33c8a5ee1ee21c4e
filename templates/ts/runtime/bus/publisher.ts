/**
 * The bus's publish path: the payload copied as JSON data and validated (unless `validate: false`),
 * wrapped in an envelope `{ id, time, topic?, event }` and handed to the transport in the caller's
 * turn, so publish order is transport order. What publishing one wire type needs (its channel, its
 * topic path) is looked up once per bus and type; a run of one event and topic builds nothing but
 * the envelope. See bus.ts for the guarantees.
 */
import { isWireId, MAX_ENVELOPE_ID_LENGTH, type EventEnvelope } from "../../wire.js";
import type { AnyEvent, CatalogueBinding, CatalogueShape, EventType } from "../core/binding.js";
import { BusError, describeIssues, messageOf } from "../core/errors.js";
import { acceptedNow, createClock, createIdSource } from "../core/platform.js";
import { NotJsonData, wireCopy } from "../core/wire-copy.js";
import { channelName, type Transport } from "../transports/transport.js";

type Envelope = EventEnvelope<AnyEvent>;

/** What publishing one wire type needs, looked up once per bus and type. */
interface PublishTarget {
  readonly name: string;
  readonly type: string;
  readonly topicPath: readonly string[] | undefined;
  /** The last topic published and its channel, so a run of one topic builds its channel name once. */
  lastTopic: string | undefined;
  lastChannel: string;
}

/** What `publish` takes besides the event name and payload. */
export interface PublishRequest {
  topic?: string;
  version?: number;
  id?: string;
}

export type PublishFunction = (name: string, given: unknown, request?: PublishRequest) => Promise<Envelope>;

export interface PublisherSettings {
  readonly validate: boolean;
  /** Whether any version of an event has a topic path (`scopedEvents`). */
  readonly isScoped: (name: string) => boolean;
}

/** The publish function of a bus over `transport`. */
export function publisherFor<C extends CatalogueShape>(binding: CatalogueBinding<C>, transport: Transport, { validate, isScoped }: PublisherSettings): PublishFunction {
  /** The wire type for `name` at `version` (latest when absent), or undefined when the catalogue has none. */
  const typeOf = (name: string, version: number | undefined): EventType<C> | undefined => {
    if (version === undefined) return binding.latestType(name);
    const type = `${name}.v${version}`;
    return binding.meta(type)?.name === name ? (type as EventType<C>) : undefined;
  };

  // Publish targets: by event name for the latest version, by wire type for a named one.
  const latestTargets = new Map<string, PublishTarget>();
  const versionTargets = new Map<string, PublishTarget>();
  // The last latest-version target, for a run of publishes of one event.
  let recentName: string | undefined;
  let recentTarget: PublishTarget | undefined;
  const publishTarget = (name: string, version: number | undefined): PublishTarget | undefined => {
    if (version === undefined && name === recentName) return recentTarget;
    const cache = version === undefined ? latestTargets : versionTargets;
    const key = version === undefined ? name : `${name}.v${version}`;
    let target = cache.get(key);
    if (target === undefined) {
      const type = typeOf(name, version);
      if (type === undefined) return undefined;
      target = { name, type, topicPath: binding.meta(type)?.topic, lastTopic: undefined, lastChannel: name };
      cache.set(key, target);
    }
    if (version === undefined) {
      recentName = name;
      recentTarget = target;
    }
    return target;
  };
  const channelOf = (target: PublishTarget, topic: string | undefined): string => {
    if (topic === undefined) return target.name;
    if (topic !== target.lastTopic) {
      target.lastChannel = channelName(target.name, topic);
      target.lastTopic = topic;
    }
    return target.lastChannel;
  };
  const nextId = createIdSource();
  const now = createClock();

  const publishFailed = (error: unknown, type: string, channel: string, envelope: Envelope): BusError =>
    error instanceof BusError ? error : new BusError("publish-failed", `Could not publish "${type}" on channel "${channel}": ${messageOf(error)}`, { cause: error, channel, envelope });

  // The hot path: nothing allocated but the envelope, its event, its id and the promise returned, plus what the transport queues and, with validation, the payload's copy (docs/runtime.md, "Performance").
  return (name, given, publishOptions) => {
    const version = publishOptions?.version;
    const target = publishTarget(name, version);
    if (target === undefined) {
      const message = binding.latestType(name) === undefined ? `Unknown event "${name}".` : `Event "${name}" has no version ${String(version)}.`;
      return Promise.reject(new BusError("publish-invalid", `Did not publish: ${message}`));
    }
    const type = target.type;
    const explicitTopic = publishOptions?.topic;
    if (explicitTopic !== undefined && !isScoped(name)) {
      return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}" with topic "${explicitTopic}": the event has no topic path, so it is never scoped.`));
    }
    const givenId = publishOptions?.id;
    if (givenId !== undefined && !isWireId(givenId)) {
      const refused: unknown = givenId;
      const shown = typeof refused === "string" ? JSON.stringify(refused.length > 64 ? `${refused.slice(0, 64)}…` : refused) : `a ${typeof refused}`;
      return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}" with envelope id ${shown}: an envelope id is 1 to ${MAX_ENVELOPE_ID_LENGTH} visible ASCII characters, no space.`));
    }
    let payload = given;
    if (validate) {
      const copied = wireCopy(given);
      if (copied instanceof NotJsonData) {
        const issues = [{ path: copied.path, message: copied.message }];
        return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}": the payload is not plain JSON data: ${describeIssues(issues)}`, { issues }));
      }
      payload = copied;
      const issues = binding.validatePayload(type as EventType<C>, payload);
      if (issues.length > 0) return Promise.reject(new BusError("publish-invalid", `Did not publish "${type}": invalid payload: ${describeIssues(issues)}`, { issues }));
    }
    const topic = explicitTopic ?? topicAt(target.topicPath, payload);
    const event: AnyEvent = { type, payload };
    const id = givenId ?? nextId();
    const envelope: Envelope = topic === undefined ? { id, time: now(), event } : { id, time: now(), topic, event };
    const channel = channelOf(target, topic);
    let sent: Promise<void>;
    try {
      // Handed to the transport in the caller's turn: publish order is transport order.
      sent = transport.publish(channel, envelope);
    } catch (error) {
      return Promise.reject(publishFailed(error, type, channel, envelope));
    }
    if (sent === acceptedNow) return Promise.resolve(envelope);
    return sent.then(
      () => envelope,
      (error: unknown) => {
        throw publishFailed(error, type, channel, envelope);
      },
    );
  };
}

/** The envelope topic at `path` in `payload`: a string as is, a number or boolean as its JSON text; otherwise none. */
export function topicAt(path: readonly string[] | undefined, payload: unknown): string | undefined {
  if (path === undefined) return undefined;
  let value: unknown = payload;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  return undefined;
}
