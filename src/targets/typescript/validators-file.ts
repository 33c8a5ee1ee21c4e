/**
 * `validate.ts` of the SDK. Each event version's payload and each named type gets
 * - a generated boolean check, `(value, level) => boolean`: straight-line, early exit, no path or
 *   message built. Each value it holds is declared with the type its checks read it as (`string`,
 *   `number`, `JsonRecord`, `JsonItems`) and tested at run time; nothing is narrowed, so the type
 *   checker spends next to nothing on it. It is all a valid payload costs.
 * - its shape: the same description as compact JSON text (shape.ts), which shape.ts's one checker
 *   walks to list the issues — only once the boolean check failed and issues are wanted.
 * `checkPayloadN` joins them into the `PayloadCheck` the dispatch table and the Standard Schema
 * objects call; `check<Event>V<n>Payload` is its exported, total form. Everything is a function
 * declaration or a constant with a declared type: the type checker infers nothing across the file. No `eval` or `new Function`: it runs under a strict Content Security Policy, and a
 * bundler keeps only the checks and shapes a program imports (`@__PURE__` constants).
 *
 * The boolean check and the shape agree by construction (one walk of the same IR node each, the
 * same rules: wire.ts's document rules, MAX_DEPTH — past which the boolean check says false and
 * the shape's checker throws TOO_DEEP, as the parse functions expect); the SDK's tests hold both
 * to the straight-line validators they replaced (test/reference/full-validators.ts), verdict for
 * verdict and issue list for issue list.
 */
import type { Catalogue, EventDef, EventVersion, NodeDocs, NumberNode, TypeNode } from "../../ir/types.js";
import { docComment, jsonText, tsRegExp, tsString } from "./escape.js";
import type { TypeScriptNames } from "./names.js";

/** Stands for a member function's name while its text is compared with the members' made before. */
const MEMBER_NAME = "isMember\u0000";

/** Enums with more values than this are checked against a Set; smaller ones by comparisons. */
const ENUM_SET_THRESHOLD = 6;

/** The exported validator of one event version's payload, e.g. `checkSessionStatusV2Payload`. */
export function payloadCheckerName(names: TypeScriptNames, event: EventDef, version: EventVersion): string {
  return `check${names.versionGuard(event, version).slice("is".length)}Payload`;
}

/**
 * The internal checker of the `index`-th event version's payload (in catalogue order), which the
 * dispatch table and the Standard Schema objects call; it throws TOO_DEEP like every checker.
 */
export function payloadCheckName(index: number): string {
  return `checkPayload${index}`;
}

/** A member read the way every reader reads it: names the prototype has, as own properties only. */
function memberOf(value: string, name: string): string {
  if (name in Object.prototype || name === "__proto__") return `ownField(${value}, ${tsString(name)})`;
  return `${value}[${tsString(name)}]`;
}

/**
 * The type a value held in a variable is declared with, as the checks that follow read it: the
 * checks test at run time what the declaration states, and the type checker has nothing to narrow
 * (no type predicates, no \`any\`). Undefined: \`unknown\`, for values only handed to functions.
 */
function declaredAs(node: TypeNode): string | undefined {
  switch (node.kind) {
    case "string":
    case "enum":
      return "string";
    case "number":
      return "number";
    case "object":
    case "record":
      return "JsonRecord";
    case "union":
      return node.discriminator !== undefined && node.tags !== undefined ? "JsonRecord" : undefined;
    case "array":
    case "tuple":
      return "JsonItems";
    case "nullable":
      return declaredAs(node.inner);
    default:
      return undefined;
  }
}


/** An integer's bound at or beyond the safe range says nothing `Number.isSafeInteger` does not. */
function impliedBound(node: NumberNode, bound: "minimum" | "maximum"): boolean {
  const value = node[bound];
  return node.integer && value !== undefined && (bound === "minimum" ? value <= -Number.MAX_SAFE_INTEGER : value >= Number.MAX_SAFE_INTEGER);
}

/** The named types one shape refers to, by index, in first-use order. */
class ShapeRefs {
  readonly named: string[] = [];

  index(name: string): number {
    const found = this.named.indexOf(name);
    if (found >= 0) return found;
    this.named.push(name);
    return this.named.length - 1;
  }
}

