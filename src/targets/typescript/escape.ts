/**
 * The one way user text reaches the TypeScript SDK. Descriptions, defaults, enum values, literals,
 * field names, record keys, patterns, event names and paths are schema authors' text, and any of
 * them may hold `*\/`, quotes, backslashes, line terminators, control characters or a lone
 * surrogate. Each place such text lands has one function here:
 *
 *   tsString    a string literal, in value or type position: `"…"`
 *   tsValue     a JSON value (shapes, metadata) as an expression: strings through `tsString`
 *   jsonText    a JSON value as a string literal of its JSON text, for `JSON.parse`: `'{…}'`
 *   tsRegExp    a regular expression literal for a pattern: `/…/u`
 *   docComment  a `/** … *\/` block, one source line per element
 *
 * Identifiers are derived in names.ts (only ASCII identifier characters survive there; a property
 * key that is not an identifier is quoted with `tsString`).
 *
 * What the SDK must not contain raw, in any context: line terminators inside a literal (LF, CR,
 * U+2028, U+2029 — the last two end a `//` comment too), characters no reader sees (C0/C1
 * controls, DEL, U+FEFF) and bidirectional controls (the "Trojan Source" characters), and lone
 * surrogates, which cannot be written to a UTF-8 file at all: each would silently become U+FFFD.
 */

/** Characters written as an escape wherever they occur: in literals as `\uXXXX`, in comments visibly. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The INVISIBLE characters JSON.stringify leaves raw: it escapes C0 controls and lone surrogates
 * itself (as `\u`, which tsValue checks for separately).
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** Printable ASCII other than `"` and `\`: needs no escape in a string literal. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The short escapes JSON and JavaScript share; everything else invisible is `\uXXXX`. */
const SHORT: Record<string, string> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };

const unicodeEscape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * A double-quoted string literal holding exactly `text`. Ordinary text reads as JSON.stringify
 * writes it; invisible characters, line terminators and lone surrogates are `\u` escapes.
 */
export function tsString(text: string): string {
  // Most text is printable ASCII without quotes or backslashes: written as it is.
  if (PLAIN.test(text)) return `"${text}"`;
  return `"${text.replace(/["\\]/g, "\\$&").replace(INVISIBLE, (char) => SHORT[char] ?? unicodeEscape(char))}"`;
}

/**
 * A JSON value as a TypeScript expression (also valid as a literal type for scalars), laid out as
 * `JSON.stringify` lays it out with no indentation; every string, keys included, is a `tsString`,
 * and a `__proto__` key is written computed (`["__proto__"]`), since a quoted `__proto__` key in an
 * object literal sets the object's prototype instead of a property.
 */
export function tsValue(value: unknown): string {
  const json = JSON.stringify(value);
  // JSON text is already that expression when every escape in it is one tsString writes alike
  // (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`, `\r`), nothing invisible stands raw in it and no key is
  // `__proto__`. Any doubt: the exact form below.
  if (json !== undefined && !json.includes("\\u") && !json.includes('"__proto__"') && !RAW_IN_JSON.test(json)) return json;
  return exactValue(value);
}

/**
 * A single-quoted string literal holding `JSON.stringify(value)`, for `JSON.parse(…)`. Data that is
 * only ever read as JSON (the published JSON Schemas) is written this way so the type checker sees
 * one string, not an object literal whose type it would have to build property by property. JSON
 * text has no `'`, only `\` and the INVISIBLE characters it leaves raw need an escape; a
 * `__proto__` key stays an own property, as JSON.parse defines it.
 */
export function jsonText(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`eventc bug: ${typeof value} is not a JSON value`);
  return jsonPiece(json);
}

/**
 * A single-quoted string literal holding `text`, a piece of JSON text (made by JSON.stringify), as
 * `jsonText` writes it: long JSON text is written as such pieces joined by `+`, one entry a line.
 */
export function jsonPiece(text: string): string {
  return `'${text.replace(/['\\]/g, "\\$&").replace(INVISIBLE, unicodeEscape)}'`;
}

/** tsValue, value by value. */
function exactValue(value: unknown): string {
  if (typeof value === "string") return tsString(value);
  if (value === null || typeof value === "boolean" || typeof value === "number") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : exactValue(item))).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${key === "__proto__" ? `[${tsString(key)}]` : tsString(key)}:${exactValue(item)}`).join(",")}}`;
  }
  throw new Error(`eventc bug: ${typeof value} is not a JSON value`);
}

/**
 * A regular expression literal that means what `new RegExp(source, flags)` means. `/` is escaped,
 * line terminators, invisible characters and lone surrogates are written as escapes (an escaped
 * one — `\` before the character itself — too: in a literal it could not stand raw). Lone
 * surrogates take the `\u{…}` form under the `u` flag, so an escape never pairs with a
 * `\uDC00` that follows it.
 */
export function tsRegExp(source: string, flags: string): string {
  const unicode = flags.includes("u") || flags.includes("v");
  const escape = (char: string): string => {
    const code = char.charCodeAt(0);
    if (SHORT[char] !== undefined && char !== "\b") return SHORT[char]!;
    const hex = code.toString(16).toUpperCase().padStart(4, "0");
    return unicode && code >= 0xd800 && code <= 0xdfff ? `\\u{${hex}}` : `\\u${hex}`;
  };
  const body = source.replace(new RegExp(`\\\\?(?:${INVISIBLE.source})|\\\\(?:[\\ud800-\\udbff][\\udc00-\\udfff]|[\\s\\S])|/`, "g"), (match) => {
    if (match === "/") return "\\/";
    const char = match.startsWith("\\") ? match.slice(1) : match;
    return new RegExp(`^(?:${INVISIBLE.source})$`).test(char) ? escape(char) : match;
  });
  return `/${body === "" ? "(?:)" : body}/${flags}`;
}

/**
 * A JSDoc block for `text`, as source lines: `/** text *\/` for one line, the starred form for
 * more. Lines break at every line terminator (CRLF, CR, LF, U+2028, U+2029). A comment terminator
 * in the text is written with a backslash before its slash, which Markdown renders as the two
 * characters again; invisible characters and lone surrogates appear as their `\uXXXX` escape.
 */
export function docComment(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\u2028\u2029]/).map((line) => line.replace(/\*\//g, "*\\/").replace(INVISIBLE, (char) => (char === "\t" ? char : unicodeEscape(char))));
  if (lines.length === 1) return [`/** ${lines[0]} */`];
  return ["/**", ...lines.map((line) => (line === "" ? " *" : ` * ${line}`)), " */"];
}
