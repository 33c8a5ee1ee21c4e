// Synthetic catalogues for benchmarks: `events` events × `versions` versions, in modules of 25
// events, using shared named types, enums, unions, nested objects, arrays and optional fields.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const TYPES = `import { z } from "zod";

export const Actor = z.object({ id: z.string(), name: z.string(), kind: z.enum(["user", "bot", "system"]) }).meta({ id: "Actor" });
export const Money = z.object({ amount: z.int().min(0), currency: z.enum(["EUR", "USD", "GBP"]) }).meta({ id: "Money" });
export const Change = z
  .discriminatedUnion("op", [
    z.object({ op: z.literal("set"), path: z.string(), value: z.unknown() }),
    z.object({ op: z.literal("unset"), path: z.string() }),
    z.object({ op: z.literal("move"), from: z.string(), to: z.string() }),
  ])
  .meta({ id: "Change" });
`;

function payload(index, version) {
  const fields = [
    `id: z.string()`,
    `tenant: z.string()`,
    `actor: Actor`,
    `at: z.iso.datetime()`,
    `status: z.enum(["new", "active", "done", "failed"])`,
    `count: z.int().min(0).max(${1000 + index})`,
    `ratio: z.number().min(0).max(1).optional()`,
    `tags: z.array(z.string()).max(20)`,
    `price: Money.nullable()`,
    `changes: z.array(Change)`,
    `detail: z.object({ note: z.string().optional(), retries: z.int().min(0), source: z.union([z.string(), z.int()]) })`,
  ];
  if (version >= 2) fields.push(`labels: z.record(z.string(), z.string())`, `priority: z.enum(["low", "high"]).default("low")`);
  if (version >= 3) fields.push(`window: z.tuple([z.int(), z.int()])`);
  return `z.object({ ${fields.join(", ")} })`;
}

/** Writes the catalogue's modules into `dir` (replacing it) and returns the folder. */
export function writeCatalogue(dir, { events, versions }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "types.ts"), TYPES);
  for (let start = 0; start < events; start += 25) {
    const lines = [`import { z } from "zod";`, `import { defineEvent } from "eventc";`, `import { Actor, Money, Change } from "./types.js";`, ""];
    for (let index = start; index < Math.min(events, start + 25); index++) {
      const body = Array.from({ length: versions }, (_, v) => `    ${v + 1}: ${payload(index, v + 1)},`).join("\n");
      lines.push(
        `export const event${index} = defineEvent("domain${index % 10}.entity${index}.changed", {`,
        `  description: "Entity ${index} changed.",`,
        `  coalesce: ["id"],`,
        `  topic: "tenant",`,
        `  versions: {\n${body}\n  },`,
        `});`,
        "",
      );
    }
    writeFileSync(path.join(dir, `module${String(start / 25).padStart(3, "0")}.ts`), lines.join("\n"));
  }
  return dir;
}
