/**
 * Proves a migration before any code is emitted: the type of its result (`derive.ts`) must be
 * included in the type of the version it produces, as the registry's comparer decides it for a
 * backward-compatible change — every value of the result is a valid payload of that version. A
 * finding that breaks is an error naming the event, version, direction and field path, with the
 * registry's own sentence. What the comparer does not understand is never taken as proven.
 *
 * Fields an old payload may carry undeclared (readers ignore unknown fields) are the one thing
 * types cannot see: a field that version n declares, version n−1 did not and no step wrote could
 * arrive in an old payload with any value. Such a field is cleared by the compiled migration (a
 * `drop` appended to the steps, in objects reached through fields, arrays and records); where it
 * cannot be cleared without touching a declared one (inside a union), the migration is refused.
 */
import type { Catalogue, MigrationStep, NamedMigrationDef, ObjectNode, TypeNode } from "../ir/types.js";
import { compareRawSchemas } from "../registry/check.js";
import { definitions, DIALECT, nodeSchema, reachableTypes } from "../targets/jsonschema/schema.js";
import { deriveType, MigrationTypeError, resolved, type DeriveContext } from "./derive.js";

export interface MigrationProblem {
  message: string;
  path?: string;
}

/**
 * The compiled steps of one direction (the declared ones, then the clears), or the problems that
 * refuse it. `from` and `to` are the payload types of the version read and the version produced.
 */
export function proveMigration(
  from: TypeNode,
  to: TypeNode,
  steps: MigrationStep[],
  types: Catalogue["types"],
  migrations: (id: string) => NamedMigrationDef | undefined,
  label: string,
): { steps: MigrationStep[] } | { problems: MigrationProblem[] } {
  const byName = new Map(types.map((type) => [type.name, type.type]));
  const context: DeriveContext = { resolve: (name) => byName.get(name), migration: migrations };
  let derived: TypeNode;
  try {
    derived = deriveType(from, steps, context);
  } catch (error) {
    if (error instanceof MigrationTypeError) return { problems: [{ message: error.message, ...(error.at === "" ? {} : { path: error.at }) }] };
    throw error;
  }
  const clears: MigrationStep[] = [];
  const refused: MigrationProblem[] = [];
  collectClears(derived, to, [], context, clears, refused, false);
  if (refused.length > 0) return { problems: refused };

  const catalogue: Catalogue = { events: [], types };
  const schemaOf = (node: TypeNode): Record<string, unknown> => {
    const schema: Record<string, unknown> = { $schema: DIALECT, ...nodeSchema(node) };
    const names = reachableTypes([node], catalogue);
    if (names.length > 0) schema["$defs"] = definitions(names, catalogue);
    return schema;
  };
  const result = compareRawSchemas(schemaOf(derived), schemaOf(to), { policy: "tolerant", mode: "backward", label });
  const problems = result.findings
    .filter((finding) => finding.severity === "error")
    .map((finding) => ({ message: `its result is not always a valid payload: ${finding.message} (${finding.rule})`, ...(finding.path === "" ? {} : { path: finding.path }) }));
  if (problems.length > 0) return { problems };
  return { steps: [...steps, ...clears] };
}

/**
 * The drops that clear fields of `to` that `derived` does not declare, appended to `into` as steps
 * from the value at `path`; `refused` gets a problem for each one that cannot be cleared there.
 */
function collectClears(
  derivedNode: TypeNode,
  toNode: TypeNode,
  path: string[],
  context: DeriveContext,
  into: MigrationStep[],
  refused: MigrationProblem[],
  inUnion: boolean,
  seen = new Set<string>(),
): void {
  const derived = resolved(derivedNode, context);
  const to = resolved(toNode, context);
  // A named type met again on both sides has been compared already (recursive types).
  if (derivedNode.kind === "ref" && toNode.kind === "ref") {
    const key = `${derivedNode.name}\u0000${toNode.name}\u0000${path.join(".")}`;
    if (seen.has(key) || derivedNode.name === toNode.name) return;
    seen.add(key);
  }
  if (derived.kind === "nullable" || to.kind === "nullable") {
    collectClears(derived.kind === "nullable" ? derived.inner : derived, to.kind === "nullable" ? to.inner : to, path, context, into, refused, inUnion, seen);
    return;
  }
  if (derived.kind === "union" || to.kind === "union") {
    const derivedMembers = derived.kind === "union" ? derived.members : [derived];
    const toMembers = to.kind === "union" ? to.members : [to];
    for (const derivedMember of derivedMembers) {
      for (const toMember of pairedMembers(derivedMember, toMembers, context)) collectClears(derivedMember, toMember, path, context, into, refused, true, seen);
    }
    return;
  }
  if (derived.kind === "object" && to.kind === "object") {
    const declared = new Set(derived.fields.map((field) => field.name));
    for (const field of to.fields) {
      const mine = derived.fields.find((candidate) => candidate.name === field.name);
      if (mine !== undefined) {
        collectClears(mine.type, field.type, [...path, field.name], context, into, refused, inUnion, seen);
        continue;
      }
      if (derived.additional !== "ignore" || declared.has(field.name)) continue;
      if (inUnion) {
        refused.push({
          message: `the version produced declares "${field.name}" in a member of a union that the version read does not declare; an old payload may carry it with any value, and it cannot be cleared there without clearing it in the other members: write it with "set" or remove it with "drop" in the steps`,
          path: [...path, field.name].join("."),
        });
        continue;
      }
      into.push({ op: "drop", path: [...path, field.name] });
    }
    return;
  }
  if ((derived.kind === "array" && to.kind === "array") || (derived.kind === "record" && to.kind === "record")) {
    const inner: MigrationStep[] = [];
    const derivedItems = derived.kind === "array" ? derived.items : (derived as Extract<TypeNode, { kind: "record" }>).values;
    const toItems = to.kind === "array" ? to.items : (to as Extract<TypeNode, { kind: "record" }>).values;
    collectClears(derivedItems, toItems, [], context, inner, refused, inUnion, seen);
    if (inner.length > 0) {
      if (inUnion) refused.push({ message: `fields inside the elements at "${path.join(".")}" would need clearing inside a union member; write them with "set" in the steps`, path: path.join(".") });
      else into.push({ op: "each", path, steps: inner });
    }
  }
}

/** The members of `to` a derived member may be valid as: by the discriminator's value where both say it, else every object member. */
function pairedMembers(derived: TypeNode, toMembers: readonly TypeNode[], context: DeriveContext): TypeNode[] {
  const mine = resolved(derived, context);
  if (mine.kind !== "object") return toMembers.filter((member) => resolved(member, context).kind === mine.kind);
  const tagOf = (object: ObjectNode, key: string): unknown => {
    const field = object.fields.find((candidate) => candidate.name === key && !candidate.optional);
    const type = field === undefined ? undefined : resolved(field.type, context);
    return type?.kind === "literal" ? type.value : undefined;
  };
  const objects = toMembers.filter((member) => resolved(member, context).kind === "object");
  const keys = new Set(objects.flatMap((member) => (resolved(member, context) as ObjectNode).fields.map((field) => field.name)));
  for (const key of keys) {
    const tag = tagOf(mine, key);
    if (tag === undefined) continue;
    const tags = objects.map((member) => tagOf(resolved(member, context) as ObjectNode, key));
    if (tags.every((value) => value !== undefined)) return objects.filter((_, index) => tags[index] === tag);
  }
  return objects;
}
