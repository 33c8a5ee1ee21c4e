/**
 * The runtime emits only the parts a project uses (`runtime` in eventc.config.ts): the transports it
 * names and the SSE server and client it wants, each with every module it imports, and an index.ts
 * that re-exports only what is there. The SSE client, the one part that imports a package
 * (eventsource-parser), is emitted by default only where that package is installed, so a project
 * that never uses SSE type-checks without it; asked for explicitly without the package, generate
 * says what to install.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { emitTargets } from "../src/generate.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import type { TargetOptions } from "../src/targets/target.js";
import { ROOT, runCli, workDir } from "./helpers.js";

const CASE = path.join(ROOT, "test", "cases", "versions_coalesce_keys_and_topics");
const SCHEMAS = path.join(CASE, "schemas");
const TSC = { "5.9": path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "7": path.join(ROOT, "node_modules", "typescript7", "bin", "tsc") };
const TEMPLATES = path.join(ROOT, "templates", "ts", "runtime");

const scratch = mkdtempSync(path.join(os.tmpdir(), "eventc-runtime-parts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const catalogue = await loadCatalogue({ schemasDir: SCHEMAS, cwd: CASE });

/** The runtime's files (relative to runtime/) for these options. */
function runtimeFiles(options: TargetOptions): Map<string, string> {
  return new Map(emitTargets(catalogue, ["runtime"], options).map((file) => [file.path.slice("runtime/".length), file.contents]));
}

function templateModules(dir = TEMPLATES, prefix = ""): string[] {
  return readdirSync(dir)
    .flatMap((entry) => (statSync(path.join(dir, entry)).isDirectory() ? templateModules(path.join(dir, entry), `${prefix}${entry}/`) : entry.endsWith(".ts") ? [`${prefix}${entry}`] : []))
    .sort();
}

