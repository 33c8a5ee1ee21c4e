/**
 * `events/<name>.html`: one event — its description and facts (channel, topic path, coalesce key,
 * mode, type names), its versions side by side (fields, names, links, an example payload), the
 * registry's diff of each pair of consecutive versions, and the named types its payloads use.
 *
 * Element ids: `v<n>` for a version, `diff-v<a>-v<b>` for a diff, `type-<id>` for a named type
 * (see `namedTypeIds`); the index links to the first two.
 */
import type { NamedType } from "../ir/types.js";
import type { Finding } from "../registry/types.js";
import { escapeHtml, relativeHref } from "./escape.js";
import { lockBadge, page, verdictBadge } from "./layout.js";
import { diffAnchor, versionAnchor, type EventModel, type VersionDiff, type VersionModel } from "./model.js";
import { PayloadTable } from "./type-view.js";

/** Everything an event page needs from the whole catalogue, computed once for all pages. */
export interface PageContext {
  /** Named types by name. */
  named: ReadonlyMap<string, NamedType>;
  /** The element id of each named type's section. */
  typeIds: ReadonlyMap<string, string>;
}

export function renderEventPage(event: EventModel, context: PageContext): string {
  const table = new PayloadTable((name) => {
    const id = context.typeIds.get(name);
    return id === undefined ? undefined : `#${escapeHtml(id)}`;
  });
  const name = escapeHtml(event.def.name);
  const body = [
    `<h1><code>${name}</code></h1>`,
    event.def.description === undefined ? "" : `<p class="lead text">${escapeHtml(event.def.description)}</p>`,
    `<div class="states">${stateBadges(event)}</div>`,
    facts(event),
    toc(event, context),
    `<h2 id="versions">Versions</h2>`,
    `<div class="versions">${event.versions.map((version) => versionSection(event, version, table, context)).join("\n")}</div>`,
    retiredList(event),
    diffsSection(event),
    namedTypesSection(event, table, context),
  ].join("\n");
  return page({ path: event.page, title: `${event.def.name} · Event catalogue`, crumb: `<span>${escapeHtml(event.domain)}</span> <span class="muted">/</span> <span>${name}</span>`, body });
}

function stateBadges(event: EventModel): string {
  const entries = [...event.versions.map((version) => ({ number: version.version.version, lock: version.lock })), ...event.retired.map((retired) => ({ number: retired.version, lock: retired.lock }))];
  return entries
    .sort((a, b) => a.number - b.number)
    .map((entry) => lockBadge(entry.number, entry.lock))
    .join(" ");
}

function facts(event: EventModel): string {
  const { def } = event;
  const code = (text: string): string => `<code>${escapeHtml(text)}</code>`;
  const topic = def.topic === undefined ? `<span class="muted">none: every envelope travels on the event's one channel</span>` : code(def.topic.join("."));
  const coalesce =
    def.coalesce === undefined
      ? `<span class="muted">none: every event is delivered, never coalesced</span>`
      : def.coalesce.length === 0
        ? `<span class="muted">the event name: one snapshot for the whole event</span>`
        : def.coalesce.map((key) => code(key.join("."))).join(" + ");
  const rows: Array<[string, string]> = [
    ["Channel", `${code(event.channel)} <span class="muted">(after the application's prefix)</span>`],
    ["Topic path", topic],
    ["Coalesce key", coalesce],
    ["Compatibility mode", `${escapeHtml(event.mode)} <span class="muted">(diffs below: ${escapeHtml(event.mode)} mode, tolerant readers)</span>`],
    ["TypeScript", `${code(event.typescript.union)} <span class="muted">(every version)</span>, guard ${code(event.typescript.guard)}`],
    ["Defined in", `${code(def.source.file)} <span class="muted">export</span> ${code(def.source.exportName)}`],
  ];
  return `<dl class="facts">${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join("")}</dl>`;
}

function toc(event: EventModel, context: PageContext): string {
  const parts = [`Versions: ${event.versions.map((version) => `<a href="#${versionAnchor(version.version.version)}">v${version.version.version}</a>`).join(" ")}`];
  if (event.diffs.length > 0) parts.push(`Diffs: ${event.diffs.map((diff) => `<a href="#${diffAnchor(diff.from, diff.to)}">v${diff.from} → v${diff.to}</a>`).join(" ")}`);
  if (event.namedTypes.length > 0) {
    parts.push(`Named types: ${event.namedTypes.map((type) => `<a href="#${escapeHtml(context.typeIds.get(type.name)!)}"><code>${escapeHtml(type.name)}</code></a>`).join(" ")}`);
  }
  return `<nav class="toc" aria-label="On this page"><ul>${parts.map((part) => `<li>${part}</li>`).join("")}</ul></nav>`;
}

