/**
 * Finds the line of an event's `defineEvent("<name>", …)` call in its schema module, for the lines
 * of findings and GitHub annotations. A small scanner rather than a parser: comments are blanked
 * out (strings are kept, so `//` in a URL is not a comment), then calls whose first argument is a
 * plain string literal are matched. Each file is read once.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export type LineFinder = (file: string, event: string) => number | undefined;

/** The source with comments replaced by spaces (line breaks kept, so offsets keep their lines). */
export function withoutComments(source: string): string {
  let out = "";
  let quote: string | undefined;
  for (let index = 0; index < source.length; index++) {
    const char = source[index]!;
    const next = source[index + 1];
    if (quote !== undefined) {
      out += char;
      if (char === "\\") {
        out += next ?? "";
        index++;
      } else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "/" && next === "/") {
      while (index < source.length && source[index] !== "\n") {
        out += " ";
        index++;
      }
      if (index < source.length) out += "\n";
      continue;
    }
    if (char === "/" && next === "*") {
      const end = source.indexOf("*/", index + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(index, stop).replace(/[^\n]/g, " ");
      index = stop - 1;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") quote = char;
    out += char;
  }
  return out;
}

const CALL = /(?<![\w$])defineEvent\s*\(\s*(?:"((?:\\.|[^"\\\n])*)"|'((?:\\.|[^'\\\n])*)'|`((?:\\.|[^`\\$])*)`)/g;

/** Event name → line of its first `defineEvent` call in `source`. */
export function defineEventLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  const text = withoutComments(source);
  for (const match of text.matchAll(CALL)) {
    const literal = match[1] ?? match[2] ?? match[3] ?? "";
    let name: string;
    try {
      name = match[3] !== undefined ? literal.replace(/\\(.)/g, "$1") : (JSON.parse(`"${literal.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
    } catch {
      continue;
    }
    if (lines.has(name)) continue;
    let line = 1;
    for (let index = 0; index < match.index; index++) if (text.charCodeAt(index) === 10) line++;
    lines.set(name, line);
  }
  return lines;
}

export async function createLineFinder(cwd: string): Promise<LineFinder> {
  const files = new Map<string, Map<string, number>>();
  return (file, event) => {
    let byEvent = files.get(file);
    if (byEvent === undefined) {
      const full = path.resolve(cwd, file);
      byEvent = existsSync(full) ? defineEventLines(readFileSync(full, "utf8")) : new Map();
      files.set(file, byEvent);
    }
    return byEvent.get(event);
  };
}
