// Real-browser test of loadhost's live web UI: headless Chromium drives the
// page of a real loadhost (UI mode, no --headless) against the bundled demo
// target, as a person would: start, edit, reload, reset, stop, download the
// report. Then an XSS phase with a scenario whose names and messages are
// HTML markup, and checks that another origin cannot drive the test.
//
//   LH_LOADHOST_BIN=build/bin/loadhost LH_DEMO_TARGET_BIN=build/bin/loadhost-demo-target \
//   LH_SHOP_SCENARIO=build/examples/scenarios/shop.so LH_XSS_SCENARIO=build/tests/web/xss_names.so \
//   node tests/web/ui_test.mjs
//
// Optional env: LH_SCREENSHOT (save a full-page screenshot of the page in
// use there), LH_WEB_TEST_OUT (where to save the downloaded report, default
// tests/web/out), LH_CHROMIUM (default /usr/bin/chromium).
// Prints one line per check and "N passed, N failed"; exits 1 on a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { check, env, finish, getJson, launch, stop, textOf, waitForOutput, waitForText, waitUntil, watch } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHARTS = ['chart-rps', 'chart-response-times', 'chart-users'];
const XSS_NAME = '<img src=x onerror=alert(1)>';        // tests/web/xss_names.cpp
const XSS_FAILURE = '<img src=x onerror=alert(2)>';
const XSS_EXCEPTION = '<img src=x onerror=alert(3)>';

// Starts loadhost in UI mode; returns its page's origin (it prints
// "web UI at http://127.0.0.1:PORT/").
async function startLoadhost(label, scenario, targetUrl, users) {
  const proc = launch(label, env('LH_LOADHOST_BIN'),
    ['-f', scenario, '-H', targetUrl, '--web-port', '0', '--threads', '1', '-u', String(users), '-r', String(users)]);
  const [, url] = await waitForOutput(proc, /web UI at (http:\/\/\S+)/, 60_000);
  return {proc, origin: new URL(url).origin};
}

// ---- page helpers

// The "# Requests" of the Aggregated row (last, class "total"), or -1.
const aggregatedRequests = (page) => page.evaluate(() => {
  const rows = document.querySelectorAll('#stats-table tbody tr');
  const last = rows[rows.length - 1];
  if (!last || !last.classList.contains('total')) return -1;
  return Number(last.querySelector('td[data-col="num_requests"]').textContent.replace(/,/g, ''));
});

// Points in each chart's first data set (null: no chart on that canvas).
const chartPoints = (page) => page.evaluate((ids) => ids.map((id) => {
  const chart = window.Chart && Chart.getChart(id);
  if (!chart) return null;
  const n = chart.data.labels.length;
  return chart.data.datasets.every((d) => d.data.length === n) ? n : -1;
}), CHARTS);

const columnTexts = (page, table, col) =>
  page.$$eval(`${table} tbody td[data-col="${col}"]`, (tds) => tds.map((td) => td.textContent));

// A page on another origin (another port), to act as a hostile site.
function startOtherOrigin() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, {'content-type': 'text/html'});
    res.end('<!doctype html><title>another site</title><p>another site</p>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({server, origin: `http://127.0.0.1:${server.address().port}`})));
}

// The run's state as loadhost answers a tool (no Origin header).
async function runState(origin) {
  return (await getJson(origin + '/stats/requests')).state;
}

function postWithOrigin(origin, pathname, fromOrigin, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(origin + pathname, {method: 'POST', headers: {
      'Origin': fromOrigin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body)}},
    (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end(body);
  });
}

// ---- the test

const demoTarget = env('LH_DEMO_TARGET_BIN');
const shop = env('LH_SHOP_SCENARIO');
const xss = env('LH_XSS_SCENARIO');
// Where the downloaded report goes: the build tree under ctest, else out/.
const outDir = process.env.LH_WEB_TEST_OUT || path.join(HERE, 'out');
fs.mkdirSync(outDir, {recursive: true});

const browser = await launchChromium();
const other = await startOtherOrigin();