/** The JSON Schema annotations a node carries (read for the Standard JSON Schema only). */
function docsOf(node: NodeDocs): Record<string, unknown> {
  return { ...(node.description === undefined ? {} : { description: node.description }), ...(node.deprecated ? { deprecated: true } : {}) };
}

/** The exported shape of the `index`-th event version's payload, which standard.ts builds its JSON Schema from. */
export function payloadShapeName(index: number): string {
  return `payloadShape${index}`;
}

class ValidatorWriter {
  private readonly functions: string[] = [];
  private readonly constants: string[] = [];
  /** Pattern source → its constant, e.g. `PATTERN_0`. */
  private readonly patterns = new Map<string, string>();
  private readonly enumSets = new Map<string, string>();
  /** Named type → [boolean check, shape constant]. */
  private readonly named = new Map<string, readonly [string, string]>();
  private readonly wireHelpers = new Set<string>();
  /** Types of wire.ts the declarations name. */
  private readonly typeImports = new Set<string>();
  private readonly shapeHelpers = new Set<string>();
  private counter = 0;
  /** Each union member's function text (its name left out) and its name. */
  private readonly memberNames = new Map<string, string>();

  constructor(catalogue: Catalogue) {
    catalogue.types.forEach((type, index) => this.named.set(type.name, [`isNamed${index}`, `namedShape${index}`]));
    catalogue.types.forEach((type, index) => {
      this.functions.push(this.fastFunction(`isNamed${index}`, type.type, `Whether a value is a \`${type.name}\`.`));
      this.functions.push(this.shapeConstant(`namedShape${index}`, type.type, `The shape of \`${type.name}\`.`, false, { name: type.name, ...(type.description === undefined ? {} : { description: type.description }) }));
    });
  }

  /** Notes that a declaration names `type`: wire.ts's own types are imported. */
  private importType(type: string | undefined): void {
    if (type === "JsonRecord" || type === "JsonItems") this.typeImports.add(type);
  }

  /** Whether the function being written reads its level. */
  private usesLevel = false;

