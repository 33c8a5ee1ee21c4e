/**
 * Lines of TypeScript source, each at its depth (two spaces a level): how types.ts and
 * catalogue.ts are printed. A line's text is already escaped (escape.ts); a type expression that
 * spans lines (an inline object type) carries its own indentation after its first line.
 */
import { docComment } from "./escape.js";

export class Source {
  private readonly lines: string[] = [];
  private depth = 0;

  /** The current depth: where a multi-line expression written next starts. */
  get level(): number {
    return this.depth;
  }

  line(text: string): this {
    this.lines.push(this.depth === 0 ? text : indentation(this.depth) + text);
    return this;
  }

  /** A blank line, unless the last line is one. */
  blank(): this {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== "") this.lines.push("");
    return this;
  }

  /** `opening`, what `body` writes one level deeper, then `closing`. */
  block(opening: string, body: () => void, closing = "}"): this {
    this.line(opening);
    this.depth += 1;
    body();
    this.depth -= 1;
    return this.line(closing);
  }

  /** `text` (raw; escaped by docComment) as a JSDoc block; nothing for empty text. */
  docs(text: string): this {
    if (text !== "") for (const line of docComment(text)) this.line(line);
    return this;
  }

  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

const INDENTS: string[] = [""];

/** Two spaces per level. */
export function indentation(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(`${INDENTS[INDENTS.length - 1]!}  `);
  return INDENTS[depth]!;
}
