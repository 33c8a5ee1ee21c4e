/**
 * The late-joiner snapshot kept in Redis, shared by every SSE server instance:
 * `createRedisSnapshotStore({ client, prefix?, maxKeys?, ttl?, clockSkew?, binding? })`, over an
 * ioredis (5, 6) or node-redis (4 and later) connection the application created — recognised
 * structurally; this file imports no Redis client.
 *
 * Guarantee: THE LATEST WINS, WHATEVER ORDER WRITES ARRIVE IN. Each key (a channel and a coalesce
 * key) keeps the envelope with the greatest `snapshotOrder` (envelope time, then id): a write compares
 * with what is stored and replaces it only when newer, inside one Lua script, so instances that
 * receive events in different orders, or late, never put an older envelope over a newer one and all
 * converge on the same entry. The time is the publisher's clock: across publishers, "latest" is as
 * good as their clocks agree — and a clock far ahead is bounded: a time more than `clockSkew` (default
 * `sseDefaults.snapshotClockSkew`, 5 minutes) ahead of the recording process's clock orders as that
 * clock plus `clockSkew`, so an envelope stamped a year ahead holds its key against newer envelopes for
 * `clockSkew` at most. A read that follows records made through the same store object sees them (it
 * waits for their write).
 *
 * Layout, under `prefix` (default `eventc:snapshot:`):
 *   <prefix>c:<channel>  HASH   coalesce key → `<order>\n<envelope JSON>`, one hash per channel
 *                                (`<name>` or `<name>:<topic>`)
 *   <prefix>n:<name>     SET    the channels of event `<name>` that hold keys
 *   <prefix>names        SET    the event names that hold keys (as many as the catalogue has, at most)
 *   <prefix>keys         ZSET   `<channel>\n<coalesce key>` scored by the Redis time (ms) of its last update
 *
 * Cost of a read: one script, one round trip, touching only what the selection covers — per
 * selected event name with topics, one HGETALL per topic (`c:<name>:<topic>`); without topics, the
 * name's channel SET and one HGETALL per channel in it; a wildcard (`*`, `<domain>.*`) adds one
 * SMEMBERS of `names`. So the work is the selected names times their topics (or their channels), plus
 * the entries returned — never the number of keys or channels in the store. A write costs its entries
 * (plus, past `maxKeys` or `ttl`, the keys it removes).
 *
 * What a read gets back is hostile input: anyone who can write to Redis can write these keys. An
 * entry is handed on only when its JSON holds no line break (which would end the SSE frame early) and
 * is an envelope of its channel — with `binding` (the catalogue), one that `parseEnvelope` accepts,
 * of the channel's event and topic, stored under its own coalesce key; without it, a structural check:
 * a JSON object with an id by the id grammar, an RFC 3339 UTC time, the channel's topic and an event
 * `{ type: "<name>.v<N>", payload }` (the payload is not validated). Anything else is skipped and
 * reported to `onError` (`message-undecodable`, `message-invalid`, `message-unknown-type`,
 * `message-wrong-channel`, with the channel). A read returns at most `maxKeys` entries; past that the
 * rest are left out and reported (`snapshot-failed`).
 *
 * Bounds: at most `maxKeys` keys (default `sseDefaults.snapshotKeys`, 10,000) across the store; the
 * write that goes over removes the keys updated longest ago (by the Redis clock). With `ttl`, a key not
 * updated for `ttl` ms is removed (by the next write or read), and the whole store expires when nothing
 * is written for that long. In this process, records wait while one write is in flight, merged per key
 * (the newest kept) and at most `maxKeys` of them: under a flood the store writes once per round trip.
 *
 * Scripts go by EVALSHA after one SCRIPT LOAD each, loaded again when the server answers NOSCRIPT (a
 * restart, SCRIPT FLUSH). Redis 5 or later (ZPOPMIN). Redis Cluster is not supported: a write may
 * remove keys of other channels, which a script cannot declare in advance.
 *
 * Failures: a write that fails is reported to `onError` (`snapshot-failed`) and its records'
 * promises reject; a read that fails rejects (the SSE handler refuses or ends that connection).
 */
