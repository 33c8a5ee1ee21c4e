/** `eventc generate`: write, check (`--check`) or watch (`--watch`) the generated outputs. */
import { watch } from "node:fs";
import path from "node:path";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import { EventcError } from "../errors.js";
import { checkGenerated, generate } from "../generate.js";
import type { Catalogue } from "../ir/types.js";

export interface GenerateFlags {
  schemas?: string;
  out?: string;
  target?: string[];
  config?: string;
  check?: boolean;
  watch?: boolean;
}

const relative = (file: string): string => path.relative(process.cwd(), file) || ".";

function counts(catalogue: Catalogue): string {
  const versions = catalogue.events.reduce((sum, event) => sum + event.versions.length, 0);
  return `${catalogue.events.length} events, ${versions} versions, ${catalogue.types.length} named types`;
}

export async function generateCommand(flags: GenerateFlags): Promise<number> {
  const config = await resolveConfig(process.cwd(), {
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.schemas !== undefined ? { schemas: flags.schemas } : {}),
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(flags.target !== undefined ? { targets: flags.target } : {}),
  });
  const options = { schemasDir: config.schemasDir, outDir: config.outDir, targets: config.targets };
  if (flags.check) {
    const { catalogue, report } = await checkGenerated(options);
    const problems = [
      ...report.missing.map((file) => `  missing  ${file}`),
      ...report.stale.map((file) => `  stale    ${file}`),
      ...report.extra.map((file) => `  extra    ${file}`),
    ];
    if (problems.length === 0) {
      process.stdout.write(`${relative(config.outDir)} is up to date (${counts(catalogue)}).\n`);
      return 0;
    }
    process.stderr.write(`${relative(config.outDir)} is out of date; run \`eventc generate\`:\n${problems.join("\n")}\n`);
    return 1;
  }
  const code = await generateOnce(config);
  if (!flags.watch) return code;
  return watchSchemas(config);
}

async function generateOnce(config: ResolvedConfig): Promise<number> {
  const started = performance.now();
  const { catalogue, report, warnings } = await generate({ schemasDir: config.schemasDir, outDir: config.outDir, targets: config.targets });
  const ms = Math.round(performance.now() - started);
  for (const warning of warnings) process.stderr.write(`eventc: warning: ${warning}\n`);
  process.stdout.write(
    `${relative(config.outDir)}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed` +
      ` (${counts(catalogue)}; ${config.targets.join(", ")}) in ${ms} ms\n`,
  );
  return 0;
}

/** Regenerates on every change under the schemas folder until interrupted. Errors are shown, not fatal. */
function watchSchemas(config: ResolvedConfig): Promise<number> {
  process.stdout.write(`watching ${relative(config.schemasDir)} (Ctrl-C to stop)\n`);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let running = Promise.resolve();
    const watcher = watch(config.schemasDir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(async () => {
          try {
            await generateOnce(config);
          } catch (error) {
            process.stderr.write(`eventc: ${error instanceof EventcError ? error.format() : String(error)}\n`);
          }
        });
      }, 100);
    });
    process.once("SIGINT", () => {
      watcher.close();
      resolve(0);
    });
  });
}
