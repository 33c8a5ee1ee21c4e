/** `eventc generate --watch`: a change to a schema module regenerates; a broken module is reported and watching goes on. */
import { spawn } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
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

/** Starts `eventc generate --watch …` in `project`; output is collected as it comes. */
function startWatch(project: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, "generate", "--watch", ...args], { cwd: project, env: { ...process.env, NO_COLOR: "1" } });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { child, output, exited };
}

test("keeps watching when the schemas folder is renamed, says so, and picks it up when it is back", async () => {
  const project = workDir("watch-rename", path.join(ROOT, "test", "bad-input", "_baseline"));
  const schemas = path.join(project, "schemas");
  const { child, output, exited } = startWatch(project, ["--target", "jsonschema"]);
  try {
    await waitFor(() => output.stdout, /watching schemas/, 20_000);
    renameSync(schemas, `${schemas}-old`);
    await waitFor(() => output.stderr, /schemas folder "schemas" was moved or deleted; waiting for it to come back/, 20_000);
    expect(child.exitCode).toBe(null);

    const schema = path.join(`${schemas}-old`, "ok.ts");
    writeFileSync(schema, readFileSync(schema, "utf8").replace("{ at: z.string() }", "{ at: z.string(), seq: z.int() }"));
    renameSync(`${schemas}-old`, schemas);
    await waitFor(() => output.stdout, /schemas is back; watching it\ngenerated: 1 written/, 20_000);
    expect(readFileSync(path.join(project, "generated", "jsonschema", "ping.sent.v1.json"), "utf8")).toContain('"seq"');

    writeFileSync(path.join(schemas, "ok.ts"), readFileSync(path.join(schemas, "ok.ts"), "utf8").replace("seq: z.int()", "seq: z.string()"));
    await waitFor(() => output.stdout, /(generated: 1 written[^]*){2}/, 20_000);
    expect(output.stderr).not.toMatch(/does not exist/);
  } finally {
    child.kill("SIGINT");
  }
  expect(await exited).toBe(0);
});

test("a warning is printed once, and again only when it changes", async () => {
  const project = workDir("watch-warnings", path.join(ROOT, "test", "bad-input", "_baseline"));
  const schema = path.join(project, "schemas", "ok.ts");
  writeFileSync(schema, readFileSync(schema, "utf8").replace("{ at: z.string() }", "{ at: z.string(), pair: z.tuple([z.string(), z.int()]) }"));
  const { child, output, exited } = startWatch(project, ["--target", "rust"]);
  const warning = /eventc: warning: rust: typeshare: "PingSentV1Pair": typeshare has no tuples/g;
  try {
    await waitFor(() => output.stdout, /watching schemas/, 20_000);
    expect(output.stderr.match(warning)).toHaveLength(1);

    writeFileSync(schema, readFileSync(schema, "utf8").replace("at: z.string()", "at: z.string(), seq: z.int()"));
    await waitFor(() => output.stdout, /(generated: \d+ written[^]*){2}/, 20_000);
    expect(output.stderr.match(warning)).toHaveLength(1);

    writeFileSync(schema, readFileSync(schema, "utf8").replace("seq: z.int()", "seq: z.int(), span: z.tuple([z.int(), z.int()])"));
    await waitFor(() => output.stdout, /(generated: \d+ written[^]*){3}/, 20_000);
    expect(output.stderr.match(warning)).toHaveLength(1);
    expect(output.stderr).toMatch(/eventc: warning: rust: typeshare: "PingSentV1Span": typeshare has no tuples/);
  } finally {
    child.kill("SIGINT");
  }
  expect(await exited).toBe(0);
});
