// Real-browser test of the web UI's Workers tab in a distributed run: headless
// Chromium drives the page of a real loadhost master (--master, no
// --headless) while real loadhost workers join, run the shop scenario
// against the bundled demo target, and one of them is killed, as a person
// watching the tab would see it:
//
//   1. a master with no workers: the tab says so, the table is empty;
//   2. two workers join: two rows with their ids, "ready";
//   3. a test started from the form: both "running", 2 users each, CPU and
//      memory figures;
//   4. one worker SIGKILLed: its row turns "missing" after the heartbeat
//      timeout (3 s) and the other row takes all 4 users;
//   5. Stop from the page: the survivor goes back to idle.
//
// At every step the page is compared with what the master answers a tool
// (GET /stats/requests, Locust's `workers` list), and the worker ids with
// those the master and the workers print.
//
//   LH_LOADHOST_BIN=build/bin/loadhost LH_DEMO_TARGET_BIN=build/bin/loadhost-demo-target \
//   LH_SHOP_SCENARIO=build/examples/scenarios/shop.so node tests/web/workers_test.mjs
//
// Optional env: LH_SCREENSHOT (save a full-page screenshot of the Workers
// tab after the kill), LH_CHROMIUM (default /usr/bin/chromium).
// Prints one line per check and "N passed, N failed"; exits 1 on a failure.
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { check, env, finish, getJson, launch, signal, stop, textOf, waitForOutput, waitForText, waitUntil, watch } from './harness.mjs';

const USERS = 4;  // split 2 + 2 over two workers, then 4 on the survivor


// A worker, and the id it joined with: it prints "connected to the master at
// tcp://... as ID (index N)". Knowing which process has which id is what
// lets the kill below expect that row, and no other, to turn "missing".
async function startWorker(label, masterPort, scenario) {
  const proc = launch(label, env('LH_LOADHOST_BIN'),
    ['--worker', '--master-port', String(masterPort), '-f', scenario, '--threads', '1']);
  const [, id] = await waitForOutput(proc, /connected to the master at \S+ as (\S+) \(index \d+\)/);
  return {proc, id};
}

// ---- what the page shows and what the master answers

// The Workers tab's rows as the reader sees them: cell texts by column
// (data-col is WORKER_COLUMNS' key), in the page's order.
const pageWorkers = (page) => page.$$eval('#workers-table tbody tr', (rows) => rows.map((tr) => {
  const cell = (col) => tr.querySelector(`td[data-col="${col}"]`)?.textContent.trim() ?? null;
  return {id: cell('id'), state: cell('state'), users: cell('user_count'), cpu: cell('cpu_usage'),
    memory: cell('memory_usage')};
}));

const statsJson = (origin) => getJson(origin + '/stats/requests');

// {id: "state/users"}: the shape both sides are compared in. Rows are
// matched by id, not position: the order is the master's, not a promise.
const byId = (rows, state, users) => Object.fromEntries(rows.map((w) => [w.id, `${w[state]}/${w[users]}`]));
const show = (o) => JSON.stringify(o);
const sorted = (o) => show(Object.fromEntries(Object.entries(o).sort()));
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Waits until the page's rows and the master's `workers` list both equal
// `expected` ({id: "state/users"}); the page updates once a second, so each
// side gets there on its own clock. Returns the last page rows and JSON.
async function waitForWorkers(page, origin, expected, what, ms = 10_000) {
  let seen = {};
  return waitUntil(async () => {
    const rows = await pageWorkers(page);
    const json = await statsJson(origin);
    seen = {page: byId(rows, 'state', 'users'), json: byId(json.workers || [], 'state', 'user_count')};
    const want = sorted(expected);
    // rows.length: two rows of one id would collapse into one key.
    return sorted(seen.page) === want && sorted(seen.json) === want && rows.length === Object.keys(expected).length
      ? {rows, json} : null;
  }, what, ms, () => show(seen));
}


// ---- the test

const demoTarget = env('LH_DEMO_TARGET_BIN');
const shop = env('LH_SHOP_SCENARIO');
const browser = await launchChromium();

