/**
 * The operations a generated migration is made of (`migrations.ts` calls them, one call a step;
 * docs/migrations.md). Each takes a payload as JSON data and returns the migrated one without
 * changing its input: the objects on the way to a change are copied, everything else is shared.
 * Every operation is total: where its path does not reach a value — an absent field, a null, a
 * value of another kind — it returns its input as it is. The Rust crate's `migrate.rs` does the
 * same, operation for operation; the conformance suite holds both to the same JSON.
 *
 * How objects are copied is chosen for V8: a copy that only replaces the value of a key it has is a
 * spread then one write (the fastest copy); a copy that adds or removes a key is built key by key
 * in one pass (`rebuilt`), since adding a key to a spread copy or deleting one is many times slower.
 * Keys are user text: a spread and a computed key define own properties (`__proto__` included),
 * and `write` defines `__proto__` as an own property instead of setting the prototype.
 */

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function write(object: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** A copy of `object` with the value of `key`, which it has, replaced. */
function replaced(object: JsonObject, key: string, value: unknown): JsonObject {
  const copy = { ...object };
  write(copy, key, value);
  return copy;
}

/** A copy of `object` without `remove` and, when `add` is given, with `add` set to `value` (last). */
function rebuilt(object: JsonObject, remove: string | undefined, add?: string, value?: unknown): JsonObject {
  const copy: JsonObject = {};
  const names = Object.keys(object);
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!;
    if (name !== remove && name !== add) write(copy, name, object[name]);
  }
  if (add !== undefined) write(copy, add, value);
  return copy;
}

/** A fresh copy of a constant, so no two migrated payloads share an object or array. */
function fresh(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fresh);
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const name of Object.keys(value)) write(copy, name, fresh(value[name]));
  return copy;
}

/** `root` with the value of its field `key` replaced by `change(value)`, when it has one: `changeAt` for a path of one field. */
export function changeField(root: unknown, key: string, change: (value: unknown) => unknown): unknown {
  if (!isObject(root) || !Object.hasOwn(root, key)) return root;
  const before = root[key];
  const after = change(before);
  return after === before ? root : replaced(root, key, after);
}

/** `root` with the value at `path` (`[]`: `root` itself) replaced by `change(value)`, when the path reaches one. */
export function changeAt(root: unknown, path: readonly string[], change: (value: unknown) => unknown, index = 0): unknown {
  if (index === path.length) return change(root);
  const key = path[index]!;
  if (!isObject(root) || !Object.hasOwn(root, key)) return root;
  const before = root[key];
  const after = changeAt(before, path, change, index + 1);
  return after === before ? root : replaced(root, key, after);
}

/** `root` with the object holding the field at `path` replaced by `change(object)`, when it is there. */
function changeHolder(root: unknown, path: readonly string[], change: (holder: JsonObject, key: string) => JsonObject): unknown {
  const key = path[path.length - 1]!;
  return changeAt(root, path.slice(0, -1), (holder) => (isObject(holder) ? change(holder, key) : holder));
}

/** `root` with `value` written at `path`; missing objects on the way are made. */
function putAt(root: unknown, path: readonly string[], value: unknown, index = 0): unknown {
  if (!isObject(root)) return root;
  const key = path[index]!;
  const has = Object.hasOwn(root, key);
  if (index === path.length - 1) return has ? replaced(root, key, value) : rebuilt(root, undefined, key, value);
  const child = has ? root[key] : {};
  if (!isObject(child)) return root;
  const after = putAt(child, path, value, index + 1);
  return has ? replaced(root, key, after) : rebuilt(root, undefined, key, after);
}

/** Renames or moves a field. */
export function moveField(root: unknown, from: readonly string[], to: readonly string[]): unknown {
  let taken: { value: unknown } | undefined;
  const sameHolder = from.length === to.length && from.every((segment, index) => index === from.length - 1 || segment === to[index]);
  const without = changeHolder(root, from, (holder, key) => {
    if (!Object.hasOwn(holder, key)) return holder;
    taken = { value: holder[key] };
    // A rename within one object: removed and written in one pass.
    return sameHolder ? rebuilt(holder, key, to[to.length - 1]!, holder[key]) : rebuilt(holder, key);
  });
  if (taken === undefined || sameHolder) return without;
  return putAt(without, to, taken.value);
}

/** Writes a constant (objects on the way are made). */
export function setField(root: unknown, path: readonly string[], value: unknown): unknown {
  return putAt(root, path, fresh(value));
}

/** Writes a constant where the field is absent, inside an object that is there. */
export function defaultField(root: unknown, path: readonly string[], value: unknown): unknown {
  return changeHolder(root, path, (holder, key) => (Object.hasOwn(holder, key) ? holder : rebuilt(holder, undefined, key, fresh(value))));
}

/** Removes a field. */
export function dropField(root: unknown, path: readonly string[]): unknown {
  return changeHolder(root, path, (holder, key) => (Object.hasOwn(holder, key) ? rebuilt(holder, key) : holder));
}

/** A scalar found in `pairs` (`[from, to, from, to, …]`) replaced; anything else as it is. */
export function mapped(value: unknown, pairs: readonly unknown[]): unknown {
  for (let index = 0; index < pairs.length; index += 2) if (value === pairs[index]) return pairs[index + 1];
  return value;
}

/** `value` → `{ [key]: value }` (null stays null). */
export function wrapped(value: unknown, key: string): unknown {
  return value === null ? value : { [key]: value };
}

/** `{ [key]: value, … }` → `value`; anything else as it is. */
export function unwrapped(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : value;
}

/** `change` applied to each element of an array or each value of a record; anything else as it is. */
export function eachOf(value: unknown, change: (item: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map(change);
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  const names = Object.keys(value);
  for (let index = 0; index < names.length; index++) write(copy, names[index]!, change(value[names[index]!]));
  return copy;
}
