import { z } from "zod";
import { defineEvent } from "eventc";

export const Shape = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("circle"), radius: z.number().positive() }),
    z.object({ kind: z.literal("rect"), width: z.number(), height: z.number() }),
    z.object({ kind: z.literal("text"), text: z.string(), size: z.int().optional() }),
  ])
  .meta({ id: "Shape", description: "Something drawn on the canvas." });

export const canvasDrawn = defineEvent("canvas.drawn", {
  versions: {
    1: z.object({
      shape: Shape,
      id: z.union([z.string(), z.int()]).describe("Either a slug or a number."),
      anchor: z.union([z.object({ x: z.number(), y: z.number() }), z.literal("center")]),
      previous: Shape.nullable(),
      status: z.discriminatedUnion("state", [
        z.object({ state: z.literal("ok") }),
        z.object({ state: z.literal("failed"), reason: z.string() }),
      ]),
    }),
  },
});
