/**
 * Same catalogue, same bytes: generating twice, or from the same events spread over other files
 * in another file and export order, gives identical output for every target.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { emitTargets } from "../src/generate.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { targetIds } from "../src/targets/index.js";
import { ROOT, workDir } from "./helpers.js";

async function generateFrom(schemasDir: string): Promise<Map<string, string>> {
  const catalogue = await loadCatalogue({ schemasDir, cwd: schemasDir });
  return new Map(emitTargets(catalogue, [...targetIds]).map((file) => [file.path, file.contents]));
}

test("generating the example catalogue twice gives identical bytes", async () => {
  const first = await generateFrom(path.join(ROOT, "schemas"));
  const second = await generateFrom(path.join(ROOT, "schemas"));
  expect(first.size).toBeGreaterThan(20);
  expect([...second.entries()]).toEqual([...first.entries()]);
});

const TYPES = ["Alpha", "Beta", "Gamma", "Delta"];

function typeDeclaration(name: string, index: number): string {
  return `export const ${name} = z.object({ id: z.string(), rank: z.int().min(${index}), tags: z.array(z.string()) }).meta({ id: "${name}" });\n`;
}

function eventDeclaration(index: number): string {
  const type = TYPES[index % TYPES.length]!;
  const v2 = index % 3 === 0 ? `, 2: z.object({ key: z.string(), item: ${type}, note: z.string().optional() })` : "";
  return (
    `export const event${index} = defineEvent("group${index % 3}.event-${index}", {\n` +
    `  description: "Event number ${index}.",\n  coalesce: ["key"],\n` +
    `  versions: { 1: z.object({ key: z.string(), item: ${type} })${v2} },\n});\n`
  );
}

const header = (imports: string): string => `import { z } from "zod";\nimport { defineEvent } from "eventc";\n${imports}\n`;

test("file layout and export order do not change the output", async () => {
  const events = Array.from({ length: 12 }, (_, index) => index);

  const spread = workDir("determinism-spread");
  writeFileSync(path.join(spread, "types.ts"), `import { z } from "zod";\n\n${TYPES.map(typeDeclaration).join("")}`);
  writeFileSync(path.join(spread, "a.ts"), header(`import { ${TYPES.join(", ")} } from "./types.js";`) + events.slice(0, 6).map(eventDeclaration).join("\n"));
  writeFileSync(path.join(spread, "b.ts"), header(`import { ${TYPES.join(", ")} } from "./types.js";`) + events.slice(6).map(eventDeclaration).join("\n"));

  const packed = workDir("determinism-packed");
  const reversedTypes = TYPES.map((name, index) => typeDeclaration(name, index)).reverse().join("");
  writeFileSync(path.join(packed, "all.ts"), header("") + reversedTypes + [...events].reverse().map(eventDeclaration).join("\n"));

  const fromSpread = await generateFrom(spread);
  const fromPacked = await generateFrom(packed);
  expect([...fromSpread.keys()].sort()).toEqual([...fromPacked.keys()].sort());
  for (const [file, contents] of fromSpread) expect(fromPacked.get(file), file).toBe(contents);
});

test("generated files carry no timestamps or tool versions", async () => {
  const version = (await import("../package.json", { with: { type: "json" } })).default.version;
  for (const [file, contents] of await generateFrom(path.join(ROOT, "schemas"))) {
    for (const stamp of [`eventc ${version}`, `eventc@${version}`, `eventc v${version}`]) expect(contents, file).not.toContain(stamp);
    expect(contents, file).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:\d\d/);
  }
});
