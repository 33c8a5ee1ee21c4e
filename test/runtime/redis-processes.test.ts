/**
 * Two Node processes exchange 10,000 events over a real redis-server, with each client library:
 * none lost, none reordered per topic, and both processes exit by themselves after close() (no
 * open handle keeps them alive). The peers are test/runtime/redis-peer.ts, run through jiti.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "../helpers.js";
import { CLIENTS } from "./redis-kit.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const PEER = path.join(ROOT, "test", "runtime", "redis-peer.ts");
const JITI = path.join(ROOT, "node_modules", "jiti", "lib", "jiti-cli.mjs");
const EVENTS = 10_000;
const TOPICS = 16;

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.stop();
});

interface Peer {
  /** Resolves with the line once the peer printed it. */
  line(text: string): Promise<void>;
  /** Resolves with the peer's last stdout line once it exited by itself with code 0. */
  exit: Promise<string>;
}

function runPeer(args: string[], timeout = 60_000): Peer {
  const child = spawn(process.execPath, [JITI, PEER, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wait of waiting) if (stdout.split("\n").includes(wait.text)) wait.resolve();
  });
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const exit = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`peer ${args[0]} did not exit within ${timeout} ms (an open handle after close()?)\n${stdout}\n${stderr}`));
    }, timeout);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const lines = stdout.trim().split("\n");
      if (code === 0) resolve(lines[lines.length - 1] ?? "");
      else reject(new Error(`peer ${args[0]} exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
  return {
    line: (text) => new Promise<void>((resolve, reject) => {
      waiting.push({ text, resolve });
      exit.then(() => reject(new Error(`peer ${args[0]} exited before printing ${text}`)), reject);
    }),
    exit,
  };
}

describe.each(CLIENTS)("two processes over Redis with %s", (client) => {
  test(`exchange_${EVENTS}_events_none_lost_or_reordered_per_topic_and_both_exit_by_themselves`, async () => {
    const consumer = runPeer(["consumer", client, server.url, String(EVENTS)]);
    await consumer.line("ready");
    const producer = runPeer(["producer", client, server.url, String(EVENTS), String(TOPICS)]);
    const produced = JSON.parse(await producer.exit) as { sent: number; failed: number; errors: string[] };
    const consumed = JSON.parse(await consumer.exit) as { received: number; outOfOrder: number; topics: number; errors: string[] };
    expect(produced).toEqual({ sent: EVENTS, failed: 0, errors: [] });
    expect(consumed).toEqual({ received: EVENTS, outOfOrder: 0, topics: TOPICS, errors: [] });
  });
});
