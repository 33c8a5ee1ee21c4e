/**
 * The demo in a real browser (Debian's chromium driven by playwright-core, headless), tested for
 * what a person would see:
 * - in process: the page renders the feed through the generated SSE client and coalescer; when the
 *   server cuts the connection, the page reconnects, says it resumed, and ends up with every event
 *   exactly once, in order; a page opened late shows the current state at once from the snapshot;
 *   the charts move, the table's columns keep their width, and the console stays clean; a spoke
 *   process publishing through the WebSocket hub reaches the page, every event once and in order,
 *   and one for a session the page does not show is refused; switched live between WebSocket,
 *   polling and SSE, the page misses nothing and repeats nothing;
 * - over Redis Streams, with the server a real process: killed and started again, the server
 *   resumes the page from the streams without losing an event — also those another producer
 *   published while it was down; Redis killed, the page says the server's event transport is down,
 *   and live again when it is back; the gap Redis's restart leaves (no persistence: the streams are
 *   gone) shows until the page has rebuilt its state.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBus } from "../generated/runtime/index.js";
import { connectDemoRedis, createDemoServer, DEMO_EVENTS, DEMO_STREAM_PREFIX, demoSessions, type DemoServer } from "../demo/server.js";
import { ROOT, workDir } from "./helpers.js";
import { freePort, startRedisServer, type RedisServer } from "./runtime/redis-server.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));
const SCREENSHOTS = path.join(ROOT, "test", ".work", "demo-screenshots");

interface PageState {
  received: string[];
  channels: string[];
  forgotten: number;
  snapshot: number;
  statuses: string[];
  firstLive: string | undefined;
  resyncs: number;
  charts: { events: number[]; frames: number[] };
}

const pageState = (page: Page): Promise<PageState> => page.evaluate(() => (globalThis as unknown as { __demo: PageState }).__demo);
const statusText = async (page: Page): Promise<string> => (await page.textContent("#status")) ?? "";

/** Waits until `probe` holds, checking every 50 ms, for at most `ms`. */
async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function launchBrowser(): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error("chromium is not installed (scripts/setup.sh installs it with apt-get)");
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

/** What the browser's console and network say about a page: errors, warnings and answers of 400 or more. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return problems;
}

/** Records every text the status badge and the gap banner show, in order, as the DOM changes. */
async function recordBanners(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: string[] = [];
    (globalThis as unknown as { __banners: string[] }).__banners = log;
    const status = document.getElementById("status")!;
    const gap = document.getElementById("gap")!;
    const note = (): void => {
      const entry = `status=${status.textContent ?? ""} | gap=${gap.hidden ? "hidden" : (gap.textContent ?? "")}`;
      if (log.at(-1) !== entry) log.push(entry);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["hidden"] });
    note();
  });
}
const banners = (page: Page): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { __banners: string[] }).__banners);

/** The widths of the table's columns, as laid out now. */
const columnWidths = (page: Page): Promise<number[]> => page.$$eval("thead th", (cells) => cells.map((cell) => cell.getBoundingClientRect().width));

/** Each row's session, status and tool, as shown now. */
const sessionStates = (page: Page): Promise<string[][]> =>
  page.$$eval("#sessions tr", (rows) => rows.map((row) => [...row.querySelectorAll("td")].filter((_, index) => index !== 2).map((cell) => cell.textContent ?? "")));

