/**
 * `src/migrate.rs` of the crate: templates/rust/migrate.rs (the API and the operations, as it is),
 * then the catalogue's migrations compiled — one function per direction between two consecutive
 * versions and per named migration, each a straight line of calls into `ops` with the paths and
 * constants written in as literals — and the two lookups the API reads: the latest version of
 * each event and the step from each wire type. Laid out as rustfmt lays it out.
 */
import { readFileSync } from "node:fs";
import type { Catalogue, MigrationStep } from "../../ir/types.js";
import { templatePath } from "../../templates.js";
import { rustString } from "./escape.js";

let template: string | undefined;

const path = (segments: readonly string[]): string => `&[${segments.map(rustString).join(", ")}]`;

function scalar(value: unknown): string {
  if (value === null) return "ops::Scalar::Null";
  if (typeof value === "string") return `ops::Scalar::Str(${rustString(value)})`;
  if (typeof value === "boolean") return `ops::Scalar::Bool(${value})`;
  const number = value as number;
  return Number.isInteger(number) ? `ops::Scalar::Int(${number})` : `ops::Scalar::Float(${floatLiteral(number)})`;
}

function floatLiteral(number: number): string {
  const text = String(number);
  return /[.eE]/.test(text) ? text.replace("e+", "e") : `${text}.0`;
}

/** A constant as a JSON value expression. */
function constant(value: unknown): string {
  if (value === null) return "JsonValue::Null";
  if (typeof value === "object") return `ops::constant(${rustString(JSON.stringify(value))})`;
  if (typeof value === "string") return `JsonValue::from(${rustString(value)})`;
  if (typeof value === "boolean") return `JsonValue::Bool(${value})`;
  const number = value as number;
  return Number.isInteger(number) ? `JsonValue::from(${number}_i64)` : `JsonValue::from(${floatLiteral(number)}_f64)`;
}

/** The statements of `steps` on the variable `variable`, `indent` deep. */
function statements(steps: readonly MigrationStep[], variable: string, indent: string, named: (id: string) => string, depth = 0): string[] {
  return steps.flatMap((step): string[] => {
    const call = (text: string): string[] => [`${indent}${text};`];
    switch (step.op) {
      case "move":
        return call(`ops::move_field(${variable}, ${path(step.from)}, ${path(step.to)})`);
      case "set":
        return call(`ops::set_field(${variable}, ${path(step.path)}, ${constant(step.value)})`);
      case "default":
        return call(`ops::default_field(${variable}, ${path(step.path)}, ${constant(step.value)})`);
      case "drop":
        return call(`ops::drop_field(${variable}, ${path(step.path)})`);
      case "map": {
        const pairs = step.values.map(([from, to]) => `(${scalar(from)}, ${scalar(to)})`);
        return call(`ops::map_value(${variable}, ${path(step.path)}, &[${pairs.join(", ")}])`);
      }
      case "wrap":
        return call(`ops::wrap_value(${variable}, ${path(step.path)}, ${rustString(step.key)})`);
      case "unwrap":
        return call(`ops::unwrap_value(${variable}, ${path(step.path)}, ${rustString(step.key)})`);
      case "widen":
        return [`${indent}// ${step.path.join(".") || "the value"}: widened from integer to number: the JSON stays as it is`];
      case "each": {
        const item = `item${depth}`;
        return [
          `${indent}ops::each_value(${variable}, ${path(step.path)}, |${item}| {`,
          ...statements(step.steps, item, `${indent}    `, named, depth + 1),
          `${indent}});`,
        ];
      }
      case "apply":
        return call(`ops::apply(${variable}, ${path(step.path)}, ${named(step.migration)})`);
    }
  });
}

export function migrateModule(catalogue: Catalogue): string {
  template ??= readFileSync(templatePath("rust/migrate.rs"), "utf8");
  const migrations = catalogue.migrations ?? [];
  const named = (id: string): string => `named_${migrations.findIndex((migration) => migration.id === id)}`;
  const functions: string[] = [];
  const fn = (name: string, docs: string, steps: readonly MigrationStep[]): void => {
    const body = statements(steps, "value", "    ", named);
    const uses = body.some((line) => /\bvalue\b/.test(line.replace(/\/\/.*$/, "")));
    functions.push([`/// ${docs}`, "#[rustfmt::skip]", `fn ${name}(${uses ? "value" : "_value"}: &mut JsonValue) {`, ...body, "}"].join("\n"));
  };
  migrations.forEach((migration, index) => fn(`named_${index}`, `The named migration \`${migration.id}\`.`, migration.steps));
  const arms: string[] = [];
  let upgrades = 0;
  let downgrades = 0;
  for (const event of catalogue.events) {
    event.versions.forEach((version, index) => {
      const before = event.versions[index - 1];
      if (before === undefined) return;
      if (version.upgrade !== undefined) {
        const name = `upgrade_${upgrades++}`;
        fn(name, `\`${before.wireType}\` → \`${version.wireType}\`.`, version.upgrade);
        arms.push(arm(before.wireType, "Upgrade", version.wireType, name));
      }
      if (version.downgrade !== undefined) {
        const name = `downgrade_${downgrades++}`;
        fn(name, `\`${version.wireType}\` → \`${before.wireType}\`.`, version.downgrade);
        arms.push(arm(version.wireType, "Downgrade", before.wireType, name));
      }
    });
  }
  const latest = catalogue.events.map((event) => `        ${rustString(event.name)} => Some(${event.versions.at(-1)!.version}),`);
  const lookups = [
    "/// The latest version of each event.",
    "#[rustfmt::skip]",
    "fn latest_version(name: &str) -> Option<u32> {",
    "    match name {",
    ...latest,
    "        _ => None,",
    "    }",
    "}",
    "",
    "/// The wire type one declared migration moves `wire_type` to, and the change that gets there.",
    "#[rustfmt::skip]",
    "fn step(wire_type: &str, direction: Direction) -> Option<(&'static str, Change)> {",
    ...(arms.length === 0 ? ["    let _ = (wire_type, direction);", "    None"] : ["    match (wire_type, direction) {", ...arms, "        _ => None,", "    }"]),
    "}",
  ].join("\n");
  return [template.trimEnd(), lookups, ...functions].join("\n\n") + "\n";
}

function arm(from: string, direction: "Upgrade" | "Downgrade", to: string, name: string): string {
  return `        (${rustString(from)}, Direction::${direction}) => Some((${rustString(to)}, ${name})),`;
}
