// Synthetic catalogues for benchmarks: `events` events × `versions` versions, in modules of 25
// events. Two shapes: "rich" (the default) uses shared named types, enums, unions, nested objects,
// arrays and optional fields; "plain" has seven fields per payload — strings, an int with a
// minimum, an enum, an optional nested object — and no unions.
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

function plainPayload(index, version) {
  const statuses = version >= 2 ? `"new", "active", "done", "failed", "archived"` : `"new", "active", "done", "failed"`;
  const fields = [
    `id: z.string()`,
    `tenant: z.string()`,
    `name: z.string()`,
    `note: z.string()`,
    `count: z.int().min(0)`,
    `status: z.enum([${statuses}])`,
    `address: z.object({ street: z.string(), city: z.string(), zip: z.string() }).optional()`,
  ];
  return `z.object({ ${fields.join(", ")} })`;
}

/** A valid document for version `version` of event `index` of a "plain" catalogue. */
export function plainDocument(index, version) {
  const payload = { id: `e${index}`, tenant: "acme", name: "Ada", note: "ok", count: index, status: "active", address: { street: "1 Main St", city: "Paris", zip: "75001" } };
  return { type: `domain${index % 10}.entity${index}.changed.v${version}`, payload };
}

/** Writes the catalogue's modules into `dir` (replacing it) and returns the folder. */
export function writeCatalogue(dir, { events, versions, shape = "rich" }) {
  if (shape !== "rich" && shape !== "plain") throw new Error(`unknown catalogue shape ${shape}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (shape === "rich") writeFileSync(path.join(dir, "types.ts"), TYPES);
  const payloadOf = shape === "rich" ? payload : plainPayload;
  for (let start = 0; start < events; start += 25) {
    const lines = [`import { z } from "zod";`, `import { defineEvent } from "eventc";`, ...(shape === "rich" ? [`import { Actor, Money, Change } from "./types.js";`] : []), ""];
    for (let index = start; index < Math.min(events, start + 25); index++) {
      const body = Array.from({ length: versions }, (_, v) => `    ${v + 1}: ${payloadOf(index, v + 1)},`).join("\n");
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
