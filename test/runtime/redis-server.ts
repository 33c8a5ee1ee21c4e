/**
 * A real redis-server for tests: the binary on PATH (Debian's package, installed by
 * scripts/setup.sh) on a free port, with persistence off. Never skipped: a missing binary fails.
 * `kill()` and `start()` again on the same port simulate a crash and a restart.
 * `startRedisCluster()` builds a local cluster of such servers for sharded pub/sub.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

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

export interface RedisCluster {
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * A local Redis Cluster of `masters` primaries and no replicas, each its own redis-server on a free
 * port with its cluster state in a scratch folder; resolves once every node reports cluster_state:ok.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "eventc-redis-cluster-"));
  const ports: number[] = [];
  for (let n = 0; n < masters; n += 1) ports.push(await freePort());
  const children = await Promise.all(
    ports.map((port) => launchRedis(port, ["--cluster-enabled", "yes", "--cluster-config-file", path.join(dir, `nodes-${port}.conf`), "--dir", dir, "--cluster-node-timeout", "2000"])),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => exited(child, "SIGKILL")));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Slots split evenly, then every node introduced to the first (what `redis-cli --cluster create`
    // does, without its fixed one-second waits).
    const per = Math.ceil(16384 / masters);
    await Promise.all(ports.map((port, n) => run("redis-cli", ["-p", String(port), "CLUSTER", "ADDSLOTSRANGE", String(n * per), String(Math.min(16383, (n + 1) * per - 1))])));
    for (const port of ports.slice(1)) await run("redis-cli", ["-p", String(ports[0]), "CLUSTER", "MEET", "127.0.0.1", String(port)]);
    const end = Date.now() + 20_000;
    for (const port of ports) {
      while (!(await run("redis-cli", ["-p", String(port), "CLUSTER", "INFO"])).includes("cluster_state:ok")) {
        if (Date.now() > end) throw new Error(`cluster node ${port} did not reach cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: "127.0.0.1", port })), stop };
}

/** Runs a command to completion; rejects on a non-zero exit. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output}`))));
  });
}
