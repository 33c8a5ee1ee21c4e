/** `eventc check`: the registry gate — compare the catalogue with the lockfile or a git ref. */
import path from "node:path";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import { EventcError } from "../errors.js";
import { loadCatalogue } from "../load/catalogue.js";
import { compareRegistries, registryFromCatalogue, versionHints, type CheckResult } from "../registry/check.js";
import { loadCatalogueAtRef } from "../registry/git.js";
import { LOCKFILE, readLockfile } from "../registry/lockfile.js";
import { describeModes, modeResolver, parseFormat, parsePolicy } from "../registry/options.js";
import type { Format } from "../registry/report.js";
import { printRegistryReport } from "./colour.js";
import { locateFindings } from "../registry/source-lines.js";
import type { Policy, Registry } from "../registry/types.js";

export interface CheckFlags {
  schemas?: string;
  config?: string;
  lock?: string;
  against?: string;
  mode?: string;
  policy?: string;
  format?: string;
  verbose?: boolean;
}

export interface RegistrySettings {
  config: ResolvedConfig;
  lockFile: string;
  format: Format;
  policy: Policy;
  modeFor: ReturnType<typeof modeResolver>;
  /** The modes of the summary line, for the events of two registries. */
  modes(...registries: Registry[]): string[];
}

/** Flags and config of `check` and `lock`, validated before anything is loaded. */
export async function registrySettings(flags: CheckFlags): Promise<RegistrySettings> {
  if (flags.against !== undefined && flags.lock !== undefined) {
    throw new EventcError("--against compares with the schemas at a git ref and --lock with a lockfile; give one of them");
  }
  const format = parseFormat(flags.format ?? "text");
  const policy = parsePolicy(flags.policy ?? "tolerant");
  const cwd = process.cwd();
  const config = await resolveConfig(cwd, {
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.schemas !== undefined ? { schemas: flags.schemas } : {}),
  });
  const base = config.file !== undefined ? path.dirname(config.file) : cwd;
  const lockFile = flags.lock !== undefined ? path.resolve(cwd, flags.lock) : path.join(base, LOCKFILE);
  const modes = (...registries: Registry[]): string[] => describeModes(config.registry, flags.mode, registries.flatMap((registry) => registry.events.map((event) => event.name)));
  return { config, lockFile, format, policy, modeFor: modeResolver(config.registry, flags.mode), modes };
}

export const display = (file: string): string => path.relative(process.cwd(), file).split(path.sep).join("/") || file;

/**
 * Reads an input (a lockfile, a JSON Schema), turning a stack overflow on a document nested too
 * deeply into an input error that names it. (The readers recurse; a depth limit of their own would
 * give a more precise message.)
 */
export async function readDeep<T>(read: () => T | Promise<T>, file: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new EventcError("nested too deeply to read (a schema thousands of levels deep)", { file });
    }
    throw error;
  }
}

/** Adds the line and column of what each finding is about in its schema module; `current` gives each event's export. */
export async function addLines(result: CheckResult, current: Registry): Promise<void> {
  await locateFindings(result.findings, process.cwd(), current);
}

export async function checkCommand(flags: CheckFlags): Promise<number> {
  const settings = await registrySettings(flags);
  let previous: Registry;
  let against: string;
  // The ref first: a ref or a folder --against cannot use is reported before anything else is loaded.
  if (flags.against !== undefined) {
    const atRef = await loadCatalogueAtRef(flags.against, settings.config.schemasDir, process.cwd());
    against = `${display(settings.config.schemasDir)} against git ref "${flags.against}"`;
    if (atRef === undefined) {
      // The first pull request that adopts eventc: nothing was published at the base, so nothing can break.
      if (settings.format !== "json") {
        process.stdout.write(`info    The schemas folder "${display(settings.config.schemasDir)}" does not exist at git ref "${flags.against}": nothing was published there, so nothing can break.\n`);
      }
      previous = { events: [] };
    } else previous = registryFromCatalogue(atRef);
  } else {
    previous = await readDeep(() => readLockfile(settings.lockFile, display(settings.lockFile)), display(settings.lockFile));
    against = `${display(settings.config.schemasDir)} against ${display(settings.lockFile)}`;
  }
  const current = registryFromCatalogue(await loadCatalogue({ schemasDir: settings.config.schemasDir }));
  const result = compareRegistries(previous, current, { policy: settings.policy, modeFor: settings.modeFor, expectMigrations: settings.config.registry.migrations === "expected" });
  await addLines(result, current);
  const hints = versionHints(result.findings, current, previous);
  printRegistryReport({ result, policy: settings.policy, hints, against, modes: settings.modes(previous, current), verbose: flags.verbose === true }, settings.format);
  return result.compatible ? 0 : 1;
}
