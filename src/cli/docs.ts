/**
 * `eventc docs`: write the static event-catalogue site (src/docs-site/) into its own folder —
 * `eventc-docs/` beside the config file (or in the working directory without one) unless `--out`
 * says otherwise — through the writer, so a crash leaves the old site or the new one and files of
 * events that are gone are removed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import { buildDocsSite, asyncapiDocument, SITE_FOLDERS, ASYNCAPI_FILE, type AsyncApiDocument } from "../docs-site/site.js";
import { EventcError } from "../errors.js";
import { loadCatalogue } from "../load/catalogue.js";
import { LOCKFILE, readLockfile } from "../registry/lockfile.js";
import { modeResolver } from "../registry/options.js";
import type { Registry } from "../registry/types.js";
import { MANIFEST, writeOutputs } from "../writer.js";
import { display, readDeep } from "./check.js";

export interface DocsFlags {
  out?: string;
  schemas?: string;
  config?: string;
  lock?: string;
}

/** The site's folder when neither `--out` is given: beside the config file (or here). */
export const DOCS_FOLDER = "eventc-docs";

const isWithin = (inner: string, outer: string): boolean => {
  const relation = path.relative(outer, inner);
  return relation === "" || (!relation.startsWith("..") && !path.isAbsolute(relation));
};

export async function docsCommand(flags: DocsFlags): Promise<number> {
  const started = performance.now();
  if (flags.out !== undefined && flags.out.trim() === "") throw new EventcError("--out needs a path; it was given an empty one");
  if (flags.lock !== undefined && flags.lock.trim() === "") throw new EventcError("--lock needs a path; it was given an empty one");
  const cwd = process.cwd();
  const config = await resolveConfig(cwd, {
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.schemas !== undefined ? { schemas: flags.schemas } : {}),
  });
  const base = config.file !== undefined ? path.dirname(config.file) : cwd;
  const siteDir = flags.out !== undefined ? path.resolve(cwd, flags.out) : path.join(base, DOCS_FOLDER);
  refuseOverlap(siteDir, config);

  const lockFile = flags.lock !== undefined ? path.resolve(cwd, flags.lock) : path.join(base, LOCKFILE);
  if (flags.lock !== undefined && !existsSync(lockFile)) {
    throw new EventcError(`lockfile not found; run \`eventc lock\` to record the published catalogue, or leave out --lock`, { file: display(lockFile) });
  }
  let locked: Registry | undefined;
  if (existsSync(lockFile)) locked = await readDeep(() => readLockfile(lockFile, display(lockFile)), display(lockFile));

  const catalogue = await loadCatalogue({ schemasDir: config.schemasDir });
  const asyncapi = readAsyncApi(config);
  const { files, model } = buildDocsSite({
    catalogue,
    // Named from the project's folder, not the working directory: the pages are the same bytes wherever eventc runs.
    lockfile: { registry: locked, display: path.relative(base, lockFile).split(path.sep).join("/") || path.basename(lockFile) },
    modeFor: modeResolver(config.registry, undefined),
    ...(asyncapi === undefined ? {} : { asyncapi }),
  });
  const report = writeOutputs(files, { outDir: siteDir, ownedFolders: Object.values(SITE_FOLDERS), display });
  for (const { entry, reason } of report.ignored) {
    process.stderr.write(`eventc: warning: ${display(path.join(siteDir, MANIFEST))}: entry ${JSON.stringify(entry)} ignored: ${reason}\n`);
  }
  const versions = model.events.reduce((sum, event) => sum + event.versions.length, 0);
  const states = locked === undefined ? `no lockfile at ${display(lockFile)}` : `lock states from ${display(lockFile)}`;
  process.stdout.write(
    `${display(siteDir)}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed` +
      ` (${model.events.length} events, ${versions} versions; ${states}${asyncapi === undefined ? "" : "; AsyncAPI messages linked"}) in ${Math.round(performance.now() - started)} ms; open ${display(path.join(siteDir, "index.html"))}\n`,
  );
  return 0;
}

/**
 * The site folder is a folder of its own: not the schemas folder, inside it or around it (the
 * schemas would sit in the site, or the site in the schemas), and not the generated output folder
 * or a folder around it (the two would share one manifest and one writer's journal).
 */
function refuseOverlap(siteDir: string, config: ResolvedConfig): void {
  const shown = display(siteDir);
  if (isWithin(siteDir, config.schemasDir) || isWithin(config.schemasDir, siteDir)) {
    const where = siteDir === config.schemasDir ? "is the schemas folder" : isWithin(siteDir, config.schemasDir) ? `is inside the schemas folder "${display(config.schemasDir)}"` : `holds the schemas folder "${display(config.schemasDir)}"`;
    throw new EventcError(`docs folder "${shown}" ${where}; choose a folder of its own, e.g. --out ${DOCS_FOLDER}`);
  }
  if (isWithin(config.outDir, siteDir)) {
    const where = siteDir === config.outDir ? "is the output folder of eventc generate" : `holds the output folder of eventc generate "${display(config.outDir)}"`;
    throw new EventcError(`docs folder "${shown}" ${where}; choose a folder of its own, e.g. --out ${DOCS_FOLDER}`);
  }
}

/** A schema file beside the AsyncAPI document, as the `asyncapi` target names them. */
const COMPANION = /^[A-Za-z0-9._-]+\.json$/;

/**
 * The AsyncAPI document `eventc generate` wrote (`<out>/asyncapi/asyncapi.json`), when there is
 * one, with the schema files beside it (`<out>/asyncapi/schemas/*.json`) that its `$ref`s name.
 * Only regular files are read: a symbolic link there is not followed out of the output folder.
 */
function readAsyncApi(config: ResolvedConfig): AsyncApiDocument | undefined {
  const file = path.join(config.outDir, ASYNCAPI_FILE);
  if (!existsSync(file)) return undefined;
  const schemasDir = path.join(path.dirname(file), "schemas");
  const companions = existsSync(schemasDir)
    ? readdirSync(schemasDir)
        .filter((name) => COMPANION.test(name) && lstatSync(path.join(schemasDir, name)).isFile())
        .sort()
        .map((name) => ({ path: `schemas/${name}`, text: readFileSync(path.join(schemasDir, name), "utf8") }))
    : [];
  return asyncapiDocument(readFileSync(file, "utf8"), display(file), companions);
}