/** The chart's line as drawn now. */
const chartLine = (page: Page, id: string): Promise<string> => page.$eval(`#${id} polyline`, (line) => line.getAttribute("points") ?? "");

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe("the live demo in process", () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await createDemoServer({ sessions: 3, rate: 300, record: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("renders the feed, survives a dropped connection with every event exactly once, shows a late joiner the current state, and keeps its layout and console clean", { timeout: 90_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems = watchConsole(page);
    await page.goto(server.url);
    await until(async () => (await statusText(page)) === "live", 15_000, "the first page to go live");
    expect(await page.textContent("#transport")).toBe("in-process bus");
    server.simulator.start();
    await until(async () => (await page.locator("#sessions tr").count()) === 3, 10_000, "three sessions rendered");
    const widths = await columnWidths(page);
    await until(async () => (await pageState(page)).received.length > 150, 15_000, "events before the cut");

    // The server cuts the connection mid-stream; the feed goes on meanwhile.
    expect(server.dropConnections()).toBe(1);
    await until(async () => (await pageState(page)).statuses.filter((kind) => kind === "connected").length >= 2, 15_000, "the page to reconnect");
    expect(await statusText(page)).toMatch(/^live, resumed(: \d+ missed events replayed)?$/);
    await until(async () => (await pageState(page)).received.length > server.simulator.published.length / 2 + 150, 15_000, "events after the reconnect");

    // The charts draw a sample a second.
    await until(async () => (await pageState(page)).charts.events.length >= 2, 5_000, "two samples of the chart");
    const drawn = await chartLine(page, "events-chart");
    await until(async () => (await chartLine(page, "events-chart")) !== drawn, 3_000, "the chart to move on");
    const charts = (await pageState(page)).charts;
    expect(Math.max(...charts.events)).toBeGreaterThan(0);
    expect(Math.max(...charts.frames)).toBeGreaterThan(0);
    expect(Math.max(...charts.frames)).toBeLessThanOrEqual(70); // one frame per batch, ~60 a second at most
    expect(Number(await page.textContent("#events-rate"))).toBe(Math.round(charts.events.at(-1)!));

    // A second page, opened late, shows the current state at once.
    const late = await browser.newPage();
    const lateProblems = watchConsole(late);
    await late.goto(server.url);
    await until(async () => (await late.locator("#sessions tr").count()) === 3, 15_000, "the late page's sessions");
    expect((await pageState(late)).snapshot).toBeGreaterThan(0);

    await server.simulator.stop();
    const published = [...server.simulator.published];
    await until(async () => (await pageState(page)).received.length >= published.length, 15_000, "every published event to arrive");
    const received = (await pageState(page)).received;
    expect(new Set(received).size).toBe(received.length);
    expect(received).toEqual(published);
    expect(server.simulator.failures).toBe(0);
    expect((await pageState(page)).statuses).toContain("reconnecting");

    // Both pages settle on the same state: the late joiner's snapshot plus its live events. (The
    // text a part streamed before the late page joined reaches it whole with the part's next update.)
    await until(async () => JSON.stringify(await sessionStates(page)) === JSON.stringify(await sessionStates(late)), 15_000, "both pages to show the same state");
    expect(["idle", "busy"]).toContain(await page.locator('#sessions tr[data-session="ses_1"] td').nth(1).textContent());
    expect(await columnWidths(page)).toEqual(widths);
    expect(await page.isHidden("#gap")).toBe(true);
    expect([...problems, ...lateProblems]).toEqual([]);
    await screenshot(page, "in-process");
  });

  test("a spoke process publishes through the hub, and the page receives its events exactly once, in order; one for a session the page does not show is refused", { timeout: 60_000 }, async () => {
    await server.simulator.stop();
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems = watchConsole(page);
    await page.goto(`${server.url}?channel=websocket`);
    await until(async () => (await statusText(page)) === "live", 15_000, "the page to go live over the WebSocket");
    const before = (await pageState(page)).received.length;
    const hub = `${server.url.replace(/^http/, "ws")}live`;
    const spoke = await runSpoke([hub, "200", "ses_2"]);
    expect(spoke.code, spoke.stderr).toBe(0);
    const ids = spoke.stdout.trim().split("\n");
    expect(ids).toHaveLength(201);
    await until(async () => (await pageState(page)).received.length >= before + ids.length, 15_000, "the spoke's events on the page");
    expect((await pageState(page)).received.slice(before)).toEqual(ids);
    // authorizePublish: the demo's hub takes publishes for the sessions the page shows only.
    const refused = await runSpoke([hub, "1", "ses_99"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("403");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await pageState(page)).received.length).toBe(before + ids.length);
    expect(problems).toEqual([]);
    await page.close();
  });

  test("over a WebSocket, and switching channel live to polling, SSE and back, the page receives every event exactly once, in order", { timeout: 90_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems = watchConsole(page);
    await page.goto(`${server.url}?channel=websocket`);
    await until(async () => (await statusText(page)) === "live", 15_000, "the page to go live over the WebSocket");
    expect(await page.textContent("#channel")).toBe("WebSocket");
    const from = server.simulator.published.length;
    server.simulator.start();
    await until(async () => (await pageState(page)).received.length > 100, 15_000, "events over the WebSocket");

    // The hub cuts the socket mid-stream (and the earlier test's pages lose theirs): the client resumes from its last id.
    expect(server.dropConnections()).toBeGreaterThanOrEqual(1);
    await until(async () => (await pageState(page)).statuses.filter((kind) => kind === "connected").length >= 2, 15_000, "the page to reconnect");
    // Switched live to polling, SSE and back, mid-stream: each channel resumes from the other's last id.
    for (const expected of ["Polling", "SSE", "WebSocket", "Polling"]) {
      const before = (await pageState(page)).received.length;
      await page.click("#channel");
      expect(await page.textContent("#channel")).toBe(expected);
      await until(async () => (await pageState(page)).received.length > before + 100, 15_000, `events over ${expected}`);
    }

    await server.simulator.stop();
    const published = server.simulator.published.slice(from);
    await until(async () => (await pageState(page)).received.length >= published.length, 15_000, "every published event to arrive");
    const state = await pageState(page);
    expect(new Set(state.received).size).toBe(state.received.length);
    expect(state.received).toEqual(published);
    expect(state.statuses.filter((kind) => kind === "gap")).toEqual([]);
    expect(problems).toEqual([]);
    await screenshot(page, "websocket");
  });
});

describe("the live demo over Redis Streams, its server a real process", () => {
  let redis: RedisServer;
  let browser: Browser;
  let port: number;
  let server: { child: ChildProcess; output: string[] } | undefined;

  /** Starts `npm run demo`'s program on `port` over Redis; resolves when it serves. */
  async function startServer(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "jiti/register", path.join(ROOT, "demo", "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), REDIS_URL: redis.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    server = { child, output };
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    await until(async () => output.join("").includes("eventc demo: http://"), 30_000, `the demo server to start:\n${output.join("")}`);
    expect(output.join("")).toContain(`(Redis Streams at 127.0.0.1:${redis.port}; Ctrl-C to stop)`);
  }

  async function killServer(): Promise<void> {
    const child = server?.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    port = await freePort();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await killServer();
    await redis?.stop();
  });

  test("a killed server, started again, resumes the page from the streams without losing an event; a Redis outage shows on the page; the gap its restart leaves shows until the page is rebuilt", { timeout: 90_000 }, async () => {
    await startServer();
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems = watchConsole(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    await until(async () => (await statusText(page)) === "live", 15_000, "the page to go live");
    expect(await page.textContent("#transport")).toBe("Redis Streams");
    await until(async () => (await pageState(page)).received.length > 150, 15_000, "events before the crash");
    expect((await pageState(page)).snapshot).toBeGreaterThan(0); // sessions started before the page: from the snapshot in Redis

    // The server crashes. While it is down another producer publishes; the page keeps retrying.
    expect(problems).toEqual([]);
    await killServer();
    const producerRedis = await connectDemoRedis(redis.url);
    const producer = createBus({ transport: producerRedis.transport });
    const whileDown: string[] = [];
    for (let n = 0; n < 30; n += 1) {
      whileDown.push((await producer.publish("session.status", { sessionID: `ses_${(n % 3) + 1}`, status: { type: n % 2 === 0 ? "busy" : "idle" } })).id);
    }
    await producerRedis.close();
    await producer.close();
    await until(async () => /^(reconnecting in|server unreachable)/.test(await statusText(page)), 10_000, "the page to say it is reconnecting");

    await startServer();
    await until(async () => (await statusText(page)) === "live, resumed", 20_000, "the page to resume");
    await until(
      async () => {
        const ids = new Set((await pageState(page)).received);
        return whileDown.every((id) => ids.has(id));
      },
      10_000,
      "the events published while the server was down",
    );

    // Enough of a run to compare (the feed's pace depends on the machine's load).
    await until(async () => (await pageState(page)).received.length > 300, 20_000, "more than 300 events on the page");
    // Nothing lost, nothing twice: per channel, the page received exactly what the stream holds
    // between where its live stream began and where it stands now.
    const { received, channels, lastEventId, firstLive, forgotten } = await page.evaluate(() => {
      const demo = globalThis as unknown as { __demo: PageState; __demoLastEventId: () => string | undefined };
      return { ...demo.__demo, lastEventId: demo.__demoLastEventId() };
    });
    expect(forgotten).toBe(0);
    const start = cursorPositions(firstLive!);
    const end = cursorPositions(lastEventId!);
    expect([...end.keys()].sort()).toEqual(DEMO_EVENTS.flatMap((name) => demoSessions(3).map((topic) => `${name}:${topic}`)).sort());
    const raw = new Redis(redis.url);
    try {
      for (const [channel, position] of end) {
        const entries = (await raw.call("XRANGE", `${DEMO_STREAM_PREFIX}${channel}`, `(${start.get(channel)}`, position)) as [string, string[]][];
        const inStream = entries.map(([, fields]) => (JSON.parse(fields[fields.indexOf("envelope") + 1]!) as { id: string }).id);
        const onPage = received.filter((_, index) => channels[index] === channel);
        expect(onPage, channel).toEqual(inStream);
      }
    } finally {
      raw.disconnect();
    }
    expect(received.length).toBeGreaterThan(300);
    expect(server!.output.join("")).not.toContain("publish failed");
    expect(new Set(received).size).toBe(received.length);

    // Redis goes away: the page says the server's event transport is down, then that it is back.
    await recordBanners(page);
    await redis.kill();
    await until(async () => /^degraded: the server's event transport is down/.test(await statusText(page)), 15_000, "the page to show the outage");
    expect(await page.getAttribute("#status", "data-kind")).toBe("degraded");
    await screenshot(page, "redis-down");
    await redis.start();
    // Redis came back empty (no persistence): the streams the page stood in are gone, so the server
    // reports a gap, and the page rebuilds its state from a new connection's snapshot.
    await until(async () => (await pageState(page)).resyncs >= 1 && (await statusText(page)) === "live", 20_000, "the page to rebuild after the gap");
    await until(async () => (await page.locator("#sessions tr").count()) === 3, 10_000, "the sessions to come back");
    const seen = await banners(page);
    const index = (pattern: RegExp): number => seen.findIndex((entry) => pattern.test(entry));
    const down = index(/^status=degraded: the server's event transport is down .*\| gap=hidden$/);
    const back = index(/^status=live again: the server's event transport is back \| gap=hidden$/);
    const lost = index(/\| gap=Events were lost at \d\d:\d\d:\d\d: the server's log lost events of [a-z.]+:ses_\d\. Rebuilding from the server's current state…$/);
    const rebuilt = seen.findIndex((entry, at) => at > lost && entry === "status=live | gap=hidden");
    expect([down, back, lost, rebuilt].every((at) => at >= 0), seen.join("\n")).toBe(true);
    expect(down < back && back < lost && lost < rebuilt, seen.join("\n")).toBe(true);
    expect(seen.slice(lost, rebuilt).every((entry) => !entry.endsWith("gap=hidden")), seen.join("\n")).toBe(true);
    expect(await page.textContent("#gaps")).not.toBe("0");
    expect(await page.textContent("#last-gap")).toMatch(/^The last gap: at \d\d:\d\d:\d\d the server's log lost events of [a-z.]+:ses_\d; the page was rebuilt at \d\d:\d\d:\d\d\.$/);

    // The charts went on through all of it. The console holds the browser's own lines for the
    // requests to /events it could not make while the server was down (refused, or reset when the
    // kill caught one in flight), and nothing else.
    const drawn = await chartLine(page, "events-chart");
    await until(async () => (await chartLine(page, "events-chart")) !== drawn, 3_000, "the chart to move on");
    expect(problems.filter((problem) => !/^console error: Failed to load resource: net::ERR_CONNECTION_(?:REFUSED|RESET) \(http:\/\/127\.0\.0\.1:\d+\/events\?/.test(problem))).toEqual([]);
    await screenshot(page, "redis-streams");
  });
});

/** The position in each channel of a Streams SSE id (`<channel>=<position>` pairs joined by `&`). */
function cursorPositions(cursor: string): Map<string, string> {
  return new Map(
    cursor.split("&").map((pair) => {
      const at = pair.lastIndexOf("=");
      return [decodeURIComponent(pair.slice(0, at)), pair.slice(at + 1)] as const;
    }),
  );
}

test("the demo's server, page and spoke type-check under the strict flags", () => {
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
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [path.join(ROOT, "demo", "main.ts"), path.join(ROOT, "demo", "app.ts"), path.join(ROOT, "demo", "spoke.ts")] }));
  const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
});

/** Runs demo/spoke.ts in its own process: its exit code and what it wrote. */
function runSpoke(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "jiti", "lib", "jiti-cli.mjs"), path.join(ROOT, "demo", "spoke.ts"), ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