function versionSection(event: EventModel, model: VersionModel, table: PayloadTable, context: PageContext): string {
  const { version } = model;
  const code = (text: string): string => `<code>${escapeHtml(text)}</code>`;
  const links = [`<a href="${relativeHref(event.page, model.schemaFile)}">JSON Schema</a>`];
  if (model.asyncapiMessage !== undefined) links.push(`<a href="${relativeHref(event.page, model.asyncapiMessage.file, model.asyncapiMessage.pointer)}">AsyncAPI message</a>`);
  const diffFrom = event.diffs.find((diff) => diff.to === version.version);
  if (diffFrom !== undefined) links.push(`<a href="#${diffAnchor(diffFrom.from, diffFrom.to)}">changes from v${diffFrom.from}</a>`);
  const example =
    "json" in model.example
      ? `<p class="note">Valid under this version's schema, made from it as the conformance vectors are: ${model.example.form === "maximal" ? "every optional field present, values at their upper bounds" : "required fields only, values at their lower bounds"}.</p><pre>${escapeHtml(model.example.json)}</pre>`
      : `<p class="note">No example: ${escapeHtml(model.example.error)}</p>`;
  return [
    `<section class="version" id="${versionAnchor(version.version)}" aria-labelledby="${versionAnchor(version.version)}-title">`,
    `<h3 id="${versionAnchor(version.version)}-title">v${version.version} ${code(version.wireType)} ${lockBadge(version.version, model.lock)}</h3>`,
    `<p class="note">${escapeHtml(model.lock.detail)}</p>`,
    `<table class="names"><tbody>`,
    `<tr><td>TypeScript</td><td>${code(model.typescript.payload)} <span class="muted">payload</span>, ${code(model.typescript.event)} <span class="muted">event</span>, ${code(model.typescript.guard)} <span class="muted">guard</span></td></tr>`,
    `<tr><td>Rust</td><td>${code(model.rust.payload)} <span class="muted">payload struct, variant of</span> ${code("Event")}</td></tr>`,
    `</tbody></table>`,
    `<div class="links">${links.join("")}</div>`,
    version.payload.description === undefined ? "" : `<p class="text">${escapeHtml(version.payload.description)}</p>`,
    `<h4>Fields</h4>`,
    table.render(version.payload, context.named),
    `<h4>Example payload</h4>`,
    example,
    `</section>`,
  ].join("\n");
}

function retiredList(event: EventModel): string {
  if (event.retired.length === 0) return "";
  const items = event.retired.map((retired) => `<li>${lockBadge(retired.version, retired.lock)} <code>${escapeHtml(`${event.def.name}.v${retired.version}`)}</code> <span class="muted">${escapeHtml(retired.lock.detail)}</span></li>`);
  return `<h2 id="retired">Retired versions</h2><ul>${items.join("")}</ul>`;
}

function diffsSection(event: EventModel): string {
  if (event.diffs.length === 0) return "";
  return [
    `<h2 id="diffs">Changes between versions</h2>`,
    `<p class="note">Found by the registry's comparer, as <code>eventc check</code> reports a published version changed this way (${escapeHtml(event.mode)} mode, tolerant readers).</p>`,
    ...event.diffs.map((diff) => diffSection(event, diff)),
  ].join("\n");
}

function diffSection(event: EventModel, diff: VersionDiff): string {
  const verdicts = diff.verdicts
    .map((verdict) => `<li${verdict.mode === event.mode ? ` class="own" title="this event's mode"` : ""}><span class="badge ${verdict.compatible ? "ok" : "bad"}">${verdict.mode} ${verdict.compatible ? "yes" : "no"}</span></li>`)
    .join("");
  const findings =
    diff.findings.length === 0
      ? `<p class="note">${diff.identical ? "The two versions have the same JSON Schema." : "No differences the comparer reports."}</p>`
      : `<ol class="findings">${diff.findings.map(findingItem).join("")}</ol>`;
  return [
    `<section class="diff" id="${diffAnchor(diff.from, diff.to)}">`,
    `<h3><a href="#${versionAnchor(diff.from)}">v${diff.from}</a> → <a href="#${versionAnchor(diff.to)}">v${diff.to}</a> ${verdictBadge(diff, event.mode)}</h3>`,
    `<p class="muted">Compatible per mode:</p><ul class="verdicts">${verdicts}</ul>`,
    findings,
    `</section>`,
  ].join("\n");
}

/** A finding as `eventc check` prints it: severity, sentence, the directions it breaks, rule id, and where. */
function findingItem(finding: Finding): string {
  const breaks = finding.breaks.length > 0 ? ` <span class="muted">(breaks ${finding.breaks.join(" and ")})</span>` : "";
  const where = finding.path === "" ? "" : ` <span class="muted">at</span> <code>${escapeHtml(finding.path)}</code>`;
  return `<li data-rule="${escapeHtml(finding.rule)}"><span class="badge ${finding.severity}">${finding.severity}</span> <span class="message">${escapeHtml(finding.message)}</span>${breaks} <span class="rule">[${escapeHtml(finding.rule)}]</span>${where}</li>`;
}

function namedTypesSection(event: EventModel, table: PayloadTable, context: PageContext): string {
  if (event.namedTypes.length === 0) return "";
  const sections = event.namedTypes.map((type) =>
    [
      `<section class="named" id="${escapeHtml(context.typeIds.get(type.name)!)}">`,
      `<h3><code>${escapeHtml(type.name)}</code></h3>`,
      type.description === undefined ? "" : `<p class="text">${escapeHtml(type.description)}</p>`,
      table.render(type.type, context.named, "This type"),
      `</section>`,
    ].join("\n"),
  );
  return [`<h2 id="types">Named types</h2>`, ...sections].join("\n");
}
