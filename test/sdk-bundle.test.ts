/**
 * The SDK's validators are generated code a bundler can shake: a program that validates one event
 * carries that event's validator and nothing of the others', and no part of the SDK evaluates code
 * from strings (it runs under a strict Content Security Policy).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const SDK = path.join(ROOT, "generated", "ts");

async function bundle(entry: string): Promise<string> {
  const result = await build({ stdin: { contents: entry, resolveDir: SDK, loader: "ts" }, bundle: true, minify: true, format: "esm", write: false, logLevel: "silent" });
  return result.outputFiles[0]!.text;
}

describe("the generated SDK in a bundle", () => {
  test("a bundle validating one event carries no other event's validator", async () => {
    const one = await bundle('export { checkFileEditedV1Payload } from "./index.js";');
    expect(one).toContain('"file"');
    for (const foreign of ["sessionID", "permission", "diagnostics", "todos", "matches no member of the union"]) expect(one).not.toContain(foreign);
    const whole = await bundle('export * from "./index.js";');
    for (const foreign of ["sessionID", "permission", "diagnostics", "todos"]) expect(whole).toContain(foreign);
  });

  test("no part of the SDK evaluates code from strings", () => {
    for (const file of readdirSync(SDK)) {
      const source = readFileSync(path.join(SDK, file), "utf8");
      expect(source, file).not.toMatch(/\beval\(|new Function\b|\bFunction\(/);
    }
  });
});
