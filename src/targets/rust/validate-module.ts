/**
 * `src/validate.rs` of the crate: a `Validate` impl for every generated item and for `Event`, the
 * rule statics they use, and a hand-written `Deserialize` for each plain union that tries members
 * in declaration order and takes the first that is also valid — what the TypeScript validators
 * and JSON Schema's `anyOf` do. Printed in rustfmt form, like the rest of the crate.
 */
import type { EventVariant } from "./event-module.js";
import { rustString } from "./escape.js";
import type { Check, ItemCountRule, NumberRule, RustField, RustItem, RustType, StringRule } from "./model.js";
import { rustIdent } from "./names.js";
import { matchArm } from "./render.js";
import { runtimeHead, runtimeItems, runtimeUses, type RuntimeUse } from "./validate-runtime.js";
import { rustFloat } from "./checks.js";

const MAX_WIDTH = 100;
/** rustfmt's `fn_call_width`: longest argument list kept on the call's line. */
const CALL_WIDTH = 60;
/** rustfmt's `struct_lit_width`, which bounds struct patterns on one line too. */
const STRUCT_WIDTH = 18;

/** `head(args);` on one line, or one argument per line as rustfmt breaks a long call. */
function call(indent: string, head: string, args: readonly string[], tail: string): string[] {
  const list = args.join(", ");
  const line = `${indent}${head}(${list})${tail}`;
  if (line.length <= MAX_WIDTH && list.length <= CALL_WIDTH) return [line];
  return [`${indent}${head}(`, ...args.map((arg) => `${indent}    ${arg},`), `${indent})${tail}`];
}

class Printer {
  readonly statics: string[] = [];
  readonly use: RuntimeUse = { number: false, items: false, keyName: false, element: false, member: false, dispatch: false };
  private readonly ruleNames = new Map<string, string>();
  private readonly counters = { STRING: 0, NUMBER: 0, ITEMS: 0 };

  constructor(private readonly aliases: ReadonlyMap<string, RustType>) {}

  /** The static holding `rule`, declared on first use. */
  private rule(rule: StringRule | NumberRule | ItemCountRule): string {
    const key = JSON.stringify(rule);
    const known = this.ruleNames.get(key);
    if (known !== undefined) return known;
    const prefix = rule.kind === "string" ? "STRING" : rule.kind === "number" ? "NUMBER" : "ITEMS";
    const name = `${prefix}_${this.counters[prefix]++}`;
    this.ruleNames.set(key, name);
    const some = (value: number | undefined, float: boolean): string => (value === undefined ? "None" : `Some(${float ? rustFloat(value) : value})`);
    let fields: string[];
    let type: string;
    if (rule.kind === "string") {
      type = "StringRule";
      // `Some(Pattern::new(…))`: the outer call's argument (the inner call) bounds the one-line form.
      const literal = rule.pattern === undefined ? "" : rustString(rule.pattern.source);
      const oneLine = `Pattern::new(${literal})`.length <= CALL_WIDTH;
      const pattern =
        rule.pattern === undefined ? ["    pattern: None,"] : oneLine ? [`    pattern: Some(Pattern::new(${literal})),`] : ["    pattern: Some(Pattern::new(", `        ${literal},`, "    )),"];
      fields = [`    min_length: ${some(rule.minLength, false)},`, `    max_length: ${some(rule.maxLength, false)},`, ...pattern, `    label: ${rustString(rule.pattern?.label ?? "")},`];
    } else if (rule.kind === "number") {
      this.use.number = true;
      type = "NumberRule";
      fields = [
        `    minimum: ${some(rule.minimum, true)},`,
        `    maximum: ${some(rule.maximum, true)},`,
        `    exclusive_minimum: ${some(rule.exclusiveMinimum, true)},`,
        `    exclusive_maximum: ${some(rule.exclusiveMaximum, true)},`,
        `    multiple_of: ${some(rule.multipleOf, true)},`,
      ];
    } else {
      this.use.items = true;
      type = "ItemCountRule";
      fields = [`    min_items: ${some(rule.minItems, false)},`, `    max_items: ${some(rule.maxItems, false)},`];
    }
    this.statics.push([`static ${name}: ${type} = ${type} {`, ...fields, "};"].join("\n"));
    return name;
  }

