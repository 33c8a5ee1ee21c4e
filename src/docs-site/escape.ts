/**
 * The one way user text reaches the docs site's HTML. Event names, descriptions, field names,
 * enum values, literals, defaults, patterns, named type ids, finding messages and file names are
 * schema authors' text (or derived from it) and may hold `<script>`, `</style>`, quotes,
 * ampersands, line terminators, control or bidirectional characters, or a lone surrogate.
 *
 * `escapeHtml` is safe in both contexts the pages use:
 *   - element text (`<p>…</p>`, `<code>…</code>`, `<pre>…</pre>`);
 *   - a double- or single-quoted attribute value (`title="…"`, `data-search="…"`, `href="…"`).
 * It is never used for an unquoted attribute, inside `<script>` or `<style>` (no user text goes
 * there: the script and the stylesheet are constants), nor for a URL scheme (hrefs are built from
 * relative paths by `relativeHref`, whose segments are escaped here too).
 *
 * Characters no reader sees — C0 and C1 controls other than tab and line feed, DEL, U+FEFF, the
 * bidirectional controls (the "Trojan Source" characters), U+2028/U+2029 — and lone surrogates
 * (which cannot be written as UTF-8 at all and would silently become U+FFFD) are shown visibly as
 * `\uXXXX`, so a page shows what the schema says rather than being reordered or hidden by it.
 */

/** Markup characters and their references. `'` too: attribute values may be single-quoted. */
const MARKUP: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const SPECIAL =
  /[&<>"']|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text that needs no escape at all: most names and descriptions, returned as they are. */
const PLAIN = /^[^&<>"'\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]*$/;

const visible = (char: string): string => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;

/** `text` as HTML element text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.replace(SPECIAL, (char) => MARKUP[char] ?? visible(char));
}

/**
 * A relative link from the page at `fromPage` to `toFile` (both paths inside the site, "/"
 * separated), with an optional fragment, escaped for an attribute value. Each path segment is
 * percent-encoded, so no segment can become a scheme (`javascript:`) or leave the site.
 */
export function relativeHref(fromPage: string, toFile: string, fragment?: string): string {
  const from = fromPage.split("/").slice(0, -1);
  const to = toFile.split("/");
  let shared = 0;
  while (shared < from.length && shared < to.length - 1 && from[shared] === to[shared]) shared++;
  const segments = [...from.slice(shared).map(() => ".."), ...to.slice(shared).map((segment) => encodeURIComponent(segment))];
  const target = segments.join("/") || encodeURIComponent(to.at(-1) ?? "");
  return escapeHtml(fragment === undefined ? target : `${target}#${encodeFragment(fragment)}`);
}

/** A fragment as a URL writes it: characters outside the fragment's set percent-encoded. */
export function encodeFragment(fragment: string): string {
  return encodeURI(fragment).replace(/#/g, "%23");
}

/**
 * An element id for user text (a named type's id): `prefix` + the text when it is plain ASCII that
 * reads the same in a URL and starts with a letter or `_`, else `prefix` + `fallback` (a number,
 * unique among the fallbacks, that no kept text can equal since it starts with a digit).
 */
export function safeId(prefix: string, text: string, fallback: number): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,79}$/.test(text) ? `${prefix}${text}` : `${prefix}${fallback}`;
}

/** A JSON Pointer segment (RFC 6901): `~` and `/` escaped. Not HTML: escape the pointer as text where it is shown. */
export function jsonPointerSegment(text: string): string {
  return text.replace(/~/g, "~0").replace(/\//g, "~1");
}