import { ENVELOPE_TIME, isWireId, readJsonText, type EnvelopeParseResult } from "../../wire.js";
import type { AnyEvent } from "../core/binding.js";
import { BusError, describeIssues, messageOf, type BusErrorCode } from "../core/errors.js";
import { logError } from "../core/platform.js";
import { positiveInteger, sseDefaults } from "../core/policies.js";
import {
  snapshotEntryOf,
  snapshotMatcher,
  snapshotOrder,
  type SnapshotCatalogue,
  type SnapshotEntry,
  type SnapshotItem,
  type SnapshotQuery,
  type SnapshotStore,
} from "./snapshot.js";
import { channelName } from "../transports/transport.js";

/** The part of an ioredis connection (ioredis 5 and 6, not a Cluster) the store uses. */
export interface IoRedisScriptConnection {
  readonly isCluster?: boolean;
  call(command: string, args: string[]): Promise<unknown>;
}

/** The part of a node-redis client (node-redis 4 and later, not a cluster) the store uses. */
export interface NodeRedisScriptConnection {
  /** Absent on a cluster, which the store does not support. */
  readonly isReady?: boolean;
  sendCommand(args: string[]): Promise<unknown>;
}

/** A connection of either client, as the application created it. */
export type RedisScriptConnection = IoRedisScriptConnection | NodeRedisScriptConnection;

export interface RedisSnapshotStoreOptions {
  /** The connection for the store's scripts; it may be shared (with a transport's `client`, say). The store never closes it. */
  readonly client: RedisScriptConnection;
  /** Put in front of every key. Default `"eventc:snapshot:"`. */
  readonly prefix?: string;
  /** Keys kept across the store; the write that goes over removes those updated longest ago. Default `sseDefaults.snapshotKeys` (10,000). */
  readonly maxKeys?: number;
  /** Milliseconds a key is kept after its last update. Default: until `maxKeys` removes it. */
  readonly ttl?: number;
  /** Entries one script call writes. Default `sseDefaults.snapshotWriteBatch` (500). */
  readonly writeBatch?: number;
  /**
   * Milliseconds an envelope's time may be ahead of this process's clock and still order as it is;
   * a time further ahead orders as now plus this. Default `sseDefaults.snapshotClockSkew` (300,000: 5 minutes).
   */
  readonly clockSkew?: number;
  /**
   * The catalogue (the generated `binding`): what is read back must be an envelope `parseEnvelope`
   * accepts, of its channel's event and topic, under its own coalesce key. Default: a structural
   * check (an envelope of the channel's event name and topic; the payload unchecked).
   */
  readonly binding?: SnapshotEnvelopeCatalogue;
  /** Writes that failed, and entries read back that were skipped. Default: the console. */
  readonly onError?: (error: BusError) => void;
}

/** What the store reads of the catalogue to check what it reads back: the generated `binding` has it. */
export interface SnapshotEnvelopeCatalogue extends SnapshotCatalogue {
  parseEnvelope(input: unknown): EnvelopeParseResult<AnyEvent>;
}

export const REDIS_SNAPSHOT_PREFIX = "eventc:snapshot:";

// ---- Scripts --------------------------------------------------------------------------------------

/**
 * Shared by both scripts. KEYS[1] the update-order ZSET, KEYS[2] the event-name SET; ARGV[1] the
 * channel-hash key prefix, ARGV[2] the name-index key prefix, ARGV[3] the ttl (0: none). A channel's
 * event name is what comes before its first `:`. Orders compare byte by byte: Lua's `<` on strings
 * follows the server's locale.
 */
