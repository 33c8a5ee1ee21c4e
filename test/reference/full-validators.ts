/**
 * The tests' oracle: the straight-line validators the SDK's `validate.ts` had before its boolean
 * checks and shape checker replaced them, generated from the same IR beside the SDK by
 * test/lean-validators.test.ts (and the `validate` bench suite), which hold the two to the same
 * verdicts and issue lists. What follows is how they were made: one straight-line validator per
 * event version's payload and per named type. No `eval` or `new Function`: it runs under a strict Content
 * Security Policy, and a bundler keeps only the validators a program imports.
 *
 * Every validator has one signature, `(value, path, out, level) => boolean`:
 * - `out === null` is the early-exit form: the first failure returns false, and no path or
 *   message is ever built (what `parseEvent` runs first, and what type guards run);
 * - with an array, every failure is appended as `{ path, message }` (at most MAX_ISSUES), in the
 *   order the wire checker always reported them, and the result says whether there was none.
 * Paths are expressions evaluated only inside failure branches, so the success path builds none.
 * Named types recurse through their own functions; nested anonymous shapes are inlined.
 * `level` is the nesting level of `value` in the document: every object or array entered checks
 * `level + offset` against MAX_DEPTH (an addition and a comparison) and throws `tooDeep()` past
 * it; strings must be well-formed; values of any JSON type go through `checkJson`, which holds
 * them to the document rules (wire.ts).
 */
import type { Catalogue, EventDef, EventVersion, TypeNode } from "../../src/ir/types.js";
import { docComment, tsRegExp, tsString } from "../../src/targets/typescript/escape.js";
import type { TypeScriptNames } from "../../src/targets/typescript/names.js";

/** Stands for a member function's name while its text is compared with the members' made before. */
const MEMBER_NAME = "checkMember\u0000";

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

class ValidatorWriter {
  /** Each function's text, in order. */
  private readonly functions: string[] = [];
  private readonly constants: string[] = [];
  private readonly patterns = new Map<string, string>();
  private readonly enumSets = new Map<string, string>();
  private readonly namedFunctions = new Map<string, string>();
  private readonly helpers = new Set<string>();
  private counter = 0;
  /** Each union member's function text (its name left out) and its name. */
  private readonly memberNames = new Map<string, string>();

  constructor(catalogue: Catalogue) {
    catalogue.types.forEach((type, index) => this.namedFunctions.set(type.name, `checkNamed${index}`));
    catalogue.types.forEach((type, index) => this.addFunction(`checkNamed${index}`, type.type, `Checks the named type \`${type.name}\`.`, false));
  }

  /** Adds `function name(value, path, out): boolean` checking `node`. */
  addFunction(name: string, node: TypeNode, docs: string, exported: boolean): void {
    this.functions.push(this.functionText(name, node, docs, exported));
  }

  /** The checker of a union member: one function per distinct member, however many unions hold it. */
  private memberFunction(node: TypeNode): string {
    const text = this.functionText(MEMBER_NAME, node, "A member of a union.", false);
    let name = this.memberNames.get(text);
    if (name === undefined) {
      name = `checkMember${this.memberNames.size}`;
      this.memberNames.set(text, name);
      this.functions.push(text.replace(MEMBER_NAME, name));
    }
    return name;
  }

  private functionText(name: string, node: TypeNode, docs: string, exported: boolean): string {
    const saved = this.counter;
    this.counter = 0;
    const body = this.check(node, "value", "path", "  ", 0);
    this.counter = saved;
    const text = body.join("\n");
    const usesValue = /\bvalue\b/.test(text);
    const usesPath = /\bpath\b/.test(text);
    const usesOut = /\bout\b/.test(text);
    const usesLevel = /\blevel\b/.test(text);
    const usesOk = /\bok = /.test(text);
    const level = `${usesLevel ? "level" : "_level"}${exported ? " = 1" : ": number"}`;
    const lines = [
      ...docComment(docs),
      `${exported ? "export " : ""}function ${name}(${usesValue ? "value" : "_value"}: unknown, ${usesPath ? "path" : "_path"}: string, ${usesOut ? "out" : "_out"}: ValidationIssue[] | null, ${level}): boolean {`,
      ...(usesOk ? ["  let ok = true;"] : []),
      ...(text === "" ? [] : [text]),
      `  return ${usesOk ? "ok" : "true"};`,
      "}",
    ];
    return lines.join("\n");
  }

