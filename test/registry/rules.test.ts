/**
 * One folder per rule (and per JSON Schema dialect case) under test/registry/rules/<case>/:
 * `previous/` and `current/` hold schema modules (or a `schema.json` each), `case.json` may set
 * the reader policy (and `expectMigrations`), and `expected.json` holds the exact verdicts and findings.
 * Refresh one case with `UPDATE_EXPECT=<case> npx vitest run test/registry/rules.test.ts`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/load/catalogue.js";
import { compareRawSchemas, compareRegistries, registryFromCatalogue, type CheckResult } from "../../src/registry/check.js";
import type { Policy } from "../../src/registry/types.js";

const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), "rules");

async function run(folder: string): Promise<CheckResult> {
  const settings = existsSync(path.join(folder, "case.json"))
    ? (JSON.parse(readFileSync(path.join(folder, "case.json"), "utf8")) as { policy?: Policy; expectMigrations?: boolean })
    : {};
  const rawPrevious = path.join(folder, "previous", "schema.json");
  if (existsSync(rawPrevious)) {
    const read = (side: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(folder, side, "schema.json"), "utf8")) as Record<string, unknown>;
    const current = read("current");
    return compareRawSchemas(read("previous"), current, { policy: settings.policy ?? "strict", mode: "full", label: String(current.title) });
  }
  const load = async (side: string) => registryFromCatalogue(await loadCatalogue({ schemasDir: path.join(folder, side), cwd: folder }));
  return compareRegistries(await load("previous"), await load("current"), { policy: settings.policy ?? "tolerant", modeFor: () => "full", expectMigrations: settings.expectMigrations === true });
}

describe("registry rules", () => {
  for (const name of readdirSync(CASES).sort()) {
    const folder = path.join(CASES, name);
    it(name, async () => {
      const result = await run(folder);
      const actual = { compatible: result.compatible, verdicts: result.verdicts, findings: result.findings };
      const expectedFile = path.join(folder, "expected.json");
      if (process.env.UPDATE_EXPECT === name || process.env.UPDATE_EXPECT === "all") {
        writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, "utf8")));
    });
  }
});
