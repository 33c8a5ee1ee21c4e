/**
 * What the docs site shows, computed once for the whole catalogue before any page is rendered:
 * each event's domain, lock state, channel, type names, example payloads, links, and the diff of
 * every pair of consecutive versions. Renderers read this model only; nothing here is HTML.
 *
 * The diffs are the registry's own: every pair of consecutive versions (v1 → v2, v2 → v3, …) of
 * every event goes through one `compareRegistries` call, as if the later version had been locked
 * with the earlier version's schema and then changed to its own. So a diff shows exactly the rule
 * ids, sentences and severities `eventc check` prints for such a change, under the event's own
 * compatibility mode, and each mode's verdict is `breaksMode` over the pair's findings.
 */
import { COMPATIBILITY_MODES } from "../config.js";
import { EventcError } from "../errors.js";
import { VectorBuilder } from "../conformance/vectors.js";
import type { Catalogue, EventDef, EventVersion, NamedType, TypeNode } from "../ir/types.js";
import { breaksMode, compareRegistries, registryFromCatalogue } from "../registry/check.js";
import type { CompatibilityMode, Finding, Policy, Registry, RegistryEvent, RegistryVersion } from "../registry/types.js";
import { pascalCase as rustPascalCase } from "../targets/rust/names.js";
import { TypeScriptNames } from "../targets/typescript/names.js";
import { jsonPointerSegment } from "./escape.js";

/** Reader policy of the diffs: the gate's default, the wire rule of generated readers. */
export const DIFF_POLICY: Policy = "tolerant";

/** Where a version stands in the lockfile. */
export type LockState = "published" | "unpublished" | "retired";

export interface VersionLock {
  state: LockState;
  /** Why, in a few words: `locked in eventc.lock.json`, `changed since it was locked`, … */
  detail: string;
}

export interface VersionModel {
  version: EventVersion;
  lock: VersionLock;
  typescript: { payload: string; event: string; guard: string };
  rust: { payload: string };
  /**
   * A valid payload as pretty JSON — the conformance vectors' maximal one (every optional field,
   * values at their upper bounds), or their minimal one when that is too long to read — or why
   * none could be made.
   */
  example: { json: string; form: "maximal" | "minimal" } | { error: string };
  /** Site path of the version's JSON Schema. */
  schemaFile: string;
  /** The AsyncAPI message of the version, when the site holds an AsyncAPI document with it. */
  asyncapiMessage?: { file: string; pointer: string };
}

/** The registry's comparison of two consecutive versions. */
export interface VersionDiff {
  from: number;
  to: number;
  /** The findings `eventc check` reports for the change, in its order. */
  findings: Finding[];
  /** Per mode: true when no finding breaks a direction that mode enforces. */
  verdicts: Array<{ mode: CompatibilityMode; compatible: boolean }>;
  /** The two JSON Schemas are the same document (the comparer had nothing to compare). */
  identical: boolean;
}

export interface EventModel {
  def: EventDef;
  /** First segment of the name. */
  domain: string;
  /** Site path of the event's page. */
  page: string;
  /** The compatibility mode the event is checked with (config `registry`). */
  mode: CompatibilityMode;
  /** The pub/sub channel: `<name>`, or `<name>:{<topic path>}` for a scoped event. */
  channel: string;
  typescript: { union: string; guard: string };
  versions: VersionModel[];
  retired: Array<{ version: number; lock: VersionLock }>;
  diffs: VersionDiff[];
  /** Named types the event's payloads use, directly or through other named types, by name. */
  namedTypes: NamedType[];
}

export interface DomainModel {
  name: string;
  events: EventModel[];
}

export interface SiteModel {
  events: EventModel[];
  domains: DomainModel[];
  /** The lockfile the states come from: its name for display, and whether it was found. */
  lockfile: { display: string; found: boolean };
  policy: Policy;
}

export interface SiteInput {
  catalogue: Catalogue;
  /** The lockfile's registry (undefined: no lockfile) and its name for display. */
  lockfile: { registry: Registry | undefined; display: string };
  /** The mode each event is checked with. */
  modeFor(event: string): CompatibilityMode;
  /** Wire types with a message in the AsyncAPI document copied into the site, and its site path. */
  asyncapi?: { file: string; messages: ReadonlySet<string> };
}

