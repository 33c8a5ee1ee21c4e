/**
 * Inputs of `eventc diff`: a JSON Schema file, a lockfile, or a folder of schema modules. Two
 * JSON Schema files are compared as one payload; lockfiles and folders as registries (and may be
 * mixed with each other).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { EventcError } from "../errors.js";
import type { JsonSchema } from "../ir/types.js";
import { loadCatalogue } from "../load/catalogue.js";
import { registryFromCatalogue } from "./check.js";
import { isLockfileJson, parseLockfile } from "./lockfile.js";
import type { Registry } from "./types.js";

export type DiffInput = { kind: "schema"; schema: JsonSchema; label: string } | { kind: "registry"; registry: Registry };

export async function readDiffInput(argument: string, cwd: string): Promise<DiffInput> {
  const full = path.resolve(cwd, argument);
  if (!existsSync(full)) throw new EventcError(`not found: give a JSON Schema file, a lockfile or a schemas folder`, { file: argument });
  if (statSync(full).isDirectory()) {
    return { kind: "registry", registry: registryFromCatalogue(await loadCatalogue({ schemasDir: full, cwd })) };
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(full, "utf8"));
  } catch (error) {
    throw new EventcError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { file: argument });
  }
  if (isLockfileJson(value)) return { kind: "registry", registry: { ...parseLockfile(value, argument), origin: argument } };
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new EventcError(`not a JSON Schema object`, { file: argument });
  const schema = value as JsonSchema;
  const label = typeof schema.title === "string" ? schema.title : path.basename(argument).replace(/\.json$/, "");
  return { kind: "schema", schema, label };
}
