/** What a tool produces: four levels of unions of named types below a message part. */
import { z } from "zod";
import { Range } from "./common.js";

// Level 4: lines of a diff hunk, and cells of a table.
export const AddedLine = z.object({ op: z.literal("add"), text: z.string(), newLine: z.int().min(1) }).meta({ id: "AddedLine" });
export const RemovedLine = z.object({ op: z.literal("remove"), text: z.string(), oldLine: z.int().min(1) }).meta({ id: "RemovedLine" });
export const ContextLine = z.object({ op: z.literal("context"), text: z.string(), oldLine: z.int().min(1), newLine: z.int().min(1) }).meta({ id: "ContextLine" });
export const DiffLine = z.discriminatedUnion("op", [AddedLine, RemovedLine, ContextLine]).meta({ id: "DiffLine" });

export const Hunk = z
  .object({ header: z.string(), oldStart: z.int().min(0), newStart: z.int().min(0), lines: z.array(DiffLine).max(500) })
  .meta({ id: "Hunk" });

export const TextCell = z.object({ type: z.literal("text"), value: z.string() }).meta({ id: "TextCell" });
export const NumberCell = z.object({ type: z.literal("number"), value: z.number(), unit: z.string().optional() }).meta({ id: "NumberCell" });
export const LinkCell = z.object({ type: z.literal("link"), href: z.url(), text: z.string().optional() }).meta({ id: "LinkCell" });
export const EmptyCell = z.object({ type: z.literal("empty") }).meta({ id: "EmptyCell" });
export const Cell = z.discriminatedUnion("type", [TextCell, NumberCell, LinkCell, EmptyCell]).meta({ id: "Cell" });

// Level 3: the output of a completed tool call.
export const TextOutput = z.object({ kind: z.literal("text"), text: z.string(), truncated: z.boolean().default(false) }).meta({ id: "TextOutput" });
export const DiffOutput = z
  .object({ kind: z.literal("diff"), file: z.string(), hunks: z.array(Hunk), stats: z.object({ added: z.int().min(0), removed: z.int().min(0) }) })
  .meta({ id: "DiffOutput" });
export const ImageOutput = z
  .object({ kind: z.literal("image"), mime: z.enum(["image/png", "image/jpeg", "image/webp"]), url: z.url(), size: z.tuple([z.int().min(1), z.int().min(1)]) })
  .meta({ id: "ImageOutput" });
export const TableOutput = z
  .object({ kind: z.literal("table"), columns: z.array(z.string()).min(1), rows: z.array(z.array(Cell)), caption: z.string().nullable() })
  .meta({ id: "TableOutput" });
export const LocationsOutput = z
  .object({ kind: z.literal("locations"), matches: z.array(z.object({ file: z.string(), range: Range, preview: z.string().max(200) })) })
  .meta({ id: "LocationsOutput" });
export const ToolOutput = z.discriminatedUnion("kind", [TextOutput, DiffOutput, ImageOutput, TableOutput, LocationsOutput]).meta({ id: "ToolOutput" });
