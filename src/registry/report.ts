/**
 * Output of `eventc check`, `eventc lock` and `eventc diff`.
 *
 * - `text`: one line per finding, grouped by severity marker; colour only on a TTY, never when
 *   NO_COLOR is set.
 * - `json`: the stable shape below (documented in docs/registry.md).
 * - `github`: workflow commands (`::error file=…,line=…,col=…::…`) that annotate the field (or
 *   version, or `defineEvent` call) each finding is about.
 */
import type { CheckResult } from "./check.js";
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
  findings: Array<Omit<Finding, "file" | "line" | "column"> & { file: string | null; line: number | null; column: number | null }>;
  /** How to fix breaking changes to published versions. */
  hints: string[];
}

export interface ReportInput {
  result: CheckResult;
  policy: Policy;
  hints: string[];
  /** One-line summary of what was compared, e.g. `schemas against eventc.lock.json`. */
  against: string;
  /** The modes compared with: `full mode`, then any per-event ones (`forward for "x"`; see describeModes). */
  modes: string[];
  /**
   * Also print what a fresh lock already holds (findings against earlier locked schemas that are
   * no error) and the verdict of every mode.
   */
  verbose?: boolean;
}

export function jsonReport(input: ReportInput): JsonReport {
  return {
    version: 1,
    compatible: input.result.compatible,
    policy: input.policy,
    verdicts: input.result.verdicts,
    findings: input.result.findings.map((finding) => ({ ...finding, file: finding.file ?? null, line: finding.line ?? null, column: finding.column ?? null })),
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
    // Against an earlier locked schema and no error: a change `eventc lock` already recorded.
    if (finding.transitive && finding.severity === "info" && input.verbose !== true) continue;
    const mark = MARK[finding.severity];
    const where = finding.file !== undefined ? `${finding.file}${finding.line !== undefined ? `:${finding.line}` : ""}: ` : "";
    const notes = [...(finding.breaks.length > 0 ? [`breaks ${finding.breaks.join(" and ")}`] : []), ...(finding.transitive ? ["against an earlier locked schema"] : [])];
    const breaks = notes.length > 0 ? ` (${notes.join(", ")})` : "";
    lines.push(`${paint(mark.text, mark.colour)} ${where}${finding.message}${breaks} [${finding.rule}]`);
  }
  for (const hint of input.hints) lines.push(`${paint("hint   ", "\u001b[36m")} ${hint}`);
  const errors = input.result.findings.filter((finding) => finding.severity === "error").length;
  const how = `(${input.modes.join(", ")}${input.modes.length > 1 ? ";" : ","} ${input.policy} readers)`;
  lines.push(
    errors === 0
      ? paint(`Compatible: ${input.against} ${how}.`, colour ? "\u001b[32m" : "")
      : paint(`Breaking: ${errors} error${errors === 1 ? "" : "s"} in ${input.against} ${how}.`, "\u001b[31m"),
  );
  if (input.verbose === true) {
    const verdicts = Object.entries(input.result.verdicts).map(([mode, ok]) => `${mode} ${ok ? "yes" : "no"}`);
    lines.push(`Compatible per mode: ${verdicts.join(", ")}.`);
  }
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
    if (finding.line !== undefined && finding.column !== undefined) properties.push(`col=${finding.column}`);
    properties.push(`title=${escapeProperty(`eventc ${finding.rule}`)}`);
    lines.push(`::${finding.severity} ${properties.join(",")}::${escapeData(finding.message)}`);
  }
  for (const hint of input.hints) lines.push(`::notice title=eventc::${escapeData(hint)}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

export function printReport(input: ReportInput, format: Format): void {
  if (format === "json") process.stdout.write(`${JSON.stringify(jsonReport(input), null, 2)}\n`);
  else if (format === "github") {
    process.stdout.write(githubReport(input));
    process.stdout.write(textReport(input, false));
  } else process.stdout.write(textReport(input, useColour(process.stdout)));
}
