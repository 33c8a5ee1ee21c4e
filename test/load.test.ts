/** The programmatic loader: paths are taken from `cwd`, and messages name files relative to it. */
import path from "node:path";
import { expect, test } from "vitest";
import { EventcError } from "../src/errors.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { ROOT } from "./helpers.js";

test("a relative schemas folder is resolved against cwd", async () => {
  const catalogue = await loadCatalogue({ schemasDir: "schemas", cwd: ROOT });
  expect(catalogue.events.map((event) => event.name)).toContain("session.status");
  expect(catalogue.events.find((event) => event.name === "session.status")?.source).toEqual({ file: "schemas/session.ts", exportName: "sessionStatus" });
});

test("the same folder given absolutely loads the same catalogue", async () => {
  const relative = await loadCatalogue({ schemasDir: "schemas", cwd: ROOT });
  const absolute = await loadCatalogue({ schemasDir: path.join(ROOT, "schemas"), cwd: ROOT });
  expect(absolute).toEqual(relative);
});

test("a defineEvent that is not a top-level export is an error naming its file and line, in-process too", async () => {
  const cwd = path.join(ROOT, "test", "bad-input", "event_not_exported");
  const error = await loadCatalogue({ schemasDir: "schemas", cwd }).then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(EventcError);
  expect((error as EventcError).format()).toMatch(/^schemas\/orders\.ts:5: event "order\.placed": not exported, so it is in no contract;/);
});
