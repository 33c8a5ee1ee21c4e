/** `eventc generate --watch`: a change to a schema module regenerates; a broken module is reported and watching goes on. */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { BIN, ROOT, workDir } from "./helpers.js";

function waitFor(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (pattern.test(read())) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`));
      }
    }, 50);
  });
}

test("regenerates on change and survives a broken module", async () => {
  const project = workDir("watch", path.join(ROOT, "test", "bad-input", "_baseline"));
  const schema = path.join(project, "schemas", "ok.ts");
  const child = spawn(process.execPath, [BIN, "generate", "--watch", "--target", "jsonschema"], { cwd: project });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    await waitFor(() => stdout, /watching schemas/, 20_000);

    writeFileSync(schema, readFileSync(schema, "utf8").replace("{ at: z.string() }", "{ at: z.string(), seq: z.int() }"));
    await waitFor(() => stdout, /1 written/, 20_000);
    expect(readFileSync(path.join(project, "generated", "jsonschema", "ping.sent.v1.json"), "utf8")).toContain('"seq"');

    writeFileSync(schema, readFileSync(schema, "utf8").replace("seq: z.int()", "seq: z.date()"));
    await waitFor(() => stderr, /field "seq": date has no wire form/, 20_000);
    expect(readFileSync(path.join(project, "generated", "jsonschema", "ping.sent.v1.json"), "utf8")).toContain('"seq"');
  } finally {
    child.kill("SIGINT");
  }
  expect(await exited).toBe(0);
});
