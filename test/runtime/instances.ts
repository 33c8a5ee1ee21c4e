/**
 * A server instance as its own Node process (sse-instance.ts): an SSE handler replaying from the
 * Redis Streams transport, and a WebSocket hub serving it, on one port.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { ROOT } from "../helpers.js";

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

