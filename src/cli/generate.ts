/**
 * `eventc generate`: write, check (`--check`) or watch (`--watch`) the generated outputs.
 *
 * `--typeshare <langs>` also runs typeshare-cli over the Rust crate, once per language, into
 * `<out>/typeshare/<lang>/`. typeshare runs on a staged copy of the crate before anything is
 * written, and its files join the same write (or `--check`) as every target's, so they are in the
 * manifest, written atomically with the rest and reported when stale.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import { EventcError } from "../errors.js";
import { locate } from "./index.js";
import { emitTargets, packageWarnings, targetWarnings } from "../generate.js";
import type { Catalogue } from "../ir/types.js";
import { loadCatalogue } from "../load/catalogue.js";
import { findTarget } from "../targets/index.js";
import { JOURNAL } from "../journal.js";
import { checkOutputs, MANIFEST, writeOutputs, type PlannedFile } from "../writer.js";

export interface GenerateFlags {
  schemas?: string;
  out?: string;
  target?: string[];
  config?: string;
  check?: boolean;
  watch?: boolean;
  /** typeshare languages, comma-separated (`swift,kotlin`). */
  typeshare?: string;
  /** Print errors only: no summary, no warnings. */
  quiet?: boolean;
}

/**
 * The languages `--typeshare` runs, with the file each is written to under `typeshare/<lang>/`.
 * Which of them work depends on the installed typeshare-cli (`go` needs a CLI built with
 * `--features go`); scala needs a package name eventc does not have, so it is not offered.
 */
const TYPESHARE_FILES: Record<string, string> = {
  swift: "Events.swift",
  kotlin: "Events.kt",
  typescript: "events.ts",
  go: "events.go",
};

interface Typeshare {
  program: string;
  languages: string[];
}

const relative = (file: string): string => path.relative(process.cwd(), file) || ".";

function counts(catalogue: Catalogue): string {
  const versions = catalogue.events.reduce((sum, event) => sum + event.versions.length, 0);
  return `${catalogue.events.length} events, ${versions} versions, ${catalogue.types.length} named types`;
}

export async function generateCommand(flags: GenerateFlags): Promise<number> {
  if (flags.check && flags.watch) {
    throw new EventcError("--check and --watch do not go together: --check compares once and writes nothing, --watch keeps writing; use one");
  }
  const config = await resolveConfig(process.cwd(), {
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.schemas !== undefined ? { schemas: flags.schemas } : {}),
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(flags.target !== undefined ? { targets: flags.target } : {}),
  });
  refuseOverlap(config, flags.typeshare !== undefined);
  const typeshare = flags.typeshare === undefined ? undefined : findTypeshare(flags.typeshare, config.targets);
  if (flags.check) {
    const { catalogue, files } = await emit(config, typeshare);
    const report = checkOutputs(files, writeOptions(config, typeshare));
    const problems = [
      ...(report.interrupted ? [`  interrupted  ${JOURNAL} (an eventc generate was stopped while writing; the next run completes or undoes it)`] : []),
      ...report.missing.map((file) => `  missing  ${file}`),
      ...report.stale.map((file) => `  stale    ${file}`),
      ...report.extra.map((file) => `  extra    ${file}`),
    ];
    if (problems.length === 0) {
      if (!flags.quiet) process.stdout.write(`${relative(config.outDir)} is up to date (${counts(catalogue)}).\n`);
      return 0;
    }
    process.stderr.write(`${relative(config.outDir)} is out of date; run \`eventc generate\`:\n${problems.join("\n")}\n`);
    return 1;
  }
  const reporting: Reporting = flags.watch ? { quiet: flags.quiet === true, shown: new Set() } : { quiet: flags.quiet === true };
  const code = await generateOnce(config, typeshare, reporting);
  if (!flags.watch) return code;
  return watchSchemas(config, typeshare, reporting);
}

const isWithin = (inner: string, outer: string): boolean => {
  const relation = path.relative(outer, inner);
  return relation === "" || (!relation.startsWith("..") && !path.isAbsolute(relation));
};

/**
 * The output folder must not lie in the schemas folder (the next run would import generated
 * modules as schemas), and the schemas folder must not lie in a folder the writer owns (it would
 * replace or remove schema modules).
 */
