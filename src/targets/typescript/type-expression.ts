/**
 * IR type nodes → TypeScript type expressions, written through ts-morph's code writer
 * (code-block-writer) so nested object types indent like the rest of the file.
 */
import type CodeBlockWriter from "code-block-writer";
import type { Field, TypeNode } from "../../ir/types.js";
import { docComment, tsString, tsValue } from "./escape.js";
import { propertyKey, type TypeScriptNames } from "./names.js";

/**
 * JSDoc text for a node or field: description, `@default` (as a TypeScript literal), `@deprecated`.
 * Empty when there is nothing to say. Raw text: `writeJsDoc` escapes it.
 */
export function docText(item: { description?: string; deprecated?: boolean; default?: unknown }): string {
  const lines: string[] = [];
  if (item.description !== undefined) lines.push(item.description);
  if (item.default !== undefined) lines.push(`@default ${tsValue(item.default)}`);
  if (item.deprecated) lines.push("@deprecated");
  return lines.join("\n");
}

export class TypeWriter {
  constructor(private readonly names: TypeScriptNames) {}

  write(writer: CodeBlockWriter, node: TypeNode): void {
    switch (node.kind) {
      case "string":
        writer.write("string");
        return;
      case "number":
        writer.write("number");
        return;
      case "boolean":
        writer.write("boolean");
        return;
      case "null":
        writer.write("null");
        return;
      case "unknown":
        writer.write("unknown");
        return;
      case "literal":
        writer.write(typeof node.value === "string" ? tsString(node.value) : tsValue(node.value));
        return;
      case "enum":
        writer.write(node.values.map(tsString).join(" | "));
        return;
      case "ref":
        writer.write(this.names.namedType(node.name));
        return;
      case "array":
        writer.write("Array<");
        this.write(writer, node.items);
        writer.write(">");
        return;
      case "tuple":
        writer.write("[");
        node.items.forEach((item, index) => {
          if (index > 0) writer.write(", ");
          this.write(writer, item);
        });
        if (node.rest) {
          writer.write(node.items.length > 0 ? ", ...Array<" : "...Array<");
          this.write(writer, node.rest);
          writer.write(">");
        }
        writer.write("]");
        return;
      case "record":
        writer.write(node.keys.kind === "enum" ? "{ [K in " : "{ [key: string]: ");
        if (node.keys.kind === "enum") {
          this.write(writer, node.keys);
          writer.write(node.partial ? "]?: " : "]: ");
        }
        this.write(writer, node.values);
        writer.write(" }");
        return;
      case "object":
        this.writeObject(writer, node.fields, node.additional !== "ignore" && node.additional !== "reject");
        return;
      case "union":
        node.members.forEach((member, index) => {
          if (index > 0) writer.write(" | ");
          this.writeMember(writer, member);
        });
        return;
      case "nullable":
        this.writeMember(writer, node.inner);
        writer.write(" | null");
        return;
    }
  }

  /** Union members that are themselves unions are parenthesised for readability. */
  private writeMember(writer: CodeBlockWriter, node: TypeNode): void {
    const needsParens = node.kind === "union" || node.kind === "nullable" || (node.kind === "enum" && node.values.length > 1);
    if (needsParens) writer.write("(");
    this.write(writer, node);
    if (needsParens) writer.write(")");
  }

  private writeObject(writer: CodeBlockWriter, fields: Field[], open: boolean): void {
    if (fields.length === 0 && !open) {
      writer.write("Record<string, never>");
      return;
    }
    writer.inlineBlock(() => this.writeFields(writer, fields, open));
  }

  /** The members of an object type, one per line, each with its doc comment. */
  writeFields(writer: CodeBlockWriter, fields: Field[], open: boolean): void {
    for (const field of fields) {
      const docs = docText(field);
      if (docs !== "") writeJsDoc(writer, docs);
      writer.write(`${propertyKey(field.name)}${field.optional ? "?" : ""}: `);
      this.write(writer, field.type);
      writer.write(";").newLine();
    }
    if (open) writer.writeLine("[key: string]: unknown;");
  }

  /**
   * A top-level declaration: an interface for an object with fields (better editor hovers), a
   * type alias for anything else.
   */
  writeDeclaration(writer: CodeBlockWriter, name: string, node: TypeNode, docs: string): void {
    writer.blankLineIfLastNot();
    if (docs !== "") writeJsDoc(writer, docs);
    if (node.kind === "object" && node.fields.length > 0) {
      const open = node.additional !== "ignore" && node.additional !== "reject";
      writer.write(`export interface ${name} `).block(() => this.writeFields(writer, node.fields, open));
      return;
    }
    writer.write(`export type ${name} = `);
    this.write(writer, node);
    writer.write(";").newLine();
  }
}

/** Writes `text` (raw; escaped here) as a JSDoc block. */
export function writeJsDoc(writer: CodeBlockWriter, text: string): void {
  for (const line of docComment(text)) writer.writeLine(line);
}
