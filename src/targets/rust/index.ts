/**
 * The `rust` target: a cargo crate of serde types for the catalogue.
 *   Cargo.toml      serde, serde_json, serde_repr, typeshare
 *   typeshare.toml  how typeshare-cli maps `JsonValue` (any JSON) in each language
 *   src/lib.rs      crate docs and re-exports
 *   src/types.rs    named types, payload structs and the inline types they declare
 *   src/channel.rs  envelopes on pub/sub channels as the TypeScript runtime has them: build, name, read
 *   src/event.rs    `Event` (adjacently tagged, with an explicit unknown case), `EventEnvelope`, helpers
 *   src/validate.rs `Validate` for every type (bounds, lengths, patterns, …), `decode`, `from_json_str`
 *   src/wire.rs     `JsonValue` and the serde helpers the types use
 * The crate builds, passes `cargo clippy -- -D warnings`, `cargo fmt --check` and `cargo doc`
 * warning-free. Types typeshare cannot carry faithfully are given a stand-in and reported by
 * `warnings()`.
 */
import type { Catalogue } from "../../ir/types.js";
import { GENERATED_NOTICE, type OutputFile, type Target, type TargetOptions } from "../target.js";
import { channelModule } from "./channel-module.js";
import { eventModule, eventVariants } from "./event-module.js";
import { docLines, Lowering } from "./lower.js";
import { pascalCase } from "./names.js";
import { imports, renderItem } from "./render.js";
import { derivesByItem, eventDerives, type ExtraDerive } from "./derives.js";
import { cargoToml, libModule, typeshareToml, wireModule } from "./crate-files.js";
import { migrateModule } from "./migrate-module.js";
import { validateModule } from "./validate-module.js";

/** Default crate name. */
export const CRATE_NAME = "eventc-events";

const HEADER = `// ${GENERATED_NOTICE}\n\n`;

const payloadName = (event: string, version: number): string => `${pascalCase(event)}V${version}`;

/** Lowers the whole catalogue; throws an EventcError on given names that cannot be told apart. */
function lowerCatalogue(catalogue: Catalogue): Lowering {
  const payloads = catalogue.events.flatMap((event) =>
    event.versions.map((version) => ({
      name: payloadName(event.name, version.version),
      owner: { label: `the payload of "${version.wireType}"`, file: event.source.file, context: { event: event.name, version: version.version, file: event.source.file } },
    })),
  );
  const lowering = new Lowering(catalogue, payloads);
  for (const type of catalogue.types) lowering.namedType(type);
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const name = payloadName(event.name, version.version);
      const docs = docLines(event.description, version.payload.description);
      docs.push(...(docs.length > 0 ? [""] : []), `Payload of \`${version.wireType}\`.`);
      lowering.declare(name, version.payload, docs, {
        prefix: name,
        owner: `the payload of "${version.wireType}"`,
        indirect: false,
        context: { event: event.name, version: version.version, file: event.source.file, path: "" },
      });
    }
  }
  lowering.namespace.finish();
  return lowering;
}

/** The crate's settings from the config (`rust` in eventc.config.ts); each has a default. */
export interface CrateOptions {
  name?: string;
  version?: string;
  /** Comparison and hashing traits every type derives where its fields allow (derives.ts). Default none. */
  derives?: readonly ExtraDerive[];
}

export function emitRust(catalogue: Catalogue, options: CrateOptions = {}): OutputFile[] {
  const { name: crateName = CRATE_NAME, version: crateVersion, derives: wanted = [] } = options;
  const lowering = lowerCatalogue(catalogue);
  const byItem = derivesByItem(lowering.items, wanted);
  const body = lowering.items.map((item) => renderItem(item, byItem.get(item.name))).join("\n\n");
  const variants = eventVariants(catalogue, payloadName);
  const types = ["//! Named types, event payloads and the types declared inside them.\n//!\n//! Each type derives `Serialize`; its `Deserialize` is implemented in `validate.rs` through the\n//! type's reader, the one `Event::from_json_str` uses.", "", ...imports(body), "", body, ""].join("\n");
  return [
    { path: "Cargo.toml", contents: cargoToml(crateName, crateVersion) },
    { path: "typeshare.toml", contents: typeshareToml() },
    { path: "src/lib.rs", contents: HEADER + libModule(crateName) },
    { path: "src/channel.rs", contents: HEADER + channelModule() },
    { path: "src/types.rs", contents: HEADER + types },
    { path: "src/event.rs", contents: HEADER + eventModule(variants, eventDerives(byItem, variants.map((variant) => variant.payload), wanted)) },
    { path: "src/validate.rs", contents: HEADER + validateModule(lowering.items, variants) },
    { path: "src/wire.rs", contents: HEADER + wireModule() },
    { path: "src/migrate.rs", contents: HEADER + migrateModule(catalogue) },
  ];
}

/**
 * Every type typeshare cannot carry faithfully, one line each, in declaration order, then one line
 * that says what they mean for the user: nothing, unless they run typeshare.
 */
export function rustWarnings(catalogue: Catalogue): string[] {
  const warnings = lowerCatalogue(catalogue).warnings.map((warning) => `typeshare: "${warning.type}": ${warning.reason}.`);
  if (warnings.length === 0) return [];
  const these = warnings.length === 1 ? "this type" : `these ${warnings.length} types`;
  const meaning = `typeshare: the Rust crate and the TypeScript SDK carry ${these} exactly; only the code typeshare-cli writes from the crate (Swift, Kotlin, …) is less exact. Nothing to do unless you use typeshare; --quiet hides warnings.`;
  return [...warnings, meaning];
}

export const rustTarget: Target = {
  id: "rust",
  description: "Rust crate: serde structs and enums, the adjacently tagged Event enum, envelope and helpers",
  folder: "rust",
  emit: (catalogue, options?: TargetOptions) => emitRust(catalogue, { ...options?.crate, ...(options?.derives === undefined ? {} : { derives: options.derives }) }),
  warnings: rustWarnings,
};
