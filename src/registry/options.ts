/**
 * Settings shared by the registry commands: mode, reader policy, output format, each from a flag
 * or the config, validated with a usage error (exit 2) that lists the choices.
 */
import type { RegistryConfig } from "../authoring.js";
import { COMPATIBILITY_MODES } from "../config.js";
import { EventcError } from "../errors.js";
import { FORMATS, type Format } from "./report.js";
import { POLICIES, type CompatibilityMode, type Policy } from "./types.js";

export const DEFAULT_MODE: CompatibilityMode = "full";

function choose<T extends string>(value: string, choices: readonly T[], flag: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new EventcError(`${flag} "${value}" is not one of: ${choices.join(", ")}`);
}

export function parseMode(value: string): CompatibilityMode {
  return choose(value, COMPATIBILITY_MODES, "--mode");
}

export function parsePolicy(value: string): Policy {
  return choose(value, POLICIES, "--policy");
}

export function parseFormat(value: string): Format {
  return choose(value, FORMATS, "--format");
}

/**
 * The mode of each event: the config's per-event entry, else `--mode`, else the config's `mode`,
 * else `full`.
 */
export function modeResolver(config: RegistryConfig, flag: string | undefined): (event: string) => CompatibilityMode {
  const fallback = flag !== undefined ? parseMode(flag) : (config.mode ?? DEFAULT_MODE);
  // A Map, not the config object: an event named "constructor" must not find Object.prototype's.
  const perEvent = new Map(Object.entries(config.events ?? {}));
  return (event) => perEvent.get(event) ?? fallback;
}

/**
 * The modes a comparison ran with, for the summary line: `full mode`, then one entry per other
 * mode that some of `events` have of their own (`forward for "session.status"`).
 */
export function describeModes(config: RegistryConfig, flag: string | undefined, events: Iterable<string>): string[] {
  const modeFor = modeResolver(config, flag);
  const fallback = flag !== undefined ? parseMode(flag) : (config.mode ?? DEFAULT_MODE);
  const byMode = new Map<CompatibilityMode, string[]>();
  for (const event of [...new Set(events)].sort()) {
    const mode = modeFor(event);
    if (mode !== fallback) byMode.set(mode, [...(byMode.get(mode) ?? []), `"${event}"`]);
  }
  const overrides = [...byMode].map(([mode, names]) => `${mode} for ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`}`);
  return [`${fallback} mode`, ...overrides];
}
