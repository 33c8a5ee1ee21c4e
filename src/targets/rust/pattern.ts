/**
 * ECMAScript patterns (as the IR and the JSON Schemas carry them, read with the `u` flag) turned
 * into the `regex` crate's syntax with the same meaning.
 *
 * The two dialects differ where it matters for agreement, so the translation is explicit:
 * - `\d`, `\w` and `\b` are ASCII in ECMAScript and Unicode-aware in the regex crate: they become
 *   the ASCII classes (`[0-9]`, `[0-9A-Za-z_]`, `(?-u:\b)`).
 * - `\s` is a fixed list in ECMAScript (it includes U+FEFF, excludes U+0085): spelled out.
 * - `.` excludes every ECMAScript line terminator, not only `\n`.
 * - `\uXXXX` / `\u{X}` become `\x{X}`; `(?<name>` becomes `(?P<name>`; `\<`, `\>` lose the backslash.
 * - Inside a class, `[`, `&`, `~` and `-` followed by `-` are escaped (set operations in the crate).
 * - Named groups become plain groups: names play no part in matching, and the crate accepts fewer
 *   names than ECMAScript (`(?<$x>…)`).
 * Look-around and back-references have no equivalent: `translatePattern` reports them. So does a
 * pattern whose compiled program would exceed the crate's size limit (see `PATTERN_COST_LIMIT`).
 */

/** ECMAScript's `\s`: WhiteSpace and LineTerminator code points. */
const JS_SPACE = "\\t\\n\\x{0B}\\x{0C}\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
const JS_DIGIT = "0-9";
const JS_WORD = "0-9A-Za-z_";
const JS_LINE_TERMINATORS = "\\n\\r\\x{2028}\\x{2029}";

/** Why a pattern cannot be carried over, or the translated source. */
export type PatternTranslation = { ok: true; source: string } | { ok: false; reason: string };

const CLASS_ESCAPES: Record<string, string> = { d: JS_DIGIT, w: JS_WORD, s: JS_SPACE };

export function translatePattern(source: string): PatternTranslation {
  const cost = patternCost(source);
  if (cost > PATTERN_COST_LIMIT) {
    return { ok: false, reason: `its compiled form would exceed the Rust regex crate's size limit (an estimated ${Math.round(cost / 1000)}k units, the limit is ${PATTERN_COST_LIMIT / 1000}k)` };
  }
  return translate(source);
}

function translate(source: string): PatternTranslation {
  let out = "";
  let inClass = false;
  let index = 0;
  const fail = (reason: string): PatternTranslation => ({ ok: false, reason });
  while (index < source.length) {
    const char = source[index]!;
    if (char === "\\") {
      const next = source[index + 1];
      if (next === undefined) return fail("it ends with a lone backslash");
      index += 2;
      if (/[1-9]/.test(next) || next === "k") return fail("it uses a back-reference, which the Rust regex crate does not support");
      const lower = next.toLowerCase();
      if (lower in CLASS_ESCAPES) {
        const set = CLASS_ESCAPES[lower]!;
        const negated = next !== lower;
        if (!inClass) out += negated ? `[^${set}]` : `[${set}]`;
        else if (!negated) out += set;
        else return fail(`it negates \\${next} inside a character class`);
        continue;
      }
      if (next === "b" || next === "B") {
        if (inClass) return fail("it uses \\b inside a character class");
        out += `(?-u:\\${next})`;
        continue;
      }
      if (next === "u") {
        const braced = /^\{([0-9A-Fa-f]+)\}/.exec(source.slice(index));
        const plain = /^[0-9A-Fa-f]{4}/.exec(source.slice(index));
        if (braced) {
          out += `\\x{${braced[1]}}`;
          index += braced[0].length;
        } else if (plain) {
          out += `\\x{${plain[0]}}`;
          index += 4;
        } else return fail("it has a malformed \\u escape");
        continue;
      }
      if (next === "x") {
        const hex = /^[0-9A-Fa-f]{2}/.exec(source.slice(index));
        if (!hex) return fail("it has a malformed \\x escape");
        out += `\\x{${hex[0]}}`;
        index += 2;
        continue;
      }
      if (next === "0") {
        out += "\\x{0}";
        continue;
      }
      if (next === "c") return fail("it uses a control-letter escape (\\c)");
      if (next === "p" || next === "P") {
        const property = /^\{([^}]*)\}/.exec(source.slice(index));
        if (!property) return fail("it has a malformed property escape");
        out += `\\${next}{${property[1]!.replace(/^(?:General_Category|gc|Script|sc)=/, "")}}`;
        index += property[0].length;
        continue;
      }
      if (next === "<" || next === ">") {
        out += next;
        continue;
      }
      if (/[A-Za-z]/.test(next) && !"tnrfv".includes(next)) return fail(`it uses the escape \\${next}`);
      out += next === "v" ? "\\x{0B}" : `\\${next}`;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      if (char === "[" || char === "&" || char === "~" || (char === "-" && source[index + 1] === "-")) out += `\\${char}`;
      else out += char;
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
      // `[]` matches nothing and `[^]` anything in ECMAScript; the crate reads `]` there as a literal.
      if (source[index] === "]") return fail("it has an empty character class");
      continue;
    }
    if (char === "(" && source[index + 1] === "?") {
      const rest = source.slice(index + 2);
      if (/^(?:=|!|<=|<!)/.test(rest)) return fail("it uses look-around, which the Rust regex crate does not support");
      if (rest.startsWith("<")) {
        const end = source.indexOf(">", index);
        out += "(";
        index = end === -1 ? source.length : end + 1;
        continue;
      }
    }
    out += char === "." ? `[^${JS_LINE_TERMINATORS}]` : char;
    index += 1;
  }
  return { ok: true, source: out };
}

