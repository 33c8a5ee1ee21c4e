/**
 * The catalogue's migrations proven (src/migration/verify.ts) once every event and named type is
 * read, and their compiled steps set on the versions they produce. Loaded only when some event
 * declares a migration.
 */
import { EventcError } from "../errors.js";
import type { Catalogue, EventDef, MigrationStep } from "../ir/types.js";
import type { NamedMigrations } from "../migration/read.js";
import { proveMigration } from "../migration/verify.js";

/** What one event declared, read and not yet proven. */
export interface DeclaredMigrations {
  event: EventDef;
  steps: Map<number, { upgrade: MigrationStep[]; downgrade?: MigrationStep[] }>;
  context: { file: string; line?: number };
}

/** Proves each declared migration; sets `upgrade`/`downgrade` on the versions; returns the problems. */
export function proveMigrations(catalogue: Catalogue, declared: readonly DeclaredMigrations[], named: NamedMigrations): EventcError[] {
  const errors: EventcError[] = [];
  const lookup = (id: string) => named.get(id);
  for (const { event, steps, context } of declared) {
    for (const [version, { upgrade, downgrade }] of [...steps].sort(([a], [b]) => a - b)) {
      const target = event.versions.find((candidate) => candidate.version === version)!;
      const source = event.versions.find((candidate) => candidate.version === version - 1)!;
      const directions: ["upgrade" | "downgrade", MigrationStep[] | undefined][] = [
        ["upgrade", upgrade],
        ["downgrade", downgrade],
      ];
      for (const [direction, declaredSteps] of directions) {
        if (declaredSteps === undefined) continue;
        const [from, to] = direction === "upgrade" ? [source, target] : [target, source];
        const proof = proveMigration(from.payload, to.payload, declaredSteps, catalogue.types, lookup, `${from.wireType} → ${to.wireType}`);
        if ("problems" in proof) {
          for (const problem of proof.problems) {
            errors.push(
              new EventcError(`migration ${direction} v${from.version} → v${to.version} refused: ${problem.message}`, {
                ...context,
                event: event.name,
                version,
                ...(problem.path === undefined ? {} : { path: problem.path }),
              }),
            );
          }
          continue;
        }
        if (direction === "upgrade") target.upgrade = proof.steps;
        else target.downgrade = proof.steps;
      }
    }
  }
  return errors;
}
