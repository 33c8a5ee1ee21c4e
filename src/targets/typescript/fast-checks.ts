/**
 * The boolean checks of `validate.ts`: for each event version and named type, one function
 * `(value: unknown, l: number) => boolean` — straight-line, early exit, no path or message built —
 * and one small function per distinct container or constrained scalar it holds (`isPartN`, shared
 * by every check that has the same one).
 *
 * Written to cost the type checker next to nothing. A check is one `&&` chain whose operands read
 * members as `(v as R)["name"]` — an element access on a type assertion, which the binder does not
 * treat as a narrowable reference (`v["name"]` it would): such a condition gets no control-flow
 * node, so nothing is narrowed or walked back, and a long check costs the checker in proportion to
 * its length, not its square. The reads stay plain property loads, each with its own inline cache
 * in the engine. Values are read as `R` (`JsonRecord`), `A` (`JsonItems`), `string` or `number` and
 * tested at run time; there are no type predicates and no `any`.
 * Loops and the switch of a discriminated union live in their own short functions.
 */
import type { NumberNode, StringNode, TypeNode } from "../../ir/types.js";
import { tsRegExp, tsString } from "./escape.js";

/** Stands for a function's name while its text is compared with the functions made before. */
const PLACEHOLDER = "isPart\u0000";

/** Enums with more values than this are checked against a Set; smaller ones by comparisons. */
const ENUM_SET_THRESHOLD = 6;

/** Absent bounds, as literals (an identifier such as `Infinity` among the arguments would be narrowed). */
const SAFE_INTEGER = "9007199254740991";
const LARGEST_NUMBER = "1.7976931348623157e308";

/** An integer's bound at or beyond the safe range says nothing `isInteger` does not. */
function impliedBound(node: NumberNode, bound: "minimum" | "maximum"): boolean {
  const value = node[bound];
  return node.integer && value !== undefined && (bound === "minimum" ? value <= -Number.MAX_SAFE_INTEGER : value >= Number.MAX_SAFE_INTEGER);
}

/** Whether a missing field (undefined) can pass `node`'s test: a value of any JSON type, or a union or named type that might be one. */
function acceptsUndefined(node: TypeNode): boolean {
  return node.kind === "unknown" || node.kind === "ref" || node.kind === "union" || (node.kind === "nullable" && acceptsUndefined(node.inner));
}

export class FastChecks {
  /** The constants the functions use. */
  readonly constants: string[] = [];
  /** Helpers of wire.ts and shape.ts the functions call, and wire.ts types they name. */
  readonly wire = new Set<string>();
  readonly shape = new Set<string>();
  readonly types = new Set<string>();
  private readonly parts = new Map<string, string>();
  private readonly patterns = new Map<string, string>();
  private readonly enumSets = new Map<string, string>();
  private readonly keySets = new Map<string, string>();

  /**
   * `named`: the boolean check of each named type by name; `functions`: the module's functions,
   * which each check (after the parts it needs) is appended to.
   */
  constructor(
    private readonly named: ReadonlyMap<string, string>,
    private readonly functions: string[],
  ) {}

  /** `function name(value: unknown, l: number): boolean` checking `node`. */
  add(name: string, node: TypeNode, docs: readonly string[]): void {
    this.functions.push([...docs, ...this.functionLines(name, node)].join("\n"));
  }

  private functionLines(name: string, node: TypeNode): string[] {
    const body = this.body(node);
    const text = body.join("\n");
    return [`function ${name}(v: unknown, ${/\bl\b/.test(text) ? "l" : "_l"}: number): boolean {`, ...body, "}"];
  }

