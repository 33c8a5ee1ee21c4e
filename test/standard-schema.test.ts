/**
 * The SDK's Standard Schema objects: a real consumer (Hono's Standard Schema validator) accepts
 * them with no adapter; their verdicts are the SDK's; their issues carry paths; the Standard JSON
 * Schema extension hands out the published schemas, self-contained, which ajv compiles and which
 * agree with the validators on every conformance vector; and they satisfy the specification's own
 * types under the strict compiler flags.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { sValidator } from "@hono/standard-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { Hono } from "hono";
import { describe, expect, test } from "vitest";
import { conformanceVectors } from "../src/conformance/vectors.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { EventEnvelopeSchema, EventSchema, SessionStatusV2PayloadSchema } from "../generated/ts/standard.js";
import { ROOT, workDir } from "./helpers.js";

const STATUS = { type: "session.status.v2", payload: { sessionID: "s1", status: { type: "retry", attempt: 2, message: "rate limited", next: 10 } } };

describe("Standard Schema objects of the generated SDK", () => {
  test("a real consumer (Hono's sValidator) validates requests with them, no adapter", async () => {
    const app = new Hono().post("/events", sValidator("json", EventSchema), (c) => c.json({ accepted: c.req.valid("json").type }));
    const post = (body: unknown) => app.request("/events", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

    const ok = await post(STATUS);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ accepted: "session.status.v2" });

    const invalid = await post({ type: "session.status.v2", payload: { sessionID: 7 } });
    expect(invalid.status).toBe(400);
    const unknown = await post({ type: "session.renamed.v1", payload: {} });
    expect(unknown.status).toBe(400);
  });

  test("validate returns the value, or issues with their paths", () => {
    expect(SessionStatusV2PayloadSchema["~standard"].validate(STATUS.payload)).toEqual({ value: STATUS.payload });
    expect(SessionStatusV2PayloadSchema["~standard"].validate({ sessionID: "s1", status: { type: "retry", attempt: 0 } })).toEqual({
      issues: [
        { message: "expected at least 1", path: ["status", "attempt"] },
        { message: "required", path: ["status", "message"] },
        { message: "required", path: ["status", "next"] },
      ],
    });
    expect(EventSchema["~standard"].validate({ type: "session.renamed.v1", payload: {} })).toEqual({ issues: [{ message: "unknown event type", path: ["type"] }] });
    expect(EventEnvelopeSchema["~standard"].validate(null)).toEqual({ issues: [{ message: "expected object, got null" }] });
    expect(EventSchema["~standard"].vendor).toBe("eventc");
    expect(EventSchema["~standard"].version).toBe(1);
  });

  test("the JSON Schema extension hands out self-contained draft 2020-12 documents that agree with the validators", async () => {
    const ajv = new Ajv2020({ strict: false });
    (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
    const event = ajv.compile(EventSchema["~standard"].jsonSchema.input({ target: "draft-2020-12" }));
    const envelope = ajv.compile(EventEnvelopeSchema["~standard"].jsonSchema.output({ target: "draft-2020-12" }));
    const catalogue = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas"), cwd: ROOT });
    const vectors = conformanceVectors(catalogue);
    expect(vectors.length).toBeGreaterThan(100);
    // Event documents as values; JSON Schema is not asked about what only a document rule decides.
    for (const vector of vectors.filter((vector) => vector.text === undefined && !vector.envelope)) {
      const valid = vector.expect === "accept";
      expect("value" in EventSchema["~standard"].validate(vector.document), vector.name).toBe((vector.valueVerdict ?? vector.expect) === "accept");
      if (vector.documentRule) continue;
      expect(event(vector.document), vector.name).toBe(valid);
      expect(envelope({ id: "e1", time: "2025-01-01T00:00:00Z", event: vector.document }), vector.name).toBe(valid);
    }
    expect(() => EventSchema["~standard"].jsonSchema.input({ target: "draft-07" })).toThrow(/draft 2020-12; target "draft-07" is not supported/);
  });

  test("they satisfy the specification's own types (StandardSchemaV1, StandardJSONSchemaV1) under the strict flags", () => {
    const dir = workDir("standard-schema-types");
    const file = path.join(dir, "check.ts");
    const sdk = path.relative(dir, path.join(ROOT, "generated", "ts", "standard.js")).split(path.sep).join("/");
    writeFileSync(
      file,
      [
        'import type { StandardJSONSchemaV1, StandardSchemaV1 } from "@standard-schema/spec";',
        `import { EventSchema, SessionStatusV2PayloadSchema } from "${sdk}";`,
        'import type { Event, SessionStatusV2 } from "../../../generated/ts/types.js";',
        "const asSchema: StandardSchemaV1<unknown, Event> = EventSchema;",
        "const asJson: StandardJSONSchemaV1<unknown, SessionStatusV2> = SessionStatusV2PayloadSchema;",
        "type Output = StandardSchemaV1.InferOutput<typeof SessionStatusV2PayloadSchema>;",
        'export const sessionID: Output["sessionID"] = "s1";',
        "export { asJson, asSchema };",
        "",
      ].join("\n"),
    );
    const options = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022"], types: [], noEmit: true, skipLibCheck: false };
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["check.ts"] }));
    const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
