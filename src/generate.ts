/** The generate pipeline: load → IR → targets → writer. */
import path from "node:path";
import type { Catalogue } from "./ir/types.js";
import { loadCatalogue } from "./load/catalogue.js";
import { findTarget } from "./targets/index.js";
import type { TargetOptions } from "./targets/target.js";
import { checkOutputs, writeOutputs, type CheckReport, type PlannedFile, type WriteReport } from "./writer.js";

export interface GenerateOptions {
  schemasDir: string;
  outDir: string;
  /** Target ids; every target when absent. */
  targets: string[];
  /** Settings targets read (the Rust crate's name and version); defaults when absent. */
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
  return { catalogue, report: writeOutputs(files, writeOptions(options)), warnings: targetWarnings(catalogue, options.targets) };
}

export async function checkGenerated(options: GenerateOptions): Promise<{ catalogue: Catalogue; report: CheckReport }> {
  const catalogue = await loadCatalogue({ schemasDir: options.schemasDir, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const files = emitTargets(catalogue, options.targets, options.targetOptions);
  return { catalogue, report: checkOutputs(files, writeOptions(options)) };
}
