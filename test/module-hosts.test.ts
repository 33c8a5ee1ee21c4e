/**
 * The generated SDK and runtime do not depend on the host project's module settings: in a project
 * whose package.json says `"type": "module"` and in one that says `"type": "commonjs"` (what
 * `npm init -y` writes), the output type-checks with the project's own `tsc --init` config under
 * TypeScript 5.9 and 7, and a consumer runs with tsx and, compiled by tsc, with Node — in the
 * CommonJS project through `require()` of the generated ES modules.
 *
 * Projects live in the system's temporary folder, outside this repository, so no package.json of
 * ours decides their module format. `eventsource-parser` is linked in, so the SSE client is emitted
 * and checked too.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ROOT, runCli } from "./helpers.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "eventc-hosts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SCHEMAS = path.join(ROOT, "test", "cases", "versions_coalesce_keys_and_topics", "schemas");
const TSC = { "5.9": path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "7": path.join(ROOT, "node_modules", "typescript7", "bin", "tsc") };
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function node(args: string[], cwd: string): string {
  const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? "" : `\n(exit ${result.status})`);
}

/** What both consumers print: an event delivered through the bus, SDK helpers, and the SSE client loaded. */
const EXPECTED = ["server.restarted.v1 deploy", "true", "unknown", "function"].join("\n");

/** The same program in each host's own module syntax (`tsc --init` sets verbatimModuleSyntax). */
const CONSUMERS = {
  module: `import { isEventType, parseEvent } from "./generated/ts/index.js";
import { createBus } from "./generated/runtime/index.js";
import { connectSse } from "./generated/runtime/sse/client.js";

const bus = createBus();
const seen: string[] = [];
bus.subscribe("server.restarted", (envelope) => {
  seen.push(\`\${envelope.event.type} \${envelope.event.payload.reason}\`);
});
await bus.publish("server.restarted", { reason: "deploy" });
await bus.close();
console.log([...seen, String(isEventType("server.restarted.v1")), parseEvent({ type: "nope.v1", payload: {} }).kind, typeof connectSse].join("\\n"));
`,
  commonjs: `import sdk = require("./generated/ts/index.js");
import runtime = require("./generated/runtime/index.js");
import sse = require("./generated/runtime/sse/client.js");

async function main(): Promise<void> {
  const bus = runtime.createBus();
  const seen: string[] = [];
  bus.subscribe("server.restarted", (envelope) => {
    seen.push(\`\${envelope.event.type} \${envelope.event.payload.reason}\`);
  });
  await bus.publish("server.restarted", { reason: "deploy" });
  await bus.close();
  console.log([...seen, String(sdk.isEventType("server.restarted.v1")), sdk.parseEvent({ type: "nope.v1", payload: {} }).kind, typeof sse.connectSse].join("\\n"));
}
void main();
`,
};

describe.each(["module", "commonjs"] as const)('a "type": "%s" project', (type) => {
  const project = path.join(scratch, type);

  test(`generates_into_it_and_type_checks_with_its_tsc_init_config_under_typescript_5_9_and_7`, () => {
    mkdirSync(path.join(project, "node_modules"), { recursive: true });
    writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: `host-${type}`, private: true, type }, null, 2)}\n`);
    symlinkSync(path.join(ROOT, "node_modules", "eventsource-parser"), path.join(project, "node_modules", "eventsource-parser"), "dir");
    // The project's tsconfig.json is whatever this TypeScript's `tsc --init` writes today.
    expect(node([TSC["5.9"], "--init"], project)).toContain("Created a new tsconfig.json");
    const generated = runCli(["generate", "--schemas", SCHEMAS, "--out", "generated", "--target", "typescript", "runtime"], project);
    expect(generated.stderr).toBe("");
    expect(generated.status).toBe(0);
    writeFileSync(path.join(project, "consumer.ts"), CONSUMERS[type]);
    expect(node([TSC["7"], "-p", project, "--noEmit"], project)).toBe("");
    // 5.9 emits beside the sources (no outDir in `tsc --init`): consumer.js and the SDK's .js files.
    expect(node([TSC["5.9"], "-p", project], project)).toBe("");
  });

  test("runs_with_tsx", () => {
    expect(node([TSX, "consumer.ts"], project)).toBe(EXPECTED);
  });

  test(`runs_compiled_with_node${type === "commonjs" ? "_requiring_the_es_modules" : ""}`, () => {
    expect(node(["consumer.js"], project)).toBe(EXPECTED);
  });
});
