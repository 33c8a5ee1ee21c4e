/**
 * The `typescript` target: an ESM SDK of the catalogue.
 *   types.ts      named types, payload and event types, the `Event` union and lookup types
 *   catalogue.ts  metadata table, dispatch by wire type, parseEvent/parseEnvelope, type guards
 *   validate.ts   per event version and named type: a generated boolean check and its shape
 *   shape.ts      the one checker that lists a payload's issues from its shape (copied from templates/ts/shape.ts)
 *   standard.ts   Standard Schema v1 objects (with Standard JSON Schema) per version, Event, envelope;
 *                 imported on its own (index.ts does not re-export it)
 *   wire.ts       wire types and validation helpers (copied from templates/ts/wire.ts)
 *   migrations.ts the declared migrations compiled, when there are any (migrations-file.ts), over
 *   migrate.ts    the operations they call (copied from templates/ts/migrate.ts)
 *   index.ts      re-exports
 *   package.json  `{"type": "module"}`
 * Relative imports carry `.js`, so the SDK compiles under `nodenext` and `bundler` resolution.
 */
import { readFileSync } from "node:fs";
import type { Catalogue } from "../../ir/types.js";
import { templatePath } from "../../templates.js";
import { GENERATED_NOTICE, type OutputFile, type Target } from "../target.js";
import { catalogueFile } from "./catalogue-file.js";
import { hasMigrations, migrationsFile } from "./migrations-file.js";
import { TypeScriptNames } from "./names.js";
import { TypeWriter } from "./type-expression.js";
import { typesFile } from "./types-file.js";
import { standardFile } from "./standard-file.js";
import { payloadCheckerName, validatorsFile } from "./validators-file.js";

const HEADER = `// ${GENERATED_NOTICE}\n\n`;

/**
 * The directive that keeps a project's compiler from checking the SDK's implementation files
 * (catalogue, validators, Standard Schemas, the checker, the wire helpers): their volume grows with
 * the catalogue, and checking code the user cannot change cost more than checking their own
 * schemas. The compiler still reads each export's declared type; `types.ts` and `index.ts`, the
 * declarations users read, are checked as usual. eventc's own tests type-check every file in full
 * (the directive removed) under TypeScript 5.9 and 7 with the strictest flags.
 */
export const UNCHECKED_DIRECTIVE =
  "// @ts-nocheck — implementation, type-checked in full by eventc's own tests; a project's compiler reads only the declared types of its exports.\n";

const UNCHECKED_HEADER = `// ${GENERATED_NOTICE}\n${UNCHECKED_DIRECTIVE}\n`;

/**
 * The package.json beside the generated TypeScript (ts/ and runtime/): it makes its files ES
 * modules whatever the host project's package.json says. Without it, a project of `"type":
 * "commonjs"` (what `npm init` writes) reads them as CommonJS, which their `import` statements are
 * not: `tsc` refuses them under `verbatimModuleSyntax` and Node cannot run their output. With it, a
 * CommonJS program loads them with `require()` (Node 20.19+, 22.12+) or `import()`.
 */
export const ES_MODULE_PACKAGE = `${JSON.stringify({ type: "module" }, null, 2)}\n`;

let wireTemplate: string | undefined;
let migrateTemplate: string | undefined;
let shapeTemplate: string | undefined;

export function emitTypeScript(catalogue: Catalogue): OutputFile[] {
  const names = new TypeScriptNames(catalogue);
  wireTemplate ??= readFileSync(templatePath("ts/wire.ts"), "utf8");
  shapeTemplate ??= readFileSync(templatePath("ts/shape.ts"), "utf8");
  const publicCheckers = catalogue.events.flatMap((event) => event.versions.map((version) => payloadCheckerName(names, event, version))).sort();
  const index = [
    'export * from "./types.js";',
    'export * from "./catalogue.js";',
    `export { ${publicCheckers.join(", ")} } from "./validate.js";`,
    'export { ENVELOPE_TIME, MAX_ISSUES, coalesceKeyOf, type EnvelopeParseResult, type EventParseResult, type MigrationResult, type PayloadCheck, type UnknownEvent, type ValidationIssue } from "./wire.js";',
    "",
  ].join("\n");
  const files: OutputFile[] = [
    { path: "types.ts", contents: HEADER + typesFile(catalogue, names, new TypeWriter(names)) },
    { path: "catalogue.ts", contents: UNCHECKED_HEADER + catalogueFile(catalogue, names) },
    { path: "validate.ts", contents: UNCHECKED_HEADER + validatorsFile(catalogue, names) },
    { path: "standard.ts", contents: UNCHECKED_HEADER + standardFile(catalogue, names) },
    { path: "shape.ts", contents: UNCHECKED_HEADER + shapeTemplate },
    { path: "wire.ts", contents: UNCHECKED_HEADER + wireTemplate },
    { path: "index.ts", contents: HEADER + index },
    { path: "package.json", contents: ES_MODULE_PACKAGE },
  ];
  if (hasMigrations(catalogue)) {
    migrateTemplate ??= readFileSync(templatePath("ts/migrate.ts"), "utf8");
    files.push({ path: "migrations.ts", contents: UNCHECKED_HEADER + migrationsFile(catalogue) }, { path: "migrate.ts", contents: UNCHECKED_HEADER + migrateTemplate });
  }
  return files;
}

export const typeScriptTarget: Target = {
  id: "typescript",
  description: "TypeScript SDK: types, the Event union, metadata, validators and type guards",
  folder: "ts",
  emit: emitTypeScript,
};
