/**
 * Lowers IR type nodes to Rust items (model.ts).
 *
 * Mapping, node by node:
 *   string → String · number (integer) → i64 · number → f64 · boolean → bool · null → ()
 *   unknown → JsonValue (serde_json::Value) · array → Vec<T> · record → BTreeMap<K, V>
 *   nullable → Option<T> · ref → the named type, boxed where it closes a cycle
 *   tuple → (A, B, …) (with a rest element: Vec<JsonValue>)
 *   object → struct · enum / string literal(s) → unit enum · integer literal(s) → repr enum
 *   union with discriminator → internally tagged enum of struct variants, or — when a member is a
 *   named type — an enum of newtype variants over the members' own structs (`dispatch-enum`)
 *   other unions → untagged enum · nullable named type → its non-null part, `Option<…>` where used
 * Inline objects, enums and unions become items named after where they sit:
 * `<Owner><Field>` (`SessionInfoTime`), `<Enum><Variant><Field>` inside tagged variants. Those are
 * derived names: the namespace hands out a numeric suffix when one is taken (names.ts).
 */
import { EventcError } from "../../errors.js";
import type { Catalogue, Field, NamedType, ObjectNode, TypeNode, UnionNode } from "../../ir/types.js";
import { listCheck, mapCheck, nodeCheck, nonNull, requireRustText, withCheck } from "./checks.js";
import { docJson } from "./escape.js";
import type { RustField, RustItem, RustType, ShareWarning, UntaggedVariant } from "./model.js";
import { distinctIdents, fieldIdent, pascalCase, TypeNamespace, variantIdent, type NameOwner } from "./names.js";

/** Where a type expression sits: the item prefix for inline names, and the named type it belongs to. */
export interface Place {
  /** PascalCase prefix for inline items declared here. */
  prefix: string;
  /** Human description of the owner, for messages. */
  owner: string;
  /** The named type whose definition this is part of (for recursion), if any. */
  named?: string;
  /** Inside a Vec or map: a reference here needs no Box. */
  indirect: boolean;
  context: { event?: string; version?: number; path?: string; file?: string };
}

const same = (rust: string): RustType => ({ rust, share: rust });

/** The JSON value type: `serde_json::Value` behind an alias typeshare maps to each language's "any JSON". */
export const JSON_VALUE = "JsonValue";

export class Lowering {
  readonly items: RustItem[] = [];
  readonly warnings: ShareWarning[] = [];
  readonly namespace = new TypeNamespace();
  private readonly named = new Map<string, NamedType>();
  private readonly typeNames = new Map<string, string>();
  /** Named types reachable from each named type without passing through a Vec or map. */
  private readonly directReach = new Map<string, Set<string>>();

  /**
   * Claims every name the user gave (named types, then `payloads`), so derived names, handed out
   * while lowering, never take one. A named type whose Rust name the crate reserves is `<Name>Type`.
   */
  constructor(catalogue: Catalogue, payloads: readonly { name: string; owner: NameOwner }[]) {
    for (const type of catalogue.types) this.named.set(type.name, type);
    const sources = typeSources(catalogue);
    const renamed: NamedType[] = [];
    for (const type of catalogue.types) {
      const rust = variantIdent(type.name);
      if (TypeNamespace.reserved(rust)) renamed.push(type);
      else this.typeNames.set(type.name, this.namespace.claim(rust, { label: `type "${type.name}"`, ...sources.get(type.name) }));
    }
    for (const payload of payloads) this.namespace.claim(payload.name, payload.owner);
    for (const type of renamed) this.typeNames.set(type.name, this.namespace.derive(`${variantIdent(type.name)}Type`));
    for (const type of catalogue.types) this.directReach.set(type.name, this.reach(type.name));
  }

  /** The Rust name of a named type. */
  typeName(name: string): string {
    const rust = this.typeNames.get(name);
    if (rust === undefined) throw new EventcError(`reference to unknown type "${name}"`);
    return rust;
  }

