/**
 * `validate.ts` of the SDK. Each event version's payload and each named type gets
 * - a generated boolean check, `(value, level) => boolean` (fast-checks.ts): straight-line, early
 *   exit, no path or message built, nothing for the type checker to narrow. It is all a valid
 *   payload costs.
 * - its shape: the same description as compact JSON text (shape.ts), which shape.ts's one checker
 *   walks to list the issues — only once the boolean check failed and issues are wanted — and
 *   which standard.ts builds the published JSON Schema from.
 * `checkPayloadN` joins them into the `PayloadCheck` the dispatch table and the Standard Schema
 * objects call; `check<Event>V<n>Payload` is its exported, total form. Everything is a function
 * declaration or a constant with a declared type: the type checker infers nothing across the file.
 * No `eval` or `new Function`: it runs under a strict Content Security Policy; shapes are object
 * literals and checks function declarations, so a bundler keeps only those a program imports.
 *
 * The boolean check and the shape agree by construction (one walk of the same IR node each, the
 * same rules: wire.ts's document rules, MAX_DEPTH — past which the boolean check says false and
 * the shape's checker throws TOO_DEEP, as the parse functions expect); the SDK's tests hold both
 * to the straight-line validators they replaced (test/reference/full-validators.ts), verdict for
 * verdict and issue list for issue list.
 */
import type { Catalogue, EventDef, EventVersion, NodeDocs, TypeNode } from "../../ir/types.js";
import { docComment, jsonText } from "./escape.js";
import { FastChecks } from "./fast-checks.js";
import type { TypeScriptNames } from "./names.js";

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
  /** Whether an event version was added (its exported check is typed `PayloadCheck`). */
  private payloads = false;
  private readonly shapeHelpers = new Set<string>();
  /** Named type → its shape constant. */
  private readonly namedShapes = new Map<string, string>();
  private readonly fast: FastChecks;

  constructor(catalogue: Catalogue) {
    this.fast = new FastChecks(new Map(catalogue.types.map((type, index) => [type.name, `isNamed${index}`])), this.functions);
    catalogue.types.forEach((type, index) => this.namedShapes.set(type.name, `namedShape${index}`));
    catalogue.types.forEach((type, index) => {
      this.fast.add(`isNamed${index}`, type.type, []);
      this.functions.push(this.shapeConstant(`namedShape${index}`, type.type, false, { name: type.name, ...(type.description === undefined ? {} : { description: type.description }) }));
    });
  }

  /** Lists of named shapes, each returned by one function shared by every shape that refers to the same ones. */
  private readonly refLists = new Map<string, string>();

  /**
   * The function returning `named` (shape constants), for `shape(text, refs)`. A function
   * declaration, not an arrow: a constant read in an arrow has the type checker walk back over
   * every declaration of the module before it; in a function declaration it does not.
   */
  private refsFunction(named: readonly string[]): string {
    const list = named.join(", ");
    let name = this.refLists.get(list);
    if (name === undefined) {
      name = `refs${this.refLists.size}`;
      this.refLists.set(list, name);
      this.functions.push(`function ${name}(): readonly Shape[] {\n  return [${list}];\n}`);
    }
    return name;
  }

  private shapeHelper(helper: string): string {
    this.shapeHelpers.add(helper);
    return helper;
  }

  /** The shape constant of `node`, with the named types it refers to; `named`: the name and description of a named type. */
  private shapeConstant(name: string, node: TypeNode, exported: boolean, named: Record<string, string> = {}): string {
    const refs = new ShapeRefs();
    const members = [`text: ${jsonText({ type: this.shapeOf(node, refs), ...named })}`];
    if (refs.named.length > 0) members.push(`refs: ${this.refsFunction(refs.named)}`);
    // An object literal naming no import: a call of `shape` here would have the type checker walk
    // back over every constant of the module before it.
    return `${exported ? "export " : ""}const ${name}: Shape = { ${members.join(", ")} };`;
  }

  /** One event version: its boolean check, its shape, the internal checker and the exported total one. */
  addPayload(index: number, node: TypeNode, wireType: string, exported: string): void {
    this.payloads = true;
    const fast = `isPayload${index}`;
    const shapeName = payloadShapeName(index);
    this.fast.add(fast, node, []);
    this.functions.push(
      this.shapeConstant(shapeName, node, true),
      [
        `export function ${payloadCheckName(index)}(value: unknown, path: string, out: ValidationIssue[] | null, level = 1): boolean {`,
        `  return ${fast}(value, level) || (out !== null && ${this.shapeHelper("checkShape")}(${shapeName}, value, path, out, level));`,
        "}",
      ].join("\n"),
      [
        ...docComment(`Checks a \`${wireType}\` payload (see \`PayloadCheck\`).`),
        `export const ${exported}: PayloadCheck = /* @__PURE__ */ ${this.shapeHelper("total")}(${payloadCheckName(index)});`,
      ].join("\n"),
    );
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
        const index = refs.index(this.namedShapes.get(node.name)!);
        return bare ? index : { k: "ref", ref: index, ...docs };
      }
    }
  }

  render(): string {
    const aliases: Record<string, string> = { JsonRecord: "type JsonRecord as R", JsonItems: "type JsonItems as A" };
    const wire = ["type ValidationIssue", ...(this.payloads ? ["type PayloadCheck"] : []), ...[...this.fast.types].sort().map((type) => aliases[type] ?? `type ${type}`), ...[...this.fast.wire].sort()];
    const shape = ["type Shape", ...[...this.shapeHelpers, ...this.fast.shape].sort()];
    return [
      `import { ${shape.join(", ")} } from "./shape.js";`,
      `import { ${wire.join(", ")} } from "./wire.js";`,
      "",
      ...this.fast.constants,
      ...(this.fast.constants.length > 0 ? [""] : []),
      ...this.functions.map((text) => `${text}\n`),
    ].join("\n");
  }
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
