/**
 * Stream entry IDs and the replies of XREAD and XINFO STREAM as the Streams transport reads them —
 * RESP2 arrays, RESP3 maps, either client's shapes — and the gap rules over them (see streams.ts,
 * "Gap check").
 */
import { messageOf } from "../../core/errors.js";

/** The field of a stream entry that carries the serialized envelope. */
export const STREAM_ENVELOPE_FIELD = "envelope";

/** What XINFO STREAM says of a stream, as the gap check reads it. */
export interface StreamInfo {
  /** The oldest entry kept. */
  readonly first: string | undefined;
  /** The newest entry ID ever given out. */
  readonly last: string | undefined;
  /** Entries ever added (Redis 7). */
  readonly added: number | undefined;
  readonly length: number | undefined;
}

/** The position before every entry: a read from it returns the whole stream. */
export const START = "0-0";

/** Orders two entry IDs (`<ms>-<seq>`, each a decimal of any length) numerically. */
export function comparePositions(a: string, b: string): number {
  const [aMs = "", aSeq = ""] = a.split("-");
  const [bMs = "", bSeq = ""] = b.split("-");
  return compareDecimal(aMs, bMs) || compareDecimal(aSeq, bSeq);
}

function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A reply item as text (both clients give strings; RESP3 may give numbers). */
export function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

export interface Entry {
  readonly id: string;
  /** Field/value pairs, flat. */
  readonly fields: readonly unknown[];
}

/** Key/value pairs of a map reply: RESP2 `[[k, v], …]`, RESP3 as a flat `[k, v, …]` (ioredis 6), a `Map`, or an object. */
function pairsOf(reply: unknown): [unknown, unknown][] {
  if (reply instanceof Map) return [...(reply as Map<unknown, unknown>)];
  if (typeof reply !== "object" || reply === null) return [];
  if (!Array.isArray(reply)) return Object.entries(reply);
  const pairs: [unknown, unknown][] = [];
  if (reply.every((item) => Array.isArray(item))) for (const pair of reply as unknown[][]) pairs.push([pair[0], pair[1]]);
  else for (let index = 0; index + 1 < reply.length; index += 2) pairs.push([reply[index], reply[index + 1]]);
  return pairs;
}

/** The entries of each stream in an XREAD reply. */
export function parseRead(reply: unknown): Map<string, Entry[]> {
  const batches = new Map<string, Entry[]>();
  const pairs = pairsOf(reply);
  for (const [key, rawEntries] of pairs) {
    if (!Array.isArray(rawEntries)) continue;
    const entries: Entry[] = [];
    for (const raw of rawEntries) {
      if (!Array.isArray(raw)) continue;
      entries.push({ id: text(raw[0]), fields: Array.isArray(raw[1]) ? (raw[1] as unknown[]) : [] });
    }
    if (entries.length > 0) batches.set(text(key), entries);
  }
  return batches;
}

/** A field of an XINFO STREAM reply (RESP2 flat array, or a RESP3 map). */
function infoField(reply: unknown, name: string): unknown {
  if (reply instanceof Map) return (reply as Map<unknown, unknown>).get(name);
  if (Array.isArray(reply)) {
    for (let index = 0; index + 1 < reply.length; index += 2) if (text(reply[index]) === name) return reply[index + 1];
    return undefined;
  }
  return typeof reply === "object" && reply !== null ? (reply as Record<string, unknown>)[name] : undefined;
}

export function readInfo(reply: unknown): StreamInfo {
  const number = (name: string): number | undefined => {
    const value = infoField(reply, name);
    return value === undefined || value === null ? undefined : Number(value);
  };
  const id = (name: string): string | undefined => {
    const value = infoField(reply, name);
    return value === undefined || value === null ? undefined : text(value);
  };
  const firstEntry = infoField(reply, "first-entry");
  return {
    first: id("recorded-first-entry-id") ?? (Array.isArray(firstEntry) ? text(firstEntry[0]) : undefined),
    last: id("last-generated-id"),
    added: number("entries-added"),
    length: number("length"),
  };
}

/** What XINFO STREAM says of a key that holds no stream yet: nothing added, nothing kept. */
export const NO_STREAM: StreamInfo = { first: undefined, last: START, added: 0, length: 0 };

export const isNoSuchKey = (error: unknown): boolean => /no such key/i.test(messageOf(error));

/**
 * Is this a stream other than the one a reader at `after` read before (deleted, flushed, evicted or
 * lost in a restart without persistence, then created anew)? A stream never received fewer entries
 * than a reader of it has seen, and never gave out an ID below one it delivered.
 */
export function recreated(info: StreamInfo, after: string, seen: number | undefined): boolean {
  if (seen !== undefined && info.added !== undefined && info.added < seen) return true;
  return info.last !== undefined && comparePositions(info.last, after) < 0;
}

/**
 * Were entries after `after` trimmed away? Not when `after` is within what is kept. Otherwise, when
 * the cursor knows how many entries it has seen, every entry up to `after` was trimmed, so exactly
 * that many were when nothing after it was: a different count (an XDEL counts as trimmed, so this errs
 * towards a gap; fewer can only be another stream) is a gap. Without that count (a `from` position;
 * Redis before 7), a position older than the oldest entry kept is a gap.
 */
export function trimmedAfter(info: StreamInfo, after: string, seen: number | undefined): boolean {
  if (info.first === undefined || comparePositions(info.first, after) <= 0) return false;
  if (seen === undefined || info.added === undefined || info.length === undefined) return true;
  return info.added - info.length !== seen;
}

export function envelopeText(entry: Entry): string | undefined {
  for (let index = 0; index + 1 < entry.fields.length; index += 2) {
    if (text(entry.fields[index]) === STREAM_ENVELOPE_FIELD) return text(entry.fields[index + 1]);
  }
  return undefined;
}

/**
 * Is this refusal of a read about the key it names (the read of other keys would succeed)? Redis
 * answers WRONGTYPE for a key of another type, ERR for an ID it cannot parse, NOPERM for a key an ACL
 * hides; LOADING, BUSY and the like concern the whole server and are waited out instead.
 */
export function refusesKey(error: unknown): boolean {
  return /^(WRONGTYPE|ERR|NOPERM)\b/.test(messageOf(error));
}
