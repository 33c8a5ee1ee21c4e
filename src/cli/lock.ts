/** `eventc lock`: record the catalogue in the lockfile, refusing breaking changes to published versions. */
import { existsSync } from "node:fs";
import { loadCatalogue } from "../load/catalogue.js";
import { compareRegistries, registryFromCatalogue, versionHints } from "../registry/check.js";
import { nextLock, readLockfile, writeLockfile } from "../registry/lockfile.js";
import { printRegistryReport } from "./colour.js";
import { addLines, display, readDeep, registrySettings, type CheckFlags } from "./check.js";

export interface LockFlags extends Omit<CheckFlags, "against"> {
  force?: boolean;
}

export async function lockCommand(flags: LockFlags): Promise<number> {
  const settings = await registrySettings(flags);
  const current = registryFromCatalogue(await loadCatalogue({ schemasDir: settings.config.schemasDir }));
  // With --force, hashes that no longer match their schemas (a lockfile edited by hand) are recomputed.
  const rehash = flags.force === true ? { rehash: true, onRehash: (message: string) => void process.stderr.write(`eventc: warning: ${message}\n`) } : {};
  const previous = existsSync(settings.lockFile) ? await readDeep(() => readLockfile(settings.lockFile, display(settings.lockFile), rehash), display(settings.lockFile)) : undefined;
  const shown = display(settings.lockFile);
  if (previous !== undefined) {
    const result = compareRegistries(previous, current, { policy: settings.policy, modeFor: settings.modeFor, expectMigrations: settings.config.registry.migrations === "expected" });
    if (!result.compatible && !flags.force) {
      await addLines(result, current);
      const hints = versionHints(result.findings, current, previous);
      const against = `${display(settings.config.schemasDir)} against ${shown}`;
      printRegistryReport({ result, policy: settings.policy, hints, against, modes: settings.modes(previous, current), verbose: flags.verbose === true }, settings.format);
      process.stderr.write(`eventc: ${shown} was not updated: the changes above break published versions (use --force to record them anyway).\n`);
      return 1;
    }
  }
  const written = writeLockfile(settings.lockFile, nextLock(previous, current));
  const versions = current.events.reduce((sum, event) => sum + event.versions.length, 0);
  const summary = `${current.events.length} event${current.events.length === 1 ? "" : "s"}, ${versions} version${versions === 1 ? "" : "s"}`;
  if (settings.format === "json") process.stdout.write(`${JSON.stringify({ lockfile: shown, written, events: current.events.length, versions })}\n`);
  else process.stdout.write(written ? `${shown}: recorded ${summary}.\n` : `${shown} is up to date (${summary}).\n`);
  return 0;
}
