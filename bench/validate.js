// The `validate` suite: the generated SDK's parseEvent against Zod 4 safeParse of the same payload
// (the user's own schema), ajv compiled per version, and JSON.parse of the event text as the floor;
// valid and invalid documents separately; for every event version of the example catalogue and for
// a mix over a 500-event catalogue. Also the minified size of the SDK, whole and for one event.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { build } from "esbuild";
import ts from "typescript";
import { writeCatalogue } from "./catalogue.js";
import { ROOT, WORK } from "./measure.js";

export const name = "validate";
export const description = "generated validators: parseEvent vs Zod 4 safeParse, ajv (compiled per version) and JSON.parse";

const { sampleEventDocuments } = await import(pathToFileURL(path.join(ROOT, "dist", "conformance", "arbitraries.js")).href);
const { conformanceVectors } = await import(pathToFileURL(path.join(ROOT, "dist", "conformance", "vectors.js")).href);
const { loadCatalogue } = await import(pathToFileURL(path.join(ROOT, "dist", "load", "catalogue.js")).href);
const { findSchemaModules, importSchemaModule } = await import(pathToFileURL(path.join(ROOT, "dist", "load", "modules.js")).href);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** One timed loop of `work`: its own function, so each reader's call site stays monomorphic (no reader pays for another's). */
function timedLoop() {
  // A fresh function per measurement (bench code only): V8 keeps call-site feedback per function.
  // eslint-disable-next-line no-new-func
  return new Function(
    "work",
    "count",
    "windowMs",
    `let sink = 0, operations = 0;
     const started = performance.now();
     let elapsed = 0;
     while (elapsed < windowMs) {
       for (let i = 0; i < 256; i++) sink ^= work((operations + i) % count) ? 1 : 0;
       operations += 256;
       elapsed = performance.now() - started;
     }
     globalThis.__benchSink = sink;
     return (operations / elapsed) * 1000;`,
  );
}

/** Operations per second of `work(i)` over `count` inputs, round robin: the median of `samples` timed windows after a warm-up. */
function throughput(work, count, samples, windowMs) {
  const loop = timedLoop();
  loop(work, count, windowMs / 2);
  const rates = [];
  for (let sample = 0; sample < samples; sample++) rates.push(loop(work, count, windowMs));
  return median(rates);
}

/**
 * The straight-line validators the SDK's boolean checks and shape checker replaced
 * (test/reference/full-validators.ts, kept as the tests' oracle), as a module generator: the
 * TypeScript source transpiled here, its imports pointed at the compiled eventc in dist/.
 */
async function referenceValidators() {
  const dir = path.join(WORK, "validate", "reference");
  mkdirSync(dir, { recursive: true });
  const source = readFileSync(path.join(ROOT, "test", "reference", "full-validators.ts"), "utf8");
  const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
  const file = path.join(dir, "full-validators.js");
  writeFileSync(file, output.outputText.replaceAll('"../../src/', `"${pathToFileURL(path.join(ROOT, "dist")).href}/`));
  return (await import(pathToFileURL(file).href)).validatorsFile;
}
const fullValidatorsFile = await referenceValidators();
const { TypeScriptNames } = await import(pathToFileURL(path.join(ROOT, "dist", "targets", "typescript", "names.js")).href);

/**
 * Generates the TypeScript SDK and JSON Schemas of `schemas` into `dir`, writes the replaced
 * straight-line validators beside the SDK (`full.ts`), and transpiles both to JavaScript.
 */
