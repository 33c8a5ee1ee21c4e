/**
 * Event rules: events and versions added, deleted or retired, and the runtime keys of an event
 * (topic, coalesce). Adding is always allowed and reported as information; deleting a published
 * version breaks every reader and producer that still uses it, unless the event lists it as retired;
 * a retired number is never used again.
 */
import type { EventRule } from "../rule.js";
import { isRetired, nextFreeVersion, type RegistryEvent } from "../types.js";

const label = (event: RegistryEvent): string => `"${event.name}"`;

export const EVENT_ADDED: EventRule = {
  id: "EVENT_ADDED",
  family: "event",
  purpose: "A new event was added (always allowed).",
  breaks: [],
  handler(previous, current, context) {
    if (previous || !current) return;
    const versions = current.versions.map((version) => version.version).join(", ");
    context.report({ rule: this.id, message: `Event ${label(current)} was added with version${current.versions.length === 1 ? "" : "s"} ${versions}.`, breaks: [] });
  },
};

export const EVENT_DELETED: EventRule = {
  id: "EVENT_DELETED",
  family: "event",
  purpose: "A published event was deleted.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (!previous || current) return;
    context.report({
      rule: this.id,
      message: `Event ${label(previous)} was deleted; keep its definition, or retire its versions one by one while keeping the latest.`,
      breaks: ["backward", "forward"],
    });
  },
};

export const VERSION_ADDED: EventRule = {
  id: "VERSION_ADDED",
  family: "event",
  purpose: "A new version of an event was added (always allowed).",
  breaks: [],
  handler(previous, current, context) {
    if (!previous || !current) return;
    const published = new Set(previous.versions.map((version) => version.version));
    for (const version of current.versions.filter((v) => !published.has(v.version) && !isRetired(previous, v.version))) {
      context.report({ rule: this.id, version: version.version, message: `Version "${current.name}.v${version.version}" was added.`, breaks: [] });
    }
  },
};

export const VERSION_DELETED: EventRule = {
  id: "VERSION_DELETED",
  family: "event",
  purpose: "A published version was deleted without being listed in the event's `retired`.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (!previous || !current) return;
    const present = new Set(current.versions.map((version) => version.version));
    for (const version of previous.versions) {
      if (present.has(version.version) || isRetired(current, version.version)) continue;
      context.report({
        rule: this.id,
        version: version.version,
        message: `Version "${current.name}.v${version.version}" was deleted; list ${version.version} in the event's "retired" to withdraw it on purpose.`,
        breaks: ["backward", "forward"],
      });
    }
  },
};

export const VERSION_RETIRED: EventRule = {
  id: "VERSION_RETIRED",
  family: "event",
  purpose: "A published version was withdrawn and listed in `retired` (allowed).",
  breaks: [],
  handler(previous, current, context) {
    if (!previous || !current) return;
    const present = new Set(current.versions.map((version) => version.version));
    for (const version of previous.versions) {
      if (present.has(version.version) || !isRetired(current, version.version)) continue;
      context.report({ rule: this.id, version: version.version, message: `Version "${current.name}.v${version.version}" was retired.`, breaks: [] });
    }
  },
};

/**
 * A retired number defined again. Consumers may still hold documents of the retired version and
 * decode them with the schema it had, so the number stays reserved whether or not the event still
 * lists it in `retired`; a new payload takes the next free number.
 */
export const VERSION_REUSED: EventRule = {
  id: "VERSION_REUSED",
  family: "event",
  purpose: "A retired version number was defined again (a retired number stays reserved for good).",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (!previous || !current) return;
    for (const version of current.versions) {
      if (!isRetired(previous, version.version)) continue;
      const next = nextFreeVersion(previous, current);
      context.report({
        rule: this.id,
        version: version.version,
        message: `Version "${current.name}.v${version.version}" was retired and is defined again; a retired version number stays reserved, so publish this payload as version ${next} ("${current.name}.v${next}").`,
        breaks: ["backward", "forward"],
      });
    }
  },
};

export const TOPIC_CHANGED: EventRule = {
  id: "TOPIC_CHANGED",
  family: "event",
  purpose: "The topic path changed: subscribers scoped to a topic see different events.",
  breaks: [],
  severity: "warning",
  handler(previous, current, context) {
    if (!previous || !current || previous.topic === current.topic) return;
    const show = (topic: string | undefined): string => (topic === undefined ? "none" : `"${topic}"`);
    context.report({
      rule: this.id,
      message: `Event ${label(current)} changed its topic from ${show(previous.topic)} to ${show(current.topic)}.`,
      breaks: [],
      warning: true,
    });
  },
};

export const COALESCE_CHANGED: EventRule = {
  id: "COALESCE_CHANGED",
  family: "event",
  purpose: "The coalesce key changed: clients replace queued events by a different key.",
  breaks: [],
  severity: "warning",
  handler(previous, current, context) {
    if (!previous || !current) return;
    const show = (key: string[] | undefined): string => (key === undefined ? "none" : key.length === 0 ? "the event name" : `"${key.join(" + ")}"`);
    if (show(previous.coalesce) === show(current.coalesce)) return;
    context.report({
      rule: this.id,
      message: `Event ${label(current)} changed its coalesce key from ${show(previous.coalesce)} to ${show(current.coalesce)}.`,
      breaks: [],
      warning: true,
    });
  },
};

export const eventRules: EventRule[] = [EVENT_ADDED, EVENT_DELETED, VERSION_ADDED, VERSION_DELETED, VERSION_RETIRED, VERSION_REUSED, TOPIC_CHANGED, COALESCE_CHANGED];
