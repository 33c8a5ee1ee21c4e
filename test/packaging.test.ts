/**
 * The package installs like any npm CLI: `npm pack`, install the tarball beside zod into a brand-new
 * project outside this repository, and run `npx eventc` on that project's own schemas.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "eventc-package-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], options: SpawnSyncOptions): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8", ...options, env: { ...process.env, npm_config_loglevel: "error", npm_config_fund: "false", npm_config_audit: "false" } });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

test("a packed eventc compiles a new project's schemas with npx", () => {
  const packed = run("npm", ["pack", "--pack-destination", scratch, "--ignore-scripts"], { cwd: ROOT });
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = path.join(scratch, packed.stdout.trim().split("\n").at(-1)!);
  expect(existsSync(tarball)).toBe(true);

  const project = path.join(scratch, "app");
  mkdirSync(path.join(project, "schemas"), { recursive: true });
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const zodVersion = (JSON.parse(readFileSync(path.join(ROOT, "node_modules", "zod", "package.json"), "utf8")) as { version: string }).version;
  const installed = run("npm", ["install", tarball, `zod@${zodVersion}`], { cwd: project });
  expect(installed.status, installed.stderr).toBe(0);

  writeFileSync(
    path.join(project, "schemas", "orders.ts"),
    [
      'import { z } from "zod";',
      'import { defineEvent } from "eventc";',
      "",
      'export const orderShipped = defineEvent("order.shipped", {',
      '  description: "An order left the warehouse.",',
      '  topic: "orderID",',
      "  versions: { 1: z.object({ orderID: z.string(), carrier: z.enum([\"dhl\", \"ups\"]) }) },",
      "});",
      "",
    ].join("\n"),
  );
  const generated = run("npx", ["--no-install", "eventc", "generate"], { cwd: project });
  expect(generated.stderr).toBe("");
  expect(generated.status).toBe(0);
  expect(generated.stdout).toMatch(/^generated: \d+ written, 0 unchanged, 0 removed \(1 events, 1 versions, 0 named types;/);
  expect(readFileSync(path.join(project, "generated", "ts", "types.ts"), "utf8")).toContain('export interface OrderShippedV1Event {\n  type: "order.shipped.v1";\n  payload: OrderShippedV1;\n}');
  expect(JSON.parse(readFileSync(path.join(project, "generated", "jsonschema", "order.shipped.v1.json"), "utf8"))).toMatchObject({
    title: "order.shipped.v1",
    required: ["orderID", "carrier"],
  });
  const check = run("npx", ["--no-install", "eventc", "generate", "--check"], { cwd: project });
  expect(check.status).toBe(0);
});
