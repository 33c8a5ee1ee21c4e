/**
 * The SSE server and client accept what applications hand them without casts: Node's http request
 * and response, fetch's Request and Response (DOM and Node typings at once), the global fetch and
 * wrappers of it, the ws package's server and socket, the DOM's WebSocket, Node http's upgrade — and
 * deliver envelopes typed by the catalogue (sse-types.check.ts and ws-types.check.ts, compiled under
 * the SDK's strict flags).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT, workDir } from "../helpers.js";

test("node_http_fetch_Request_Response_the_global_fetch_and_ws_and_dom_websockets_fit_the_sse_and_websocket_types_and_events_arrive_typed", () => {
  const dir = workDir("sse-types");
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    noUnusedLocals: true,
    target: "es2022",
    lib: ["es2022", "dom"],
    types: ["node"],
    typeRoots: [path.join(ROOT, "node_modules", "@types")],
    skipLibCheck: true,
    noEmit: true,
    module: "nodenext",
    moduleResolution: "nodenext",
  };
  const files = ["sse-types.check.ts", "ws-types.check.ts", "worker-types.check.ts"].map((file) => path.join(ROOT, "test", "runtime", file));
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }));
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
  expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
});
