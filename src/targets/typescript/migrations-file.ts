/**
 * `migrations.ts` of the SDK (emitted when the catalogue declares migrations): one function per
 * direction between two consecutive versions, per named migration and per step list inside `each`,
 * each a straight line of calls into `migrate.ts` (copied from templates/ts/migrate.ts) — one call a
 * step, each giving the new value, with the paths, constants and change functions written in as
 * literals — nothing interpreted at run time. The tables `upgrades` and
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
  /** Object and array constants, parsed once at module load; `setField` copies them per use. */
  readonly constants: string[] = [];
  /** Module-level change functions (`change0`, …) and paths (`path0`, …): made once, not on every call. */
  readonly changes: string[] = [];
  private readonly paths = new Map<string, string>();
  /** The operations of migrate.ts the functions call. */
  readonly used = new Set<string>();
  /** Functions of the step lists inside `each`, named `each<n>`, written after the others. */
  readonly nested: { name: string; steps: readonly MigrationStep[] }[] = [];

  constructor(private readonly namedFunction: (id: string) => string) {}

  private call(name: string, args: string): string {
    this.used.add(name);
    return `${name}(${args})`;
  }

  private value(value: unknown): string {
    if (typeof value !== "object" || value === null) return tsValue(value);
    this.constants.push(`const constant${this.constants.length}: unknown = /* @__PURE__ */ JSON.parse(${jsonText(value)});`);
    return `constant${this.constants.length - 1}`;
  }

  /** A path as a module-level constant, one per distinct path. */
  private path(segments: readonly string[]): string {
    const key = JSON.stringify(segments);
    let name = this.paths.get(key);
    if (name === undefined) {
      name = `path${this.paths.size}`;
      this.paths.set(key, name);
      this.changes.push(`const ${name}: readonly string[] = ${path(segments)};`);
    }
    return name;
  }

  /** `value = …` changing the value at `segments` with `change` (one field: `changeField`, no path array). */
  private changeAt(segments: readonly string[], change: string): string[] {
    if (segments.length === 1) return [`value = ${this.call("changeField", `value, ${tsString(segments[0]!)}, ${change}`)};`];
    return [`value = ${this.call("changeAt", `value, ${this.path(segments)}, ${change}`)};`];
  }

  /** A module-level change function over one value, by what it calls. */
  private change(body: string): string {
    const name = `change${this.changes.length}`;
    this.changes.push(`const ${name} = (value: unknown): unknown => ${body};`);
    return name;
  }

  /** The compiled function of a nested step list. */
  private nestedFunction(steps: readonly MigrationStep[]): string {
    const name = `each${this.nested.length}`;
    this.nested.push({ name, steps });
    return name;
  }

  /** The body of a step list's function over `input`: one statement a step, each giving the new value. */
  body(steps: readonly MigrationStep[]): string[] {
    const statements = steps.flatMap((step) => this.statement(step));
    if (statements.every((line) => line.startsWith("//"))) return [...statements, "return input;"];
    return ["let value = input;", ...statements, "return value;"];
  }

  private statement(step: MigrationStep): string[] {
    if (step.op === "widen") return [`// ${path(step.path)} widened from integer to number: the JSON stays as it is`];
    const assign = (expression: string): string[] => [`value = ${expression};`];
    switch (step.op) {
      case "move":
        return assign(this.call("moveField", `value, ${this.path(step.from)}, ${this.path(step.to)}`));
      case "set":
        return assign(this.call("setField", `value, ${this.path(step.path)}, ${this.value(step.value)}`));
      case "default":
        return assign(this.call("defaultField", `value, ${this.path(step.path)}, ${this.value(step.value)}`));
      case "drop":
        return assign(this.call("dropField", `value, ${this.path(step.path)}`));
      case "map":
        return this.valueChange(step.path, this.change(this.call("mapped", `value, ${pairs(step.values)}`)));
      case "wrap":
        return this.valueChange(step.path, this.change(this.call("wrapped", `value, ${tsString(step.key)}`)));
      case "unwrap":
        return this.valueChange(step.path, this.change(this.call("unwrapped", `value, ${tsString(step.key)}`)));
      case "each":
        return this.valueChange(step.path, this.change(this.call("eachOf", `value, ${this.nestedFunction(step.steps)}`)));
      case "apply":
        return this.valueChange(step.path, this.namedFunction(step.migration));
    }
  }

  /** A change of the value at `segments`: the value itself (`[]`), one field, or a path. */
  private valueChange(segments: readonly string[], change: string): string[] {
    return segments.length === 0 ? [`value = ${change}(value);`] : this.changeAt(segments, change);
  }
}

