/**
 * The `typescript` target: an ESM SDK of the catalogue.
 *   types.ts      named types, payload and event types, the `Event` union and lookup types
 *   catalogue.ts  metadata table, validator shapes, parseEvent/parseEnvelope, type guards
 *   wire.ts       the validator and wire types (copied from templates/ts/wire.ts)
 *   index.ts      re-exports
 * Relative imports carry `.js`, so the SDK compiles under `nodenext` and `bundler` resolution.
 */
import { readFileSync } from "node:fs";
import { IndentationText, NewLineKind, Project, QuoteKind, type StatementStructures } from "ts-morph";
import type { Catalogue } from "../../ir/types.js";
import { templatePath } from "../../templates.js";
import { GENERATED_NOTICE, type OutputFile, type Target } from "../target.js";
import { catalogueFile } from "./catalogue-file.js";
import { TypeScriptNames } from "./names.js";
import { TypeWriter } from "./type-expression.js";
import { typesFile } from "./types-file.js";

const HEADER = `// ${GENERATED_NOTICE}\n\n`;

let wireTemplate: string | undefined;

function print(project: Project, path: string, statements: StatementStructures[]): string {
  const file = project.createSourceFile(path, { statements }, { overwrite: true });
  // The structure printer indents nested type literals relative to where it started them; the
  // formatter settles every line to its real depth.
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
  return HEADER + separateStatements(file.getFullText());
}

/** One blank line between top-level declarations (the printer leaves type aliases touching). */
function separateStatements(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    const startsDeclaration = /^(?:\/\*\*|export |import |function |const |type |interface )/.test(line);
    const afterDocOrImport = previous === undefined || previous === "" || /^(?:\/\*\*|\s\*|import )/.test(previous);
    if (startsDeclaration && !afterDocOrImport && !(line.startsWith("import ") && previous?.startsWith("import "))) out.push("");
    out.push(line);
  }
  return out.join("\n");
}

export function emitTypeScript(catalogue: Catalogue): OutputFile[] {
  const names = new TypeScriptNames(catalogue);
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Double,
      newLineKind: NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  });
  wireTemplate ??= readFileSync(templatePath("ts/wire.ts"), "utf8");
  const index = [
    'export * from "./types.js";',
    'export * from "./catalogue.js";',
    'export { ENVELOPE_TIME, check, type EnvelopeParseResult, type EventParseResult, type WireField, type ValidationIssue, type WireShape, type WireShapes, type UnknownEvent } from "./wire.js";',
    "",
  ].join("\n");
  return [
    { path: "types.ts", contents: print(project, "types.ts", typesFile(catalogue, names, new TypeWriter(names))) },
    { path: "catalogue.ts", contents: print(project, "catalogue.ts", catalogueFile(catalogue, names)) },
    { path: "wire.ts", contents: HEADER + wireTemplate },
    { path: "index.ts", contents: HEADER + index },
  ];
}

export const typeScriptTarget: Target = {
  id: "typescript",
  description: "TypeScript SDK: types, the Event union, metadata, validators and type guards",
  folder: "ts",
  emit: emitTypeScript,
};