/** Site folders; the writer owns them (stale files in them are removed). `index.html` is the only file outside. */
export const SITE_FOLDERS = { events: "events", jsonschema: "jsonschema", asyncapi: "asyncapi", assets: "assets" } as const;
export const INDEX_PAGE = "index.html";
export const STYLESHEET = `${SITE_FOLDERS.assets}/site.css`;

/** An event name as the catalogue allows it (src/load/catalogue.ts): safe as a file name as it is. */
const EVENT_NAME = /^[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)*$/;

/** The page of an event. A name the catalogue would have refused never becomes a path. */
export function eventPage(name: string): string {
  if (!EVENT_NAME.test(name)) throw new EventcError(`invalid event name: it cannot name a page of the docs site`, { event: name });
  return `${SITE_FOLDERS.events}/${name}.html`;
}
export const schemaFile = (wireType: string): string => `${SITE_FOLDERS.jsonschema}/${wireType}.json`;

/** Element ids on an event page. */
export const versionAnchor = (version: number): string => `v${version}`;
export const diffAnchor = (from: number, to: number): string => `diff-v${from}-v${to}`;

/** An example payload larger than this (as JSON text) is shown in its minimal form instead. */
const EXAMPLE_LIMIT = 2_000;

export function buildSiteModel(input: SiteInput): SiteModel {
  const { catalogue } = input;
  const registry = registryFromCatalogue(catalogue);
  const diffs = consecutiveDiffs(registry, input.modeFor);
  const typescript = new TypeScriptNames(catalogue);
  const samples = new VectorBuilder(catalogue);
  const locked = new Map((input.lockfile.registry?.events ?? []).map((event) => [event.name, event]));
  const reach = new NamedTypeReach(catalogue);
  const lockName = input.lockfile.display;

  const events = catalogue.events.map((def, index): EventModel => {
    const current = registry.events[index]!;
    const lockEvent = locked.get(def.name);
    const versions = def.versions.map((version, at): VersionModel => {
      const model: VersionModel = {
        version,
        lock: versionLock(current.versions[at]!, lockEvent, input.lockfile.registry !== undefined, lockName),
        typescript: { payload: typescript.payload(def, version), event: typescript.eventVersion(def, version), guard: typescript.versionGuard(def, version) },
        // The Rust target names a payload `<PascalCase name>V<n>` with its own case rule (rust/index.ts).
        rust: { payload: `${rustPascalCase(def.name)}V${version.version}` },
        example: example(samples, version.payload),
        schemaFile: schemaFile(version.wireType),
      };
      if (input.asyncapi?.messages.has(version.wireType)) {
        model.asyncapiMessage = { file: input.asyncapi.file, pointer: `/components/messages/${jsonPointerSegment(version.wireType)}` };
      }
      return model;
    });
    return {
      def,
      domain: def.name.split(".")[0]!,
      page: eventPage(def.name),
      mode: input.modeFor(def.name),
      channel: def.topic === undefined ? def.name : `${def.name}:{${def.topic.join(".")}}`,
      typescript: { union: typescript.eventUnion(def), guard: typescript.nameGuard(def) },
      versions,
      retired: def.retired.map((version) => ({ version, lock: { state: "retired", detail: "retired on purpose; its number stays reserved" } })),
      diffs: diffs.get(def.name) ?? [],
      namedTypes: reach.forEvent(def),
    };
  });

  const domains = new Map<string, EventModel[]>();
  for (const event of events) {
    const members = domains.get(event.domain);
    if (members === undefined) domains.set(event.domain, [event]);
    else members.push(event);
  }
  return {
    events,
    domains: [...domains].map(([name, members]) => ({ name, events: members })),
    lockfile: { display: lockName, found: input.lockfile.registry !== undefined },
    policy: DIFF_POLICY,
  };
}

function versionLock(current: RegistryVersion, locked: RegistryEvent | undefined, haveLockfile: boolean, lockName: string): VersionLock {
  if (!haveLockfile) return { state: "unpublished", detail: `no lockfile (${lockName})` };
  const entry = locked?.versions.find((candidate) => candidate.version === current.version);
  if (entry === undefined) return { state: "unpublished", detail: `not in ${lockName}` };
  if (entry.hash !== current.hash) return { state: "unpublished", detail: `changed since it was locked in ${lockName}` };
  return { state: "published", detail: `locked in ${lockName}` };
}

