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
import { Ajv } from "ajv";
import { EventcError } from "../../src/errors.js";
import type { JsonSchema } from "../../src/ir/types.js";
import { modelWitnesses } from "./support/witness.js";
import { aimed, candidates, mutateDocument, mutationArb, rawDocument, tolerantProducer, toDraft07, type Dialect as RawDialect } from "./support/raw-schema.js";

/** `EVENTC_SOUNDNESS_PAIRS` (the large run) sets both parts; the defaults keep CI fast. */
const PAIRS = Number(process.env.EVENTC_SOUNDNESS_IR_PAIRS ?? process.env.EVENTC_SOUNDNESS_PAIRS ?? 120);
const DOCUMENTS = 25;
/** The large run takes minutes per test: past vitest's default timeout, allow about a second a pair. */
const timeoutFor = (pairs: number): number => Math.max(120_000, pairs * 1_000);
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
    const counts = { pairs: 0, backward: 0, forward: 0, failedClosed: 0, annotated: 0, breaking: 0, unwitnessed: 0 };
    const examples: string[] = [];
    const started = Date.now();
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
        // Imprecision: a "breaking" verdict for which no sampled document crosses.
        for (const [direction, from, other] of [
          ["backward", previous, validateCurrent],
          ["forward", current, validatePrevious],
        ] as const) {
          if (result.verdicts[direction]) continue;
          counts.breaking++;
          const docs = fc.sample(documents(from.root, new Map(from.defs.map((def) => [def.name, def.type])), policy), { numRuns: 200, seed });
          if (!docs.some((doc) => !other(doc))) {
            counts.unwitnessed++;
            if (examples.length < 4) examples.push(`${direction}: previous ${JSON.stringify(previousJson)}\n  current ${JSON.stringify(currentJson)}\n  findings ${result.findings.map((finding) => `${finding.rule} ${finding.path} ${finding.breaks.join("+")}`).join("; ")}`);
          }
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
    console.log(
      `soundness (catalogue-shaped schemas) ${policy} (seed ${SEED}): ${counts.pairs} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s; 0 false "compatible" of ${counts.backward + counts.forward} compatible verdicts; ` +
        `${counts.breaking} breaking verdicts, ${counts.unwitnessed} without a crossing document sampled: imprecision ${((100 * counts.unwitnessed) / Math.max(1, counts.breaking)).toFixed(1)}%` +
        (examples.length > 0 ? `\n  unwitnessed, e.g.\n  ${examples.join("\n  ")}` : ""),
    );
    expect(counts.pairs).toBe(PAIRS);
    expect(counts.backward + counts.forward).toBeGreaterThanOrEqual((PAIRS * 2) / 3);
    expect(counts.failedClosed).toBeGreaterThanOrEqual(PAIRS / 3);
    expect(counts.annotated).toBeGreaterThanOrEqual(PAIRS / 20);
  }, timeoutFor(PAIRS));
});

/**
 * The whole vocabulary: random JSON Schema documents (support/raw-schema.ts) and edits of them, in
 * 2020-12 and draft-07, under both policies. Candidate documents come from the schemas themselves
 * and a small universe of values, aimed at the fields findings name, and built from the comparer's
 * model of the difference (support/witness.ts); ajv decides which are valid. A "compatible" verdict with a
 * producer document the other side rejects fails the test (soundness); a "breaking" verdict for
 * which no candidate crosses is counted as imprecise, and the share is printed (goal: under 5%).
 *
 * `EVENTC_SOUNDNESS_PAIRS=5000` runs the large check (per dialect and policy, and for the
 * catalogue-shaped part above per policy); the default (40 and 120 pairs) keeps CI fast.
 * `SOUNDNESS_SEED` replays a run; `EVENTC_SOUNDNESS_EXAMPLES` prints more unwitnessed pairs.
 */
const RAW_PAIRS = Number(process.env.EVENTC_SOUNDNESS_PAIRS ?? 40);
const RAW_CANDIDATES = Number(process.env.EVENTC_SOUNDNESS_CANDIDATES ?? 120);
/** Documents built from the comparer's model per side, when the candidates found no crossing one. */
const MODEL_WITNESSES = Number(process.env.EVENTC_SOUNDNESS_MODEL_WITNESSES ?? 8);

const ajv07 = new Ajv({ strict: false, allErrors: false });
addFormats(ajv07 as unknown as Ajv2020);

/** A validator threw instead of answering (ajv 8 has a few internal errors on unevaluatedProperties). */
class ValidatorFailed extends Error {}

type Validators = { previous: (doc: unknown) => boolean; current: (doc: unknown) => boolean };