  /** Statements checking `value` (a reference) at `path` (a `&str`), in scope. */
  check(check: Check, indent: string): string[] {
    const inner = `${indent}    `;
    switch (check.kind) {
      case "rule": {
        const name = this.rule(check.rule);
        const value = check.rule.kind === "number" ? (check.integer ? "*value as f64" : "*value") : "value";
        return call(indent, `${name}.check`, [value, "path", "issues"], ";");
      }
      case "equals": {
        const test = check.rust === "true" ? "!*value" : check.rust === "false" ? "*value" : `*value != ${check.rust}`;
        return [`${indent}if ${test} {`, ...call(inner, "issues.push", [`Issue::new(path, ${rustString(`expected ${check.json}`)})`], ";"), `${indent}}`];
      }
      case "nested":
        return [`${indent}value.validate(path, issues);`];
      case "alias": {
        const target = this.aliases.get(check.name)?.check;
        return target === undefined ? [] : this.check(target, indent);
      }
      case "option": {
        // `Option<Option<T>>` (optional and nullable) is matched in one pattern, as clippy asks.
        let pattern = "Some(value)";
        let body = this.unalias(check.inner);
        while (body.kind === "option") {
          pattern = `Some(${pattern})`;
          body = this.unalias(body.inner);
        }
        return [`${indent}if let ${pattern} = value {`, ...this.check(body, inner), `${indent}}`];
      }
      case "list": {
        const lines = check.count === undefined ? [] : call(indent, `${this.rule(check.count)}.check`, ["value.len()", "path", "issues"], ";");
        if (check.items === undefined) return lines;
        return [...lines, ...this.loop(indent, "(index, value) in value.iter().enumerate()", "&index.to_string()", check.items)];
      }
      case "map": {
        const lines: string[] = [];
        if (check.requiredKeys !== undefined) {
          lines.push(`${indent}if value.len() != ${check.requiredKeys} {`, ...call(inner, "issues.push", ['Issue::new(path, "expected every key")'], ";"), `${indent}}`);
        }
        if (check.keys === undefined && check.values === undefined) return lines;
        this.use.keyName = true;
        const body = [...(check.keys === undefined ? [] : this.withValue(inner, "key", check.keys)), ...(check.values === undefined ? [] : this.check(check.values, `${inner}`))];
        return [...lines, `${indent}for (key, value) in value {`, `${inner}let path = &pointer(path, &key_name(key));`, ...body, `${indent}}`];
      }
      case "tuple":
        return check.items.flatMap((item, index) =>
          item === undefined ? [] : [`${indent}{`, `${inner}let value = &value.${index};`, `${inner}let path = &pointer(path, "${index}");`, ...this.check(item, inner), `${indent}}`],
        );
      case "rest-tuple": {
        this.use.element = true;
        const deep = `${inner}    `;
        const read = (type: RustType, at: string): string[] => {
          const head = `element::<${type.rust}>`;
          if (type.check === undefined) return call(at, head, ["value", "path", "issues"], ";");
          return [...call(at, `if let Some(value) = ${head}`, ["value", "path", "issues"], " {"), `${at}    let value = &value;`, ...this.check(type.check, `${at}    `), `${at}}`];
        };
        const arms = [...check.items.map((type, index) => [`${inner}${index} => {`, ...read(type, deep), `${inner}}`]), [`${inner}_ => {`, ...read(check.rest, deep), `${inner}}`]];
        const count = check.items.length;
        const short = count === 0 ? [] : [`${indent}if ${count === 1 ? "value.is_empty()" : `value.len() < ${count}`} {`, ...call(inner, "issues.push", [`Issue::new(path, "expected at least ${count} items")`], ";"), `${indent}}`];
        return [
          ...short,
          `${indent}for (index, value) in value.iter().enumerate() {`,
          `${inner}let path = &pointer(path, &index.to_string());`,
          ...(check.items.length === 0 ? read(check.rest, inner) : [`${inner}match index {`, ...arms.flat().map((line) => `    ${line}`), `${inner}}`]),
          `${indent}}`,
        ];
      }
    }
  }

  /** What an alias check stands for (the alias's own check), through aliases of aliases. */
  private unalias(check: Check): Check {
    let resolved = check;
    for (let depth = 0; resolved.kind === "alias" && depth < 32; depth++) resolved = this.aliases.get(resolved.name)?.check ?? resolved;
    return resolved;
  }

