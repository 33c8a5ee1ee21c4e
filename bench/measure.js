// Sampling: run a command in a fresh process `samples` times; report median and min wall time and
// the median peak RSS the process reported for itself (see child.js).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WORK = path.join(ROOT, ".bench");

/**
 * The binding the generated `runtime/index.ts` writes, over a transpiled SDK module (`sdk`): what
 * the suites hand `createBusFor` and `createSseHandler` (test/runtime/example-runtime.ts by hand).
 */
export function bindingOf(sdk) {
  return {
    latestType: (name) => (Object.hasOwn(sdk.latestTypes, name) ? sdk.latestTypes[name] : undefined),
    meta: (type) => (sdk.isEventType(type) ? sdk.eventMeta[type] : undefined),
    parseEnvelope: sdk.parseEnvelope,
    validatePayload: sdk.validatePayload,
  };
}

/**
 * Every .ts file under `from` (its folders included) transpiled as it is to JavaScript under `to`, in
 * the same layout, so relative imports resolve alike. TypeScript is loaded on the first call only.
 */
export async function transpileFolder(from, to) {
  const { default: ts } = await import("typescript");
  for (const file of readdirSync(from, { recursive: true }).filter((name) => name.endsWith(".ts"))) {
    const output = ts.transpileModule(readFileSync(path.join(from, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = path.join(to, file.replace(/\.ts$/, ".js"));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export function measure(label, args, { samples, before, expectStatus = [0], cwd = ROOT }) {
  const times = [];
  const rss = [];
  for (let i = 0; i < samples; i++) {
    before?.();
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [path.join(ROOT, "bench", "child.js"), ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (!expectStatus.includes(result.status)) throw new Error(`${label} exited ${result.status}: ${result.stderr.slice(-2000)}`);
    const last = result.stderr.trim().split("\n").at(-1);
    times.push(elapsed);
    rss.push(JSON.parse(last).maxRssKiB);
  }
  return { label, samples, medianMs: median(times), minMs: Math.min(...times), medianRssMiB: median(rss) / 1024 };
}

/** Runs each of `runs` (one-sample measurements) in turn, `samples` times; one row per run over all its samples. */
export function inTurn(runs, samples) {
  const taken = runs.map(() => []);
  for (let i = 0; i < samples; i++) runs.forEach((run, index) => taken[index].push(run()));
  return taken.map((rows) => ({
    label: rows[0].label,
    samples,
    medianMs: median(rows.map((row) => row.medianMs)),
    minMs: Math.min(...rows.map((row) => row.minMs)),
    medianRssMiB: median(rows.map((row) => row.medianRssMiB)),
  }));
}
