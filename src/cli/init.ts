/** `eventc init`: a schemas folder with one example event, and a config. Never overwrites. */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
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

const EXAMPLE_CONFIG = `import { defineConfig } from "eventc";

export default defineConfig({
  schemas: "schemas",
  out: "generated",
});
`;

export function initCommand(dir: string): number {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new EventcError(`is a file, not a folder; give --dir a folder (it is created when missing)`, { file: path.relative(process.cwd(), dir) || dir });
  }
  const files = [
    { file: path.join(dir, "schemas", "user.ts"), contents: EXAMPLE_SCHEMA },
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
  process.stdout.write("next: eventc generate\n");
  return 0;
}
