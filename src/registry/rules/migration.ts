/**
 * Migration rules: a published version's migrations are part of its contract. A consumer that
 * reads the latest version receives older events through them, so changing or removing the
 * upgrade (or downgrade) recorded for a published version changes what it receives without any
 * schema changing: that breaks every reader in both directions. Declaring one where none was
 * recorded is allowed. With `registry.migrations: "expected"`, a new version that declares no
 * upgrade from the version before it is a warning.
 */
import { canonicalJson } from "../../ir/canonical.js";
import type { EventRule } from "../rule.js";
import { isRetired, type RegistryVersion } from "../types.js";

const DIRECTIONS = ["upgrade", "downgrade"] as const;

const from = (direction: (typeof DIRECTIONS)[number], version: number): string =>
  direction === "upgrade" ? `from version ${version - 1}` : `to version ${version - 1}`;

export const MIGRATION_CHANGED: EventRule = {
  id: "MIGRATION_CHANGED",
  family: "migration",
  purpose: "The upgrade or downgrade recorded for a published version was changed or removed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (!previous || !current) return;
    for (const locked of previous.versions) {
      const now = current.versions.find((version) => version.version === locked.version);
      if (now === undefined) continue;
      for (const direction of DIRECTIONS) {
        const before = locked[direction];
        if (before === undefined) continue;
        const after = now[direction];
        if (after !== undefined && canonicalJson(after) === canonicalJson(before)) continue;
        const what = after === undefined ? "was removed" : "was changed";
        context.report({
          rule: this.id,
          version: locked.version,
          message: `The ${direction} of "${current.name}.v${locked.version}" (${from(direction, locked.version)}) ${what}; ${direction === "upgrade" ? "consumers of the latest version receive older events" : `consumers pinned to version ${locked.version - 1} receive newer events`} through it: restore it, or publish the new migration with a new version.`,
          breaks: ["backward", "forward"],
        });
      }
    }
  },
};

export const MIGRATION_ADDED: EventRule = {
  id: "MIGRATION_ADDED",
  family: "migration",
  purpose: "An upgrade or downgrade was declared for a published version that recorded none (allowed).",
  breaks: [],
  handler(previous, current, context) {
    if (!previous || !current) return;
    for (const locked of previous.versions) {
      const now = current.versions.find((version) => version.version === locked.version);
      for (const direction of DIRECTIONS) {
        if (now?.[direction] === undefined || locked[direction] !== undefined) continue;
        context.report({ rule: this.id, version: locked.version, message: `${direction === "upgrade" ? "An" : "A"} ${direction} was declared for "${current.name}.v${locked.version}" (${from(direction, locked.version)}).`, breaks: [] });
      }
    }
  },
};

export const MIGRATION_MISSING: EventRule = {
  id: "MIGRATION_MISSING",
  family: "migration",
  purpose: 'A new version declares no upgrade from the version before it (a warning with `registry.migrations: "expected"`).',
  breaks: [],
  severity: "warning",
  handler(previous, current, context) {
    if (!current || !context.expectMigrations) return;
    const published = (version: number): boolean => previous?.versions.some((entry) => entry.version === version) === true || (previous !== undefined && isRetired(previous, version));
    const byNumber = new Map<number, RegistryVersion>(current.versions.map((version) => [version.version, version]));
    for (const version of current.versions) {
      if (published(version.version) || !byNumber.has(version.version - 1) || version.upgrade !== undefined) continue;
      context.report({
        rule: this.id,
        version: version.version,
        message: `Version "${current.name}.v${version.version}" declares no upgrade from version ${version.version - 1}; consumers of the latest version cannot receive version ${version.version - 1} events: declare one under "migrations" (docs/migrations.md).`,
        breaks: [],
        warning: true,
      });
    }
  },
};

export const migrationRules: EventRule[] = [MIGRATION_CHANGED, MIGRATION_ADDED, MIGRATION_MISSING];