  private withValue(indent: string, expr: string, check: Check): string[] {
    return [`${indent}{`, `${indent}    let value = ${expr};`, ...this.check(check, `${indent}    `), `${indent}}`];
  }

  private loop(indent: string, head: string, key: string, check: Check): string[] {
    return [`${indent}for ${head} {`, ...call(`${indent}    `, "let path = &pointer", ["path", key], ";"), ...this.check(check, `${indent}    `), `${indent}}`];
  }

  /** Checks of one field, reached through `access` (a reference expression). */
  field(field: RustField, access: string, indent: string): string[] {
    if (field.type.check === undefined) return [];
    const inner = `${indent}    `;
    return [`${indent}{`, `${inner}let value = ${access};`, ...call(inner, "let path = &pointer", ["path", rustString(field.wire)], ";"), ...this.check(field.type.check, inner), `${indent}}`];
  }
}

function validateImpl(name: string, body: string[]): string[] {
  if (body.length === 0) return [`impl Validate for ${name} {`, "    fn validate(&self, _path: &str, _issues: &mut Vec<Issue>) {}", "}"];
  return [`impl Validate for ${name} {`, "    fn validate(&self, path: &str, issues: &mut Vec<Issue>) {", ...body, "    }", "}"];
}

/** A struct pattern binding `idents`, laid out as rustfmt lays it out. */
function structPattern(path: string, idents: readonly string[], indent: string): string[] {
  const list = [...idents.map(rustIdent), ".."].join(", ");
  const line = `${indent}${path} { ${list} } => {`;
  if (list.length <= STRUCT_WIDTH && line.length <= MAX_WIDTH) return [line];
  // On lines of their own, the bindings stay on one line while they (without `..`) fit the same width.
  const fields = idents.map(rustIdent).join(", ");
  if (fields.length <= STRUCT_WIDTH) return [`${indent}${path} {`, `${indent}    ${list}`, `${indent}} => {`];
  return [`${indent}${path} {`, ...[...idents.map(rustIdent), ".."].map((item, index, all) => `${indent}    ${item}${index < all.length - 1 ? "," : ""}`), `${indent}} => {`];
}

/** A match arm's statements; rustfmt unwraps an arm whose only statement is a block. */
function armBody(lines: string[], indent: string): string[] {
  const single = lines[0] === `${indent}{` && lines.at(-1) === `${indent}}` && lines.slice(1, -1).every((line) => line.startsWith(`${indent}    `));
  return single ? lines.slice(1, -1).map((line) => line.slice(4)) : lines;
}

function itemBody(printer: Printer, item: RustItem): string[] {
  const I2 = "        ";
  const I3 = "            ";
  switch (item.kind) {
    case "struct":
      return item.fields.flatMap((field) => printer.field(field, `&self.${rustIdent(field.ident)}`, I2));
    case "alias":
    case "unit-enum":
    case "repr-enum":
      return [];
    case "tagged-enum": {
      const arms = item.variants.flatMap((variant) => {
        const checked = variant.fields.filter((field) => field.type.check !== undefined);
        if (checked.length === 0) return [];
        const body = armBody(checked.flatMap((field) => printer.field(field, rustIdent(field.ident), `${I3}    `)), `${I3}    `);
        return [...structPattern(`Self::${variant.ident}`, checked.map((field) => field.ident), I3), ...body, `${I3}}`];
      });
      if (arms.length === 0) return [];
      const all = item.variants.every((variant) => variant.fields.some((field) => field.type.check !== undefined));
      return [`${I2}match self {`, ...arms, ...(all ? [] : [`${I3}_ => {}`]), `${I2}}`];
    }
    case "dispatch-enum": {
      const arms = item.variants.flatMap((variant) => {
        if (variant.type.check === undefined) return [];
        return [`${I3}Self::${variant.ident}(value) => {`, ...armBody(printer.check(variant.type.check, `${I3}    `), `${I3}    `), `${I3}}`];
      });
      if (arms.length === 0) return [];
      const all = item.variants.every((variant) => variant.type.check !== undefined);
      return [`${I2}match self {`, ...arms, ...(all ? [] : [`${I3}_ => {}`]), `${I2}}`];
    }
    case "untagged-enum": {
      const arms = item.variants.flatMap((variant) => {
        if (variant.shape !== "newtype" || variant.type.check === undefined) return [];
        return [`${I3}Self::${variant.ident}(value) => {`, ...armBody(printer.check(variant.type.check, `${I3}    `), `${I3}    `), `${I3}}`];
      });
      if (arms.length === 0) return [];
      const all = item.variants.every((variant) => variant.shape === "newtype" && variant.type.check !== undefined);
      return [`${I2}match self {`, ...arms, ...(all ? [] : [`${I3}_ => {}`]), `${I2}}`];
    }
  }
}

