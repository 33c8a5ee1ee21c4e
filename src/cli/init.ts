/** `eventc init`: a schemas folder with one example event, and a config. Never overwrites. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { EventcError } from "../errors.js";

const EXAMPLE_SCHEMA = `import { z } from "zod";
import { defineEvent } from "eventc";

/** A reusable named type: it becomes \`User\` in every target. */
export const User = z
  .object({
    id: z.string().describe("Stable user id."),
    name: z.string(),
  })
  .meta({ id: "User" });

export const userSignedIn = defineEvent("user.signed-in", {
  description: "A user signed in.",
  topic: "user.id",
  coalesce: ["user.id"],
  versions: {
    1: z.object({
      user: User,
      method: z.enum(["password", "sso", "token"]),
      at: z.iso.datetime(),
    }),
  },
});
`;

/** The same event for Zod 3, which has no \`.meta()\` and no \`z.iso\`. */
const EXAMPLE_SCHEMA_ZOD3 = `import { z } from "zod";
import { defineEvent } from "eventc";

// Written for Zod 3. Named types (\`.meta({ id: "User" })\`: one reusable \`User\` in every
// target) need Zod 4; with zod 3.25 or later, \`import { z } from "zod/v4"\` has them.
export const User = z.object({
  id: z.string().describe("Stable user id."),
  name: z.string(),
});

export const userSignedIn = defineEvent("user.signed-in", {
  description: "A user signed in.",
  topic: "user.id",
  coalesce: ["user.id"],
  versions: {
    1: z.object({
      user: User,
      method: z.enum(["password", "sso", "token"]),
      at: z.string().datetime(),
    }),
  },
});
`;

const EXAMPLE_CONFIG = `import { defineConfig } from "eventc";

export default defineConfig({
  schemas: "schemas",
  out: "generated",
});
`;

/** The version of the zod package a module in `dir` would import, or undefined when none is installed. */
function installedZod(dir: string): string | undefined {
  try {
    const manifest = createRequire(path.join(dir, "eventc-init.js")).resolve("zod/package.json");
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return undefined;
  }
}

export function initCommand(dir: string): number {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new EventcError(`is a file, not a folder; give --dir a folder (it is created when missing)`, { file: path.relative(process.cwd(), dir) || dir });
  }
  const zod = installedZod(dir);
  const zod3 = zod !== undefined && /^3\./.test(zod);
  const files = [
    { file: path.join(dir, "schemas", "user.ts"), contents: zod3 ? EXAMPLE_SCHEMA_ZOD3 : EXAMPLE_SCHEMA },
    { file: path.join(dir, "eventc.config.ts"), contents: EXAMPLE_CONFIG },
  ];
  for (const { file } of files) {
    if (existsSync(file)) throw new EventcError(`already exists; eventc init never overwrites`, { file: path.relative(process.cwd(), file) });
  }
  for (const { file, contents } of files) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      throw new EventcError(`cannot be created (${code})`, { file: path.relative(process.cwd(), file) });
    }
    process.stdout.write(`created ${path.relative(process.cwd(), file)}\n`);
  }
  if (zod3) process.stdout.write(`note: zod ${zod} is installed, so the example is written for Zod 3; named types (.meta({ id })) need Zod 4\n`);
  const steps = [
    ...(path.resolve(dir) === process.cwd() ? [] : [`cd ${path.relative(process.cwd(), dir) || "."}`]),
    // Schema modules import zod; eventc itself needs no local install.
    ...(zod === undefined ? ["npm install zod"] : []),
    "eventc generate",
  ];
  process.stdout.write(`next: ${steps.join(" && ")}\n`);
  return 0;
}
