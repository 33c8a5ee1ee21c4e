/**
 * Envelopes at the latest version of their event, for every consumer that asks for it
 * (`version: "latest"`: a bus subscription or stream, the live clients, the coalescer).
 *
 * Contract: the envelope keeps its id, time and topic, and only its event changes — to the event the
 * binding's `upgradeEvent` returns; an envelope already at the latest version is handed on as the
 * same object, and the envelope given is never changed (other consumers may hold it). An event with
 * a step that declares no migration is never handed on as the latest type: it is reported as
 * `upgrade-unavailable` and the consumer drops it.
 *
 * Small on purpose: the SSE client carries it into browser bundles.
 */
import type { EventEnvelope, MigrationResult } from "../../wire.js";
import type { AnyEvent } from "./binding.js";
import { BusError, describeIssues } from "./errors.js";

/** What `version: "latest"` reads of the catalogue: the binding's (the SDK's) `upgradeEvent`. */
export interface EventUpgrader<L extends AnyEvent> {
  /** Called only with events of the catalogue, already read and validated. */
  upgradeEvent(event: AnyEvent): MigrationResult<L>;
}

/** `binding`, checked as a consumer with `version: "latest"` is made: a binding without `upgradeEvent` is refused then, not at the first event. */
export function upgraderOf<L extends AnyEvent>(binding: Partial<EventUpgrader<L>>): EventUpgrader<L> {
  if (typeof binding.upgradeEvent !== "function") throw new TypeError('version "latest" needs binding.upgradeEvent');
  return binding as EventUpgrader<L>;
}

/**
 * `envelope` with its event at the latest version of its event, or undefined once `report` was told
 * why not — the issue names the step without a migration (see the top of this file).
 */
export function upgradeEnvelope<L extends AnyEvent>(upgrader: EventUpgrader<L>, envelope: EventEnvelope<AnyEvent>, report: (error: BusError) => void): EventEnvelope<L> | undefined {
  const { event } = envelope;
  const result = upgrader.upgradeEvent(event);
  if (result.kind === "event") return result.event === event ? (envelope as EventEnvelope<L>) : { ...envelope, event: result.event };
  report(new BusError("upgrade-unavailable", `Dropped "${event.type}" (envelope ${envelope.id}): ${describeIssues(result.issues)}`, { issues: result.issues, envelope }));
  return undefined;
}