  /**
   * Declares a named type at top level (its name already claimed). A nullable named type is
   * declared as its non-null part; where it is used it is `Option<…>`, like a nullable field.
   */
  namedType(type: NamedType): void {
    const name = this.typeName(type.name);
    this.declare(name, nonNull(type.type) ?? type.type, docLines(type.description, type.type.description), {
      prefix: name,
      owner: `type "${type.name}"`,
      named: type.name,
      indirect: false,
      context: {},
    });
  }

  /** Declares an item called `name` for `node`: a struct, an enum or an alias. */
  declare(name: string, node: TypeNode, docs: string[], place: Place): void {
    switch (node.kind) {
      case "object":
        this.items.push({ kind: "struct", name, docs, share: { kind: "faithful" }, fields: this.fields(node, name, place), closed: node.additional === "reject" });
        return;
      case "enum":
        this.unitEnum(name, docs, node.values, "enum value", place);
        return;
      case "literal":
        if (typeof node.value === "string") return this.unitEnum(name, docs, [node.value], "literal", place);
        if (isInteger(node.value)) return this.reprEnum(name, docs, [node.value], place);
        break;
      case "union":
        if (node.discriminator !== undefined && node.tags !== undefined) return this.taggedEnum(name, docs, node, place);
        if (node.members.every((member) => member.kind === "literal" && typeof member.value === "string")) {
          return this.unitEnum(name, docs, node.members.map((member) => String((member as { value: string }).value)), "literal", place);
        }
        if (node.members.every((member) => member.kind === "literal" && isInteger(member.value))) {
          return this.reprEnum(name, docs, node.members.map((member) => (member as { value: number }).value), place);
        }
        return this.untaggedEnum(name, docs, node, place);
      default:
        break;
    }
    const type = this.expr(node, { ...place, prefix: name });
    this.items.push({ kind: "alias", name, docs, share: type.share === type.rust ? { kind: "faithful" } : { kind: "stand-in", as: type.share }, type });
  }

  /** A type expression for `node` with its validation, declaring inline items as needed. */
  expr(node: TypeNode, place: Place): RustType {
    const type = this.bareExpr(node, place);
    // A reference's check is made with its type (it depends on the named type's nullability).
    if (node.kind === "ref") return type;
    const check = nodeCheck(node, type, place, this.named);
    return check === undefined ? type : { ...type, check };
  }