/** `Deserialize` for a plain union: the first member that reads and validates. */
function untaggedDeserialize(printer: Printer, item: Extract<RustItem, { kind: "untagged-enum" }>): string[] {
  const I2 = "        ";
  const lines = [
    `impl<'de> Deserialize<'de> for ${item.name} {`,
    "    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {",
    `${I2}let json = JsonValue::deserialize(deserializer)?;`,
  ];
  for (const variant of item.variants) {
    if (variant.shape === "unit") {
      lines.push(`${I2}if json.is_null() {`, `${I2}    return Ok(Self::${variant.ident});`, `${I2}}`);
      continue;
    }
    printer.use.member = true;
    lines.push(
      ...call(I2, `if let Some(value) = member::<${variant.type.rust}>`, ["&json"], " {"),
      `${I2}    let candidate = Self::${variant.ident}(value);`,
      `${I2}    if candidate.issues().is_empty() {`,
      `${I2}        return Ok(candidate);`,
      `${I2}    }`,
      `${I2}}`,
    );
  }
  lines.push(`${I2}Err(serde::de::Error::custom("matches no member of the union"))`, "    }", "}");
  return lines;
}

/**
 * The arm for a discriminator no member has, laid out as rustfmt lays out the call. A list too
 * long for one line is split into `concat!` pieces, which rustfmt puts one per line.
 */
function unknownArm(wires: readonly string[], indent: string): string[] {
  const names = wires.map((wire) => `\`${wire}\``);
  const expected = rustString(names.join(", "));
  const call = `unknown_discriminator(other, ${expected})`;
  const line = `${indent}other => Err(${call}),`;
  if (line.length <= MAX_WIDTH && call.length <= CALL_WIDTH) return [line];
  const head = [`${indent}other => Err(unknown_discriminator(`, `${indent}    other,`];
  const tail = `${indent})),`;
  if (`${indent}    ${expected},`.length <= MAX_WIDTH) return [...head, `${indent}    ${expected},`, tail];
  const pieces: string[] = [];
  let piece = "";
  names.forEach((name, index) => {
    const text = index < names.length - 1 ? `${name}, ` : name;
    if (piece !== "" && rustString(piece + text).length > CALL_WIDTH) {
      pieces.push(piece);
      piece = "";
    }
    piece += text;
  });
  pieces.push(piece);
  const literals = pieces.map((text) => rustString(text));
  return [...head, `${indent}    concat!(`, ...literals.map((literal, index) => `${indent}        ${literal}${index < literals.length - 1 ? "," : ""}`), `${indent}    ),`, tail];
}

/** `Deserialize` for a discriminated union of structs: the discriminator picks the member to read. */
function dispatchDeserialize(printer: Printer, item: Extract<RustItem, { kind: "dispatch-enum" }>): string[] {
  const I2 = "        ";
  const I3 = "            ";
  printer.use.dispatch = true;
  return [
    `impl<'de> Deserialize<'de> for ${item.name} {`,
    "    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {",
    `${I2}let json = JsonValue::deserialize(deserializer)?;`,
    `${I2}match discriminator(&json, ${rustString(item.tag)})? {`,
    ...item.variants.flatMap((variant) => matchArm(rustString(variant.wire), `variant(json).map(Self::${variant.ident})`, I3)),
    ...unknownArm(item.variants.map((variant) => variant.wire), I3),
    `${I2}}`,
    "    }",
    "}",
  ];
}

function eventImpl(variants: readonly EventVariant[]): string[] {
  const I3 = "            ";
  if (variants.length === 0) return validateImpl("Event", []);
  return [
    "impl Validate for Event {",
    "    fn validate(&self, path: &str, issues: &mut Vec<Issue>) {",
    '        let path = &pointer(path, "payload");',
    "        match self {",
    ...variants.flatMap((variant) => matchArm(`Self::${variant.ident}(payload)`, "payload.validate(path, issues)", I3)),
    `${I3}Self::Unknown(_) => {}`,
    "        }",
    "    }",
    "}",
  ];
}

