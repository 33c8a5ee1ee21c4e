/**
 * The registry check: a catalogue as a Registry, and the comparison of a previous Registry (a
 * lockfile, a git ref, a file) with a current one into findings with severities and verdicts.
 */
import { createHash } from "node:crypto";
import { canonicalJson, sortKeys } from "../ir/canonical.js";
import type { Catalogue, JsonSchema } from "../ir/types.js";
import { versionSchema } from "../targets/jsonschema/schema.js";
import { COMPATIBILITY_MODES } from "../config.js";
import { eventRules, migrationRules } from "./rules/index.js";
import {
  isTransitive,
  modeDirections,
  nextFreeVersion,
  type CompatibilityMode,
  type Finding,
  type Policy,
  type RawFinding,
  type Registry,
  type RegistryEvent,
  type RegistryVersion,
} from "./types.js";
import { compareSchemas, withinStack } from "./walk.js";
import { EventcError } from "../errors.js";
import { SchemaInputError, type Doc } from "./model/schema.js";

/** `sha256:<hex>` of a schema's canonical JSON. */
export function schemaHash(schema: JsonSchema): string {
  return `sha256:${createHash("sha256").update(canonicalJson(schema)).digest("hex")}`;
}

/** The catalogue as the registry records it: every version's JSON Schema, keys sorted, hashed. */
export function registryFromCatalogue(catalogue: Catalogue): Registry {
  return {
    events: catalogue.events.map((event) => {
      const entry: RegistryEvent = {
        name: event.name,
        retired: event.retired.map((version) => ({ version, history: [] })),
        source: event.source,
        versions: event.versions.map((version): RegistryVersion => {
          const schema = sortKeys(versionSchema(version, catalogue, event.description)) as JsonSchema;
          const entry: RegistryVersion = { version: version.version, schema, hash: schemaHash(schema), history: [] };
          if (version.upgrade !== undefined) entry.upgrade = sortKeys(version.upgrade) as unknown[];
          if (version.downgrade !== undefined) entry.downgrade = sortKeys(version.downgrade) as unknown[];
          return entry;
        }),
      };
      if (event.description !== undefined) entry.description = event.description;
      if (event.topic !== undefined) entry.topic = event.topic.join(".");
      if (event.coalesce !== undefined) entry.coalesce = event.coalesce.map((key) => key.join("."));
      return entry;
    }),
  };
}

export interface CompareOptions {
  policy: Policy;
  /** `registry.migrations: "expected"`: report a new version without an upgrade (a warning). */
  expectMigrations?: boolean;
  /** The mode each event is checked with. */
  modeFor(event: string): CompatibilityMode;
}

export interface CheckResult {
  findings: Finding[];
  /** Per mode: true when no finding breaks a direction that mode enforces (as if every event used it). */
  verdicts: Record<CompatibilityMode, boolean>;
  /** True when no finding is an error under each event's own mode. */
  compatible: boolean;
}

const DIRECTION_ORDER = { backward: 0, forward: 1 } as const;