  /** The statements of a check of `node` on `value` at level `l`. */
  private body(node: TypeNode): string[] {
    switch (node.kind) {
      case "object": {
        this.types.add("JsonRecord");
        const tests = [`${this.use("isObjectAt")}(v, l)`, ...node.fields.map((field) => this.field(field.type, this.member("v", field.name), field.optional))];
        if (node.additional === "reject") tests.push(`${this.use("hasOnlyKeys")}(v as R, ${this.keySet(node.fields.map((field) => field.name))})`);
        if (node.additional === "ignore" || node.additional === "reject") return [`  return ${tests.join(" && ")};`];
        const known = this.keySet(node.fields.map((field) => field.name));
        return [
          `  if (!(${tests.join(" && ")})) return false;`,
          "  const o = v as R;",
          "  for (const k of Object.keys(o)) {",
          `    if (!${known}.has(k) && !(${this.test(node.additional, "o[k]", "l + 1")})) return false;`,
          "  }",
          "  return true;",
        ];
      }
      case "record": {
        this.types.add("JsonRecord");
        const lines = [
          `  if (!${this.use("isObjectAt")}(v, l)) return false;`,
          "  const o = v as R;",
          "  for (const k of Object.keys(o)) {",
          `    if (!(${this.test(node.keys, "k", "l + 1")} && ${this.test(node.values, "o[k]", "l + 1")})) return false;`,
          "  }",
        ];
        const required = node.keys.kind === "enum" && !node.partial ? node.keys.values.map((key) => `Object.hasOwn(o, ${tsString(key)})`) : [];
        return [...lines, `  return ${required.length === 0 ? "true" : required.join(" && ")};`];
      }
      case "array": {
        this.types.add("JsonItems");
        const guards = [`!${this.use("isArrayAt")}(v, l)`];
        if (node.minItems !== undefined) guards.push(`a.length < ${node.minItems}`);
        if (node.maxItems !== undefined) guards.push(`a.length > ${node.maxItems}`);
        return [
          "  const a = v as A;",
          `  if (${guards.join(" || ")}) return false;`,
          "  for (let i = 0; i < a.length; i++) {",
          `    if (!(${this.test(node.items, "a[i]", "l + 1")})) return false;`,
          "  }",
          "  return true;",
        ];
      }
      case "tuple": {
        this.types.add("JsonItems");
        const count = node.items.length;
        const lines = ["  const a = v as A;", `  if (!${this.use("isArrayAt")}(v, l) || a.length ${node.rest === undefined ? "!==" : "<"} ${count}) return false;`];
        const tests = node.items.map((item, index) => this.test(item, `a[${index}]`, "l + 1"));
        if (node.rest === undefined) return [...lines, `  return ${tests.length === 0 ? "true" : tests.join(" && ")};`];
        return [
          ...lines,
          ...(tests.length === 0 ? [] : [`  if (!(${tests.join(" && ")})) return false;`]),
          `  for (let i = ${count}; i < a.length; i++) {`,
          `    if (!(${this.test(node.rest, "a[i]", "l + 1")})) return false;`,
          "  }",
          "  return true;",
        ];
      }
      case "union":
        if (node.discriminator !== undefined && node.tags !== undefined) {
          this.types.add("JsonRecord");
          const lines = [`  if (!${this.use("isObject")}(v)) return false;`, `  switch (${this.member("v", node.discriminator)}) {`];
          node.members.forEach((member, index) => lines.push(`    case ${tsString(node.tags![index]!)}:`, `      return ${this.test(member, "v", "l")};`));
          return [...lines, "    default:", "      return false;", "  }"];
        }
        return [`  return ${this.test(node, "v", "l")};`];
      default:
        return [`  return ${this.test(node, "v", "l")};`];
    }
  }

  /** The test of an object's field read by `read`: a required field that is missing fails, an optional one passes. */
  private field(node: TypeNode, read: string, optional: boolean): string {
    const test = this.test(node, read, "l + 1");
    if (optional) return `(${read} === undefined || ${test})`;
    return acceptsUndefined(node) ? `${read} !== undefined && ${test}` : test;
  }

  /**
   * A member of `value` (a variable): `(v as R)["name"]` — an element access on an assertion, which
   * the binder does not narrow (`v["name"]` in a condition it would); `ownField` for names the
   * prototype has.
   */
  private member(value: string, name: string): string {
    this.types.add("JsonRecord");
    if (name in Object.prototype || name === "__proto__") {
      this.shape.add("ownField");
      return `ownField(${value} as R, ${tsString(name)})`;
    }
    return `(${value} as R)[${tsString(name)}]`;
  }

  /**
   * An expression that is true when the value of expression `value` (read as often as the test
   * needs) passes `node`; `level` is the value's nesting, as an expression over `l`.
   */
  private test(node: TypeNode, value: string, level: string): string {
    switch (node.kind) {
      case "string":
        return node.minLength === undefined && node.maxLength === undefined && node.pattern === undefined && node.format !== "uri" ? `${this.use("isText")}(${value})` : `${this.scalarPart(node)}(${value})`;
      case "number":
        return this.numberTest(node, value);
      case "boolean":
        return `typeof ${value} === "boolean"`;
      case "null":
        return `${value} === null`;
      case "literal":
        return `${value} === ${typeof node.value === "string" ? tsString(node.value) : String(node.value)}`;
      case "enum":
        return `${this.scalarPart(node)}(${value})`;
      case "ref":
        return `${this.named.get(node.name)!}(${value}, ${level})`;
      case "unknown":
        return `${this.use("fitsDocument")}(${value}, ${level})`;
      case "nullable":
        return `(${value} === null || ${this.test(node.inner, value, level)})`;
      case "union":
        if (node.discriminator === undefined || node.tags === undefined) return `(${node.members.map((member) => this.test(member, value, level)).join(" || ")})`;
        return `${this.part(node)}(${value}, ${level})`;
      case "object":
      case "record":
      case "array":
      case "tuple":
        return `${this.part(node)}(${value}, ${level})`;
    }
  }

