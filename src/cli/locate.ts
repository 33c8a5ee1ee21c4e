/**
 * Lines for input errors: an error that names a schema file and an event gets the line of the
 * field it is about (`versions` → `1` → `z.object({ … })` → field, through schemas declared
 * elsewhere in the same file), else of the version's entry, else of the `defineEvent` call. The
 * file is parsed with ts-morph (syntax only), loaded only when an error needs it.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SourceFile } from "ts-morph";
import { EventcError, EventcErrors } from "../errors.js";
import { positionInModule } from "../registry/source-lines.js";

/** The error with lines added where they can be found; the same error when none can. */
export async function locateError(error: EventcError, cwd: string = process.cwd()): Promise<EventcError> {
  const errors = error instanceof EventcErrors ? error.errors : [error];
  const wanted = errors.filter(({ context }) => context.file !== undefined && context.event !== undefined && context.column === undefined);
  if (wanted.length === 0) return error;
  const morph = await import("ts-morph");
  const project = new morph.Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const sources = new Map<string, SourceFile | undefined>();
  const parse = (file: string): SourceFile | undefined => {
    if (!sources.has(file)) {
      const full = path.resolve(cwd, file);
      sources.set(file, existsSync(full) ? project.createSourceFile(`/${sources.size}${path.extname(file) || ".ts"}`, readFileSync(full, "utf8")) : undefined);
    }
    return sources.get(file);
  };
  let changed = false;
  for (const { context } of wanted) {
    const source = parse(context.file!);
    const line = source === undefined ? undefined : findLine(morph, source, context.event!, context.version, context.path, context.line);
    if (line !== undefined && line !== context.line) {
      context.line = line;
      changed = true;
    }
  }
  if (!changed) return error;
  return error instanceof EventcErrors ? new EventcErrors(errors) : error;
}

type Morph = typeof import("ts-morph");

/** The line of what an input error is about (field, version entry, call), or the line it had. */
function findLine(morph: Morph, source: SourceFile, event: string, version: number | undefined, fieldPath: string | undefined, known: number | undefined): number | undefined {
  // `status.parts[].type` → status, parts, type: array items and union members add no line.
  const fields = (fieldPath ?? "").replace(/\[[^\]]*\]|<[^>]*>|\{[^}]*\}/g, "").split(".").filter((name) => name !== "");
  const position = positionInModule(morph, source, { event, ...(version === undefined ? {} : { version }), fields, ...(known === undefined ? {} : { callLine: known }) });
  return position?.line ?? known;
}
