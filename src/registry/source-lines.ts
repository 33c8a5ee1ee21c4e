/**
 * Where a registry finding sits in its schema module, for the `file:line` of each finding and the
 * line and column of GitHub annotations. A finding about a field points at that field
 * (`versions` → `1` → `z.object({ … })` → field, through the schemas it names that are declared in
 * the same file, such as a named type), a version at its entry under `versions`, a topic or
 * coalesce change at that option, and anything else at the `defineEvent` call. A field that cannot
 * be found (one built by code, or declared in another module) falls back to the nearest enclosing
 * place found: the object it is in, the version's entry, the call.
 *
 * The `defineEvent` call is found by its event name when that is a string literal, else through the
 * export that holds the event. Files are parsed with ts-morph (syntax only), each once, and only
 * when there are findings to place.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CallExpression, Node, ObjectLiteralExpression, SourceFile } from "ts-morph";
import type { Finding, Registry } from "./types.js";

type Morph = typeof import("ts-morph");

/** A 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** What to look for in a schema module. */
export interface SourceTarget {
  event: string;
  /** The module's export that holds the event, used when the name in the call is not a literal. */
  exportName?: string;
  version?: number;
  /** Field names from the payload down; names that cannot be found (tuple positions) are skipped. */
  fields?: readonly string[];
  /** An option of the `defineEvent` call (`topic`, `coalesce`, `versions`, `retired`). */
  option?: string;
  /** The line of the call as the loader recorded it: the last way to find a call whose name is not a literal. */
  callLine?: number;
}

/** Calls whose first argument is an object of fields (`z.object({ … })`, `Base.extend({ … })`). */
const SHAPE_CALLS = new Set(["object", "strictObject", "looseObject", "extend", "safeExtend", "merge", "interface"]);

/** The option event-level findings point at; other event rules point at the call or the version. */
const OPTION_OF_RULE: Record<string, string> = {
  TOPIC_CHANGED: "topic",
  COALESCE_CHANGED: "coalesce",
  VERSION_DELETED: "versions",
  VERSION_RETIRED: "retired",
};

/** Field names along a finding's path: a payload pointer, or for UNSUPPORTED_KEYWORD a pointer into the JSON Schema. */
export function findingFields(finding: Pick<Finding, "rule" | "path">): string[] {
  const segments = finding.path
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (finding.rule === "UNSUPPORTED_KEYWORD") return segments.filter((_, index) => index > 0 && segments[index - 1] === "properties");
  return segments.filter((segment) => segment !== "*");
}

/**
 * Adds `line` and `column` to every finding that names a schema module. `registry` (the current
 * side) gives the export that holds each event.
 */
export async function locateFindings(findings: Finding[], cwd: string, registry?: Registry): Promise<void> {
  const placed = findings.filter((finding) => finding.file !== undefined);
  if (placed.length === 0) return;
  const morph = await import("ts-morph");
  const project = new morph.Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const sources = new Map<string, SourceFile | undefined>();
  const exports = new Map(registry?.events.map((event) => [event.name, event.source?.exportName]) ?? []);
  for (const finding of placed) {
    const file = finding.file!;
    if (!sources.has(file)) {
      const full = path.resolve(cwd, file);
      sources.set(file, existsSync(full) ? project.createSourceFile(`/${sources.size}${path.extname(file) || ".ts"}`, readFileSync(full, "utf8")) : undefined);
    }
    const source = sources.get(file);
    if (source === undefined) continue;
    const exportName = exports.get(finding.event);
    const option = OPTION_OF_RULE[finding.rule];
    const position = positionInModule(morph, source, {
      event: finding.event,
      ...(exportName !== undefined ? { exportName } : {}),
      ...(finding.version !== null ? { version: finding.version } : {}),
      fields: findingFields(finding),
      ...(option !== undefined ? { option } : {}),
    });
    if (position === undefined) continue;
    finding.line = position.line;
    finding.column = position.column;
  }
}

/** The position of what `target` names in a parsed schema module, or undefined when its `defineEvent` call is not found. */
export function positionInModule(morph: Morph, source: SourceFile, target: SourceTarget): SourcePosition | undefined {
  const call = defineEventCall(morph, source, target);
  if (call === undefined) return undefined;
  let found: Node = call;
  const options = resolve(morph, source, call.getArguments()[1]);
  const object = options !== undefined && morph.Node.isObjectLiteralExpression(options) ? options : undefined;
  if (target.option !== undefined) {
    const option = object === undefined ? undefined : property(morph, object, target.option);
    return at(source, option ?? call);
  }
  if (target.version === undefined || object === undefined) return at(source, found);
  const versions = resolve(morph, source, propertyValue(morph, object, "versions"));
  const entry = versions !== undefined && morph.Node.isObjectLiteralExpression(versions) ? property(morph, versions, String(target.version)) : undefined;
  if (entry === undefined) return at(source, found);
  found = entry;
  let scope: Node | undefined = initializer(morph, entry);
  for (const name of target.fields ?? []) {
    const field = scope === undefined ? undefined : findField(morph, source, scope, name);
    if (field === undefined) {
      // A tuple position (`/items/0`) has no name in the source: look further down from here.
      if (/^\d+$/.test(name)) continue;
      break;
    }
    found = field;
    scope = initializer(morph, field);
  }
  return at(source, found);
}

function at(source: SourceFile, node: Node): SourcePosition {
  return source.getLineAndColumnAtPos(node.getStart());
}

function defineEventCall(morph: Morph, source: SourceFile, target: SourceTarget): CallExpression | undefined {
  const calls = source.getDescendantsOfKind(morph.SyntaxKind.CallExpression).filter((call) => /(^|\.)defineEvent$/.test(call.getExpression().getText()));
  const byName = calls.find((call) => {
    const first = resolve(morph, source, call.getArguments()[0]);
    return first !== undefined && (morph.Node.isStringLiteral(first) || morph.Node.isNoSubstitutionTemplateLiteral(first)) && first.getLiteralText() === target.event;
  });
  if (byName !== undefined) return byName;
  const exported = target.exportName === undefined ? undefined : source.getVariableDeclaration(target.exportName)?.getInitializer();
  const byExport = exported === undefined ? undefined : calls.find((call) => call === exported);
  return byExport ?? (target.callLine === undefined ? undefined : calls.find((call) => call.getStartLineNumber() === target.callLine));
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
