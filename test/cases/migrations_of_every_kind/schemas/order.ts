import { z } from "zod";
import { defineEvent, namedMigration } from "eventc";

const Point = z.object({ x: z.int(), y: z.int() }).meta({ id: "Point" });
const PlotPoint = z.object({ x: z.number(), y: z.number(), label: z.string().optional() }).meta({ id: "PlotPoint" });

/** Declared once, applied wherever a Point becomes a PlotPoint. */
const plotPoint = namedMigration("PointToPlotPoint", [
  { widen: "x", to: "number" },
  { widen: "y", to: "number" },
]);

const State = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("open") }),
  z.object({ kind: z.literal("paid") }),
  z.object({ kind: z.literal("refunded"), amount: z.number() }),
]);

export const orderPlaced = defineEvent("order.placed", {
  description: "An order was placed or changed state.",
  coalesce: ["total"],
  versions: {
    1: z.object({
      id: z.string(),
      state: z.enum(["new", "paid"]),
      total: z.int(),
      note: z.string().optional(),
      legacy: z.boolean(),
      lines: z.array(z.object({ sku: z.string(), qty: z.int().min(1) })),
      pins: z.record(z.string(), Point),
    }),
    2: z.object({
      orderID: z.string(),
      state: z.enum(["open", "paid"]),
      total: z.number(),
      note: z.string(),
      lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })),
      pins: z.record(z.string(), PlotPoint),
      source: z.object({ channel: z.literal("web"), tags: z.array(z.string()) }),
      priority: z.string().optional(),
    }),
    3: z.object({
      orderID: z.string(),
      state: State,
      total: z.number(),
      note: z.string(),
      lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })),
      pins: z.record(z.string(), PlotPoint),
      source: z.object({ channel: z.literal("web"), tags: z.array(z.string()) }),
    }),
  },
  migrations: {
    2: {
      upgrade: [
        { move: "id", to: "orderID" },
        { map: "state", values: { new: "open" } },
        { widen: "total", to: "number" },
        { default: "note", value: "" },
        { drop: "legacy" },
        { each: "lines", steps: [{ move: "qty", to: "quantity" }] },
        { each: "pins", steps: [{ apply: "", migration: plotPoint }] },
        { set: "source", value: { channel: "web", tags: ["imported", "v1"] } },
      ],
    },
    3: {
      upgrade: [{ wrap: "state", key: "kind" }],
      downgrade: [
        { unwrap: "state", key: "kind" },
        { map: "state", values: [["refunded", "paid"]] },
      ],
    },
  },
});
