/**
 * Output of `eventc check`, `eventc lock` and `eventc diff`.
 *
 * - `text`: one line per finding, grouped by severity marker; colour only on a TTY, never when
 *   NO_COLOR is set.
 * - `json`: the stable shape below (documented in docs/registry.md).
 * - `github`: workflow commands (`::error file=…,line=…::…`) that annotate the `defineEvent` call.
 */
import type { CheckResult } from "./check.js";
import type { LineFinder } from "./source-lines.js";
import type { CompatibilityMode, Finding, Policy } from "./types.js";

export type Format = "text" | "json" | "github";
export const FORMATS: readonly Format[] = ["text", "json", "github"];

/** The JSON output, version 1. */
export interface JsonReport {
  version: 1;
  /** True when no finding is an error (exit code 0). */
  compatible: boolean;
  policy: Policy;
  /** Per mode, whether the change is compatible when every event is checked with that mode. */
  verdicts: Record<CompatibilityMode, boolean>;
  findings: Array<Omit<Finding, "file" | "line"> & { file: string | null; line: number | null }>;
  /** How to fix breaking changes to published versions. */
  hints: string[];
}

export interface ReportInput {
  result: CheckResult;
  policy: Policy;
  hints: string[];
  /** One-line summary of what was compared, e.g. `schemas against eventc.lock.json`. */
  against: string;
}

export function jsonReport(input: ReportInput): JsonReport {
  return {
    version: 1,
    compatible: input.result.compatible,
    policy: input.policy,
    verdicts: input.result.verdicts,
    findings: input.result.findings.map((finding) => ({ ...finding, file: finding.file ?? null, line: finding.line ?? null })),
    hints: input.hints,
  };
}

function useColour(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}

const MARK: Record<Finding["severity"], { text: string; colour: string }> = {
  error: { text: "error  ", colour: "\u001b[31m" },
  warning: { text: "warning", colour: "\u001b[33m" },
  info: { text: "info   ", colour: "\u001b[2m" },
};

export function textReport(input: ReportInput, colour: boolean): string {
  const paint = (text: string, code: string): string => (colour ? `${code}${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const finding of input.result.findings) {
    const mark = MARK[finding.severity];
    const where = finding.file !== undefined ? `${finding.file}${finding.line !== undefined ? `:${finding.line}` : ""}: ` : "";
    const breaks = finding.breaks.length > 0 ? ` (breaks ${finding.breaks.join(" and ")}${finding.transitive ? ", against an earlier locked schema" : ""})` : "";
    lines.push(`${paint(mark.text, mark.colour)} ${where}${finding.message}${breaks} [${finding.rule}]`);
  }
  for (const hint of input.hints) lines.push(`${paint("hint   ", "\u001b[36m")} ${hint}`);
  const errors = input.result.findings.filter((finding) => finding.severity === "error").length;
  const verdicts = Object.entries(input.result.verdicts)
    .map(([mode, ok]) => `${mode} ${ok ? "yes" : "no"}`)
    .join(", ");
  lines.push(
    errors === 0
      ? paint(`Compatible: ${input.against} (${input.policy} readers). Compatible per mode: ${verdicts}.`, colour ? "\u001b[32m" : "")
      : paint(`Breaking: ${errors} error${errors === 1 ? "" : "s"} in ${input.against} (${input.policy} readers). Compatible per mode: ${verdicts}.`, "\u001b[31m"),
  );
  return `${lines.join("\n")}\n`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function githubReport(input: ReportInput): string {
  const lines: string[] = [];
  for (const finding of input.result.findings) {
    if (finding.severity === "info") continue;
    const properties: string[] = [];
    if (finding.file !== undefined) properties.push(`file=${escapeProperty(finding.file)}`);
    if (finding.line !== undefined) properties.push(`line=${finding.line}`);
    properties.push(`title=${escapeProperty(`eventc ${finding.rule}`)}`);
    lines.push(`::${finding.severity} ${properties.join(",")}::${escapeData(finding.message)}`);
  }
  for (const hint of input.hints) lines.push(`::notice title=eventc::${escapeData(hint)}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** Adds `line` to findings that name a file, from the `defineEvent` call of their event. */
export function locateFindings(findings: Finding[], findLine: LineFinder): void {
  for (const finding of findings) {
    if (finding.file === undefined) continue;
    const line = findLine(finding.file, finding.event);
    if (line !== undefined) finding.line = line;
  }
}

export function printReport(input: ReportInput, format: Format): void {
  if (format === "json") process.stdout.write(`${JSON.stringify(jsonReport(input), null, 2)}\n`);
  else if (format === "github") {
    process.stdout.write(githubReport(input));
    process.stdout.write(textReport(input, false));
  } else process.stdout.write(textReport(input, useColour(process.stdout)));
}
