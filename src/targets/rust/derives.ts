/**
 * The traits each generated type derives. Every type derives `Debug`, `Clone` and serde's traits
 * (`Copy` too on fieldless enums): what reading, writing and logging events needs. The comparison
 * and hashing traits cost build time and memory on every type of the catalogue, so they are asked
 * for in the config (`rust.derives`), and each type then gets those its fields allow: `f64` has no
 * `Eq`, `Hash` or `Ord`; a JSON value (`serde_json::Value`) has no `Hash`, `PartialOrd` or `Ord`;
 * a type holding another generated type has what that type has. An enum that keys a map
 * (`BTreeMap<Region, …>`) is always ordered: the map needs it.
 */
import { mapKeyNames, typesInside, type RustItem } from "./model.js";

/** The traits `rust.derives` may ask for, in the order a derive list names them. */
export const EXTRA_DERIVES = ["PartialEq", "Eq", "Hash", "PartialOrd", "Ord"] as const;
export type ExtraDerive = (typeof EXTRA_DERIVES)[number];

/** What deriving each trait needs derived beside it. */
const IMPLIES: Record<ExtraDerive, readonly ExtraDerive[]> = {
  PartialEq: [],
  Eq: ["PartialEq"],
  Hash: [],
  PartialOrd: ["PartialEq"],
  Ord: ["Eq", "PartialOrd"],
};

/** The traits a type expression's leaf types lack, by the name the generated code writes. */
const LACKS: Record<string, readonly ExtraDerive[]> = {
  f64: ["Eq", "Hash", "Ord"],
  JsonValue: ["Hash", "PartialOrd", "Ord"],
};

/** `wanted` with every trait it implies, in derive-list order. */
export function withImplied(wanted: readonly ExtraDerive[]): ExtraDerive[] {
  const all = new Set<ExtraDerive>();
  const add = (trait: ExtraDerive): void => {
    if (all.has(trait)) return;
    all.add(trait);
    IMPLIES[trait].forEach(add);
  };
  wanted.forEach(add);
  return EXTRA_DERIVES.filter((trait) => all.has(trait));
}

/**
 * Which of `wanted` (implied traits added) each item derives, by item name. The answer is the
 * largest that holds: every item starts with all of `wanted` and loses what a type inside it
 * lacks until nothing changes, so types that hold each other (recursion) keep what they can.
 */
export function derivesByItem(items: readonly RustItem[], wanted: readonly ExtraDerive[]): Map<string, ExtraDerive[]> {
  const full = withImplied(wanted);
  // A map keyed by an enum (`BTreeMap<Region, …>`) needs the key ordered, whatever was asked for.
  const keys = mapKeyNames(items);
  const held = new Map(items.map((item) => [item.name, new Set(keys.has(item.name) ? withImplied([...full, "Ord"]) : full)]));
  const leaves = new Map(items.map((item) => [item.name, typesInside(item).flatMap((type) => type.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const item of items) {
      const traits = held.get(item.name)!;
      for (const leaf of leaves.get(item.name)!) {
        const lacking = LACKS[leaf] ?? EXTRA_DERIVES.filter((trait) => held.has(leaf) && !held.get(leaf)!.has(trait));
        for (const trait of lacking) changed = traits.delete(trait) || changed;
      }
      // A trait whose companions were lost goes too (Ord without Eq does not compile).
      for (const trait of EXTRA_DERIVES) {
        if (traits.has(trait) && IMPLIES[trait].some((needed) => !traits.has(needed))) changed = traits.delete(trait) || changed;
      }
    }
  }
  return new Map([...held].map(([name, traits]) => [name, EXTRA_DERIVES.filter((trait) => traits.has(trait))]));
}

/** The derives of the event union and envelope: the comparisons every payload (and a JSON value, for unknown events) allows. */
export function eventDerives(byItem: ReadonlyMap<string, readonly ExtraDerive[]>, payloads: readonly string[], wanted: readonly ExtraDerive[]): ExtraDerive[] {
  return withImplied(wanted).filter((trait) => !LACKS.JsonValue!.includes(trait) && payloads.every((payload) => byItem.get(payload)?.includes(trait) === true));
}

/** `#[derive(…)]` for an item: the base traits of its kind with the extra ones in between. */
export function deriveLine(base: readonly string[], extra: readonly ExtraDerive[], serde: readonly string[]): string {
  return `#[derive(${[...base, ...extra, ...serde].join(", ")})]`;
}
