/**
 * The `eventc` command line. Exit codes: 0 ok, 1 check failed (drift or breaking), 2 usage or
 * input error. Every command's `--help` ends with an example.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { EventcError } from "../errors.js";
import { targetIds } from "../targets/index.js";
import type { CheckFlags } from "./check.js";
import type { DiffFlags } from "./diff.js";
import type { DocsFlags } from "./docs.js";
import type { GenerateFlags } from "./generate.js";
import type { LockFlags } from "./lock.js";

// Each command's implementation is loaded when that command runs, so `generate` does not pay
// for the registry and `check` does not pay for the targets it does not use.

function packageVersion(): string {
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

const CONFIG_HELP = "config file (default: eventc.config.ts here or in the nearest folder above, up to the package root)";

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
    .option("--config <file>", CONFIG_HELP)
    .option("--check", "write nothing; exit 1 if any generated file is missing, stale or extra")
    .option("--watch", "regenerate whenever a schema module changes")
    .option("-q, --quiet", "print errors only: no summary line, no warnings")
    .option("--typeshare <langs>", "also run typeshare-cli on <out>/rust for these languages (comma-separated, e.g. swift,kotlin) into <out>/typeshare/<lang>/")
    .addHelpText("after", example("eventc generate --check   # in CI: fail when generated/ has drifted"))
    .action(async (flags: GenerateFlags) => {
      process.exitCode = await (await import("./generate.js")).generateCommand(flags);
    });

  program
    .command("list")
    .description("List the events of the catalogue with their versions, topic and coalesce key.")
    .option("--schemas <dir>", "folder of schema modules (default: schemas)")
    .option("--config <file>", CONFIG_HELP)
    .option("--json", "print JSON instead of a table")
    .addHelpText("after", example("eventc list --json | jq '.[].name'"))
    .action(async (flags: { schemas?: string; config?: string; json?: boolean }) => {
      process.exitCode = await (await import("./list.js")).listCommand(flags);
    });

  program
    .command("init")
    .description("Make a folder a project that runs: package.json (created or completed), tsconfig.json, a first event, eventc.config.ts and an example program. Never overwrites a file.")
    .option("--dir <dir>", "project folder (default: the current folder; created when missing)")
    .addHelpText("after", example("eventc init --dir my-events   # then: cd my-events && npx eventc generate && npm run example"))
    .action(async (flags: { dir?: string }) => {
      process.exitCode = await (await import("./init.js")).initCommand(path.resolve(flags.dir ?? "."));
    });

  const modeHelp = "compatibility mode: backward, forward, full, *-transitive, none (default: full, or the config's registry.mode)";
  program
    .command("check")
    .description("Fail when the catalogue breaks a published event version (against the lockfile, or the schemas at a git ref).")
    .option("--against <git-ref>", "compare with the schemas folder at this git ref instead of the lockfile")
    .option("--lock <file>", "lockfile (default: eventc.lock.json beside the config)")
    .option("--mode <mode>", modeHelp)
    .option("--policy <policy>", "reader policy: tolerant (readers ignore unknown fields) or strict", "tolerant")
    .option("--format <format>", "output: text, json or github", "text")
    .option("--verbose", "also print findings against earlier locked schemas that are no error, and the verdict of every mode")
    .option("--schemas <dir>", "folder of schema modules (default: schemas)")
    .option("--config <file>", CONFIG_HELP)
    .addHelpText("after", example("eventc check --against origin/main --format github   # in a pull request"))
    .action(async (flags: CheckFlags) => {
      process.exitCode = await (await import("./check.js")).checkCommand(flags);
    });

  program
    .command("lock")
    .description("Record the catalogue in the lockfile; published versions are rewritten only when the change is compatible.")
    .option("--force", "record breaking changes too")
    .option("--lock <file>", "lockfile (default: eventc.lock.json beside the config)")
    .option("--mode <mode>", modeHelp)
    .option("--policy <policy>", "reader policy: tolerant or strict", "tolerant")
    .option("--format <format>", "output when refusing: text, json or github", "text")
    .option("--verbose", "also print findings against earlier locked schemas that are no error, and the verdict of every mode")
    .option("--schemas <dir>", "folder of schema modules (default: schemas)")
    .option("--config <file>", CONFIG_HELP)
    .addHelpText("after", example("eventc lock && git add eventc.lock.json   # after merging to main"))
    .action(async (flags: LockFlags) => {
      process.exitCode = await (await import("./lock.js")).lockCommand(flags);
    });

  program
    .command("diff")
    .description("Compare two JSON Schema files, lockfiles or schemas folders and print the findings and per-mode verdicts.")
    .argument("<old>", "previous: JSON Schema file, lockfile or schemas folder")
    .argument("<new>", "current: same kind as <old>")
    .option("--mode <mode>", "compatibility mode that decides the exit code (default: full)")
    .option("--policy <policy>", "reader policy (default: strict for JSON Schema files, tolerant otherwise)")
    .option("--format <format>", "output: text, json or github", "text")
    .option("--verbose", "also print findings against earlier locked schemas that are no error, and the verdict of every mode")
    .addHelpText("after", example("eventc diff old/session.status.v1.json generated/jsonschema/session.status.v1.json --mode backward"))
    .action(async (oldPath: string, newPath: string, flags: DiffFlags) => {
      process.exitCode = await (await import("./diff.js")).diffCommand(oldPath, newPath, flags);
    });

  program
    .command("docs")
    .description("Write a static HTML event catalogue: events by domain, versions side by side, the registry's diff of each pair of versions, lock states.")
    .option("--out <dir>", "site folder (default: eventc-docs beside the config file, or here)")
    .option("--schemas <dir>", "folder of schema modules (default: schemas)")
    .option("--config <file>", CONFIG_HELP)
    .option("--lock <file>", "lockfile the lock states are read from (default: eventc.lock.json beside the config; none there: every version unpublished)")
    .addHelpText("after", example("eventc docs --out site && open site/index.html   # no server needed"))
    .action(async (flags: DocsFlags) => {
      process.exitCode = await (await import("./docs.js")).docsCommand(flags);
    });

  program
    .command("rules")
    .description("List the breaking-change rules: id, family, the directions they can break, purpose.")
    .option("--format <format>", "output: text or json", "text")
    .addHelpText("after", example("eventc rules --format json | jq '.[].id'"))
    .action(async (flags: { format?: string }) => {
      process.exitCode = await (await import("./rules.js")).rulesCommand(flags);
    });

  return program;
}

/** The error with the lines of its fields and events added; the error as it is if that fails. */
export async function locate(error: EventcError): Promise<EventcError> {
  try {
    return await (await import("./locate.js")).locateError(error);
  } catch {
    return error;
  }
}

