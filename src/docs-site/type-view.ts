/**
 * A payload (an IR TypeNode) as the docs site shows it: one table row per field, with the field's
 * wire name, its type in words, whether it is optional, nullable or defaulted, its constraints and
 * its description. Nested objects, array items, map values, tuple positions and union members
 * follow their parent as indented rows; a named type is a link to its own table on the page and is
 * not expanded again, so recursive types end there.
 *
 * Output is HTML built by string concatenation, every piece of user text through `escapeHtml`.
 */
import type { Field, NamedType, NumberNode, StringNode, TypeNode } from "../ir/types.js";
import { escapeHtml, jsonPointerSegment } from "./escape.js";

/** How a reference to a named type is linked: the escaped href, or undefined for no link. */
export type RefLink = (name: string) => string | undefined;

/** One row of a payload table. */
interface Row {
  depth: number;
  /** What the row is: a wire name, `[]` for items, `{}` for map values, a member label (HTML). */
  label: string;
  /** JSON Pointer of the value in the payload, `*` for any item or map value (title of the row). */
  pointer: string;
  type: string;
  flags: string[];
  constraints: string[];
  description: string | undefined;
  /** A union member's heading row (styled apart). */
  member?: true;
}

/** Deeper rows are indented no further (the pointer in the row's title still says where they are). */
const MAX_INDENT = 8;

export class PayloadTable {
  constructor(private readonly link: RefLink) {}

  /**
   * The table of a payload or named type (`subject` names it in the note about a reference): one
   * that is a reference to a named type shows that type's fields.
   */
  render(node: TypeNode, named: ReadonlyMap<string, NamedType>, subject = "The payload"): string {
    const rows: Row[] = [];
    const target = node.kind === "ref" ? named.get(node.name)?.type : undefined;
    const shown = target ?? node;
    if (shown.kind === "object") this.fieldRows(shown.fields, 0, "", rows);
    else {
      rows.push(this.valueRow("(value)", shown, 0, ""));
      this.children(shown, 1, "", rows);
    }
    if (shown.kind === "object") this.additionalRow(shown.additional, 0, "", rows);
    const intro = node.kind === "ref" ? `<p class="note">${subject} is the named type ${this.typeLabel(node)}.</p>` : "";
    if (rows.length === 0) return `${intro}<p class="note">No fields: an empty object.</p>`;
    const body = rows.map((row) => this.rowHtml(row)).join("");
    return `${intro}<div class="table-wrap"><table class="fields"><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Presence</th><th scope="col">Constraints</th><th scope="col">Description</th></tr></thead><tbody>${body}</tbody></table></div>`;
  }

  private rowHtml(row: Row): string {
    const indent = Math.min(row.depth, MAX_INDENT);
    const cls = row.member ? ` class="member"` : "";
    const flags = row.flags.length === 0 ? `<span class="muted">required</span>` : row.flags.join(" ");
    const constraints = row.constraints.join("<br>");
    const description = row.description === undefined ? "" : escapeHtml(row.description);
    return `<tr${cls}><th scope="row" class="d${indent}" title="${escapeHtml(row.pointer === "" ? "/" : row.pointer)}">${row.label}</th><td>${row.type}</td><td>${flags}</td><td>${constraints}</td><td class="text">${description}</td></tr>`;
  }

  private fieldRows(fields: readonly Field[], depth: number, pointer: string, rows: Row[]): void {
    for (const field of fields) {
      const at = `${pointer}/${jsonPointerSegment(field.name)}`;
      const row = this.valueRow(`<code>${escapeHtml(field.name)}</code>`, field.type, depth, at);
      if (field.optional) row.flags.unshift(`<span class="flag">optional</span>`);
      if (field.default !== undefined) row.flags.push(`<span class="flag">default <code>${escapeHtml(JSON.stringify(field.default))}</code></span>`);
      if (field.deprecated) row.flags.push(`<span class="flag warn">deprecated</span>`);
      row.description = field.description ?? field.type.description;
      rows.push(row);
      this.children(field.type, depth + 1, at, rows);
    }
  }

  private valueRow(label: string, node: TypeNode, depth: number, pointer: string): Row {
    const inner = node.kind === "nullable" ? node.inner : node;
    const flags = node.kind === "nullable" ? [`<span class="flag">nullable</span>`] : [];
    return { depth, label, pointer, type: this.typeLabel(node), flags, constraints: this.constraints(inner), description: node.description };
  }

  /** Rows for what a value holds: fields of an object, items, map values, tuple positions, members. */
  private children(node: TypeNode, depth: number, pointer: string, rows: Row[]): void {
    switch (node.kind) {
      case "nullable":
        this.children(node.inner, depth, pointer, rows);
        return;
      case "object":
        this.fieldRows(node.fields, depth, pointer, rows);
        this.additionalRow(node.additional, depth, pointer, rows);
        return;
      case "array":
        if (isComposite(node.items)) this.nested("<code>[]</code>", node.items, depth, `${pointer}/*`, rows);
        return;
      case "record":
        if (isComposite(node.values)) this.nested("<code>{}</code>", node.values, depth, `${pointer}/*`, rows);
        return;
      case "tuple":
        node.items.forEach((item, index) => this.nested(`<code>[${index}]</code>`, item, depth, `${pointer}/${index}`, rows));
        if (node.rest) this.nested(`<code>[${node.items.length}…]</code>`, node.rest, depth, `${pointer}/*`, rows);
        return;
      case "union":
        node.members.forEach((member, index) => {
          const tag = node.tags?.[index];
          const label =
            node.discriminator !== undefined && tag !== undefined
              ? `when <code>${escapeHtml(node.discriminator)}</code> = <code>${escapeHtml(JSON.stringify(tag))}</code>`
              : `option ${index + 1}`;
          const row = this.valueRow(label, member, depth, pointer);
          row.member = true;
          rows.push(row);
          this.children(member, depth + 1, pointer, rows);
        });
        return;
      default:
        return;
    }
  }

