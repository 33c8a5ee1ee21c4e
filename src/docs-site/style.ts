/**
 * The docs site's one stylesheet (`assets/site.css`), shared by every page. A constant: no user
 * text ever reaches it, so nothing in a schema can close or alter it. System fonts only (no font
 * files, nothing fetched); light and dark follow `prefers-color-scheme`.
 */
export const SITE_CSS = `:root {
  color-scheme: light dark;
  --bg: #ffffff;
  --fg: #1f2328;
  --muted: #59636e;
  --line: #d1d9e0;
  --panel: #f6f8fa;
  --accent: #0969da;
  --ok-bg: #dafbe1;
  --ok-fg: #116329;
  --bad-bg: #ffebe9;
  --bad-fg: #a40e26;
  --warn-bg: #fff8c5;
  --warn-fg: #7d4e00;
  --info-bg: #ddf4ff;
  --info-fg: #0a3069;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117;
    --fg: #e6edf3;
    --muted: #9198a1;
    --line: #3d444d;
    --panel: #151b23;
    --accent: #4493f8;
    --ok-bg: #12361f;
    --ok-fg: #7ee2a0;
    --bad-bg: #3d1519;
    --bad-fg: #ff9492;
    --warn-bg: #3a2d0a;
    --warn-fg: #e3b341;
    --info-bg: #0c2d4b;
    --info-fg: #9ecbff;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 var(--font); }
a { color: var(--accent); }
a:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
code, pre { font-family: var(--mono); font-size: 0.9em; }
code { overflow-wrap: anywhere; }
td code, th code { overflow-wrap: break-word; }
pre { margin: 0; padding: 0.75rem; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; overflow: auto; max-height: 28rem; }
header.site { border-bottom: 1px solid var(--line); background: var(--panel); }
header.site .inner, main { max-width: 96rem; margin: 0 auto; padding: 0.75rem 1.25rem; }
header.site a { font-weight: 600; text-decoration: none; }
main { padding-top: 1.25rem; padding-bottom: 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; overflow-wrap: anywhere; }
h4 { font-size: 0.95rem; margin: 1rem 0 0.4rem; }
p { margin: 0.4rem 0; }
.text { white-space: pre-line; overflow-wrap: anywhere; }
.muted, .note { color: var(--muted); }
.lead { font-size: 1.05rem; }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; line-height: 1.45rem; white-space: nowrap; border: 1px solid transparent; }
.badge.published, .badge.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge.unpublished, .badge.warning { background: var(--warn-bg); color: var(--warn-fg); }
.badge.retired, .badge.info { background: var(--panel); color: var(--muted); border-color: var(--line); }
.badge.error, .badge.bad { background: var(--bad-bg); color: var(--bad-fg); }
.flag { display: inline-block; padding: 0 0.35rem; border: 1px solid var(--line); border-radius: 4px; font-size: 0.8rem; margin: 0 0.2rem 0.2rem 0; }
.flag.warn { color: var(--warn-fg); background: var(--warn-bg); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 1rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.search { margin: 1rem 0; }
.search input { width: min(32rem, 100%); padding: 0.45rem 0.6rem; font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
.search output { margin-left: 0.75rem; color: var(--muted); }
.domain h2 { margin-top: 1.5rem; }
ul.events { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 0.6rem; }
ul.events li { border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.8rem; background: var(--bg); }
ul.events li a.name { font-weight: 600; font-family: var(--mono); overflow-wrap: anywhere; }
ul.events li p { margin: 0.25rem 0; }
.states { display: flex; flex-wrap: wrap; gap: 0.3rem; margin-top: 0.3rem; }
nav.toc ul { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; }
.versions { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(32rem, 100%), 1fr)); gap: 1rem; align-items: start; }
.version, .diff, .named { border: 1px solid var(--line); border-radius: 8px; padding: 0.9rem 1rem; background: var(--bg); min-width: 0; }
.version:target, .diff:target, .named:target { border-color: var(--accent); box-shadow: 0 0 0 2px var(--accent); }
.diff, .named { margin-bottom: 1rem; }
.links { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; margin: 0.5rem 0; }
.table-wrap { overflow-x: auto; margin: 0.5rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.45rem; border-bottom: 1px solid var(--line); }
thead th { color: var(--muted); font-weight: 600; white-space: nowrap; }
tbody th { font-weight: normal; white-space: nowrap; }
tr.member th, tr.member td { background: var(--panel); }
table.names td:first-child { color: var(--muted); white-space: nowrap; width: 1%; }
.d1 { padding-left: 1.5rem; } .d2 { padding-left: 2.5rem; } .d3 { padding-left: 3.5rem; } .d4 { padding-left: 4.5rem; }
.d5 { padding-left: 5.5rem; } .d6 { padding-left: 6.5rem; } .d7 { padding-left: 7.5rem; } .d8 { padding-left: 8.5rem; }
ol.findings { list-style: none; padding: 0; margin: 0.5rem 0; }
ol.findings li { padding: 0.45rem 0; border-bottom: 1px solid var(--line); }
ol.findings .rule { font-family: var(--mono); font-size: 0.85rem; color: var(--muted); }
ul.verdicts { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.35rem; }
ul.verdicts li.own .badge { outline: 2px solid var(--accent); outline-offset: 1px; }
[hidden] { display: none !important; }
@media print { .search { display: none; } pre { max-height: none; } }
`;
