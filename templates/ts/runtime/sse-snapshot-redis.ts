/**
 * The late-joiner snapshot kept in Redis, shared by every SSE server instance:
 * `createRedisSnapshotStore({ client, prefix?, maxKeys?, ttl? })`, over an ioredis (5, 6) or
 * node-redis (4 and later) connection the application created — recognised structurally; this file
 * imports no Redis client.
 *
 * Guarantee: THE LATEST WINS, WHATEVER ORDER WRITES ARRIVE IN. Each key keeps the envelope with the
 * greatest `snapshotOrder` (envelope time, then id): a write compares with what is stored and
 * replaces it only when newer, inside one Lua script, so instances that receive events in different
 * orders, or late, never put an older envelope over a newer one and all converge on the same entry.
 * The time is the publisher's clock: across publishers, "latest" is as good as their clocks agree.
 * A read that follows records made through the same store object sees them (it waits for their write).
 *
 * Layout, under `prefix` (default `eventc:snapshot:`):
 *   <prefix>c:<channel>  HASH   coalesce key → `<order>\n<envelope JSON>`, one hash per channel
 *                                (`<name>` or `<name>:<topic>`), so a selection reads only its channels
 *   <prefix>channels     SET    the channels that hold keys
 *   <prefix>keys         ZSET   `<channel>\n<coalesce key>` scored by the Redis time (ms) of its last update
 * A read is one script: the channels the selection covers (event selectors and topics, matched as
 * `bus.subscribe` matches) and their hashes, in one round trip.
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
import { BusError, messageOf } from "./errors.js";
import { logError } from "./platform.js";
import { positiveInteger, sseDefaults } from "./policies.js";
import { snapshotOrder, type SnapshotEntry, type SnapshotItem, type SnapshotQuery, type SnapshotStore } from "./sse-snapshot.js";
import { channelName } from "./transport.js";

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
  /** Writes that failed. Default: the console. */
  readonly onError?: (error: BusError) => void;
}

export const REDIS_SNAPSHOT_PREFIX = "eventc:snapshot:";

// ---- Scripts --------------------------------------------------------------------------------------

/**
 * Shared by both scripts. KEYS[1] the update-order ZSET, KEYS[2] the channel SET. Orders compare byte by
 * byte: Lua's `<` on strings follows the server's locale.
 */
const LUA_COMMON = `
local order_key, channels_key = KEYS[1], KEYS[2]
local function newer(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local function drop(hashes, member)
  local channel, field = string.match(member, '^(.*)\\n([^\\n]*)$')
  if channel == nil then return end
  local hash = hashes .. channel
  redis.call('HDEL', hash, field)
  if redis.call('HLEN', hash) == 0 then redis.call('SREM', channels_key, channel) end
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function expire(hashes, ttl, now)
  if ttl <= 0 then return end
  local old = redis.call('ZRANGEBYSCORE', order_key, '-inf', now - ttl)
  for _, member in ipairs(old) do drop(hashes, member) end
  if #old > 0 then redis.call('ZREMRANGEBYSCORE', order_key, '-inf', now - ttl) end
end
`;

/**
 * Records entries, each only when newer than what its key holds. KEYS[3…] one channel hash per entry;
 * ARGV: maxKeys, ttl (0: none), the hash key prefix, then per entry: coalesce key, order, envelope JSON.
 * Returns { entries written, keys kept }.
 */
const LUA_WRITE = `${LUA_COMMON}
local max_keys, ttl, hashes = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = now_ms()
expire(hashes, ttl, now)
local written = 0
for i = 3, #KEYS do
  local a = 4 + (i - 3) * 3
  local field, order = ARGV[a], ARGV[a + 1]
  local old = redis.call('HGET', KEYS[i], field)
  local cut = old and string.find(old, '\\n', 1, true)
  if not cut or newer(order, string.sub(old, 1, cut - 1)) then
    local channel = string.sub(KEYS[i], #hashes + 1)
    redis.call('HSET', KEYS[i], field, order .. '\\n' .. ARGV[a + 2])
    redis.call('ZADD', order_key, now, channel .. '\\n' .. field)
    redis.call('SADD', channels_key, channel)
    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
    written = written + 1
  end
end
local size = redis.call('ZCARD', order_key)
if size > max_keys then
  local popped = redis.call('ZPOPMIN', order_key, size - max_keys)
  for j = 1, #popped, 2 do drop(hashes, popped[j]) end
  size = max_keys
end
if ttl > 0 and written > 0 then
  redis.call('PEXPIRE', order_key, ttl)
  redis.call('PEXPIRE', channels_key, ttl)
end
return { written, size }
`;

