/** Permissions, todos, notifications and other things the UI shows beside the conversation. */
import { z } from "zod";
import { Actor, Id, TimeSpan } from "./common.js";

export const BashPermission = z.object({ type: z.literal("bash"), command: z.string(), cwd: z.string() }).meta({ id: "BashPermission" });
export const EditPermission = z.object({ type: z.literal("edit"), files: z.array(z.string()).min(1), diff: z.string().optional() }).meta({ id: "EditPermission" });
export const FetchPermission = z.object({ type: z.literal("fetch"), url: z.url(), method: z.enum(["GET", "POST"]) }).meta({ id: "FetchPermission" });
export const Permission = z
  .discriminatedUnion("type", [BashPermission, EditPermission, FetchPermission, z.object({ type: z.literal("other"), title: z.string(), details: z.json() })])
  .meta({ id: "Permission" });

export const Reply = z.enum(["once", "always", "reject"]).meta({ id: "Reply" });

export const Todo = z
  .object({ id: Id, content: z.string().min(1).max(500), status: z.enum(["pending", "in_progress", "completed", "cancelled"]), priority: z.enum(["high", "medium", "low"]) })
  .meta({ id: "Todo" });

export const Notification = z
  .object({ id: Id, level: z.enum(["info", "warning", "error"]), title: z.string(), body: z.string().optional(), actions: z.array(z.object({ label: z.string(), command: z.string() })).max(3) })
  .meta({ id: "Notification" });

export const AgentInfo = z.object({ name: z.string(), description: z.string().optional(), tools: z.record(z.string(), z.boolean()), temperature: z.number().min(0).max(2).optional() }).meta({ id: "AgentInfo" });

export const Share = z.object({ url: z.url(), secret: z.string().min(16), expires: z.int().min(0).nullable(), by: Actor }).meta({ id: "Share" });

export const SearchHit = z
  .object({ path: z.string(), line: z.int().min(1), column: z.int().min(1), text: z.string(), submatches: z.array(z.tuple([z.int().min(0), z.int().min(0)])) })
  .meta({ id: "SearchHit" });

export const CommandRun = z.object({ name: z.string(), arguments: z.array(z.string()), time: TimeSpan, exitCode: z.int().optional() }).meta({ id: "CommandRun" });
