/** Locates files under templates/, which ship with the package beside src/ and dist/. */
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function templatePath(relative: string): string {
  return path.join(root, "templates", relative);
}
