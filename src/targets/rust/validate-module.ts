/**
 * `src/validate.rs` of the crate: the catalogue's schemas as static data for the one checker of
 * the runtime (validate-runtime.ts), and the code serde needs around it.
 *
 *   PATTERNS     every pattern, compiled on first use (entry 0: the envelope's time)
 *   TYPES        one `Shape` per generated type with something to check, by index
 *   EVENT_TYPES  every known wire type, sorted: its payload's shape and how to read the payload
 *   validate_by_shape! / nothing_to_validate!   `Validate` for every generated type, one line each
 *   a `Deserialize` for each plain union (the first member that reads and passes its shape, what
 *   the TypeScript validators and JSON Schema's `anyOf` do) and each discriminated union of structs
 *
 * The tables are printed with `#[rustfmt::skip]`, one field or member a line; the rest in rustfmt
 * form, like the rest of the crate.
 */
import type { EventVariant } from "./event-module.js";
import { rustString } from "./escape.js";
import { mapKeyNames, typesInside, type Check, type NumberRule, type RustField, type RustItem, type RustType, type StringRule } from "./model.js";
import { matchArm } from "./render.js";
import { rustIdent } from "./names.js";
import { runtimeHead, runtimeItems, runtimeUses, type RuntimeUse } from "./validate-runtime.js";
import { rustFloat } from "./checks.js";
import { translatePattern } from "./pattern.js";
import { ENVELOPE_TIME_PATTERN } from "../jsonschema/index.js";

const MAX_WIDTH = 100;
/** rustfmt's `fn_call_width`: longest argument list kept on the call's line. */
const CALL_WIDTH = 60;

/** The envelope's `time`: the published pattern (RFC 3339 in UTC, a real date). Always `PATTERNS[0]`. */
const ENVELOPE_TIME = { source: envelopeTimeSource(), label: "RFC 3339 UTC date-time" };

function envelopeTimeSource(): string {
  const translated = translatePattern(ENVELOPE_TIME_PATTERN);
  if (!translated.ok) throw new Error(`the envelope's time pattern has no regex-crate form: ${translated.reason}`);
  return translated.source;
}

/** Items the shape table can hold: every kind but the enums of literals serde checks completely. */
type ShapedItem = Exclude<RustItem, { kind: "unit-enum" | "repr-enum" }>;

const isShapeable = (item: RustItem): item is ShapedItem => item.kind !== "unit-enum" && item.kind !== "repr-enum";

/**
 * Which items have something to check, through the items they refer to: a fixpoint, since named
 * types may refer to each other in a cycle. A plain union always has (its members are tried).
 */
function liveItems(items: readonly ShapedItem[]): Set<string> {
  const live = new Set<string>();
  const has = (check: Check | undefined): boolean => {
    if (check === undefined) return false;
    switch (check.kind) {
      case "rule":
      case "equals":
      case "rest-tuple":
        return true;
      case "nested":
      case "alias":
        return live.has(check.name);
      case "option":
        return has(check.inner);
      case "list":
        return check.count !== undefined || has(check.items);
      case "map":
        return check.requiredKeys !== undefined || check.keys !== undefined || has(check.values);
      case "tuple":
        return check.items.some(has);
    }
  };
  const itemHas = (item: ShapedItem): boolean => {
    switch (item.kind) {
      case "struct":
        return item.fields.some((field) => has(field.type.check));
      case "alias":
        return has(item.type.check);
      case "tagged-enum":
        return item.variants.some((variant) => variant.fields.some((field) => has(field.type.check)));
      case "dispatch-enum":
        return item.variants.some((variant) => has(variant.type.check));
      case "untagged-enum":
        return true;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const item of items) {
      if (!live.has(item.name) && itemHas(item)) {
        live.add(item.name);
        changed = true;
      }
    }
  }
  return live;
}

class ShapePrinter {
  readonly use: RuntimeUse = {
    reads: false,
    member: false,
    dispatch: false,
    deserializers: false,
    shaped: false,
    unshaped: false,
    structs: false,
    closedStructs: false,
    taggedEnums: false,
    unitEnums: false,
    enumKeys: false,
    reprEnums: false,
    tuples: false,
    required: false,
    optional: false,
  };
  readonly patterns: { source: string; label: string }[] = [ENVELOPE_TIME];
  private readonly patternIndex = new Map<string, number>([[JSON.stringify(ENVELOPE_TIME), 0]]);