describe.each<[RawDialect, Policy]>([
  ["2020-12", "tolerant"],
  ["2020-12", "strict"],
  ["draft-07", "tolerant"],
  ["draft-07", "strict"],
])("soundness over the whole vocabulary, %s, %s policy", (dialect, policy) => {
  it(`never calls an incompatible pair compatible, and measures imprecision (${RAW_PAIRS} pairs)`, () => {
    const stats = { fromModel: 0, pairs: 0, inputErrors: 0, validatorErrors: 0, compatible: 0, breaking: 0, unwitnessed: 0, failedClosed: 0, failedClosedUnwitnessed: 0, senderless: 0 };
    const examples: string[] = [];
    const started = Date.now();
    const newValidator = () => {
      const created = dialect === "2020-12" ? new Ajv2020({ strict: false, allErrors: false }) : new Ajv({ strict: false, allErrors: false });
      addFormats(created as Ajv2020);
      return created;
    };
    let validator = newValidator();
    fc.assert(
      fc.property(rawDocument, mutationArb, fc.nat(), (document, edits, seed) => {
        stats.pairs++;
        if (stats.pairs % 200 === 0) validator = newValidator();
        const previous = dialect === "2020-12" ? document : toDraft07(document);
        const current = dialect === "2020-12" ? mutateDocument(document, edits) : toDraft07(mutateDocument(document, edits));
        let result;
        try {
          result = compareRawSchemas(previous, current, { policy, mode: "full", label: "pair" });
        } catch (error) {
          if (!(error instanceof EventcError)) throw error;
          stats.inputErrors++;
          return;
        }
        const guard = (validate: (doc: unknown) => boolean) => (doc: unknown): boolean => {
          try {
            return validate(doc);
          } catch {
            throw new ValidatorFailed();
          }
        };
        let own: Validators;
        let producer: Validators;
        try {
          own = { previous: guard(validator.compile(previous)), current: guard(validator.compile(current)) };
          producer = policy === "strict" ? own : { previous: guard(validator.compile(tolerantProducer(previous))), current: guard(validator.compile(tolerantProducer(current))) };
        } catch {
          stats.inputErrors++;
          return;
        }
        const docs = candidates(previous, current, seed, RAW_CANDIDATES);
        const failedClosed = result.findings.some((finding) => finding.rule === "UNSUPPORTED_KEYWORD");
        try {
          for (const [direction, from, to] of [
            ["backward", "previous", "current"],
            ["forward", "current", "previous"],
          ] as const) {
            const sent = docs.filter((doc) => producer[from](doc) && own[from](doc));
            let crossing = sent.find((doc) => !own[to](doc));
            if (crossing === undefined && !result.verdicts[direction]) {
              // Aim at the fields the findings name (payload pointers), in documents the sender accepts.
              const pointers = result.findings.filter((finding) => finding.rule !== "UNSUPPORTED_KEYWORD" && finding.breaks.includes(direction)).map((finding) => finding.path);
              crossing = aimed(sent, pointers, previous, current, seed).find((doc) => producer[from](doc) && own[from](doc) && !own[to](doc));
            }
            if (crossing === undefined) {
              // Built from the comparer's model of the difference; still ajv that says whether one crosses.
              crossing = modelWitnesses(previous, current, direction, policy, seed, MODEL_WITNESSES).find((doc) => producer[from](doc) && own[from](doc) && !own[to](doc));
              if (crossing !== undefined) stats.fromModel++;
            }
            if (result.verdicts[direction]) {
              stats.compatible++;
              const context = `${direction}-compatible verdict, yet ${JSON.stringify(crossing)} is rejected;\nprevious ${JSON.stringify(previous)}\ncurrent ${JSON.stringify(current)}\nfindings ${JSON.stringify(result.findings)}`;
              expect(crossing, context).toBeUndefined();
            } else {
              stats.breaking++;
              if (failedClosed) stats.failedClosed++;
              if (crossing === undefined) {
                stats.unwitnessed++;
                // No document of the sending side was found at all: the search, not the verdict, may be what fell short.
                if (sent.length === 0) stats.senderless++;
                if (failedClosed) stats.failedClosedUnwitnessed++;
                else if (examples.length < Number(process.env.EVENTC_SOUNDNESS_EXAMPLES ?? 6)) examples.push(`${direction}: previous ${JSON.stringify(previous)}\n  current ${JSON.stringify(current)}\n  findings ${result.findings.map((finding) => `${finding.rule} ${finding.path} ${finding.breaks.join("+")}`).join("; ")}`);
              }
            }
          }
        } catch (error) {
          if (!(error instanceof ValidatorFailed)) throw error;
          stats.validatorErrors++;
        }
      }),
      { numRuns: RAW_PAIRS, seed: SEED },
    );
    const share = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;
    const modelled = stats.breaking - stats.failedClosed;
    console.log(
      `soundness ${dialect} ${policy} (seed ${SEED}): ${stats.pairs} pairs (${stats.inputErrors} input errors, ${stats.validatorErrors} skipped: ajv threw) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `0 false "compatible" of ${stats.compatible} compatible verdicts; ${stats.breaking} breaking verdicts, ${stats.unwitnessed} without a crossing document found: imprecision ${share(stats.unwitnessed, stats.breaking)} ` +
        `(${share(stats.unwitnessed - stats.failedClosedUnwitnessed, modelled)} of ${modelled} without UNSUPPORTED_KEYWORD; ${stats.failedClosed} failed closed; ` +
        `${share(stats.unwitnessed - stats.senderless, stats.breaking - stats.senderless)} where a document of the sending side was found; ${stats.fromModel} crossings found only by documents built from the model)` +
        (examples.length > 0 ? `\n  unwitnessed, e.g.\n  ${examples.join("\n  ")}` : ""),
    );
    expect(stats.compatible).toBeGreaterThan(RAW_PAIRS / 4);
  }, timeoutFor(RAW_PAIRS));
});
