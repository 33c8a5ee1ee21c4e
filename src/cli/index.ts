/**
 * The `eventc` command line. Exit codes: 0 ok, 1 check failed (drift or breaking), 2 usage or
 * input error. Every command's `--help` ends with an example.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { EventcError } from "../errors.js";
import { targetIds } from "../targets/index.js";
import { generateCommand, type GenerateFlags } from "./generate.js";
import { initCommand } from "./init.js";
import { listCommand } from "./list.js";

function packageVersion(): string {
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function example(text: string): string {
  return `\nExample:\n  ${text}\n`;
}

export function buildProgram(): Command {
  const program = new Command("eventc")
    .description("The event contract compiler: versioned Zod event schemas → TypeScript SDK, JSON Schemas and more.")
    .version(packageVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText("after", example("eventc generate --schemas schemas --out generated"));

  program
    .command("generate")
    .description("Compile the catalogue into every target (or those named with --target).")
    .option("--schemas <dir>", "folder of schema modules (default: schemas)")
    .option("--out <dir>", "output folder (default: generated)")
    .addOption(new Option("--target <id...>", "targets to generate (default: all)").choices([...targetIds]))
    .option("--config <file>", "config file (default: eventc.config.ts when present)")
    .option("--check", "write nothing; exit 1 if any generated file is missing, stale or extra")
    .option("--watch", "regenerate whenever a schema module changes")
    .addHelpText("after", example("eventc generate --check   # in CI: fail when generated/ has drifted"))
    .action(async (flags: GenerateFlags) => {
      process.exitCode = await generateCommand(flags);
    });

  program
    .command("list")
    .description("List the events of the catalogue with their versions, topic and coalesce key.")
    .option("--schemas <dir>", "folder of schema modules (default: schemas)")
    .option("--config <file>", "config file (default: eventc.config.ts when present)")
    .option("--json", "print JSON instead of a table")
    .addHelpText("after", example("eventc list --json | jq '.[].name'"))
    .action(async (flags: { schemas?: string; config?: string; json?: boolean }) => {
      process.exitCode = await listCommand(flags);
    });

  program
    .command("init")
    .description("Scaffold a schemas folder with one example event and an eventc.config.ts.")
    .option("--dir <dir>", "project folder (default: the current folder)")
    .addHelpText("after", example("eventc init --dir my-events   # then: cd my-events && eventc generate"))
    .action((flags: { dir?: string }) => {
      process.exitCode = initCommand(path.resolve(flags.dir ?? "."));
    });

  return program;
}

/** Runs the CLI; resolves to the exit code rather than exiting, so tests can call it in-process. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  process.exitCode = 0;
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof EventcError) {
      process.stderr.write(`eventc: ${error.format()}\n`);
      return error.exitCode;
    }
    process.stderr.write(`eventc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
