/**
 * Whether output gets ANSI colour, by the conventions of the ecosystem, in this order:
 * `NO_COLOR` set and non-empty → never (no-color.org); `FORCE_COLOR` set and non-empty → always,
 * unless it is `0` or `false` (then never); otherwise only on a terminal whose `TERM` is not `dumb`.
 * An empty variable counts as unset.
 */
import { printReport, textReport, type Format, type ReportInput } from "../registry/report.js";

export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force.toLowerCase() !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** The registry report (`check`, `lock`, `diff`), coloured by the rules above. */
export function printRegistryReport(input: ReportInput, format: Format): void {
  if (format === "text") process.stdout.write(textReport(input, useColour(process.stdout)));
  else printReport(input, format);
}
