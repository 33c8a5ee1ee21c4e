/**
 * Compiled by migration-types.test.ts: `migrations` is typed from the versions' Zod schemas. Paths
 * of the version read and of the version written are completed; a path that is no field is an
 * error; the SDK's upgrade functions are typed by the latest version. Each `@ts-expect-error` line
 * must fail to compile.
 */
import { z } from "zod";
import { defineEvent, namedMigration } from "../src/authoring.js";
import { upgradeEvent, parseEvent, type SessionStatusV1Event, type SessionStatusV2Event } from "../generated/ts/index.js";

const v1 = z.object({ id: z.string(), state: z.enum(["new", "paid"]), info: z.object({ at: z.string() }), lines: z.array(z.object({ qty: z.int() })) });
const v2 = z.object({ orderID: z.string(), state: z.enum(["open", "paid"]), info: z.object({ at: z.string(), by: z.string() }), lines: z.array(z.object({ quantity: z.int() })) });

export const ok = defineEvent("order.placed", {
  versions: { 1: v1, 2: v2 },
  migrations: {
    2: {
      upgrade: [
        { move: "id", to: "orderID" },
        { map: "state", values: { new: "open" } },
        { set: "info.by", value: "import" },
        { each: "lines", steps: [{ move: "qty", to: "quantity" }] },
      ],
      downgrade: [{ move: "orderID", to: "id" }, { drop: ["info", "by"] }],
    },
  },
});

export const unknownSource = defineEvent("order.placed", {
  versions: { 1: v1, 2: v2 },
  // @ts-expect-error "ident" is no field of version 1
  migrations: { 2: { upgrade: [{ move: "ident", to: "orderID" }] } },
});

export const unknownTarget = defineEvent("order.placed", {
  versions: { 1: v1, 2: v2 },
  // @ts-expect-error "order" is no field of version 2
  migrations: { 2: { upgrade: [{ move: "id", to: "order" }] } },
});

export const widenToText = defineEvent("order.placed", {
  versions: { 1: v1, 2: v2 },
  // @ts-expect-error an integer widens to "number" only
  migrations: { 2: { upgrade: [{ widen: "lines", to: "string" }] } },
});

export const named = namedMigration<{ qty: number }, { quantity: number }>("LineV2", [{ move: "qty", to: "quantity" }]);
// @ts-expect-error "q" is no field of the type the named migration reads
export const namedWrong = namedMigration<{ qty: number }, { quantity: number }>("LineV2", [{ move: "q", to: "quantity" }]);

const old: SessionStatusV1Event = { type: "session.status.v1", payload: { sessionID: "s", status: "busy" } };
const upgraded = upgradeEvent(old);
if (upgraded.kind === "event") {
  const latest: SessionStatusV2Event = upgraded.event;
  // @ts-expect-error the upgraded event is version 2, not version 1
  const stale: SessionStatusV1Event = upgraded.event;
  void latest;
  void stale;
}
const parsed = parseEvent("{}", { upgrade: "latest" });
if (parsed.kind === "event" && parsed.event.type === "session.status.v2") void parsed.event.payload.status.type;
// @ts-expect-error an upgrading read gives no version 1 event
if (parsed.kind === "event" && parsed.event.type === "session.status.v1") void parsed;
