/** Colour follows NO_COLOR (only when set and non-empty) and FORCE_COLOR, as the ecosystem does. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { useColour } from "../src/cli/colour.js";
import { runCli, workDir } from "./helpers.js";

const terminal = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;

describe("useColour", () => {
  test.each([
    ["a terminal, nothing set", terminal, {}, true],
    ["a terminal, NO_COLOR=1", terminal, { NO_COLOR: "1" }, false],
    ["a terminal, NO_COLOR empty (counts as unset)", terminal, { NO_COLOR: "" }, true],
    ["a terminal, TERM=dumb", terminal, { TERM: "dumb" }, false],
    ["a pipe, nothing set", pipe, {}, false],
    ["a pipe, FORCE_COLOR=1", pipe, { FORCE_COLOR: "1" }, true],
    ["a pipe, FORCE_COLOR=true", pipe, { FORCE_COLOR: "true" }, true],
    ["a pipe, FORCE_COLOR empty (counts as unset)", pipe, { FORCE_COLOR: "" }, false],
    ["a terminal, FORCE_COLOR=0", terminal, { FORCE_COLOR: "0" }, false],
    ["a terminal, FORCE_COLOR=false", terminal, { FORCE_COLOR: "false" }, false],
    ["a pipe, FORCE_COLOR=1 and NO_COLOR=1 (NO_COLOR wins)", pipe, { FORCE_COLOR: "1", NO_COLOR: "1" }, false],
  ])("%s", (_name, stream, env, expected) => {
    expect(useColour(stream, env)).toBe(expected);
  });
});

test("eventc diff prints colour through a pipe with FORCE_COLOR, and none with NO_COLOR", () => {
  const dir = workDir("colour-diff");
  const schema = JSON.stringify({ type: "object", properties: { id: { type: "string" } }, required: ["id"] });
  writeFileSync(path.join(dir, "old.json"), schema);
  writeFileSync(path.join(dir, "new.json"), schema);
  const forced = runCli(["diff", "old.json", "new.json"], dir, { NO_COLOR: "", FORCE_COLOR: "1" });
  expect(forced.stdout).toMatch(/^\u001b\[32mCompatible: /);
  const plain = runCli(["diff", "old.json", "new.json"], dir, { NO_COLOR: "1", FORCE_COLOR: "1" });
  expect(plain.stdout).toMatch(/^Compatible: /);
});