  /** `level + offset`, the nesting level of a value `offset` levels below the function's own. */
  private levelAt(offset: number): string {
    this.usesLevel = true;
    return offset === 0 ? "l" : `l + ${offset}`;
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  private wire(helper: string): string {
    this.wireHelpers.add(helper);
    return helper;
  }

  private shapeHelper(helper: string): string {
    this.shapeHelpers.add(helper);
    return helper;
  }

  /** `function name(v: any, l: number): boolean` — the boolean check of `node`. */
  private fastFunction(name: string, node: TypeNode, docs: string): string {
    const saved = [this.counter, this.usesLevel] as const;
    this.counter = 0;
    this.usesLevel = false;
    const body = this.statements(node, "v", 0, "  ");
    const level = this.usesLevel ? "l" : "_l";
    [this.counter, this.usesLevel] = saved;
    const text = body.join("\n");
    const type = declaredAs(node);
    this.importType(type);
    return [
      ...docComment(docs),
      type === undefined ? `function ${name}(v: unknown, ${level}: number): boolean {` : `function ${name}(value: unknown, ${level}: number): boolean {`,
      ...(type === undefined ? [] : [`  const v = value as ${type};`]),
      ...(text === "" ? [] : [text]),
      "  return true;",
      "}",
    ].join("\n");
  }

  /** The shape constant of `node`, with the named types it refers to; `named`: the name and description of a named type. */
  private shapeConstant(name: string, node: TypeNode, docs: string, exported: boolean, named: Record<string, string> = {}): string {
    const refs = new ShapeRefs();
    const args = [jsonText({ type: this.shapeOf(node, refs), ...named })];
    if (refs.named.length > 0) args.push(`(): readonly Shape[] => [${refs.named.join(", ")}]`);
    return [...docComment(docs), `${exported ? "export " : ""}const ${name}: Shape = /* @__PURE__ */ ${this.shapeHelper("shape")}(${args.join(", ")});`].join("\n");
  }

  /** One event version: its boolean check, its shape, the internal checker and the exported total one. */
  addPayload(index: number, node: TypeNode, wireType: string, exported: string): void {
    const fast = `isPayload${index}`;
    const shapeName = payloadShapeName(index);
    this.functions.push(this.fastFunction(fast, node, `Whether a value is a \`${wireType}\` payload.`));
    this.functions.push(this.shapeConstant(shapeName, node, `The shape of a \`${wireType}\` payload.`, true));
    this.functions.push(
      [
        ...docComment(`Checks a \`${wireType}\` payload; throws TOO_DEEP past MAX_DEPTH (the parse functions catch it).`),
        `export function ${payloadCheckName(index)}(value: unknown, path: string, out: ValidationIssue[] | null, level = 1): boolean {`,
        `  return ${fast}(value, level) || (out !== null && ${this.shapeHelper("checkShape")}(${shapeName}, value, path, out, level));`,
        "}",
      ].join("\n"),
      [
        ...docComment(`Checks a \`${wireType}\` payload: \`out === null\` stops at the first failure; an array collects every issue. Never throws: a payload nested past MAX_DEPTH is the one issue at \`path\`.`),
        `export function ${exported}(value: unknown, path: string, out: ValidationIssue[] | null, level = 1): boolean {`,
        `  return ${this.shapeHelper("totalCheck")}(${payloadCheckName(index)}, value, path, out, level);`,
        "}",
      ].join("\n"),
    );
  }

  // ---- the boolean check ----

  /**
   * The condition under which `x` (an expression evaluated at most once, or any number of times
   * when it is a variable) fails `node`, for nodes checked by one expression; undefined for
   * containers, which take statements.
   */
  private condition(node: TypeNode, x: string, offset: number): string | undefined {
    switch (node.kind) {
      case "string": {
        const plain = node.minLength === undefined && node.maxLength === undefined && node.pattern === undefined && node.format !== "uri";
        if (plain) return `!${this.wire("isText")}(${x})`;
        const parts = [`!${this.wire("isText")}(${x})`];
        if (node.minLength !== undefined && node.maxLength !== undefined) parts.push(`!${this.wire("codePointsWithin")}(${x}, ${node.minLength}, ${node.maxLength})`);
        else if (node.minLength !== undefined) parts.push(`${this.wire("codePoints")}(${x}) < ${node.minLength}`);
        else if (node.maxLength !== undefined) parts.push(`${this.wire("codePoints")}(${x}) > ${node.maxLength}`);
        if (node.pattern !== undefined) parts.push(`!${this.pattern(node.pattern)}.test(${x})`);
        else if (node.format === "uri") parts.push(`!${this.wire("ABSOLUTE_URI")}.test(${x})`);
        return parts.join(" || ");
      }
      case "number": {
        const parts = [node.integer ? `!Number.isSafeInteger(${x})` : `!${this.wire("isFiniteNumber")}(${x})`];
        if (node.minimum !== undefined && !impliedBound(node, "minimum")) parts.push(`${x} < ${node.minimum}`);
        if (node.maximum !== undefined && !impliedBound(node, "maximum")) parts.push(`${x} > ${node.maximum}`);
        if (node.exclusiveMinimum !== undefined) parts.push(`${x} <= ${node.exclusiveMinimum}`);
        if (node.exclusiveMaximum !== undefined) parts.push(`${x} >= ${node.exclusiveMaximum}`);
        if (node.multipleOf !== undefined) parts.push(`(${x} / ${node.multipleOf}) % 1 !== 0`);
        return parts.join(" || ");
      }
      case "boolean":
        return `typeof ${x} !== "boolean"`;
      case "null":
        return `${x} !== null`;
      case "literal":
        return `${x} !== ${typeof node.value === "string" ? tsString(node.value) : String(node.value)}`;
      case "enum":
        return this.notInEnum(node.values, x);
      case "ref":
        return `!${this.named.get(node.name)![0]}(${x}, ${this.levelAt(offset)})`;
      case "unknown":
        return `!${this.wire("fitsDocument")}(${x}, ${this.levelAt(offset)})`;
      case "union": {
        if (node.discriminator !== undefined && node.tags !== undefined) return undefined;
        const checks = node.members.map((member) => `${member.kind === "ref" ? this.named.get(member.name)![0] : this.memberFunction(member)}(${x}, ${this.levelAt(offset)})`);
        return `!(${checks.join(" || ")})`;
      }
      case "nullable": {
        const inner = this.condition(node.inner, x, offset);
        return inner === undefined ? undefined : `${x} !== null && (${inner})`;
      }
      default:
        return undefined;
    }
  }

  /** Whether the condition of `node` names its value once (so an expression need not be held in a variable). */
  private static usesOnce(condition: string, x: string): boolean {
    return condition.split(x).length === 2;
  }

  /** Statements returning false when the value of variable `x` fails `node`; `offset` is its nesting below the function's value. */
  private statements(node: TypeNode, x: string, offset: number, indent: string): string[] {
    const condition = this.condition(node, x, offset);
    if (condition !== undefined) return [`${indent}if (${condition}) return false;`];
    const inner = `${indent}  `;
    const deep = (): string => `${this.levelAt(offset)} > ${this.wire("MAX_DEPTH")}`;
    switch (node.kind) {
      case "array": {
        const guards = [`!${this.wire("isArray")}(${x})`, deep()];
        if (node.minItems !== undefined) guards.push(`${x}.length < ${node.minItems}`);
        if (node.maxItems !== undefined) guards.push(`${x}.length > ${node.maxItems}`);
        return [`${indent}if (${guards.join(" || ")}) return false;`, ...this.items(node.items, x, 0, indent, offset + 1)];
      }
      case "tuple": {
        const count = node.items.length;
        const length = node.rest === undefined ? `${x}.length !== ${count}` : `${x}.length < ${count}`;
        const lines = [`${indent}if (!${this.wire("isArray")}(${x}) || ${deep()} || ${length}) return false;`];
        node.items.forEach((item, index) => lines.push(...this.value(item, `${x}[${index}]`, offset + 1, indent, "element")));
        if (node.rest !== undefined) lines.push(...this.items(node.rest, x, count, indent, offset + 1));
        return lines;
      }
      case "record": {
        const lines = [`${indent}if (!${this.wire("isObject")}(${x}) || ${deep()}) return false;`];
        const key = this.fresh("k");
        const body = [...this.statements(node.keys, key, offset + 1, inner), ...this.value(node.values, `${x}[${key}]`, offset + 1, inner, "element")];
        lines.push(`${indent}for (const ${key} of Object.keys(${x})) {`, ...body, `${indent}}`);
        if (node.keys.kind === "enum" && !node.partial) {
          lines.push(`${indent}if (${node.keys.values.map((name) => `!Object.hasOwn(${x}, ${tsString(name)})`).join(" || ")}) return false;`);
        }
        return lines;
      }
      case "object": {
        const lines = [`${indent}if (!${this.wire("isObject")}(${x}) || ${deep()}) return false;`];
        for (const field of node.fields) lines.push(...this.value(field.type, this.member(x, field.name), offset + 1, indent, field.optional ? "optional" : "required"));
        if (node.additional !== "ignore") {
          const key = this.fresh("k");
          const known = node.fields.length === 0 ? [] : [`${inner}switch (${key}) {`, ...node.fields.map((field) => `${inner}  case ${tsString(field.name)}:`), `${inner}    continue;`, `${inner}}`];
          const unknown = node.additional === "reject" ? [`${inner}return false;`] : this.value(node.additional, `${x}[${key}]`, offset + 1, inner, "element");
          lines.push(`${indent}for (const ${key} of Object.keys(${x})) {`, ...known, ...unknown, `${indent}}`);
        }
        return lines;
      }
      case "union": {
        // Discriminated (a plain union is one condition): the tag chooses the member.
        const lines = [`${indent}if (!${this.wire("isObject")}(${x})) return false;`, `${indent}switch (${this.member(x, node.discriminator!)}) {`];
        node.members.forEach((member, index) => {
          lines.push(`${indent}  case ${tsString(node.tags![index]!)}: {`, ...this.statements(member, x, offset, `${inner}  `), `${inner}  break;`, `${indent}  }`);
        });
        lines.push(`${indent}  default:`, `${indent}    return false;`, `${indent}}`);
        return lines;
      }
      case "nullable":
        return [`${indent}if (${x} !== null) {`, ...this.statements(node.inner, x, offset, inner), `${indent}}`];
      default:
        throw new Error(`eventc bug: no statements for ${node.kind}`);
    }
  }

  /** `value[name]` as a boolean check reads it. */
  private member(value: string, name: string): string {
    const read = memberOf(value, name);
    if (read.startsWith("ownField(")) this.shapeHelper("ownField");
    return read;
  }

  /**
   * Statements checking the value of expression `read` against `node`: a condition on `read`
   * itself when it names the value once, else the value held in a variable first. A `required`
   * field that is undefined fails, an `optional` one passes; an `element` (of an array, tuple or
   * record) is checked as it is.
   */
  private value(node: TypeNode, read: string, offset: number, indent: string, presence: "required" | "optional" | "element"): string[] {
    const rejectUndefined = presence === "required" && acceptsUndefined(node);
    const probe = this.condition(node, "\u0000", offset);
    if (probe !== undefined && presence !== "optional" && !rejectUndefined && ValidatorWriter.usesOnce(probe, "\u0000")) {
      return [`${indent}if (${this.condition(node, read, offset)}) return false;`];
    }
    const variable = this.fresh("x");
    const type = declaredAs(node);
    this.importType(type);
    const declare = `${indent}const ${variable} = ${read}${type === undefined ? "" : ` as ${type}`};`;
    if (presence === "optional") {
      const condition = this.condition(node, variable, offset);
      if (condition !== undefined) return [declare, `${indent}if (${variable} !== undefined && (${condition})) return false;`];
      return [declare, `${indent}if (${variable} !== undefined) {`, ...this.statements(node, variable, offset, `${indent}  `), `${indent}}`];
    }
    return [declare, ...(rejectUndefined ? [`${indent}if (${variable} === undefined) return false;`] : []), ...this.statements(node, variable, offset, indent)];
  }

  /** A loop over the elements of array `x` from index `from`; `offset` is the elements' nesting. */
  private items(node: TypeNode, x: string, from: number, indent: string, offset: number): string[] {
    const index = this.fresh("i");
    return [`${indent}for (let ${index} = ${from}; ${index} < ${x}.length; ${index}++) {`, ...this.value(node, `${x}[${index}]`, offset, `${indent}  `, "element"), `${indent}}`];
  }

  /** The boolean check of a plain union's member: one function per distinct member, however many unions hold it. */
  private memberFunction(node: TypeNode): string {
    const text = this.fastFunction(MEMBER_NAME, node, "A member of a union.");
    let name = this.memberNames.get(text);
    if (name === undefined) {
      name = `isMember${this.memberNames.size}`;
      this.memberNames.set(text, name);
      this.functions.push(text.replace(MEMBER_NAME, name));
    }
    return name;
  }

  private notInEnum(values: string[], x: string): string {
    if (values.length <= ENUM_SET_THRESHOLD) return values.map((item) => `${x} !== ${tsString(item)}`).join(" && ");
    const key = JSON.stringify(values);
    let name = this.enumSets.get(key);
    if (name === undefined) {
      name = `ENUM_${this.enumSets.size}`;
      this.enumSets.set(key, name);
      this.constants.push(`const ${name}: ReadonlySet<unknown> = /* @__PURE__ */ new Set(${`[${values.map((item) => tsString(item)).join(", ")}]`});`);
    }
    return `!${name}.has(${x})`;
  }

  private pattern(source: string): string {
    let name = this.patterns.get(source);
    if (name === undefined) {
      name = `PATTERN_${this.patterns.size}`;
      this.patterns.set(source, name);
      this.constants.push(`const ${name}: RegExp = ${tsRegExp(source, "u")};`);
    }
    return name;
  }

  // ---- the shape ----

  /** The shape node of `node` (shape.ts): what the checker reads, and the annotations the JSON Schema carries. */
  private shapeOf(node: TypeNode, refs: ShapeRefs): unknown {
    const docs = docsOf(node);
    const bare = Object.keys(docs).length === 0;
    switch (node.kind) {
      case "string": {
        const constraints = {
          ...(node.format === undefined ? {} : { format: node.format }),
          ...(node.pattern === undefined ? {} : { pattern: node.pattern }),
          ...(node.minLength === undefined ? {} : { min: node.minLength }),
          ...(node.maxLength === undefined ? {} : { max: node.maxLength }),
        };
        return bare && Object.keys(constraints).length === 0 ? "string" : { k: "string", ...constraints, ...docs };
      }
      case "number": {
        const kind = node.integer ? "integer" : "number";
        const bounds = {
          ...(node.minimum === undefined ? {} : { min: node.minimum }),
          ...(node.maximum === undefined ? {} : { max: node.maximum }),
          ...(node.exclusiveMinimum === undefined ? {} : { xmin: node.exclusiveMinimum }),
          ...(node.exclusiveMaximum === undefined ? {} : { xmax: node.exclusiveMaximum }),
          ...(node.multipleOf === undefined ? {} : { step: node.multipleOf }),
        };
        return bare && Object.keys(bounds).length === 0 ? kind : { k: kind, ...bounds, ...docs };
      }
      case "boolean":
      case "null":
        return bare ? node.kind : { k: node.kind, ...docs };
      case "unknown":
        return bare ? "json" : { k: "json", ...docs };
      case "literal":
        return { k: "literal", value: node.value, ...docs };
      case "enum":
        return { k: "enum", values: node.values, ...docs };
      case "array":
        return { k: "array", items: this.shapeOf(node.items, refs), ...(node.minItems === undefined ? {} : { min: node.minItems }), ...(node.maxItems === undefined ? {} : { max: node.maxItems }), ...docs };
      case "tuple":
        return { k: "tuple", items: node.items.map((item) => this.shapeOf(item, refs)), ...(node.rest === undefined ? {} : { rest: this.shapeOf(node.rest, refs) }), ...docs };
      case "record": {
        const required = node.keys.kind === "enum" && !node.partial ? { required: node.keys.values } : {};
        return { k: "record", keys: this.shapeOf(node.keys, refs), values: this.shapeOf(node.values, refs), ...required, ...docs };
      }
      case "object": {
        const fields = node.fields.map((field) => {
          const fieldDocs = { ...docsOf(field), ...(field.default === undefined ? {} : { default: field.default }) };
          const entry: unknown[] = [field.name, this.shapeOf(field.type, refs)];
          if (Object.keys(fieldDocs).length > 0) entry.push(field.optional ? 1 : 0, fieldDocs);
          else if (field.optional) entry.push(1);
          return entry;
        });
        const additional = node.additional === "ignore" ? {} : { additional: node.additional === "reject" ? "reject" : this.shapeOf(node.additional, refs) };
        return { k: "object", fields, ...additional, ...docs };
      }
      case "union":
        if (node.discriminator !== undefined && node.tags !== undefined) {
          return { k: "tagged", tag: node.discriminator, members: node.members.map((member, index) => [node.tags![index], this.shapeOf(member, refs)]), ...docs };
        }
        return { k: "union", members: node.members.map((member) => this.shapeOf(member, refs)), ...docs };
      case "nullable":
        return { k: "nullable", inner: this.shapeOf(node.inner, refs), ...docs };
      case "ref": {
        const index = refs.index(this.named.get(node.name)![1]);
        return bare ? index : { k: "ref", ref: index, ...docs };
      }
    }
  }

  render(): string {
    const wire = [...["ValidationIssue", ...this.typeImports].sort().map((type) => `type ${type}`), ...[...this.wireHelpers].sort()];
    const shape = ["type Shape", ...[...this.shapeHelpers].sort()];
    return [
      `import { ${shape.join(", ")} } from "./shape.js";`,
      `import { ${wire.join(", ")} } from "./wire.js";`,
      "",
      ...this.constants,
      ...(this.constants.length > 0 ? [""] : []),
      ...this.functions.map((text) => `${text}\n`),
    ].join("\n");
  }
}

/** Whether a value that is undefined (a missing field) can pass `node`'s condition: any JSON, or a union or named type that might be it. */
function acceptsUndefined(node: TypeNode): boolean {
  return node.kind === "unknown" || node.kind === "ref" || node.kind === "union" || (node.kind === "nullable" && acceptsUndefined(node.inner));
}

/** `validate.ts`: the boolean checks and shapes of every named type and event version. */
export function validatorsFile(catalogue: Catalogue, names: TypeScriptNames): string {
  const writer = new ValidatorWriter(catalogue);
  let index = 0;
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      writer.addPayload(index++, version.payload, version.wireType, payloadCheckerName(names, event, version));
    }
  }
  return writer.render();
}