let exitProcess: ((code?: number) => never) | undefined;

/**
 * From the first run on, `process.exit` called by anyone but eventc — a schema module's timer, a
 * config's callback — ends the process with exit code 2 and says so, instead of ending it with
 * the caller's code (a `generate --check` exiting 0 with nothing checked). A call made while a
 * module is being imported is caught earlier, by the loader, with the module's file and line.
 */
function guardProcessExit(): (code?: number) => never {
  if (exitProcess !== undefined) return exitProcess;
  const exit = process.exit.bind(process) as (code?: number) => never;
  exitProcess = exit;
  const eventcRoot = fileURLToPath(new URL("..", import.meta.url));
  process.exit = ((code?: unknown) => {
    const caller = callerOutside(new Error().stack ?? "", eventcRoot);
    const where = caller === undefined ? "" : `${caller}: `;
    process.stderr.write(`eventc: ${where}process.exit(${code === undefined ? "" : JSON.stringify(code)}) was called from outside eventc (a schema module must not end the process); stopped with exit code 2\n`);
    return exit(2);
  }) as typeof process.exit;
  return exit;
}

/** `file:line` of the first stack frame outside eventc, Node and node_modules, relative to the working directory. */
function callerOutside(stack: string, eventcRoot: string): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const match = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (file.startsWith(eventcRoot) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return `${path.relative(process.cwd(), file).split(path.sep).join("/")}:${match[2]}`;
  }
  return undefined;
}

/** Runs the CLI; resolves to the exit code rather than exiting, so tests can call it in-process. */
export async function main(argv: string[]): Promise<number> {
  const exit = guardProcessExit();
  // A reader that closes early (`eventc rules | head`) ends the output, not with a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") exit(0);
    throw error;
  });
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
      process.stderr.write(`eventc: ${(await locate(error)).format()}\n`);
      return error.exitCode;
    }
    process.stderr.write(`eventc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
