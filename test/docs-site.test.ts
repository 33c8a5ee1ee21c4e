/**
 * `eventc docs`: the static event-catalogue site, built from the example catalogue (schemas/, with
 * eventc.lock.json) and from hostile catalogues, then read as files and in Debian's chromium
 * (playwright-core, headless, file:// URLs — no server, as a reader opens the folder).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { main } from "../src/cli/index.js";
import { escapeHtml } from "../src/docs-site/escape.js";
import { consecutiveDiffs } from "../src/docs-site/model.js";
import { FILTER_SCRIPT } from "../src/docs-site/index-page.js";
import { buildDocsSite, SITE_FOLDERS, type DocsSiteInput } from "../src/docs-site/site.js";
import type { Catalogue, EventDef, TypeNode } from "../src/ir/types.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { compareRegistries, registryFromCatalogue } from "../src/registry/check.js";
import { readLockfile } from "../src/registry/lockfile.js";
import type { Registry } from "../src/registry/types.js";
import { emitTargets } from "../src/generate.js";
import { findTarget } from "../src/targets/index.js";
import { writeOutputs } from "../src/writer.js";
import { ROOT, snapshot, workDir } from "./helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));
const LOCKFILE = path.join(ROOT, "eventc.lock.json");

/** Text no page may carry raw: closes the stylesheet, opens a script, breaks out of either quote, and hides or reorders itself. */
const HOSTILE = `</style><script>alert("x")</script><img src=x onerror=alert(1)> "double" 'single' & &amp; \u202e evil \u0007 \ud800 end`;
/** What a reader sees of it: markup as text, invisible characters as visible escapes. */
const HOSTILE_SHOWN = HOSTILE.replace("\u202e", "\\u202E").replace("\u0007", "\\u0007").replace("\ud800", "\\uD800");

let example: Catalogue;
let locked: Registry;

beforeAll(async () => {
  example = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas") });
  locked = readLockfile(LOCKFILE, "eventc.lock.json");
});

const exampleInput = (overrides: Partial<DocsSiteInput> = {}): DocsSiteInput => ({
  catalogue: example,
  lockfile: { registry: locked, display: "eventc.lock.json" },
  modeFor: () => "full",
  ...overrides,
});

/** Builds the site into a fresh scratch folder through the writer, as `eventc docs` does. */
function writeSite(name: string, input: DocsSiteInput): string {
  const dir = workDir(name);
  writeOutputs(buildDocsSite(input).files, { outDir: dir, ownedFolders: Object.values(SITE_FOLDERS) });
  return dir;
}

const unescapeHtml = (html: string): string =>
  html.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!);

/** The HTML of the element with `id` (a section) up to its closing tag. */
function sectionHtml(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `no element with id ${id}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</section>", start));
}

/** Every href of every page, resolved: the file in the site it names and the fragment, if any. */
function internalLinks(dir: string): Array<{ page: string; href: string; file: string; fragment: string | undefined }> {
  const pages = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".html"));
  return pages.flatMap((page) =>
    [...readFileSync(path.join(dir, page), "utf8").matchAll(/href="([^"]*)"/g)].map((match) => {
      const href = unescapeHtml(match[1]!);
      const [target, fragment] = href.split("#") as [string, string | undefined];
      const file = target === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(target)));
      return { page, href, file, fragment: fragment === undefined ? undefined : decodeURIComponent(fragment) };
    }),
  );
}

function resolvesIn(dir: string, link: { file: string; fragment: string | undefined }): boolean {
  const file = path.join(dir, link.file);
  if (link.file.startsWith("..") || !existsSync(file)) return false;
  if (link.fragment === undefined) return true;
  const text = readFileSync(file, "utf8");
  if (link.file.endsWith(".html")) return text.includes(` id="${escapeHtml(link.fragment)}"`);
  let at: unknown = JSON.parse(text);
  for (const segment of link.fragment.split("/").slice(1).map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, segment)) return false;
    at = (at as Record<string, unknown>)[segment];
  }
  return true;
}

/**
 * A catalogue whose every text is hostile: descriptions, field names, enum values, defaults, a
 * pattern, a named type id (without "/" and "~", which JSON Pointers in `$ref`s cannot carry), a
 * source file.
 */
function hostileCatalogue(): Catalogue {
  const field = (type: TypeNode) => ({ kind: "object" as const, additional: "ignore" as const, fields: [
    { name: "<b>", optional: false, description: HOSTILE, type },
    { name: `"quoted'`, optional: true, default: HOSTILE, type: { kind: "enum" as const, values: [HOSTILE, "ok"] } },
    { name: "part", optional: false, type: { kind: "ref" as const, name: `Part<style>"&'` } },
  ] });
  const event: EventDef = {
    name: "evil.thing",
    description: HOSTILE,
    topic: ["<b>"],
    coalesce: [["<b>"]],
    versions: [
      { version: 1, wireType: "evil.thing.v1", payload: field({ kind: "string", pattern: "</script>" }) },
      { version: 2, wireType: "evil.thing.v2", payload: field({ kind: "number", integer: false, description: HOSTILE }) },
    ],
    retired: [],
    source: { file: "schemas/<evil>.ts", exportName: "evil" },
  };
  return {
    events: [event],
    types: [{ name: `Part<style>"&'`, description: HOSTILE, type: { kind: "object", additional: "reject", fields: [{ name: "x", optional: false, type: { kind: "literal", value: HOSTILE } }] } }],
  };
}

