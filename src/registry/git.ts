/**
 * The schemas folder at a git ref (`eventc check --against origin/main`). The files are extracted
 * with `git ls-tree` + `git cat-file --batch` into a temporary folder under `node_modules/.cache/eventc/`
 * inside the project, so that the schema modules' own imports (`zod`) resolve from the project's
 * node_modules, then loaded like any catalogue.
 *
 * CI clones are often shallow or single-branch: a ref that cannot be resolved is reported with
 * the command that fetches it, never as a stack trace. A ref where the schemas folder does not
 * exist yet (the pull request that adopts eventc) has nothing published: the caller says so and
 * passes. Symbolic links in the folder are recreated as links; submodules are skipped.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EventcError } from "../errors.js";
import type { Catalogue } from "../ir/types.js";
import { loadCatalogue } from "../load/catalogue.js";

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

function tryGit(args: string[], cwd: string): string | undefined {
  try {
    return git(args, cwd);
  } catch {
    return undefined;
  }
}

/** A ref as a shell argument: quoted unless it is made of characters a shell leaves alone. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9._\/@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The message for a ref that does not resolve, with how to fetch it. */
export function missingRefMessage(ref: string, shallow: boolean): string {
  const remote = /^([A-Za-z0-9._-]+)\/(.+)$/.exec(ref);
  const fetch = remote ? `git fetch ${remote[1]} ${shellQuote(remote[2]!)}` : /~|\^|^:\//.test(ref) ? "git fetch --unshallow" : `git fetch origin ${shellQuote(ref)}`;
  const steps = shallow
    ? `this is a shallow clone; fetch the history with \`git fetch --unshallow\`${fetch === "git fetch --unshallow" ? "" : ` (or \`${fetch}\`)`}, or in GitHub Actions set \`fetch-depth: 0\` on actions/checkout`
    : `fetch it with \`${fetch}\` (in GitHub Actions: \`fetch-depth: 0\` on actions/checkout)`;
  return `git ref "${ref}" is not available in this clone; ${steps}`;
}

/** The commit a ref names (`main`, `origin/main`, `HEAD~1`, a tag, a hash, `:/message`). */
function resolveCommit(ref: string, cwd: string): string {
  if (ref.startsWith("-")) throw new EventcError(`git ref "${ref}" starts with "-"; give a branch, tag or commit`);
  if (ref.startsWith(":") && !ref.startsWith(":/")) {
    throw new EventcError(`git ref "${ref}" names a file in the index, not a commit; give a branch, tag or commit (":/<text>" finds the newest commit whose message matches)`);
  }
  const object = tryGit(["rev-parse", "--verify", "--quiet", ref], cwd)?.trim();
  if (!object) {
    const shallow = tryGit(["rev-parse", "--is-shallow-repository"], cwd)?.trim() === "true";
    throw new EventcError(missingRefMessage(ref, shallow));
  }
  const commit = tryGit(["rev-parse", "--verify", "--quiet", `${object}^{commit}`], cwd)?.trim();
  if (!commit) {
    const type = tryGit(["cat-file", "-t", object], cwd)?.trim() ?? "object";
    throw new EventcError(`git ref "${ref}" names a ${type}, not a commit; give a branch, tag or commit`);
  }
  return commit;
}

interface TreeEntry {
  mode: string;
  object: string;
  path: string;
}

/** Blob contents by object name, read by one `git cat-file --batch`. */
function readBlobs(objects: string[], cwd: string): Map<string, Buffer> {
  const output = execFileSync("git", ["cat-file", "--batch"], { cwd, input: `${objects.join("\n")}\n`, maxBuffer: 1024 * 1024 * 1024 });
  const blobs = new Map<string, Buffer>();
  let offset = 0;
  while (offset < output.length) {
    const end = output.indexOf(10, offset);
    const [object, , size] = output.subarray(offset, end).toString("utf8").split(" ");
    const length = Number(size);
    blobs.set(object!, output.subarray(end + 1, end + 1 + length));
    offset = end + 1 + length + 1;
  }
  return blobs;
}

/** Message of a load error at the ref: an import from outside the schemas folder names the limit. */
function atRef(ref: string, error: EventcError): EventcError {
  const text = error.format();
  const outside = /Cannot find module '(\.{1,2}\/[^']*)'/.exec(text);
  const limit = outside
    ? `; with --against only the schemas folder is read at the ref, so a schema module that imports a file outside it ("${outside[1]}") cannot be loaded there (see "--against" in docs/registry.md)`
    : "";
  return new EventcError(`at git ref "${ref}": ${text}${limit}`);
}

/**
 * Loads the catalogue as it was at `ref`; undefined when the schemas folder does not exist there
 * (nothing was published at that ref).
 */
export async function loadCatalogueAtRef(ref: string, schemasDir: string, cwd: string): Promise<Catalogue | undefined> {
  const top = tryGit(["rev-parse", "--show-toplevel"], cwd)?.trim();
  if (top === undefined) throw new EventcError(`--against needs a git repository, and "${cwd}" is not inside one`);
  const relative = path.relative(top, path.resolve(schemasDir)).split(path.sep).join("/");
  if (relative === ".." || relative.startsWith("../") || path.isAbsolute(relative)) {
    throw new EventcError(`--against reads the schemas folder from the git repository at "${top}", and "${schemasDir}" is outside it; run eventc from the repository that holds the schemas`);
  }
  const commit = resolveCommit(ref, top);
  const listing = git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", relative === "" ? "." : relative], top);
  const entries: TreeEntry[] = listing
    .split("\0")
    .filter((line) => line !== "")
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode, , object] = line.slice(0, tab).split(" ");
      return { mode: mode!, object: object!, path: line.slice(tab + 1) };
    })
    .filter((entry) => entry.mode !== "160000"); // submodules have no content here
  if (entries.length === 0) return undefined;

  const cacheRoot = path.join(cwd, "node_modules", ".cache", "eventc");
  const root = path.join(cacheRoot, `ref-${randomBytes(6).toString("hex")}`);
  try {
    const blobs = readBlobs([...new Set(entries.map((entry) => entry.object))], top);
    for (const entry of entries) {
      const target = path.join(root, ...entry.path.split("/"));
      mkdirSync(path.dirname(target), { recursive: true });
      const content = blobs.get(entry.object)!;
      // A symbolic link is recreated as a link (its blob is the link's target), not written as text.
      if (entry.mode === "120000") symlinkSync(content.toString("utf8"), target);
      else writeFileSync(target, content);
    }
    return await loadCatalogue({ schemasDir: path.join(root, ...relative.split("/")), cwd: root });
  } catch (error) {
    if (error instanceof EventcError) throw atRef(ref, error);
    throw error;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
