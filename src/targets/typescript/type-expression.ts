/**
 * IR type nodes → TypeScript type expressions. A nested object type spans lines: its members sit
 * one level deeper than the line the expression starts on (see source.ts).
 */
import type { Field, ObjectNode, TypeNode } from "../../ir/types.js";
import { docComment, tsString, tsValue } from "./escape.js";
import { propertyKey, type TypeScriptNames } from "./names.js";
import { indentation, type Source } from "./source.js";

/**
 * JSDoc text for a node or field: description, `@default` (as a TypeScript literal), `@deprecated`.
 * Empty when there is nothing to say. Raw text: `Source.docs` escapes it.
 */
export function docText(item: { description?: string; deprecated?: boolean; default?: unknown }): string {
  const lines: string[] = [];
  if (item.description !== undefined) lines.push(item.description);
  if (item.default !== undefined) lines.push(`@default ${tsValue(item.default)}`);
  if (item.deprecated) lines.push("@deprecated");
  return lines.join("\n");
}

const isOpen = (node: ObjectNode): boolean => node.additional !== "ignore" && node.additional !== "reject";

export class TypeWriter {
  constructor(private readonly names: TypeScriptNames) {}

  /** `node` as a type expression starting on a line at `depth`. */
  expression(node: TypeNode, depth: number): string {
    switch (node.kind) {
      case "string":
      case "number":
      case "boolean":
      case "null":
      case "unknown":
        return node.kind;
      case "literal":
        return typeof node.value === "string" ? tsString(node.value) : tsValue(node.value);
      case "enum":
        return node.values.map(tsString).join(" | ");
      case "ref":
        return this.names.namedType(node.name);
      case "array":
        return `Array<${this.expression(node.items, depth)}>`;
      case "tuple": {
        const items = node.items.map((item) => this.expression(item, depth));
        if (node.rest) items.push(`...Array<${this.expression(node.rest, depth)}>`);
        return `[${items.join(", ")}]`;
      }
      case "record":
        return node.keys.kind === "enum"
          ? `{ [K in ${this.expression(node.keys, depth)}]${node.partial ? "?" : ""}: ${this.expression(node.values, depth)} }`
          : `{ [key: string]: ${this.expression(node.values, depth)} }`;
      case "object":
        if (node.fields.length === 0 && !isOpen(node)) return "Record<string, never>";
        return `{\n${this.fields(node.fields, isOpen(node), depth + 1).join("\n")}\n${indentation(depth)}}`;
      case "union":
        return node.members.map((member) => this.member(member, depth)).join(" | ");
      case "nullable":
        return `${this.member(node.inner, depth)} | null`;
    }
  }

  /** Union members that are themselves unions are parenthesised for readability. */
  private member(node: TypeNode, depth: number): string {
    const text = this.expression(node, depth);
    return node.kind === "union" || node.kind === "nullable" || (node.kind === "enum" && node.values.length > 1) ? `(${text})` : text;
  }

  /** The members of an object type at `depth`, one per line (indentation included), each with its doc comment. */
  private fields(fields: Field[], open: boolean, depth: number): string[] {
    const indent = indentation(depth);
    const lines: string[] = [];
    for (const field of fields) {
      const docs = docText(field);
      if (docs !== "") for (const line of docComment(docs)) lines.push(indent + line);
      lines.push(`${indent}${propertyKey(field.name)}${field.optional ? "?" : ""}: ${this.expression(field.type, depth)};`);
    }
    if (open) lines.push(`${indent}[key: string]: unknown;`);
    return lines;
  }

  /**
   * A top-level declaration: an interface for an object with fields (better editor hovers), a
   * type alias for anything else.
   */
  declaration(source: Source, name: string, node: TypeNode, docs: string): void {
    source.blank().docs(docs);
    if (node.kind === "object" && node.fields.length > 0) {
      source.line(`export interface ${name} {\n${this.fields(node.fields, isOpen(node), source.level + 1).join("\n")}\n${indentation(source.level)}}`);
      return;
    }
    source.line(`export type ${name} = ${this.expression(node, source.level)};`);
  }
}