const LUA_COMMON = `
local order_key, names_key = KEYS[1], KEYS[2]
local hashes, by_name, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function newer(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local function name_of(channel)
  local colon = string.find(channel, ':', 1, true)
  if colon then return string.sub(channel, 1, colon - 1) end
  return channel
end
local function drop(member)
  local channel, field = string.match(member, '^(.*)\\n([^\\n]*)$')
  if channel == nil then return end
  local hash = hashes .. channel
  redis.call('HDEL', hash, field)
  if redis.call('HLEN', hash) == 0 then
    local name = name_of(channel)
    redis.call('SREM', by_name .. name, channel)
    if redis.call('SCARD', by_name .. name) == 0 then redis.call('SREM', names_key, name) end
  end
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function expire(now)
  if ttl <= 0 then return end
  local old = redis.call('ZRANGEBYSCORE', order_key, '-inf', now - ttl)
  for _, member in ipairs(old) do drop(member) end
  if #old > 0 then redis.call('ZREMRANGEBYSCORE', order_key, '-inf', now - ttl) end
end
`;

/**
 * Records entries, each only when newer than what its key holds. KEYS[3…] one channel hash per entry;
 * ARGV after the common ones: maxKeys, then per entry: coalesce key, order, envelope JSON.
 * Returns { entries written, keys kept }.
 */
const LUA_WRITE = `${LUA_COMMON}
local max_keys = tonumber(ARGV[4])
local now = now_ms()
expire(now)
local written = 0
for i = 3, #KEYS do
  local a = 5 + (i - 3) * 3
  local field, order = ARGV[a], ARGV[a + 1]
  local old = redis.call('HGET', KEYS[i], field)
  local cut = old and string.find(old, '\\n', 1, true)
  if not cut or newer(order, string.sub(old, 1, cut - 1)) then
    local channel = string.sub(KEYS[i], #hashes + 1)
    local name = name_of(channel)
    redis.call('HSET', KEYS[i], field, order .. '\\n' .. ARGV[a + 2])
    redis.call('ZADD', order_key, now, channel .. '\\n' .. field)
    redis.call('SADD', by_name .. name, channel)
    redis.call('SADD', names_key, name)
    if ttl > 0 then
      redis.call('PEXPIRE', KEYS[i], ttl)
      redis.call('PEXPIRE', by_name .. name, ttl)
    end
    written = written + 1
  end
end
local size = redis.call('ZCARD', order_key)
if size > max_keys then
  local popped = redis.call('ZPOPMIN', order_key, size - max_keys)
  for j = 1, #popped, 2 do drop(popped[j]) end
  size = max_keys
end
if ttl > 0 and written > 0 then
  redis.call('PEXPIRE', order_key, ttl)
  redis.call('PEXPIRE', names_key, ttl)
end
return { written, size }
`;

/**
 * Reads a selection, touching only the channels it covers. ARGV after the common ones: the most
 * entries to return, the number of selectors and the selectors (`*`, `<domain>.*`, names), the number
 * of topics (-1: every topic, unscoped events included) and the topics (distinct).
 * Returns { keys kept, { channel, coalesce key, stored value, … }, 1 when entries were left out }.
 */
const LUA_READ = `${LUA_COMMON}
expire(now_ms())
local max_entries, selectors = tonumber(ARGV[4]), tonumber(ARGV[5])
local selected, names, prefixes = {}, {}, {}
local function select(name)
  if not selected[name] then
    selected[name] = true
    names[#names + 1] = name
  end
end
for i = 6, 5 + selectors do
  local s = ARGV[i]
  if s == '*' then prefixes[#prefixes + 1] = ''
  elseif string.sub(s, -2) == '.*' then prefixes[#prefixes + 1] = string.sub(s, 1, -2)
  else select(s) end
end
if #prefixes > 0 then
  for _, name in ipairs(redis.call('SMEMBERS', names_key)) do
    for _, prefix in ipairs(prefixes) do
      if string.sub(name, 1, #prefix) == prefix then
        select(name)
        break
      end
    end
  end
end
local topic_count = tonumber(ARGV[6 + selectors])
local out, count, cut = {}, 0, 0
local function read(channel)
  if cut == 1 then return end
  local fields = redis.call('HGETALL', hashes .. channel)
  for j = 1, #fields, 2 do
    if count >= max_entries then
      cut = 1
      return
    end
    out[#out + 1] = channel
    out[#out + 1] = fields[j]
    out[#out + 1] = fields[j + 1]
    count = count + 1
  end
end
for _, name in ipairs(names) do
  if topic_count < 0 then
    for _, channel in ipairs(redis.call('SMEMBERS', by_name .. name)) do
      if channel == name or string.sub(channel, 1, #name + 1) == name .. ':' then read(channel) end
    end
  else
    for i = 7 + selectors, 6 + selectors + topic_count do read(name .. ':' .. ARGV[i]) end
  end
end
return { redis.call('ZCARD', order_key), out, cut }
`;

