// Real-browser test of loadhost's HTML report: the file written by
// `loadhost --headless --html FILE`, opened from disk (file://) in headless
// Chromium, must render its tables and charts with no network at all and
// no error in the console.
//
//   LH_REPORT_FILE=/tmp/report.html node tests/web/report_test.mjs
//
// Env: LH_REPORT_FILE (required), LH_CHROMIUM (default /usr/bin/chromium).
// Prints one line per check and "N passed, N failed"; exits 1 on a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { check, finish } from './harness.mjs';

const CHARTS = ['chart-rps', 'chart-response-times', 'chart-users'];

const file = process.env.LH_REPORT_FILE;
if (!file || !fs.existsSync(file)) finish(`LH_REPORT_FILE must name an existing report file (got ${JSON.stringify(file)})`);

const browser = await launchChromium();
try {
  const context = await browser.newContext({viewport: {width: 1400, height: 900}});
  const page = await context.newPage();
  const problems = [];   // console errors, page errors, dialogs
  const network = [];    // any request that is not the file itself
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on('request', (r) => { if (!/^(file|data):/.test(r.url())) network.push(r.url()); });
  // And make sure nothing leaves even if something asks.
  await context.route(/^https?:/, (route) => route.abort());

  await check('the report opens from file://', async () => {
    await page.goto(pathToFileURL(path.resolve(file)).href, {waitUntil: 'load'});
    // The charts are drawn synchronously at load; give late errors a moment.
    await page.waitForTimeout(500);
  });

  await check('no console error, page error or dialog', () => assert.deepEqual(problems, []));
  await check('no network request (only file://)', () => assert.deepEqual(network, []));

  await check('the stats table has rows, Aggregated last', async () => {
    const rows = await page.$$eval('#stats-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.ok(rows.length >= 2, `expected entries and the Aggregated row, got ${rows.length} rows`);
    assert.match(rows[rows.length - 1], /Aggregated/, 'the last row is not Aggregated');
  });

  await check('the percentiles table is present', async () => {
    const heads = await page.$$eval('#percentiles-table thead th', (ths) => ths.map((th) => th.textContent));
    for (const h of ['50%ile (ms)', '95%ile (ms)', '99%ile (ms)', '100% (ms)']) assert.ok(heads.includes(h), `no column ${h} in ${heads}`);
    const n = await page.locator('#percentiles-table tbody tr').count();
    const m = await page.locator('#stats-table tbody tr').count();
    assert.equal(n, m, 'percentiles and stats tables have different row counts');
  });

  await check('the three charts have data', async () => {
    const sizes = await page.evaluate((ids) => ids.map((id) => {
      const chart = window.Chart && Chart.getChart(id);
      return chart ? chart.data.datasets.map((d) => d.data.length) : null;
    }), CHARTS);
    CHARTS.forEach((id, i) => {
      assert.ok(sizes[i], `no Chart.js chart on #${id}`);
      assert.ok(sizes[i].every((n) => n > 0), `#${id} has an empty data set: ${sizes[i]}`);
    });
    console.log(`   chart points: ${sizes.map((s) => s[0]).join(', ')}`);
  });

  await check('the thresholds table shows each with its mark and value', async () => {
    assert.equal(await page.isVisible('#thresholds-panel'), true, 'the thresholds panel is hidden');
    const rows = await page.$$eval('#thresholds-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 2, `expected 2 thresholds, got ${rows}`);
    assert.match(rows[0], /^✓p\(95\)<10s\d/);
    assert.match(rows[1], /^✗\/nowhere: avg<1sno requests named '\/nowhere'/);
  });

  await check('the test parameters are shown', async () => {
    const params = await page.textContent('#params');
    assert.match(params, /Start/);
    assert.match(params, /Users/);
  });

  await check('user text stayed text (no element made from names or errors)', async () => {
    assert.equal(await page.locator('img, iframe, object, embed').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  });

  if (process.env.LH_SCREENSHOT) await page.screenshot({path: process.env.LH_SCREENSHOT, fullPage: true});
  await check('still no error at the end', () => assert.deepEqual([...problems, ...network], []));
} catch (e) {
  finish(e.stack || String(e));
} finally {
  await browser.close().catch(() => {});
}
finish(null);
