/**
 * The registry commands end to end: the built CLI run in a temporary project (node_modules linked
 * to this repository's, so schema modules resolve zod), a real git repository for --against, and
 * a real shallow clone for the fetch message. Run after `npm run build`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = path.join(ROOT, "bin", "eventc.js");

const V1 = `import { z } from "zod";
import { defineEvent } from "eventc";

export const sessionStatus = defineEvent("session.status", {
  description: "A session's run state changed.",
  topic: "sessionID",
  versions: {
    1: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy"]) }),
  },
});
`;
const BROKEN = V1.replace(`status: z.enum(["idle", "busy"])`, `status: z.number()`);
const AS_V2 = V1.replace(
  `    1: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy"]) }),`,
  `    1: z.object({ sessionID: z.string(), status: z.enum(["idle", "busy"]) }),\n    2: z.object({ sessionID: z.string(), status: z.number() }),`,
);

const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

function project(schema: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eventc-registry-"));
  created.push(dir);
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  mkdirSync(path.join(dir, "schemas"));
  writeFileSync(path.join(dir, "schemas", "session.ts"), schema);
  return dir;
}

function eventc(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8", stdio: "pipe" });

describe("eventc lock / check", () => {
  it("records the catalogue, passes unchanged, fails a breaking change and leaves the lockfile alone", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock")).toEqual({ code: 0, stdout: "eventc.lock.json: recorded 1 event, 1 version.\n", stderr: "" });
    const locked = readFileSync(path.join(dir, "eventc.lock.json"), "utf8");
    expect(eventc(dir, "lock").stdout).toBe("eventc.lock.json is up to date (1 event, 1 version).\n");
    expect(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")).toBe(locked);
    expect(eventc(dir, "check").code).toBe(0);

    writeFileSync(path.join(dir, "schemas", "session.ts"), BROKEN);
    const check = eventc(dir, "check");
    expect(check.code).toBe(1);
    expect(check.stdout.split("\n")[0]).toBe(
      `error   schemas/session.ts:4: Field "status" on "session.status.v1" changed type from enum "idle" | "busy" to "number". (breaks backward and forward) [FIELD_TYPE_CHANGED]`,
    );
    expect(check.stdout).toContain(`hint    "session.status.v1" is published: restore version 1 as it was and publish the change as version 2 ("session.status.v2") instead.\n`);
    const lock = eventc(dir, "lock");
    expect(lock.code).toBe(1);
    expect(lock.stderr).toBe("eventc: eventc.lock.json was not updated: the changes above break published versions (use --force to record them anyway).\n");
    expect(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")).toBe(locked);

    writeFileSync(path.join(dir, "schemas", "session.ts"), AS_V2);
    const fixed = eventc(dir, "check");
    expect(fixed.code).toBe(0);
    expect(fixed.stdout.split("\n")[0]).toBe(`info    schemas/session.ts:4: Version "session.status.v2" was added. [VERSION_ADDED]`);
  });

  it("prints GitHub annotations at the defineEvent line and a stable JSON shape", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), BROKEN);
    const github = eventc(dir, "check", "--format", "github");
    expect(github.code).toBe(1);
    expect(github.stdout.split("\n")[0]).toBe(
      `::error file=schemas/session.ts,line=4,title=eventc FIELD_TYPE_CHANGED::Field "status" on "session.status.v1" changed type from enum "idle" | "busy" to "number".`,
    );
    const json = JSON.parse(eventc(dir, "check", "--format", "json", "--mode", "backward").stdout) as Record<string, unknown>;
    expect(json).toEqual({
      version: 1,
      compatible: false,
      policy: "tolerant",
      verdicts: { backward: false, forward: false, full: false, "backward-transitive": false, "forward-transitive": false, "full-transitive": false, none: true },
      findings: [
        {
          rule: "FIELD_TYPE_CHANGED",
          severity: "error",
          event: "session.status",
          version: 1,
          path: "/status",
          message: `Field "status" on "session.status.v1" changed type from enum "idle" | "busy" to "number".`,
          breaks: ["backward", "forward"],
          transitive: false,
          mode: "backward",
          file: "schemas/session.ts",
          line: 4,
        },
      ],
      hints: [`"session.status.v1" is published: restore version 1 as it was and publish the change as version 2 ("session.status.v2") instead.`],
    });
  });

  it("exits 2 on bad input and keeps the lockfile as it was", () => {
    const dir = project(V1);
    expect(eventc(dir, "check")).toEqual({
      code: 2,
      stdout: "",
      stderr: "eventc: eventc.lock.json: lockfile not found; run `eventc lock` to record the published catalogue, or pass --against <git-ref>\n",
    });
    expect(eventc(dir, "lock").code).toBe(0);
    const locked = readFileSync(path.join(dir, "eventc.lock.json"), "utf8");
    writeFileSync(path.join(dir, "schemas", "session.ts"), `${V1}\nexport const broken = ;\n`);
    expect(eventc(dir, "lock").code).toBe(2);
    expect(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")).toBe(locked);
    writeFileSync(path.join(dir, "schemas", "session.ts"), V1);
    expect(eventc(dir, "check", "--mode", "sideways")).toEqual({
      code: 2,
      stdout: "",
      stderr: `eventc: --mode "sideways" is not one of: backward, forward, full, backward-transitive, forward-transitive, full-transitive, none\n`,
    });
  });
});

describe("retired versions", () => {
  const TWO = (retired: string, v1: string | undefined) => `import { z } from "zod";
import { defineEvent } from "eventc";

export const sessionStatus = defineEvent("session.status", {
  ${retired}versions: {
${v1 === undefined ? "" : `    1: ${v1},\n`}    2: z.object({ id: z.string(), status: z.number() }),
  },
});
`;

  it("keeps a retired version number reserved for good, with what the version was", () => {
    const dir = project(TWO("", "z.object({ id: z.string() })"));
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), TWO("retired: [1],\n  ", undefined));
    expect(eventc(dir, "lock").code).toBe(0);
    const lock = JSON.parse(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")) as { events: Record<string, { retired: Record<string, { hash: string; schema: { properties: unknown } }> }> };
    expect(Object.keys(lock.events["session.status"]!.retired)).toEqual(["1"]);
    expect(lock.events["session.status"]!.retired["1"]!.schema.properties).toEqual({ id: { type: "string" } });
    expect(lock.events["session.status"]!.retired["1"]!.hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    // Re-used with another shape, no longer listed in `retired`: consumers still decode v1 the old way.
    writeFileSync(path.join(dir, "schemas", "session.ts"), TWO("", "z.object({ id: z.number() })"));
    const reused = eventc(dir, "check");
    expect(reused.code).toBe(1);
    expect(reused.stdout.split("\n")[0]).toBe(
      `error   schemas/session.ts:4: Version "session.status.v1" was retired and is defined again; a retired version number stays reserved, so publish this payload as version 3 ("session.status.v3"). (breaks backward and forward) [VERSION_REUSED]`,
    );
    const locked = readFileSync(path.join(dir, "eventc.lock.json"), "utf8");
    expect(eventc(dir, "lock").code).toBe(1);
    expect(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")).toBe(locked);

    // Dropping the number from `retired` without re-using it changes nothing: it stays reserved.
    writeFileSync(path.join(dir, "schemas", "session.ts"), TWO("", undefined));
    expect(eventc(dir, "check").code).toBe(0);
    expect(eventc(dir, "lock").stdout).toBe("eventc.lock.json is up to date (1 event, 1 version).\n");
    writeFileSync(path.join(dir, "schemas", "session.ts"), TWO("", "z.object({ id: z.string() })"));
    expect(eventc(dir, "check").stdout).toContain("[VERSION_REUSED]");
  });

  it("reads a lockfile written before retired versions were recorded, and keeps its retired numbers reserved", () => {
    const dir = project(TWO("retired: [1],\n  ", undefined));
    expect(eventc(dir, "lock").code).toBe(0);
    const file = path.join(dir, "eventc.lock.json");
    const current = JSON.parse(readFileSync(file, "utf8")) as { lockfileVersion: number; events: Record<string, { retired: unknown }> };
    writeFileSync(file, `${JSON.stringify({ ...current, lockfileVersion: 1, events: { "session.status": { ...current.events["session.status"], retired: [1] } } }, null, 2)}\n`);
    expect(eventc(dir, "check").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), TWO("", "z.object({ id: z.number() })"));
    expect(eventc(dir, "check").stdout).toContain(`Version "session.status.v1" was retired and is defined again`);
    writeFileSync(path.join(dir, "schemas", "session.ts"), TWO("retired: [1],\n  ", undefined));
    expect(eventc(dir, "lock").stdout).toBe("eventc.lock.json: recorded 1 event, 1 version.\n");
    const upgraded = JSON.parse(readFileSync(file, "utf8")) as { lockfileVersion: number; events: Record<string, { retired: unknown }> };
    expect(upgraded.lockfileVersion).toBe(2);
    expect(upgraded.events["session.status"]!.retired).toEqual({ "1": {} });
  });
});

describe("eventc check --against <git-ref>", () => {
  it("compares with the schemas at a ref and explains how to fetch a missing one", () => {
    const dir = project(V1);
    writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "v1");
    writeFileSync(path.join(dir, "schemas", "session.ts"), BROKEN);
    const broken = eventc(dir, "check", "--against", "HEAD");
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`changed type from enum "idle" | "busy" to "number".`);
    writeFileSync(path.join(dir, "schemas", "session.ts"), AS_V2);
    expect(eventc(dir, "check", "--against", "HEAD").code).toBe(0);

    expect(eventc(dir, "check", "--against", "origin/main")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'eventc: git ref "origin/main" is not available in this clone; fetch it with `git fetch origin main` (in GitHub Actions: `fetch-depth: 0` on actions/checkout)\n',
    });

    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "v2");
    const clone = mkdtempSync(path.join(os.tmpdir(), "eventc-shallow-"));
    created.push(clone);
    execFileSync("git", ["clone", "-q", "--depth", "1", `file://${dir}`, clone], { stdio: "pipe" });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
    expect(eventc(clone, "check", "--against", "HEAD~1")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'eventc: git ref "HEAD~1" is not available in this clone; this is a shallow clone; fetch the history with `git fetch --unshallow`, or in GitHub Actions set `fetch-depth: 0` on actions/checkout\n',
    });
  });
});

describe("eventc diff", () => {
  it("compares JSON Schema files strictly by default", () => {
    const dir = project(V1);
    const schema = (properties: Record<string, unknown>) => JSON.stringify({ title: "x.v1", type: "object", properties, required: ["id"] });
    writeFileSync(path.join(dir, "old.json"), schema({ id: { type: "string" } }));
    writeFileSync(path.join(dir, "new.json"), schema({ id: { type: "string" }, note: { type: "string" } }));
    const strict = eventc(dir, "diff", "old.json", "new.json");
    expect(strict.code).toBe(1);
    expect(strict.stdout.split("\n")[0]).toBe(`error   Field "note" on "x.v1" was added as an optional field. (breaks backward) [FIELD_ADDED]`);
    expect(eventc(dir, "diff", "old.json", "new.json", "--policy", "tolerant").code).toBe(0);
    expect(eventc(dir, "diff", "old.json", "new.json", "--mode", "forward").code).toBe(0);
  });
});

describe("a team's first day and its bad days", () => {
  const repository = (schema: string): string => {
    const dir = project(schema);
    writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
    git(dir, "init", "-q", "-b", "main");
    return dir;
  };

  it("passes the pull request that adopts eventc: no schemas folder at the base ref means nothing was published", () => {
    const dir = repository(V1);
    rmSync(path.join(dir, "schemas"), { recursive: true });
    writeFileSync(path.join(dir, "README.md"), "before eventc\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "before eventc");
    mkdirSync(path.join(dir, "schemas"));
    writeFileSync(path.join(dir, "schemas", "session.ts"), V1);
    const check = eventc(dir, "check", "--against", "HEAD");
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(check.stdout.split("\n")[0]).toBe(`info    The schemas folder "schemas" does not exist at git ref "HEAD": nothing was published there, so nothing can break.`);
    expect(check.stdout).toContain(`Event "session.status" was added with version 1. [EVENT_ADDED]`);
    expect(JSON.parse(eventc(dir, "check", "--against", "HEAD", "--format", "json").stdout).compatible).toBe(true);
  });

  it("a lockfile edited by hand: the error names lockfile, event and version, and `eventc lock --force` is a way out that works", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    const file = path.join(dir, "eventc.lock.json");
    const lock = JSON.parse(readFileSync(file, "utf8")) as { events: Record<string, { versions: Record<string, { schema: { properties: Record<string, unknown> } }> }> };
    lock.events["session.status"]!.versions["1"]!.schema.properties.sessionID = { type: "number" };
    writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    const check = eventc(dir, "check");
    expect(check.code).toBe(2);
    expect(check.stderr).toBe(
      'eventc: eventc.lock.json: event "session.status" v1: invalid lockfile: version 1: "hash" does not match its schema (edited by hand?); restore the lockfile from version control, or run `eventc lock --force` to recompute the hashes from the recorded schemas and record the catalogue\n',
    );
    const forced = eventc(dir, "lock", "--force");
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe('eventc: warning: eventc.lock.json: event "session.status" v1: version 1: "hash" did not match its schema; recomputed it\n');
    expect(eventc(dir, "check").code).toBe(0);
  });

  it("validates the lockfile: history hashes and event names, each message naming the lockfile, the event and the version", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    const file = path.join(dir, "eventc.lock.json");
    const locked = JSON.parse(readFileSync(file, "utf8")) as { events: Record<string, { versions: Record<string, Record<string, unknown>> }> };
    const entry = locked.events["session.status"]!.versions["1"]!;
    writeFileSync(file, JSON.stringify({ ...locked, events: { "session.status": { versions: { "1": { ...entry, history: [{ hash: entry.hash, schema: { type: "object" } }] } } } } }));
    expect(eventc(dir, "check").stderr).toBe(
      'eventc: eventc.lock.json: event "session.status" v1: invalid lockfile: version 1, history entry 1: "hash" does not match its schema (edited by hand?); restore the lockfile from version control, or run `eventc lock --force` to recompute the hashes from the recorded schemas and record the catalogue\n',
    );
    writeFileSync(file, JSON.stringify({ ...locked, events: { "Session Status": locked.events["session.status"] } }));
    expect(eventc(dir, "check")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'eventc: eventc.lock.json: event "Session Status": invalid lockfile: invalid event name: use dot-separated segments of lower-case letters, digits, "_" and "-", each starting with a letter, the last not a version\n',
    });
  });

  it("--against: symbolic links stay links, ':/message' revisions work, other revisions and outside folders are refused clearly", () => {
    const dir = repository(V1);
    mkdirSync(path.join(dir, "schemas", "impl"));
    writeFileSync(path.join(dir, "schemas", "impl", "status.ts"), `import { z } from "zod";\nexport const status = z.enum(["idle", "busy"]);\n`);
    symlinkSync("impl/status.ts", path.join(dir, "schemas", "status.ts"));
    writeFileSync(path.join(dir, "schemas", "session.ts"), V1.replace(`import { z } from "zod";`, `import { z } from "zod";\nimport { status } from "./status.js";`).replace(`z.enum(["idle", "busy"])`, "status"));
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "publish session status");
    expect(eventc(dir, "check", "--against", "HEAD")).toMatchObject({ code: 0, stderr: "" });
    expect(eventc(dir, "check", "--against", ":/publish session")).toMatchObject({ code: 0, stderr: "" });
    expect(eventc(dir, "check", "--against", ":schemas/session.ts")).toEqual({
      code: 2,
      stdout: "",
      stderr: `eventc: git ref ":schemas/session.ts" names a file in the index, not a commit; give a branch, tag or commit (":/<text>" finds the newest commit whose message matches)\n`,
    });
    expect(eventc(dir, "check", "--against", "HEAD:schemas").stderr).toBe(`eventc: git ref "HEAD:schemas" names a tree, not a commit; give a branch, tag or commit\n`);
    expect(eventc(dir, "check", "--against", "origin/feature x").stderr).toBe(
      "eventc: git ref \"origin/feature x\" is not available in this clone; fetch it with `git fetch origin 'feature x'` (in GitHub Actions: `fetch-depth: 0` on actions/checkout)\n",
    );
    const outside = mkdtempSync(path.join(os.tmpdir(), "eventc-outside-"));
    created.push(outside);
    const refused = eventc(dir, "check", "--against", "HEAD", "--schemas", outside);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is outside it; run eventc from the repository that holds the schemas`);
  });

  it("--against: a schema module importing a file outside the schemas folder names the documented limit", () => {
    const dir = repository(V1.replace(`import { z } from "zod";`, `import { z } from "zod";\nimport { states } from "../lib/states.js";`).replace(`z.enum(["idle", "busy"])`, "z.enum(states)"));
    mkdirSync(path.join(dir, "lib"));
    writeFileSync(path.join(dir, "lib", "states.ts"), `export const states = ["idle", "busy"] as const;\n`);
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "v1");
    const check = eventc(dir, "check", "--against", "HEAD");
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(`with --against only the schemas folder is read at the ref, so a schema module that imports a file outside it ("../lib/states.js") cannot be loaded there (see "--against" in docs/registry.md)`);
  });

  it("check --mode forward: info lines carry the defineEvent line like the others", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), V1.replace(`z.enum(["idle", "busy"])`, `z.enum(["idle"])`));
    const check = eventc(dir, "check", "--mode", "forward");
    expect(check.code).toBe(0);
    expect(check.stdout.split("\n")[0]).toBe(`info    schemas/session.ts:4: Field "status" on "session.status.v1" lost enum value "busy". (breaks backward) [ENUM_VALUE_REMOVED]`);
  });
});
