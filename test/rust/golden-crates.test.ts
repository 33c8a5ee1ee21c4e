/**
 * Every golden case's expected Rust crate (test/cases/<case>/expected/rust/) passes cargo fmt,
 * clippy -D warnings and doc, so the goldens are crates, not just text.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { caseFolders, ROOT } from "../helpers.js";
import { copyCrate, qualityChecks } from "./cargo.js";

const CASES = path.join(ROOT, "test", "cases");
const withRust = caseFolders(CASES).filter((name) => existsSync(path.join(CASES, name, "expected", "rust")));

test("every golden case has an expected Rust crate", () => {
  expect(withRust).toEqual(caseFolders(CASES));
});

test.each(withRust)("%s: expected crate passes fmt, clippy and doc", (caseName) => {
  qualityChecks(copyCrate(`golden-${caseName}`, path.join(CASES, caseName, "expected", "rust")));
});
