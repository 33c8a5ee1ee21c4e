/**
 * Benchmark suite "bus": the runtime's typed bus against the emitters and pub/sub libraries people
 * use instead, measured side by side in one process and one run.
 *
 * In process — publish → one subscriber, events/s: the bus over its in-process transport, with and
 * without validation, against Node's EventEmitter, mitt, and graphql-yoga's `createPubSub` read by
 * async iteration. Every peer is driven the same way: a batch of events published in one turn, then
 * a wait until the subscriber has seen them all (EventEmitter and mitt deliver inside `emit`, the
 * bus on a microtask, yoga through its Repeater). The loop is single-threaded, so the rates that
 * count are events per second of this process's CPU time — on an idle machine the same as wall
 * time, and unlike wall time not lowered by other work sharing the cores; wall rates are shown
 * beside them. The validation cost per event is the difference of the two bus figures.
 *
 * Redis end to end — a redis-server the suite starts on a free port (the tests' helper), one
 * publishing and one subscribing connection per peer in this process: the bus over the Redis
 * pub/sub transport with ioredis and with node-redis, against raw PUBLISH/SUBSCRIBE with each client
 * and graphql-yoga's Redis event target, all sending the same envelope JSON, each on its own
 * channel. All peers are open at once and take turns — CHUNK events each, round after round, then
 * one event each, event after event — so that other work on a shared machine falls on all alike.
 * Throughput keeps between WINDOW and 2×WINDOW events in flight (no peer can outrun Redis's output
 * buffers) and is reported with this process's CPU time per event (publisher and subscriber side
 * together). Latency is from the publish call to the subscriber's handler, with one event in flight
 * and under that throughput load. The Streams transport is measured beside them when
 * `templates/ts/runtime/transports/redis/streams.ts` exists and runs.
 *
 * The runtime and the example SDK (generated/ts) are transpiled as they are to JavaScript in
 * .bench/bus; nothing of the runtime is re-implemented here.
 */
import { EventEmitter } from "node:events";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createPubSub } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import mitt from "mitt";
import { createClient } from "redis";
import ts from "typescript";
import { bindingOf, ROOT, transpileFolder, WORK } from "./measure.js";

export const name = "bus";
export const description = "typed bus: in process vs EventEmitter, mitt and graphql-yoga pubsub; over Redis vs raw ioredis / node-redis and graphql-yoga's Redis event target";

const EVENT = "message.part.delta";
const TOPIC = "s1";
const CHANNEL = `${EVENT}:${TOPIC}`;
const EVENT_TYPE = `${EVENT}.v1`;
/** In process: events published in one turn before waiting for delivery (below yoga's Repeater limit of 1024 queued pushes). */
const BATCH = 512;
/** Redis: events kept in flight, between WINDOW and 2 × WINDOW. */
const WINDOW = 128;
/** Redis: each sample is ROUNDS_PER_SAMPLE turns of CHUNK events per peer, then LATENCY_EVENTS_PER_SAMPLE events one at a time per peer. */
const ROUNDS_PER_SAMPLE = 4;
const CHUNK = 5000;
const LATENCY_EVENTS_PER_SAMPLE = 1000;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const rate = (value) => (value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : `${(value / 1e3).toFixed(0)} k`);
const micros = (ms) => `${(ms * 1000).toFixed(0)} µs`;

