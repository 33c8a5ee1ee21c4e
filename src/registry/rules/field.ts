/**
 * Field rules: fields deleted, added, made required or optional; what an object does with the keys
 * it does not name (additionalProperties, patternProperties); which keys it allows (propertyNames);
 * dependencies between keys. Which directions a change breaks depends on the reader policy and on
 * what the other side says about the same key, so each handler asks the inclusion check about the
 * key's value on both sides:
 *
 * - what a producer may send under a key: its property schema, the patterns it matches, or the
 *   additional schema — nothing for an undeclared key of an open object under the tolerant policy,
 *   where producers send only what they declare;
 * - what a reader accepts under it: the same, with an open object accepting anything.
 */
import { ANY, NEVER, all, objectAtom, stringAtom, type ObjectAtom, type Schema } from "../model/schema.js";
import { valueSchema } from "../model/algebra.js";
import { fieldPath, isRecord, shapeOf, subjectLabel, typeName } from "../pairs.js";
import { breaksOf, directions, sameKindRule, type NodeContext } from "../rule.js";

/** Names an object declares: under `properties` or in `required`. */
function declared(atom: ObjectAtom): Set<string> {
  return new Set([...atom.properties.map((property) => property.name), ...atom.required]);
}

/** The value a producer (or a reader) of `atom` has under `key`; never when the key is not allowed. */
export function keyValue(atom: ObjectAtom, key: string, producer: boolean, context: NodeContext): Schema {
  if (atom.propertyNames.some((names) => context.algebra.accepts(names, key) === false)) return NEVER;
  const tolerantProducer = producer && context.policy === "tolerant" && !declared(atom).has(key);
  return valueSchema(atom, key, tolerantProducer ? "never" : "any");
}

function keyBreaks(previous: ObjectAtom, current: ObjectAtom, key: string, context: NodeContext) {
  return {
    backward: !context.includes(keyValue(previous, key, true, context), keyValue(current, key, false, context)),
    forward: !context.includes(keyValue(current, key, true, context), keyValue(previous, key, false, context)),
  };
}

/** Both sides are maps (records): their keys are values, compared by RECORD_KEYS_CHANGED, not fields. */
function maps(previous: ObjectAtom, current: ObjectAtom): boolean {
  return isRecord(previous) && isRecord(current);
}

function fieldLabel(context: NodeContext, name: string): string {
  return subjectLabel([...context.path, { field: name }], context.subject);
}

export const FIELD_DELETED = sameKindRule(["object"], {
  id: "FIELD_DELETED",
  family: "field",
  purpose: "A field was deleted: old documents carry it, old readers may require it.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (maps(previous, current)) return;
    const remaining = declared(current);
    for (const name of declared(previous)) {
      if (remaining.has(name)) continue;
      const found = keyBreaks(previous, current, name, context);
      const breaks = directions(found.backward, found.forward || previous.required.includes(name));
      context.report({ rule: "FIELD_DELETED", message: `${fieldLabel(context, name)} was deleted.`, breaks }, [...context.path, { field: name }]);
    }
  },
});

export const REQUIRED_FIELD_ADDED = sameKindRule(["object"], {
  id: "REQUIRED_FIELD_ADDED",
  family: "field",
  purpose: "A required field was added: old documents do not have it.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (maps(previous, current)) return;
    const before = declared(previous);
    for (const name of declared(current)) {
      if (before.has(name) || !current.required.includes(name)) continue;
      const found = keyBreaks(previous, current, name, context);
      context.report({ rule: "REQUIRED_FIELD_ADDED", message: `${fieldLabel(context, name)} was added as a required field.`, breaks: directions(true, found.forward) }, [...context.path, { field: name }]);
    }
  },
});

export const FIELD_ADDED = sameKindRule(["object"], {
  id: "FIELD_ADDED",
  family: "field",
  purpose: "An optional field was added (compatible under the tolerant policy; strict or closed objects may break).",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (maps(previous, current)) return;
    const before = declared(previous);
    for (const name of declared(current)) {
      if (before.has(name) || current.required.includes(name)) continue;
      const found = keyBreaks(previous, current, name, context);
      context.report({ rule: "FIELD_ADDED", message: `${fieldLabel(context, name)} was added as an optional field.`, breaks: directions(found.backward, found.forward) }, [...context.path, { field: name }]);
    }
  },
});