  /** The exported, total form of the checker `inner`: a payload nested too deeply is an issue, never a throw. */
  addTotal(name: string, inner: string, docs: string): void {
    this.use("depthFailure");
    this.functions.push([
      ...docComment(docs),
      `export function ${name}(value: unknown, path: string, out: ValidationIssue[] | null, level = 1): boolean {`,
      "  const start = out === null ? 0 : out.length;",
      "  try {",
      `    return ${inner}(value, path, out, level);`,
      "  } catch (error) {",
      "    return depthFailure(error, path, out, start);",
      "  }",
      "}",
    ].join("\n"));
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  private use(helper: string): string {
    this.helpers.add(helper);
    return helper;
  }

  /**
   * Statements reporting one failure at `path` (an expression) with `message`: an expression, or
   * `{ expected, value }` for a wrong JSON type ("expected string, got number").
   */
  private fail(path: string, message: string | { expected: string; value: string }, indent: string): string[] {
    const call =
      typeof message === "string"
        ? `${this.use("fail")}(out, ${path}, ${message})`
        : `${this.use("failType")}(out, ${path}, ${tsString(message.expected)}, ${message.value})`;
    return [`${indent}if (!out) return false;`, `${indent}ok = ${call};`];
  }

  /** `if (condition) { fail } else { rest }`, the else omitted when empty. */
  private guard(condition: string, path: string, message: string | { expected: string; value: string }, indent: string, rest: string[]): string[] {
    const lines = [`${indent}if (${condition}) {`, ...this.fail(path, message, `${indent}  `)];
    if (rest.length === 0) return [...lines, `${indent}}`];
    return [...lines, `${indent}} else {`, ...rest, `${indent}}`];
  }

  private pointer(path: string, key: string): string {
    return `${this.use("pointer")}(${path}, ${key})`;
  }

  /** The nesting level of a value `offset` levels below the function's own `value`. */
  private static level(offset: number): string {
    return offset === 0 ? "level" : `level + ${offset}`;
  }

  /** The first statement inside a container: past MAX_DEPTH, the document is too deep. */
  private depthGuard(offset: number, indent: string): string {
    return `${indent}if (${ValidatorWriter.level(offset)} > ${this.use("MAX_DEPTH")}) ${this.use("tooDeep")}();`;
  }

  /**
   * Statements checking the value in variable `value` against `node`; `path` is an expression;
   * `offset` is the value's nesting below the function's own `value`.
   */
  check(node: TypeNode, value: string, path: string, indent: string, offset: number): string[] {
    const inner = `${indent}  `;
    const level = ValidatorWriter.level(offset);
    switch (node.kind) {
      case "string": {
        const rest: string[] = [...this.guard(`!${this.use("isWellFormed")}(${value})`, path, tsString("not well-formed Unicode: a lone surrogate"), inner, [])];
        if (node.minLength !== undefined || node.maxLength !== undefined) {
          const length = this.fresh("length");
          rest.push(`${inner}const ${length} = ${this.use("codePoints")}(${value});`);
          if (node.minLength !== undefined) rest.push(...this.guard(`${length} < ${node.minLength}`, path, tsString(`expected at least ${node.minLength} characters`), inner, []));
          if (node.maxLength !== undefined) rest.push(...this.guard(`${length} > ${node.maxLength}`, path, tsString(`expected at most ${node.maxLength} characters`), inner, []));
        }
        if (node.pattern !== undefined) {
          const message = node.format === undefined ? `does not match ${node.pattern}` : `not a valid ${node.format}`;
          rest.push(...this.guard(`!${this.pattern(node.pattern)}.test(${value})`, path, tsString(message), inner, []));
        } else if (node.format === "uri") {
          rest.push(...this.guard(`!${this.use("ABSOLUTE_URI")}.test(${value})`, path, tsString("not a valid uri"), inner, []));
        }
        return this.guard(`typeof ${value} !== "string"`, path, { expected: "string", value: value }, indent, rest);
      }
      case "number": {
        const rest: string[] = [];
        // Integers are exact in a double within ±(2^53 − 1) only: beyond, no side reads them.
        if (node.integer) rest.push(...this.guard(`!Number.isSafeInteger(${value})`, path, tsString("expected an integer within ±(2^53 − 1)"), inner, []));
        const implied = (bound: number | undefined, outside: (limit: number) => boolean): boolean => node.integer && bound !== undefined && outside(bound);
        if (node.minimum !== undefined && !implied(node.minimum, (bound) => bound <= -Number.MAX_SAFE_INTEGER)) rest.push(...this.guard(`${value} < ${node.minimum}`, path, tsString(`expected at least ${node.minimum}`), inner, []));
        if (node.maximum !== undefined && !implied(node.maximum, (bound) => bound >= Number.MAX_SAFE_INTEGER)) rest.push(...this.guard(`${value} > ${node.maximum}`, path, tsString(`expected at most ${node.maximum}`), inner, []));
        if (node.exclusiveMinimum !== undefined) {
          rest.push(...this.guard(`${value} <= ${node.exclusiveMinimum}`, path, tsString(`expected more than ${node.exclusiveMinimum}`), inner, []));
        }
        if (node.exclusiveMaximum !== undefined) {
          rest.push(...this.guard(`${value} >= ${node.exclusiveMaximum}`, path, tsString(`expected less than ${node.exclusiveMaximum}`), inner, []));
        }
        // Exact IEEE-754 division, as Ajv and the Rust crate check it: every side gives the same answer.
        if (node.multipleOf !== undefined) {
          rest.push(...this.guard(`(${value} / ${node.multipleOf}) % 1 !== 0`, path, tsString(`expected a multiple of ${node.multipleOf}`), inner, []));
        }
        return this.guard(`typeof ${value} !== "number" || !Number.isFinite(${value})`, path, { expected: "number", value: value }, indent, rest);
      }
      case "boolean":
        return this.guard(`typeof ${value} !== "boolean"`, path, { expected: "boolean", value: value }, indent, []);
      case "null":
        return this.guard(`${value} !== null`, path, { expected: "null", value: value }, indent, []);
      case "literal":
        return this.guard(`${value} !== ${literal(node.value)}`, path, tsString(`expected ${JSON.stringify(node.value)}`), indent, []);
      case "enum": {
        const message = tsString(`expected one of ${node.values.map((item) => JSON.stringify(item)).join(", ")}`);
        return this.guard(this.notInEnum(node.values, value), path, message, indent, []);
      }
      case "array": {
        const rest: string[] = [this.depthGuard(offset, inner)];
        if (node.minItems !== undefined) rest.push(...this.guard(`${value}.length < ${node.minItems}`, path, tsString(`expected at least ${node.minItems} items`), inner, []));
        if (node.maxItems !== undefined) rest.push(...this.guard(`${value}.length > ${node.maxItems}`, path, tsString(`expected at most ${node.maxItems} items`), inner, []));
        rest.push(...this.items(node.items, value, path, 0, inner, offset + 1));
        return this.guard(`!Array.isArray(${value})`, path, { expected: "array", value: value }, indent, rest);
      }
      case "tuple": {
        const count = node.items.length;
        const lengthWrong = node.rest === undefined ? `${value}.length !== ${count}` : `${value}.length < ${count}`;
        const message = `${tsString(`expected ${count} items${node.rest === undefined ? "" : " or more"}, got `)} + ${value}.length`;
        const elements: string[] = [];
        node.items.forEach((item, index) => {
          const element = this.fresh("item");
          const body = this.check(item, element, this.pointer(path, String(index)), `${inner}  `, offset + 1);
          if (body.length > 0) elements.push(`${inner}  const ${element}: unknown = ${value}[${index}];`, ...body);
        });
        if (node.rest !== undefined) elements.push(...this.items(node.rest, value, path, count, `${inner}  `, offset + 1));
        const sized = [this.depthGuard(offset, inner), ...this.guard(lengthWrong, path, message, inner, elements)];
        return this.guard(`!Array.isArray(${value})`, path, { expected: "array", value: value }, indent, sized);
      }
      case "record": {
        const key = this.fresh("key");
        const entry = this.fresh("entry");
        const keyPath = this.pointer(path, key);
        const keyChecks = this.check(node.keys, key, keyPath, `${inner}  `, offset + 1);
        const valueChecks = this.check(node.values, entry, keyPath, `${inner}  `, offset + 1);
        const loop = [...keyChecks, ...(valueChecks.length > 0 ? [`${inner}  const ${entry}: unknown = ${value}[${key}];`, ...valueChecks] : [])];
        const rest = [this.depthGuard(offset, inner), ...(loop.length > 0 ? [`${inner}for (const ${key} of Object.keys(${value})) {`, ...loop, `${inner}}`] : [])];
        if (node.keys.kind === "enum" && !node.partial) {
          for (const required of node.keys.values) {
            rest.push(...this.guard(`!Object.hasOwn(${value}, ${tsString(required)})`, this.pointer(path, tsString(required)), tsString("required"), inner, []));
          }
        }
        return this.guard(`!${this.use("isRecord")}(${value})`, path, { expected: "object", value: value }, indent, rest);
      }
      case "object": {
        const rest: string[] = [this.depthGuard(offset, inner)];
        for (const field of node.fields) {
          const member = this.fresh("field");
          const fieldPath = this.pointer(path, tsString(field.name));
          const present = this.check(field.type, member, fieldPath, `${inner}  `, offset + 1);
          rest.push(`${inner}const ${member} = ${ownProperty(value, field.name)};`);
          if (field.optional) {
            rest.push(`${inner}if (${member} !== undefined) {`, ...present, `${inner}}`);
          } else {
            rest.push(...this.guard(`${member} === undefined`, fieldPath, tsString("required"), inner, present));
          }
        }
        if (node.additional !== "ignore") {
          const key = this.fresh("key");
          const known = node.fields.map((field) => `${inner}    case ${tsString(field.name)}:`);
          const unknown =
            node.additional === "reject"
              ? this.fail(this.pointer(path, key), tsString("unknown field"), `${inner}    `)
              : this.checkAdditional(node.additional, value, key, path, `${inner}    `, offset + 1);
          if (unknown.length > 0) {
            rest.push(`${inner}for (const ${key} of Object.keys(${value})) {`);
            if (known.length > 0) rest.push(`${inner}  switch (${key}) {`, ...known, `${inner}      continue;`, `${inner}  }`);
            rest.push(...unknown.map((line) => line.slice(2)), `${inner}}`);
          }
        }
        return this.guard(`!${this.use("isRecord")}(${value})`, path, { expected: "object", value: value }, indent, rest);
      }
      case "union":
        return node.discriminator !== undefined && node.tags !== undefined
          ? this.discriminated(node.members, node.discriminator, node.tags, value, path, indent, offset)
          : this.firstMatch(node.members, value, path, indent, offset);
      case "nullable": {
        const present = this.check(node.inner, value, path, inner, offset);
        return present.length === 0 ? [] : [`${indent}if (${value} !== null) {`, ...present, `${indent}}`];
      }
      case "ref": {
        const target = this.namedFunctions.get(node.name);
        if (target === undefined) throw new Error(`unknown named type ${node.name}`);
        return [`${indent}if (!${target}(${value}, out === null ? "" : ${path}, out, ${level})) {`, `${indent}  if (!out) return false;`, `${indent}  ok = false;`, `${indent}}`];
      }
      case "unknown": {
        // Any JSON value is read as it is: held to the document rules; the path is built on failure only.
        const checkJson = this.use("checkJson");
        return [`${indent}if (!${checkJson}(${value}, ${level}, "", null)) {`, `${indent}  if (!out) return false;`, `${indent}  ok = ${checkJson}(${value}, ${level}, ${path}, out);`, `${indent}}`];
      }
    }
  }

  private checkAdditional(node: TypeNode, value: string, key: string, path: string, indent: string, offset: number): string[] {
    const entry = this.fresh("entry");
    const body = this.check(node, entry, this.pointer(path, key), indent, offset);
    return body.length === 0 ? [] : [`${indent}const ${entry}: unknown = ${value}[${key}];`, ...body];
  }

  /** A loop over the elements of the array `value` from index `from`; `offset` is the elements' nesting. */
  private items(node: TypeNode, value: string, path: string, from: number, indent: string, offset: number): string[] {
    const index = this.fresh("index");
    const element = this.fresh("item");
    const body = this.check(node, element, this.pointer(path, index), `${indent}  `, offset);
    if (body.length === 0) return [];
    return [`${indent}for (let ${index} = ${from}; ${index} < ${value}.length; ${index}++) {`, `${indent}  const ${element}: unknown = ${value}[${index}];`, ...body, `${indent}}`];
  }

  private discriminated(members: TypeNode[], discriminator: string, tags: string[], value: string, path: string, indent: string, offset: number): string[] {
    const inner = `${indent}  `;
    const tag = this.fresh("tag");
    const message = tsString(`expected one of ${tags.map((item) => JSON.stringify(item)).join(", ")}`);
    const rest = [`${inner}const ${tag} = ${ownProperty(value, discriminator)};`, `${inner}switch (${tag}) {`];
    members.forEach((member, index) => {
      rest.push(`${inner}  case ${tsString(tags[index]!)}: {`, ...this.check(member, value, path, `${inner}    `, offset), `${inner}    break;`, `${inner}  }`);
    });
    rest.push(`${inner}  default: {`, ...this.fail(this.pointer(path, tsString(discriminator)), message, `${inner}    `), `${inner}  }`, `${inner}}`);
    return this.guard(`!${this.use("isRecord")}(${value})`, path, { expected: "object", value: value }, indent, rest);
  }

  /** A plain union: the first member the value satisfies wins; each member is its own early-exit function. */
  private firstMatch(members: TypeNode[], value: string, path: string, indent: string, offset: number): string[] {
    const level = ValidatorWriter.level(offset);
    const checks = members.map((member) => {
      if (member.kind === "ref") return `${this.namedFunctions.get(member.name)!}(${value}, "", null, ${level})`;
      return `${this.memberFunction(member)}(${value}, "", null, ${level})`;
    });
    return this.guard(`!(${checks.join(" || ")})`, path, tsString("matches no member of the union"), indent, []);
  }

  private notInEnum(values: string[], value: string): string {
    if (values.length <= ENUM_SET_THRESHOLD) return values.map((item) => `${value} !== ${tsString(item)}`).join(" && ");
    const key = JSON.stringify(values);
    let name = this.enumSets.get(key);
    if (name === undefined) {
      name = `ENUM_${this.enumSets.size}`;
      this.enumSets.set(key, name);
      this.constants.push(`const ${name}: ReadonlySet<unknown> = /* @__PURE__ */ new Set(${`[${values.map((item) => tsString(item)).join(", ")}]`});`);
    }
    return `!${name}.has(${value})`;
  }

  private pattern(source: string): string {
    let name = this.patterns.get(source);
    if (name === undefined) {
      name = `PATTERN_${this.patterns.size}`;
      this.patterns.set(source, name);
      this.constants.push(`const ${name} = ${tsRegExp(source, "u")};`);
    }
    return name;
  }

  render(): string {
    const imports = ["type ValidationIssue", ...[...this.helpers].sort()];
    return [
      `import { ${imports.join(", ")} } from "./wire.js";`,
      "",
      ...this.constants,
      ...(this.constants.length > 0 ? [""] : []),
      ...this.functions.map((text) => `${text}\n`),
    ].join("\n");
  }
}

/** `value[name]` when `value` has it as its own property; undefined otherwise (never the prototype's). */
function ownProperty(value: string, name: string): string {
  const key = tsString(name);
  return name in Object.prototype || name === "__proto__" ? `Object.hasOwn(${value}, ${key}) ? ${value}[${key}] : undefined` : `${value}[${key}]`;
}

function literal(value: string | number | boolean): string {
  return typeof value === "string" ? tsString(value) : String(value);
}

/** `validate.ts`: the validators of every named type and event version. */
export function validatorsFile(catalogue: Catalogue, names: TypeScriptNames): string {
  const writer = new ValidatorWriter(catalogue);
  let index = 0;
  for (const event of catalogue.events) {
    for (const version of event.versions) {
      const inner = payloadCheckName(index++);
      writer.addFunction(inner, version.payload, `Checks a \`${version.wireType}\` payload; throws TOO_DEEP past MAX_DEPTH (the parse functions catch it).`, true);
      writer.addTotal(payloadCheckerName(names, event, version), inner, `Checks a \`${version.wireType}\` payload: \`out === null\` stops at the first failure; an array collects every issue. Never throws: a payload nested past MAX_DEPTH is the one issue at \`path\`.`);
    }
  }
  return writer.render();
}