  private numberTest(node: NumberNode, value: string): string {
    const min = node.minimum !== undefined && !impliedBound(node, "minimum") ? node.minimum : undefined;
    const max = node.maximum !== undefined && !impliedBound(node, "maximum") ? node.maximum : undefined;
    if (node.exclusiveMinimum !== undefined || node.exclusiveMaximum !== undefined || node.multipleOf !== undefined) return `${this.scalarPart(node)}(${value})`;
    if (min === undefined && max === undefined) return `${this.use(node.integer ? "isInteger" : "isFiniteNumber")}(${value})`;
    const absent = node.integer ? SAFE_INTEGER : LARGEST_NUMBER;
    return `${this.use(node.integer ? "isIntegerIn" : "isNumberIn")}(${value}, ${min ?? `-${absent}`}, ${max ?? absent})`;
  }

  /** A function `(value: unknown) => boolean` for a constrained string, a bounded number or an enum, shared by every check that has the same. */
  private scalarPart(node: StringNode | NumberNode | Extract<TypeNode, { kind: "enum" }>): string {
    let body: string;
    if (node.kind === "enum") {
      body = node.values.length <= ENUM_SET_THRESHOLD ? node.values.map((item) => `v === ${tsString(item)}`).join(" || ") : `${this.enumSet(node.values)}.has(v)`;
    } else if (node.kind === "string") {
      const tests = [`${this.use("isText")}(x)`];
      if (node.minLength !== undefined && node.maxLength !== undefined) tests.push(`${this.use("codePointsWithin")}(x, ${node.minLength}, ${node.maxLength})`);
      else if (node.minLength !== undefined) tests.push(`${this.use("codePoints")}(x) >= ${node.minLength}`);
      else if (node.maxLength !== undefined) tests.push(`${this.use("codePoints")}(x) <= ${node.maxLength}`);
      if (node.pattern !== undefined) tests.push(`${this.pattern(node.pattern)}.test(x)`);
      else if (node.format === "uri") tests.push(`${this.use("ABSOLUTE_URI")}.test(x)`);
      return this.share([`function ${PLACEHOLDER}(v: unknown): boolean {`, "  const x = v as string;", `  return ${tests.join(" && ")};`, "}"]);
    } else {
      const tests = [node.integer ? `${this.use("isInteger")}(x)` : `${this.use("isFiniteNumber")}(x)`];
      if (node.minimum !== undefined && !impliedBound(node, "minimum")) tests.push(`x >= ${node.minimum}`);
      if (node.maximum !== undefined && !impliedBound(node, "maximum")) tests.push(`x <= ${node.maximum}`);
      if (node.exclusiveMinimum !== undefined) tests.push(`x > ${node.exclusiveMinimum}`);
      if (node.exclusiveMaximum !== undefined) tests.push(`x < ${node.exclusiveMaximum}`);
      // Exact IEEE-754 division, as Ajv and the Rust crate check it: every side gives the same answer.
      if (node.multipleOf !== undefined) tests.push(`(x / ${node.multipleOf}) % 1 === 0`);
      return this.share([`function ${PLACEHOLDER}(v: unknown): boolean {`, "  const x = v as number;", `  return ${tests.join(" && ")};`, "}"]);
    }
    return this.share([`function ${PLACEHOLDER}(v: unknown): boolean {`, `  return ${body};`, "}"]);
  }

  /** The function checking the container `node`, shared by every check that has the same one. */
  private part(node: TypeNode): string {
    return this.share(this.functionLines(PLACEHOLDER, node));
  }

  /** The name of the function whose text (named PLACEHOLDER) is `lines`: an earlier one with the same text, or a new one. */
  private share(lines: string[]): string {
    const text = lines.join("\n");
    let name = this.parts.get(text);
    if (name === undefined) {
      name = `isPart${this.parts.size}`;
      this.parts.set(text, name);
      this.functions.push(text.replace(PLACEHOLDER, name));
    }
    return name;
  }

  private use(helper: string): string {
    this.wire.add(helper);
    return helper;
  }

  private enumSet(values: string[]): string {
    return this.constant(this.enumSets, "ENUM", JSON.stringify(values), (name) => `const ${name}: ReadonlySet<unknown> = /* @__PURE__ */ new Set([${values.map((item) => tsString(item)).join(", ")}]);`);
  }

  private keySet(names: string[]): string {
    return this.constant(this.keySets, "KEYS", JSON.stringify(names), (name) => `const ${name}: ReadonlySet<string> = /* @__PURE__ */ new Set([${names.map((item) => tsString(item)).join(", ")}]);`);
  }

  /** The constant made once for `key` in `table`, named `<prefix>_<n>`. */
  private constant(table: Map<string, string>, prefix: string, key: string, declare: (name: string) => string): string {
    let name = table.get(key);
    if (name === undefined) {
      name = `${prefix}_${table.size}`;
      table.set(key, name);
      this.constants.push(declare(name));
    }
    return name;
  }

  pattern(source: string): string {
    return this.constant(this.patterns, "PATTERN", source, (name) => `const ${name}: RegExp = ${tsRegExp(source, "u")};`);
  }
}
