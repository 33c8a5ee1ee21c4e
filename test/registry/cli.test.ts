/**
 * The registry commands end to end: the built CLI run in a temporary project (node_modules linked
 * to this repository's, so schema modules resolve zod), a real git repository for --against, and
 * a real shallow clone for the fetch message. Run after `npm run build`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
      `error   schemas/session.ts:8: Field "status" on "session.status.v1" changed type from enum "idle" | "busy" to "number". (breaks backward and forward) [FIELD_TYPE_CHANGED]`,
    );
    expect(check.stdout).toContain(`hint    "session.status.v1" is published: restore version 1 as it was and publish the change as version 2 ("session.status.v2") instead.\n`);
    const lock = eventc(dir, "lock");
    expect(lock.code).toBe(1);
    expect(lock.stderr).toBe("eventc: eventc.lock.json was not updated: the changes above break published versions (use --force to record them anyway).\n");
    expect(readFileSync(path.join(dir, "eventc.lock.json"), "utf8")).toBe(locked);

    writeFileSync(path.join(dir, "schemas", "session.ts"), AS_V2);
    const fixed = eventc(dir, "check");
    expect(fixed.code).toBe(0);
    expect(fixed.stdout.split("\n")[0]).toBe(`info    schemas/session.ts:9: Version "session.status.v2" was added. [VERSION_ADDED]`);
  });

  it("prints GitHub annotations at the field that changed and a stable JSON shape", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), BROKEN);
    const github = eventc(dir, "check", "--format", "github");
    expect(github.code).toBe(1);
    expect(github.stdout.split("\n")[0]).toBe(
      `::error file=schemas/session.ts,line=8,col=42,title=eventc FIELD_TYPE_CHANGED::Field "status" on "session.status.v1" changed type from enum "idle" | "busy" to "number".`,
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
          line: 8,
          column: 42,
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
      `error   schemas/session.ts:6: Version "session.status.v1" was retired and is defined again; a retired version number stays reserved, so publish this payload as version 3 ("session.status.v3"). (breaks backward and forward) [VERSION_REUSED]`,
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

    git(dir, "remote", "add", "origin", "https://example.invalid/events.git");
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

describe("the summary", () => {
  const WITH_REASON = V1.replace(`status: z.enum(["idle", "busy"]) }`, `status: z.enum(["idle", "busy"]), reason: z.string().optional() }`);

  it("a check against a fresh lock prints its summary alone; --verbose adds what the lock's history holds and every mode", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), WITH_REASON);
    expect(eventc(dir, "check")).toEqual({
      code: 0,
      stdout: `info    schemas/session.ts:8: Field "reason" on "session.status.v1" was added as an optional field. [FIELD_ADDED]\nCompatible: schemas against eventc.lock.json (full mode, tolerant readers).\n`,
      stderr: "",
    });
    expect(eventc(dir, "lock").stdout).toBe("eventc.lock.json: recorded 1 event, 1 version.\n");
    expect(eventc(dir, "check")).toEqual({ code: 0, stdout: "Compatible: schemas against eventc.lock.json (full mode, tolerant readers).\n", stderr: "" });
    expect(eventc(dir, "check", "--verbose")).toEqual({
      code: 0,
      stdout: [
        `info    schemas/session.ts:8: Field "reason" on "session.status.v1" was added as an optional field. (against an earlier locked schema) [FIELD_ADDED]`,
        `Compatible: schemas against eventc.lock.json (full mode, tolerant readers).`,
        `Compatible per mode: backward yes, forward yes, full yes, backward-transitive yes, forward-transitive yes, full-transitive yes, none yes.`,
        ``,
      ].join("\n"),
      stderr: "",
    });
  });

  it("names the configured mode and the events that override it; a failing check counts its errors", () => {
    const dir = project(V1);
    writeFileSync(
      path.join(dir, "eventc.config.ts"),
      `import { defineConfig } from "eventc";\nexport default defineConfig({ registry: { mode: "backward", events: { "session.status": "forward", "other.event": "none" } } });\n`,
    );
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), BROKEN);
    const check = eventc(dir, "check");
    expect(check.code).toBe(1);
    expect(check.stdout.split("\n").at(-2)).toBe(`Breaking: 1 error in schemas against eventc.lock.json (backward mode, forward for "session.status"; tolerant readers).`);
    expect(eventc(dir, "check", "--mode", "full").stdout.split("\n").at(-2)).toBe(
      `Breaking: 1 error in schemas against eventc.lock.json (full mode, forward for "session.status"; tolerant readers).`,
    );
  });
});

describe("where findings point", () => {
  const CHAT = `import { z } from "zod";
import { defineEvent } from "eventc";

export const Part = z
  .object({
    kind: z.string(),
    size: z.int(),
  })
  .meta({ id: "Part" });

// Built by code: no field of it can be found in the source.
const built = z.object(Object.fromEntries([["room", z.string()], ["seq", z.int()], ["note", z.string()]]));

export const chatMessage = defineEvent("chat.message", {
  description: "A chat message.",
  topic: "room",
  versions: {
    1: z.object({
      room: z.string(),
      seq: z.int().min(0),
      parts: z.array(Part),
      text: z.string(),
    }),
    2: built,
  },
});
`;
  const CHANGED = CHAT.replace("size: z.int()", "size: z.string()")
    .replace("seq: z.int().min(0)", "seq: z.number()")
    .replace("      text: z.string(),\n", "")
    .replace(`["note", z.string()]`, `["note", z.number()]`)
    .replace(`topic: "room"`, `topic: "seq"`);

  it("points each finding at the field that changed (line and column), falling back to the version entry and the defineEvent call", () => {
    const dir = project(CHAT);
    renameSync(path.join(dir, "schemas", "session.ts"), path.join(dir, "schemas", "chat.ts"));
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "chat.ts"), CHANGED);
    const text = eventc(dir, "check");
    expect(text.code).toBe(1);
    expect(text.stdout.split("\n").filter((line) => !line.startsWith("hint") && !line.startsWith("Breaking"))).toEqual([
      `warning schemas/chat.ts:16: Event "chat.message" changed its topic from "room" to "seq". [TOPIC_CHANGED]`,
      `error   schemas/chat.ts:7: Field "parts[].size" on "chat.message.v1" changed type from "integer" to "string". (breaks backward and forward) [FIELD_TYPE_CHANGED]`,
      `error   schemas/chat.ts:20: Field "seq" on "chat.message.v1" loosened its minimum from 0 to none. (breaks forward) [BOUNDS_LOOSENED]`,
      `error   schemas/chat.ts:20: Field "seq" on "chat.message.v1" is no longer an integer: its type widened from "integer" to "number". (breaks forward) [FIELD_TYPE_WIDENED]`,
      `error   schemas/chat.ts:18: Field "text" on "chat.message.v1" was deleted. (breaks forward) [FIELD_DELETED]`,
      `error   schemas/chat.ts:23: Field "note" on "chat.message.v2" changed type from "string" to "number". (breaks backward and forward) [FIELD_TYPE_CHANGED]`,
      ``,
    ]);
    const github = eventc(dir, "check", "--format", "github");
    expect(github.stdout.split("\n").filter((line) => line.startsWith("::error") || line.startsWith("::warning"))).toEqual([
      `::warning file=schemas/chat.ts,line=16,col=3,title=eventc TOPIC_CHANGED::Event "chat.message" changed its topic from "room" to "seq".`,
      `::error file=schemas/chat.ts,line=7,col=5,title=eventc FIELD_TYPE_CHANGED::Field "parts[].size" on "chat.message.v1" changed type from "integer" to "string".`,
      `::error file=schemas/chat.ts,line=20,col=7,title=eventc BOUNDS_LOOSENED::Field "seq" on "chat.message.v1" loosened its minimum from 0 to none.`,
      `::error file=schemas/chat.ts,line=20,col=7,title=eventc FIELD_TYPE_WIDENED::Field "seq" on "chat.message.v1" is no longer an integer: its type widened from "integer" to "number".`,
      `::error file=schemas/chat.ts,line=18,col=5,title=eventc FIELD_DELETED::Field "text" on "chat.message.v1" was deleted.`,
      `::error file=schemas/chat.ts,line=23,col=5,title=eventc FIELD_TYPE_CHANGED::Field "note" on "chat.message.v2" changed type from "string" to "number".`,
    ]);
    const json = JSON.parse(eventc(dir, "check", "--format", "json").stdout) as { findings: Array<{ rule: string; path: string; line: number | null; column: number | null }> };
    expect(json.findings.map(({ rule, path, line, column }) => `${rule} ${path} ${line}:${column}`)).toEqual([
      "TOPIC_CHANGED  16:3",
      "FIELD_TYPE_CHANGED /parts/*/size 7:5",
      "BOUNDS_LOOSENED /seq 20:7",
      "FIELD_TYPE_WIDENED /seq 20:7",
      "FIELD_DELETED /text 18:5",
      "FIELD_TYPE_CHANGED /note 23:5",
    ]);

    // Found through the export when the name is not a literal: a version added points at its entry,
    // a version deleted at "versions".
    const computed = CHAT.replace(`defineEvent("chat.message"`, `defineEvent(["chat", "message"].join(".")`);
    writeFileSync(path.join(dir, "schemas", "chat.ts"), computed.replace("    2: built,\n", "    2: built,\n    3: z.object({ room: z.string() }),\n"));
    const added = JSON.parse(eventc(dir, "check", "--format", "json").stdout) as { findings: Array<{ rule: string; line: number | null; column: number | null }> };
    expect(added.findings.map(({ rule, line, column }) => `${rule} ${line}:${column}`)).toEqual(["VERSION_ADDED 25:5"]);
    writeFileSync(path.join(dir, "schemas", "chat.ts"), computed.replace("    2: built,\n", ""));
    const deleted = JSON.parse(eventc(dir, "check", "--format", "json").stdout) as { findings: Array<{ rule: string; line: number | null; column: number | null }> };
    expect(deleted.findings.map(({ rule, line, column }) => `${rule} ${line}:${column}`)).toEqual(["VERSION_DELETED 17:3"]);
  });
});

