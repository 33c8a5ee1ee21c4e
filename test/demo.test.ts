/**
 * The demo in a real browser (Debian's chromium driven by playwright-core, headless): the page
 * renders the live feed through the generated SSE client and coalescer; when the server cuts the
 * connection, the page reconnects and ends up with every event exactly once, in order; a page
 * opened late shows the current state at once from the late-joiner snapshot.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDemoServer, type DemoServer } from "../demo/server.js";
import { ROOT, workDir } from "./helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));

interface PageState {
  received: string[];
  snapshot: number;
  statuses: string[];
}

const pageState = (page: Page): Promise<PageState> => page.evaluate(() => (globalThis as unknown as { __demo: PageState }).__demo);

/** Waits until `probe` holds, checking every 50 ms, for at most `ms`. */
async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the live demo in a real browser", () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error("chromium is not installed (scripts/setup.sh installs it with apt-get)");
    server = await createDemoServer({ sessions: 3, rate: 300 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("renders the feed, survives a dropped connection with every event exactly once, and shows a late joiner the current state", { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await until(async () => (await page.textContent("#status")) === "connected", 15_000, "the first page to connect");
    server.simulator.start();
    await until(async () => (await page.locator("#sessions tr").count()) === 3, 10_000, "three sessions rendered");
    await until(async () => (await pageState(page)).received.length > 150, 15_000, "events before the cut");

    // The server cuts the connection mid-stream; the feed goes on meanwhile.
    expect(server.dropConnections()).toBe(1);
    await until(async () => (await pageState(page)).statuses.filter((kind) => kind === "connected").length >= 2, 15_000, "the page to reconnect");
    await until(async () => (await pageState(page)).received.length > server.simulator.published.length / 2 + 150, 15_000, "events after the reconnect");

    // A second page, opened late, shows the current state at once.
    const late = await browser.newPage();
    await late.goto(server.url);
    await until(async () => (await late.locator("#sessions tr").count()) === 3, 15_000, "the late page's sessions");
    expect((await pageState(late)).snapshot).toBeGreaterThan(0);

    await server.simulator.stop();
    const published = [...server.simulator.published];
    await until(async () => (await pageState(page)).received.length >= published.length, 15_000, "every published event to arrive");
    const received = (await pageState(page)).received;
    expect(new Set(received).size).toBe(received.length);
    expect(received).toEqual(published);
    expect((await pageState(page)).statuses).toContain("reconnecting");

    // Both pages settle on the same state: the late joiner's snapshot plus its live events.
    await until(async () => (await page.textContent("#sessions")) === (await late.textContent("#sessions")), 15_000, "both pages to show the same state");
    expect(["idle", "busy"]).toContain(await page.locator('#sessions tr[data-session="ses_1"] td').nth(1).textContent());
    if (process.env.EVENTC_DEMO_SCREENSHOT) await page.screenshot({ path: process.env.EVENTC_DEMO_SCREENSHOT });
  });
});

test("the demo's server and page type-check under the strict flags", () => {
  const dir = workDir("demo-tsc");
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    lib: ["es2022", "dom"],
    types: ["node"],
    typeRoots: [path.join(ROOT, "node_modules", "@types")],
    skipLibCheck: true,
    noEmit: true,
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [path.join(ROOT, "demo", "main.ts"), path.join(ROOT, "demo", "app.ts")] }));
  const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
});
