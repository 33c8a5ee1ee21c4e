/**
 * The user's own expression behind an error thrown while a schema module loads.
 *
 * jiti transpiles schema modules with Babel before running them: lines are kept (`retainLines`),
 * columns are not, and imports are renamed — `z.strin()` runs as `_zod.z.strin()`, a named import
 * `defineEvnt(…)` as `(0 , _eventc.defineEvnt)(…)`, so V8 says `_zod.z.strin is not a function` at
 * a column of a text the user never saw. The expression is found again in the user's source, on the
 * line the stack names, by the name that was called; from it come the message as the user wrote it
 * (`z.strin is not a function`), the true column, and the source line to quote. The file is parsed
 * with the TypeScript compiler (syntax only), only when such an error happens.
 */
import { createRequire } from "node:module";
import type { ts as TS } from "ts-morph";

/** A called expression found in the source (positions 1-based). */
export interface CalledExpression {
  /** The callee as V8 writes it, from the user's source: `z.strin`, `schema.string(...).minn`. */
  text: string;
  line: number;
  /** Column of the called name (`strin`), where V8 points. */
  column: number;
  /** Length of the called name. */
  length: number;
  /** The callee as a chain of names from an identifier (`["z", "strin"]`), when it is one. */
  names?: string[];
}

/** `<expression> is not a function` (or a constructor, or iterable after a call), as V8 words it. */
const NOT_CALLABLE = /^(.*?) is not a (function|constructor)\b(.*)$/s;

function typescript(): typeof TS {
  return (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
}

/**
 * The expression a "… is not a function" error at `line` (1-based) and the transpiled `column`
 * names, or undefined when the message is not of that kind or the call cannot be found on that line.
 */
export function calledExpression(message: string, source: string, fileName: string, line: number, column: number | undefined): CalledExpression | undefined {
  const match = NOT_CALLABLE.exec(message);
  if (match === null) return undefined;
  const name = /([A-Za-z_$][\w$]*)\)?\s*$/.exec(match[1]!)?.[1];
  if (name === undefined) return undefined;
  const ts = typescript();
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, scriptKind(ts, fileName));
  const found: CalledExpression[] = [];
  const visit = (node: TS.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && (match[2] === "constructor") === ts.isNewExpression(node)) {
      const callee = node.expression;
      const called = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
      if (called !== undefined && called.text === name) {
        const at = file.getLineAndCharacterOfPosition(called.getStart(file));
        if (at.line + 1 === line) {
          const names = chain(ts, callee);
          found.push({ text: render(ts, callee), line, column: at.character + 1, length: called.text.length, ...(names !== undefined ? { names } : {}) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (found.length <= 1 || column === undefined) return found[0];
  // Renamed imports only lengthen the transpiled line: the call is the last one at or before the column.
  return found.filter((candidate) => candidate.column <= column).at(-1) ?? found[0];
}

/** The message with the transpiled expression replaced by the user's. */
export function userMessage(message: string, expression: CalledExpression): string {
  const match = NOT_CALLABLE.exec(message);
  return match === null ? message : `${expression.text} is not a ${match[2]}${match[3]}`;
}

/** The source line, with carets under `length` characters from `column`: `  9 |   text: z.strin(),`. */
export function quoteLine(source: string, line: number, column: number, length: number): string {
  const text = (source.split(/\r?\n/)[line - 1] ?? "").replace(/\s+$/, "");
  const gutter = String(line);
  // Tabs before the column stay tabs, so the carets line up however wide a tab is shown.
  const indent = text.slice(0, column - 1).replace(/[^\t]/g, " ");
  return `  ${gutter} | ${text}\n  ${" ".repeat(gutter.length)} | ${indent}${"^".repeat(Math.max(1, length))}`;
}

/** V8's way of naming a callee: names and dots, `(...)` for a call's arguments. */
function render(ts: typeof TS, node: TS.Expression): string {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return `${render(ts, node.expression)}.${node.name.text}`;
  if (ts.isCallExpression(node)) return `${render(ts, node.expression)}(...)`;
  if (ts.isElementAccessExpression(node)) return `${render(ts, node.expression)}[...]`;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return "this";
  return "(intermediate value)";
}

function chain(ts: typeof TS, node: TS.Expression): string[] | undefined {
  if (ts.isIdentifier(node)) return [node.text];
  if (ts.isPropertyAccessExpression(node)) {
    const head = chain(ts, node.expression);
    return head === undefined ? undefined : [...head, node.name.text];
  }
  return undefined;
}

function scriptKind(ts: typeof TS, fileName: string): TS.ScriptKind {
  if (/\.[mc]?ts$/.test(fileName)) return ts.ScriptKind.TS;
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  return ts.ScriptKind.JS;
}

/** Where the first name of a chain was imported from: `import { z as schema } from "zod"` → `zod`, `z`. */
export function importOf(source: string, fileName: string, local: string): { module: string; imported: string | "*" } | undefined {
  const ts = typescript();
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, scriptKind(ts, fileName));
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    if (clause === undefined) continue;
    const module = statement.moduleSpecifier.text;
    if (clause.name?.text === local) return { module, imported: "default" };
    const bindings = clause.namedBindings;
    if (bindings !== undefined && ts.isNamespaceImport(bindings) && bindings.name.text === local) return { module, imported: "*" };
    if (bindings !== undefined && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        if (element.name.text === local) return { module, imported: (element.propertyName ?? element.name).text };
      }
    }
  }
  return undefined;
}
