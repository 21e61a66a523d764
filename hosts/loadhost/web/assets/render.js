// loadhost: helpers shared by the live page (app.js) and the HTML report
// (report.js): number formatting, the sortable stats table, the failures and
// exceptions tables, and the three Chart.js charts.
//
// A classic script (no modules, no build step) so the report can inline it
// in a <script> element and open from file://. It defines one global, LH.
//
// Safety rule of this file: request names, error texts, exception messages
// and hosts are text from scenarios and servers. They only ever reach the
// page as text nodes (el() appends strings with Node.append, textContent),
// never through innerHTML or an attribute that is parsed as a URL.
'use strict';

const LH = (() => {
  // ---- DOM ----

  // el('td', {class: 'text'}, 'a name'): an element with attributes and
  // children; a string child becomes a Text node, so it is never parsed.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // ---- formatting ----
  // en-US grouping everywhere: the figures read the same on every machine
  // (and the tests can parse them by dropping the commas).
  const grouped = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
  const missing = (v) => v === null || v === undefined || Number.isNaN(v);

  const fmt = {
    count: (v) => (missing(v) ? '' : grouped.format(Math.round(v))),
    // Milliseconds: whole numbers as they are (Locust rounds percentiles),
    // averages with the precision a sub-millisecond loopback run needs.
    ms(v) {
      if (missing(v)) return '';
      if (Number.isInteger(v) || Math.abs(v) >= 100) return grouped.format(Math.round(v));
      return v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
    },
    rate: (v) => (missing(v) ? '' : v.toFixed(v !== 0 && Math.abs(v) < 1 ? 2 : 1)),
    bytes: (v) => (missing(v) ? '' : grouped.format(Math.round(v))),
    percent(ratio) {
      if (missing(ratio)) return '';
      const p = ratio * 100;
      return p.toFixed(p > 0 && p < 10 ? 1 : 0) + '%';
    },
    // Unix seconds as the reader's local date and time.
    dateTime: (t) => (missing(t) || !t ? '' : new Date(t * 1000).toLocaleString()),
    time: (t) => new Date(t * 1000).toLocaleTimeString([], {hour12: false}),
    duration(s) {
      if (missing(s)) return '';
      s = Math.max(0, Math.round(s));
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      const two = (n) => String(n).padStart(2, '0');
      if (h) return `${h}h ${two(m)}m ${two(sec)}s`;
      if (m) return `${m}m ${two(sec)}s`;
      return `${sec}s`;
    },
  };

  // ---- tables ----

  // A column: key (the row field), label, format, and `text` for left-aligned
  // text columns (`wrap` lets long user text wrap). value(row) overrides key.
  const col = (key, label, format, extra) => ({key, label, format, ...extra});
  const cellValue = (c, row) => (c.value ? c.value(row) : row[c.key]);

  function headerRow(columns) {
    return el('tr', null, columns.map((c) => el('th', {class: c.text ? 'text' : null, scope: 'col'}, c.label)));
  }

  function bodyRow(columns, row, cls) {
    return el('tr', {class: cls}, columns.map((c) => {
      const v = cellValue(c, row);
      const shown = c.format ? c.format(v, row) : v;
      const classes = [c.text && 'text', c.wrap && 'wrap', c.bad && v > 0 && 'bad'].filter(Boolean).join(' ');
      return el('td', {class: classes || null, 'data-col': c.key}, shown instanceof Node ? shown : String(shown ?? ''));
    }));
  }

  // Fills a <table> with a header and one row per item, or a single
  // "nothing yet" line.
  function fillTable(table, columns, rows, emptyText) {
    if (!table.tHead) table.createTHead().append(headerRow(columns));
    const body = el('tbody', null);
    if (rows.length === 0 && emptyText) {
      body.append(el('tr', null, el('td', {class: 'empty text', colspan: columns.length}, emptyText)));
    } else {
      for (const row of rows) body.append(bodyRow(columns, row));
    }
    for (const old of Array.from(table.tBodies)) old.remove();
    table.append(body);
  }

  // The server sends entries sorted by name, then the "Aggregated" total
  // (method "") last: that row stays last whatever the sort.
  const isTotal = (row, i, rows) => i === rows.length - 1 && row.name === 'Aggregated' && !row.method;

  const ENTRY_COLUMNS = [
    col('method', 'Type', null, {text: true}),
    col('name', 'Name', null, {text: true, wrap: true}),
    col('num_requests', '# Requests', fmt.count),
    col('num_failures', '# Fails', fmt.count, {bad: true}),
  ];
  const LIVE_COLUMNS = [
    ...ENTRY_COLUMNS,
    col('median_response_time', 'Median (ms)', fmt.ms),
    col('ninetieth_response_time', '90%ile (ms)', fmt.ms),
    col('ninety_ninth_response_time', '99%ile (ms)', fmt.ms),
    col('avg_response_time', 'Average (ms)', fmt.ms),
    col('min_response_time', 'Min (ms)', fmt.ms),
    col('max_response_time', 'Max (ms)', fmt.ms),
    col('avg_content_length', 'Average size (bytes)', fmt.bytes),
    col('current_rps', 'Current RPS', fmt.rate),
    col('current_fail_per_sec', 'Current Failures/s', fmt.rate),
  ];
  // The report's totals over the whole run rather than "current" figures.
  const REPORT_COLUMNS = [
    ...ENTRY_COLUMNS,
    col('avg_response_time', 'Average (ms)', fmt.ms),
    col('min_response_time', 'Min (ms)', fmt.ms),
    col('max_response_time', 'Max (ms)', fmt.ms),
    col('avg_content_length', 'Average size (bytes)', fmt.bytes),
    col('total_rps', 'RPS', fmt.rate),
    col('total_fail_per_sec', 'Failures/s', fmt.rate),
  ];
  const PERCENTILES = ['50', '66', '75', '80', '90', '95', '98', '99', '99.9', '99.99', '100'];
  const PERCENTILE_COLUMNS = [
    ENTRY_COLUMNS[0],
    ENTRY_COLUMNS[1],
    ...PERCENTILES.map((p) => col('p' + p, p === '100' ? '100% (ms)' : `${p}%ile (ms)`,
      (v) => (missing(v) ? 'N/A' : fmt.ms(v)), {value: (row) => (row.percentiles || {})[p]})),
  ];

  // A table of stats rows the reader sorts by clicking a header (again:
  // the other way). The sort survives the updates pushed every second.
  class SortableTable {
    constructor(table, columns) {
      this.table = table;
      this.columns = columns;
      this.rows = [];
      this.sortKey = null;
      this.descending = false;
      this.headers = columns.map((c) => el('th', {
        class: (c.text ? 'text ' : '') + 'sortable',
        scope: 'col',
        tabindex: 0,
        title: 'Sort by ' + c.label,
        onclick: () => this.sortBy(c.key),
        onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.sortBy(c.key); } },
      }, c.label));
      table.replaceChildren(el('thead', null, el('tr', null, this.headers)), el('tbody', null));
    }

    sortBy(key) {
      // First click: names A-Z, figures largest first (what one looks for).
      if (this.sortKey === key) this.descending = !this.descending;
      else { this.sortKey = key; this.descending = !this.columns.find((c) => c.key === key).text; }
      this.render();
    }

    update(rows) {
      this.rows = rows || [];
      this.render();
    }

    render() {
      const rows = this.rows;
      const last = rows.length - 1;
      const total = rows.length && isTotal(rows[last], last, rows) ? rows[last] : null;
      const entries = total ? rows.slice(0, last) : rows.slice();
      const c = this.columns.find((x) => x.key === this.sortKey);
      if (c) {
        const sign = this.descending ? -1 : 1;
        entries.sort((a, b) => {
          const x = cellValue(c, a), y = cellValue(c, b);
          if (missing(x) || missing(y)) return missing(x) - missing(y);  // blanks last
          const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return sign * d || String(a.name).localeCompare(String(b.name));
        });
      }
      this.headers.forEach((th, i) => {
        const key = this.columns[i].key;
        if (key === this.sortKey) th.setAttribute('aria-sort', this.descending ? 'descending' : 'ascending');
        else th.removeAttribute('aria-sort');
      });
      const body = el('tbody', null, entries.map((row) => bodyRow(this.columns, row)));
      if (total) body.append(bodyRow(this.columns, total, 'total'));
      this.table.tBodies[0].replaceWith(body);
    }
  }

  const FAILURE_COLUMNS = [
    col('occurrences', '# Failures', fmt.count),
    col('method', 'Method', null, {text: true}),
    col('name', 'Name', null, {text: true, wrap: true}),
    col('error', 'Message', null, {text: true, wrap: true}),
  ];
  const EXCEPTION_COLUMNS = [
    col('count', 'Count', fmt.count),
    col('msg', 'Message', null, {text: true, wrap: true}),
    col('traceback', 'Traceback', (v) => el('pre', null, String(v ?? '')), {text: true, wrap: true}),
    col('nodes', 'Nodes', null, {text: true}),
  ];

  const failuresTable = (table, failures) => fillTable(table, FAILURE_COLUMNS, failures || [], 'No failures');
  const exceptionsTable = (table, exceptions) => fillTable(table, EXCEPTION_COLUMNS, exceptions || [], 'No exceptions');

  // ---- charts (Chart.js 3.9.1, global Chart) ----

  const COLORS = {rps: '#2e7d32', fail: '#c62828', p50: '#1f6feb', p95: '#e36209', users: '#6f42c1'};

  function lineChart(canvas, unit, series, wholeNumbers = false) {
    return new Chart(canvas, {
      type: 'line',
      data: {
        labels: [],
        datasets: series.map(([label, color]) => ({
          label, data: [], borderColor: color, backgroundColor: color,
          borderWidth: 2, pointRadius: 0, pointHitRadius: 6, tension: 0, spanGaps: false,
        })),
      },
      options: {
        // No animation: a chart redrawn every second should not wobble, and
        // the report should draw at once (and print).
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: 'index', intersect: false},
        scales: {
          x: {ticks: {maxTicksLimit: 8, maxRotation: 0, autoSkip: true}},
          y: {beginAtZero: true, title: {display: true, text: unit}, ticks: {precision: wholeNumbers ? 0 : undefined}},
        },
        plugins: {legend: {position: 'top', align: 'end', labels: {boxWidth: 12}}},
      },
    });
  }

  // The three charts over time, fed a POINT at a time
  // ({t, users, rps, fail_per_s, p50, p95}; p50/p95 null while no request
  // has finished: a gap in the line, not a zero).
  class Charts {
    constructor(canvases) {
      this.lastT = -Infinity;
      this.charts = [
        [lineChart(canvases.rps, 'per second', [['RPS', COLORS.rps], ['Failures/s', COLORS.fail]]),
          (p) => [p.rps, p.fail_per_s]],
        [lineChart(canvases.responseTimes, 'ms', [['Median (p50)', COLORS.p50], ['95th percentile', COLORS.p95]]),
          (p) => [p.p50, p.p95]],
        [lineChart(canvases.users, 'users', [['Users', COLORS.users]], true), (p) => [p.users]],
      ];
    }

    push(p) {
      // The server may send the same point twice (after a state change, in
      // the history and the update that follows it): keep time increasing.
      if (!p || typeof p.t !== 'number' || p.t <= this.lastT) return false;
      this.lastT = p.t;
      const label = fmt.time(p.t);
      for (const [chart, values] of this.charts) {
        chart.data.labels.push(label);
        values(p).forEach((v, i) => chart.data.datasets[i].data.push(missing(v) ? null : v));
      }
      return true;
    }

    redraw() {
      for (const [chart] of this.charts) chart.update('none');
    }

    // The whole history (on connect, and in the report): replaces what is shown.
    setHistory(points) {
      this.lastT = -Infinity;
      for (const [chart] of this.charts) {
        chart.data.labels.length = 0;
        for (const d of chart.data.datasets) d.data.length = 0;
      }
      for (const p of points || []) this.push(p);
      this.redraw();
    }

    addPoint(p) {
      if (this.push(p)) this.redraw();
    }
  }

  return {
    el, fmt, fillTable, SortableTable, Charts, failuresTable, exceptionsTable,
    LIVE_COLUMNS, REPORT_COLUMNS, PERCENTILE_COLUMNS, isTotal,
  };
})();