/**
 * `check` without the parts that print nothing: an alias whose target has nothing to check, and
 * the options, lists, maps and tuples around nothing but those. Printing such a part would leave a
 * block that binds `value` and `path` and uses neither.
 */
function liveCheck(check: Check | undefined, aliases: ReadonlyMap<string, RustType>, seen: ReadonlySet<string> = new Set()): Check | undefined {
  if (check === undefined) return undefined;
  const live = (inner: Check | undefined): Check | undefined => liveCheck(inner, aliases, seen);
  switch (check.kind) {
    case "alias":
      if (seen.has(check.name)) return undefined;
      return liveCheck(aliases.get(check.name)?.check, aliases, new Set([...seen, check.name])) === undefined ? undefined : check;
    case "option": {
      const inner = live(check.inner);
      return inner === undefined ? undefined : { kind: "option", inner };
    }
    case "list": {
      const items = live(check.items);
      if (items === undefined && check.count === undefined) return undefined;
      return { kind: "list", ...(check.count === undefined ? {} : { count: check.count }), ...(items === undefined ? {} : { items }) };
    }
    case "map": {
      const keys = live(check.keys);
      const values = live(check.values);
      if (keys === undefined && values === undefined && check.requiredKeys === undefined) return undefined;
      return { kind: "map", ...(keys === undefined ? {} : { keys }), ...(values === undefined ? {} : { values }), ...(check.requiredKeys === undefined ? {} : { requiredKeys: check.requiredKeys }) };
    }
    case "tuple": {
      const items = check.items.map(live);
      return items.every((item) => item === undefined) ? undefined : { kind: "tuple", items };
    }
    case "rest-tuple":
      return { kind: "rest-tuple", items: check.items.map((type) => liveType(type, aliases)), rest: liveType(check.rest, aliases) };
    default:
      return check;
  }
}

function liveType(type: RustType, aliases: ReadonlyMap<string, RustType>): RustType {
  const check = liveCheck(type.check, aliases);
  const { check: _dropped, ...rest } = type;
  return check === undefined ? rest : { ...rest, check };
}

/** The items with every check reduced to its live parts (`liveCheck`). */
function liveItems(items: readonly RustItem[], aliases: ReadonlyMap<string, RustType>): RustItem[] {
  const field = (entry: RustField): RustField => ({ ...entry, type: liveType(entry.type, aliases) });
  return items.map((item): RustItem => {
    switch (item.kind) {
      case "struct":
        return { ...item, fields: item.fields.map(field) };
      case "tagged-enum":
        return { ...item, variants: item.variants.map((variant) => ({ ...variant, fields: variant.fields.map(field) })) };
      case "dispatch-enum":
        return { ...item, variants: item.variants.map((variant) => ({ ...variant, type: liveType(variant.type, aliases) })) };
      case "untagged-enum":
        return { ...item, variants: item.variants.map((variant) => (variant.shape === "newtype" ? { ...variant, type: liveType(variant.type, aliases) } : variant)) };
      default:
        return item;
    }
  });
}

export function validateModule(lowered: readonly RustItem[], variants: readonly EventVariant[]): string {
  const aliases = new Map(lowered.flatMap((item) => (item.kind === "alias" ? [[item.name, item.type] as const] : [])));
  const items = liveItems(lowered, aliases);
  const printer = new Printer(new Map([...aliases].map(([name, type]) => [name, liveType(type, aliases)])));
  const impls: string[] = [];
  for (const item of items) {
    // An alias is checked where it is used: its target may be a type the crate does not own.
    if (item.kind === "alias") continue;
    impls.push(validateImpl(item.name, itemBody(printer, item)).join("\n"));
    if (item.kind === "untagged-enum") impls.push(untaggedDeserialize(printer, item).join("\n"));
    if (item.kind === "dispatch-enum") impls.push(dispatchDeserialize(printer, item).join("\n"));
  }
  impls.push(eventImpl(variants).join("\n"));
  const body = [...runtimeItems(printer.use), ...printer.statics, ...impls].join("\n\n");
  // A recursive type with nothing of its own to check only hands `path` and `issues` on; every
  // enum is matched the same way, whether one variant or several have something to check.
  return [runtimeHead(), "#![allow(clippy::only_used_in_recursion, clippy::single_match)]", "", ...runtimeUses(body), "", body, ""].join("\n");
}