async function prepare(schemas, dir, cwd) {
  rmSync(dir, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, "bin", "eventc.js"), "generate", "--schemas", schemas, "--out", dir, "--target", "typescript", "--target", "jsonschema"], { cwd });
  const reference = await loadCatalogue({ schemasDir: schemas, cwd });
  writeFileSync(path.join(dir, "ts", "full.ts"), fullValidatorsFile(reference, new TypeScriptNames(reference)));
  const js = path.join(dir, "js");
  mkdirSync(js, { recursive: true });
  for (const file of readdirSync(path.join(dir, "ts"))) {
    const source = readFileSync(path.join(dir, "ts", file), "utf8");
    if (!file.endsWith(".ts")) {
      writeFileSync(path.join(js, file), source);
      continue;
    }
    const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    writeFileSync(path.join(js, file.replace(/\.ts$/, ".js")), output.outputText);
  }
  const sdk = await import(pathToFileURL(path.join(js, "index.js")).href);
  const full = await import(pathToFileURL(path.join(js, "full.js")).href);
  const wire = await import(pathToFileURL(path.join(js, "wire.js")).href);
  // The replaced validators behind the same dispatch and parse functions.
  const wireTypes = reference.events.flatMap((event) => event.versions.map((version) => version.wireType));
  const fullChecks = new Map(wireTypes.map((type, index) => [type, full[`checkPayload${index}`]]));
  const parseEventFull = (input) => wire.parseEventWith(fullChecks, input);
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  const jsonschema = path.join(dir, "jsonschema");
  const ajvOf = new Map();
  for (const file of readdirSync(jsonschema).filter((name) => /\.v\d+\.json$/.test(name))) {
    ajvOf.set(file.replace(/\.json$/, ""), ajv.compile(JSON.parse(readFileSync(path.join(jsonschema, file), "utf8"))));
  }
  const zodOf = new Map();
  for (const file of findSchemaModules(schemas)) {
    for (const value of Object.values(await importSchemaModule(file, file))) {
      if (typeof value === "object" && value !== null && typeof value.name === "string" && typeof value.versions === "object") {
        for (const [version, schema] of Object.entries(value.versions)) zodOf.set(`${value.name}.v${version}`, schema);
      }
    }
  }
  return { sdk, ajvOf, zodOf, catalogue: reference, js, fullChecks, parseEventFull };
}

/** The four readers over one set of documents (all of one version, or a mix). */
function measureReaders(documents, context, samples, windowMs) {
  const texts = documents.map((document) => JSON.stringify(document));
  const payloads = documents.map((document) => document.payload);
  const zods = documents.map((document) => context.zodOf.get(document.type));
  const ajvs = documents.map((document) => context.ajvOf.get(document.type));
  const { parseEvent, payloadChecks } = context.sdk;
  const checks = documents.map((document) => payloadChecks.get(document.type));
  const ajvByType = context.ajvOf;
  const count = documents.length;
  return {
    parseEvent: throughput((i) => parseEvent(documents[i]).kind === "event", count, samples, windowMs),
    parseEventFull: throughput((i) => context.parseEventFull(documents[i]).kind === "event", count, samples, windowMs),
    zod: throughput((i) => zods[i].safeParse(payloads[i]).success, count, samples, windowMs),
    // Like parseEvent: look up the wire type's validator, then validate the payload.
    ajv: throughput((i) => {
      const document = documents[i];
      return ajvByType.get(document.type)(document.payload);
    }, count, samples, windowMs),
    // Payload only on both sides: the generated validator against ajv's.
    check: throughput((i) => checks[i](payloads[i], "", null), count, samples, windowMs),
    ajvPayload: throughput((i) => ajvs[i](payloads[i]), count, samples, windowMs),
    jsonParse: throughput((i) => JSON.parse(texts[i]) !== null, count, samples, windowMs),
    decode: throughput((i) => parseEvent(JSON.parse(texts[i])).kind === "event", count, samples, windowMs),
  };
}

