/**
 * Keyword rules: the comparer fails closed. The IR models a subset of JSON Schema, and a keyword
 * outside it — or one the reader passes over because of a sibling, such as `maxLength` beside
 * `enum` — can reject documents without changing the IR. Rather than call such a pair compatible,
 * every keyword either schema holds that SchemaReader did not account for is a finding that breaks
 * both directions, whatever else changed.
 */
import type { UnreadKeyword } from "../../ir/schema-keywords.js";
import type { DocumentRule } from "../rule.js";

type Side = "previous" | "current" | "both";

function message(subject: string, side: Side, unread: UnreadKeyword): string {
  const who = side === "both" ? `Both schemas of "${subject}" use` : `The ${side} schema of "${subject}" uses`;
  const why = unread.reason === undefined ? "" : ` (${unread.reason})`;
  return `${who} keyword "${unread.keyword}" at "${unread.pointer}", which the comparer does not model there${why}; compatibility cannot be decided.`;
}

export const UNSUPPORTED_KEYWORD: DocumentRule = {
  id: "UNSUPPORTED_KEYWORD",
  family: "keyword",
  purpose: "A schema holds a JSON Schema keyword the comparer does not model where it stands: the change cannot be judged, so it fails closed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    const key = (unread: UnreadKeyword): string => `${unread.pointer}\u0000${unread.reason ?? ""}`;
    const inCurrent = new Set(current.map(key));
    const inPrevious = new Set(previous.map(key));
    const sides: Array<[UnreadKeyword, Side]> = [
      ...previous.map((unread): [UnreadKeyword, Side] => [unread, inCurrent.has(key(unread)) ? "both" : "previous"]),
      ...current.filter((unread) => !inPrevious.has(key(unread))).map((unread): [UnreadKeyword, Side] => [unread, "current"]),
    ];
    for (const [unread, side] of sides) {
      context.report({ rule: this.id, message: message(context.subject, side, unread), breaks: ["backward", "forward"], path: unread.pointer });
    }
  },
};

export const keywordRules: DocumentRule[] = [UNSUPPORTED_KEYWORD];
