/** JSON with object keys sorted at every level: a stable text for hashing and comparing shapes. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

/**
 * A deep copy of `value` with object keys sorted (arrays keep their order). The copies have no
 * prototype: keys are user text (field names, named-type ids), and on a plain `{}` assigning
 * `__proto__` would replace the prototype instead of adding the key.
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}