try {
  const target = launch('demo target', demoTarget, ['--port', '0', '--threads', '1']);
  const [, targetAddress] = await waitForOutput(target, /listening on (127\.0\.0\.1:\d+)/);
  const targetUrl = `http://${targetAddress}`;

  // ======== phase 1: the shop scenario, driven through the page
  const ui = await startLoadhost('loadhost (shop)', shop, targetUrl, 5);
  const context = await browser.newContext({viewport: {width: 1400, height: 900}, acceptDownloads: true});
  const page = await context.newPage();
  const problems = watch(page);

  await check('the page loads and shows state "ready"', async () => {
    await page.goto(ui.origin + '/');
    await waitForText(page, '#state', /^ready$/);
  });

  await check('the start form is prefilled from the command line (-u 5 -r 5 -H)', async () => {
    assert.equal(await page.inputValue('#start-users'), '5');
    assert.equal(await page.inputValue('#start-spawn-rate'), '5');
    assert.equal(await page.inputValue('#start-host'), targetUrl);
    assert.ok(await page.isVisible('#start-form'));
  });

  await check('another origin cannot start a test (POST /swarm answers 403, state stays ready)', async () => {
    assert.equal(await postWithOrigin(ui.origin, '/swarm', other.origin, 'user_count=3&spawn_rate=3'), 403);
    // And from a real browser page on that origin: a no-cors fetch (the
    // kind of request any site can send), a form post, and the WebSocket
    // (which must not even let it read the stats).
    const evil = await (await browser.newContext()).newPage();
    const statuses = [];
    evil.on('response', (r) => { if (r.url().startsWith(ui.origin)) statuses.push(r.status()); });
    await evil.goto(other.origin + '/');
    const wsReadable = await evil.evaluate(async (lh) => {
      await fetch(lh + '/swarm', {method: 'POST', mode: 'no-cors', body: new URLSearchParams('user_count=3&spawn_rate=3')})
        .catch(() => {});
      // The classic CSRF: a form posted into a frame.
      const frame = Object.assign(document.createElement('iframe'), {name: 'sink'});
      const form = Object.assign(document.createElement('form'), {method: 'POST', action: lh + '/swarm', target: 'sink'});
      for (const [name, value] of [['user_count', '3'], ['spawn_rate', '3']])
        form.append(Object.assign(document.createElement('input'), {name, value}));
      document.body.append(frame, form);
      await new Promise((resolve) => {
        frame.onload = resolve;
        form.submit();
        setTimeout(resolve, 3000);
      });
      return new Promise((resolve) => {
        const ws = new WebSocket(lh.replace('http', 'ws') + '/ws');
        ws.onmessage = () => resolve(true);
        ws.onclose = () => resolve(false);
        setTimeout(() => resolve(false), 3000);
      });
    }, ui.origin);
    assert.equal(wsReadable, false, 'a page of another origin read the pushed stats over /ws');
    await evil.context().close();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await runState(ui.origin), 'ready', 'a cross-origin request started the test');
    assert.equal(await textOf(page, '#state'), 'ready');
    if (statuses.length) assert.ok(statuses.every((s) => s === 403), `answers seen: ${statuses}`);
  });

  await check('a refused start shows the server\'s message', async () => {
    await page.fill('#start-run-time', 'soon');
    await page.click('#start-button');
    await waitForText(page, '#message-text', /run_time/);
    assert.ok(await page.isVisible('#message'));
    assert.equal(await textOf(page, '#state'), 'ready');
  });

  await check('starting from the form runs the test', async () => {
    await page.fill('#start-users', '4');
    await page.fill('#start-spawn-rate', '4');
    await page.fill('#start-run-time', '');
    await page.click('#start-button');
    await waitForText(page, '#state', /^(spawning|running)$/);
    assert.ok(await page.isHidden('#start-form'), 'the start form is still shown');
    assert.ok(await page.isHidden('#message'), 'the earlier error is still shown');
    assert.ok(await page.isVisible('#stop-button'));
  });

  await check('the stats table fills, Aggregated last', async () => {
    await waitUntil(async () => (await aggregatedRequests(page)) > 0, 'requests in the Aggregated row');
    const names = await columnTexts(page, '#stats-table', 'name');
    assert.ok(names.length >= 2, `rows: ${names}`);
    assert.equal(names[names.length - 1], 'Aggregated');
    assert.ok(names.includes('/items/[id]'), `no /items/[id] row in ${names}`);
  });

  await check('the three charts get data points', async () => {
    await waitUntil(async () => (await chartPoints(page)).every((n) => n > 0), 'points in every chart');
  });

  await check('Edit sets the user count to 8', async () => {
    await waitForText(page, '#state', /^running$/);
    await page.fill('#edit-users', '8');
    await page.fill('#edit-spawn-rate', '8');
    await page.click('#edit-button');
    await waitForText(page, '#user-count', /^8$/);
  });

  await check('a reload keeps the charts (the server sends the history)', async () => {
    const before = await chartPoints(page);
    await page.reload();
    await waitForText(page, '#state', /^(spawning|running)$/);
    await waitUntil(async () => (await chartPoints(page)).every((n, i) => n >= before[i]),
      `charts to hold at least ${before} points again`, 10_000);
  });

  await check('sorting by # Requests keeps Aggregated last', async () => {
    await page.click('#stats-table th:has-text("# Requests")');
    const counts = (await columnTexts(page, '#stats-table', 'num_requests')).map((t) => Number(t.replace(/,/g, '')));
    const names = await columnTexts(page, '#stats-table', 'name');
    assert.equal(names[names.length - 1], 'Aggregated');
    const entries = counts.slice(0, -1);
    // Rows are redrawn every second; compare the sort of one snapshot.
    assert.deepEqual(entries, [...entries].sort((a, b) => b - a), `not sorted: ${entries}`);
  });

  await check('after the reload, the edit form holds the running user count', async () => {
    assert.equal(await page.inputValue('#edit-users'), '8');
  });

  // Enough requests that the reset below shows, and a screenshot of a page
  // that has been running for some seconds (the RPS figures need a few).
  let before = 0;
  await check('the run goes on (300 requests)', async () => {
    before = await waitUntil(async () => {
      const n = await aggregatedRequests(page);
      return n >= 300 ? n : 0;
    }, '300 requests');
  });
  if (process.env.LH_SCREENSHOT) await page.screenshot({path: process.env.LH_SCREENSHOT, fullPage: true});

  await check('Reset stats makes the request count drop', async () => {
    await page.click('#reset-button');
    await waitUntil(async () => {
      const n = await aggregatedRequests(page);
      return n >= 0 && n < before;
    }, `the count to drop below ${before}`, 10_000);
  });

  await check('the Charts tab draws the charts at a visible size', async () => {
    await page.click('#tab-button-charts');
    // Chart.js sizes a chart shown from a hidden tab on its next resize
    // observation, a frame or so later.
    await waitUntil(() => page.evaluate((ids) => ids.every((id) => Chart.getChart(id).width > 100), CHARTS),
      'the charts to take the width of the page', 5000);
    await page.click('#tab-button-stats');
  });

  await check('Stop stops the test', async () => {
    await page.click('#stop-button');
    await waitForText(page, '#state', /^stopped$/);
    await page.waitForSelector('#start-form', {state: 'visible'});
  });

  const reportFile = path.join(outDir, 'ui_report.html');
  await check('the report downloads, self-contained', async () => {
    await page.click('#tab-button-downloads');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    await download.saveAs(reportFile);
    const html = fs.readFileSync(reportFile, 'utf8');
    assert.match(html, /^\s*<!doctype html/i);
    // Nothing the browser would fetch: no src/href/action/url()/@import to an
    // absolute or protocol-relative URL.
    const fetched = [...html.matchAll(/\b(?:src|href|action|formaction|poster)\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]*)/gi),
      ...html.matchAll(/(?:url\(\s*["']?|@import\s+["']?)((?:https?:)?\/\/[^"')\s]*)/gi)].map((m) => m[1]);
    assert.deepEqual(fetched, [], 'the report refers to external resources');
    // Any other URL text is the target host, or in Chart.js's license banner.
    const allowed = new Set([targetUrl, 'https://www.chartjs.org', 'https://github.com/kurkle/color#readme']);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)\\]+/g)].map((m) => m[0].replace(/[.,;]+$/, ''));
    const others = urls.filter((u) => !allowed.has(u) && !u.startsWith(targetUrl + '/'));
    assert.deepEqual([...new Set(others)], [], 'the report names other hosts');
  });

  await check('the downloaded report renders from file:// with no network', async () => {
    const reportPage = await context.newPage();
    const reportProblems = watch(reportPage);
    const network = [];
    reportPage.on('request', (r) => { if (!/^(file|data):/.test(r.url())) network.push(r.url()); });
    await reportPage.goto(pathToFileURL(reportFile).href);
    const points = await chartPoints(reportPage);
    assert.ok(points.every((n) => n > 0), `report chart points ${points}`);
    assert.ok((await reportPage.locator('#stats-table tbody tr').count()) >= 2);
    assert.deepEqual([...reportProblems, ...network], []);
    await reportPage.close();
  });

  await check('no console error, page error or dialog on the page', () => assert.deepEqual(problems, []));

  await check('losing the server shows "disconnected" (and is not an error of the page)', async () => {
    problems.length = 0;
    await stop(ui.proc);
    await waitForText(page, '#connection', /disconnected/, 10_000);
    assert.ok(await page.isVisible('#connection'));
    // Reconnect attempts log failed WebSocket connections: expected here.
    assert.deepEqual(problems.filter((p) => !/WebSocket/i.test(p)), []);
  });
  await context.close();

  // ======== phase 2: names, failures and exceptions that are HTML markup
  const ui2 = await startLoadhost('loadhost (xss)', xss, targetUrl, 1);
  const context2 = await browser.newContext({viewport: {width: 1400, height: 900}});
  // If markup ever became elements, the payload's alert() would land here.
  await context2.addInitScript(() => {
    for (const name of ['alert', 'confirm', 'prompt']) {
      const original = window[name];
      window[name] = (...args) => { window.__xss = `${name}(${args.join(',')})`; return original.apply(window, args); };
    }
  });
  const page2 = await context2.newPage();
  const problems2 = watch(page2);

  await check('XSS: the scenario starts from the page', async () => {
    await page2.goto(ui2.origin + '/');
    await waitForText(page2, '#state', /^ready$/);
    await page2.click('#start-button');
    await waitForText(page2, '#state', /^(spawning|running)$/);
  });

  await check('XSS: the markup name is shown literally in the stats table', async () => {
    await waitUntil(async () => (await columnTexts(page2, '#stats-table', 'name')).includes(XSS_NAME),
      `a row named ${XSS_NAME}`);
    assert.equal(await page2.locator('#stats-table img').count(), 0);
  });

  await check('XSS: failure and exception texts are shown literally', async () => {
    await waitUntil(async () => (await columnTexts(page2, '#failures-table', 'error')).includes(XSS_FAILURE),
      `a failure ${XSS_FAILURE}`);
    await waitUntil(async () => (await columnTexts(page2, '#exceptions-table', 'msg')).includes(XSS_EXCEPTION),
      `an exception ${XSS_EXCEPTION}`);
  });

  await check('XSS: no element was made from the text, no script ran', async () => {
    await page2.waitForTimeout(1500);  // an onerror would fire by now
    assert.equal(await page2.locator('img, svg, iframe, object, embed').count(), 0);
    assert.equal(await page2.evaluate(() => window.__xss), undefined);
    assert.deepEqual(problems2, []);
  });

  // Last, as it asks the most of the server: GETs that change state must not
  // work from another site either. Browsers send no Origin header with a
  // no-cors GET (an <img src>, a plain fetch), so the server has to look at
  // Sec-Fetch-Site as well.
  await check('another origin cannot stop or reset a running test with a GET', async () => {
    await waitUntil(async () => (await aggregatedRequests(page2)) >= 20, '20 requests');
    const before = await aggregatedRequests(page2);
    const evil = await (await browser.newContext()).newPage();
    await evil.goto(other.origin + '/');
    await evil.evaluate(async (lh) => {
      await fetch(lh + '/stats/reset', {mode: 'no-cors'}).catch(() => {});
      await new Promise((resolve) => {
        const img = new Image();
        img.onload = img.onerror = resolve;
        img.src = lh + '/stop';
      });
    }, ui2.origin);
    await evil.context().close();
    await page2.waitForTimeout(1500);
    assert.equal(await runState(ui2.origin), 'running', 'a cross-site GET /stop stopped the test');
    assert.ok((await aggregatedRequests(page2)) >= before, 'a cross-site GET /stats/reset reset the stats');
  });

  await context2.close();
  await stop(ui2.proc);
  await stop(target);
} catch (e) {
  finish(e.stack || String(e));
} finally {
  other.server.close();
  await browser.close().catch(() => {});
}
finish(null);
