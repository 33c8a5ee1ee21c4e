/** `eventc rules`: the breaking-change rules, listed from the same records the checker runs. */
import { EventcError } from "../errors.js";
import { allRules } from "../registry/rules/index.js";

export function rulesCommand(flags: { format?: string }): number {
  const format = flags.format ?? "text";
  if (format !== "text" && format !== "json") throw new EventcError(`--format "${format}" is not one of: text, json`);
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(allRules, null, 2)}\n`);
    return 0;
  }
  const rows = [
    ["RULE", "FAMILY", "BREAKS", "PURPOSE"],
    ...allRules.map((rule) => [rule.id, rule.family, rule.severity ?? (rule.breaks.length === 0 ? "-" : rule.breaks.join("+")), rule.purpose]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) {
    process.stdout.write(`${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join("  ")}\n`);
  }
  return 0;
}