/** Compares two registries. Findings are sorted by event, version, path and rule. */
export function compareRegistries(previous: Registry, current: Registry, options: CompareOptions): CheckResult {
  const findings: Finding[] = [];
  const previousByName = new Map(previous.events.map((event) => [event.name, event]));
  const currentByName = new Map(current.events.map((event) => [event.name, event]));
  const names = [...new Set([...previousByName.keys(), ...currentByName.keys()])].sort();
  for (const name of names) {
    const before = previousByName.get(name);
    const after = currentByName.get(name);
    const mode = options.modeFor(name);
    const add = (raw: RawFinding, version: number | null, transitive: boolean): void => {
      findings.push(toFinding(raw, { event: name, version, transitive, mode, source: (after ?? before)!.source }));
    };
    for (const rule of [...eventRules, ...migrationRules]) {
      rule.handler(before, after, { report: (raw) => add(raw, raw.version ?? null, false), expectMigrations: options.expectMigrations === true });
    }
    if (!before || !after) continue;
    for (const version of before.versions) {
      const match = after.versions.find((candidate) => candidate.version === version.version);
      if (!match) continue;
      const subject = `${name}.v${version.version}`;
      const files = { previous: previous.origin ?? before.source?.file, current: current.origin ?? after.source?.file };
      const compare = (earlier: JsonSchema, later: JsonSchema): RawFinding[] =>
        namingInput(files, { event: name, version: version.version }, () => compareSchemas(earlier, later, { policy: options.policy, subject }));
      const seen = new Set<string>();
      if (match.hash !== version.hash) {
        for (const raw of compare(version.schema, match.schema)) {
          seen.add(`${raw.rule} ${raw.path} ${raw.message}`);
          add(raw, version.version, false);
        }
      }
      for (const earlier of version.history) {
        if (earlier.hash === match.hash) continue;
        for (const raw of compare(earlier.schema, match.schema)) {
          const key = `${raw.rule} ${raw.path} ${raw.message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          add(raw, version.version, true);
        }
      }
    }
  }
  findings.sort(
    (a, b) =>
      compareText(a.event, b.event) || (a.version ?? 0) - (b.version ?? 0) || compareText(a.path, b.path) || compareText(a.rule, b.rule) || compareText(a.message, b.message),
  );
  return withVerdicts(findings);
}

/**
 * Runs a comparison, giving an input error in one of the two documents the file (and event and
 * version) that holds it.
 */
export function namingInput<T>(files: { [side in Doc]?: string | undefined }, where: { event?: string; version?: number }, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof SchemaInputError)) throw error;
    const file = files[error.side];
    throw new EventcError(error.message, { ...(file !== undefined ? { file } : {}), ...where });
  }
}

/**
 * Compares two standalone JSON Schemas (e.g. two files given to `eventc diff`); `label` names them
 * in messages, `files` (when given) in input errors.
 */
export function compareRawSchemas(
  previous: JsonSchema,
  current: JsonSchema,
  options: { policy: Policy; mode: CompatibilityMode; label: string; files?: Record<Doc, string> },
): CheckResult {
  // Equal documents are compatible whatever they hold, as equal hashes are for registries.
  if (withinStack(options.label, () => canonicalJson(previous) === canonicalJson(current))) return withVerdicts([]);
  const compared = namingInput(options.files ?? {}, {}, () => compareSchemas(previous, current, { policy: options.policy, subject: options.label }));
  const findings = compared.map((raw) =>
    toFinding(raw, { event: options.label, version: null, transitive: false, mode: options.mode, source: undefined }),
  );
  findings.sort((a, b) => compareText(a.path, b.path) || compareText(a.rule, b.rule) || compareText(a.message, b.message));
  return withVerdicts(findings);
}

function withVerdicts(findings: Finding[]): CheckResult {
  const verdicts = Object.fromEntries(COMPATIBILITY_MODES.map((mode) => [mode, findings.every((finding) => !breaksMode(finding, mode))])) as Record<
    CompatibilityMode,
    boolean
  >;
  return { findings, verdicts, compatible: findings.every((finding) => finding.severity !== "error") };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a finding breaks a direction `mode` enforces (history findings count for transitive modes only). */
export function breaksMode(finding: Pick<Finding, "breaks" | "transitive">, mode: CompatibilityMode): boolean {
  if (finding.transitive && !isTransitive(mode)) return false;
  const enforced = modeDirections(mode);
  return finding.breaks.some((direction) => enforced.includes(direction));
}

function toFinding(
  raw: RawFinding,
  where: { event: string; version: number | null; transitive: boolean; mode: CompatibilityMode; source: RegistryEvent["source"] },
): Finding {
  const breaks = [...raw.breaks].sort((a, b) => DIRECTION_ORDER[a] - DIRECTION_ORDER[b]);
  const finding: Finding = {
    rule: raw.rule,
    severity: "info",
    event: where.event,
    version: where.version,
    path: raw.path ?? "",
    message: raw.message,
    breaks,
    transitive: where.transitive,
    mode: where.mode,
  };
  if (breaksMode(finding, where.mode)) finding.severity = "error";
  else if (raw.warning) finding.severity = "warning";
  if (where.source) finding.file = where.source.file;
  return finding;
}

/**
 * The wire types that need a new version: one hint per published version with an error, naming
 * the next number free in both registries (retired numbers are never free again).
 */
export function versionHints(findings: Finding[], current: Registry, previous?: Registry): string[] {
  const hints: string[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    if (finding.severity !== "error" || finding.version === null || finding.rule === "VERSION_DELETED" || finding.rule === "VERSION_REUSED") continue;
    const key = `${finding.event}.v${finding.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const find = (registry: Registry | undefined) => registry?.events.find((candidate) => candidate.name === finding.event);
    const next = nextFreeVersion(find(current), find(previous));
    hints.push(
      `"${key}" is published: restore version ${finding.version} as it was and publish the change as version ${next} ("${finding.event}.v${next}") instead.`,
    );
  }
  return hints;
}