export const FIELD_MADE_REQUIRED = sameKindRule(["object"], {
  id: "FIELD_MADE_REQUIRED",
  family: "field",
  purpose: "An optional field became required: old documents may omit it.",
  breaks: ["backward"],
  handler(previous, current, context) {
    if (maps(previous, current)) return;
    const before = declared(previous);
    for (const name of current.required) {
      if (!before.has(name) || previous.required.includes(name)) continue;
      context.report({ rule: "FIELD_MADE_REQUIRED", message: `${fieldLabel(context, name)} was made required.`, breaks: ["backward"] }, [...context.path, { field: name }]);
    }
  },
});

export const FIELD_MADE_OPTIONAL = sameKindRule(["object"], {
  id: "FIELD_MADE_OPTIONAL",
  family: "field",
  purpose: "A required field became optional: old readers expect it to be present.",
  breaks: ["forward"],
  handler(previous, current, context) {
    if (maps(previous, current)) return;
    const after = declared(current);
    for (const name of previous.required) {
      if (!after.has(name) || current.required.includes(name)) continue;
      context.report({ rule: "FIELD_MADE_OPTIONAL", message: `${fieldLabel(context, name)} was made optional.`, breaks: ["forward"] }, [...context.path, { field: name }]);
    }
  },
});

/** The keys an object does not name, alone: its pattern and additional rules. */
function regions(atom: ObjectAtom): ObjectAtom {
  return { ...objectAtom(), patterns: atom.patterns, additional: atom.additional };
}

function extrasName(atom: ObjectAtom, context: NodeContext): string {
  if (atom.additional.length !== 1) return atom.additional.length === 0 ? "allowed" : "constrained";
  const schema = atom.additional[0]!.schema;
  if (schema.kind === "open") return "ignored";
  if (schema.kind === "never") return "rejected";
  return `typed as ${typeName(schema, context.algebra)}`;
}

export const UNKNOWN_FIELDS_CHANGED = sameKindRule(["object"], {
  id: "UNKNOWN_FIELDS_CHANGED",
  family: "field",
  purpose: "What an object does with unknown fields changed (open, closed with strictObject, or a catch-all type).",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    const shape = (atom: ObjectAtom): string => shapeOf({ a: atom.additional.map((rule) => rule.schema) });
    if (shape(previous) === shape(current) || (isRecord(previous) && isRecord(current))) return;
    const breaks = breaksOf(regions(previous), regions(current), context);
    if (breaks.length === 0 && extrasName(previous, context) === extrasName(current, context)) return;
    const where = context.path.length === 0 ? `the payload of "${context.subject}"` : `"${fieldPath(context.path)}" on "${context.subject}"`;
    const message = `Unknown fields in ${where} changed from ${extrasName(previous, context)} to ${extrasName(current, context)}.`;
    context.report({ rule: "UNKNOWN_FIELDS_CHANGED", message, breaks });
  },
});

export const PATTERN_PROPERTIES_CHANGED = sameKindRule(["object"], {
  id: "PATTERN_PROPERTIES_CHANGED",
  family: "field",
  purpose: "A patternProperties entry was added or removed: keys matching it are typed differently.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    const before = previous.patterns.map((rule) => rule.pattern);
    const after = current.patterns.map((rule) => rule.pattern);
    const gained = after.filter((pattern) => !before.includes(pattern));
    const lost = before.filter((pattern) => !after.includes(pattern));
    if (gained.length === 0 && lost.length === 0) return;
    const breaks = breaksOf(regions(previous), regions(current), context);
    const label = subjectLabel(context.path, context.subject);
    for (const pattern of gained) context.report({ rule: this.id, message: `${label} gained pattern properties ${JSON.stringify(pattern)}.`, breaks });
    for (const pattern of lost) context.report({ rule: this.id, message: `${label} lost pattern properties ${JSON.stringify(pattern)}.`, breaks });
  },
});

