/**
 * The docs site as files: a pure function of the catalogue, the lockfile's registry, the modes and
 * (when the project generates one) the AsyncAPI document — the same bytes for the same inputs, no
 * timestamps, no eventc version. The CLI hands the files to the writer.
 *
 * Layout of the site folder:
 *   index.html                    every event by domain, with a filter box
 *   events/<name>.html            one page per event
 *   jsonschema/<wire type>.json   the `jsonschema` target's documents (also event.json, envelope.json)
 *   asyncapi/asyncapi.json        a copy of the project's AsyncAPI document, when it has one, and
 *   asyncapi/schemas/*.json       the schema files beside it that it refers to
 *   assets/site.css               the stylesheet
 * Every folder is the site's own: the writer removes a file it wrote there earlier that is no
 * longer produced (an event removed), and touches nothing else.
 */
import { EventcError } from "../errors.js";
import type { NamedType } from "../ir/types.js";
import { jsonSchemaTarget } from "../targets/jsonschema/index.js";
import type { PlannedFile } from "../writer.js";
import { safeId } from "./escape.js";
import { renderEventPage, type PageContext } from "./event-page.js";
import { renderIndexPage } from "./index-page.js";
import { buildSiteModel, INDEX_PAGE, SITE_FOLDERS, STYLESHEET, type SiteInput, type SiteModel } from "./model.js";
import { SITE_CSS } from "./style.js";

export { SITE_FOLDERS } from "./model.js";

/** Where the AsyncAPI document sits in the site. */
export const ASYNCAPI_FILE = `${SITE_FOLDERS.asyncapi}/asyncapi.json`;

export interface DocsSiteInput extends Omit<SiteInput, "asyncapi"> {
  /** The project's AsyncAPI document, as `asyncapiDocument` read it; absent when it has none. */
  asyncapi?: AsyncApiDocument;
}

export interface AsyncApiDocument {
  text: string;
  /** Keys of `components.messages`: the wire types it has a message for. */
  messages: ReadonlySet<string>;
  /**
   * The files beside it that its `$ref`s name (`schemas/<wire type>.json`), by path relative to
   * the document's folder, copied with it so its references resolve in the site too.
   */
  companions?: ReadonlyArray<{ path: string; text: string }>;
}

export interface DocsSite {
  files: PlannedFile[];
  model: SiteModel;
}

export function buildDocsSite(input: DocsSiteInput): DocsSite {
  const { asyncapi, ...rest } = input;
  const model = buildSiteModel({ ...rest, ...(asyncapi === undefined ? {} : { asyncapi: { file: ASYNCAPI_FILE, messages: asyncapi.messages } }) });
  const { catalogue } = input;
  const context: PageContext = { named: new Map(catalogue.types.map((type) => [type.name, type])), typeIds: namedTypeIds(catalogue.types) };
  const files: PlannedFile[] = [{ path: INDEX_PAGE, contents: renderIndexPage(model) }, { path: STYLESHEET, contents: SITE_CSS }];
  for (const event of model.events) files.push({ path: event.page, contents: renderEventPage(event, context) });
  for (const file of jsonSchemaTarget.emit(catalogue)) files.push({ path: `${SITE_FOLDERS.jsonschema}/${file.path}`, contents: file.contents });
  if (asyncapi !== undefined) {
    files.push({ path: ASYNCAPI_FILE, contents: asyncapi.text });
    for (const companion of asyncapi.companions ?? []) files.push({ path: `${SITE_FOLDERS.asyncapi}/${companion.path}`, contents: companion.text });
  }
  return { files, model };
}

/** The element id of each named type's section, the same on every page. */
export function namedTypeIds(types: readonly NamedType[]): Map<string, string> {
  return new Map(types.map((type, index) => [type.name, safeId("type-", type.name, index)]));
}

/**
 * Reads an AsyncAPI document's text: the wire types it has messages for. Text that is not a JSON
 * object is an input error naming `display` (the file).
 */
export function asyncapiDocument(text: string, display: string, companions: AsyncApiDocument["companions"] = []): AsyncApiDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EventcError(`not valid JSON (${error instanceof Error ? error.message : String(error)}); run \`eventc generate\` to write it again`, { file: display });
  }
  const isObject = (candidate: unknown): candidate is Record<string, unknown> => typeof candidate === "object" && candidate !== null && !Array.isArray(candidate);
  if (!isObject(value)) throw new EventcError(`not an AsyncAPI document (a JSON object); run \`eventc generate\` to write it again`, { file: display });
  const components = value.components;
  const messages = isObject(components) && isObject(components.messages) ? Object.keys(components.messages) : [];
  return { text, messages: new Set(messages), companions };
}