/**
 * Every consecutive pair of every event, compared in one `compareRegistries` call: the previous
 * registry records each later version with its predecessor's schema, the current one with its own.
 * Both sides list the same version numbers, retired numbers, topic and coalesce key, so the event
 * rules find nothing and every finding is about the payload.
 */
export function consecutiveDiffs(registry: Registry, modeFor: (event: string) => CompatibilityMode): Map<string, VersionDiff[]> {
  const previous: Registry = { events: [] };
  const current: Registry = { events: [] };
  const compared: RegistryEvent[] = [];
  for (const event of registry.events) {
    if (event.versions.length < 2) continue;
    // Schemas only: a version's migrations are compared by `eventc check` against the lockfile, not between versions.
    const schemaOf = ({ version, schema, hash }: RegistryVersion): RegistryVersion => ({ version, schema, hash, history: [] });
    const later = event.versions.slice(1).map(schemaOf);
    const earlier = event.versions.slice(0, -1).map((version, index): RegistryVersion => ({ ...schemaOf(version), version: later[index]!.version }));
    previous.events.push({ ...event, versions: earlier });
    current.events.push({ ...event, versions: later });
    compared.push(event);
  }
  const result = compareRegistries(previous, current, { policy: DIFF_POLICY, modeFor });
  const byPair = new Map<string, Finding[]>();
  for (const finding of result.findings) {
    const key = `${finding.event} ${finding.version}`;
    const list = byPair.get(key);
    if (list === undefined) byPair.set(key, [finding]);
    else list.push(finding);
  }
  const diffs = new Map<string, VersionDiff[]>();
  for (const event of compared) {
    const pairs = event.versions.slice(1).map((later, index): VersionDiff => {
      const earlier = event.versions[index]!;
      const findings = byPair.get(`${event.name} ${later.version}`) ?? [];
      return {
        from: earlier.version,
        to: later.version,
        findings,
        verdicts: COMPATIBILITY_MODES.map((mode) => ({ mode, compatible: findings.every((finding) => !breaksMode(finding, mode)) })),
        identical: earlier.hash === later.hash,
      };
    });
    diffs.set(event.name, pairs);
  }
  return diffs;
}

/** The largest valid payload the conformance vectors make (every optional field), or the smallest when that is too long to read. */
function example(samples: VectorBuilder, payload: TypeNode): VersionModel["example"] {
  try {
    const maximal = JSON.stringify(samples.value(payload, "maximal"), null, 2);
    if (maximal.length <= EXAMPLE_LIMIT) return { json: maximal, form: "maximal" };
    return { json: JSON.stringify(samples.value(payload, "minimal"), null, 2), form: "minimal" };
  } catch (error) {
    // A pattern none of the sample strings matches: the page says so rather than failing.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Which named types each node reaches through references; each named type is walked once. */
class NamedTypeReach {
  private readonly named: Map<string, NamedType>;
  private readonly direct = new Map<string, string[]>();

  constructor(catalogue: Catalogue) {
    this.named = new Map(catalogue.types.map((type) => [type.name, type]));
    for (const type of catalogue.types) this.direct.set(type.name, refsOf(type.type));
  }

  /** The named types `event`'s payloads use, sorted by name as the catalogue sorts them. */
  forEvent(event: EventDef): NamedType[] {
    const seen = new Set<string>();
    const pending = event.versions.flatMap((version) => refsOf(version.payload));
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      pending.push(...(this.direct.get(name) ?? []));
    }
    return [...seen].sort().flatMap((name) => this.named.get(name) ?? []);
  }
}

/** Names of the named types `node` refers to directly (not through another named type). */
function refsOf(node: TypeNode, into: string[] = []): string[] {
  switch (node.kind) {
    case "ref":
      into.push(node.name);
      break;
    case "array":
      refsOf(node.items, into);
      break;
    case "tuple":
      for (const item of node.items) refsOf(item, into);
      if (node.rest) refsOf(node.rest, into);
      break;
    case "record":
      refsOf(node.values, into);
      break;
    case "object":
      for (const field of node.fields) refsOf(field.type, into);
      if (typeof node.additional === "object") refsOf(node.additional, into);
      break;
    case "union":
      for (const member of node.members) refsOf(member, into);
      break;
    case "nullable":
      refsOf(node.inner, into);
      break;
    default:
      break;
  }
  return into;
}
