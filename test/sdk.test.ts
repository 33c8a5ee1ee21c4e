/**
 * The generated TypeScript SDK at work (generated/ts over the example catalogue): parse results,
 * unknown events, the tolerant reader, guards, metadata — and agreement with the generated JSON
 * Schemas (ajv) on the same documents.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, test } from "vitest";
import * as sdk from "../generated/ts/index.js";
import { ROOT } from "./helpers.js";

const statusV2 = { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "retry", attempt: 2, message: "rate limited", next: 1700000000000 } } };
const partUpdated = {
  type: "message.part.updated.v1",
  payload: {
    part: {
      id: "p1",
      sessionID: "s1",
      messageID: "m1",
      type: "tool",
      callID: "c1",
      tool: "bash",
      state: { status: "completed", input: { command: "ls" }, output: "a\nb", title: "ls", metadata: {}, time: { start: 1, end: 2 } },
    },
  },
};

describe("parseEvent", () => {
  test("accepts a valid event and narrows it", () => {
    const result = sdk.parseEvent(statusV2);
    expect(result.kind).toBe("event");
    if (result.kind === "event" && sdk.isSessionStatusV2(result.event)) {
      expect(result.event.payload.status.type).toBe("retry");
    } else {
      throw new Error("expected session.status.v2");
    }
  });

  test("an unknown wire type is an explicit case, not a throw", () => {
    expect(sdk.parseEvent({ type: "session.status.v9", payload: { anything: true } })).toEqual({
      kind: "unknown",
      event: { type: "session.status.v9", payload: { anything: true } },
    });
  });

  test("reports every problem with a JSON Pointer", () => {
    const result = sdk.parseEvent({
      type: "session.status.v2",
      payload: { status: { type: "retry", attempt: 0, message: 5, next: 1 } },
    });
    expect(result).toEqual({
      kind: "invalid",
      issues: [
        { path: "/payload/sessionID", message: "required" },
        { path: "/payload/status/attempt", message: "expected at least 1" },
        { path: "/payload/status/message", message: "expected string, got number" },
      ],
    });
  });

  test("a wrong discriminator names the allowed tags", () => {
    const result = sdk.parseEvent({ ...partUpdated, payload: { part: { ...partUpdated.payload.part, type: "video" } } });
    expect(result).toEqual({
      kind: "invalid",
      issues: [{ path: "/payload/part/type", message: 'expected one of "text", "reasoning", "tool", "file", "step-start", "step-finish", "patch"' }],
    });
  });

  test("unknown fields are ignored (tolerant reader)", () => {
    const withExtra = { ...statusV2, payload: { ...statusV2.payload, addedLater: [1, 2] }, trace: "x" };
    expect(sdk.parseEvent(withExtra).kind).toBe("event");
  });
});

describe("parseEnvelope", () => {
  test("validates id, time and the event inside", () => {
    expect(sdk.parseEnvelope({ id: "e1", time: "2026-01-02T03:04:05.678Z", topic: "s1", event: statusV2 }).kind).toBe("event");
    expect(sdk.parseEnvelope({ id: "", time: "yesterday", event: { type: 1 } })).toEqual({
      kind: "invalid",
      issues: [
        { path: "/id", message: "expected an id: 1 to 256 visible ASCII characters" },
        { path: "/time", message: "expected an RFC 3339 UTC date-time" },
        { path: "/event/type", message: "expected string" },
      ],
    });
    expect(sdk.parseEnvelope({ id: "e2", time: "2026-01-02T03:04:05Z", event: { type: "future.thing.v1", payload: {} } }).kind).toBe("unknown");
  });
});

describe("metadata and guards", () => {
  test("the table carries name, version, latest, coalesce and topic", () => {
    expect(sdk.eventMeta["session.status.v1"]).toEqual({
      name: "session.status",
      version: 1,
      type: "session.status.v1",
      latest: false,
      coalesce: [["sessionID"]],
      topic: ["sessionID"],
    });
    expect(sdk.latestTypes["session.status"]).toBe("session.status.v2");
    expect(sdk.eventName("message.part.delta.v1")).toBe("message.part.delta");
    expect(sdk.eventVersion("session.status.v2")).toBe(2);
    expect(sdk.eventTypes).toHaveLength(20);
    expect(sdk.isEventType("session.status.v3")).toBe(false);
  });

  test("coalesce keys: JSON of the name and the values at the coalesce paths", () => {
    expect(sdk.coalesceKey(statusV2 as sdk.Event)).toBe('["session.status","s1"]');
    expect(sdk.coalesceKey({ type: "lsp.client.diagnostics.v1", payload: { serverID: "ts", path: "a.ts", diagnostics: [] } })).toBe('["lsp.client.diagnostics","ts","a.ts"]');
    expect(sdk.coalesceKey({ type: "installation.update-available.v1", payload: { version: "1.0.0" } })).toBe('["installation.update-available"]');
    expect(sdk.coalesceKey({ type: "file.edited.v1", payload: { file: "a.ts" } })).toBeUndefined();
  });

  test("guards narrow by name and by version", () => {
    expect(sdk.isSessionStatus(statusV2)).toBe(true);
    expect(sdk.isSessionStatusV1(statusV2)).toBe(false);
    expect(sdk.isEventOfName(statusV2, "session.status")).toBe(true);
    expect(sdk.isEventOfType(partUpdated, "message.part.updated.v1")).toBe(true);
    expect(sdk.latestEvent("file.edited", { file: "a.ts" })).toEqual({ type: "file.edited.v1", payload: { file: "a.ts" } });
  });
});

describe("TypeScript validators and JSON Schemas agree", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const dir = path.join(ROOT, "generated", "jsonschema");
  for (const file of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(path.join(dir, file), "utf8")));
  const validateEvent = ajv.getSchema("event.json")!;

  const documents: [string, unknown][] = [
    ["valid status v2", statusV2],
    ["valid tool part", partUpdated],
    ["status v1 enum out of range", { type: "session.status.v1", payload: { sessionID: "s", status: "sleeping" } }],
    ["missing payload field", { type: "todo.updated.v1", payload: { todos: [] } }],
    ["todo with empty content", { type: "todo.updated.v1", payload: { sessionID: "s", todos: [{ id: "t", content: "", status: "pending", priority: "low" }] } }],
    ["bad semver", { type: "installation.update-available.v1", payload: { version: "v1" } }],
    ["good semver", { type: "installation.update-available.v1", payload: { version: "1.2.3-beta.1" } }],
    ["nullable finish", { type: "message.updated.v1", payload: { info: { role: "assistant", id: "m", sessionID: "s", parentID: "u", modelID: "x", providerID: "p", cost: 0, tokens: { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 0 } }, finish: null, time: { created: 1 } } } }],
    ["negative token count", { type: "message.updated.v1", payload: { info: { role: "assistant", id: "m", sessionID: "s", parentID: "u", modelID: "x", providerID: "p", cost: 0, tokens: { input: -1, output: 2, reasoning: 0, cache: { read: 0, write: 0 } }, finish: null, time: { created: 1 } } } }],
    ["fractional line", { type: "lsp.client.diagnostics.v1", payload: { serverID: "ts", path: "a.ts", diagnostics: [{ range: { start: { line: 1.5, character: 0 }, end: { line: 2, character: 0 } }, message: "x" }] } }],
    ["severity literal union", { type: "lsp.client.diagnostics.v1", payload: { serverID: "ts", path: "a.ts", diagnostics: [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, severity: 5, message: "x" }] } }],
    ["extra fields everywhere", { type: "file.edited.v1", payload: { file: "a", more: 1 }, extra: true }],
  ];

  test.each(documents)("%s", (_name, document) => {
    const ours = sdk.parseEvent(document).kind === "event";
    expect(ours).toBe(validateEvent(document) === true);
  });
});

describe("exported payload checkers", () => {
  test("never throw: a payload nested past the limit is one issue at the given path", () => {
    let deep: unknown = "leaf";
    for (let level = 0; level < 200; level++) deep = { a: deep };
    const payload = structuredClone(partUpdated.payload) as { part: { state: { input: unknown } } };
    payload.part.state.input = deep;
    expect(sdk.checkMessagePartUpdatedV1Payload(payload, "", null)).toBe(false);
    const out: sdk.ValidationIssue[] = [{ path: "/earlier", message: "kept" }];
    expect(sdk.checkMessagePartUpdatedV1Payload(payload, "/payload", out)).toBe(false);
    expect(out).toEqual([
      { path: "/earlier", message: "kept" },
      { path: "/payload", message: "nested deeper than 128 levels" },
    ]);
    expect(sdk.checkMessagePartUpdatedV1Payload(partUpdated.payload, "", null)).toBe(true);
  });
});