/** The example SDK and the runtime templates as JavaScript, plus the tests' redis-server helper. */
async function load() {
  const dir = path.join(WORK, "bus");
  rmSync(dir, { recursive: true, force: true });
  await transpileFolder(path.join(ROOT, "generated", "ts"), path.join(dir, "sdk"));
  await transpileFolder(path.join(ROOT, "templates", "ts", "runtime"), path.join(dir, "sdk", "runtime"));
  const helper = ts.transpileModule(readFileSync(path.join(ROOT, "test", "runtime", "redis-server.ts"), "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(path.join(dir, "redis-server.js"), helper.outputText);
  const url = (file) => pathToFileURL(path.join(dir, file)).href;
  const sdk = await import(url("sdk/index.js"));
  const { createBusFor } = await import(url("sdk/runtime/bus/bus.js"));
  const { createRedisTransport } = await import(url("sdk/runtime/transports/redis/pubsub.js"));
  const streams = existsSync(path.join(dir, "sdk", "runtime", "transports", "redis", "streams.js")) ? await import(url("sdk/runtime/transports/redis/streams.js")) : undefined;
  const { startRedisServer } = await import(url("redis-server.js"));
  const { createClock, createIdSource } = await import(url("sdk/runtime/core/platform.js"));
  // The binding the generated runtime.ts writes (test/runtime/example-runtime.ts).
  const binding = bindingOf(sdk);
  return { createBus: (options) => createBusFor(binding, options), createRedisTransport, streams, startRedisServer, createClock, createIdSource };
}

/** 64 payloads of message.part.delta on topic s1, as an editor streams them. */
const payloads = Array.from({ length: 64 }, (_, n) => ({ sessionID: TOPIC, messageID: "msg_01", partID: "prt_01", field: "text", delta: `token ${n} ` }));

// ---------------------------------------------------------------------------------------------
// In process

/**
 * Each peer: `open(handler)` subscribes `handler` (called once per event) and returns
 * `{ publish(payload), close() }`.
 */
function inProcessPeers(runtime) {
  const bus = (validate) => (handler) => {
    const bus = runtime.createBus({ validate });
    bus.subscribe(EVENT, handler);
    return { publish: (payload) => bus.publish(EVENT, payload), close: () => bus.close() };
  };
  return [
    { id: "unvalidated", label: "eventc bus, in process, validate: false", open: bus(false) },
    { id: "validated", label: "eventc bus, in process, validate: true", open: bus(true) },
    {
      id: "stream",
      label: "eventc bus, in process, validate: false, stream() read by for await",
      open(handler) {
        const bus = runtime.createBus({ validate: false });
        const stream = bus.stream(EVENT);
        void (async () => {
          for await (const envelope of stream) handler(envelope);
        })();
        return { publish: (payload) => bus.publish(EVENT, payload), close: () => bus.close() };
      },
    },
    {
      id: "emitter",
      label: "Node EventEmitter",
      open(handler) {
        const emitter = new EventEmitter();
        emitter.on(EVENT, handler);
        return { publish: (payload) => emitter.emit(EVENT, payload), close: async () => emitter.removeAllListeners() };
      },
    },
    {
      id: "mitt",
      label: "mitt",
      open(handler) {
        const emitter = mitt();
        emitter.on(EVENT, handler);
        return { publish: (payload) => emitter.emit(EVENT, payload), close: async () => emitter.all.clear() };
      },
    },
    {
      // What the envelope contract costs by itself: the runtime's own id source and clock, one
      // envelope per event, the handler called in the publisher's call stack inside a try — no
      // lookup, no channel, no transport. No bus that hands its subscribers envelopes does less.
      id: "floor-sync",
      label: "floor: an envelope per event (runtime's id and clock), handler called in publish",
      open(handler) {
        const nextId = runtime.createIdSource();
        const now = runtime.createClock();
        const handlers = [handler];
        return {
          publish(payload) {
            const envelope = { id: nextId(), time: now(), topic: payload.sessionID, event: { type: EVENT_TYPE, payload } };
            for (const each of handlers) {
              try {
                each(envelope);
              } catch {
                // isolated, as the bus isolates subscribers
              }
            }
          },
          close: async () => {},
        };
      },
    },
    {
      // The same, delivered as the in-process transport does: queued, one microtask per turn.
      id: "floor-queued",
      label: "floor: an envelope per event, queued and delivered on one microtask per turn",
      open(handler) {
        const nextId = runtime.createIdSource();
        const now = runtime.createClock();
        const handlers = [handler];
        let queue = [];
        let scheduled = false;
        const drain = () => {
          for (let index = 0; index < queue.length; index += 1) {
            for (const each of handlers) {
              try {
                each(queue[index]);
              } catch {
                // isolated
              }
            }
          }
          queue = [];
          scheduled = false;
        };
        return {
          publish(payload) {
            queue.push({ id: nextId(), time: now(), topic: payload.sessionID, event: { type: EVENT_TYPE, payload } });
            if (!scheduled) {
              scheduled = true;
              queueMicrotask(drain);
            }
          },
          close: async () => {},
        };
      },
    },
    {
      id: "yoga",
      label: "graphql-yoga createPubSub, for await",
      open(handler) {
        const pubsub = createPubSub();
        const iterator = pubsub.subscribe(EVENT);
        void (async () => {
          for await (const payload of iterator) handler(payload);
        })();
        return { publish: (payload) => pubsub.publish(EVENT, payload), close: () => iterator.return() };
      },
    },
  ];
}

/**
 * A peer opened once with its timed loop, compiled afresh for each peer so that no peer shares
 * call-site feedback with another: `sample(windowMs)` publishes batches of BATCH, each followed by a
 * wait until the handler saw them all, for one window.
 */
function inProcessRunner(open) {
  // eslint-disable-next-line no-new-func
  return new Function(
    "open",
    "payloads",
    "batch",
    `let seen = 0, target = 0, wake;
     const handler = () => { seen += 1; if (seen === target && wake !== undefined) { const w = wake; wake = undefined; w(); } };
     const peer = open(handler);
     return {
       async sample(windowMs) {
         let events = 0;
         const cpu = process.cpuUsage();
         const started = performance.now();
         let elapsed = 0;
         while (elapsed < windowMs) {
           target = seen + batch;
           for (let i = 0; i < batch; i++) peer.publish(payloads[i & 63]);
           if (seen < target) await new Promise((resolve) => { wake = resolve; });
           events += batch;
           elapsed = performance.now() - started;
         }
         const used = process.cpuUsage(cpu);
         return { wall: (events / elapsed) * 1000, cpu: (events / (used.user + used.system)) * 1e6 };
       },
       close: () => peer.close(),
     };`,
  )(open, payloads, BATCH);
}

async function measureInProcess(runtime, samples) {
  const peers = inProcessPeers(runtime);
  const runners = new Map(peers.map((peer) => [peer.id, inProcessRunner(peer.open)]));
  const rates = new Map(peers.map((peer) => [peer.id, []]));
  // Warm-up, then samples interleaved across peers so drift on a shared machine hits all alike.
  for (const peer of peers) await runners.get(peer.id).sample(300);
  for (let sample = 0; sample < samples; sample++) {
    for (const peer of peers) rates.get(peer.id).push(await runners.get(peer.id).sample(200));
  }
  for (const runner of runners.values()) await runner.close();
  return new Map(
    peers.map((peer) => [peer.id, { label: peer.label, rate: median(rates.get(peer.id).map((r) => r.cpu)), wall: median(rates.get(peer.id).map((r) => r.wall)) }]),
  );
}

// ---------------------------------------------------------------------------------------------
// Redis

/** An envelope as the bus sends it, for the peers that send JSON themselves. */
const envelopeOf = (payload, n) => ({ id: `0190d7e4-3c2a-4b6e-9f00-${String(n).padStart(12, "0")}`, time: new Date().toISOString(), topic: TOPIC, event: { type: `${EVENT}.v1`, payload } });
const envelopes = payloads.map(envelopeOf);

const ioredis = async (url) => {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  return client;
};
const nodeRedis = async (url) => {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  return client;
};

/**
 * Each peer: `open(url, prefix, handler)` resolves once subscribed, to `{ publish(index), close() }`.
 * Every peer sends the JSON of one envelope per event on `<prefix>message.part.delta:s1`; the
 * prefix (one per peer, of one length) keeps peers that are open at the same time apart.
 */
function redisPeers(runtime) {
  const bus = (connect) => async (url, prefix, handler) => {
    const [publisher, subscriber] = await Promise.all([connect(url), connect(url)]);
    const bus = runtime.createBus({ transport: runtime.createRedisTransport({ publisher, subscriber, prefix }) });
    await bus.subscribe(EVENT, handler, { topic: TOPIC }).ready;
    return { publish: (index) => bus.publish(EVENT, payloads[index & 63]), close: () => bus.close() };
  };
  const peers = [
    { id: "bus-ioredis", label: "eventc bus, Redis pub/sub transport, ioredis", open: bus(ioredis) },
    { id: "bus-node-redis", label: "eventc bus, Redis pub/sub transport, node-redis", open: bus(nodeRedis) },
    {
      id: "raw-ioredis",
      label: "raw ioredis PUBLISH/SUBSCRIBE (JSON.stringify / JSON.parse)",
      async open(url, prefix, handler) {
        const channel = prefix + CHANNEL;
        const [publisher, subscriber] = await Promise.all([ioredis(url), ioredis(url)]);
        subscriber.on("message", (_channel, text) => handler(JSON.parse(text)));
        await subscriber.subscribe(channel);
        return {
          publish: (index) => publisher.publish(channel, JSON.stringify(envelopes[index & 63])),
          close: async () => void (await Promise.all([publisher.quit(), subscriber.quit()])),
        };
      },
    },
    {
      id: "raw-node-redis",
      label: "raw node-redis PUBLISH/SUBSCRIBE (JSON.stringify / JSON.parse)",
      async open(url, prefix, handler) {
        const channel = prefix + CHANNEL;
        const [publisher, subscriber] = await Promise.all([nodeRedis(url), nodeRedis(url)]);
        await subscriber.subscribe(channel, (text) => handler(JSON.parse(text)));
        return {
          publish: (index) => publisher.publish(channel, JSON.stringify(envelopes[index & 63])),
          close: async () => void (await Promise.all([publisher.close(), subscriber.close()])),
        };
      },
    },
    {
      id: "yoga-redis",
      label: "graphql-yoga Redis event target (ioredis), addEventListener",
      async open(url, prefix, handler) {
        const channel = prefix + CHANNEL;
        const [publishClient, subscribeClient] = await Promise.all([ioredis(url), ioredis(url)]);
        const target = createRedisEventTarget({ publishClient, subscribeClient });
        target.addEventListener(channel, (event) => handler(event.detail));
        // The target subscribes without waiting for the reply; wait for Redis to count the subscriber.
        while (Number((await publishClient.call("PUBSUB", "NUMSUB", channel))[1]) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          publish: (index) => target.dispatchEvent(new CustomEvent(channel, { detail: envelopes[index & 63] })),
          close: async () => void (await Promise.all([publishClient.quit(), subscribeClient.quit()])),
        };
      },
    },
    {
      id: "yoga-redis-pubsub",
      label: "graphql-yoga createPubSub over the Redis event target (ioredis), for await",
      async open(url, prefix, handler) {
        const channel = prefix + CHANNEL;
        const [publishClient, subscribeClient] = await Promise.all([ioredis(url), ioredis(url)]);
        const pubsub = createPubSub({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
        const iterator = pubsub.subscribe(channel);
        const first = iterator.next(); // starts the Repeater, which adds the listener
        void first.then(({ value }) => {
          handler(value);
          void (async () => {
            for await (const payload of iterator) handler(payload);
          })();
        });
        while (Number((await publishClient.call("PUBSUB", "NUMSUB", channel))[1]) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          publish: (index) => pubsub.publish(channel, envelopes[index & 63]),
          close: async () => {
            await iterator.return();
            await Promise.all([publishClient.quit(), subscribeClient.quit()]);
          },
        };
      },
    },
  ];
  if (runtime.streams !== undefined) {
    const create = runtime.streams.createRedisStreamTransport;
    peers.push({
      id: "bus-streams",
      label: "eventc bus, Redis Streams transport, ioredis",
      async open(url, prefix, handler) {
        const [client, reader] = await Promise.all([ioredis(url), ioredis(url)]);
        const bus = runtime.createBus({ transport: create({ client, reader, prefix }) });
        await bus.subscribe(EVENT, handler, { topic: TOPIC }).ready;
        return { publish: (index) => bus.publish(EVENT, payloads[index & 63]), close: () => bus.close() };
      },
    });
  }
  return peers;
}

/**
 * One open peer and what was measured of it. `handler` stamps each arrival: per channel, arrival
 * order is publish order, so the n-th arrival is the n-th event sent.
 */
async function openRedisPeer(peer, url, prefix) {
  const state = { peer, seen: 0, target: 0, wake: undefined, sentAt: [], arrivals: [], events: 0, wallMs: 0, cpuMicros: 0, loaded: [], unloaded: [] };
  state.connection = await peer.open(url, prefix, () => {
    state.arrivals.push(performance.now() - state.sentAt[state.seen]);
    state.seen += 1;
    if (state.seen >= state.target && state.wake !== undefined) {
      const resume = state.wake;
      state.wake = undefined;
      resume();
    }
  });
  return state;
}

const until = (state, count) => {
  state.target = count;
  return state.seen >= count ? undefined : new Promise((resolve) => (state.wake = resolve));
};

/** `events` events through one peer with WINDOW..2×WINDOW in flight: wall time, this process's CPU time and every latency. */
async function throughputChunk(state, events) {
  state.seen = 0;
  state.sentAt = new Array(events);
  state.arrivals = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  while (sent < events) {
    const end = Math.min(events, sent + WINDOW);
    for (; sent < end; sent++) {
      state.sentAt[sent] = performance.now();
      state.connection.publish(sent);
    }
    await until(state, Math.max(0, sent - WINDOW));
  }
  await until(state, events);
  state.wallMs += performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  state.cpuMicros += user + system;
  state.events += events;
  state.loaded.push(...state.arrivals);
}

/** One event through one peer, alone in flight: its latency. */
async function latencyOne(state, index) {
  state.seen = 0;
  state.sentAt = [performance.now()];
  state.arrivals = [];
  state.connection.publish(index);
  await until(state, 1);
  state.unloaded.push(state.arrivals[0]);
}

/**
 * Every peer open at once, each on its own channel, measured in turn a chunk at a time (throughput)
 * and an event at a time (latency): whatever else the machine is doing falls on all peers alike.
 */
async function measureRedis(runtime, samples) {
  const server = await runtime.startRedisServer();
  const notes = [];
  const states = [];
  try {
    const peers = redisPeers(runtime);
    for (const [index, peer] of peers.entries()) {
      const prefix = `p${String(index).padStart(2, "0")}:`;
      try {
        states.push(await openRedisPeer(peer, server.url, prefix));
      } catch (error) {
        if (peer.id !== "bus-streams") throw error;
        notes.push(`The Redis Streams transport could not start in this run (${error.message}); it is left out.`);
      }
    }
    // The Streams transport is work in progress elsewhere: if it fails, the note says so and the rest stands.
    const attempt = async (state, run) => {
      try {
        await run(state);
      } catch (error) {
        if (state.peer.id !== "bus-streams") throw error;
        notes.push(`The Redis Streams transport failed in this run (${error.message}); it is left out.`);
        states.splice(states.indexOf(state), 1);
      }
    };
    for (const state of [...states]) await attempt(state, (s) => throughputChunk(s, 2000)); // warm-up
    for (const state of states) Object.assign(state, { events: 0, wallMs: 0, cpuMicros: 0, loaded: [] });
    for (let round = 0; round < samples * ROUNDS_PER_SAMPLE; round++) {
      for (const state of [...states]) await attempt(state, (s) => throughputChunk(s, CHUNK));
    }
    for (let n = 0; n < samples * LATENCY_EVENTS_PER_SAMPLE; n++) {
      for (const state of [...states]) await attempt(state, (s) => latencyOne(s, n));
    }
    const summary = new Map();
    for (const state of states) {
      const loaded = state.loaded.sort((a, b) => a - b);
      const unloaded = state.unloaded.sort((a, b) => a - b);
      summary.set(state.peer.id, {
        label: state.peer.label,
        rate: (state.events / state.wallMs) * 1000,
        cpuMicros: state.cpuMicros / state.events,
        p50: percentile(unloaded, 50),
        p99: percentile(unloaded, 99),
        loadedP50: percentile(loaded, 50),
        loadedP99: percentile(loaded, 99),
      });
    }
    if (runtime.streams === undefined) notes.push("templates/ts/runtime/transports/redis/streams.ts does not exist yet: the Redis Streams transport is not measured.");
    return { summary, notes };
  } finally {
    for (const state of states) await state.connection.close();
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------

export async function run({ samples }) {
  const runtime = await load();
  const lines = [];

  const local = await measureInProcess(runtime, samples);
  const of = (id) => local.get(id).rate;
  const costNs = (1 / of("validated") - 1 / of("unvalidated")) * 1e9;
  lines.push(
    `| in process: publish → one subscriber (batches of ${BATCH}) | events per CPU second | events per wall second | eventc unvalidated ÷ this (CPU) |`,
    "| --- | ---: | ---: | ---: |",
    ...[...local.values()].map((row) => `| ${row.label} | ${rate(row.rate)} | ${rate(row.wall)} | ${(of("unvalidated") / row.rate).toFixed(2)}× |`),
    "",
    `Validation cost per event (1 / validated rate − 1 / unvalidated rate): **${costNs.toFixed(0)} ns** (${(of("unvalidated") / of("validated")).toFixed(2)}× the unvalidated time per event).`,
  );

  const { summary: remote, notes } = await measureRedis(runtime, samples);
  const at = (id) => remote.get(id);
  lines.push(
    "",
    `| Redis end to end (one channel, same envelope JSON) | events/s (${WINDOW}–${2 * WINDOW} in flight) | Node CPU per event | p50 / p99, one in flight | p50 / p99, under that load |`,
    "| --- | ---: | ---: | ---: | ---: |",
    ...[...remote.values()].map(
      (row) => `| ${row.label} | ${rate(row.rate)} | ${row.cpuMicros.toFixed(1)} µs | ${micros(row.p50)} / ${micros(row.p99)} | ${micros(row.loadedP50)} / ${micros(row.loadedP99)} |`,
    ),
  );

  const ratios = [
    { label: "in process, unvalidated: eventc ÷ EventEmitter, events/s (goal ≥ 0.5)", value: of("unvalidated") / of("emitter") },
    { label: "in process: floor (an envelope per event, handler called in publish) ÷ EventEmitter, events/s — the most an envelope bus can reach", value: of("floor-sync") / of("emitter") },
    { label: "in process, unvalidated: eventc ÷ floor (an envelope per event, delivered on a microtask), events/s", value: of("unvalidated") / of("floor-queued") },
    { label: "in process, unvalidated: eventc ÷ mitt, events/s", value: of("unvalidated") / of("mitt") },
    { label: "in process, unvalidated: eventc ÷ graphql-yoga createPubSub (for await), events/s (goal ≥ 10)", value: of("unvalidated") / of("yoga") },
    { label: "in process, validated: eventc ÷ EventEmitter, events/s", value: of("validated") / of("emitter") },
    { label: "in process, async iteration on both sides: eventc stream() ÷ graphql-yoga createPubSub (for await), events/s", value: of("stream") / of("yoga") },
    { label: "Redis, ioredis: eventc ÷ graphql-yoga Redis event target, events/s (goal ≥ 1.5)", value: at("bus-ioredis").rate / at("yoga-redis").rate },
    { label: "Redis, node-redis: eventc ÷ graphql-yoga Redis event target, events/s (goal ≥ 1.5)", value: at("bus-node-redis").rate / at("yoga-redis").rate },
    { label: "Redis, ioredis: eventc ÷ graphql-yoga createPubSub over its Redis event target (for await), events/s", value: at("bus-ioredis").rate / at("yoga-redis-pubsub").rate },
    { label: "Redis, node-redis: eventc ÷ graphql-yoga createPubSub over its Redis event target (for await), events/s", value: at("bus-node-redis").rate / at("yoga-redis-pubsub").rate },
    { label: "Redis, ioredis: graphql-yoga Redis event target ÷ eventc, Node CPU per event", value: at("yoga-redis").cpuMicros / at("bus-ioredis").cpuMicros },
    { label: "Redis, node-redis: graphql-yoga Redis event target ÷ eventc, Node CPU per event", value: at("yoga-redis").cpuMicros / at("bus-node-redis").cpuMicros },
    { label: "Redis: eventc (ioredis) ÷ raw ioredis, events/s", value: at("bus-ioredis").rate / at("raw-ioredis").rate },
    { label: "Redis: eventc (node-redis) ÷ raw node-redis, events/s", value: at("bus-node-redis").rate / at("raw-node-redis").rate },
    { label: "Redis, ioredis: eventc p99 ÷ raw ioredis p99, one in flight (goal ≤ 2)", value: at("bus-ioredis").p99 / at("raw-ioredis").p99 },
    { label: "Redis, node-redis: eventc p99 ÷ raw node-redis p99, one in flight (goal ≤ 2)", value: at("bus-node-redis").p99 / at("raw-node-redis").p99 },
    { label: "Redis, ioredis: eventc p99 ÷ raw ioredis p99, under load", value: at("bus-ioredis").loadedP99 / at("raw-ioredis").loadedP99 },
    { label: "Redis, node-redis: eventc p99 ÷ raw node-redis p99, under load", value: at("bus-node-redis").loadedP99 / at("raw-node-redis").loadedP99 },
  ];
  if (remote.has("bus-streams")) ratios.push({ label: "Redis Streams transport ÷ Redis pub/sub transport (ioredis), events/s", value: at("bus-streams").rate / at("bus-ioredis").rate });
  return { rows: [], ratios, markdown: lines.join("\n"), notes };
}
