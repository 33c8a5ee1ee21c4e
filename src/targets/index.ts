/**
 * The target registry: the one list that drives the CLI's `--target` choices, config validation,
 * the docs and the golden-test matrix. Adding a target is one folder and one line here.
 */
import { asyncApiTarget } from "./asyncapi/index.js";
import { jsonSchemaTarget } from "./jsonschema/index.js";
import { runtimeTarget } from "./runtime/index.js";
import { rustTarget } from "./rust/index.js";
import type { Target } from "./target.js";
import { typeScriptTarget } from "./typescript/index.js";

export const targets: readonly Target[] = [typeScriptTarget, runtimeTarget, jsonSchemaTarget, asyncApiTarget, rustTarget];

export const targetIds: readonly string[] = targets.map((target) => target.id);

export function findTarget(id: string): Target | undefined {
  return targets.find((target) => target.id === id);
}
