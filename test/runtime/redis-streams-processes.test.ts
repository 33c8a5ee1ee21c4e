/**
 * At least once across a consumer crash: a consumer process on the Redis Streams transport is killed
 * with SIGKILL mid-stream while this process keeps publishing, then started again from the last
 * position it printed for each topic. Every event arrives exactly once across the two runs, in
 * publish order per topic, and the second run exits by itself after close(). With ioredis and
 * node-redis; the consumer is test/runtime/redis-streams-peer.ts, run through jiti.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BusError } from "../../templates/ts/runtime/core/errors.js";
import { createRedisStreamTransport, type RedisCommandConnection } from "../../templates/ts/runtime/transports/redis/streams.js";
import { ROOT } from "../helpers.js";
import { createBus } from "./example-runtime.js";
import { connect, sleep, waitFor, type ClientName } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const PEER = path.join(ROOT, "test", "runtime", "redis-streams-peer.ts");
const JITI = path.join(ROOT, "node_modules", "jiti", "lib", "jiti-cli.mjs");
const EVENTS = 3000;
const TOPICS = 4;

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.stop();
});

interface Received {
  readonly topic: string;
  readonly seq: number;
  readonly position: string;
}

/** A consumer process; every complete `event` line it prints goes to `log`. */
function runConsumer(args: string[], log: Received[]) {
  const child = spawn(process.execPath, [JITI, PEER, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let pending = "";
  let stderr = "";
  let ready = false;
  let done: string | undefined;
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? ""; // an incomplete line (cut by SIGKILL) was never printed
    for (const line of lines) {
      const [kind, topic, seq, position] = line.split(" ");
      if (kind === "event") log.push({ topic: String(topic), seq: Number(seq), position: String(position) });
      else if (kind === "ready") ready = true;
      else if (kind === "done") done = line.slice("done ".length);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    ready: () => waitFor("the consumer to be ready", () => ready || child.exitCode !== null, 30_000).then(() => expect(ready, stderr).toBe(true)),
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    /** Resolves with the consumer's errors once it exited by itself with code 0. */
    finished: async (): Promise<string[]> => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      expect(code, `consumer exited with ${code} (killed after 30 s: an open handle after close()?)\n${stderr}`).toBe(0);
      return JSON.parse(String(done)) as string[];
    },
  };
}

describe.each<ClientName>(["ioredis", "node-redis"])("a consumer process on Redis Streams with %s", (client) => {
  test("killed_with_sigkill_and_restarted_resumes_from_its_last_positions_with_every_event_exactly_once_in_order", async () => {
    const prefix = `${client}:`;
    const errors: BusError[] = [];
    const producer = createBus({
      transport: createRedisStreamTransport({ client: (await connect(client, server.url)) as RedisCommandConnection, prefix }),
      onError: (error) => void errors.push(error),
    });
    const log: Received[] = [];
    const first = runConsumer([client, server.url, prefix, String(EVENTS), String(TOPICS), "{}"], log);
    await first.ready();

    let published = 0;
    const publishing = (async () => {
      for (let n = 0; n < EVENTS; n += 1) {
        const sent = producer.publish("message.part.delta", { sessionID: `t${n % TOPICS}`, messageID: "m", partID: "p", field: "text", delta: String(n) });
        published = n + 1;
        if (n % 25 === 24) await sent.then(() => sleep(5));
      }
    })();

    await waitFor("the first run to get going", () => log.length >= 300);
    await first.kill();
    const killedAt = published;
    const firstRun = log.length;
    // The last position each topic printed: where the second run resumes.
    const from: Record<string, string> = {};
    for (const event of log) from[event.topic] = event.position;
    await sleep(100);
    const second = runConsumer([client, server.url, prefix, String(EVENTS), String(TOPICS), JSON.stringify(from)], log);
    await second.ready();
    const restartedAt = published;
    expect(await second.finished()).toEqual([]);
    await publishing;
    await producer.close();

    expect(firstRun).toBeLessThan(EVENTS);
    expect(restartedAt - killedAt).toBeGreaterThan(0); // published while no consumer ran
    for (let t = 0; t < TOPICS; t += 1) {
      const seqs = log.filter((event) => event.topic === `t${t}`).map((event) => event.seq);
      expect(seqs).toEqual(Array.from({ length: EVENTS / TOPICS }, (_, k) => t + TOPICS * k));
    }
    expect(errors).toEqual([]);
  });
});