  /**
   * `index`: the TYPES entry of each live item; `qualify`: a Rust type expression with every
   * generated type named through `types::` (validate.rs declares names of its own).
   */
  constructor(
    readonly index: ReadonlyMap<string, number>,
    readonly qualify: (rust: string) => string,
  ) {}

  private pattern(pattern: { source: string; label: string }): number {
    const key = JSON.stringify(pattern);
    let index = this.patternIndex.get(key);
    if (index === undefined) {
      index = this.patterns.length;
      this.patterns.push(pattern);
      this.patternIndex.set(key, index);
    }
    return index;
  }

  text(rule: StringRule): string {
    const some = (value: number | undefined): string => (value === undefined ? "None" : `Some(${value})`);
    const pattern = rule.pattern === undefined ? "None" : `Some(${this.pattern(rule.pattern)})`;
    return `Text { min_length: ${some(rule.minLength)}, max_length: ${some(rule.maxLength)}, pattern: ${pattern} }`;
  }

  private bounds(rule: NumberRule): string {
    const fields = (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const).flatMap((key) => {
      const value = rule[key];
      return value === undefined ? [] : [`${key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}: Some(${rustFloat(value)})`];
    });
    return fields.length === 5 ? `Bounds { ${fields.join(", ")} }` : fields.length === 0 ? "UNBOUNDED" : `Bounds { ${fields.join(", ")}, ..UNBOUNDED }`;
  }

  /** The shape of `check` as a Rust expression; `undefined` when nothing would be checked. */
  shape(check: Check | undefined): string | undefined {
    if (check === undefined) return undefined;
    switch (check.kind) {
      case "rule":
        if (check.rule.kind === "string") return `Shape::Text(${this.text(check.rule)})`;
        return `Shape::Number(${this.bounds(check.rule)})`;
      case "equals":
        return check.rust === "true" || check.rust === "false" ? `Shape::Bool(${check.rust})` : `Shape::Float(${check.rust}, ${rustString(check.json)})`;
      case "nested":
      case "alias": {
        const index = this.index.get(check.name);
        return index === undefined ? undefined : `Shape::Item(${index})`;
      }
      case "option": {
        const inner = this.shape(check.inner);
        return inner === undefined ? undefined : `Shape::Nullable(&${inner})`;
      }
      case "list": {
        const items = this.shape(check.items);
        if (items === undefined && check.count === undefined) return undefined;
        const some = (value: number | undefined): string => (value === undefined ? "None" : `Some(${value})`);
        return `Shape::List { min_items: ${some(check.count?.minItems)}, max_items: ${some(check.count?.maxItems)}, items: &${items ?? "Shape::Any"} }`;
      }
      case "map": {
        const values = this.shape(check.values);
        const keys = check.keys?.kind === "rule" && check.keys.rule.kind === "string" ? this.text(check.keys.rule) : undefined;
        if (values === undefined && keys === undefined && check.requiredKeys === undefined) return undefined;
        const required = check.requiredKeys === undefined ? "None" : `Some(${check.requiredKeys})`;
        return `Shape::Map { keys: ${keys === undefined ? "None" : `Some(${keys})`}, values: &${values ?? "Shape::Any"}, keys_required: ${required} }`;
      }
      case "tuple": {
        const items = check.items.map((item) => this.shape(item));
        if (items.every((item) => item === undefined)) return undefined;
        return `Shape::Tuple(&[${items.map((item) => item ?? "Shape::Any").join(", ")}])`;
      }
      case "rest-tuple":
        return `Shape::RestTuple { items: &[${check.items.map((type) => this.element(type)).join(", ")}], rest: &${this.element(check.rest)} }`;
    }
  }

  /** A tuple element or union member: read as its Rust type, then checked by its shape. */
  private element(type: RustType): string {
    this.use.reads = true;
    return `Element(reads::<${this.qualify(type.rust)}>, ${this.shape(type.check) ?? "Shape::Any"})`;
  }

  private fields(fields: readonly { wire: string; type: RustType }[], indent: string): string[] {
    return fields.flatMap((field) => {
      const shape = this.shape(field.type.check);
      return shape === undefined ? [] : [`${indent}Field(${rustString(field.wire)}, ${shape}),`];
    });
  }