/**
 * Reads a selection. ARGV: ttl, the hash key prefix, the number of selectors and the selectors
 * (`*`, `<domain>.*`, names), the number of topics (-1: every topic, unscoped events included) and the topics.
 * Returns { keys kept, { channel, coalesce key, stored value, … } }.
 */
const LUA_READ = `${LUA_COMMON}
local ttl, hashes = tonumber(ARGV[1]), ARGV[2]
expire(hashes, ttl, now_ms())
local selectors = tonumber(ARGV[3])
local all, exact, prefixes = false, {}, {}
for i = 4, 3 + selectors do
  local s = ARGV[i]
  if s == '*' then all = true
  elseif string.sub(s, -2) == '.*' then prefixes[#prefixes + 1] = string.sub(s, 1, -2)
  else exact[s] = true end
end
local topic_count = tonumber(ARGV[4 + selectors])
local topics = nil
if topic_count >= 0 then
  topics = {}
  for i = 5 + selectors, 4 + selectors + topic_count do topics[ARGV[i]] = true end
end
local function wanted(name, topic)
  if topics ~= nil and (topic == nil or not topics[topic]) then return false end
  if all or exact[name] then return true end
  for _, prefix in ipairs(prefixes) do
    if string.sub(name, 1, #prefix) == prefix then return true end
  end
  return false
end
local out = {}
for _, channel in ipairs(redis.call('SMEMBERS', channels_key)) do
  local colon = string.find(channel, ':', 1, true)
  local name, topic = channel, nil
  if colon then
    name = string.sub(channel, 1, colon - 1)
    topic = string.sub(channel, colon + 1)
  end
  if wanted(name, topic) then
    local fields = redis.call('HGETALL', hashes .. channel)
    for j = 1, #fields, 2 do
      out[#out + 1] = channel
      out[#out + 1] = fields[j]
      out[#out + 1] = fields[j + 1]
    end
  end
end
return { redis.call('ZCARD', order_key), out }
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

export function createRedisSnapshotStore(options: RedisSnapshotStoreOptions): SnapshotStore {
  const command = commandOf(options.client);
  const prefix = options.prefix ?? REDIS_SNAPSHOT_PREFIX;
  const maxKeys = positiveInteger("maxKeys", options.maxKeys, sseDefaults.snapshotKeys);
  const ttl = options.ttl === undefined ? 0 : positiveInteger("ttl", options.ttl, 0);
  const writeBatch = positiveInteger("writeBatch", options.writeBatch, sseDefaults.snapshotWriteBatch);
  const onError = options.onError ?? logError;
  const orderKey = `${prefix}keys`;
  const channelsKey = `${prefix}channels`;
  const hashes = `${prefix}c:`;

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
      const keys = [orderKey, channelsKey];
      const args = [String(maxKeys), String(ttl), hashes];
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
      const order = snapshotOrder(entry.time, entry.id);
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
      const topics = query.topics === undefined ? ["-1"] : [String(query.topics.length), ...query.topics];
      let reply: unknown;
      try {
        reply = await run(LUA_READ, [orderKey, channelsKey], [String(ttl), hashes, String(query.events.length), ...query.events, ...topics]);
      } catch (error) {
        throw new BusError("snapshot-failed", `The snapshot store could not be read: ${messageOf(error)}`, { cause: error });
      }
      const [kept, flat] = Array.isArray(reply) ? (reply as unknown[]) : [];
      size = Number(kept ?? 0);
      const found: { item: SnapshotItem; order: string }[] = [];
      const values = Array.isArray(flat) ? (flat as unknown[]) : [];
      for (let index = 0; index + 2 < values.length; index += 3) {
        const channel = text(values[index]);
        const stored = text(values[index + 2]);
        const cut = stored.indexOf("\n");
        const colon = channel.indexOf(":");
        found.push({
          order: stored.slice(0, cut),
          item: {
            key: text(values[index + 1]),
            name: colon < 0 ? channel : channel.slice(0, colon),
            topic: colon < 0 ? undefined : channel.slice(colon + 1),
            json: stored.slice(cut + 1),
          },
        });
      }
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
