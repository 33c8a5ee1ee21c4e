/**
 * The registry's model: what is compared (a Registry — events, versions and their normalized JSON
 * Schemas, from a lockfile, a catalogue or a git ref), what a comparison reports (Findings), and
 * the vocabulary of compatibility (directions, modes, reader policy).
 *
 * Directions follow the schema-registry convention. For a previous schema P and a current one C:
 * - `backward`: every document valid under P is valid under C (new readers read old data);
 * - `forward`: every document valid under C is valid under P (old readers read new data).
 * A mode is a set of directions to enforce; `-transitive` modes also enforce them against every
 * earlier schema a version has been locked with (the lockfile's `history`).
 */
import type { CompatibilityMode } from "../authoring.js";
import type { JsonSchema, SourceLocation } from "../ir/types.js";

export type { CompatibilityMode };
export type Direction = "backward" | "forward";

/**
 * How documents are read. `tolerant` (the wire rule of generated readers): an object that does not
 * reject unknown fields is read ignoring them, and producers only send the fields they declare — so
 * adding or deleting an optional field is compatible. `strict`: JSON Schema applied literally, an
 * open object may carry any extra field with any value.
 */
export type Policy = "tolerant" | "strict";
export const POLICIES: readonly Policy[] = ["tolerant", "strict"];

export type Severity = "error" | "warning" | "info";

/** The directions a mode enforces. */
export function modeDirections(mode: CompatibilityMode): Direction[] {
  if (mode.startsWith("backward")) return ["backward"];
  if (mode.startsWith("forward")) return ["forward"];
  if (mode.startsWith("full")) return ["backward", "forward"];
  return [];
}

export function isTransitive(mode: CompatibilityMode): boolean {
  return mode.endsWith("-transitive");
}

/** A schema a published version was locked with before its current one. */
export interface HistoryEntry {
  hash: string;
  schema: JsonSchema;
}

export interface RegistryVersion {
  version: number;
  /** Normalized JSON Schema of the payload (the `jsonschema` target's document, keys sorted). */
  schema: JsonSchema;
  /** `sha256:<hex>` of the schema's canonical JSON. */
  hash: string;
  /** Earlier schemas of this version, oldest first (compatible rewrites recorded by `eventc lock`). */
  history: HistoryEntry[];
  /** The compiled steps from the version before (src/ir/types.ts `MigrationStep`), when declared. */
  upgrade?: unknown[];
  /** The compiled steps back to the version before, when declared. */
  downgrade?: unknown[];
}

/**
 * A version withdrawn on purpose. Its number stays reserved for good: consumers may still hold
 * documents of that version and decode them with the schema it had. The lockfile keeps that schema;
 * a catalogue (or a lockfile written before lockfile version 2) only knows the number.
 */
export interface RetiredVersion {
  version: number;
  /** What the version was when it was retired, when recorded. */
  hash?: string;
  schema?: JsonSchema;
  /** Earlier schemas of the version, as for a published one. */
  history: HistoryEntry[];
}

export interface RegistryEvent {
  name: string;
  description?: string;
  /** Dot-separated payload path. */
  topic?: string;
  /** Dot-separated payload paths; `[]` = one key per event name. */
  coalesce?: string[];
  /** Retired versions ascending. */
  retired: RetiredVersion[];
  /** Versions ascending. */
  versions: RegistryVersion[];
  /** Where the event is defined, when it comes from schema modules. */
  source?: SourceLocation;
}

/** Whether `version` of `event` is retired. */
export function isRetired(event: RegistryEvent, version: number): boolean {
  return event.retired.some((retired) => retired.version === version);
}

/**
 * The next version number free in both registries: above every published and every retired
 * number either side knows (a retired number is never free again).
 */
export function nextFreeVersion(...events: Array<RegistryEvent | undefined>): number {
  const numbers = events.flatMap((event) => [...(event?.versions ?? []), ...(event?.retired ?? [])].map((entry) => entry.version));
  return Math.max(0, ...numbers) + 1;
}

/** A comparable catalogue: events sorted by name. */
export interface Registry {
  events: RegistryEvent[];
  /** The lockfile it was read from, named in input errors about its schemas (else each event's module). */
  origin?: string;
}

/** One difference found by a rule. */
export interface Finding {
  /** Rule id, e.g. `FIELD_DELETED`. */
  rule: string;
  /** `error`: breaks a direction the event's mode enforces. `warning`: runtime semantics changed. */
  severity: Severity;
  event: string;
  /** The event version compared, or null for event-level findings and raw schema files. */
  version: number | null;
  /**
   * JSON Pointer into the payload document; `*` stands for any array item or map key. For
   * UNSUPPORTED_KEYWORD, the pointer to the keyword in the JSON Schema document.
   */
  path: string;
  message: string;
  /** Directions this change breaks under the policy in force (empty: compatible either way). */
  breaks: Direction[];
  /** True when found against an earlier schema of the version (counts for `-transitive` modes only). */
  transitive: boolean;
  /** The mode the event was checked with. */
  mode: CompatibilityMode;
  /** Schema module of the event, when known. */
  file?: string;
  /** Where in it: the field the finding is about, else its version's entry, else the `defineEvent` call (1-based). */
  line?: number;
  column?: number;
}

/** A finding as a rule reports it, before severity and mode are applied. */
export interface RawFinding {
  rule: string;
  message: string;
  breaks: Direction[];
  path?: string;
  warning?: boolean;
}

/** The record of one rule: what `eventc rules` lists and what the docs describe. */
export interface RuleInfo {
  id: string;
  /** Rule family: the file under src/registry/rules/ it lives in. */
  family: string;
  /** One line: what the rule detects. */
  purpose: string;
  /** The directions this rule can break (which ones a finding breaks depends on policy and shape). */
  breaks: readonly Direction[];
  /** `warning` for rules that never break compatibility but change runtime behaviour. */
  severity?: "warning";
}