try {
  const target = launch('demo target', demoTarget, ['--port', '0', '--threads', '1']);
  const [, targetAddress] = await waitForOutput(target, /listening on (127\.0\.0\.1:\d+)/);

  // The master: any free port for workers and for the page. Its own -u/-r
  // only prefill the form; the test types its own.
  const master = launch('master', env('LH_LOADHOST_BIN'),
    ['--master', '--master-bind-port', '0', '--web-port', '0', '--threads', '1',
      '-f', shop, '-H', `http://${targetAddress}`]);
  const [, masterPort] = await waitForOutput(master, /master listening on 127\.0\.0\.1:(\d+)/);
  const [, webUrl] = await waitForOutput(master, /web UI at (http:\/\/\S+)/);
  const origin = new URL(webUrl).origin;

  const context = await browser.newContext({viewport: {width: 1400, height: 900}});
  const page = await context.newPage();
  const problems = watch(page);

  // ======== 1. a master with no workers yet
  await check('the master\'s page loads, state "ready"', async () => {
    await page.goto(origin + '/');
    await waitForText(page, '#state', /^ready$/);
  });

  await check('the Workers tab, no workers: the "no workers" line shows and the table is empty', async () => {
    await page.click('#tab-button-workers');
    await page.waitForSelector('#tab-workers', {state: 'visible', timeout: 5000});
    // Give the page an update or two: an empty list must stay empty.
    await page.waitForTimeout(1500);
    assert.ok(await page.isVisible('#no-workers'), '#no-workers is hidden');
    assert.equal(await page.locator('#workers-table tbody tr').count(), 0);
    assert.deepEqual((await statsJson(origin)).workers, []);
  });

  await check('the "no workers" line does not call a master\'s run standalone', async () => {
    // The page knows it is a master's (hello's info.is_distributed); telling
    // the reader "this is a standalone run" while the master waits for
    // workers would send them looking for the wrong problem.
    const text = await textOf(page, '#no-workers');
    assert.doesNotMatch(text, /standalone/i, `it says ${JSON.stringify(text)}`);
  });

  // ======== 2. two workers join
  const workers = [await startWorker('worker A', masterPort, shop), await startWorker('worker B', masterPort, shop)];
  const [a, b] = workers;

  await check('the master names each worker as it connects (the ids the workers have)', async () => {
    for (const w of workers) {
      await waitForOutput(master, new RegExp(`worker ${escapeRegExp(w.id)} \\(index \\d+, [^)]*\\) connected`), 5000);
    }
    assert.notEqual(a.id, b.id);
  });

  await check('two workers: two rows with their ids, "ready", no users; "no workers" is gone', async () => {
    await waitForWorkers(page, origin, {[a.id]: 'ready/0', [b.id]: 'ready/0'}, 'two ready rows');
    assert.ok(await page.isHidden('#no-workers'), '#no-workers still shows beside the rows');
  });

  await check('the table has the columns Worker, State, Users, CPU %, Memory (MB)', async () => {
    const headers = await page.$$eval('#workers-table thead th', (ths) => ths.map((th) => th.textContent.trim()));
    assert.deepEqual(headers, ['Worker', 'State', 'Users', 'CPU %', 'Memory (MB)']);
  });

  // ======== 3. a test started from the page's form
  await check(`starting ${USERS} users from the form: both rows "running" with 2 users each`, async () => {
    // The start form sits above the tabs: the Workers tab stays open.
    await page.fill('#start-users', String(USERS));
    await page.fill('#start-spawn-rate', String(USERS));
    await page.fill('#start-run-time', '');
    await page.click('#start-button');
    await waitForText(page, '#state', /^(spawning|running)$/);
    assert.ok(await page.isVisible('#workers-table'), 'the Workers tab closed');
    await waitForWorkers(page, origin, {[a.id]: 'running/2', [b.id]: 'running/2'}, 'two running rows of 2 users');
    await waitForText(page, '#user-count', new RegExp(`^${USERS}$`), 5000);
  });

  await check('CPU % and memory (MB) cells are numbers, and agree with the master\'s figures', async () => {
    // CPU is a one-decimal percentage, memory MiB with one decimal. Both come
    // with a worker's heartbeat (every second); until its first one the
    // master has 0 bytes and the page an empty cell, so wait for them.
    const number = /^\d+\.\d$/;
    let rows = [];
    await waitUntil(async () => {
      rows = await pageWorkers(page);
      return rows.length === 2 && rows.every((r) => number.test(r.cpu) && number.test(r.memory));
    }, 'numbers in the CPU and memory cells', 5000, () => show(rows));
    // The figures change with each heartbeat: the page's memory is compared
    // with the JSON's loosely (same size within a factor of 2).
    const json = await statsJson(origin);
    for (const row of rows) {
      const w = json.workers.find((x) => x.id === row.id);
      assert.ok(w, `${row.id} is not in /stats/requests`);
      assert.equal(typeof w.cpu_usage, 'number');
      assert.ok(w.memory_usage > 1 << 20, `memory_usage of ${row.id}: ${w.memory_usage}`);
      const mib = w.memory_usage / 1048576;
      assert.ok(Number(row.memory) > mib / 2 && Number(row.memory) < mib * 2,
        `page shows ${row.memory} MB, the master reports ${mib.toFixed(1)} MiB`);
    }
  });

  await check('the master\'s totals: state "running", user_count 4', async () => {
    const json = await statsJson(origin);
    assert.equal(json.state, 'running');
    assert.equal(json.user_count, USERS);
    assert.equal(json.workers.reduce((n, w) => n + w.user_count, 0), USERS);
  });

  // ======== 4. one worker dies without a word
  await check('SIGKILL worker A: its row turns "missing", worker B takes all 4 users', async () => {
    const killedAt = Date.now();
    signal(a.proc, 'SIGKILL');
    // 3 missed heartbeats of 1 s (docs/distributed.md), so about 3-5 s; 12 s
    // bounds the wait with room for a loaded machine.
    await waitForWorkers(page, origin, {[a.id]: 'missing/0', [b.id]: `running/${USERS}`},
      'A missing and B running all users', 12_000);
    const seconds = (Date.now() - killedAt) / 1000;
    await waitForText(page, '#user-count', new RegExp(`^${USERS}$`), 5000);
    assert.equal(await textOf(page, '#state'), 'running');
    return `after ${seconds.toFixed(1)} s`;
  });
  if (process.env.LH_SCREENSHOT) await page.screenshot({path: process.env.LH_SCREENSHOT, fullPage: true});

  await check('the master logged worker A as missing', async () => {
    await waitForOutput(master, new RegExp(`worker ${escapeRegExp(a.id)} .*marked missing`), 2000);
  });

  // ======== 5. Stop from the page
  await check('Stop from the page: state "stopped", worker B back to idle with no users, page and master agree', async () => {
    await page.click('#stop-button');
    await waitForText(page, '#state', /^stopped$/);
    // Whichever idle state the master reports for B (a loadhost worker sends
    // client_stopped then client_ready: "ready"), the page must show the same.
    let settled;
    await waitUntil(async () => {
      const json = await statsJson(origin);
      const wb = (json.workers || []).find((w) => w.id === b.id);
      if (json.state === 'stopped' && wb && /^(ready|stopped)$/.test(wb.state) && wb.user_count === 0) settled = wb.state;
      return settled;
    }, 'the master to report B idle', 10_000);
    await waitForWorkers(page, origin, {[a.id]: 'missing/0', [b.id]: `${settled}/0`}, `B "${settled}" on both sides`);
    await waitForText(page, '#user-count', /^0$/, 5000);
    return `B is "${settled}"`;
  });

  await check('no console error, page error or dialog on the page', () => assert.deepEqual(problems, []));

  await context.close();
  await stop(master);
  for (const w of workers) await stop(w.proc);
  await stop(target);
} catch (e) {
  finish(e.stack || String(e));
} finally {
  await browser.close().catch(() => {});
}
finish(null);
