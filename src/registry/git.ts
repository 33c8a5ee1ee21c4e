/**
 * The schemas folder at a git ref (`eventc check --against origin/main`). The files are extracted
 * with `git ls-tree` + `git show` into a temporary folder under `node_modules/.cache/eventc/`
 * inside the project, so that the schema modules' own imports (`zod`) resolve from the project's
 * node_modules, then loaded like any catalogue.
 *
 * CI clones are often shallow or single-branch: a ref that cannot be resolved is reported with
 * the command that fetches it, never as a stack trace.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
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

/** The message for a ref that does not resolve, with how to fetch it. */
export function missingRefMessage(ref: string, shallow: boolean): string {
  const remote = /^([A-Za-z0-9._-]+)\/(.+)$/.exec(ref);
  const fetch = remote ? `git fetch ${remote[1]} ${remote[2]}` : /~|\^/.test(ref) ? "git fetch --unshallow" : `git fetch origin ${ref}`;
  const steps = shallow
    ? `this is a shallow clone; fetch the history with \`git fetch --unshallow\`${fetch === "git fetch --unshallow" ? "" : ` (or \`${fetch}\`)`}, or in GitHub Actions set \`fetch-depth: 0\` on actions/checkout`
    : `fetch it with \`${fetch}\` (in GitHub Actions: \`fetch-depth: 0\` on actions/checkout)`;
  return `git ref "${ref}" is not available in this clone; ${steps}`;
}

/** Loads the catalogue as it was at `ref`. */
export async function loadCatalogueAtRef(ref: string, schemasDir: string, cwd: string): Promise<Catalogue> {
  const top = tryGit(["rev-parse", "--show-toplevel"], cwd)?.trim();
  if (top === undefined) throw new EventcError(`--against needs a git repository, and "${cwd}" is not inside one`);
  const commit = tryGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd)?.trim();
  if (!commit) {
    const shallow = tryGit(["rev-parse", "--is-shallow-repository"], cwd)?.trim() === "true";
    throw new EventcError(missingRefMessage(ref, shallow));
  }
  const relative = path.relative(top, path.resolve(schemasDir)).split(path.sep).join("/");
  const listing = git(["ls-tree", "-r", "-z", "--name-only", commit, "--", relative === "" ? "." : relative], top);
  const files = listing.split("\0").filter((file) => file !== "");
  if (files.length === 0) throw new EventcError(`the schemas folder "${relative}" does not exist at git ref "${ref}"; nothing was published there to compare with`);

  const cacheRoot = path.join(cwd, "node_modules", ".cache", "eventc");
  const root = path.join(cacheRoot, `ref-${randomBytes(6).toString("hex")}`);
  try {
    for (const file of files) {
      const target = path.join(root, ...file.split("/"));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, execFileSync("git", ["show", `${commit}:${file}`], { cwd: top, maxBuffer: 64 * 1024 * 1024 }));
    }
    const catalogue = await loadCatalogue({ schemasDir: path.join(root, ...relative.split("/")), cwd: root });
    return catalogue;
  } catch (error) {
    if (error instanceof EventcError) {
      throw new EventcError(`at git ref "${ref}": ${error.format()}`);
    }
    throw error;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
