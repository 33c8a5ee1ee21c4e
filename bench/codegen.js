// Suite `codegen`: `eventc generate` (TypeScript + JSON Schema) over 500 events × 2 versions,
// against quicktype generating TypeScript from the equivalent JSON Schema (the union eventc emits),
// in the same run. Each sample is a whole fresh process.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { writeCatalogue } from "./catalogue.js";
import { measure, ROOT, WORK } from "./measure.js";

export const name = "codegen";
export const description = "eventc generate (ts + jsonschema) vs quicktype --lang ts, 500 events x 2 versions";

export async function run({ samples }) {
  const schemas = writeCatalogue(path.join(WORK, "codegen", "schemas"), { events: 500, versions: 2 });
  const out = path.join(WORK, "codegen", "generated");
  const fresh = () => rmSync(out, { recursive: true, force: true });

  const eventc = measure("eventc generate (ts + jsonschema)", ["eventc", "generate", "--schemas", schemas, "--out", out, "--target", "typescript", "jsonschema"], { samples, before: fresh });
  const unionSchema = path.join(out, "jsonschema", "event.json");
  if (!existsSync(unionSchema)) throw new Error("eventc produced no event.json");
  const quicktypeOut = path.join(WORK, "codegen", "quicktype.ts");
  const quicktype = measure("quicktype --lang ts (same contract)", ["quicktype", "--src-lang", "schema", "--lang", "ts", "--top-level", "Event", "-o", quicktypeOut, unionSchema], { samples });
  const check = measure("eventc generate --check (no change)", ["eventc", "generate", "--check", "--schemas", schemas, "--out", out, "--target", "typescript", "jsonschema"], { samples });
  const example = measure("eventc generate --check (example catalogue)", ["eventc", "generate", "--check", "--schemas", path.join(ROOT, "schemas"), "--out", path.join(ROOT, "generated")], { samples });

  const lines = (file) => readFileSync(file, "utf8").split("\n").length;
  return {
    rows: [eventc, quicktype, check, example],
    ratios: [{ label: "quicktype / eventc (wall time, median)", value: quicktype.medianMs / eventc.medianMs }],
    notes: [`eventc TypeScript: ${lines(path.join(out, "ts", "types.ts")) + lines(path.join(out, "ts", "catalogue.ts"))} lines; quicktype TypeScript: ${lines(quicktypeOut)} lines`],
  };
}
