/**
 * `index.html`: every event, grouped by domain (the first segment of its name), with its versions'
 * lock states and links to its page and its diffs.
 *
 * The filter box is progressive enhancement: the page lists every event and works as it is; the
 * inline script (a constant) reveals the box and hides the events whose search text lacks any of
 * the words typed. Each event's search text is in its `data-search` attribute, lower-cased:
 * name, wire types, description, domain, lock states and the latest version's field names.
 */
import type { TypeNode } from "../ir/types.js";
import { escapeHtml, relativeHref } from "./escape.js";
import { lockBadge, page, SITE_TITLE, verdictBadge } from "./layout.js";
import { diffAnchor, INDEX_PAGE, type EventModel, type SiteModel } from "./model.js";

/** The filter: hides events (and emptied domains) not matching every typed word. No user text. */
export const FILTER_SCRIPT = `(() => {
  const form = document.getElementById("search");
  const box = document.getElementById("filter");
  const count = document.getElementById("filter-count");
  const items = Array.from(document.querySelectorAll("li[data-search]"));
  const domains = Array.from(document.querySelectorAll("section.domain"));
  const apply = () => {
    const words = box.value.toLowerCase().split(/\\s+/).filter((word) => word !== "");
    let shown = 0;
    for (const item of items) {
      const text = item.getAttribute("data-search");
      const hit = words.every((word) => text.includes(word));
      item.hidden = !hit;
      if (hit) shown += 1;
    }
    for (const domain of domains) domain.hidden = domain.querySelector("li[data-search]:not([hidden])") === null;
    count.textContent = words.length === 0 ? "" : shown + " of " + items.length + " events";
  };
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  box.addEventListener("input", apply);
  apply();
})();`;

export function renderIndexPage(site: SiteModel): string {
  const versions = site.events.reduce((sum, event) => sum + event.versions.length, 0);
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
  const lockNote = site.lockfile.found
    ? `Lock states are read from <code>${escapeHtml(site.lockfile.display)}</code>: <span class="badge published">published</span> locked as it is, <span class="badge unpublished">unpublished</span> not locked or changed since, <span class="badge retired">retired</span> withdrawn on purpose.`
    : `No lockfile was found at <code>${escapeHtml(site.lockfile.display)}</code>, so no version is published yet; run <code>eventc lock</code> to record them.`;
  const toc = site.domains.map((domain) => `<li><a href="#domain-${escapeHtml(domain.name)}">${escapeHtml(domain.name)}</a> <span class="muted">${domain.events.length}</span></li>`).join("");
  const sections = site.domains
    .map(
      (domain) =>
        `<section class="domain" id="domain-${escapeHtml(domain.name)}"><h2>${escapeHtml(domain.name)}</h2><ul class="events">${domain.events.map((event) => eventItem(event)).join("\n")}</ul></section>`,
    )
    .join("\n");
  const body = [
    `<h1>${SITE_TITLE}</h1>`,
    `<p class="lead">${plural(site.events.length, "event")}, ${plural(versions, "version")}, in ${plural(site.domains.length, "domain")}.</p>`,
    `<p class="note">${lockNote}</p>`,
    `<form class="search" id="search" role="search" hidden><label for="filter">Filter events </label><input type="search" id="filter" placeholder="name, field, description, state…" autocomplete="off"><output id="filter-count" for="filter"></output></form>`,
    `<nav class="toc" aria-label="Domains"><ul>${toc}</ul></nav>`,
    sections,
  ].join("\n");
  return page({ path: INDEX_PAGE, title: SITE_TITLE, body, script: FILTER_SCRIPT });
}

function eventItem(event: EventModel): string {
  const href = relativeHref(INDEX_PAGE, event.page);
  const latest = event.versions.at(-1)!;
  const search = [
    event.def.name,
    event.domain,
    event.def.description ?? "",
    ...event.versions.map((version) => `${version.version.wireType} ${version.lock.state}`),
    ...event.retired.map(() => "retired"),
    ...topFieldNames(latest.version.payload),
  ]
    .join(" ")
    .toLowerCase();
  const states = [
    ...event.versions.map((version) => ({ number: version.version.version, lock: version.lock })),
    ...event.retired.map((retired) => ({ number: retired.version, lock: retired.lock })),
  ]
    .sort((a, b) => a.number - b.number)
    .map((entry) => lockBadge(entry.number, entry.lock))
    .join(" ");
  const diffs = event.diffs
    .map((diff) => `<a href="${relativeHref(INDEX_PAGE, event.page, diffAnchor(diff.from, diff.to))}">v${diff.from} → v${diff.to}</a> ${verdictBadge(diff, event.mode)}`)
    .join(" ");
  const count = event.versions.length;
  return [
    `<li data-search="${escapeHtml(search)}">`,
    `<a class="name" href="${href}">${escapeHtml(event.def.name)}</a>`,
    event.def.description === undefined ? "" : `<p class="text">${escapeHtml(event.def.description)}</p>`,
    `<p class="muted">${count} version${count === 1 ? "" : "s"} · latest <code>${escapeHtml(latest.version.wireType)}</code></p>`,
    `<div class="states">${states}</div>`,
    diffs === "" ? "" : `<p>${diffs}</p>`,
    `</li>`,
  ].join("");
}

/** The wire names of a payload's top-level fields (for the search text). */
function topFieldNames(payload: TypeNode): string[] {
  return payload.kind === "object" ? payload.fields.map((field) => field.name) : [];
}