/** Every module specifier a file imports or re-exports, static or in a type position. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)"([^"]+)"/gm)].map((match) => match[1]!);
}

function tsc(version: keyof typeof TSC, args: string[], cwd: string): string {
  const result = spawnSync(process.execPath, [TSC[version], ...args], { cwd, encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? "" : `\n(exit ${result.status})`);
}

/** A project outside this repository: its own package.json, the given config, maybe eventsource-parser. */
function project(name: string, config: string | undefined, withParser: boolean): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name, private: true, type: "module" }, null, 2)}\n`);
  if (config !== undefined) writeFileSync(path.join(dir, "eventc.config.ts"), config);
  if (withParser) symlinkSync(path.join(ROOT, "node_modules", "eventsource-parser"), path.join(dir, "node_modules", "eventsource-parser"), "dir");
  return dir;
}

const generate = (dir: string) => runCli(["generate", "--schemas", SCHEMAS, "--target", "typescript", "runtime"], dir);

describe("the runtime target emits the parts it is given", () => {
  test("every_template_module_is_emitted_when_every_part_is_wanted", () => {
    const emitted = [...runtimeFiles({}).keys()].filter((file) => file.endsWith(".ts") && file !== "index.ts").sort();
    expect(emitted).toEqual(templateModules());
  });

  const choices: TargetOptions[] = [];
  for (const transports of [["memory"], ["memory", "redis"], ["redis-streams"], ["memory", "redis", "redis-streams"]] as const) {
    for (const server of [true, false]) for (const client of [true, false]) choices.push({ runtime: { transports: [...transports], sse: { server, client } } });
  }

  test.each(choices.map((options) => [JSON.stringify(options.runtime), options] as const))("with %s every module an emitted file imports is emitted", (_name, options) => {
    const files = runtimeFiles(options);
    for (const [file, source] of files) {
      for (const specifier of specifiers(source).filter((spec) => spec.startsWith("."))) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
        if (target.startsWith("../ts/")) continue; // the SDK, the typescript target's output
        expect(files.has(target), `${file} imports ${specifier}`).toBe(true);
      }
    }
    expect(files.has("sse/client.ts")).toBe(options.runtime!.sse!.client);
    expect(files.has("sse/server.ts")).toBe(options.runtime!.sse!.server);
    expect(files.has("transports/redis/streams.ts")).toBe(options.runtime!.transports!.includes("redis-streams"));
    // The Redis snapshot store belongs to the SSE server on Redis.
    expect(files.has("sse/snapshot-redis.ts")).toBe(options.runtime!.sse!.server && options.runtime!.transports!.some((name) => name !== "memory"));
  });

  test("the_smallest_runtime_is_the_bus_the_coalescer_and_the_in_process_transport_and_type_checks_under_typescript_5_9_and_7", () => {
    const files = runtimeFiles({ runtime: { transports: ["memory"], sse: { server: false, client: false } } });
    for (const file of ["core/binding.ts", "bus/bus.ts", "coalescer.ts", "index.ts", "transports/memory.ts", "package.json", "bus/stream.ts", "transports/transport.ts"]) expect(files.has(file), file).toBe(true);
    expect([...files.keys()].filter((file) => /^(transports\/redis|sse|ws)\//.test(file))).toEqual([]);
    const reexported = specifiers(files.get("index.ts")!).filter((spec) => spec.startsWith("./"));
    expect(reexported.every((spec) => files.has(spec.slice(2).replace(/\.js$/, ".ts")))).toBe(true);
    // A reader looking for what is not there finds it named, with the setting that brings it.
    expect(files.get("index.ts")!.split("\n").slice(-11)).toEqual([
      "// Left out of this runtime (`runtime` in eventc.config.ts; see docs/runtime.md):",
      '// - the Redis pub/sub transport (`createRedisTransport`; "redis" in runtime.transports)',
      '// - the Redis Streams transport (`createRedisStreamTransport`; "redis-streams" in runtime.transports)',
      '// - the Worker transports (`createWorkerHostTransport`, `createWorkerThreadTransport`; "worker" in runtime.transports)',
      "// - the SSE server (`createSseHandler`; runtime.sse.server)",
      "// - the SSE client (`connectSse` in sse/client.ts; runtime.sse.client, by default emitted where eventsource-parser is installed)",
      "// - the WebSocket hub (`createWebSocketHub`; with the SSE server, runtime.sse.server)",
      "// - the WebSocket client (`connectWebSocket` in ws/client.ts; with the SSE client, runtime.sse.client)",
      "// - the client over several channels (`connectChannels` in client/channels.ts; with the SSE client, runtime.sse.client)",
      '// - the WebSocket spoke transport (`createWebSocketTransport` in transports/websocket.ts; "websocket" in runtime.transports, by default emitted where eventsource-parser is installed)',
      "",
    ]);
    expect(runtimeFiles({}).get("index.ts")).not.toContain("Left out");
    const dir = workDir("runtime-parts-smallest");
    for (const file of emitTargets(catalogue, ["typescript", "runtime"], { runtime: { transports: ["memory"], sse: { server: false, client: false } } })) {
      mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      writeFileSync(path.join(dir, file.path), file.contents);
    }
    const compilerOptions = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, noUnusedLocals: true, isolatedDeclarations: true, declaration: true, module: "nodenext", target: "es2022", lib: ["es2022"], types: [], noEmit: true };
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["runtime/index.ts"] }));
    expect(tsc("7", ["-p", dir], dir)).toBe("");
    expect(tsc("5.9", ["-p", dir], dir)).toBe("");
  });

  test("redis_streams_brings_the_serializer_it_shares_with_pub_sub_and_not_the_pub_sub_transport", () => {
    const files = runtimeFiles({ runtime: { transports: ["redis-streams"] } });
    expect(files.has("transports/redis/streams.ts")).toBe(true);
    expect(files.has("transports/redis/serializer.ts")).toBe(true);
    expect(files.has("transports/redis/pubsub.ts")).toBe(false);
    expect(files.get("index.ts")).toContain('export * from "./transports/redis/serializer.js";');
    // Its connection layer and entry parsing are emitted for it and stay out of index.ts.
    expect(files.has("transports/redis/command-link.ts")).toBe(true);
    expect(files.get("index.ts")).not.toContain("command-link");
  });
});

describe("eventc generate and the SSE client's package", () => {
  test("without_eventsource_parser_the_default_leaves_the_sse_client_out_and_the_project_type_checks_under_typescript_5_9_and_7", () => {
    const dir = project("no-parser", undefined, false);
    const generated = generate(dir);
    expect(generated.stderr).toBe("");
    expect(generated.status).toBe(0);
    expect(existsSync(path.join(dir, "generated", "runtime", "sse/server.ts"))).toBe(true);
    expect(existsSync(path.join(dir, "generated", "runtime", "sse/client.ts"))).toBe(false);
    // The WebSocket spoke transport imports the parser too: left out of the default alike.
    expect(existsSync(path.join(dir, "generated", "runtime", "transports/websocket.ts"))).toBe(false);
    expect(tsc("5.9", ["--init"], dir)).toContain("Created a new tsconfig.json");
    expect(tsc("7", ["-p", dir, "--noEmit"], dir)).toBe("");
    expect(tsc("5.9", ["-p", dir, "--noEmit"], dir)).toBe("");
    expect(runCli(["generate", "--schemas", SCHEMAS, "--target", "typescript", "runtime", "--check"], dir).status).toBe(0);
  });

  test("with_eventsource_parser_installed_the_default_emits_the_sse_client", () => {
    const dir = project("with-parser", undefined, true);
    const generated = generate(dir);
    expect(generated.stderr).toBe("");
    expect(existsSync(path.join(dir, "generated", "runtime", "sse/client.ts"))).toBe(true);
    expect(existsSync(path.join(dir, "generated", "runtime", "transports/websocket.ts"))).toBe(true);
  });

  test("asking_for_the_websocket_transport_without_eventsource_parser_warns_with_its_own_setting", () => {
    const dir = project("spoke-asked", 'export default { runtime: { transports: ["websocket"], sse: { server: false, client: false } } };\n', false);
    const generated = generate(dir);
    expect(generated.stderr).toBe(
      'eventc: warning: runtime: runtime/transports/websocket.ts imports eventsource-parser, which generated/runtime cannot find; install it with `npm install eventsource-parser@^3`, or remove "websocket" from runtime.transports in eventc.config.ts\n',
    );
    expect(generated.status).toBe(0);
    expect(existsSync(path.join(dir, "generated", "runtime", "transports/websocket/subscription.ts"))).toBe(true);
    expect(readFileSync(path.join(dir, "generated", "runtime", "index.ts"), "utf8")).not.toContain("websocket");
  });

  test("asking_for_the_sse_client_without_eventsource_parser_warns_with_the_install_command", () => {
    const dir = project("client-asked", "export default { runtime: { sse: { client: true } } };\n", false);
    const generated = generate(dir);
    expect(generated.stderr).toBe(
      "eventc: warning: runtime: runtime/sse/client.ts imports eventsource-parser, which generated/runtime cannot find; install it with `npm install eventsource-parser@^3`, or set runtime.sse.client to false in eventc.config.ts\n",
    );
    expect(generated.status).toBe(0);
    expect(existsSync(path.join(dir, "generated", "runtime", "sse/client.ts"))).toBe(true);
  });

  test("an_eventsource_parser_of_another_major_version_is_not_taken_for_one_the_client_is_written_for", () => {
    const dir = project("old-parser", undefined, false);
    mkdirSync(path.join(dir, "node_modules", "eventsource-parser"));
    writeFileSync(path.join(dir, "node_modules", "eventsource-parser", "package.json"), JSON.stringify({ name: "eventsource-parser", version: "1.1.2" }));
    const generated = generate(dir);
    expect(generated.stderr).toBe("");
    expect(existsSync(path.join(dir, "generated", "runtime", "sse/client.ts"))).toBe(false);
    writeFileSync(path.join(dir, "eventc.config.ts"), "export default { runtime: { sse: { client: true } } };\n");
    expect(generate(dir).stderr).toBe(
      "eventc: warning: runtime: runtime/sse/client.ts imports eventsource-parser version 3 or 4, and generated/runtime finds 1.1.2; install it with `npm install eventsource-parser@^3`, or set runtime.sse.client to false in eventc.config.ts\n",
    );
    expect(existsSync(path.join(dir, "generated", "runtime", "sse/client.ts"))).toBe(true);
  });

  test("a_chosen_subset_is_what_generate_writes", () => {
    const dir = project("subset", 'export default { runtime: { transports: ["memory"], sse: { server: false } } };\n', true);
    expect(generate(dir).status).toBe(0);
    const runtime = (readdirSync(path.join(dir, "generated", "runtime"), { recursive: true }) as string[]).map((file) => file.split(path.sep).join("/")).sort();
    expect(runtime).toContain("bus/bus.ts");
    expect(runtime.filter((file) => /^(transports\/redis|sse)\/./.test(file))).toEqual(["sse/client.ts", "sse/protocol.ts"]);
  });

  test.each([
    ['{ transports: ["kafka"] }', 'invalid config: "runtime.transports[0]": unknown transport; choose from memory, redis, redis-streams, websocket, worker'],
    ['{ transports: ["redis", "redis"] }', 'invalid config: "runtime.transports": a transport is listed twice; name each transport once'],
    ['{ sse: { client: "yes" } }', 'invalid config: "runtime.sse.client": true, false or "auto"'],
    ["{ websocket: true }", 'invalid config: "runtime": Unrecognized key: "websocket"'],
  ])("runtime %s in the config is an input error", (runtime, message) => {
    const dir = project(`bad-${runtime.replace(/\W+/g, "-")}`, `export default { runtime: ${runtime} };\n`, false);
    const generated = generate(dir);
    expect(generated.stderr).toBe(`eventc: eventc.config.ts: ${message}\n`);
    expect(generated.status).toBe(2);
    expect(existsSync(path.join(dir, "generated"))).toBe(false);
  });
});
