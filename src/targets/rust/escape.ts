/**
 * The one way user text reaches the Rust crate. Descriptions, defaults, enum values, literals,
 * field names, record keys, patterns, event names and coalesce paths are schema authors' text, and
 * any of them may hold quotes, backslashes, line terminators, control characters or a lone
 * surrogate. Each place such text lands has one function here:
 *
 *   rustString        a string literal, also in attributes (`#[serde(rename = …)]`, `tag`, …)
 *   docComment        `///` (or `//!`) lines: one per line of text, Markdown made inert where it
 *                     would break the build, rustdoc or clippy
 *   docJson           a JSON value as a Markdown code span inside a doc comment
 *   rustTextProblem   why a text has no Rust `String` form (lowering turns it into an EventcError)
 *   withoutLiterals   source minus comments and literals, for finding which names code uses
 *
 * Identifiers are derived in names.ts: only ASCII letters, digits and `_` survive there.
 *
 * Rust escapes are not JSON's: `\u{7}` not `\u0007`, and no `\b`, `\f` or `\/`. A Rust `String`
 * holds Unicode scalar values only, so a lone surrogate has no literal at all. rustc rejects a bare
 * CR in any literal or doc comment and, by default, bidirectional controls anywhere in the source.
 */

/**
 * Characters never written raw: C0 and C1 controls, DEL, line and paragraph separators, U+FEFF,
 * bidirectional controls, and lone surrogates.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const SHORT: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0" };

const unicodeEscape = (char: string): string => `\\u{${char.charCodeAt(0).toString(16)}}`;

/**
 * `text` with every character that cannot be shown as it is (see INVISIBLE) written as its Rust
 * escape, e.g. `\u{d800}`: for messages and doc comments, where it must stay visible.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, unicodeEscape);
}

/** Why `text` cannot be a Rust string, or undefined when it can. */
export function rustTextProblem(text: string): string | undefined {
  const lone = LONE_SURROGATE.exec(text);
  if (lone === null) return undefined;
  return `it contains a lone surrogate (U+${lone[0].charCodeAt(0).toString(16).toUpperCase()}), which a Rust String cannot hold`;
}

/**
 * A Rust string literal holding exactly `text`: plain `"…"` when nothing needs escaping, a raw
 * string (`r#"…"#`, with as many `#` as the text requires) when only quotes and backslashes do —
 * patterns read better that way — and an escaped literal otherwise. Lowering has already refused
 * texts with a lone surrogate (rustTextProblem); meeting one here is a bug.
 */
