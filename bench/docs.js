// Suite `docs`: `eventc docs` (the static event-catalogue site: 500 event pages, the registry's diff
// of each event's two versions, lock states from a lockfile, the JSON Schemas copied in) against
// `eventc generate` (every target) over the same synthetic contract of 500 events × 2 versions
// (bench/catalogue.js, rich payloads), with the floor — a process that only imports the
// catalogue's schema modules — for scale. The project is recorded with `eventc lock` first, so every
// page reads its lock states from a real lockfile.
//
// Each sample is a whole fresh process writing a folder no run used before (deleting 20 MB of
// output right before a sample slows its file creation by an amount that belongs to the host); the
// three runs are sampled in turn, so a slow spell of the machine weighs on each alike. Also a
// second `eventc docs` into an up-to-date folder (nothing written).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { writeCatalogue } from "./catalogue.js";
import { inTurn, measure, ROOT, WORK } from "./measure.js";

export const name = "docs";
export const description = "eventc docs (static event-catalogue site) vs eventc generate (every target), 500 events × 2 versions (rich payloads), with a lockfile";


export async function run({ samples }) {
  const work = path.join(WORK, "docs");
  const schemas = writeCatalogue(path.join(work, "schemas"), { events: 500, versions: 2, shape: "rich" });
  const lockFile = path.join(work, "eventc.lock.json");
  rmSync(lockFile, { force: true });
  const lock = spawnSync(process.execPath, [path.join(ROOT, "bin", "eventc.js"), "lock", "--schemas", schemas, "--lock", lockFile], { cwd: work, encoding: "utf8" });
  if (lock.status !== 0) throw new Error(`eventc lock failed: ${lock.stderr}`);
  const runsDir = path.join(work, "runs");
  rmSync(runsDir, { recursive: true, force: true });
  let runCount = 0;
  const fresh = (label) => path.join(runsDir, `${label}-${runCount++}`);
  let site = "";

  const [floor, generate, docs] = inTurn(
    [
      () => measure("floor: import the schema modules only (same loader, jiti)", ["floor", schemas], { samples: 1, cwd: work }),
      () => measure("eventc generate (every target)", ["eventc", "generate", "--schemas", schemas, "--out", fresh("generated")], { samples: 1, cwd: work }),
      () => measure("eventc docs (500 pages, 500 diffs, lock states)", ["eventc", "docs", "--schemas", schemas, "--lock", lockFile, "--out", (site = fresh("site"))], { samples: 1, cwd: work }),
    ],
    Math.max(samples, 3),
  );
  const again = measure("eventc docs again (site up to date: nothing written)", ["eventc", "docs", "--schemas", schemas, "--lock", lockFile, "--out", site], { samples: Math.max(samples, 3), cwd: work });
  if (!existsSync(path.join(site, "index.html"))) throw new Error("eventc docs wrote no index.html");
  const pages = readdirSync(path.join(site, "events")).length;
  return {
    rows: [floor, generate, docs, again],
    ratios: [
      { label: "eventc docs / eventc generate (wall time, median; goal < 2)", value: docs.medianMs / generate.medianMs },
      { label: "eventc docs / floor (wall time, median)", value: docs.medianMs / floor.medianMs },
    ],
    notes: [`The site: ${pages} event pages, an index, the JSON Schemas and a stylesheet.`],
  };
}

