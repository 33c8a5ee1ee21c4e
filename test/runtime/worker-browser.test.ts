/**
 * The Worker transports in a real browser (Debian's chromium driven by playwright-core): a page's
 * bus and its Web Worker's bus exchange 100,000 events each way, in order; a worker the page
 * terminates (which says nothing) is taken for gone by the heartbeat — every held publish rejected,
 * every stream ended with the cause, nothing held.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "../helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));

async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [path.join(ROOT, "test", "runtime", entry)], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "silent" });
  return result.outputFiles[0]!.text;
}

describe("Worker transport in chromium", () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error("chromium is not installed (scripts/setup.sh installs it with apt-get)");
    const [pageScript, workerScript] = await Promise.all([bundle("worker-browser-page.ts"), bundle("worker-browser-worker.ts")]);
    server = createServer((request, response) => {
      if (request.url === "/page.js" || request.url === "/worker.js") {
        response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(request.url === "/page.js" ? pageScript : workerScript);
      } else if (request.url === "/favicon.ico") {
        response.writeHead(204).end();
      } else if (request.url === "/") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('<!doctype html><meta charset="utf-8"><title>worker</title><script type="module" src="/page.js"></script>');
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    page = await browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => "__run" in globalThis);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });

  const run = (plan: { kind: string; count?: number }): Promise<Record<string, unknown>> =>
    page.evaluate((given) => (globalThis as unknown as { __run: (plan: unknown) => Promise<Record<string, unknown>> }).__run(given), plan);

  test("a_page_and_its_web_worker_exchange_one_hundred_thousand_events_each_way_in_order", { timeout: 120_000 }, async () => {
    const result = await run({ kind: "each-way", count: 100_000 });
    expect(result).toEqual({ here: { received: 100_000, ordered: true }, there: { received: 100_000, ordered: true } });
    expect(problems).toEqual([]);
  });

  test("a_terminated_web_worker_is_taken_for_gone_every_held_publish_rejected_and_streams_ended", { timeout: 60_000 }, async () => {
    const result = await run({ kind: "terminated" });
    expect(result["heldBefore"]).toBeGreaterThan(0);
    expect(result["rejected"]).toBeGreaterThanOrEqual(result["heldBefore"] as number);
    expect(result["heldAfter"]).toBe(0);
    expect(result["ended"]).toBe("ended");
    expect(result["streamError"]).toMatch(/answered nothing for 300 ms/);
    expect(problems).toEqual([]);
  });
});