const format = (rate) => (rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${(rate / 1e3).toFixed(0)} k`);

function ratios(rates) {
  return {
    zod: rates.parseEvent / rates.zod,
    ajv: rates.parseEvent / rates.ajv,
    decode: rates.jsonParse / rates.decode,
    payload: rates.check / rates.ajvPayload,
    replaced: rates.parseEvent / rates.parseEventFull,
  };
}

/** Minified bytes of an esbuild bundle of `entry` (source text) resolved in `dir`. */
async function bundleSize(dir, entry) {
  const result = await build({ stdin: { contents: entry, resolveDir: dir, loader: "js" }, bundle: true, minify: true, format: "esm", write: false, treeShaking: true, logLevel: "silent" });
  return result.outputFiles[0].contents.length;
}

export async function run({ samples }) {
  const windowMs = 150;
  const work = path.join(WORK, "validate");
  const lines = [];

  // The example catalogue, event version by event version.
  const example = await prepare(path.join(ROOT, "schemas"), path.join(work, "example"), ROOT);
  const versions = example.catalogue.events.flatMap((event) => event.versions.map((version) => version.wireType));
  const samplesOf = new Map();
  for (const document of sampleEventDocuments(example.catalogue, 64, 20251130)) {
    if (example.sdk.parseEvent(document).kind !== "event") throw new Error(`generated sample rejected: ${JSON.stringify(document)}`);
    samplesOf.set(document.type, [...(samplesOf.get(document.type) ?? []), document]);
  }
  const invalidOf = new Map();
  for (const vector of conformanceVectors(example.catalogue)) {
    const document = vector.document;
    if (vector.expect !== "reject" || typeof document?.type !== "string" || !versions.includes(document.type) || typeof document.payload !== "object") continue;
    if (!example.zodOf.get(document.type).safeParse(document.payload).success) invalidOf.set(document.type, [...(invalidOf.get(document.type) ?? []), document]);
  }

  lines.push("| event version (valid documents) | parseEvent | parseEvent, replaced validators | Zod 4 safeParse | ajv (by type, per version) | check…Payload | ajv (payload) | JSON.parse | JSON.parse + parseEvent | ÷ replaced | ÷ Zod | ÷ ajv | payload ÷ ajv | decode cost |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const valid = [];
  for (const type of versions) {
    const rates = measureReaders(samplesOf.get(type), example, samples, windowMs);
    const ratio = ratios(rates);
    valid.push(ratio);
    lines.push(`| ${type} | ${format(rates.parseEvent)} | ${format(rates.parseEventFull)} | ${format(rates.zod)} | ${format(rates.ajv)} | ${format(rates.check)} | ${format(rates.ajvPayload)} | ${format(rates.jsonParse)} | ${format(rates.decode)} | ${ratio.replaced.toFixed(2)}× | ${ratio.zod.toFixed(2)}× | ${ratio.ajv.toFixed(2)}× | ${ratio.payload.toFixed(2)}× | ${ratio.decode.toFixed(2)}× |`);
  }
  const invalidLines = ["| event version (invalid documents) | parseEvent | parseEvent, replaced validators | Zod 4 safeParse | ajv (first error) | ÷ replaced | ÷ Zod | ÷ ajv |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"];
  const invalid = [];
  for (const type of versions) {
    const documents = invalidOf.get(type);
    if (documents === undefined) continue;
    const { parseEvent } = example.sdk;
    const zod = example.zodOf.get(type);
    const ajv = example.ajvOf.get(type);
    const rates = {
      parseEvent: throughput((i) => parseEvent(documents[i]).kind === "invalid", documents.length, samples, windowMs),
      parseEventFull: throughput((i) => example.parseEventFull(documents[i]).kind === "invalid", documents.length, samples, windowMs),
      zod: throughput((i) => !zod.safeParse(documents[i].payload).success, documents.length, samples, windowMs),
      ajv: throughput((i) => !ajv(documents[i].payload), documents.length, samples, windowMs),
    };
    invalid.push({ zod: rates.parseEvent / rates.zod, ajv: rates.parseEvent / rates.ajv, replaced: rates.parseEvent / rates.parseEventFull });
    invalidLines.push(`| ${type} (${documents.length} documents) | ${format(rates.parseEvent)} | ${format(rates.parseEventFull)} | ${format(rates.zod)} | ${format(rates.ajv)} | ${(rates.parseEvent / rates.parseEventFull).toFixed(2)}× | ${(rates.parseEvent / rates.zod).toFixed(2)}× | ${(rates.parseEvent / rates.ajv).toFixed(2)}× |`);
  }
  lines.push("", ...invalidLines);

  // Upgrading reads: an older version's documents read with `upgrade: "latest"`, against reading the
  // same documents already at the latest version (their upgrades, each as JSON text read back), on the example's session.status
  // (v1 → v2) and on the golden case with one migration of every kind (order.placed v1 → v2 → v3).
  const everyKindDir = path.join(ROOT, "test", "cases", "migrations_of_every_kind");
  const everyKind = await prepare(path.join(everyKindDir, "schemas"), path.join(work, "every-kind"), everyKindDir);
  const migrationLines = [
    "| older documents read as the latest | parseEvent (latest version's documents) | parseEvent(…, { upgrade: \"latest\" }) (older documents) | ÷ |",
    "| --- | ---: | ---: | ---: |",
  ];
  const upgrading = [];
  for (const [context, type, seed] of [[example, "session.status.v1", 20251130], [everyKind, "order.placed.v1", 20251130], [everyKind, "order.placed.v2", 20251130]]) {
    const { parseEvent } = context.sdk;
    // As a consumer holds them: read from JSON text (the generator's objects are built key by key).
    const older = sampleEventDocuments(context.catalogue, 64, seed)
      .filter((document) => document.type === type)
      .map((document) => JSON.parse(JSON.stringify(document)));
    const latest = older.map((document) => {
      const result = parseEvent(document, { upgrade: "latest" });
      if (result.kind !== "event" || parseEvent(result.event).kind !== "event") throw new Error(`upgrade of ${type} failed: ${JSON.stringify(result)}`);
      return JSON.parse(JSON.stringify(result.event));
    });
    const rates = {
      latest: throughput((i) => parseEvent(latest[i]).kind === "event", latest.length, samples, windowMs),
      upgrading: throughput((i) => parseEvent(older[i], { upgrade: "latest" }).kind === "event", older.length, samples, windowMs),
    };
    upgrading.push({ type, to: latest[0].type, ratio: rates.upgrading / rates.latest });
    migrationLines.push(`| ${type} → ${latest[0].type} (${older.length} documents) | ${format(rates.latest)} | ${format(rates.upgrading)} | ${(rates.upgrading / rates.latest).toFixed(2)}× |`);
  }
  lines.push("", ...migrationLines);

  // A 500-event catalogue: one mix of valid documents over every version.
  const bigSchemas = path.join(work, "catalogue-500");
  writeCatalogue(bigSchemas, { events: 500, versions: 2 });
  const big = await prepare(bigSchemas, path.join(work, "big"), work);
  const bigDocuments = sampleEventDocuments(big.catalogue, 4, 20251130);
  const bigRates = measureReaders(bigDocuments, big, samples, windowMs);
  const bigRatio = ratios(bigRates);
  lines.push(
    "",
    "| 500 events × 2 versions, a mix of valid documents over all 1,000 | parseEvent | parseEvent, replaced validators | Zod 4 safeParse | ajv (by type, per version) | check…Payload | ajv (payload) | JSON.parse | JSON.parse + parseEvent | ÷ replaced | ÷ Zod | ÷ ajv | payload ÷ ajv | decode cost |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${bigDocuments.length} documents | ${format(bigRates.parseEvent)} | ${format(bigRates.parseEventFull)} | ${format(bigRates.zod)} | ${format(bigRates.ajv)} | ${format(bigRates.check)} | ${format(bigRates.ajvPayload)} | ${format(bigRates.jsonParse)} | ${format(bigRates.decode)} | ${bigRatio.replaced.toFixed(2)}× | ${bigRatio.zod.toFixed(2)}× | ${bigRatio.ajv.toFixed(2)}× | ${bigRatio.payload.toFixed(2)}× | ${bigRatio.decode.toFixed(2)}× |`,
  );

  // Bundle sizes: the whole SDK, and a bundle validating one event.
  const firstChecker = (sdk) => Object.keys(sdk).filter((key) => /^check\w+Payload$/.test(key)).sort()[0];
  const sizes = [
    ["example: whole SDK", await bundleSize(example.js, 'export * from "./index.js";')],
    [`example: one event (${firstChecker(example.sdk)})`, await bundleSize(example.js, `export { ${firstChecker(example.sdk)} } from "./index.js";`)],
    ["500 × 2: whole SDK", await bundleSize(big.js, 'export * from "./index.js";')],
    [`500 × 2: one event (${firstChecker(big.sdk)})`, await bundleSize(big.js, `export { ${firstChecker(big.sdk)} } from "./index.js";`)],
  ];
  lines.push("", "| bundle (esbuild, minified, tree-shaken) | bytes |", "| --- | ---: |", ...sizes.map(([label, bytes]) => `| ${label} | ${bytes} |`));

  const ratioList = [
    { label: "parseEvent ÷ Zod 4 safeParse, valid documents (median over the example's event versions)", value: median(valid.map((r) => r.zod)) },
    { label: "parseEvent ÷ ajv (validator looked up by wire type, then the per-version validator), valid documents (median over the example's event versions)", value: median(valid.map((r) => r.ajv)) },
    { label: "generated check…Payload ÷ ajv per-version validator, payload only, valid documents (median over the example's event versions)", value: median(valid.map((r) => r.payload)) },
    { label: "(JSON.parse + parseEvent) ÷ JSON.parse alone, cost (median over the example's event versions)", value: median(valid.map((r) => r.decode)) },
    { label: "parseEvent ÷ parseEvent with the straight-line validators it replaced, valid documents (median over the example's event versions)", value: median(valid.map((r) => r.replaced)) },
    { label: "parseEvent ÷ parseEvent with the straight-line validators it replaced, invalid documents (median)", value: median(invalid.map((r) => r.replaced)) },
    { label: "parseEvent ÷ Zod 4 safeParse, invalid documents (median)", value: median(invalid.map((r) => r.zod)) },
    { label: "parseEvent ÷ ajv, invalid documents (median)", value: median(invalid.map((r) => r.ajv)) },
    ...upgrading.map((entry) => ({ label: `parseEvent(${entry.type}, { upgrade: "latest" }) ÷ parseEvent(${entry.to}) (goal ≥ 0.7)`, value: entry.ratio })),
  ];
  return { rows: [], ratios: ratioList, markdown: lines.join("\n") };
}
