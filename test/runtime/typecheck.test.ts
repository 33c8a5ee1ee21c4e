/**
 * The runtime templates are held to the bar of the generated SDK they are emitted into: they
 * type-check under TypeScript 5.9 and 7, under the strictest flags with both module resolutions
 * and with no host types at all (no DOM, no Node), contain no `any`, and import neither Node
 * built-ins nor a Redis client.
 * The bus's catalogue typing is checked through bus-types.check.ts, and the structural Redis
 * connection types against the real ioredis and node-redis typings through redis-clients.check.ts.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, workDir } from "../helpers.js";

const RUNTIME = path.join(ROOT, "templates", "ts", "runtime");
const templates = (readdirSync(RUNTIME, { recursive: true }) as string[])
  .filter((file) => file.endsWith(".ts"))
  .sort()
  .map((file) => path.join(RUNTIME, file));

/** The flags test/golden-quality.test.ts holds the generated SDK to. */
const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  target: "es2022",
  lib: ["es2022"],
  types: [] as string[],
  noEmit: true,
};

/** Both TypeScript lines the generated code is held to. */
const COMPILERS = [
  ["5.9", path.join(ROOT, "node_modules", "typescript", "bin", "tsc")],
  ["7", path.join(ROOT, "node_modules", "typescript7", "bin", "tsc")],
] as const;

/** Type-checks the files under TypeScript 5.9 and 7: what each says, "" when both accept them. */
function tsc(name: string, compilerOptions: Record<string, unknown>, files: string[]): string {
  const dir = workDir(`runtime-tsc-${name}`);
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }, null, 2));
  return COMPILERS.map(([version, bin]) => {
    const result = spawnSync(process.execPath, [bin, "-p", dir], { encoding: "utf8" });
    const said = `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? "" : `\n(exit ${result.status})`);
    return said === "" ? "" : `TypeScript ${version}:\n${said}`;
  })
    .filter((said) => said !== "")
    .join("\n");
}

describe("runtime templates type-check", () => {
  test.each([
    ["nodenext", "nodenext"],
    ["bundler", "esnext"],
  ])("under_strict_flags_without_host_types_with_module_resolution_%s", (moduleResolution, module) => {
    expect(tsc(moduleResolution, { ...STRICT, module, moduleResolution }, templates)).toBe("");
  });

  test("the_bus_is_typed_by_the_catalogue_it_is_bound_to", () => {
    // `dom` only for AbortController in the check file; the bus itself compiles without it (above).
    const files = [path.join(ROOT, "test", "runtime", "bus-types.check.ts")];
    expect(tsc("bus-types", { ...STRICT, lib: ["es2022", "dom"], module: "nodenext", moduleResolution: "nodenext" }, files)).toBe("");
  });

  test("the_structural_redis_connection_accepts_ioredis_and_node_redis_clients_and_clusters", () => {
    // The client typings need Node's; skipLibCheck because their own .d.ts files are not ours to hold to these flags.
    const files = [
      path.join(ROOT, "test", "runtime", "redis-clients.check.ts"),
      path.join(ROOT, "test", "runtime", "redis-streams-clients.check.ts"),
      path.join(ROOT, "test", "runtime", "sse-snapshot-clients.check.ts"),
    ];
    expect(tsc("redis-clients", { ...STRICT, types: ["node"], skipLibCheck: true, module: "nodenext", moduleResolution: "nodenext" }, files)).toBe("");
  });

  test("contain_no_any_no_node_imports_and_no_redis_client_import", () => {
    for (const file of templates) {
      const text = readFileSync(file, "utf8");
      const name = path.relative(ROOT, file);
      expect(text, name).not.toMatch(/[:<,(|]\s*any\b|\bas any\b/);
      expect(text, name).not.toMatch(/from\s+["']node:|require\(/);
      expect(text, name).not.toMatch(/from\s+["'](ioredis|redis|@redis\/[^"']*)["']/);
    }
  });
});
