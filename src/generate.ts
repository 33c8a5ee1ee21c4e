/** The generate pipeline: load → IR → targets → writer. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Catalogue } from "./ir/types.js";
import { loadCatalogue } from "./load/catalogue.js";
import { findTarget } from "./targets/index.js";
import type { PackageNeed, TargetOptions } from "./targets/target.js";
import { checkOutputs, writeOutputs, type CheckReport, type PlannedFile, type WriteReport } from "./writer.js";

export interface GenerateOptions {
  schemasDir: string;
  outDir: string;
  /** Target ids; every target when absent. */
  targets: string[];
  /**
   * Settings targets read (the Rust crate's name and version, the runtime's parts); defaults when
   * absent — every part of the runtime, the SSE client included (`eventc generate` settles the
   * config's `"auto"` through `resolveConfig`).
   */
  targetOptions?: TargetOptions;
  cwd?: string;
}

/** Runs the chosen targets over a catalogue. Pure: returns files relative to the output folder. */
export function emitTargets(catalogue: Catalogue, targetIds: string[], options: TargetOptions = {}): PlannedFile[] {
  return targetIds.flatMap((id) => {
    const target = findTarget(id);
    if (!target) throw new Error(`unknown target ${id}`);
    return target.emit(catalogue, options).map((file) => ({ path: `${target.folder}/${file.path}`, contents: file.contents }));
  });
}

/** Each chosen target's warnings for the catalogue, prefixed with the target id. */
export function targetWarnings(catalogue: Catalogue, targetIds: string[]): string[] {
  return targetIds.flatMap((id) => (findTarget(id)?.warnings?.(catalogue) ?? []).map((warning) => `${id}: ${warning}`));
}

/**
 * The version of the package `name` that a program in `dir` gets, found the way Node and
 * TypeScript find it: `node_modules/<name>` in `dir` or the nearest folder above it that has one.
 * An empty string when its package.json gives no version; undefined when there is none.
 */
export function installedVersion(name: string, dir: string): string | undefined {
  for (let folder = path.resolve(dir); ; folder = path.dirname(folder)) {
    const manifest = path.join(folder, "node_modules", name, "package.json");
    if (existsSync(manifest)) {
      try {
        const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: unknown }).version;
        return typeof version === "string" ? version : "";
      } catch {
        return "";
      }
    }
    if (path.dirname(folder) === folder) return undefined;
  }
}

/** Whether code in `dir` finds a version of the package the need is written for. */
export function packageFound(need: PackageNeed, dir: string): boolean {
  const version = installedVersion(need.name, dir);
  return version !== undefined && need.majors.includes(Number(/^\d+/.exec(version)?.[0]));
}

/**
 * One warning for each package that a chosen target's files import and that its folder in the
 * output does not find (or finds in a version they are not written for), with what to install.
 * The files are written all the same: they are what the config asks for, and the package may be
 * installed afterwards; until it is, the program's `tsc` fails on that import.
 */
export function packageWarnings(targetIds: string[], options: TargetOptions, outDir: string, display: (file: string) => string): string[] {
  return targetIds.flatMap((id) => {
    const target = findTarget(id)!;
    const folder = path.join(outDir, target.folder);
    return (target.packages?.(options) ?? [])
      .filter((need) => !packageFound(need, folder))
      .map((need) => {
        const version = installedVersion(need.name, folder);
        const found = version === undefined ? `, which ${display(folder)} cannot find` : ` version ${need.majors.join(" or ")}, and ${display(folder)} finds ${version || "one without a version"}`;
        return `${id}: ${target.folder}/${need.importedBy} imports ${need.name}${found}; install it with \`npm install ${need.install}\`, or ${need.without}`;
      });
  });
}

function writeOptions(options: GenerateOptions) {
  const cwd = options.cwd ?? process.cwd();
  return {
    outDir: options.outDir,
    ownedFolders: options.targets.map((id) => findTarget(id)!.folder),
    display: (file: string) => path.relative(cwd, file) || ".",
  };
}

export async function generate(options: GenerateOptions): Promise<{ catalogue: Catalogue; report: WriteReport; warnings: string[] }> {
  const catalogue = await loadCatalogue({ schemasDir: options.schemasDir, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const files = emitTargets(catalogue, options.targets, options.targetOptions);
  const write = writeOptions(options);
  const warnings = [...targetWarnings(catalogue, options.targets), ...packageWarnings(options.targets, options.targetOptions ?? {}, options.outDir, write.display)];
  return { catalogue, report: writeOutputs(files, write), warnings };
}

export async function checkGenerated(options: GenerateOptions): Promise<{ catalogue: Catalogue; report: CheckReport }> {
  const catalogue = await loadCatalogue({ schemasDir: options.schemasDir, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const files = emitTargets(catalogue, options.targets, options.targetOptions);
  return { catalogue, report: checkOutputs(files, writeOptions(options)) };
}
