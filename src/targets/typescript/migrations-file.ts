/**
 * `migrations.ts` of the SDK (emitted when the catalogue declares migrations): one function per
 * direction between two consecutive versions and per named migration, each a straight line of
 * calls into `migrate.ts` (copied from templates/ts/migrate.ts) — one call a step, the paths and
 * constants written in as literals, nothing interpreted at run time. The tables `upgrades` and
 * `downgrades` map a wire type to the next one and the function that gets there; catalogue.ts
 * chains them (`upgradeEvent`, `downgradeEvent`, `parseEvent(…, { upgrade: "latest" })`).
 */
import type { Catalogue, MigrationStep } from "../../ir/types.js";
import { jsonText, tsString, tsValue } from "./escape.js";
import { Source } from "./source.js";

/** Does the catalogue declare any migration? */
export function hasMigrations(catalogue: Catalogue): boolean {
  return catalogue.events.some((event) => event.versions.some((version) => version.upgrade !== undefined || version.downgrade !== undefined));
}

const path = (segments: readonly string[]): string => `[${segments.map(tsString).join(", ")}]`;

class StepWriter {
  /** Object and array constants, parsed once at module load; `fresh` copies them per use. */
  readonly constants: string[] = [];
  /** The operations of migrate.ts the statements call. */
  readonly used = new Set<string>();

  constructor(private readonly namedFunction: (id: string) => string) {}

  value(value: unknown): string {
    if (typeof value !== "object" || value === null) return tsValue(value);
    this.constants.push(`const constant${this.constants.length}: unknown = /* @__PURE__ */ JSON.parse(${jsonText(value)});`);
    return `constant${this.constants.length - 1}`;
  }

  /** The statements `value = …;` of `steps`, applied to the variable `variable`. */
  statements(steps: readonly MigrationStep[], variable: string, depth = 0): string[] {
    return steps.flatMap((step) => this.statement(step, variable, depth));
  }

  private statement(step: MigrationStep, v: string, depth: number): string[] {
    const lines = this.lines(step, v, depth);
    for (const line of lines) {
      const call = / = (\w+)\(/.exec(line);
      if (call !== null) this.used.add(call[1]!);
    }
    return lines;
  }

  private lines(step: MigrationStep, v: string, depth: number): string[] {
    switch (step.op) {
      case "move":
        return [`${v} = moveField(${v}, ${path(step.from)}, ${path(step.to)});`];
      case "set":
        return [`${v} = setField(${v}, ${path(step.path)}, ${this.value(step.value)});`];
      case "default":
        return [`${v} = defaultField(${v}, ${path(step.path)}, ${this.value(step.value)});`];
      case "drop":
        return [`${v} = dropField(${v}, ${path(step.path)});`];
      case "map":
        return [`${v} = mapValue(${v}, ${path(step.path)}, [${step.values.flatMap(([from, to]) => [tsValue(from), tsValue(to)]).join(", ")}]);`];
      case "wrap":
        return [`${v} = wrapValue(${v}, ${path(step.path)}, ${tsString(step.key)});`];
      case "unwrap":
        return [`${v} = unwrapValue(${v}, ${path(step.path)}, ${tsString(step.key)});`];
      case "widen":
        return [`// ${path(step.path)} widened from integer to number: the JSON stays as it is`];
      case "each": {
        const item = `item${depth}`;
        return [
          `${v} = eachValue(${v}, ${path(step.path)}, (${item}) => {`,
          ...this.statements(step.steps, item, depth + 1).map((line) => `  ${line}`),
          `  return ${item};`,
          `});`,
        ];
      }
      case "apply":
        return [`${v} = updateAt(${v}, ${path(step.path)}, ${this.namedFunction(step.migration)});`];
    }
  }
}

export function migrationsFile(catalogue: Catalogue): string {
  const named = catalogue.migrations ?? [];
  const namedFunction = (id: string): string => `named${named.findIndex((migration) => migration.id === id)}`;
  const writer = new StepWriter(namedFunction);
  const body = new Source();
  const fn = (name: string, docs: string, steps: readonly MigrationStep[]): void => {
    body.blank().docs(docs);
    body.block(`function ${name}(value: unknown): unknown {`, () => {
      for (const line of writer.statements(steps, "value")) body.line(line);
      body.line("return value;");
    });
  };
  named.forEach((migration, index) => fn(`named${index}`, `The named migration "${migration.id}".`, migration.steps));
  const upgrades: string[] = [];
  const downgrades: string[] = [];
  for (const event of catalogue.events) {
    event.versions.forEach((version, index) => {
      const before = event.versions[index - 1];
      if (before === undefined) return;
      if (version.upgrade !== undefined) {
        const name = `upgrade${upgrades.length}`;
        fn(name, `${before.wireType} → ${version.wireType}.`, version.upgrade);
        upgrades.push(`[${tsString(before.wireType)}, [${tsString(version.wireType)}, ${name}]],`);
      }
      if (version.downgrade !== undefined) {
        const name = `downgrade${downgrades.length}`;
        fn(name, `${version.wireType} → ${before.wireType}.`, version.downgrade);
        downgrades.push(`[${tsString(version.wireType)}, [${tsString(before.wireType)}, ${name}]],`);
      }
    });
  }
  const source = new Source();
  source.line(`import { ${[...writer.used].sort().join(", ")} } from "./migrate.js";`);
  source.line(`import type { Migration } from "./wire.js";`).blank();
  if (writer.constants.length > 0) source.blank();
  for (const constant of writer.constants) source.line(constant);
  const table = (name: string, docs: string, entries: string[]): void => {
    body.blank().docs(docs);
    body.block(`export const ${name}: ReadonlyMap<string, Migration> = /* @__PURE__ */ new Map<string, Migration>([`, () => {
      for (const entry of entries) body.line(entry);
    }, "]);");
  };
  table("upgrades", "The declared upgrades: from a wire type to the next version's, and the function that gets there.", upgrades);
  table("downgrades", "The declared downgrades: from a wire type to the version before it, and the function that gets there.", downgrades);
  return `${source.toString()}${body.toString()}`;
}