  /** The TYPES entry of a live item, one line per field, variant or member. */
  item(item: ShapedItem): string[] {
    const I = "    ";
    switch (item.kind) {
      case "struct": {
        const fields = this.fields(item.fields, `${I}${I}`);
        return fields.length === 0 ? [`${I}Shape::Struct(&[]),`] : [`${I}Shape::Struct(&[`, ...fields, `${I}]),`];
      }
      case "alias":
        return [`${I}${this.shape(item.type.check) ?? "Shape::Any"},`];
      case "tagged-enum": {
        const variants = item.variants.flatMap((variant) => {
          const fields = this.fields(variant.fields, `${I}${I}${I}`);
          return fields.length === 0 ? [] : [`${I}${I}(${rustString(variant.wire)}, &[`, ...fields, `${I}${I}]),`];
        });
        return [`${I}Shape::Tagged { tag: ${rustString(item.tag)}, variants: &[`, ...variants, `${I}] },`];
      }
      case "dispatch-enum": {
        const variants = item.variants.flatMap((variant) => {
          const shape = this.shape(variant.type.check);
          return shape === undefined ? [] : [`${I}${I}(${rustString(variant.wire)}, ${shape}),`];
        });
        return [`${I}Shape::Dispatch { tag: ${rustString(item.tag)}, variants: &[`, ...variants, `${I}] },`];
      }
      case "untagged-enum": {
        const members = item.variants.map((variant) => (variant.shape === "unit" ? `${I}${I}Element(JsonValue::is_null, Shape::Any),` : `${I}${I}${this.element(variant.type)},`));
        return [`${I}Shape::Untagged(&[`, ...members, `${I}]),`];
      }
    }
  }
}

/** `head(args);` on one line, or one argument per line as rustfmt breaks a long call. */
function call(indent: string, head: string, args: readonly string[], tail: string): string[] {
  const list = args.join(", ");
  const line = `${indent}${head}(${list})${tail}`;
  if (line.length <= MAX_WIDTH && list.length <= CALL_WIDTH) return [line];
  return [`${indent}${head}(`, ...args.map((arg) => `${indent}    ${arg},`), `${indent})${tail}`];
}