export function rustString(text: string): string {
  const problem = rustTextProblem(text);
  if (problem !== undefined) throw new Error(`eventc bug: ${JSON.stringify(text)} reached a Rust literal, but ${problem}`);
  const invisible = new RegExp(INVISIBLE.source).test(text);
  if (!invisible && !/["\\]/.test(text)) return `"${text}"`;
  if (!invisible) {
    let hashes = "";
    while (text.includes(`"${hashes}`)) hashes += "#";
    return `r${hashes}"${text}"${hashes}`;
  }
  return `"${text.replace(/["\\]/g, "\\$&").replace(INVISIBLE, (char) => SHORT[char] ?? unicodeEscape(char))}"`;
}

/**
 * `source` with comment lines and string literals (escaped and raw) emptied: what is left is code,
 * in which a name's presence means the code uses it.
 */
export function withoutLiterals(source: string): string {
  return source.replace(/^\s*\/\/.*$/gm, "").replace(/(?<![A-Za-z0-9_])r(#*)"[\s\S]*?"\1|"(?:[^"\\]|\\[\s\S])*"/g, '""');
}

/** A Markdown code span holding `text`, fenced with more backticks than any run inside it. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A JSON value as a code span for a doc comment; line terminators and invisible characters stay JSON escapes. */
export function docJson(value: unknown): string {
  const json = JSON.stringify(value).replace(INVISIBLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return codeSpan(json);
}

/**
 * Doc comment lines (`/// …`, or `//! …` for inner docs) for raw `lines` of text, which may hold
 * further line breaks. See `docMarkdown` for what is changed; an empty result means no docs.
 */
export function docComment(lines: readonly string[], indent: string, marker: "///" | "//!" = "///"): string[] {
  return docMarkdown(lines).map((line) => (line === "" ? `${indent}${marker}` : `${indent}${marker} ${line}`));
}

/**
 * Text as rustdoc Markdown that cannot break the crate or its lints:
 * - one line per line of text, broken at CRLF, CR, LF, U+2028 and U+2029 (rustc rejects a bare CR,
 *   and one `///` per line is the only form a line break can take);
 * - invisible characters and lone surrogates shown as their escapes (`\u{7}`), tabs as spaces
 *   (`tabs_in_doc_comments`), trailing white space dropped, blank lines at either end dropped
 *   (`empty_docs`);
 * - outside code spans: `\`, brackets and stray backticks escaped (no intra-doc links, no code
 *   spans running across lines), `<` and `>` as entities (no HTML, no block quotes), bare URLs
 *   wrapped in `<…>` (`rustdoc::bare_urls`);
 * - no code blocks, which rustdoc would compile as Rust: fences are escaped, and indentation is
 *   set from the list structure — a line inside a list item is indented to exactly the item's
 *   content column (`doc_lazy_continuation`, `doc_overindented_list_items`), any other line not at
 *   all.
 */
function docMarkdown(lines: readonly string[]): string[] {
  const split = lines.flatMap((line) => line.split(/\r\n|[\n\r\u2028\u2029]/)).map((line) => visibleText(line.replace(/\t/g, "    ")).trimEnd());
  while (split[0] === "") split.shift();
  while (split.at(-1) === "") split.pop();
  const out: string[] = [];
  /** Content columns of the list items open at this line, innermost last. */
  const items: number[] = [];
  /** The previous line is paragraph text, so this line may be its (lazy) continuation. */
  let inParagraph = false;
  for (const line of split) {
    if (line === "") {
      out.push("");
      inParagraph = false;
      continue;
    }
    const indent = /^ */.exec(line)![0].length;
    let body = line.slice(indent);
    const item = listItem(body, inParagraph);
    if (item === undefined && inParagraph && !interruptsParagraph(body)) {
      // Paragraph continuation: inside the innermost open item, at exactly its content column.
      out.push(" ".repeat(items.at(-1) ?? 0) + inline(body));
      continue;
    }
    while (items.length > 0 && indent < items.at(-1)!) items.pop();
    const column = items.at(-1) ?? 0;
    let prefix = " ".repeat(column);
    // An item's content may open another item on the same line (`- - a`).
    for (let next = item, at = column; next !== undefined; next = listItem(body, false)) {
      prefix += `${next.marker} `;
      at += next.marker.length + 1;
      items.push(at);
      body = next.content;
    }
    out.push((prefix + inline(body)).trimEnd());
    inParagraph = body !== "" && !/^(#{1,6}( |$)|([-*_])( *\3){2,} *$|-+$|=+$)/.test(body);
  }
  return out;
}

/** A list item marker at the start of `body` (indentation removed) and the text after it. */
function listItem(body: string, interrupting: boolean): { marker: string; content: string } | undefined {
  const match = /^([-+*]|(\d{1,9})[.)])(?: +|$)/.exec(body);
  if (match === null) return undefined;
  const content = body.slice(match[0].length);
  // A thematic break (`- - -`, `***`) is not an item.
  if (/^([-*_])( *\1){2,} *$/.test(body)) return undefined;
  // After paragraph text, only a non-empty item (ordered ones starting at 1) starts a list.
  if (interrupting && (content === "" || (match[2] !== undefined && match[2] !== "1"))) return undefined;
  return { marker: match[1]!, content };
}

/** Lines that end the paragraph above rather than continue it (fences are escaped: they do not). */
function interruptsParagraph(body: string): boolean {
  return /^(#{1,6}( |$)|([-*_])( *\3){2,} *$|=+$)/.test(body);
}

/**
 * One line's inline Markdown made inert where it would be read as a link, HTML, a bare URL, an
 * unclosed code span or a code fence. Code spans (a backtick run closed by one of the same length)
 * stay as written; an unclosed backtick run is escaped, which also defuses a ``` fence.
 */
function inline(text: string): string {
  const line = inlineSpans(text);
  return line.startsWith("~~~") ? `\\${line}` : line;
}

function inlineSpans(text: string): string {
  let out = "";
  let at = 0;
  while (at < text.length) {
    const tick = text.indexOf("`", at);
    if (tick === -1) break;
    const run = /^`+/.exec(text.slice(tick))![0];
    const close = findRun(text, tick + run.length, run.length);
    out += plain(text.slice(at, tick));
    if (close === -1) {
      out += "\\`".repeat(run.length);
      at = tick + run.length;
    } else {
      out += text.slice(tick, close + run.length);
      at = close + run.length;
    }
  }
  return out + plain(text.slice(at));
}

/** Index of the next run of exactly `length` backticks at or after `from`, or -1. */
function findRun(text: string, from: number, length: number): number {
  const runs = /`+/g;
  runs.lastIndex = from;
  for (let match = runs.exec(text); match !== null; match = runs.exec(text)) {
    if (match[0].length === length) return match.index;
  }
  return -1;
}

/** Text outside code spans: URLs wrapped in `<…>`, backslashes and brackets escaped, `<` and `>` as entities. */
function plain(text: string): string {
  return text.replace(/https?:\/\/[^\s<>)[\]\\`]+|[\\[\]<>]/g, (match) => {
    if (match.length > 1) return `<${match}>`;
    return match === "<" ? "&lt;" : match === ">" ? "&gt;" : `\\${match}`;
  });
}