  private nested(label: string, node: TypeNode, depth: number, pointer: string, rows: Row[]): void {
    rows.push(this.valueRow(label, node, depth, pointer));
    this.children(node, depth + 1, pointer, rows);
  }

  private additionalRow(additional: "ignore" | "reject" | TypeNode, depth: number, pointer: string, rows: Row[]): void {
    if (typeof additional === "string") return;
    this.nested(`<span class="muted">other fields</span>`, additional, depth, `${pointer}/*`, rows);
  }

  /** A type in words, as HTML: `string (uuid)`, `integer`, `"a" | "b"`, `array of Part`, … */
  typeLabel(node: TypeNode): string {
    switch (node.kind) {
      case "string":
        return node.format === undefined ? "string" : `string <span class="muted">(${escapeHtml(node.format)})</span>`;
      case "number":
        return node.integer ? "integer" : "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "unknown":
        return "any JSON value";
      case "literal":
        return `<code>${escapeHtml(JSON.stringify(node.value))}</code>`;
      case "enum":
        return node.values.map((value) => `<code>${escapeHtml(JSON.stringify(value))}</code>`).join(" | ");
      case "array":
        return `array of ${this.typeLabel(node.items)}`;
      case "tuple":
        return `tuple [${[...node.items.map((item) => this.typeLabel(item)), ...(node.rest ? [`…${this.typeLabel(node.rest)}`] : [])].join(", ")}]`;
      case "record":
        return `map of ${node.keys.kind === "enum" ? this.typeLabel(node.keys) : "string"} → ${this.typeLabel(node.values)}`;
      case "object":
        return node.additional === "reject" ? "object (closed)" : "object";
      case "union":
        return node.discriminator !== undefined
          ? `one of ${node.members.length}, by <code>${escapeHtml(node.discriminator)}</code>`
          : node.members.every((member) => !isComposite(member))
            ? node.members.map((member) => this.typeLabel(member)).join(" | ")
            : `one of ${node.members.length}`;
      case "nullable":
        return `${this.typeLabel(node.inner)} | null`;
      case "ref": {
        const href = this.link(node.name);
        const name = escapeHtml(node.name);
        return href === undefined ? `<code>${name}</code>` : `<a href="${href}"><code>${name}</code></a>`;
      }
    }
  }

  /** The constraints of a value, one HTML line each. */
  private constraints(node: TypeNode): string[] {
    switch (node.kind) {
      case "string":
        return stringConstraints(node);
      case "number":
        return numberConstraints(node);
      case "array":
        return [...countRange("items", node.minItems, node.maxItems), ...(isComposite(node.items) ? [] : this.constraints(node.items).map((line) => `each: ${line}`))];
      case "record": {
        const keys = node.keys.kind === "string" ? stringConstraints(node.keys).map((line) => `keys: ${line}`) : [];
        return [...keys, ...(node.partial ? ["every key optional"] : [])];
      }
      case "object":
        if (node.additional === "reject") return ["no other fields"];
        if (node.additional === "ignore") return [];
        return [`other fields: ${this.typeLabel(node.additional)}`];
      default:
        return [];
    }
  }
}

function stringConstraints(node: StringNode): string[] {
  const lines = countRange("length", node.minLength, node.maxLength);
  if (node.pattern !== undefined) lines.push(`matches <code>/${escapeHtml(node.pattern)}/</code>`);
  return lines;
}

/**
 * Bounds of a number. An integer's ±(2^53 − 1) — the bounds every wire integer has (docs/wire-format.md)
 * and Zod's `int()` writes out — say nothing the word "integer" does not, and are left out.
 */
function numberConstraints(node: NumberNode): string[] {
  const lines: string[] = [];
  const implicit = (bound: number): boolean => node.integer && Math.abs(bound) === Number.MAX_SAFE_INTEGER;
  if (node.minimum !== undefined && !implicit(node.minimum)) lines.push(`≥ ${node.minimum}`);
  if (node.exclusiveMinimum !== undefined) lines.push(`&gt; ${node.exclusiveMinimum}`);
  if (node.maximum !== undefined && !implicit(node.maximum)) lines.push(`≤ ${node.maximum}`);
  if (node.exclusiveMaximum !== undefined) lines.push(`&lt; ${node.exclusiveMaximum}`);
  if (node.multipleOf !== undefined) lines.push(`multiple of ${node.multipleOf}`);
  return lines;
}

function countRange(what: string, min: number | undefined, max: number | undefined): string[] {
  if (min !== undefined && max !== undefined) return [min === max ? `${what} ${min}` : `${what} ${min}–${max}`];
  if (min !== undefined) return [`${what} ≥ ${min}`];
  if (max !== undefined) return [`${what} ≤ ${max}`];
  return [];
}

/** Whether a value has rows of its own below it (fields, members, positions). */
function isComposite(node: TypeNode): boolean {
  if (node.kind === "nullable") return isComposite(node.inner);
  return node.kind === "object" || node.kind === "union" || node.kind === "tuple" || (node.kind === "array" && isComposite(node.items)) || (node.kind === "record" && isComposite(node.values));
}
