/** `eventc list`: the catalogue at a glance, or as JSON for scripts. */
import { resolveConfig } from "../config.js";
import { loadCatalogue } from "../load/catalogue.js";

export async function listCommand(flags: { schemas?: string; config?: string; json?: boolean }): Promise<number> {
  const config = await resolveConfig(process.cwd(), {
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.schemas !== undefined ? { schemas: flags.schemas } : {}),
  });
  const catalogue = await loadCatalogue({ schemasDir: config.schemasDir });
  const rows = catalogue.events.map((event) => ({
    name: event.name,
    versions: event.versions.map((version) => version.version),
    latest: event.versions.at(-1)!.wireType,
    topic: event.topic?.join(".") ?? null,
    coalesce: event.coalesce?.map((key) => key.join(".")) ?? null,
    description: event.description ?? null,
    file: event.source.file,
  }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = [
    ["EVENT", "VERSIONS", "TOPIC", "COALESCE", "FILE"],
    ...rows.map((row) => [
      row.name,
      row.versions.join(","),
      row.topic ?? "-",
      row.coalesce === null ? "-" : row.coalesce.length === 0 ? "(name)" : row.coalesce.join("+"),
      row.file,
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()}\n`);
  return 0;
}
