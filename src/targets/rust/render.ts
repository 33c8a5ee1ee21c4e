/**
 * Prints Rust items as source text already in `rustfmt` form (default settings, 100 columns), so
 * `cargo fmt --check` passes on the crate as generated.
 */
import { deriveLine, type ExtraDerive } from "./derives.js";
import { docComment, rustString, withoutLiterals } from "./escape.js";
import type { RustField, RustItem, UntaggedVariant } from "./model.js";
import { rustIdent } from "./names.js";

const MAX_WIDTH = 100;
const ATTR_ARGS_WIDTH = 70;
/**
 * serde's traits on generated types: `Serialize` derived; `Deserialize` is implemented in
 * validate.rs through each type's reader (`FromJson`), one line a type where serde's derive
 * printed a visitor of its own — most of the crate's build time — and read differently from
 * `Event::from_json_str` (a struct from an array, for one).
 */
const SERDE = ["Serialize"];

/** Doc comment lines for raw doc text (model `docs`), escaped by the one doc-comment escape. */
export function docs(lines: readonly string[], indent: string): string[] {
  return docComment(lines, indent);
}

/** `#[name(a, b)]`, broken one argument per line when it does not fit, as rustfmt does. */
export function attribute(name: string, args: readonly string[], indent: string): string[] {
  const list = args.join(", ");
  const line = `${indent}#[${name}(${list})]`;
  // rustfmt's attr_fn_like_width (70) bounds a list of several arguments; one argument breaks only past 100 columns.
  if (line.length <= MAX_WIDTH && (args.length === 1 || list.length <= ATTR_ARGS_WIDTH)) return [line];
  return [`${indent}#[${name}(`, ...args.map((arg, index) => `${indent}    ${arg}${index < args.length - 1 ? "," : ""}`), `${indent})]`];
}

/** A match arm, in block form when it does not fit on one line. */
export function matchArm(pattern: string, body: string, indent: string): string[] {
  const line = `${indent}${pattern} => ${body},`;
  if (line.length <= MAX_WIDTH) return [line];
  return [`${indent}${pattern} => {`, `${indent}    ${body}`, `${indent}}`];
}

function fieldLines(field: RustField, indent: string, visibility: string): string[] {
  const ident = rustIdent(field.ident);
  const serde: string[] = [];
  if (ident !== field.wire) serde.push(`rename = ${rustString(field.wire)}`);
  // Absent stays absent when written (reading is the type's reader's, in validate.rs).
  if (field.optional) serde.push('skip_serializing_if = "Option::is_none"');
  const lines = docs(field.docs, indent);
  if (serde.length > 0) lines.push(...attribute("serde", serde, indent));
  if (field.type.share !== field.type.rust) lines.push(...typeshareAttribute(`(serialized_as = ${rustString(field.type.share)})`, indent));
  const line = `${indent}${visibility}${ident}: ${field.type.rust},`;
  // rustfmt moves the type of a field too long for one line onto the next.
  lines.push(...(line.length <= MAX_WIDTH ? [line] : [`${indent}${visibility}${ident}:`, `${indent}    ${field.type.rust},`]));
  return lines;
}

function shareAttribute(item: RustItem): string[] {
  return typeshareAttribute(item.share.kind === "faithful" ? "" : `(serialized_as = ${rustString(item.share.as)})`, "");
}

/**
 * A typeshare annotation (`typeshare` followed by `args`) that only the `typeshare` feature hands
 * to the attribute macro: typeshare-cli reads it from the source either way, and a build without
 * the feature skips a macro that changes nothing in the compiled code.
 */
function typeshareAttribute(args: string, indent: string): string[] {
  return attribute("cfg_attr", [`feature = ${rustString(TYPESHARE_FEATURE)}`, `typeshare${args}`], indent);
}

/** The crate feature under which the types' typeshare annotations run the attribute macro. */
export const TYPESHARE_FEATURE = "typeshare";

/** Longest field list rustfmt keeps on one line in a struct variant (`struct_variant_width`). */
const STRUCT_VARIANT_WIDTH = 35;

/** A struct variant: on one line when its fields are bare and short, as rustfmt prints it. */
function structVariant(ident: string, fields: readonly RustField[], indent: string, compact: boolean): string[] {
  if (fields.length === 0) return [`${indent}${ident} {},`];
  const bare = fields.every((field) => field.docs.length === 0 && fieldLines(field, "", "").length === 1);
  const list = fields.map((field) => `${rustIdent(field.ident)}: ${field.type.rust}`).join(", ");
  const line = `${indent}${ident} { ${list} },`;
  if (compact && bare && list.length <= STRUCT_VARIANT_WIDTH && line.length <= MAX_WIDTH) return [line];
  return [`${indent}${ident} {`, ...structBody(fields, `${indent}    `, ""), `${indent}},`];
}

function structBody(fields: readonly RustField[], indent: string, visibility: string): string[] {
  return fields.flatMap((field) => fieldLines(field, indent, visibility));
}

function variantRename(ident: string, wire: string, indent: string): string[] {
  return ident === wire ? [] : attribute("serde", [`rename = ${rustString(wire)}`], indent);
}