// ---- The store --------------------------------------------------------------------------------------

type Command = (args: string[]) => Promise<unknown>;

function commandOf(client: RedisScriptConnection): Command {
  if (typeof (client as { call?: unknown }).call === "function") {
    const redis = client as IoRedisScriptConnection;
    if (redis.isCluster === true) throw new TypeError("createRedisSnapshotStore: client is an ioredis Cluster; Redis Cluster is not supported");
    return ([name, ...args]) => redis.call(name as string, args);
  }
  if (typeof (client as { sendCommand?: unknown }).sendCommand === "function") {
    const redis = client as NodeRedisScriptConnection;
    if (redis.isReady === undefined) throw new TypeError("createRedisSnapshotStore: client is a node-redis cluster; Redis Cluster is not supported");
    return (args) => redis.sendCommand(args);
  }
  throw new TypeError("createRedisSnapshotStore: client must be an ioredis or node-redis connection");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

/** A record waiting to be written: the newest of its key this process has seen since the last write. */
interface Held {
  readonly channel: string;
  readonly entry: SnapshotEntry;
  readonly order: string;
}

/** The records of one write, and its outcome. */
interface Batch {
  readonly held: Map<string, Held>;
  /** For `record`: rejects when the write failed (marked handled). */
  readonly done: Promise<void>;
  /** Settles when the write did, never rejects: what a read waits for. */
  readonly written: Promise<void>;
  settle(error?: unknown): void;
}

function newBatch(): Batch {
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  const written = done.then(ignore, ignore);
  return { held: new Map(), done, written, settle };
}

const ignore = (): void => {};

// ---- What is read back ---------------------------------------------------------------------------

/** `<name>.v<N>`: a wire type of event `name`, as the structural check knows it without the catalogue. */
function isTypeOf(type: unknown, name: string): boolean {
  return typeof type === "string" && type.startsWith(`${name}.v`) && /^[1-9]\d*$/.test(type.slice(name.length + 2));
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One stored value (`<order>\n<envelope JSON>`) of channel `name`/`topic` under coalesce key `field`,
 * as an item to hand on — or the error to report when it is not an envelope of that channel (see the
 * file's top comment): nothing read from Redis reaches a connection unchecked.
 */
function readStored(binding: SnapshotEnvelopeCatalogue | undefined, channel: string, name: string, topic: string | undefined, field: string, stored: string): { item: SnapshotItem; order: string } | BusError {
  const refuse = (code: BusErrorCode, why: string): BusError => new BusError(code, `The snapshot store holds an entry of channel "${channel}" that ${why}; skipped.`, { channel });
  const cut = stored.indexOf("\n");
  if (cut < 0) return refuse("message-undecodable", "has no order");
  const json = stored.slice(cut + 1);
  // A line break would end the SSE data line early, and what follows it would be read as fields of the frame.
  if (/[\r\n]/.test(json)) return refuse("message-undecodable", "holds a line break");
  const item = { order: stored.slice(0, cut), item: { key: field, name, topic, json } };
  if (binding !== undefined) {
    const parsed = binding.parseEnvelope(json);
    if (parsed.kind === "invalid") return refuse("message-invalid", `is not a valid envelope (${describeIssues(parsed.issues)})`);
    if (parsed.kind === "unknown") return refuse("message-unknown-type", `carries a wire type the catalogue does not know (${JSON.stringify(parsed.envelope.event.type)})`);
    const entry = snapshotEntryOf(binding, parsed.envelope, json);
    if (entry === undefined || entry.name !== name || entry.topic !== topic) return refuse("message-wrong-channel", "is an envelope of another channel");
    if (entry.key !== field) return refuse("message-invalid", "is not stored under its own coalesce key");
    return item;
  }
  const read = readJsonText(json);
  if (!read.ok) return refuse("message-undecodable", `is not JSON text (${read.issue.message})`);
  const envelope = read.value;
  if (!isObject(envelope) || !isObject(envelope["event"]) || !Object.hasOwn(envelope["event"], "payload")) return refuse("message-invalid", "is not an envelope { id, time, topic?, event: { type, payload } }");
  if (!isWireId(envelope["id"])) return refuse("message-invalid", "has an id outside the id grammar");
  const time = envelope["time"];
  if (typeof time !== "string" || !ENVELOPE_TIME.test(time)) return refuse("message-invalid", "has a time that is not RFC 3339 UTC");
  if ((Object.hasOwn(envelope, "topic") ? envelope["topic"] : undefined) !== topic || !isTypeOf(envelope["event"]["type"], name)) {
    return refuse("message-wrong-channel", "is an envelope of another channel");
  }
  return item;
}

export function createRedisSnapshotStore(options: RedisSnapshotStoreOptions): SnapshotStore {
  const command = commandOf(options.client);
  const prefix = options.prefix ?? REDIS_SNAPSHOT_PREFIX;
  const maxKeys = positiveInteger("maxKeys", options.maxKeys, sseDefaults.snapshotKeys);
  const ttl = options.ttl === undefined ? 0 : positiveInteger("ttl", options.ttl, 0);
  const writeBatch = positiveInteger("writeBatch", options.writeBatch, sseDefaults.snapshotWriteBatch);
  const onError = options.onError ?? logError;
  const clockSkew = positiveInteger("clockSkew", options.clockSkew, sseDefaults.snapshotClockSkew);
  const binding = options.binding;
  const orderKey = `${prefix}keys`;
  const namesKey = `${prefix}names`;
  const hashes = `${prefix}c:`;
  const byName = `${prefix}n:`;

  const report = (error: BusError): void => {
    try {
      onError(error);
    } catch {
      // onError must not break the store.
    }
  };

  // EVALSHA after one SCRIPT LOAD per script; NOSCRIPT (a restart, SCRIPT FLUSH) loads it again.
  const shas = new Map<string, Promise<string>>();
  const shaOf = (script: string): Promise<string> => {
    let sha = shas.get(script);
    if (sha === undefined) {
      sha = command(["SCRIPT", "LOAD", script]).then(text);
      shas.set(script, sha);
      sha.catch(() => shas.delete(script));
    }
    return sha;
  };
  const run = async (script: string, keys: string[], args: string[]): Promise<unknown> => {
    const call = async (): Promise<unknown> => command(["EVALSHA", await shaOf(script), String(keys.length), ...keys, ...args]);
    try {
      return await call();
    } catch (error) {
      if (!messageOf(error).includes("NOSCRIPT")) throw error;
      shas.delete(script);
      return call();
    }
  };

  let size = 0;
  let closed = false;
  /** Records collecting for the next write. */
  let open: Batch | undefined;
  /** The write in flight: at most one. */
  let flying: Batch | undefined;
  let scheduled = false;

  const write = async (batch: Batch): Promise<void> => {
    const held = [...batch.held.values()];
    const calls: Promise<unknown>[] = [];
    for (let start = 0; start < held.length; start += writeBatch) {
      const keys = [orderKey, namesKey];
      const args = [hashes, byName, String(ttl), String(maxKeys)];
      for (const { channel, entry, order } of held.slice(start, start + writeBatch)) {
        keys.push(hashes + channel);
        args.push(entry.key, order, entry.json);
      }
      calls.push(run(LUA_WRITE, keys, args));
    }
    const replies = await Promise.all(calls);
    const last = replies[replies.length - 1];
    if (Array.isArray(last)) size = Number(last[1]);
  };

  const pump = (): void => {
    scheduled = false;
    if (flying !== undefined || open === undefined) return;
    const batch = open;
    open = undefined;
    flying = batch;
    write(batch).then(
      () => batch.settle(),
      (error: unknown) => {
        const failure = new BusError("snapshot-failed", `The snapshot store could not write ${batch.held.size} entries: ${messageOf(error)}`, { cause: error });
        report(failure);
        batch.settle(failure);
      },
    );
    void batch.written.then(() => {
      flying = undefined;
      pump();
    });
  };

  return {
    record(entry) {
      if (closed) {
        const refused = Promise.reject(new BusError("closed", "The snapshot store is closed."));
        refused.catch(ignore);
        return refused;
      }
      const channel = channelName(entry.name, entry.topic);
      const id = `${channel}\n${entry.key}`;
      // The recording clock bounds how far ahead an envelope's time may order (the Date of the host: no Node built-in).
      const order = snapshotOrder(entry.time, entry.id, Date.now() + clockSkew);
      const batch = (open ??= newBatch());
      const held = batch.held.get(id);
      if (held === undefined || order > held.order) {
        // Delete first so the key moves to the end: past maxKeys, the one recorded longest ago goes.
        batch.held.delete(id);
        batch.held.set(id, { channel, entry, order });
        if (batch.held.size > maxKeys) batch.held.delete(batch.held.keys().next().value as string);
      }
      if (!scheduled && flying === undefined) {
        scheduled = true;
        void Promise.resolve().then(pump);
      }
      return batch.done;
    },
    async read(query: SnapshotQuery): Promise<readonly SnapshotItem[]> {
      if (closed) throw new BusError("closed", "The snapshot store is closed.");
      // Everything recorded before this read is written before it runs.
      await (open ?? flying)?.written;
      const topics = query.topics === undefined ? ["-1"] : [...new Set(query.topics)];
      const args = [hashes, byName, String(ttl), String(maxKeys), String(query.events.length), ...query.events];
      if (query.topics === undefined) args.push("-1");
      else args.push(String(topics.length), ...topics);
      let reply: unknown;
      try {
        reply = await run(LUA_READ, [orderKey, namesKey], args);
      } catch (error) {
        throw new BusError("snapshot-failed", `The snapshot store could not be read: ${messageOf(error)}`, { cause: error });
      }
      const [kept, flat, cut] = Array.isArray(reply) ? (reply as unknown[]) : [];
      size = Number(kept ?? 0);
      const wants = snapshotMatcher(query);
      const found: { item: SnapshotItem; order: string }[] = [];
      const values = Array.isArray(flat) ? (flat as unknown[]) : [];
      for (let index = 0; index + 2 < values.length; index += 3) {
        const channel = text(values[index]);
        const colon = channel.indexOf(":");
        const name = colon < 0 ? channel : channel.slice(0, colon);
        const topic = colon < 0 ? undefined : channel.slice(colon + 1);
        const read = readStored(binding, channel, name, topic, text(values[index + 1]), text(values[index + 2]));
        if (read instanceof BusError) report(read);
        else if (!wants(name, topic)) report(new BusError("message-wrong-channel", `The snapshot store's index lists channel "${channel}" under an event it does not belong to; skipped.`, { channel }));
        else found.push(read);
      }
      if (Number(cut) === 1) report(new BusError("snapshot-failed", `The snapshot store holds more than maxKeys (${maxKeys}) entries for one selection; the rest were left out.`));
      // In the order the envelopes were published (by their time and id): the same on every instance.
      found.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      return found.map(({ item }) => item);
    },
    get size() {
      return size;
    },
    async close() {
      closed = true;
      while (open !== undefined || flying !== undefined) await (flying ?? open)?.written;
    },
  };
}
