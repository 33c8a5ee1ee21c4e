// The benchmark command: `npm run bench [-- <suite…>] [--samples N] [--json] [--no-cargo]`
// (`--no-cargo`: the codegen suite without its cargo builds and decode comparison).
// Every suite measures eventc and its peers side by side in the same run and reports ratios.
import * as codegen from "./codegen.js";
import * as registry from "./registry.js";
import * as validate from "./validate.js";

const suites = [codegen, registry, validate, await import("./bus.js")];
suites.push(await import("./coalesce.js"));
suites.push(await import("./sse.js"));
suites.push(await import("./websocket.js"));
suites.push(await import("./operators.js"));
suites.push(await import("./worker.js"));
suites.push(await import("./docs.js"));

const args = process.argv.slice(2);
const json = args.includes("--json");
const samplesAt = args.indexOf("--samples");
const samples = samplesAt >= 0 ? Number(args[samplesAt + 1]) : 5;
const names = args.filter((arg, index) => !arg.startsWith("--") && (samplesAt < 0 || index !== samplesAt + 1));
const chosen = names.length > 0 ? suites.filter((suite) => names.includes(suite.name)) : suites;
if (names.some((name) => !suites.some((suite) => suite.name === name))) {
  console.error(`unknown suite; choose from ${suites.map((suite) => suite.name).join(", ")}`);
  process.exit(2);
}

const machine = { node: process.version, platform: `${process.platform}-${process.arch}` };
const report = { machine, samples, suites: [] };
for (const suite of chosen) {
  const result = await suite.run({ samples, cargo: !args.includes("--no-cargo") });
  report.suites.push({ name: suite.name, description: suite.description, ...result });
  if (!json) {
    console.log(`\n## ${suite.name}: ${suite.description}\n`);
    print(result);
    for (const section of result.sections ?? []) {
      console.log(`\n### ${section.title}\n`);
      print(section);
    }
  }
}

/** Prints one result (or one section of a suite's result) as markdown: rows, extra markdown, ratios, phases, notes. */
function print(result) {
  if (result.rows.length > 0) {
    console.log("| run | median ms | min ms | peak RSS MiB |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const row of result.rows) console.log(`| ${row.label} | ${row.medianMs.toFixed(0)} | ${row.minMs.toFixed(0)} | ${row.medianRssMiB.toFixed(0)} |`);
  }
  if (result.markdown) console.log(result.markdown);
  for (const ratio of result.ratios ?? []) console.log(`\n${ratio.label}: **${ratio.value.toFixed(2)}×**`);
  if (result.phases) {
    console.log("\n| phase (in one process) | median ms |\n| --- | ---: |");
    for (const phase of result.phases) console.log(`| ${phase.label} | ${phase.medianMs.toFixed(0)} |`);
  }
  for (const note of result.notes ?? []) console.log(`\n${note}`);
}
if (json) console.log(JSON.stringify(report, null, 2));
