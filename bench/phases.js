// Where `eventc generate` spends its time, in one fresh process: executing the catalogue's modules
// (the user's own Zod code), loading the catalogue (modules + conversion to IR), emitting the
// targets, writing. Prints one JSON line: { importMs, loadMs, emitMs, writeMs }.
import { rmSync } from "node:fs";
import path from "node:path";
import { isEventDefinition } from "../dist/authoring.js";
import { emitTargets } from "../dist/generate.js";
import { loadCatalogue } from "../dist/load/catalogue.js";
import { findSchemaModules, forgetModules, importSchemaModule } from "../dist/load/modules.js";
import { writeOutputs } from "../dist/writer.js";

const [schemasDir, outDir, ...targets] = process.argv.slice(2);
const lap = (() => {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
})();

let events = 0;
for (const file of findSchemaModules(path.resolve(schemasDir))) {
  for (const value of Object.values(await importSchemaModule(file, file))) if (isEventDefinition(value)) events++;
}
const importMs = lap();
forgetModules(schemasDir);
lap();
const catalogue = await loadCatalogue({ schemasDir });
const loadMs = lap();
const files = emitTargets(catalogue, targets);
const emitMs = lap();
rmSync(outDir, { recursive: true, force: true });
lap();
writeOutputs(files, { outDir, ownedFolders: targets.map((id) => (id === "typescript" ? "ts" : id)) });
const writeMs = lap();
if (events !== catalogue.events.length) throw new Error("module count mismatch");
console.log(JSON.stringify({ importMs, loadMs, emitMs, writeMs }));
