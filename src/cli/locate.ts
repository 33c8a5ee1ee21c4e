/**
 * Lines for input errors: an error that names a schema file and an event gets the line of the
 * field it is about (`versions` → `1` → `z.object({ … })` → field, through schemas declared
 * elsewhere in the same file), else of the version's entry, else of the `defineEvent` call. The
 * file is parsed with ts-morph (syntax only), loaded only when an error needs it.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Node, ObjectLiteralExpression, SourceFile } from "ts-morph";
import { EventcError, EventcErrors } from "../errors.js";

/** Calls whose first argument is an object of fields (`z.object({ … })`, `Base.extend({ … })`). */
const SHAPE_CALLS = new Set(["object", "strictObject", "looseObject", "extend", "safeExtend", "merge", "interface"]);

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

function findLine(morph: Morph, source: SourceFile, event: string, version: number | undefined, fieldPath: string | undefined, known: number | undefined): number | undefined {
  const { SyntaxKind } = morph;
  const calls = source.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => /(^|\.)defineEvent$/.test(call.getExpression().getText()));
  const call =
    calls.find((candidate) => {
      const first = candidate.getArguments()[0];
      return first !== undefined && (morph.Node.isStringLiteral(first) || morph.Node.isNoSubstitutionTemplateLiteral(first)) && first.getLiteralText() === event;
    }) ?? calls.find((candidate) => candidate.getStartLineNumber() === known);
  if (call === undefined) return known;
  let line = call.getStartLineNumber();
  if (version === undefined) return line;
  const options = resolve(morph, source, call.getArguments()[1]);
  const versions = options !== undefined && morph.Node.isObjectLiteralExpression(options) ? resolve(morph, source, propertyValue(morph, options, "versions")) : undefined;
  const entry = versions !== undefined && morph.Node.isObjectLiteralExpression(versions) ? property(morph, versions, String(version)) : undefined;
  if (entry === undefined) return line;
  line = entry.getStartLineNumber();
  // `status.parts[].type` → status, parts, type: array items and union members add no line.
  const names = (fieldPath ?? "").replace(/\[[^\]]*\]|<[^>]*>|\{[^}]*\}/g, "").split(".").filter((name) => name !== "");
  let scope: Node | undefined = initializer(morph, entry);
  for (const name of names) {
    const field = scope === undefined ? undefined : findField(morph, source, scope, name);
    if (field === undefined) break;
    line = field.getStartLineNumber();
    scope = initializer(morph, field);
  }
  return line;
}

/** The expression behind an identifier declared at the top of the same file, else the node itself. */
function resolve(morph: Morph, source: SourceFile, node: Node | undefined): Node | undefined {
  if (node !== undefined && morph.Node.isIdentifier(node)) return source.getVariableDeclaration(node.getText())?.getInitializer() ?? node;
  return node;
}

function property(morph: Morph, object: ObjectLiteralExpression, name: string): Node | undefined {
  return object.getProperties().find((candidate) => {
    if (!morph.Node.isPropertyAssignment(candidate) && !morph.Node.isShorthandPropertyAssignment(candidate)) return false;
    const key = candidate.getNameNode();
    const text = morph.Node.isStringLiteral(key) || morph.Node.isNumericLiteral(key) || morph.Node.isNoSubstitutionTemplateLiteral(key) ? String(key.getLiteralValue()) : key.getText();
    return text === name;
  });
}

function propertyValue(morph: Morph, object: ObjectLiteralExpression, name: string): Node | undefined {
  const found = property(morph, object, name);
  return found === undefined ? undefined : initializer(morph, found);
}

function initializer(morph: Morph, node: Node): Node | undefined {
  if (morph.Node.isPropertyAssignment(node)) return node.getInitializer();
  if (morph.Node.isShorthandPropertyAssignment(node)) return node.getNameNode();
  return undefined;
}

/**
 * The nearest field `name` of an object schema inside `scope`, breadth first; schemas named by an
 * identifier declared at the top of the file are searched after the scope itself.
 */
function findField(morph: Morph, source: SourceFile, scope: Node, name: string, seen = new Set<Node>()): Node | undefined {
  if (seen.has(scope)) return undefined;
  seen.add(scope);
  const queue: Node[] = [scope];
  const identifiers: Node[] = [];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (morph.Node.isObjectLiteralExpression(node) && isShapeArgument(morph, node)) {
      const field = property(morph, node, name);
      if (field !== undefined) return field;
    }
    if (morph.Node.isIdentifier(node)) identifiers.push(node);
    queue.push(...node.getChildren());
  }
  for (const identifier of identifiers) {
    const declared = source.getVariableDeclaration(identifier.getText())?.getInitializer();
    const field = declared === undefined ? undefined : findField(morph, source, declared, name, seen);
    if (field !== undefined) return field;
  }
  return undefined;
}

function isShapeArgument(morph: Morph, object: ObjectLiteralExpression): boolean {
  const call = object.getParent();
  if (call === undefined || !morph.Node.isCallExpression(call) || call.getArguments()[0] !== object) return false;
  const callee = call.getExpression();
  const name = morph.Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
  return SHAPE_CALLS.has(name);
}
