// One measured run in a fresh process: `node bench/child.js <eventc|floor|quicktype> <args…>`.
// Runs the tool's own CLI entry in-process and, on exit, prints its peak memory as the last line:
// {"maxRssKiB": N}. Both tools are measured the same way: a whole process, start to exit.
import { createRequire } from "node:module";

const [tool, ...args] = process.argv.slice(2);
process.on("exit", () => {
  process.stderr.write(`\n${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});

if (tool === "eventc") {
  const { main } = await import("../dist/cli/index.js");
  process.exitCode = await main(["node", "eventc", ...args]);
} else if (tool === "floor") {
  // The floor of `eventc generate`: importing the catalogue's schema modules and nothing else —
  // the same modules through the same loader (jiti, configured as eventc configures it).
  const { findSchemaModules, importSchemaModule } = await import("../dist/load/modules.js");
  for (const file of findSchemaModules(args[0])) await importSchemaModule(file, file);
} else if (tool === "quicktype") {
  const { main } = createRequire(import.meta.url)("quicktype");
  await main(args);
} else {
  throw new Error(`unknown tool ${tool}`);
}
