// loadhost: the live page. The server pushes everything over one WebSocket
// (/ws): a "hello" with the test's parameters and the chart history, then an
// "update" every second and after each change of state. The page never
// polls; it only calls Locust's HTTP API to act (/swarm, /stop,
// /stats/reset). Rendering is in render.js (global LH).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const {fmt} = LH;

  const statsTable = new LH.SortableTable($('stats-table'), LH.LIVE_COLUMNS);
  const charts = new LH.Charts({
    rps: $('chart-rps'),
    responseTimes: $('chart-response-times'),
    users: $('chart-users'),
  });

  let info = null;            // INFO of the last hello
  let lastState = null;       // the run's state in the last update
  let startFormFilled = false;
  let target = null;          // {users, rate} last asked for from this page

  // ---- tabs: the open one is kept in the URL's #fragment, so a reload
  // (or a shared link) shows the same tab.
  const tabButtons = Array.from(document.querySelectorAll('[data-tab]'));
  function showTab(name) {
    if (!tabButtons.some((b) => b.dataset.tab === name)) name = 'stats';
    for (const b of tabButtons) {
      const open = b.dataset.tab === name;
      b.setAttribute('aria-selected', String(open));
      $('tab-' + b.dataset.tab).hidden = !open;
    }
    if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
  }
  for (const b of tabButtons) b.addEventListener('click', () => showTab(b.dataset.tab));
  showTab(location.hash.slice(1));

  // ---- messages to the reader (the server's answers are text, never markup)
  let messageTimer = null;
  function showMessage(text, kind = 'error') {
    clearTimeout(messageTimer);
    $('message-text').textContent = text;
    $('message').className = 'banner ' + kind;
    $('message').hidden = false;
    // Errors stay until closed or the next action; notes go by themselves.
    if (kind !== 'error') messageTimer = setTimeout(hideMessage, 4000);
  }
  function hideMessage() {
    $('message').hidden = true;
  }
  $('message-close').addEventListener('click', hideMessage);

  // ---- the server's messages

  function onHello(msg) {
    info = msg.info || {};
    $('version').textContent = info.version ? ' ' + info.version : '';
    $('scenario').textContent = info.scenario ? ' ' + info.scenario : '';
    const classes = (info.classes || []).map((c) =>
      `${c.name} (${c.fixed_count ? 'fixed ' + c.fixed_count : 'weight ' + c.weight})`);
    $('classes').textContent = classes.length ? 'User classes: ' + classes.join(', ') : '';
    // A load shape decides the user count: the form cannot.
    $('shape-note').hidden = !info.is_shape;
    // A master with no workers yet is not a standalone run.
    $('no-workers').textContent = info.is_distributed
      ? 'No workers connected yet: start them with loadhost --worker (or locust --worker).'
      : 'No workers: this is a standalone run.';
    for (const id of ['start-users', 'start-spawn-rate']) $(id).disabled = !!info.is_shape;
    // Prefill with the command line's values once: a reconnect must not
    // overwrite what the reader typed.
    if (!startFormFilled) {
      startFormFilled = true;
      $('start-users').value = info.users ?? '';
      $('start-spawn-rate').value = info.spawn_rate ?? '';
      $('start-host').value = info.host || '';
      $('start-run-time').value = info.run_time || '';
    }
    charts.setHistory(msg.history);
  }

  function onUpdate(msg) {
    renderRun(msg.run || {});
    statsTable.update(msg.stats);
    LH.failuresTable($('failures-table'), msg.failures);
    LH.exceptionsTable($('exceptions-table'), msg.exceptions);
    renderWorkers(msg.workers || []);
    charts.addPoint(msg.point);
  }

  function renderRun(run) {
    const state = run.state || 'ready';
    $('state').textContent = state;
    $('state').className = 'state state-' + state;
    $('user-count').textContent = fmt.count(run.user_count ?? 0);
    $('total-rps').textContent = fmt.rate(run.total_rps ?? 0);
    $('fail-ratio').textContent = fmt.percent(run.fail_ratio ?? 0);
    const p50 = run.current_response_time_percentile_50, p95 = run.current_response_time_percentile_95;
    $('current-percentiles').textContent = p50 === null || p50 === undefined ? '' : `${fmt.ms(p50)} / ${fmt.ms(p95)}`;
    $('elapsed').textContent = run.started_at ? fmt.duration(run.elapsed_s) : '';
    $('host').textContent = run.host || (info && info.host) || '(no host)';
    $('host').title = $('host').textContent;
    document.title = `loadhost: ${state}`;

    const busy = state === 'spawning' || state === 'running';
    const idle = state === 'ready' || state === 'stopped';
    $('start-panel').hidden = !idle;
    $('edit-form').hidden = !busy || !!(info && info.is_shape);
    $('stop-button').hidden = !busy;
    $('reset-button').hidden = state === 'ready';
    // Entering a run (or opening the page during one): the edit form starts
    // from what this page asked for, else from the users running now; not
    // on every update, the reader may be typing in it.
    const wasBusy = lastState === 'spawning' || lastState === 'running';
    if (busy && !wasBusy) {
      $('edit-users').value = target ? target.users : run.user_count ?? '';
      $('edit-spawn-rate').value = target ? target.rate : (info && info.spawn_rate) ?? 1;
    }
    lastState = state;
  }

  const WORKER_COLUMNS = [
    {key: 'id', label: 'Worker', text: true, wrap: true},
    {key: 'state', label: 'State', text: true},
    {key: 'user_count', label: 'Users', format: fmt.count},
    {key: 'cpu_usage', label: 'CPU %', format: (v) => (v === null || v === undefined ? '' : v.toFixed(1))},
    {key: 'memory_usage', label: 'Memory (MB)', format: (v) => (v ? (v / 1048576).toFixed(1) : '')},
  ];
  function renderWorkers(workers) {
    $('no-workers').hidden = workers.length > 0;
    LH.fillTable($('workers-table'), WORKER_COLUMNS, workers, null);
  }

  // ---- the WebSocket, reconnected every 2 s while the server is away

  function connect() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws');
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;  // not ours: nothing to show
      }
      if (msg.type === 'hello') {
        $('connection').hidden = true;
        onHello(msg);
      } else if (msg.type === 'update') {
        onUpdate(msg);
      }
    };
    ws.onclose = () => {
      $('connection').textContent = 'disconnected \u2014 reconnecting';
      $('connection').hidden = false;
      setTimeout(connect, 2000);
    };
  }

  // ---- actions: Locust's HTTP API on this same origin

  // The JSON (or text) answer, or null after telling the reader what failed.
  async function call(path, options) {
    let res;
    try {
      res = await fetch(path, {cache: 'no-store', ...options});
    } catch (e) {
      showMessage(`${path}: no answer from loadhost (${e.message})`);
      return null;
    }
    const text = await res.text();
    let answer = text;
    try {
      answer = JSON.parse(text);
    } catch (e) { /* /stats/reset answers plain "ok" */ }
    if (!res.ok) {
      showMessage(`${path}: HTTP ${res.status}: ${(answer && answer.message) || text.trim()}`);
      return null;
    }
    if (answer && answer.success === false) {
      showMessage(answer.message || `${path} failed`);
      return null;
    }
    return answer;
  }

  // POST /swarm with a form's fields (disabled ones, e.g. under a load
  // shape, are left out by FormData), as Locust's form does.
  async function swarm(form) {
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const body = new URLSearchParams(new FormData(form));
      // Set before the answer: the server pushes the new state first.
      const before = target;
      if (body.has('user_count')) target = {users: body.get('user_count'), rate: body.get('spawn_rate')};
      const answer = await call('/swarm', {method: 'POST', body});
      if (answer) hideMessage();
      else target = before;
      return answer;
    } finally {
      button.disabled = false;
    }
  }

  $('start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    swarm(event.target);
  });
  $('edit-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (await swarm(event.target)) showMessage(`Now ${target ? target.users : ''} users`, 'info');
  });
  $('stop-button').addEventListener('click', () => call('/stop'));
  $('reset-button').addEventListener('click', async () => {
    if (await call('/stats/reset')) showMessage('Statistics reset', 'info');
  });

  connect();
})();