function refuseOverlap(config: ResolvedConfig, typeshare: boolean): void {
  if (isWithin(config.outDir, config.schemasDir)) {
    const where = config.outDir === config.schemasDir ? "is the schemas folder" : `is inside the schemas folder "${relative(config.schemasDir)}"`;
    throw new EventcError(`output folder "${relative(config.outDir)}" ${where}: generated modules would be read back as schemas; choose an output folder outside it`);
  }
  const owned = writeOptions(config, typeshare ? { program: "", languages: [] } : undefined).ownedFolders;
  const folder = owned.find((name) => isWithin(config.schemasDir, path.join(config.outDir, name)));
  if (folder !== undefined) {
    throw new EventcError(`schemas folder "${relative(config.schemasDir)}" is inside "${relative(path.join(config.outDir, folder))}", which eventc generate owns and rewrites; move the schemas or choose another output folder`);
  }
}

/** Every file this run produces: the targets' and, with `--typeshare`, typeshare's. */
async function emit(config: ResolvedConfig, typeshare: Typeshare | undefined): Promise<{ catalogue: Catalogue; files: PlannedFile[] }> {
  const catalogue = await loadCatalogue({ schemasDir: config.schemasDir });
  const files = emitTargets(catalogue, config.targets, config.targetOptions);
  return { catalogue, files: typeshare === undefined ? files : [...files, ...runTypeshare(typeshare, files)] };
}

function writeOptions(config: ResolvedConfig, typeshare: Typeshare | undefined) {
  const folders = config.targets.map((id) => findTarget(id)!.folder);
  return { outDir: config.outDir, ownedFolders: typeshare === undefined ? folders : [...folders, "typeshare"], display: relative };
}

/**
 * Resolves `--typeshare`: typeshare-cli on PATH and languages it supports, else exit 2 before
 * anything is written.
 */
function findTypeshare(list: string, targets: string[]): Typeshare {
  const languages = [...new Set(list.split(",").map((lang) => lang.trim()).filter((lang) => lang !== ""))];
  if (languages.length === 0) throw new EventcError("--typeshare needs at least one language, e.g. --typeshare swift,kotlin");
  if (!targets.includes("rust")) throw new EventcError("--typeshare runs on the Rust crate; add the rust target (--target rust)");
  const program = onPath("typeshare");
  if (program === undefined) {
    throw new EventcError("--typeshare needs typeshare-cli, and no `typeshare` is on PATH; install it with `cargo install typeshare-cli`");
  }
  const help = spawnSync(program, ["--help"], { encoding: "utf8" });
  const supported = /--lang[^[]*\[possible values: ([^\]]+)\]/.exec(help.stdout ?? "")?.[1]?.split(",").map((lang) => lang.trim());
  if (supported === undefined) throw new EventcError(`cannot tell which languages ${program} supports (\`${program} --help\` failed or changed)`);
  const usable = supported.filter((lang) => TYPESHARE_FILES[lang] !== undefined);
  const unsupported = languages.filter((lang) => !usable.includes(lang));
  if (unsupported.length > 0) {
    const go = unsupported.includes("go") && !supported.includes("go") ? " (for go, install it with `cargo install typeshare-cli --features go`)" : "";
    throw new EventcError(`--typeshare: ${unsupported.map((lang) => `"${lang}"`).join(", ")} not supported by ${program}${go}; choose from ${usable.join(", ")}`);
  }
  return { program, languages };
}

function onPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    if (folder === "") continue;
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Stages the Rust crate in a temporary folder and runs typeshare there once per language. */
function runTypeshare(typeshare: Typeshare, files: PlannedFile[]): PlannedFile[] {
  const stage = mkdtempSync(path.join(tmpdir(), "eventc-typeshare-"));
  try {
    const crate = path.join(stage, "crate");
    for (const file of files.filter((candidate) => candidate.path.startsWith("rust/"))) {
      const target = path.join(crate, file.path.slice("rust/".length));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.contents);
    }
    return typeshare.languages.map((lang) => {
      const output = path.join(stage, `${lang}-${TYPESHARE_FILES[lang]!}`);
      const result = spawnSync(typeshare.program, [".", "--config-file", "typeshare.toml", `--lang=${lang}`, `--output-file=${output}`], { cwd: crate, encoding: "utf8" });
      if (result.error !== undefined || result.status !== 0) {
        // typeshare logs progress on stderr as `[<time>] INFO …` lines; the rest is the failure.
        const failure = result.stderr.split("\n").filter((line) => line.trim() !== "" && !/^\[\d{4}-/.test(line));
        throw new EventcError(`typeshare-cli failed for ${lang}: ${result.error?.message ?? failure.join("\n")}`);
      }
      return { path: `typeshare/${lang}/${TYPESHARE_FILES[lang]!}`, contents: readFileSync(output, "utf8") };
    });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** How a run reports: `quiet` prints errors only; `shown` holds the warnings printed by earlier runs (watch mode). */
interface Reporting {
  quiet: boolean;
  shown?: Set<string>;
}

async function generateOnce(config: ResolvedConfig, typeshare: Typeshare | undefined, reporting: Reporting): Promise<number> {
  const started = performance.now();
  const { catalogue, files } = await emit(config, typeshare);
  const report = writeOutputs(files, writeOptions(config, typeshare));
  const warnings = [
    ...targetWarnings(catalogue, config.targets),
    ...packageWarnings(config.targets, config.targetOptions, config.outDir, relative),
    ...report.ignored.map(({ entry, reason }) => `${relative(path.join(config.outDir, MANIFEST))}: entry ${JSON.stringify(entry)} ignored: ${reason}`),
  ];
  const ms = Math.round(performance.now() - started);
  if (reporting.quiet) return 0;
  // In watch mode a warning is printed when it first appears, not on every run.
  for (const warning of warnings) if (!reporting.shown?.has(warning)) process.stderr.write(`eventc: warning: ${warning}\n`);
  if (reporting.shown !== undefined) {
    reporting.shown.clear();
    for (const warning of warnings) reporting.shown.add(warning);
  }
  process.stdout.write(
    `${relative(config.outDir)}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed` +
      ` (${counts(catalogue)}; ${config.targets.join(", ")}${typeshare === undefined ? "" : `; typeshare ${typeshare.languages.join(", ")}`}) in ${ms} ms\n`,
  );
  return 0;
}

/** The identity of a folder (device and inode), or undefined when there is no folder there. */
function folderIdentity(dir: string): string | undefined {
  try {
    const stats = statSync(dir);
    return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Regenerates on every change under the schemas folder until interrupted. Errors are shown, not
 * fatal. When the schemas folder itself is moved or deleted, watching waits for a folder to be
 * there again (moved back, or a new one) and says so, then watches and regenerates it.
 */
function watchSchemas(config: ResolvedConfig, typeshare: Typeshare | undefined, reporting: Reporting): Promise<number> {
  const shownDir = relative(config.schemasDir);
  const say = (line: string): void => {
    if (!reporting.quiet) process.stdout.write(`${line}\n`);
  };
  say(`watching ${shownDir} (Ctrl-C to stop)`);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let running = Promise.resolve();
    let watcher: FSWatcher | undefined;
    let watched: string | undefined;
    const regenerate = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(async () => {
          try {
            await generateOnce(config, typeshare, reporting);
          } catch (error) {
            process.stderr.write(`eventc: ${error instanceof EventcError ? (await locate(error)).format() : String(error)}\n`);
          }
        });
      }, 100);
    };
    const onChange = (): void => {
      // A change inside the folder, or to the folder itself (moved away: follow() sees it).
      if (folderIdentity(config.schemasDir) === watched) regenerate();
      else follow();
    };
    const attach = (): void => {
      try {
        const current = watch(config.schemasDir, { recursive: true }, onChange);
        watcher = current;
        current.on("error", (error) => {
          if (folderIdentity(config.schemasDir) !== watched) return follow();
          // The folder is still there: the watcher itself failed. Say so and start a new one.
          process.stderr.write(`eventc: watching ${shownDir} failed (${error.message}); watching it again\n`);
          current.close();
          attach();
        });
      } catch {
        watched = undefined; // gone again already: the next poll sees whatever is there
      }
    };
    /** Re-attaches when the folder at the schemas path is not the one watched (moved, deleted, back, replaced). */
    const follow = (): void => {
      const identity = folderIdentity(config.schemasDir);
      if (identity === watched) return;
      watcher?.close();
      watcher = undefined;
      clearTimeout(timer);
      const before = watched;
      watched = identity;
      if (identity === undefined) {
        process.stderr.write(`eventc: schemas folder "${shownDir}" was moved or deleted; waiting for it to come back (Ctrl-C to stop)\n`);
        return;
      }
      say(before === undefined ? `${shownDir} is back; watching it` : `${shownDir} was replaced by another folder; watching that one`);
      attach();
      regenerate();
    };
    watched = folderIdentity(config.schemasDir);
    attach();
    const poll = setInterval(follow, 300);
    process.once("SIGINT", () => {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
      resolve(0);
    });
  });
}
