/**
 * A Zod regular expression as the published pattern every generated reader runs.
 *
 * JSON Schema patterns are ECMAScript regular expressions read in Unicode mode (the `u` flag),
 * with no flags of their own; ajv, the TypeScript SDK and (after translation) the Rust crate all
 * read them so. A Zod `.regex()` may carry flags and may be written without `u`, where the
 * grammar is looser (`\-` outside a class, a lone `{`, `\p` meaning `p`). This module turns such a
 * regular expression into a Unicode-mode source with the same meaning where an exact equivalent
 * exists, and otherwise says why there is none, so generation stops with a clear error instead of
 * publishing a pattern that some reader cannot compile or reads differently:
 *
 * - identity escapes of ordinary characters lose their backslash; a `{`, `}` or `]` that is not
 *   syntax is escaped; `\u`, `\x`, `\p`, `\k` that are not escapes in the original become the
 *   letters they stand for;
 * - flags: `g` and `d` do not change what a string matches (Zod tests from the start each time);
 *   `y` anchors at the start; `s` lets `.` match line terminators too; `i`, `m` and `v` have no
 *   flag-free equivalent and are refused.
 *
 * Matching is by code point on every side (Unicode mode), also for patterns written without `u`.
 */

export type PatternResult = { ok: true; pattern: string } | { ok: false; reason: string };

const SYNTAX = "^$\\.*+?()[]{}|/";
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/;
const CLASS_ESCAPES = "dDsSwW";
const LINE_TERMINATORS = "\\n\\r\\u2028\\u2029";

/** Results by flags and source: a catalogue repeats a handful of patterns (formats) many times. */
const PUBLISHED = new Map<string, PatternResult>();

/** The Unicode-mode pattern for `regex` (its source and flags), or why there is none. */
export function publishedPattern(source: string, flags: string): PatternResult {
  const key = `${flags}/${source}`;
  let result = PUBLISHED.get(key);
  if (result === undefined) {
    result = translatePattern(source, flags);
    PUBLISHED.set(key, result);
  }
  return result;
}

function translatePattern(source: string, flags: string): PatternResult {
  for (const flag of flags) {
    if (flag === "i") return refuse(`the "i" flag (ignore case) has no JSON Schema form: patterns carry no flags; spell the cases out instead, e.g. [aA]`);
    if (flag === "m") return refuse(`the "m" flag (multiline) has no JSON Schema form: patterns carry no flags; match line breaks explicitly instead`);
    if (flag === "v") return refuse(`the "v" flag (Unicode sets) has no JSON Schema form; write the pattern for the "u" flag`);
  }
  let pattern: string;
  if (flags.includes("u")) pattern = source;
  else {
    const translated = toUnicodeMode(source);
    if (!translated.ok) return translated;
    pattern = translated.pattern;
  }
  if (flags.includes("s")) pattern = dotMatchesAll(pattern);
  if (flags.includes("y")) pattern = `^(?:${pattern})`;
  try {
    new RegExp(pattern, "u");
  } catch {
    return refuse("it uses syntax that Unicode-mode patterns (as JSON Schema reads them) do not accept; add the \"u\" flag and fix what it reports");
  }
  return { ok: true, pattern };
}

function refuse(reason: string): PatternResult {
  return { ok: false, reason };
}

/** Rewrites a pattern written without the `u` flag into Unicode-mode syntax with the same meaning. */
function toUnicodeMode(source: string): PatternResult {
  const groups = countCapturingGroups(source);
  const namedGroups = /\(\?<[^=!]/.test(source);
  let out = "";
  let inClass = false;
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    if (char === "\\") {
      const next = source[index + 1];
      if (next === undefined) return refuse("it ends with a lone backslash");
      const rest = source.slice(index + 2);
      index += 2;
      if ("fnrtv".includes(next) || CLASS_ESCAPES.includes(next) || ((next === "b" || next === "B") && !inClass) || (next === "b" && inClass)) {
        out += `\\${next}`;
      } else if (next === "u") {
        const hex = /^[0-9A-Fa-f]{4}/.exec(rest);
        if (hex) {
          out += `\\u${hex[0]}`;
          index += 4;
        } else out += "u";
      } else if (next === "x") {
        const hex = /^[0-9A-Fa-f]{2}/.exec(rest);
        if (hex) {
          out += `\\x${hex[0]}`;
          index += 2;
        } else out += "x";
      } else if (next === "c") {
        const letter = /^[A-Za-z]/.exec(rest);
        if (!letter) return refuse("it uses \\c without a control letter");
        out += `\\c${letter[0]}`;
        index += 1;
      } else if (next === "0" && !/^\d/.test(rest)) {
        out += "\\0";
      } else if (/\d/.test(next)) {
        const digits = /^\d*/.exec(rest)![0];
        const number = Number(next + digits);
        if (inClass || number > groups) return refuse(`it uses the legacy octal escape \\${next}${digits}; write \\x.. or \\u.... instead`);
        out += `\\${next}${digits}`;
        index += digits.length;
      } else if (next === "k") {
        out += namedGroups ? "\\k" : "k";
      } else if (SYNTAX.includes(next) || (inClass && next === "-")) {
        out += `\\${next}`;
      } else {
        out += literal(next, inClass);
      }
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      else if (char === "-" && (endsWithClassEscape(out) || startsWithClassEscape(source.slice(index + 1)))) {
        out += "\\-";
        index += 1;
        continue;
      }
      out += char;
      index += 1;
      continue;
    }
    if (char === "[") {
      inClass = true;
      out += char;
      index += 1;
      if (source[index] === "^") {
        out += "^";
        index += 1;
      }
      continue;
    }
    if (char === "{") {
      const quantifier = QUANTIFIER.exec(source.slice(index));
      if (quantifier && out !== "" && !/[(|]$/.test(out)) {
        out += quantifier[0];
        index += quantifier[0].length;
        continue;
      }
      out += "\\{";
      index += 1;
      continue;
    }
    if (char === "}" || char === "]") {
      out += `\\${char}`;
      index += 1;
      continue;
    }
    out += char;
    index += 1;
  }
  return { ok: true, pattern: out };
}

/** A character that was identity-escaped, written so Unicode mode reads it as itself. */
function literal(char: string, inClass: boolean): string {
  if (inClass) return char === "^" || char === "]" || char === "\\" ? `\\${char}` : char;
  return SYNTAX.includes(char) ? `\\${char}` : char;
}

function endsWithClassEscape(out: string): boolean {
  return /(?:^|[^\\])(?:\\\\)*\\[dDsSwW]$/.test(out);
}

function startsWithClassEscape(rest: string): boolean {
  return /^\\[dDsSwW]/.test(rest);
}

function countCapturingGroups(source: string): number {
  let count = 0;
  let inClass = false;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === "\\") index += 1;
    else if (inClass) inClass = char !== "]";
    else if (char === "[") inClass = true;
    else if (char === "(" && (source[index + 1] !== "?" || (source[index + 2] === "<" && !"=!".includes(source[index + 3] ?? "")))) count += 1;
  }
  return count;
}

/** The `s` flag: every `.` outside a class also matches line terminators. */
function dotMatchesAll(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "\\") {
      out += char + (pattern[index + 1] ?? "");
      index += 1;
    } else if (inClass) {
      inClass = char !== "]";
      out += char;
    } else if (char === "[") {
      inClass = true;
      out += char;
    } else out += char === "." ? `(?:.|[${LINE_TERMINATORS}])` : char;
  }
  return out;
}
