/**
 * Soundness: whenever the checker calls a pair of schemas backward (forward) compatible, every
 * document a producer of the previous (current) schema sends validates, with ajv, under the
 * current (previous) schema. Pairs are a random schema and a mutation of it; both reader policies.
 *
 * Fail closed: each pair is compared once more with a keyword from INJECTIONS emitted into one
 * side or both (uniqueItems, minProperties, a `required` name outside `properties`, `maxLength`
 * beside `enum`, `oneOf` over overlapping members, …). A keyword the comparer does not model must
 * be reported at its pointer and leave neither direction compatible; an annotation never is.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TypeNode } from "../../src/ir/types.js";
import { compareRawSchemas } from "../../src/registry/check.js";
import type { Policy } from "../../src/registry/types.js";
import { documents, mutate } from "./support/mutate.js";
import { canonicalJson } from "../../src/ir/canonical.js";
import { injectKeyword, randomSchema, toJsonSchema, type Injected, type RandomSchema } from "./support/random-schema.js";

const PAIRS = Number(process.env.EVENTC_SOUNDNESS_PAIRS ?? 1500);
const DOCUMENTS = 25;
const SEED = Number(process.env.SOUNDNESS_SEED ?? 20240601);

const ajv = new Ajv2020({ strict: false, allErrors: false });
// ajv-formats is CommonJS: its default export is the plugin, or a module whose default is.
const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (ajv: Ajv2020) => Ajv2020;
addFormats(ajv);

function sample(schema: RandomSchema, policy: Policy, seed: number): unknown[] | undefined {
  const defs = new Map<string, TypeNode>(schema.defs.map((def) => [def.name, def.type]));
  try {
    return fc.sample(documents(schema.root, defs, policy), { numRuns: DOCUMENTS, seed });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("unsatisfiable")) return undefined;
    throw error;
  }
}

describe.each<Policy>(["tolerant", "strict"])("soundness under the %s policy", (policy) => {
  it(`never calls an incompatible pair compatible (${PAIRS} pairs)`, () => {
    const counts = { pairs: 0, backward: 0, forward: 0, failedClosed: 0, annotated: 0 };
    const mutation = fc.tuple(fc.nat(), fc.nat(), fc.nat());
    const injection = fc.record({ side: fc.constantFrom("previous", "current", "both"), site: fc.nat(), kind: fc.nat() });
    fc.assert(
      fc.property(randomSchema, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(), injection, (previous, mutations, seed, inject) => {
        const current = mutate(previous, mutations);
        const previousJson = toJsonSchema(previous);
        const currentJson = toJsonSchema(current);
        const result = compareRawSchemas(previousJson, currentJson, { policy, mode: "full", label: "pair" });
        counts.pairs++;
        const validatePrevious = ajv.compile(previousJson);
        const validateCurrent = ajv.compile(currentJson);
        const check = (from: RandomSchema, own: typeof validatePrevious, other: typeof validatePrevious, direction: string): void => {
          const docs = sample(from, policy, seed);
          if (docs === undefined) return;
          for (const doc of docs) {
            expect(own(doc), `sampler produced a document its own schema rejects: ${JSON.stringify(doc)} ${JSON.stringify(own.errors)}`).toBe(true);
            expect(other(doc), `${direction}-compatible verdict, yet ${JSON.stringify(doc)} is rejected;\nprevious ${JSON.stringify(previousJson)}\ncurrent ${JSON.stringify(currentJson)}\nfindings ${JSON.stringify(result.findings)}`).toBe(true);
          }
        };
        if (result.verdicts.backward) {
          counts.backward++;
          check(previous, validatePrevious, validateCurrent, "backward");
        }
        if (result.verdicts.forward) {
          counts.forward++;
          check(current, validateCurrent, validatePrevious, "forward");
        }
        if (!result.verdicts.backward) {
          // The sampler must also produce valid documents for the side it was not asked to check.
          const docs = sample(previous, policy, seed) ?? [];
          for (const doc of docs) expect(validatePrevious(doc)).toBe(true);
        }

        const injectedPrevious = inject.side === "current" ? previousJson : structuredClone(previousJson);
        const injectedCurrent = inject.side === "previous" ? currentJson : structuredClone(currentJson);
        const injected: Injected[] = [];
        if (inject.side !== "current") injected.push(...[injectKeyword(injectedPrevious, inject.site, inject.kind)].filter((each) => each !== undefined));
        if (inject.side !== "previous") injected.push(...[injectKeyword(injectedCurrent, inject.site, inject.kind)].filter((each) => each !== undefined));
        const failClosed = compareRawSchemas(injectedPrevious, injectedCurrent, { policy, mode: "full", label: "pair" });
        // Equal documents are compatible whatever they hold (the same keyword injected on both sides of an unchanged pair).
        if (failClosed.findings.length === 0 && canonicalJson(injectedPrevious) === canonicalJson(injectedCurrent)) return;
        const reported = new Set(failClosed.findings.filter((finding) => finding.rule === "UNSUPPORTED_KEYWORD").map((finding) => finding.path));
        const context = `injected ${JSON.stringify(injected)}\nprevious ${JSON.stringify(injectedPrevious)}\ncurrent ${JSON.stringify(injectedCurrent)}\nfindings ${JSON.stringify(failClosed.findings)}`;
        const unmodelled = injected.filter((each) => each.pointer !== undefined);
        for (const each of unmodelled) expect(reported.has(each.pointer!), context).toBe(true);
        if (unmodelled.length > 0) {
          counts.failedClosed++;
          expect([failClosed.verdicts.backward, failClosed.verdicts.forward], context).toEqual([false, false]);
        } else {
          counts.annotated++;
          expect([...reported], context).toEqual([]);
        }
      }),
      { numRuns: PAIRS, seed: SEED },
    );
    expect(counts.pairs).toBe(PAIRS);
    expect(counts.backward + counts.forward).toBeGreaterThanOrEqual((PAIRS * 2) / 3);
    expect(counts.failedClosed).toBeGreaterThanOrEqual(PAIRS / 3);
    expect(counts.annotated).toBeGreaterThanOrEqual(PAIRS / 20);
  });
});