/**
 * Variants of one enum, each with its attributes and docs. rustfmt prints every struct variant
 * vertically when the enum mixes one-line and multi-line variants; otherwise short bare ones stay
 * on one line.
 */
function variantList(render: (compact: boolean) => string[][]): string[] {
  const compact = render(true);
  const multi = compact.filter((variant) => variant.length > 1).length;
  return (multi > 0 && multi < compact.length ? render(false) : compact).flat();
}

function untaggedVariant(variant: UntaggedVariant): string[] {
  const head = docs(variant.docs, "    ");
  switch (variant.shape) {
    case "unit":
      return [...head, `    ${variant.ident},`];
    case "newtype":
      return [...head, `    ${variant.ident}(${variant.type.rust}),`];
  }
}

/** An item as Rust source; `extra` are the comparison and hashing traits it derives (derives.ts). */
export function renderItem(item: RustItem, extra: readonly ExtraDerive[] = []): string {
  const lines = docs(item.docs, "");
  switch (item.kind) {
    case "struct":
      lines.push(...shareAttribute(item), deriveLine(["Debug", "Clone"], extra, SERDE));
      if (item.fields.length === 0) lines.push(`pub struct ${item.name} {}`);
      else lines.push(`pub struct ${item.name} {`, ...structBody(item.fields, "    ", "pub "), "}");
      break;
    case "alias":
      lines.push(...shareAttribute(item), `pub type ${item.name} = ${item.type.rust};`);
      break;
    case "unit-enum":
      lines.push(...shareAttribute(item), deriveLine(["Debug", "Clone", "Copy"], extra, SERDE), `pub enum ${item.name} {`);
      for (const variant of item.variants) lines.push(...variantRename(variant.ident, variant.wire, "    "), `    ${variant.ident},`);
      lines.push("}");
      break;
    case "repr-enum":
      lines.push(...shareAttribute(item), deriveLine(["Debug", "Clone", "Copy"], extra, ["Serialize_repr"]), "#[repr(i64)]", `pub enum ${item.name} {`);
      for (const variant of item.variants) lines.push(`    ${variant.ident} = ${variant.value},`);
      lines.push("}");
      break;
    case "tagged-enum":
      lines.push(...shareAttribute(item), deriveLine(["Debug", "Clone"], extra, SERDE), ...attribute("serde", [`tag = ${rustString(item.tag)}`], ""), `pub enum ${item.name} {`);
      lines.push(
        ...variantList((compact) =>
          item.variants.map((variant) => [
            ...docs(variant.docs, "    "),
            ...variantRename(variant.ident, variant.wire, "    "),
            ...(variant.fields.length === 0 ? [`    ${variant.ident},`] : structVariant(variant.ident, variant.fields, "    ", compact)),
          ]),
        ),
      );
      lines.push("}");
      break;
    case "dispatch-enum":
      // Each member's struct writes its own discriminator; Deserialize (validate.rs) reads it first.
      lines.push(...shareAttribute(item), deriveLine(["Debug", "Clone"], extra, ["Serialize"]), "#[serde(untagged)]", `pub enum ${item.name} {`);
      lines.push(...item.variants.flatMap((variant) => [...docs(variant.docs, "    "), `    ${variant.ident}(${variant.type.rust}),`]));
      lines.push("}");
      break;
    case "untagged-enum":
      // Deserialize is written out in validate.rs: members are tried in order and must also be valid.
      lines.push(...shareAttribute(item), deriveLine(["Debug", "Clone"], extra, ["Serialize"]), "#[serde(untagged)]", `pub enum ${item.name} {`);
      lines.push(...item.variants.flatMap(untaggedVariant));
      lines.push("}");
      break;
  }
  return lines.join("\n");
}

/** The `use` lines a module body needs, sorted as rustfmt sorts them. */
export function imports(source: string, extra: readonly string[] = []): string[] {
  // Only code counts: names inside doc comments and string literals need no import.
  const body = withoutLiterals(source);
  const uses = [...extra];
  if (/\bBTreeMap</.test(body)) uses.push("use std::collections::BTreeMap;");
  if (/\bJsonValue\b/.test(body) && !/pub type JsonValue/.test(body)) uses.push("use crate::wire::JsonValue;");
  const serde = ["Deserialize", "Serialize"].filter((name) => new RegExp(`\\b${name}\\b`).test(body));
  if (serde.length === 1) uses.push(`use serde::${serde[0]!};`);
  if (serde.length > 1) uses.push(`use serde::{${serde.join(", ")}};`);
  if (/\bSerialize_repr\b/.test(body)) uses.push("use serde_repr::Serialize_repr;");
  const plainTypeshare = /#\[typeshare\b/.test(source);
  if (plainTypeshare) uses.push("use typeshare::typeshare;");
  uses.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // The annotations under the feature need the macro in scope only when the feature is on.
  if (!plainTypeshare && /#\[cfg_attr\(\s*feature = "typeshare",\s*typeshare\b/.test(source)) uses.push("", `#[cfg(feature = ${rustString(TYPESHARE_FEATURE)})]`, "use typeshare::typeshare;");
  return uses;
}
