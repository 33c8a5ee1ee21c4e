/** `eventc diff <old> <new>`: compare two JSON Schema files, lockfiles or schemas folders. */
import { EventcError } from "../errors.js";
import { compareRawSchemas, compareRegistries, versionHints } from "../registry/check.js";
import { readDiffInput } from "../registry/inputs.js";
import { DEFAULT_MODE, parseFormat, parseMode, parsePolicy } from "../registry/options.js";
import { printRegistryReport } from "./colour.js";
import { addLines, readDeep } from "./check.js";

export interface DiffFlags {
  mode?: string;
  policy?: string;
  format?: string;
  verbose?: boolean;
}

export async function diffCommand(oldPath: string, newPath: string, flags: DiffFlags): Promise<number> {
  const format = parseFormat(flags.format ?? "text");
  const mode = flags.mode !== undefined ? parseMode(flags.mode) : DEFAULT_MODE;
  if (flags.policy !== undefined) parsePolicy(flags.policy);
  const cwd = process.cwd();
  const previous = await readDeep(() => readDiffInput(oldPath, cwd), oldPath);
  const current = await readDeep(() => readDiffInput(newPath, cwd), newPath);
  const against = `${newPath} against ${oldPath}`;
  if (previous.kind === "schema" && current.kind === "schema") {
    // Raw JSON Schemas say nothing about readers: apply them literally unless told otherwise.
    const policy = parsePolicy(flags.policy ?? "strict");
    const result = compareRawSchemas(previous.schema, current.schema, { policy, mode, label: current.label, files: { previous: oldPath, current: newPath } });
    printRegistryReport({ result, policy, hints: [], against, modes: [`${mode} mode`], verbose: flags.verbose === true }, format);
    return result.compatible ? 0 : 1;
  }
  if (previous.kind === "registry" && current.kind === "registry") {
    const policy = parsePolicy(flags.policy ?? "tolerant");
    const result = compareRegistries(previous.registry, current.registry, { policy, modeFor: () => mode });
    await addLines(result, current.registry);
    const hints = versionHints(result.findings, current.registry, previous.registry);
    printRegistryReport({ result, policy, hints, against, modes: [`${mode} mode`], verbose: flags.verbose === true }, format);
    return result.compatible ? 0 : 1;
  }
  throw new EventcError(`cannot compare a JSON Schema file with a lockfile or schemas folder; give two of the same kind`);
}