  private bareExpr(node: TypeNode, place: Place): RustType {
    switch (node.kind) {
      case "string":
        return same("String");
      case "number":
        return node.integer ? { rust: "i64", share: "I54" } : same("f64");
      case "boolean":
        return same("bool");
      case "null":
        return same("()");
      case "unknown":
        return same(JSON_VALUE);
      case "literal":
        if (typeof node.value === "boolean") {
          this.warn(place.prefix, `the literal ${node.value} is carried as a plain bool in Rust`, place);
          return same("bool");
        }
        if (typeof node.value === "number" && !isInteger(node.value)) {
          this.warn(place.prefix, `the literal ${node.value} is carried as a plain f64 in Rust`, place);
          return same("f64");
        }
        return this.inline(node, place);
      case "enum":
      case "object":
      case "union":
        return this.inline(node, place);
      case "array": {
        const items = this.expr(node.items, { ...place, prefix: `${place.prefix}Item`, indirect: true });
        if (items.rust.startsWith("Option<")) this.warn(place.prefix, "typeshare writes a list of nullable items without null, so typeshare's output cannot hold a null item", place);
        return withCheck({ rust: `Vec<${items.rust}>`, share: `Vec<${items.share}>` }, listCheck(node, items.check));
      }
      case "tuple": {
        if (node.rest !== undefined) {
          this.warn(place.prefix, "a tuple with rest elements is carried as a list of JSON values", place);
          const items = node.items.map((item, index) => this.expr(item, { ...place, prefix: `${place.prefix}${index}`, indirect: true }));
          const rest = this.expr(node.rest, { ...place, prefix: `${place.prefix}Rest`, indirect: true });
          return { rust: `Vec<${JSON_VALUE}>`, share: `Vec<${JSON_VALUE}>`, check: { kind: "rest-tuple", items, rest } };
        }
        const items = node.items.map((item, index) => this.expr(item, { ...place, prefix: `${place.prefix}${index}` }));
        this.warn(place.prefix, "typeshare has no tuples, so typeshare's output gets opaque JSON; an object with named fields (a wire change) would be typed there", place);
        const tuple = { rust: `(${items.map((item) => item.rust).join(", ")}${items.length === 1 ? "," : ""})`, share: JSON_VALUE };
        return withCheck(tuple, items.some((item) => item.check) ? { kind: "tuple", items: items.map((item) => item.check) } : undefined);
      }
      case "record": {
        const key = node.keys.kind === "enum" ? this.inline(node.keys, { ...place, prefix: `${place.prefix}Key` }) : same("String");
        const values = this.expr(node.values, { ...place, prefix: `${place.prefix}Value`, indirect: true });
        if (values.rust.startsWith("Option<")) this.warn(place.prefix, "typeshare writes a map of nullable values without null, so typeshare's output cannot hold a null value", place);
        const keys = node.keys.kind === "string" ? this.expr(node.keys, place).check : undefined;
        return withCheck({ rust: `BTreeMap<${key.rust}, ${values.rust}>`, share: `HashMap<${key.share}, ${values.share}>` }, mapCheck(node, keys, values.check));
      }
      case "nullable": {
        // Any JSON already holds null.
        if (this.resolve(node.inner).kind === "unknown") return this.expr(node.inner, place);
        const inner = this.expr(node.inner, place);
        return withCheck({ rust: `Option<${inner.rust}>`, share: `Option<${inner.share}>` }, inner.check && { kind: "option", inner: inner.check });
      }
      case "ref": {
        const name = this.typeName(node.name);
        const boxed = !place.indirect && place.named !== undefined && (this.directReach.get(node.name)?.has(place.named) ?? false);
        const type = withCheck(boxed ? { rust: `Box<${name}>`, share: name } : same(name), nodeCheck(node, same(name), place, this.named));
        const target = this.named.get(node.name);
        if (target === undefined || nonNull(target.type) === undefined) return type;
        // A nullable named type: the type is its non-null part, so a reference is `Option<…>`.
        return withCheck({ rust: `Option<${type.rust}>`, share: `Option<${type.share}>` }, type.check && { kind: "option", inner: type.check });
      }
    }
  }

  /** Declares `node` as an item named after its place (a derived name) and refers to it. */
  private inline(node: TypeNode, place: Place): RustType {
    const name = this.namespace.derive(place.prefix);
    this.declare(name, node, docLines(node.description), place);
    return same(name);
  }

  fields(node: ObjectNode, prefix: string, place: Place, skip?: string): RustField[] {
    const kept = node.fields.filter((field) => field.name !== skip);
    const idents = distinctIdents(kept.map((field) => field.name), fieldIdent, "_");
    return kept.map((field, index) => this.field(field, idents[index]!, prefix, place));
  }

  private field(field: Field, ident: string, prefix: string, place: Place): RustField {
    const path = place.context.path === undefined || place.context.path === "" ? field.name : `${place.context.path}.${field.name}`;
    requireRustText(field.name, "field name", { ...place, context: { ...place.context, path } });
    // Null on the wire is `None` in Rust: a nullable node, or a reference to a nullable named type.
    const resolved = this.resolve(field.type);
    const nullable = resolved.kind === "nullable" && this.resolve(resolved.inner).kind !== "unknown";
    const type = this.expr(field.type, { ...place, prefix: `${prefix}${variantIdent(field.name)}`, indirect: false, context: { ...place.context, path } });
    const docs = docLines(field.description, field.type.kind === "object" || field.type.kind === "enum" || field.type.kind === "union" ? undefined : field.type.description);
    if (field.default !== undefined) {
      if (docs.length > 0) docs.push("");
      docs.push(`Absent on the wire means the default ${docJson(field.default)}.`);
    }
    if (!field.optional) return { ident, wire: field.name, type, docs, optional: false, nullable };
    const optionalType: RustType = { rust: `Option<${type.rust}>`, share: `Option<${type.share}>` };
    if (type.check !== undefined) optionalType.check = { kind: "option", inner: type.check };
    return {
      ident,
      wire: field.name,
      type: optionalType,
      docs,
      optional: true,
      nullable,
    };
  }

