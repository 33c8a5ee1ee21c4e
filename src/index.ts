/**
 * The package entry: the authoring API for schema modules and `eventc.config.ts`, and the
 * programmatic API (load a catalogue, emit targets, write outputs).
 */
export { defineConfig, defineEvent, isEventDefinition, type EventDefinition, type EventOptions, type EventcConfig, type RuntimeConfig } from "./authoring.js";
export { EventcError } from "./errors.js";
export {
  namedMigration,
  type EventMigrations,
  type MigrationJson,
  type MigrationScalar,
  type MigrationStepInput,
  type NamedMigration,
  type VersionMigration,
} from "./authoring.js";
export type * from "./ir/types.js";
export { loadCatalogue, type LoadOptions } from "./load/catalogue.js";
export { checkGenerated, emitTargets, generate, type GenerateOptions } from "./generate.js";
export { targets, targetIds } from "./targets/index.js";
export type { OutputFile, PackageNeed, Target, TargetOptions } from "./targets/target.js";
