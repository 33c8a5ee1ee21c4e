/**
 * A real redis-server for tests: the binary on PATH (Debian's package, installed by
 * scripts/setup.sh) on a free port, with persistence off. Never skipped: a missing binary fails.
 * `kill()` and `start()` again on the same port simulate a crash and a restart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port and resolves when it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: a crash, no goodbye to clients. */
  kill(): Promise<void>;
  /** Stops the server for good. */
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts redis-server with `args` and resolves when its log says it accepts connections. */
export function launchRedis(port: number, args: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    let ready = false;
    const fail = (message: string): void => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${message}\n${log}`));
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(`redis-server on port ${port} did not become ready`);
    }, 10_000);
    const early = (code: number | null): void => fail(`redis-server on port ${port} exited with ${code}`);
    child.on("error", (error) => fail(`cannot run redis-server (scripts/setup.sh installs it): ${error.message}`));
    child.once("exit", early);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (ready) return;
      log += chunk.toString();
      if (log.includes("Ready to accept connections")) {
        ready = true;
        clearTimeout(timer);
        child.off("exit", early);
        resolve(child);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (!ready) log += chunk.toString();
    });
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launchRedis(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
      child = await launchRedis(port);
    },
    async kill() {
      if (child !== undefined) await exited(child, "SIGKILL");
    },
    async stop() {
      if (child !== undefined) await exited(child, "SIGTERM");
      child = undefined;
    },
  };
}
