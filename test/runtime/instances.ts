/**
 * A server instance as its own Node process (sse-instance.ts): an SSE handler replaying from the
 * Redis Streams transport, and a WebSocket hub serving it, on one port.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { ROOT } from "../helpers.js";
import { waitFor } from "./sse-kit.js";

const INSTANCE = path.join(ROOT, "test", "runtime", "sse-instance.ts");
const JITI = path.join(ROOT, "node_modules", "jiti", "lib", "jiti-cli.mjs");

export interface Instance {
  /** Its SSE endpoint. */
  readonly url: string;
  /** Its WebSocket hub, serving the same handler. */
  readonly ws: string;
  /** Cuts every open connection; resolves with how many there were. */
  cut(): Promise<number>;
  stop(): Promise<string>;
}

export async function startInstance(redisUrl: string): Promise<Instance> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [JITI, INSTANCE, redisUrl], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf("\n")) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      const index = waiting.findIndex((wait) => line.startsWith(wait.prefix));
      if (index >= 0) waiting.splice(index, 1)[0]!.resolve(line);
    }
  });
  const line = (prefix: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance printed no "${prefix}" line\n${stderr}`)), 20_000);
      waiting.push({ prefix, resolve: (text) => (clearTimeout(timer), resolve(text)) });
    });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const { url, ws } = JSON.parse(await line("{")) as { url: string; ws: string };
  return {
    url,
    ws,
    async cut() {
      child.stdin.write("cut\n");
      return Number((await line("cut ")).slice(4));
    },
    async stop() {
      child.stdin.write("stop\n");
      const stopped = await line("stopped");
      child.stdin.end();
      const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("timeout"), 10_000))]);
      if (code !== 0) {
        child.kill("SIGKILL");
        throw new Error(`instance did not exit by itself (${String(code)})\n${stderr}`);
      }
      return stopped;
    },
  };
}

/**
 * Publishes `count` deltas on `bus`, and after every `every` of them — once the client is back
 * (`connected()` has grown past the cuts so far) — cuts every connection of every instance, in the
 * middle of the flow. Resolves with the cuts made, once `received()` reached `count`.
 */
export async function publishWithCuts(options: {
  instances: readonly Instance[];
  publish: (n: number) => Promise<unknown>;
  connected: () => number;
  received: () => number;
  describe: () => string;
  count?: number;
  every?: number;
}): Promise<number> {
  const { instances, publish, connected, received, describe, count = 10_000, every = 100 } = options;
  let cuts = 0;
  const sends: Promise<unknown>[] = [];
  for (let n = 0; n < count; n += 1) {
    sends.push(publish(n));
    if ((n + 1) % every === 0) {
      await Promise.all(sends.splice(0));
      await waitFor("the client to be back", () => connected() > cuts);
      // Some of the batch is read by now, some not: cut in the middle of the flow.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const counts = await Promise.all(instances.map((instance) => instance.cut()));
      if (counts.some((cut) => cut > 0)) cuts += 1;
    }
  }
  await Promise.all(sends);
  await waitFor(`${count} events`, () => received() >= count, 30_000, () => `${received()} received; ${cuts} cuts; ${describe()}`);
  return cuts;
}