/** Runs `eventc docs` in this process, capturing what it prints. */
async function runDocs(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const status = await main(["node", "eventc", "docs", ...args]);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("the example catalogue's site", () => {
  test("the diff of session.status v1 → v2 shows exactly the findings compareRegistries gives for that change", () => {
    const registry = registryFromCatalogue(example);
    const status = registry.events.find((event) => event.name === "session.status")!;
    const [v1, v2] = status.versions as [(typeof status.versions)[0], (typeof status.versions)[0]];
    // What `eventc check` reports when the locked v2 held v1's schema and now holds its own.
    // The schemas alone: migrations are checked against the lockfile, not between versions.
    const schemaOnly = ({ schema, hash }: typeof v1) => ({ version: 2, schema, hash, history: [] });
    const expected = compareRegistries({ events: [{ ...status, versions: [schemaOnly(v1)] }] }, { events: [{ ...status, versions: [schemaOnly(v2)] }] }, { policy: "tolerant", modeFor: () => "full" });
    expect(expected.findings.length).toBeGreaterThan(0);
    const page = buildDocsSite(exampleInput()).files.find((file) => file.path === "events/session.status.html")!.contents;
    const section = sectionHtml(page, "diff-v1-v2");
    const shown = [...section.matchAll(/<li data-rule="([^"]*)"><span class="badge (\w+)">\w+<\/span> <span class="message">(.*?)<\/span>/g)].map((match) => ({
      rule: unescapeHtml(match[1]!),
      severity: match[2],
      message: unescapeHtml(match[3]!),
    }));
    expect(shown).toEqual(expected.findings.map((finding) => ({ rule: finding.rule, severity: finding.severity, message: finding.message })));
    expect(section).toContain(`<span class="rule">[FIELD_TYPE_CHANGED]</span>`);
    for (const [mode, compatible] of Object.entries(expected.verdicts)) expect(section).toContain(`${mode} ${compatible ? "yes" : "no"}</span>`);
  });

  test("a diff between versions with migrations shows only what changed in the schemas", async () => {
    const caseDir = path.join(ROOT, "test", "cases", "migrations_of_every_kind");
    const catalogue = await loadCatalogue({ schemasDir: path.join(caseDir, "schemas"), cwd: caseDir });
    const diffs = consecutiveDiffs(registryFromCatalogue(catalogue), () => "full").get("order.placed")!;
    expect(diffs.map((diff) => [diff.from, diff.to])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(diffs.flatMap((diff) => diff.findings.map((finding) => finding.rule)).filter((rule) => rule.startsWith("MIGRATION_"))).toEqual([]);
    expect(diffs[1]!.findings.length).toBeGreaterThan(0);
  });

  test("two builds give the same bytes, and a second write changes nothing", async () => {
    const first = buildDocsSite(exampleInput()).files;
    const again = buildDocsSite(exampleInput({ catalogue: await loadCatalogue({ schemasDir: path.join(ROOT, "schemas") }) })).files;
    expect(again).toEqual(first);
    const dir = writeSite("docs-site-determinism", exampleInput());
    const report = writeOutputs(first, { outDir: dir, ownedFolders: Object.values(SITE_FOLDERS) });
    expect(report.written).toEqual([]);
    expect(report.unchanged.length).toBe(first.length);
    expect(first.map((file) => file.contents).join("")).not.toMatch(/\b20\d\d-\d\d-\d\d|0\.1\.0/);
  });

  test("every internal link resolves to a file in the folder, and every anchor to an element or JSON Pointer there", () => {
    const dir = writeSite("docs-site-links", exampleInput());
    const links = internalLinks(dir);
    expect(links.length).toBeGreaterThan(100);
    expect(links.filter((link) => /^[a-z]+:|^\/\//i.test(link.href))).toEqual([]);
    expect(links.filter((link) => !resolvesIn(dir, link))).toEqual([]);
    expect(links.some((link) => link.fragment === "diff-v1-v2" && link.page === "index.html")).toBe(true);
  });

  test("lock states: published as locked, unpublished when changed or missing, retired as the catalogue says; no lockfile: unpublished", () => {
    const changed: Registry = {
      events: locked.events
        .filter((event) => event.name !== "todo.updated")
        .map((event) => (event.name === "session.status" ? { ...event, versions: event.versions.map((version) => (version.version === 2 ? { ...version, hash: `sha256:${"0".repeat(64)}` } : version)) } : event)),
    };
    const retiring: Catalogue = { ...example, events: example.events.map((event) => (event.name === "file.edited" ? { ...event, retired: [7] } : event)) };
    const files = buildDocsSite(exampleInput({ catalogue: retiring, lockfile: { registry: changed, display: "eventc.lock.json" } })).files;
    const page = (name: string): string => files.find((file) => file.path === `events/${name}.html`)!.contents;
    expect(page("session.status")).toContain(`<span class="badge published" title="locked in eventc.lock.json">v1 published</span>`);
    expect(page("session.status")).toContain(`<span class="badge unpublished" title="changed since it was locked in eventc.lock.json">v2 unpublished</span>`);
    expect(page("todo.updated")).toContain(`<span class="badge unpublished" title="not in eventc.lock.json">v1 unpublished</span>`);
    expect(page("file.edited")).toContain(`v7 retired</span>`);
    const none = buildDocsSite(exampleInput({ lockfile: { registry: undefined, display: "eventc.lock.json" } })).files;
    const index = none.find((file) => file.path === "index.html")!.contents;
    expect(index).toContain("No lockfile was found at <code>eventc.lock.json</code>");
    expect(index).not.toContain(`class="badge published" title`);
  });

  test("an event no longer in the catalogue loses its page; other files in the folder and beside it are left alone", () => {
    const dir = writeSite("docs-site-stale", exampleInput());
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    writeFileSync(path.join(dir, SITE_FOLDERS.events, "mine.html"), "mine");
    const beside = `${dir}-beside.txt`;
    writeFileSync(beside, "beside");
    const fewer: Catalogue = { ...example, events: example.events.filter((event) => event.name !== "todo.updated") };
    const report = writeOutputs(buildDocsSite(exampleInput({ catalogue: fewer })).files, { outDir: dir, ownedFolders: Object.values(SITE_FOLDERS) });
    expect(report.removed).toEqual(["events/todo.updated.html", "jsonschema/todo.updated.v1.json"]);
    expect(existsSync(path.join(dir, "events", "todo.updated.html"))).toBe(false);
    expect(readFileSync(path.join(dir, "notes.txt"), "utf8")).toBe("mine");
    expect(readFileSync(path.join(dir, "events", "mine.html"), "utf8")).toBe("mine");
    expect(readFileSync(beside, "utf8")).toBe("beside");
    rmSync(beside);
  });

  test("the AsyncAPI document, when given, is copied into the site and each version links to its message", () => {
    const document = { asyncapi: "3.0.0", components: { messages: { "session.status.v2": { name: "session.status.v2" } } } };
    const text = `${JSON.stringify(document, null, 2)}\n`;
    const dir = writeSite("docs-site-asyncapi", exampleInput({ asyncapi: { text, messages: new Set(["session.status.v2"]) } }));
    expect(readFileSync(path.join(dir, "asyncapi", "asyncapi.json"), "utf8")).toBe(text);
    const links = internalLinks(dir).filter((link) => link.file === "asyncapi/asyncapi.json");
    expect(links.map((link) => `${link.page} ${link.fragment}`)).toEqual(["events/session.status.html /components/messages/session.status.v2"]);
    expect(links.every((link) => resolvesIn(dir, link))).toBe(true);
  });
});

test.skipIf(findTarget("asyncapi") === undefined)("with the asyncapi target's output, eventc docs copies the document and its schema files; every version links to its message", async () => {
  const work = workDir("docs-site-asyncapi-cli");
  writeOutputs(emitTargets(example, ["asyncapi"]), { outDir: path.join(work, "gen"), ownedFolders: ["asyncapi"] });
  writeFileSync(path.join(work, "eventc.config.mjs"), `export default { schemas: ${JSON.stringify(path.join(ROOT, "schemas"))}, out: "gen" };\n`);
  const site = path.join(work, "site");
  const result = await runDocs("--config", path.join(work, "eventc.config.mjs"), "--out", site, "--lock", LOCKFILE);
  expect(result.stderr).toBe("");
  expect(result.stdout).toContain("AsyncAPI messages linked");
  const generated = snapshot(path.join(work, "gen", "asyncapi"));
  const copied = snapshot(path.join(site, "asyncapi"));
  expect(copied).toEqual(new Map([...generated].filter(([file]) => file === "asyncapi.json" || file.startsWith("schemas/"))));
  const links = internalLinks(site).filter((link) => link.file === "asyncapi/asyncapi.json");
  expect(links.length).toBe(20);
  expect(links.filter((link) => !resolvesIn(site, link))).toEqual([]);
  // The document's own references to the files beside it resolve in the copy.
  const refs = [...readFileSync(path.join(site, "asyncapi", "asyncapi.json"), "utf8").matchAll(/"\$ref": "([^"#][^"]*)"/g)].map((match) => match[1]!.split("#")[0]!);
  expect(refs.filter((ref) => !existsSync(path.join(site, "asyncapi", ref)))).toEqual([]);
});

describe("hostile text", () => {
  test("renders as text: no markup, script or style of its own reaches a page, invisible characters show as escapes", () => {
    const files = buildDocsSite({ catalogue: hostileCatalogue(), lockfile: { registry: undefined, display: "<lock>.json" }, modeFor: () => "full" }).files;
    const pages = files.filter((file) => file.path.endsWith(".html"));
    const event = pages.find((file) => file.path === "events/evil.thing.html")!.contents;
    for (const { path: file, contents } of pages) {
      const scripts = [...contents.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
      expect(scripts, file).toEqual(file === "index.html" ? [FILTER_SCRIPT] : []);
      expect(contents, file).not.toMatch(/<\/?(style|img|b)\b/i);
      expect(contents, file).not.toMatch(/[\u202e\u0007\ufffd]|[\ud800-\udfff]/);
    }
    expect(event).toContain(escapeHtml(HOSTILE_SHOWN));
    expect(event).toContain(`<code>&lt;b&gt;</code>`);
    expect(event).toContain(`title="/&quot;quoted&#39;"`);
    expect(event).toContain(`<a href="#type-0"><code>Part&lt;style&gt;&quot;&amp;&#39;</code></a>`);
    expect(event).toContain(`<section class="named" id="type-0">`);
    expect(event).toContain(`No example: no sample string matches &lt;/script&gt;`);
    // The diff's sentences name the hostile field, escaped like every other text.
    expect(sectionHtml(event, "diff-v1-v2")).toContain(`Field &quot;&lt;b&gt;&quot;`);
  });

  test("escapeHtml is safe in text and in either quoted attribute", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    expect(escapeHtml("plain text, ünïcode 🙂")).toBe("plain text, ünïcode 🙂");
    expect(escapeHtml("\u2028\u2066\ufeff\udc00")).toBe("\\u2028\\u2066\\uFEFF\\uDC00");
    expect(escapeHtml("tab\tand\nline")).toBe("tab\tand\nline");
  });
});

describe("eventc docs (the command, in process)", () => {
  test("writes the site, then finds it up to date; bad input is exit 2 with the folder untouched", async () => {
    const work = workDir("docs-site-cli");
    const site = path.join(work, "site");
    const schemas = path.join(ROOT, "schemas");
    const first = await runDocs("--out", site, "--schemas", schemas, "--lock", LOCKFILE);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/site: 51 written, 0 unchanged, 0 removed \(18 events, 20 versions; lock states from .*eventc\.lock\.json; AsyncAPI messages linked\) in \d+ ms; open .*site\/index\.html\n$/);
    const before = snapshot(site);
    expect((await runDocs("--out", site, "--schemas", schemas, "--lock", LOCKFILE)).stdout).toMatch(/: 0 written, 51 unchanged, 0 removed/);

    const missing = await runDocs("--out", site, "--schemas", schemas, "--lock", path.join(work, "missing.json"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing\.json: lockfile not found; run `eventc lock`/);
    writeFileSync(path.join(work, "broken.json"), "{ not json");
    const broken = await runDocs("--out", site, "--schemas", schemas, "--lock", path.join(work, "broken.json"));
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json: invalid lockfile/);
    expect(snapshot(site)).toEqual(before);

    mkdirSync(path.join(work, "project", "schemas"), { recursive: true });
    writeFileSync(path.join(work, "project", "eventc.config.mjs"), `export default { schemas: "schemas", out: "gen" };\n`);
    const config = path.join(work, "project", "eventc.config.mjs");
    const intoSchemas = await runDocs("--config", config, "--out", path.join(work, "project", "schemas", "site"));
    expect(intoSchemas.stderr).toMatch(/is inside the schemas folder/);
    const intoOut = await runDocs("--config", config, "--out", path.join(work, "project", "gen"));
    expect(intoOut.stderr).toMatch(/is the output folder of eventc generate/);
    expect([intoSchemas.status, intoOut.status]).toEqual([2, 2]);
    expect(readdirSync(path.join(work, "project")).sort()).toEqual(["eventc.config.mjs", "schemas"]);
    expect(readdirSync(path.join(work, "project", "schemas"))).toEqual([]);
  });
});

test("1,000 event pages render in a few seconds: the registry is compared once, not per page", () => {
  const events: EventDef[] = Array.from({ length: 500 }, (_, index) => ({
    name: `domain${index % 10}.entity${index}.changed`,
    description: `Entity ${index} changed.`,
    topic: ["tenant"],
    coalesce: [["id"]],
    retired: [],
    source: { file: "schemas/bench.ts", exportName: `event${index}` },
    versions: [1, 2].map((version) => ({
      version,
      wireType: `domain${index % 10}.entity${index}.changed.v${version}`,
      payload: { kind: "object", additional: "ignore", fields: [
        { name: "id", optional: false, type: { kind: "string" } },
        { name: "tenant", optional: false, type: { kind: "string" } },
        { name: "status", optional: false, type: { kind: "enum", values: version === 1 ? ["new", "done"] : ["new", "done", "failed"] } },
        { name: "count", optional: version === 2, type: { kind: "number", integer: true, minimum: 0 } },
      ] },
    })),
  }));
  const started = performance.now();
  const { files } = buildDocsSite({ catalogue: { events, types: [] }, lockfile: { registry: undefined, display: "eventc.lock.json" }, modeFor: () => "full" });
  const ms = performance.now() - started;
  expect(files.filter((file) => file.path.startsWith("events/")).length).toBe(500);
  expect(ms).toBeLessThan(20_000);
});

describe("in chromium", () => {
  let browser: Browser;
  let site: string;
  let hostile: string;

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error("chromium is not installed (scripts/setup.sh installs it with apt-get)");
    site = writeSite("docs-site-browser", exampleInput());
    hostile = writeSite("docs-site-browser-hostile", { catalogue: hostileCatalogue(), lockfile: { registry: undefined, display: "eventc.lock.json" }, modeFor: () => "full" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const url = (dir: string, file: string): string => pathToFileURL(path.join(dir, file)).href;

  /** Console errors and warnings, page errors and dialogs (a script that ran). */
  function watch(page: Page): string[] {
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return problems;
  }

  const visibleEvents = (page: Page): Promise<string[]> =>
    page.$$eval("li[data-search]", (items) => items.filter((item) => (item as HTMLElement).offsetParent !== null).map((item) => item.querySelector("a.name")!.textContent!));

  test("filter, open an event, open its diff: the page says what the registry says, with no console error", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = watch(page);
    await page.goto(url(site, "index.html"));
    expect(await visibleEvents(page)).toHaveLength(18);
    await page.fill("#filter", "session status");
    expect(await visibleEvents(page)).toEqual(["session.status"]);
    expect(await page.textContent("#filter-count")).toBe("1 of 18 events");
    expect(await page.isVisible("#domain-file")).toBe(false);
    await page.fill("#filter", "sessionid");
    expect((await visibleEvents(page)).length).toBeGreaterThan(5);
    await page.fill("#filter", "");
    expect(await visibleEvents(page)).toHaveLength(18);

    await page.click("a.name:text-is('session.status')");
    expect(page.url()).toBe(url(site, "events/session.status.html"));
    expect(await page.textContent("h1")).toBe("session.status");
    await page.click("nav.toc a:text-is('v1 → v2')");
    expect(new URL(page.url()).hash).toBe("#diff-v1-v2");
    const diff = page.locator("#diff-v1-v2");
    expect(await diff.isVisible()).toBe(true);
    expect(await diff.locator("li[data-rule] .message").allTextContents()).toEqual([
      `Field "status" on "session.status.v2" changed type from enum "idle" | "busy" to "object | object | object".`,
    ]);
    expect(await diff.locator("li.own").textContent()).toBe("full no");
    expect(problems).toEqual([]);
    await page.close();
  });

  test("every link of the index and of an event page opens a file of the site, at an element that exists", async () => {
    const page = await browser.newPage();
    const problems = watch(page);
    for (const from of ["index.html", "events/session.status.html"]) {
      await page.goto(url(site, from));
      const hrefs = await page.$$eval("a[href]", (anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
      expect(hrefs.length).toBeGreaterThan(5);
      for (const href of [...new Set(hrefs)]) {
        expect(href.startsWith(pathToFileURL(site).href), href).toBe(true);
        const target = new URL(href);
        expect(existsSync(decodeURIComponent(target.pathname)), href).toBe(true);
        if (target.pathname.endsWith(".html") && target.hash !== "") {
          await page.goto(href);
          expect(await page.evaluate((id) => document.getElementById(id) !== null, decodeURIComponent(target.hash.slice(1))), href).toBe(true);
        }
      }
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  test("without JavaScript every event is listed and the filter box stays hidden", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url(site, "index.html"));
    expect(await visibleEvents(page)).toHaveLength(18);
    expect(await page.isVisible("#search")).toBe(false);
    await page.click("a.name:text-is('session.status')");
    expect(await page.isVisible("#diff-v1-v2")).toBe(true);
    await context.close();
  });

  test("hostile text shows as text: no script runs, the description reads as written", async () => {
    const page = await browser.newPage();
    const problems = watch(page);
    await page.goto(url(hostile, "events/evil.thing.html"));
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll("img, style").length)).toBe(0);
    expect(await page.textContent("p.lead")).toBe(HOSTILE_SHOWN);
    await page.goto(url(hostile, "index.html"));
    await page.fill("#filter", "</style>");
    expect(await visibleEvents(page)).toEqual(["evil.thing"]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
