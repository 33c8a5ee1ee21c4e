/**
 * Makes docs/images/docs-site-diff.png: the docs site of the example catalogue (schemas/, with
 * eventc.lock.json), opened in Debian's chromium at "session.status": its two versions side by side and their diff. Run by
 * hand when the site's look changes:
 *
 *   npx tsx scripts/docs-screenshot.ts [light|dark]
 *
 * The site is built into test/.work/docs-screenshot/, never into the project's folders.
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { buildDocsSite } from "../src/docs-site/site.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { readLockfile } from "../src/registry/lockfile.js";
import { writeOutputs } from "../src/writer.js";
import { SITE_FOLDERS } from "../src/docs-site/model.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SITE = path.join(ROOT, "test", ".work", "docs-screenshot");
const IMAGE = path.join(ROOT, "docs", "images", "docs-site-diff.png");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));
const scheme = process.argv[2] === "dark" ? "dark" : "light";
/** Wide enough for the two versions side by side with their tables unscrolled. */
const WIDTH = 1360;

if (CHROMIUM === undefined) throw new Error("chromium is not installed (scripts/setup.sh installs it with apt-get)");
rmSync(SITE, { recursive: true, force: true });
const catalogue = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas") });
const { files } = buildDocsSite({
  catalogue,
  lockfile: { registry: readLockfile(path.join(ROOT, "eventc.lock.json"), "eventc.lock.json"), display: "eventc.lock.json" },
  modeFor: () => "full",
});
writeOutputs(files, { outDir: SITE, ownedFolders: Object.values(SITE_FOLDERS) });

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
try {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1, colorScheme: scheme });
  await page.goto(pathToFileURL(path.join(SITE, "events", "session.status.html")).href);
  // The two versions side by side and the diff below them: what a reviewer of a change looks at.
  // Page coordinates (the clip of a full-page screenshot), whatever the scroll position.
  const top = (selector: string): Promise<number> => page.$eval(selector, (element) => element.getBoundingClientRect().top + window.scrollY);
  const bottom = (selector: string): Promise<number> => page.$eval(selector, (element) => element.getBoundingClientRect().bottom + window.scrollY);
  const from = (await top("#versions")) - 16;
  const to = (await bottom("#diff-v1-v2")) + 16;
  mkdirSync(path.dirname(IMAGE), { recursive: true });
  await page.screenshot({ path: IMAGE, fullPage: true, clip: { x: 0, y: from, width: WIDTH, height: to - from } });
  console.log(`${path.relative(ROOT, IMAGE)}: ${statSync(IMAGE).size} bytes`);
} finally {
  await browser.close();
}
