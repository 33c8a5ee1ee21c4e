/**
 * The operations a generated migration is made of (`migrations.ts` calls them, one call a step;
 * docs/migrations.md). Each takes a payload as JSON data and returns the migrated one without
 * changing its input: objects and arrays on the way to a change are copied, the rest is shared.
 * Every operation is total: where its path does not reach a value — an absent field, a null, a
 * value of another kind — it returns its input as it is. The Rust crate's `migrate.rs` does the
 * same, operation for operation; the conformance suite holds both to the same JSON.
 *
 * Keys are user text: a copied object gets its keys as own properties (`__proto__` included).
 */

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function assign(object: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** A copy of `object` with `key` set to `value` (appended when new) or, with `remove`, without it. */
function withKey(object: JsonObject, key: string, value: unknown, remove = false): JsonObject {
  const copy: JsonObject = {};
  for (const name of Object.keys(object)) {
    if (name === key) {
      if (!remove) assign(copy, name, value);
    } else assign(copy, name, object[name]);
  }
  if (!remove && !Object.hasOwn(object, key)) assign(copy, key, value);
  return copy;
}

/** A fresh copy of a constant, so no two migrated payloads share an object or array. */
function fresh(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fresh);
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const name of Object.keys(value)) assign(copy, name, fresh(value[name]));
  return copy;
}

/** `root` with the value at `path` (every segment an own field of an object) replaced by `change(value)`. */
export function updateAt(root: unknown, path: readonly string[], change: (value: unknown) => unknown, index = 0): unknown {
  if (index === path.length) return change(root);
  const key = path[index]!;
  if (!isObject(root) || !Object.hasOwn(root, key)) return root;
  const before = root[key];
  const after = updateAt(before, path, change, index + 1);
  return after === before ? root : withKey(root, key, after);
}

/** `root` with `value` written at `path`; missing objects on the way are created. */
function putAt(root: unknown, path: readonly string[], value: unknown, index = 0): unknown {
  if (!isObject(root)) return root;
  const key = path[index]!;
  if (index === path.length - 1) return withKey(root, key, value);
  const child = Object.hasOwn(root, key) ? root[key] : {};
  if (!isObject(child)) return root;
  return withKey(root, key, putAt(child, path, value, index + 1));
}

/** Renames or moves a field. */
export function moveField(root: unknown, from: readonly string[], to: readonly string[]): unknown {
  const name = from[from.length - 1]!;
  let taken: { value: unknown } | undefined;
  const without = updateAt(root, from.slice(0, -1), (parent) => {
    if (!isObject(parent) || !Object.hasOwn(parent, name)) return parent;
    taken = { value: parent[name] };
    return withKey(parent, name, undefined, true);
  });
  return taken === undefined ? root : putAt(without, to, taken.value);
}

/** Writes a constant. */
export function setField(root: unknown, path: readonly string[], value: unknown): unknown {
  return putAt(root, path, fresh(value));
}

/** Writes a constant where the field is absent, inside an object that is there. */
export function defaultField(root: unknown, path: readonly string[], value: unknown): unknown {
  const name = path[path.length - 1]!;
  return updateAt(root, path.slice(0, -1), (parent) => (isObject(parent) && !Object.hasOwn(parent, name) ? withKey(parent, name, fresh(value)) : parent));
}

/** Removes a field. */
export function dropField(root: unknown, path: readonly string[]): unknown {
  const name = path[path.length - 1]!;
  return updateAt(root, path.slice(0, -1), (parent) => (isObject(parent) && Object.hasOwn(parent, name) ? withKey(parent, name, undefined, true) : parent));
}

/** Replaces a scalar found in `pairs` (`[from, to, from, to, …]`). */
export function mapValue(root: unknown, path: readonly string[], pairs: readonly unknown[]): unknown {
  return updateAt(root, path, (value) => {
    for (let index = 0; index < pairs.length; index += 2) if (value === pairs[index]) return pairs[index + 1];
    return value;
  });
}

/** `value` → `{ [key]: value }` (null stays null). */
export function wrapValue(root: unknown, path: readonly string[], key: string): unknown {
  return updateAt(root, path, (value) => {
    if (value === null) return value;
    const wrapped: JsonObject = {};
    assign(wrapped, key, value);
    return wrapped;
  });
}

/** `{ [key]: value, … }` → `value`. */
export function unwrapValue(root: unknown, path: readonly string[], key: string): unknown {
  return updateAt(root, path, (value) => (isObject(value) && Object.hasOwn(value, key) ? value[key] : value));
}

/** Applies `change` to each element of an array or each value of a record at `path`. */
export function eachValue(root: unknown, path: readonly string[], change: (value: unknown) => unknown): unknown {
  return updateAt(root, path, (value) => {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const after = change(value[index]);
        if (after !== value[index]) (copy ??= value.slice())[index] = after;
      }
      return copy ?? value;
    }
    if (!isObject(value)) return value;
    let copy: JsonObject | undefined;
    for (const name of Object.keys(value)) {
      const after = change(value[name]);
      if (after !== value[name]) {
        copy ??= withKey(value, name, after);
        assign(copy, name, after);
      }
    }
    return copy ?? value;
  });
}
