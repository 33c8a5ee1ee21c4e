/**
 * Which keywords of a JSON Schema document SchemaReader understood, schema object by schema
 * object. The IR models a subset of JSON Schema; a keyword outside it — or inside it but in a
 * combination the reader does not model, such as `maxLength` beside `enum` (the reader stops at
 * `enum`) — changes what the schema accepts without changing the IR. The ledger records each
 * keyword the reader consumed; everything else it reports as unread, so that a comparison over the
 * IR can fail closed instead of silently ignoring a constraint.
 *
 * "Consumed" means: the IR node read from that schema accepts exactly the documents the keyword
 * allows, given the other consumed keywords. Annotations, which never affect validation, are
 * consumed wherever they stand.
 */
import type { JsonSchema } from "./types.js";

/** A keyword present in a schema that the reader did not model where it stands. */
export interface UnreadKeyword {
  /** The keyword, e.g. `uniqueItems`. */
  keyword: string;
  /** JSON Pointer (RFC 6901) to the keyword in the document read, e.g. `/properties/tags/uniqueItems`. */
  pointer: string;
  /** Why the keyword is not modelled there, when the reader models it elsewhere. */
  reason?: string;
}

/** Keywords that never change which documents are valid. */
const ANNOTATIONS = new Set(["title", "description", "$comment", "examples", "deprecated", "readOnly", "writeOnly", "default"]);

/**
 * Keywords consumed at the document root only: the dialect, the document's id (a nested `$id`
 * would change what `#/…` references resolve against) and the containers of named types.
 */
const ROOT_KEYWORDS = new Set(["$schema", "$id", "$defs", "definitions"]);

/** One schema object as the reader saw it. */
export class SchemaVisit {
  private readonly consumed = new Set<string>();
  private readonly reasons = new Map<string, string>();

  constructor(
    readonly schema: JsonSchema,
    readonly pointer: string,
  ) {
    const root = pointer === "";
    for (const keyword of Object.keys(schema)) {
      if (ANNOTATIONS.has(keyword) || (root && ROOT_KEYWORDS.has(keyword))) this.consumed.add(keyword);
    }
  }

  /** Marks keywords as modelled by the node read from this schema. */
  use(...keywords: string[]): void {
    for (const keyword of keywords) if (Object.hasOwn(this.schema, keyword)) this.consumed.add(keyword);
  }

  /**
   * Marks a keyword as not modelled here, and why. A refusal wins over any use, before or after
   * (fail closed: a keyword read in one combination but not in another stays unread).
   */
  refuse(keyword: string, reason: string): void {
    if (Object.hasOwn(this.schema, keyword) && !this.reasons.has(keyword)) this.reasons.set(keyword, reason);
  }

  unread(): UnreadKeyword[] {
    return Object.keys(this.schema)
      .filter((keyword) => !this.consumed.has(keyword) || this.reasons.has(keyword))
      .map((keyword) => {
        const unread: UnreadKeyword = { keyword, pointer: childPointer(this.pointer, keyword) };
        const reason = this.reasons.get(keyword);
        if (reason !== undefined) unread.reason = reason;
        return unread;
      });
  }
}

/** Every schema object read, by JSON Pointer: the same object read twice (a `type` array) merges. */
export class KeywordLedger {
  private readonly visits = new Map<string, SchemaVisit>();
  private readonly schemas: UnreadKeyword[] = [];

  /** Records a whole schema with no model (a `false` schema) at `pointer`, reported as keyword `false`. */
  refuseSchema(pointer: string, reason: string): void {
    if (!this.schemas.some((entry) => entry.pointer === pointer)) this.schemas.push({ keyword: "false", pointer, reason });
  }

  visit(schema: JsonSchema, pointer: string): SchemaVisit {
    let visit = this.visits.get(pointer);
    if (visit === undefined || visit.schema !== schema) {
      visit = new SchemaVisit(schema, pointer);
      this.visits.set(pointer, visit);
    }
    return visit;
  }

  /** Unread keywords of every schema read, sorted by pointer. */
  unread(): UnreadKeyword[] {
    return [...[...this.visits.values()].flatMap((visit) => visit.unread()), ...this.schemas].sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
  }
}

/** `pointer` extended by one reference token (RFC 6901 escaping). */
export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${String(token).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/** Whether a JSON value is of a JSON Schema `type` (a name or a list of names). */
export function hasType(value: unknown, type: unknown): boolean {
  if (Array.isArray(type)) return type.some((each) => hasType(value, each));
  switch (type) {
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "integer":
      return Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}
