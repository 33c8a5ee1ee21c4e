/**
 * The demo page's HTML and style. The server writes the page's selection into it (`demo-config`),
 * so the page asks for exactly what the server checked it can serve. Layout is fixed — columns,
 * counters and charts keep their width whatever the text — so the page does not jump while the
 * feed runs; the icon is inline, so the browser asks the server for nothing but the page, its
 * script and the event stream.
 */

/** What the server tells the page: the selection to ask for and how events travel. */
export interface DemoPageConfig {
  readonly events: readonly string[];
  readonly topics: readonly string[];
  /** Shown beside the status: "in-process bus" or "Redis Streams". */
  readonly transport: string;
}

const ICON = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='6' fill='%231f8a5b'/%3E%3C/svg%3E";

const STYLE = `
  :root { color-scheme: light; --ok: #c8f0c8; --warn: #ffe2a8; --bad: #f6c2c2; --line: #e4e6eb; --muted: #6b7280; --ink: #1d2330; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: var(--ink); font-variant-numeric: tabular-nums; max-width: 64rem; }
  header { display: flex; align-items: baseline; gap: .75rem; }
  h1 { font-size: 1.2rem; margin: 0; }
  .muted { color: var(--muted); }
  .connection { margin: .5rem 0; height: 1.6rem; }
  #status { display: inline-block; max-width: 100%; box-sizing: border-box; padding: .1rem .6rem; border-radius: 1rem; background: #ddd; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; vertical-align: top; }
  #status[data-kind="connected"] { background: var(--ok); }
  #status[data-kind="connecting"], #status[data-kind="reconnecting"], #status[data-kind="degraded"], #status[data-kind="resyncing"] { background: var(--warn); }
  #status[data-kind="closed"] { background: var(--bad); }
  #gap { margin: 0 0 .5rem; padding: .4rem .75rem; border-radius: .3rem; background: var(--bad); }
  .panel { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 1.5rem; margin: 0 0 .25rem; }
  .stats { display: flex; gap: 1.5rem; margin: 0; }
  .stats dt { font-size: .85rem; color: var(--muted); }
  .stats dd { margin: 0; font-size: 1.4rem; min-width: 6ch; }
  figure { margin: 0; }
  figcaption { font-size: .85rem; color: var(--muted); }
  figcaption output { display: inline-block; min-width: 5ch; text-align: right; color: var(--ink); }
  svg.rate { display: block; width: 240px; height: 48px; background: #f7f8fa; border-bottom: 1px solid var(--line); }
  svg.rate polyline { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  #events-chart polyline { stroke: #2563eb; }
  #frames-chart polyline { stroke: #1f8a5b; }
  svg.rate text { font-size: 9px; fill: var(--muted); }
  #last-gap { margin: 0 0 .75rem; min-height: 1.4em; font-size: .85rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  table { border-collapse: collapse; table-layout: fixed; width: 100%; }
  col.session { width: 7rem; } col.state { width: 6rem; } col.tool { width: 16rem; }
  th, td { text-align: left; padding: .25rem .75rem; border-bottom: 1px solid var(--line); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
`;

/** The page, with `config` in it as JSON (`<` escaped, so no text in it can end the script element). */
export function demoPage(config: DemoPageConfig): string {
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eventc live feed</title>
<link rel="icon" href="${ICON}">
<style>${STYLE}</style>
<script id="demo-config" type="application/json">${json}</script>
</head>
<body>
<header>
  <h1>eventc live feed</h1>
  <span id="transport" class="muted"></span>
</header>
<p class="connection"><span id="status" data-kind="connecting" role="status">connecting…</span> <button id="channel" type="button" title="switch channel, resuming from the last event received">SSE</button></p>
<p id="gap" role="alert" hidden></p>
<div class="panel">
  <dl class="stats">
    <div><dt>events received</dt><dd id="received">0</dd></div>
    <div><dt>frames rendered</dt><dd id="flushes">0</dd></div>
    <div><dt>gaps</dt><dd id="gaps">0</dd></div>
  </dl>
  <figure><figcaption>events/s <output id="events-rate">0</output> · last minute</figcaption><svg id="events-chart" class="rate" viewBox="0 0 240 48" preserveAspectRatio="none" role="img" aria-label="events per second over the last minute"></svg></figure>
  <figure><figcaption>frames/s <output id="frames-rate">0</output> · last minute</figcaption><svg id="frames-chart" class="rate" viewBox="0 0 240 48" preserveAspectRatio="none" role="img" aria-label="frames rendered per second over the last minute"></svg></figure>
</div>
<p id="last-gap" class="muted"></p>
<table>
<colgroup><col class="session"><col class="state"><col class="text"><col class="tool"></colgroup>
<thead><tr><th>session</th><th>status</th><th>latest text</th><th>tool</th></tr></thead>
<tbody id="sessions"></tbody>
</table>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}
