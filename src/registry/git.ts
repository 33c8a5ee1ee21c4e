/**
 * The schemas folder at a git ref (`eventc check --against origin/main`). The files are extracted
 * with `git ls-tree` + `git cat-file --batch` into a temporary folder under `node_modules/.cache/eventc/`
 * inside the project, so that the schema modules' own imports (`zod`) resolve from the project's
 * node_modules, then loaded like any catalogue.
 *
 * CI clones are often shallow or single-branch: a ref that cannot be resolved is reported with
 * what is wrong — a remote the repository does not have, a branch not fetched, a history too
 * short, a name that is no ref (with the branches and tags it is closest to) — and the command
 * that fixes it, never as a stack trace. A ref where the schemas folder does not
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
import { didYouMean } from "../load/did-you-mean.js";

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

/** How to fetch what is not in this clone: a branch of a remote, else the whole history. */
function fetchAdvice(shallow: boolean, remote?: { name: string; branch: string }): string {
  const fetch = remote ? `git fetch ${remote.name} ${shellQuote(remote.branch)}` : "git fetch --unshallow";
  return shallow
    ? `this is a shallow clone; fetch the history with \`git fetch --unshallow\`${fetch === "git fetch --unshallow" ? "" : ` (or \`${fetch}\`)`}, or in GitHub Actions set \`fetch-depth: 0\` on actions/checkout`
    : `fetch it with \`${fetch}\` (in GitHub Actions: \`fetch-depth: 0\` on actions/checkout)`;
}

/** The refs a misspelled one may have meant, by kind, as `git rev-parse` accepts them. */
interface KnownRefs {
  branches: string[];
  tags: string[];
  /** Remote-tracking branches, `origin/main`. */
  tracking: string[];
  remotes: string[];
}

function knownRefs(cwd: string): KnownRefs {
  const list = (...patterns: string[]): string[] =>
    (tryGit(["for-each-ref", "--format=%(refname:short)", ...patterns], cwd) ?? "")
      .split("\n")
      .filter((name) => name !== "" && !name.endsWith("/HEAD"));
  const remotes = (tryGit(["remote"], cwd) ?? "").split("\n").filter((name) => name !== "");
  return { branches: list("refs/heads"), tags: list("refs/tags"), tracking: list("refs/remotes"), remotes };
}

function suggestion(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  return `did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`}?`;
}

function listed(label: string, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  return [`${label}: ${names.slice(0, 5).join(", ")}${names.length > 5 ? `, … (${names.length} in all)` : ""}`];
}

/**
 * The message for a ref that does not resolve. The cases call for different fixes: a remote the
 * repository does not have, a branch of a remote that is not fetched, a history too short (or too
 * shallow) for `HEAD~n`, and a name that is no ref at all — most often a slip of the keyboard,
 * answered with the branches and tags it is closest to.
 */
export function missingRefMessage(ref: string, shallow: boolean, known: KnownRefs, commits?: number): string {
  const all = [...known.branches, ...known.tags, ...known.tracking];
  // `HEAD~5`, `main^2`: the name resolves, the history behind it is too short or not fetched.
  const relative = /^(.+?)(?:[~^].*|@\{.*)$/.exec(ref);
  if (relative && ref !== relative[1] && (all.includes(relative[1]!) || relative[1] === "HEAD")) {
    if (shallow) return `git ref "${ref}" is not available in this clone; ${fetchAdvice(true)}`;
    return `git ref "${ref}" goes back further than the history of this repository${commits !== undefined ? ` (${commits} commit${commits === 1 ? "" : "s"})` : ""}`;
  }
  const remote = known.remotes.filter((name) => ref.startsWith(`${name}/`)).sort((a, b) => b.length - a.length)[0];
  if (remote !== undefined) {
    const branch = ref.slice(remote.length + 1);
    const close = didYouMean(ref, known.tracking.filter((name) => name.startsWith(`${remote}/`)));
    const advice = fetchAdvice(shallow, { name: remote, branch });
    return `git ref "${ref}" is not available in this clone; ${close.length > 0 ? `${suggestion(close)} Otherwise ${advice}` : advice}`;
  }
  const close = didYouMean(ref, all);
  const slash = ref.indexOf("/");
  const prefix = slash > 0 ? ref.slice(0, slash) : undefined;
  if (prefix !== undefined && !all.some((name) => name.startsWith(`${prefix}/`)) && !/^[0-9a-f]{7,40}$/i.test(ref)) {
    const branch = ref.slice(slash + 1);
    const remotes = known.remotes.length === 0 ? "it has no remotes" : `its remotes: ${known.remotes.join(", ")}`;
    const head = `git ref "${ref}" names the remote "${prefix}", which this repository does not have (${remotes})`;
    // The same branch on a remote the repository has (`upstream/main` for `origin/main`), else a slip.
    const sameBranch = known.remotes.map((name) => `${name}/${branch}`).filter((name) => known.tracking.includes(name));
    const elsewhere = [...new Set([...sameBranch, ...close])].slice(0, 3);
    if (elsewhere.length > 0) return `${head}; ${suggestion(elsewhere)}`;
    const add = `add the remote with \`git remote add ${shellQuote(prefix)} <url>\` and fetch it with \`git fetch ${shellQuote(prefix)} ${shellQuote(branch)}\``;
    if (known.branches.includes(branch) || known.tags.includes(branch)) return `${head}; compare with the local ${known.branches.includes(branch) ? "branch" : "tag"} instead (--against ${shellQuote(branch)}), or ${add}`;
    return `${head}; ${add}`;
  }
  if (/^[0-9a-f]{7,40}$/i.test(ref)) {
    const fetch = shallow ? `; ${fetchAdvice(true)}` : known.remotes.length > 0 ? "; fetch the history with `git fetch --all`" : "";
    return `git ref "${ref}" is not a commit of this repository${fetch}`;
  }
  const head = `git ref "${ref}" is not a branch, tag or commit of this repository`;
  if (close.length > 0) return `${head}; ${suggestion(close)}`;
  const kinds = [...listed("branches", known.branches), ...listed("tags", known.tags), ...listed("remote branches", known.tracking)];
  const listing = kinds.length > 0 ? ` (${kinds.join("; ")})` : commits === undefined ? " (it has no commits yet)" : "";
  const remoteBranch = known.remotes.includes("origin") ? "origin" : known.remotes[0];
  const fetch =
    remoteBranch === undefined
      ? ""
      : shallow
        ? `; ${fetchAdvice(true, { name: remoteBranch, branch: ref })}`
        : `; if it is a branch of "${remoteBranch}" not fetched here, fetch it with \`git fetch ${remoteBranch} ${shellQuote(ref)}\` and compare with --against ${shellQuote(`${remoteBranch}/${ref}`)}`;
  return `${head}${listing}${fetch}`;
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
    const commits = Number(tryGit(["rev-list", "--count", "HEAD"], cwd)?.trim() ?? Number.NaN);
    throw new EventcError(missingRefMessage(ref, shallow, knownRefs(cwd), Number.isInteger(commits) ? commits : undefined));
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
