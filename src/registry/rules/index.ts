/**
 * Every rule, in the order `eventc rules` and docs/registry.md list them. Adding a rule: write
 * the record in its family file, add it to that family's list; nothing else changes.
 */
import type { RuleInfo } from "../types.js";
import { arrayRules } from "./array.js";
import { boundsRules } from "./bounds.js";
import { eventRules } from "./event.js";
import { fieldRules } from "./field.js";
import { keywordRules } from "./keyword.js";
import { migrationRules } from "./migration.js";
import { REF_TARGET_CHANGED, typeRules, VALUES_CHANGED } from "./type.js";
import { unionRules } from "./union.js";

export { eventRules } from "./event.js";
export { migrationRules } from "./migration.js";
export { keywordRules } from "./keyword.js";

/** Node rules in the order the walker runs them. */
export const nodeRules = [...fieldRules, ...typeRules, ...unionRules, ...boundsRules, ...arrayRules];

export const allRules: RuleInfo[] = [...eventRules, ...migrationRules, ...fieldRules, ...typeRules, REF_TARGET_CHANGED, ...unionRules, ...boundsRules, ...arrayRules, VALUES_CHANGED, ...keywordRules].map(
  ({ id, family, purpose, breaks, severity }) => ({ id, family, purpose, breaks, ...(severity ? { severity } : {}) }),
);