/**
 * The size budget of one compiled pattern, in units of one literal ASCII character repeated (about
 * 72 bytes of the crate's program each). The budget is the crate's default size limit (10 MiB);
 * the generated crate compiles with four times that, so an estimate that errs by up to 4× still
 * compiles, and a pattern that would not compile is refused at generation time instead.
 */
export const PATTERN_COST_LIMIT = 145_000;

/** Weights per atom, measured against the crate (UTF-8 automata make non-ASCII classes dear). */
const COST = { ascii: 1, nonAscii: 3, asciiClass: 2, wideClass: 10, property: 400 } as const;

/** An estimate of the compiled size of an ECMAScript (Unicode mode) pattern, in the units of PATTERN_COST_LIMIT. */
export function patternCost(source: string): number {
  let index = 0;
  const alternation = (): number => {
    let total = sequence();
    while (source[index] === "|") {
      index += 1;
      total += sequence();
    }
    return total;
  };
  const sequence = (): number => {
    let total = 0;
    while (index < source.length && source[index] !== "|" && source[index] !== ")") {
      const atomCost = atom();
      total += atomCost * repeat();
    }
    return total;
  };
  const repeat = (): number => {
    const char = source[index];
    let factor = 1;
    if (char === "*" || char === "+" || char === "?") {
      index += 1;
      factor = 2;
    } else if (char === "{") {
      const bounds = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(index));
      if (bounds) {
        index += bounds[0].length;
        const min = Number(bounds[1]);
        factor = bounds[2] === undefined ? min : bounds[3] === "" ? min + 1 : Number(bounds[3]);
      }
    }
    if (source[index] === "?") index += 1; // lazy
    return Math.max(factor, 1);
  };
  const escape = (inClass: boolean): number => {
    const next = source[index + 1] ?? "";
    index += 2;
    if (next === "p" || next === "P") {
      const end = source.indexOf("}", index);
      index = end === -1 ? source.length : end + 1;
      return COST.property;
    }
    if (next === "u" || next === "x") {
      const code = /^\{([0-9A-Fa-f]+)\}|^[0-9A-Fa-f]{4}|^[0-9A-Fa-f]{2}/.exec(source.slice(index));
      if (code) index += code[0].length;
      return COST.nonAscii;
    }
    if ("dw".includes(next)) return COST.asciiClass;
    if ("sDWS".includes(next)) return COST.wideClass;
    return inClass ? COST.ascii : COST.ascii;
  };
  const characterClass = (): number => {
    index += 1;
    let wide = source[index] === "^";
    let total = 0;
    if (wide) index += 1;
    while (index < source.length && source[index] !== "]") {
      if (source[index] === "\\") {
        const part = escape(true);
        if (part === COST.property) total += COST.property;
        else if (part > COST.asciiClass) wide = true;
      } else {
        if (source.codePointAt(index)! > 0x7f) wide = true;
        index += source.codePointAt(index)! > 0xffff ? 2 : 1;
      }
    }
    index += 1;
    return total + (wide ? COST.wideClass : COST.asciiClass);
  };
  const atom = (): number => {
    const char = source[index]!;
    if (char === "(") {
      index += 1;
      if (source[index] === "?") {
        const named = /^\?<(?![=!])[^>]*>/.exec(source.slice(index));
        index += named ? named[0].length : 2;
      }
      const inner = alternation();
      index += 1;
      return inner;
    }
    if (char === "[") return characterClass();
    if (char === "\\") return escape(false);
    if (char === ".") {
      index += 1;
      return COST.wideClass;
    }
    const wide = source.codePointAt(index)! > 0x7f;
    index += source.codePointAt(index)! > 0xffff ? 2 : 1;
    return wide ? COST.nonAscii : COST.ascii;
  };
  let total = 0;
  while (index < source.length) {
    total += alternation();
    if (source[index] === ")") index += 1; // an unbalanced ")" cannot occur in a valid pattern; never loop on one
  }
  return total;
}
