// loadhost: renders the self-contained HTML report from the JSON that
// loadhost embedded in <script id="report-data">, with the same helpers as
// the live page (render.js, global LH). Runs from file:// with no network.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const {el, fmt} = LH;
  const data = JSON.parse($('report-data').textContent);
  const info = data.info || {};

  // The test's parameters: every value is text from the run, so it goes in
  // as text nodes (el), never as markup.
  const params = [
    ['Scenario', info.scenario],
    ['Host', info.host],
    ['Users', info.users],
    ['Spawn rate', info.spawn_rate == null ? '' : `${info.spawn_rate} per second`],  // null: a load shape's
    ['Load shape', info.shape],
    ['Start', fmt.dateTime(info.start_time)],
    ['End', fmt.dateTime(info.end_time)],
    ['Duration', fmt.duration(info.run_time_s)],
    ['Stopped because', info.stop_reason],
    ['Workers', info.workers ? info.workers : 'none (standalone)'],
    // The C++ side may name it either way.
    ['loadhost', info.version || info.loadhost_version],
  ];
  $('params').replaceChildren(...params
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => el('div', null, el('dt', null, k), el('dd', null, String(v)))));
  if (info.scenario) $('report-title').textContent = 'loadhost report: ' + String(info.scenario).split('/').pop();

  // The thresholds' verdict (docs/thresholds.md), when the run had any:
  // first, since it is what a CI reader opens the report for.
  const thresholds = info.thresholds || [];
  if (thresholds.length) {
    $('thresholds-table').replaceChildren(
      el('thead', null, el('tr', null, el('th', null, ''), el('th', null, 'Threshold'), el('th', null, 'Value'))),
      el('tbody', null, thresholds.map((t) => el('tr', {'data-ok': t.ok ? 'true' : 'false'},
        el('td', null, t.ok ? '✓' : '✗'),
        el('td', null, String(t.expression)),
        el('td', null, String(t.shown) + (t.aborted ? ' (stopped the test)' : ''))))));
    $('thresholds-panel').hidden = false;
  }

  new LH.SortableTable($('stats-table'), LH.REPORT_COLUMNS).update(data.stats);
  new LH.SortableTable($('percentiles-table'), LH.PERCENTILE_COLUMNS).update(data.stats);
  LH.failuresTable($('failures-table'), data.failures);
  LH.exceptionsTable($('exceptions-table'), data.exceptions);
  new LH.Charts({
    rps: $('chart-rps'),
    responseTimes: $('chart-response-times'),
    users: $('chart-users'),
  }).setHistory(data.history);
})();