  private unitEnum(name: string, docs: string[], values: string[], what: string, place: Place): void {
    for (const value of values) requireRustText(value, what, place);
    const idents = distinctIdents(values, variantIdent, "");
    this.items.push({ kind: "unit-enum", name, docs, share: { kind: "faithful" }, variants: values.map((wire, index) => ({ ident: idents[index]!, wire })) });
  }

  private reprEnum(name: string, docs: string[], values: number[], place: Place): void {
    this.warn(name, "typeshare has no integer enums, so typeshare's output gets a plain integer; string values (z.enum, a wire change) would give an enum there", place);
    const variants = values.map((value) => ({ ident: value < 0 ? `Minus${-value}` : `V${value}`, value }));
    this.items.push({ kind: "repr-enum", name, docs, share: { kind: "stand-in", as: "I54" }, variants });
  }

  private taggedEnum(name: string, docs: string[], node: UnionNode, place: Place): void {
    const tag = node.discriminator!;
    const tags = node.tags!;
    requireRustText(tag, "discriminator", place);
    for (const value of tags) requireRustText(value, "discriminator value", place);
    this.warn(name, `typeshare has only adjacently tagged enums and "${tag}" sits inside each variant's object, so typeshare's output gets opaque JSON`, place);
    const idents = distinctIdents(tags, variantIdent, "");
    const share = { kind: "stand-in", as: JSON_VALUE } as const;
    // A strict member needs a struct of its own: serde denies unknown fields per struct, never per
    // variant of an internally tagged enum.
    const strict = node.members.some((member) => this.objectOf(member, place).object.additional === "reject");
    if (strict || node.members.some((member) => member.kind === "ref")) {
      // A named member keeps its one Rust type: variants wrap the members' structs, which hold the discriminator.
      const variants = node.members.map((member, index) => {
        const ident = idents[index]!;
        this.objectOf(member, place);
        const variantPlace = { ...place, prefix: `${name}${ident}`, owner: `${place.owner} variant "${tags[index]}"`, indirect: false };
        return { ident, wire: tags[index]!, docs: docLines(member.description), type: this.expr(member, variantPlace) };
      });
      this.items.push({ kind: "dispatch-enum", name, docs, share, tag, variants });
      return;
    }
    const variants = node.members.map((member, index) => {
      const ident = idents[index]!;
      const { object, description } = this.objectOf(member, place);
      const variantPlace = { ...place, prefix: `${name}${ident}`, owner: `${place.owner} variant "${tags[index]}"` };
      return { ident, wire: tags[index]!, docs: docLines(member.description ?? description), fields: this.fields(object, `${name}${ident}`, variantPlace, tag) };
    });
    this.items.push({ kind: "tagged-enum", name, docs, share, tag, variants });
  }

  private untaggedEnum(name: string, docs: string[], node: UnionNode, place: Place): void {
    this.warn(name, "typeshare has no untagged enums, so typeshare's output gets opaque JSON", place);
    const idents = distinctIdents(node.members.map(memberWord), (word) => word, "");
    const variants = node.members.map((member, index): UntaggedVariant => {
      const ident = idents[index]!;
      const memberDocs = docLines(member.description);
      if (member.kind === "null") return { ident, docs: memberDocs, shape: "unit" };
      // Object members become structs of their own, so each member can be read and checked alone.
      return { ident, docs: memberDocs, shape: "newtype", type: this.expr(member, { ...place, prefix: `${name}${ident}`, indirect: false }) };
    });
    this.items.push({ kind: "untagged-enum", name, docs, share: { kind: "stand-in", as: JSON_VALUE }, variants });
  }

  /** `node`, or the type of the named type it refers to (through refs to refs). */
  private resolve(node: TypeNode): TypeNode {
    let resolved = node;
    for (let depth = 0; resolved.kind === "ref" && depth < 32; depth++) resolved = this.named.get(resolved.name)?.type ?? resolved;
    return resolved;
  }