const pairs = (values: readonly (readonly [unknown, unknown])[]): string => `[${values.flatMap(([from, to]) => [tsValue(from), tsValue(to)]).join(", ")}]`;

export function migrationsFile(catalogue: Catalogue): string {
  const named = catalogue.migrations ?? [];
  const namedFunction = (id: string): string => `named${named.findIndex((migration) => migration.id === id)}`;
  const writer = new StepWriter(namedFunction);
  const body = new Source();
  const fn = (name: string, docs: string, steps: readonly MigrationStep[]): void => {
    body.blank().docs(docs);
    body.block(`function ${name}(input: unknown): unknown {`, () => {
      for (const line of writer.body(steps)) body.line(line);
    });
  };
  named.forEach((migration, index) => fn(`named${index}`, `The named migration "${migration.id}".`, migration.steps));
  const upgrades: string[] = [];
  const downgrades: string[] = [];
  const latest: string[] = [];
  for (const event of catalogue.events) {
    // From each version with declared upgrades all the way: the upgrades composed, the latest's wire type.
    const last = event.versions.length - 1;
    event.versions.forEach((version, index) => {
      if (index === last || !event.versions.slice(index + 1).every((later) => later.upgrade !== undefined)) return;
      const firstUpgrade = upgrades.length + event.versions.slice(1, index + 1).filter((earlier) => earlier.upgrade !== undefined).length;
      const chain = Array.from({ length: last - index }, (_, step) => `upgrade${firstUpgrade + step}`);
      latest.push(`[${tsString(version.wireType)}, [${tsString(event.versions[last]!.wireType)}, ${chain.length === 1 ? chain[0] : `(payload: unknown): unknown => ${chain.reduce((inner, name) => `${name}(${inner})`, "payload")}`}]],`);
    });
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
  // Step lists inside `each`, in the order met (each may add more).
  for (let index = 0; index < writer.nested.length; index++) {
    const nested = writer.nested[index]!;
    fn(nested.name, "Steps applied to each element or value.", nested.steps);
  }
  const source = new Source();
  source.line(`import { ${[...writer.used].sort().join(", ")} } from "./migrate.js";`);
  source.line(`import type { Migration } from "./wire.js";`).blank();
  if (writer.constants.length > 0) source.blank();
  for (const constant of [...writer.constants, ...writer.changes]) source.line(constant);
  if (writer.constants.length + writer.changes.length > 0) source.blank();
  const table = (name: string, docs: string, entries: string[]): void => {
    body.blank().docs(docs);
    body.block(`export const ${name}: ReadonlyMap<string, Migration> = /* @__PURE__ */ new Map<string, Migration>([`, () => {
      for (const entry of entries) body.line(entry);
    }, "]);");
  };
  table("upgrades", "The declared upgrades: from a wire type to the next version's, and the function that gets there.", upgrades);
  table("downgrades", "The declared downgrades: from a wire type to the version before it, and the function that gets there.", downgrades);
  table("toLatest", "From each wire type with declared upgrades all the way: the latest version's wire type, and the upgrades composed.", latest);
  return `${source.toString()}${body.toString()}`;
}
