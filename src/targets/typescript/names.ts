/**
 * TypeScript identifiers for the catalogue. Each event version gets a payload type
 * (`SessionStatusV2`) and an event type (`SessionStatusV2Event`); each event name a union
 * (`SessionStatusEvent`) and a guard (`isSessionStatus`); each named type keeps its id when that is
 * a valid identifier. Any two things that would share a name are reported, never silently renamed.
 */
import { EventcError, throwIfAny } from "../../errors.js";
import type { Catalogue, EventDef, EventVersion } from "../../ir/types.js";
import { tsString } from "./escape.js";

/**
 * Names the SDK itself declares or uses where named types are declared (types.ts, and index.ts,
 * which re-exports every module); a catalogue type may not take them.
 */
const SDK_NAMES = [
  "Event",
  "EventType",
  "EventName",
  "EventOf",
  "EventOfName",
  "EventsByName",
  "EventsByType",
  "PayloadOf",
  "LatestTypes",
  "LatestPayload",
  "EventEnvelope",
  "EventMeta",
  "UnknownEvent",
  "ValidationIssue",
  "PayloadCheck",
  "EventParseResult",
  "EnvelopeParseResult",
  // types.ts: the import alias and the standard types its declarations use.
  "WireEnvelope",
  "Array",
  "Record",
  "Extract",
  // Values of catalogue.ts and wire.ts that index.ts re-exports beside the types.
  "eventMeta",
  "eventTypes",
  "eventNames",
  "latestTypes",
  "payloadCheckOf",
  "payloadChecks",
  "isEventType",
  "parseEvent",
  "parseEnvelope",
  "validatePayload",
  "isEvent",
  "isEventOfType",
  "isEventOfName",
  "eventName",
  "eventVersion",
  "coalesceKey",
  "latestEvent",
  "ENVELOPE_TIME",
  "MAX_ISSUES",
  "coalesceKeyOf",
];

const RESERVED = new Set(
  (
    "any unknown never object string number boolean symbol bigint undefined null void this " +
    "break case catch class const continue debugger default delete do else enum export extends false finally for function " +
    "if import in instanceof new return super switch throw true try typeof var while with implements interface let package " +
    "private protected public static yield await type keyof readonly infer is asserts"
  ).split(" "),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `installation.update-available` → `InstallationUpdateAvailable`. */
/** Names already converted: every event name is asked for once per version and per file. */
const pascalNames = new Map<string, string>();

export function pascalCase(text: string): string {
  let name = pascalNames.get(text);
  if (name === undefined) {
    name = text
      .split(/[^A-Za-z0-9]+/)
      .filter((part) => part !== "")
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join("");
    if (pascalNames.size < 100_000) pascalNames.set(text, name);
  }
  return name;
}

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text) && !RESERVED.has(text);
}

/** A property key as TypeScript source: bare when it is an ASCII identifier name, a string literal otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : tsString(name);
}

export class TypeScriptNames {
  private readonly named = new Map<string, string>();

  constructor(catalogue: Catalogue) {
    type Context = { event?: string; version?: number; file?: string };
    const owners = new Map<string, { owner: string; context: Context }>();
    const errors: EventcError[] = [];
    const claim = (identifier: string, owner: string, context: Context = {}): void => {
      const earlier = owners.get(identifier);
      if (earlier !== undefined) {
        // Named types carry no location of their own: point at the event side of the clash.
        const where = context.event !== undefined ? context : earlier.context;
        errors.push(new EventcError(`the TypeScript name "${identifier}" would be used by both ${earlier.owner} and ${owner}; rename one of them`, where));
      } else owners.set(identifier, { owner, context });
    };
    for (const sdkName of SDK_NAMES) owners.set(sdkName, { owner: "the SDK itself", context: {} });
    for (const event of catalogue.events) {
      const context = { event: event.name, file: event.source.file };
      claim(this.eventUnion(event), `event "${event.name}"`, context);
      claim(this.nameGuard(event), `event "${event.name}"`, context);
      for (const version of event.versions) {
        const versionContext = { ...context, version: version.version };
        claim(this.payload(event, version), `event "${event.name}" v${version.version}`, versionContext);
        claim(this.eventVersion(event, version), `event "${event.name}" v${version.version}`, versionContext);
        claim(this.versionGuard(event, version), `event "${event.name}" v${version.version}`, versionContext);
      }
    }
    for (const type of catalogue.types) {
      const identifier = isIdentifier(type.name) ? type.name : pascalCase(type.name);
      if (!isIdentifier(identifier)) {
        errors.push(new EventcError(`named type id "${type.name}" cannot be made a TypeScript identifier; choose another id`));
        continue;
      }
      this.named.set(type.name, identifier);
      claim(identifier, `named type "${type.name}"`);
    }
    throwIfAny(errors);
  }

  namedType(name: string): string {
    return this.named.get(name)!;
  }

  payload(event: EventDef, version: EventVersion): string {
    return `${pascalCase(event.name)}V${version.version}`;
  }

  eventVersion(event: EventDef, version: EventVersion): string {
    return `${pascalCase(event.name)}V${version.version}Event`;
  }

  eventUnion(event: EventDef): string {
    return `${pascalCase(event.name)}Event`;
  }

  nameGuard(event: EventDef): string {
    return `is${pascalCase(event.name)}`;
  }

  versionGuard(event: EventDef, version: EventVersion): string {
    return `is${pascalCase(event.name)}V${version.version}`;
  }
}