/** The reader of a plain union: the first member that reads and passes its shape. */
function untaggedReader(printer: ShapePrinter, item: Extract<RustItem, { kind: "untagged-enum" }>): string[] {
  const I2 = "        ";
  const lines = [`impl FromJson for ${printer.qualify(item.name)} {`, "    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {"];
  const newtypes = item.variants.some((variant) => variant.shape === "newtype");
  if (newtypes) lines.push(`${I2}let union = &TYPES[${printer.index.get(item.name)!}];`);
  item.variants.forEach((variant, index) => {
    if (variant.shape === "unit") {
      lines.push(`${I2}if json.is_null() {`, `${I2}    return Ok(Self::${variant.ident});`, `${I2}}`);
      return;
    }
    printer.use.member = true;
    lines.push(...call(I2, "if let Some(value) = member", ["&json", "union", String(index)], " {"), `${I2}    return Ok(Self::${variant.ident}(value));`, `${I2}}`);
  });
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

/** The reader of a discriminated union of structs: the discriminator picks the member to read. */
function dispatchReader(printer: ShapePrinter, item: Extract<RustItem, { kind: "dispatch-enum" }>): string[] {
  const I2 = "        ";
  const I3 = "            ";
  printer.use.dispatch = true;
  return [
    `impl FromJson for ${printer.qualify(item.name)} {`,
    "    fn from_json(json: JsonValue) -> Result<Self, serde_json::Error> {",
    `${I2}match discriminator(&json, ${rustString(item.tag)})? {`,
    ...item.variants.flatMap((variant) => matchArm(rustString(variant.wire), `FromJson::from_json(json).map(Self::${variant.ident})`, I3)),
    ...unknownArm(item.variants.map((variant) => variant.wire), I3),
    `${I2}}`,
    "    }",
    "}",
  ];
}

/** UTF-8 byte order, the order of Rust's `str`, so `binary_search` finds every wire type. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function eventTypes(printer: ShapePrinter, variants: readonly EventVariant[]): string[] {
  const sorted = [...variants].sort((a, b) => byteOrder(a.wireType, b.wireType));
  return [
    "/// Every wire type the crate knows, in byte order (`event_type` searches it).",
    "#[rustfmt::skip]",
    `static EVENT_TYPES: [EventType; ${sorted.length}] = [`,
    ...sorted.map((variant) => {
      const index = printer.index.get(variant.payload);
      const shape = index === undefined ? "Shape::Any" : `Shape::Item(${index})`;
      return `    EventType { wire: ${rustString(variant.wireType)}, payload: ${shape}, read: |payload| ${printer.qualify(variant.payload)}::from_json(payload).map(Event::${variant.ident}) },`;
    }),
    "];",
  ];
}

export function validateModule(lowered: readonly RustItem[], variants: readonly EventVariant[]): string {
  const shapeable = lowered.filter(isShapeable);
  const live = liveItems(shapeable);
  const entries = shapeable.filter((item) => live.has(item.name));
  const generated = new Set(lowered.map((item) => item.name));
  const qualify = (rust: string): string => rust.replace(/\b[A-Z][A-Za-z0-9]*\b/g, (name) => (generated.has(name) ? `types::${name}` : name));
  const printer = new ShapePrinter(
    new Map(entries.map((item, index) => [item.name, index])),
    qualify,
  );
  const types = ["/// The shape of every generated type with something to check; `Shape::Item` indexes it.", "#[rustfmt::skip]", `static TYPES: [Shape; ${entries.length}] = [`];
  entries.forEach((item, index) => types.push(`    // ${index}: ${item.name}`, ...printer.item(item)));
  types.push("];");
  const events = eventTypes(printer, variants);

  // An alias is checked where it is used: its target may be a type the crate does not own.
  const owned = lowered.filter((item) => item.kind !== "alias");
  const shaped = owned.filter((item) => live.has(item.name));
  const unshaped = owned.filter((item) => !live.has(item.name));
  printer.use.shaped = shaped.length > 0;
  printer.use.unshaped = unshaped.length > 0;
  const impls: string[] = [];
  if (shaped.length > 0) impls.push(["validate_by_shape! {", ...shaped.map((item) => `    ${qualify(item.name)} => ${printer.index.get(item.name)!},`), "}"].join("\n"));
  if (unshaped.length > 0) impls.push(["nothing_to_validate! {", ...unshaped.map((item) => `    ${qualify(item.name)},`), "}"].join("\n"));
  impls.push(...readers(printer, lowered));
  const patterns = [
    "/// Every pattern of the catalogue, by index (`Text::pattern`); the first is the envelope's time.",
    "#[rustfmt::skip]",
    `static PATTERNS: [Pattern; ${printer.patterns.length}] = [`,
    ...printer.patterns.map((pattern) => `    Pattern::new(${rustString(pattern.source)}, ${rustString(pattern.label)}),`),
    "];",
  ];
  const body = [...runtimeItems(printer.use), patterns.join("\n"), types.join("\n"), events.join("\n"), ...impls].join("\n\n");
  return [runtimeHead(), "", ...runtimeUses(body, printer.use), "", body, ""].join("\n");
}

/** A field's reader: `required` (absent is an error, null too unless its type is `Option`), or `optional`. */
function fieldRead(field: RustField): string {
  return `${rustIdent(field.ident)}: ${field.optional ? "optional" : "required"} ${rustString(field.wire)},`;
}

/** `Name { field: read "wire", … }`: one struct (or struct variant) of a reader macro's invocation. */
function fieldBlock(head: string, fields: readonly RustField[], indent = "    ", tail = ""): string[] {
  if (fields.length === 0) return [`${indent}${head} {}${tail}`];
  return [`${indent}${head} {`, ...fields.map((field) => `${indent}    ${fieldRead(field)}`), `${indent}}${tail}`];
}

/** A brace-delimited macro invocation (left as it is by rustfmt), or nothing when it has no entries. */
function invocation(name: string, entries: readonly string[]): string[] {
  return entries.length === 0 ? [] : [[`${name}! {`, ...entries, "}"].join("\n")];
}

/**
 * The `FromJson` reader of every generated type: the macro invocations for structs and enums, the
 * written-out readers of unions, and serde's `Deserialize` for those unions through their reader.
 */
function readers(printer: ShapePrinter, lowered: readonly RustItem[]): string[] {
  const structs: string[] = [];
  const closed: string[] = [];
  const tagged: string[] = [];
  const units: string[] = [];
  const reprs: string[] = [];
  const unions: string[] = [];
  const deserialized: string[] = [];
  for (const item of lowered) {
    if (item.kind !== "alias") deserialized.push(`    ${item.name},`);
    switch (item.kind) {
      case "struct":
        (item.closed ? closed : structs).push(...fieldBlock(item.name, item.fields));
        break;
      case "tagged-enum":
        tagged.push(`    ${item.name} ${rustString(item.tag)} {`);
        for (const variant of item.variants) {
          const head = `${rustString(variant.wire)} => ${variant.ident}`;
          // A variant without fields is a unit variant.
          tagged.push(...(variant.fields.length === 0 ? [`        ${head},`] : fieldBlock(head, variant.fields, "        ", ",")));
        }
        tagged.push("    }");
        break;
      case "unit-enum":
        units.push(`    ${item.name} {`, ...item.variants.map((variant) => `        ${rustString(variant.wire)} => ${variant.ident},`), "    }");
        break;
      case "repr-enum": {
        const expected = rustString(`one of: ${item.variants.map((variant) => variant.value).join(", ")}`);
        reprs.push(`    ${item.name} ${expected} {`, ...item.variants.map((variant) => `        ${variant.value} => ${variant.ident},`), "    }");
        break;
      }
      case "untagged-enum":
        unions.push(untaggedReader(printer, item).join("\n"));
        break;
      case "dispatch-enum":
        unions.push(dispatchReader(printer, item).join("\n"));
        break;
      case "alias":
        break;
    }
  }
  const unitEnums = new Set(lowered.filter((item) => item.kind === "unit-enum").map((item) => item.name));
  const types = lowered.flatMap(typesInside);
  const keys = [...mapKeyNames(lowered)].filter((name) => unitEnums.has(name)).sort();
  const arities = [...new Set(types.flatMap(tupleArities))].sort((a, b) => a - b);
  const use = printer.use;
  use.structs = structs.length > 0;
  use.closedStructs = closed.length > 0;
  use.taggedEnums = tagged.length > 0;
  use.unitEnums = units.length > 0;
  use.enumKeys = keys.length > 0;
  use.reprEnums = reprs.length > 0;
  use.tuples = arities.length > 0;
  use.deserializers = deserialized.length > 0;
  const fields = lowered.flatMap((item) => (item.kind === "struct" ? item.fields : item.kind === "tagged-enum" ? item.variants.flatMap((variant) => variant.fields) : []));
  use.required = fields.some((field) => !field.optional);
  use.optional = fields.some((field) => field.optional);
  return [
    ...invocation("read_structs", structs),
    ...invocation("read_closed_structs", closed),
    ...invocation("read_tagged_enums", tagged),
    ...invocation("read_unit_enums", units),
    ...invocation("read_enum_keys", keys.map((name) => `    ${name},`)),
    ...invocation("read_repr_enums", reprs),
    ...invocation("read_tuples", arities.map((arity) => `    (${Array.from({ length: arity }, (_, index) => `T${index}`).join(" ")})`)),
    ...unions,
    ...invocation("deserialize_by_reader", deserialized),
  ];
}

/** The arity of every tuple in a Rust type expression (`(A, B)` → 2, `(A,)` → 1; `()` is not a tuple). */
export function tupleArities(type: string): number[] {
  const arities: number[] = [];
  const open: { commas: number; empty: boolean; trailing: boolean; angle: number }[] = [];
  let angle = 0;
  for (const char of type) {
    if (char === "(") open.push({ commas: 0, empty: true, trailing: false, angle });
    else if (char === ")") {
      const tuple = open.pop()!;
      if (!tuple.empty) arities.push(tuple.commas + (tuple.trailing ? 0 : 1));
      const outer = open.at(-1);
      if (outer !== undefined) {
        outer.empty = false;
        outer.trailing = false;
      }
    } else if (char === "<") angle++;
    else if (char === ">") angle--;
    else if (open.length > 0) {
      const tuple = open.at(-1)!;
      if (char === "," && angle === tuple.angle) {
        tuple.commas++;
        tuple.trailing = true;
      } else if (char !== " ") {
        tuple.empty = false;
        tuple.trailing = false;
      }
    }
  }
  return arities;
}
