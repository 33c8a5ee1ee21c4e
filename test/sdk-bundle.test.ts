/**
 * The SDK's validators are generated code a bundler can shake: a program that validates one event
 * carries that event's check and shape (and the one shape checker) and nothing of the others', and no part of the SDK evaluates code
 * from strings (it runs under a strict Content Security Policy).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const SDK = path.join(ROOT, "generated", "ts");
const RUNTIME = path.join(ROOT, "generated", "runtime");

async function bundle(entry: string, dir = SDK): Promise<string> {
  const result = await build({ stdin: { contents: entry, resolveDir: dir, loader: "ts" }, bundle: true, minify: true, format: "esm", platform: "neutral", write: false, logLevel: "silent" });
  return result.outputFiles[0]!.text;
}

describe("the generated SDK in a bundle", () => {
  test("a bundle validating one event carries no other event's validator", async () => {
    const one = await bundle('export { checkFileEditedV1Payload } from "./index.js";');
    expect(one).toContain('"file"');
    // Field names, a shape of a union and a pattern that only other events have.
    for (const foreign of ["sessionID", "permission", "diagnostics", "todos", '"k":"union"', "\\d+\\.\\d+"]) expect(one).not.toContain(foreign);
    const whole = await bundle('export * from "./index.js";');
    for (const foreign of ["sessionID", "permission", "diagnostics", "todos", '"k":"union"', "\\d+\\.\\d+"]) expect(whole).toContain(foreign);
  });

  test("no part of the SDK or the runtime evaluates code from strings", () => {
    for (const dir of [SDK, RUNTIME]) {
      for (const file of (readdirSync(dir, { recursive: true }) as string[]).filter((name) => /\.(ts|json)$/.test(name))) {
        const source = readFileSync(path.join(dir, file), "utf8");
        expect(source, file).not.toMatch(/\beval\(|new Function\b|\bFunction\(/);
      }
    }
  });

  test("a bundle of the bus and the in-process transport carries no Redis code and no Node built-in", async () => {
    const inProcess = await bundle('import { createBus, createMemoryTransport } from "./index.js"; export const bus = createBus({ transport: createMemoryTransport() });', RUNTIME);
    expect(inProcess).toContain("publish");
    // Names only the Redis transport uses (client methods it calls).
    const redisOnly = ["pSubscribe", "spublish"];
    for (const name of redisOnly) expect(inProcess.includes(name), `in-process bundle contains ${name}`).toBe(false);
    expect(/from\s*"node:|require\(/.test(inProcess), "in-process bundle imports a Node built-in").toBe(false);
    const withRedis = await bundle('export { createBus, createRedisTransport } from "./index.js";', RUNTIME);
    for (const name of redisOnly) expect(withRedis.includes(name), `Redis bundle lacks ${name}`).toBe(true);
  });
});