/** The keys allowed, as a string schema. */
function keys(atom: ObjectAtom): Schema {
  return all([stringAtom(), ...atom.propertyNames]);
}

export const RECORD_KEYS_CHANGED = sameKindRule(["object"], {
  id: "RECORD_KEYS_CHANGED",
  family: "field",
  purpose: "The keys an object allows (propertyNames, the key set of a map) changed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    if (shapeOf({ k: previous.propertyNames }) === shapeOf({ k: current.propertyNames })) return;
    const describe = (atom: ObjectAtom): string => {
      const name = typeName(keys(atom), context.algebra);
      return name.startsWith("enum ") ? name.slice(5) : name === '"string"' ? "string" : name;
    };
    const message = `${subjectLabel(context.path, context.subject)} changed its keys from ${describe(previous)} to ${describe(current)}.`;
    // For maps, the keys an enum requires are part of the key set.
    const keySet = (atom: ObjectAtom): ObjectAtom => ({ ...objectAtom(), propertyNames: atom.propertyNames, required: atom.required, additional: [{ names: [], patterns: [], schema: ANY }] });
    const breaks = maps(previous, current) ? breaksOf(keySet(previous), keySet(current), context) : breaksOf(keys(previous), keys(current), context);
    context.report({ rule: "RECORD_KEYS_CHANGED", message, breaks });
  },
});

type Dependency = { key: string; names: string[] } | { key: string; schema: Schema };

function dependencies(atom: ObjectAtom): Dependency[] {
  return [...atom.dependentRequired, ...atom.dependentSchemas];
}

function alone(dependency: Dependency): ObjectAtom {
  const atom: ObjectAtom = { ...objectAtom(), additional: [{ names: [], patterns: [], schema: ANY }] };
  if ("names" in dependency) atom.dependentRequired = [dependency];
  else atom.dependentSchemas = [dependency];
  return atom;
}

function describeDependency(dependency: Dependency): string {
  return "names" in dependency ? `${dependency.names.map((name) => JSON.stringify(name)).join(", ")} must be present too` : "the object must match a dependent schema";
}

export const DEPENDENCY_CHANGED = sameKindRule(["object"], {
  id: "DEPENDENCY_CHANGED",
  family: "field",
  purpose: "A dependency between fields (dependentRequired, dependentSchemas, draft-07 dependencies) was added or removed.",
  breaks: ["backward", "forward"],
  handler(previous, current, context) {
    const before = dependencies(previous);
    const after = dependencies(current);
    const has = (list: Dependency[], dependency: Dependency): boolean => list.some((other) => shapeOf(other) === shapeOf(dependency));
    // A dependency the other side already implies (a rewrite between forms) is not reported.
    for (const dependency of after.filter((each) => !has(before, each))) {
      if (context.includes(previous, alone(dependency))) continue;
      const message = `${fieldLabel(context, dependency.key)} gained a dependency: when it is present, ${describeDependency(dependency)}.`;
      context.report({ rule: this.id, message, breaks: ["backward"] }, [...context.path, { field: dependency.key }]);
    }
    for (const dependency of before.filter((each) => !has(after, each))) {
      if (context.includes(current, alone(dependency))) continue;
      const message = `${fieldLabel(context, dependency.key)} lost a dependency: when it is present, ${describeDependency(dependency)}.`;
      context.report({ rule: this.id, message, breaks: ["forward"] }, [...context.path, { field: dependency.key }]);
    }
  },
});

export const fieldRules = [
  FIELD_DELETED,
  REQUIRED_FIELD_ADDED,
  FIELD_ADDED,
  FIELD_MADE_REQUIRED,
  FIELD_MADE_OPTIONAL,
  UNKNOWN_FIELDS_CHANGED,
  RECORD_KEYS_CHANGED,
  PATTERN_PROPERTIES_CHANGED,
  DEPENDENCY_CHANGED,
];