describe("eventc check --against <a ref that does not resolve>", () => {
  /** A repository with two commits on main, a branch "develop" and a tag "v1.0". */
  const published = (): string => {
    const dir = project(V1);
    writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "v1");
    git(dir, "tag", "v1.0");
    git(dir, "branch", "develop");
    writeFileSync(path.join(dir, "schemas", "session.ts"), AS_V2);
    git(dir, "commit", "-q", "-am", "v2");
    return dir;
  };
  const refused = (dir: string, ref: string): string => {
    const result = eventc(dir, "check", "--against", ref);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    return result.stderr;
  };

  it("tells a remote that does not exist, a ref not fetched, a typo and a history too short apart", () => {
    const dir = published();
    expect(refused(dir, "origin/main")).toBe(
      'eventc: git ref "origin/main" names the remote "origin", which this repository does not have (it has no remotes); compare with the local branch instead (--against main), or add the remote with `git remote add origin <url>` and fetch it with `git fetch origin main`\n',
    );
    expect(refused(dir, "nosuchref")).toBe('eventc: git ref "nosuchref" is not a branch, tag or commit of this repository (branches: develop, main; tags: v1.0)\n');
    expect(refused(dir, "mian")).toBe('eventc: git ref "mian" is not a branch, tag or commit of this repository; did you mean "main"?\n');
    expect(refused(dir, "v1.O")).toBe('eventc: git ref "v1.O" is not a branch, tag or commit of this repository; did you mean "v1.0"?\n');
    expect(refused(dir, "HEAD~5")).toBe('eventc: git ref "HEAD~5" goes back further than the history of this repository (2 commits)\n');

    // A clone of one branch: "origin" exists, but only main was fetched.
    const clone = mkdtempSync(path.join(os.tmpdir(), "eventc-clone-"));
    created.push(clone);
    execFileSync("git", ["clone", "-q", "--single-branch", "--branch", "main", `file://${dir}`, clone], { stdio: "pipe" });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
    expect(refused(clone, "origin/develop")).toBe(
      'eventc: git ref "origin/develop" is not available in this clone; fetch it with `git fetch origin develop` (in GitHub Actions: `fetch-depth: 0` on actions/checkout)\n',
    );
    expect(refused(clone, "origin/mian")).toBe(
      'eventc: git ref "origin/mian" is not available in this clone; did you mean "origin/main"? Otherwise fetch it with `git fetch origin mian` (in GitHub Actions: `fetch-depth: 0` on actions/checkout)\n',
    );
    expect(refused(clone, "upstream/main")).toBe(
      'eventc: git ref "upstream/main" names the remote "upstream", which this repository does not have (its remotes: origin); did you mean "origin/main"?\n',
    );
    expect(refused(clone, "develop")).toBe(
      'eventc: git ref "develop" is not a branch, tag or commit of this repository (branches: main; tags: v1.0; remote branches: origin/main); if it is a branch of "origin" not fetched here, fetch it with `git fetch origin develop` and compare with --against origin/develop\n',
    );
    expect(eventc(clone, "check", "--against", "origin/main").code).toBe(0);
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
    git(dir, "remote", "add", "origin", "https://example.invalid/events.git");
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

  it("check --mode forward: info lines carry the field's line like the others", () => {
    const dir = project(V1);
    expect(eventc(dir, "lock").code).toBe(0);
    writeFileSync(path.join(dir, "schemas", "session.ts"), V1.replace(`z.enum(["idle", "busy"])`, `z.enum(["idle"])`));
    const check = eventc(dir, "check", "--mode", "forward");
    expect(check.code).toBe(0);
    expect(check.stdout.split("\n")[0]).toBe(`info    schemas/session.ts:8: Field "status" on "session.status.v1" lost enum value "busy". (breaks backward) [ENUM_VALUE_REMOVED]`);
  });
});
