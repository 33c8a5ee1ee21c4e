/**
 * The frame every page of the docs site shares — document head, site header — and the small pieces
 * both kinds of page print (lock-state badges, the verdict of a diff). Pages are plain HTML that
 * reads without JavaScript; the only script is the index's filter, a constant allowed by its hash
 * in each page's Content Security Policy, which otherwise permits nothing but the site's own
 * stylesheet: no network, no fonts, no images from anywhere.
 */
import { createHash } from "node:crypto";
import { escapeHtml, relativeHref } from "./escape.js";
import { INDEX_PAGE, STYLESHEET, type VersionDiff, type VersionLock } from "./model.js";
import type { CompatibilityMode } from "../registry/types.js";

export const SITE_TITLE = "Event catalogue";

export interface PageFrame {
  /** The page's path inside the site (`index.html`, `events/session.status.html`). */
  path: string;
  /** Document title: user text, escaped here. */
  title: string;
  /** Breadcrumb after the site's name, already HTML. */
  crumb?: string;
  body: string;
  /** A constant inline script (never user text). */
  script?: string;
}

/** `'sha256-…'` of a script, as a Content Security Policy source. */
function scriptHash(script: string): string {
  return `'sha256-${createHash("sha256").update(script).digest("base64")}'`;
}

export function page(frame: PageFrame): string {
  const scripts = frame.script === undefined ? "'none'" : scriptHash(frame.script);
  // `file:` beside `'self'`: browsers differ on whether `'self'` covers a page opened from disk.
  const policy = `default-src 'none'; style-src 'self' file:; script-src ${scripts}; base-uri 'none'; form-action 'none'`;
  const home = relativeHref(frame.path, INDEX_PAGE);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    `<title>${escapeHtml(frame.title)}</title>`,
    `<link rel="stylesheet" href="${relativeHref(frame.path, STYLESHEET)}">`,
    "</head>",
    "<body>",
    `<header class="site"><div class="inner"><a href="${home}">${SITE_TITLE}</a>${frame.crumb === undefined ? "" : ` <span class="muted">/</span> ${frame.crumb}`}</div></header>`,
    `<main>${frame.body}</main>`,
    ...(frame.script === undefined ? [] : [`<script>${frame.script}</script>`]),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** A version's lock state as a badge: `v2 published`, its detail as the title. */
export function lockBadge(version: number, lock: VersionLock): string {
  return `<span class="badge ${lock.state}" title="${escapeHtml(lock.detail)}">v${version} ${lock.state}</span>`;
}

/** The verdict of a diff under the event's mode, as a badge. */
export function verdictBadge(diff: VersionDiff, mode: CompatibilityMode): string {
  if (diff.identical) return `<span class="badge ok">same schema</span>`;
  const own = diff.verdicts.find((verdict) => verdict.mode === mode);
  return own?.compatible === false ? `<span class="badge bad">breaking (${mode})</span>` : `<span class="badge ok">compatible (${mode})</span>`;
}
