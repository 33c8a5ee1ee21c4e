import { z } from "zod";
import { defineEvent } from "eventc";

export const Scalar = z.union([z.string(), z.number()]).nullable().meta({ id: "Scalar", description: "A cell's value; null when empty." });

export const MaybePoint = z.object({ x: z.number(), y: z.number() }).nullable().meta({ id: "MaybePoint" });

export const Level = z.enum(["low", "high"]).nullable().meta({ id: "Level" });

export const MaybeShape = z
  .discriminatedUnion("kind", [z.object({ kind: z.literal("dot") }), z.object({ kind: z.literal("line"), length: z.number().positive() })])
  .nullable()
  .meta({ id: "MaybeShape" });

export const Label = z.string().min(1).nullable().meta({ id: "Label" });

export const Json = z.json().meta({ id: "Json", description: "Any JSON value." });

export const Formula = z.object({ source: z.string(), result: Scalar, inputs: z.record(z.string(), z.json()) }).meta({ id: "Formula" });

export const cellSet = defineEvent("sheet.cell-set", {
  coalesce: ["cell"],
  versions: {
    1: z.object({
      cell: z.string(),
      value: Scalar,
      previous: Scalar.optional(),
      history: z.array(Scalar).max(3),
      point: MaybePoint,
      level: Level.optional(),
      shape: MaybeShape,
      label: Label,
      formula: Formula.optional(),
    }),
  },
});

export const pluginMessage = defineEvent("plugin.message", {
  description: "A plugin sent free-form data.",
  versions: {
    1: z.object({
      plugin: z.string(),
      data: z.json(),
      note: z.json().describe("Anything the plugin adds.").optional(),
      settings: z.record(z.string(), z.json()).optional(),
      items: z.array(z.json()),
      raw: Json,
      maybe: z.json().nullable(),
    }),
  },
});