  /** The object a discriminated-union member is, following refs. */
  private objectOf(member: TypeNode, place: Place): { object: ObjectNode; description?: string } {
    let node = member;
    let description: string | undefined;
    for (let depth = 0; node.kind === "ref" && depth < 32; depth++) {
      const target = this.named.get(node.name);
      if (target === undefined) break;
      description ??= target.description;
      node = target.type;
    }
    if (node.kind !== "object") throw new EventcError(`a discriminated union member of ${place.owner} is not an object`, place.context);
    return description === undefined ? { object: node } : { object: node, description };
  }

  /**
   * Records what typeshare cannot carry faithfully. A derived item's name is not what the user
   * wrote, so the reason ends with where it sits: ` (the "error" field of session.error.v1)`.
   */
  private warn(type: string, reason: string, place: Place): void {
    const { event, version, path } = place.context;
    const owner = place.named !== undefined ? `type "${place.named}"` : event !== undefined && version !== undefined ? `${event}.v${version}` : undefined;
    const origin = owner === undefined || path === undefined || path === "" ? "" : ` (the "${path}" field of ${owner})`;
    this.warnings.push({ type, reason: `${reason}${origin}` });
  }

  /** Named types reachable from `start` by direct containment (not through Vec or map). */
  private reach(start: string): Set<string> {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const name = queue.pop()!;
      const type = this.named.get(name);
      if (type === undefined) continue;
      for (const target of directRefs(type.type)) {
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    return seen;
  }
}

/**
 * Where each named type comes from, for messages: the file of the first event (in catalogue
 * order) whose payload reaches it. The IR records no declaration site for named types.
 */
function typeSources(catalogue: Catalogue): Map<string, { file: string; context: { file: string; event: string } }> {
  const named = new Map(catalogue.types.map((type) => [type.name, type]));
  const sources = new Map<string, { file: string; context: { file: string; event: string } }>();
  for (const event of catalogue.events) {
    const source = { file: event.source.file, context: { file: event.source.file, event: event.name } };
    const queue = event.versions.flatMap((version) => allRefs(version.payload));
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (sources.has(name)) continue;
      sources.set(name, source);
      const type = named.get(name);
      if (type !== undefined) queue.push(...allRefs(type.type));
    }
  }
  return sources;
}

/** Every named type `node` refers to directly (not through other named types). */
function allRefs(node: TypeNode): string[] {
  switch (node.kind) {
    case "ref":
      return [node.name];
    case "object":
      return [...node.fields.flatMap((field) => allRefs(field.type)), ...(typeof node.additional === "object" ? allRefs(node.additional) : [])];
    case "union":
      return node.members.flatMap(allRefs);
    case "nullable":
      return allRefs(node.inner);
    case "array":
      return allRefs(node.items);
    case "tuple":
      return [...node.items.flatMap(allRefs), ...(node.rest === undefined ? [] : allRefs(node.rest))];
    case "record":
      return allRefs(node.values);
    default:
      return [];
  }
}

function directRefs(node: TypeNode): string[] {
  switch (node.kind) {
    case "ref":
      return [node.name];
    case "object":
      return node.fields.flatMap((field) => directRefs(field.type));
    case "union":
      return node.members.flatMap(directRefs);
    case "nullable":
      return directRefs(node.inner);
    case "tuple":
      return node.items.flatMap(directRefs);
    default:
      return [];
  }
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** The variant name of an untagged-union member, by what it is. */
function memberWord(member: TypeNode): string {
  switch (member.kind) {
    case "ref":
      return variantIdent(member.name);
    case "number":
      return member.integer ? "Integer" : "Number";
    case "boolean":
      return "Bool";
    case "literal":
      return variantIdent(String(member.value));
    case "record":
      return "Map";
    case "array":
    case "tuple":
      return "List";
    default:
      return pascalCase(member.kind);
  }
}

/**
 * Doc text from descriptions: empty descriptions dropped, the others as paragraphs separated by an
 * empty line. Raw text, which may hold any line break: `docComment` (escape.ts) splits and escapes it.
 */
export function docLines(...descriptions: (string | undefined)[]): string[] {
  const parts = descriptions.filter((text): text is string => text !== undefined && text.trim() !== "");
  return parts.flatMap((text, index) => [...(index > 0 ? [""] : []), text]);
}
