/**
 * Benchmark suite "operators": the runtime's stream operators against IxJS and a hand-written loop.
 *
 * The chain: `pipe(source, filter(p), map(f), batch({ size: 100 }))` over 1,000,000 envelopes (the
 * example catalogue's message.part.delta, a quarter of them filtered out), read by `for await`.
 * IxJS 7 runs the same chain with its async-iterable operators (`from(source).pipe(filter(p), map(f),
 * buffer(100))`); the floor is one `for await` loop over the same source doing the same work inline
 * (the least any operator library can cost). Two sources, each new per run: an async generator over
 * an array (what users write), and a buffered iterator whose `next()` returns an already resolved
 * promise (a `bus.stream()` or SSE client stream with events waiting — where operator overhead shows
 * most). The rate is envelopes per CPU second of the process (this thread and V8's helpers), the
 * figure for one core of its own whatever else the machine runs; wall-clock rates are shown beside.
 * Peers take turns within each sample (the order rotating), so other load falls on all alike.
 * The runtime is transpiled as it is to JavaScript in .bench/operators; nothing is re-implemented.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { from } from "ix/asynciterable";
import { buffer as ixBuffer, filter as ixFilter, map as ixMap } from "ix/asynciterable/operators";
import { ROOT, transpileFolder, WORK } from "./measure.js";

export const name = "operators";
export const description = "stream operators: pipe(filter, map, batch) over 1,000,000 envelopes vs IxJS 7 and a hand-written for-await loop (events per CPU second)";

const EVENTS = 1_000_000;
const BATCH = 100;
const DIR = path.join(WORK, "operators");

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rate = (value) => `${(value / 1e6).toFixed(2)} M`;

function envelopes() {
  return Array.from({ length: EVENTS }, (_, n) => ({
    id: `0190a5c4-7b6e-7c3d-9f2a-${n.toString(16).padStart(12, "0")}`,
    time: "2025-01-02T03:04:05.678Z",
    topic: `s${n % 4}`,
    event: { type: "message.part.delta.v1", payload: { sessionID: `s${n % 4}`, messageID: "m1", partID: "p1", field: "text", delta: `token ${n} ` } },
  }));
}

const SOURCES = [
  {
    id: "generator",
    label: "async generator over an array",
    make(items) {
      return (async function* () {
        for (const item of items) yield item;
      })();
    },
  },
  {
    id: "buffered",
    label: "buffered iterator (next() already resolved, as a bus stream with events waiting)",
    make(items) {
      let index = 0;
      const iterator = {
        next: () => Promise.resolve(index < items.length ? { done: false, value: items[index++] } : { done: true, value: undefined }),
        return: () => Promise.resolve({ done: true, value: undefined }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  },
];

// The same work in every peer: keep envelopes of sessions other than s3, take the delta text.
const keep = (envelope) => envelope.topic !== "s3";
const project = (envelope) => envelope.event.payload.delta;

function peers(operators) {
  const { pipe, filter, map, batch } = operators;
  return [
    {
      id: "eventc",
      label: "eventc: pipe(source, filter, map, batch({ size: 100 }))",
      async run(source) {
        let count = 0;
        for await (const items of pipe(source, filter(keep), map(project), batch({ size: BATCH, maxWait: 1000 }))) count += items.length;
        return count;
      },
    },
    {
      id: "ix",
      label: "IxJS 7: from(source).pipe(filter, map, buffer(100))",
      async run(source) {
        let count = 0;
        for await (const items of from(source).pipe(ixFilter(keep), ixMap(project), ixBuffer(BATCH))) count += items.length;
        return count;
      },
    },
    {
      id: "loop",
      label: "floor: one for-await loop doing the same inline",
      async run(source) {
        let count = 0;
        let items = [];
        for await (const envelope of source) {
          if (!keep(envelope)) continue;
          items.push(project(envelope));
          if (items.length === BATCH) {
            count += items.length;
            items = [];
          }
        }
        if (items.length > 0) count += items.length;
        return count;
      },
    },
  ];
}

async function timed(peer, source) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const count = await peer.run(source);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  return { count, rate: (EVENTS / cpuMs) * 1000, wallRate: (EVENTS / wallMs) * 1000 };
}

export async function run({ samples }) {
  rmSync(DIR, { recursive: true, force: true });
  await transpileFolder(path.join(ROOT, "templates", "ts"), DIR);
  const operators = await import(pathToFileURL(path.join(DIR, "runtime", "operators", "index.js")).href);
  const items = envelopes();
  const expected = items.filter(keep).length;
  const all = peers(operators);
  const results = new Map();
  // One warm-up round, unrecorded, then `samples` rounds with the order rotating.
  for (let round = -1; round < samples; round += 1) {
    for (const source of SOURCES) {
      const order = all.map((_, i) => all[(i + Math.max(round, 0)) % all.length]);
      for (const peer of order) {
        const result = await timed(peer, source.make(items));
        if (result.count !== expected) throw new Error(`${peer.id} over ${source.id} delivered ${result.count} of ${expected}`);
        if (round < 0) continue;
        const key = `${source.id}/${peer.id}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(result);
      }
    }
  }
  const lines = ["| source | run | events per CPU second (median) | events/s, wall clock |", "| --- | --- | ---: | ---: |"];
  const ratios = [];
  const med = (key, field) => median(results.get(key).map((result) => result[field]));
  for (const source of SOURCES) {
    for (const peer of all) lines.push(`| ${source.label} | ${peer.label} | ${rate(med(`${source.id}/${peer.id}`, "rate"))} | ${rate(med(`${source.id}/${peer.id}`, "wallRate"))} |`);
    const eventc = med(`${source.id}/eventc`, "rate");
    ratios.push({ label: `eventc ÷ IxJS, ${source.label} (goal ≥ 3)`, value: eventc / med(`${source.id}/ix`, "rate") });
    ratios.push({ label: `eventc ÷ the hand-written loop, ${source.label} (goal ≥ 0.5)`, value: eventc / med(`${source.id}/loop`, "rate") });
  }
  return { rows: [], ratios, markdown: lines.join("\n") };
}
