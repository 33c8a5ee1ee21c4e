/** Option checks the operators share: a bad option throws a `RangeError` when the operator is made. */
export { positiveInteger } from "../core/policies.js";

/** `value`, checked to be an integer ≥ 0. */
export function positiveIntegerOrZero(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${option} must be an integer ≥ 0, got ${String(value)}`);
  return value;
}
