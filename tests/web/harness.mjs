// What every browser test here shares: one line per check and "N passed,
// N failed" (the first failure ends the run, exit 1), a bound on the whole
// run, the processes under test (each in a process group of its own, killed
// on exit), polling, and the page helpers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';

export const TIMEOUT_MS = 120_000;

// ---- reporting

let passed = 0;
const processes = new Set();

export function finish(failure) {
  if (failure) {
    console.error(`FAIL: ${failure}`);
    for (const p of processes) console.error(`--- last output of ${p.label}:\n${p.out.split('\n').slice(-15).join('\n')}`);
  }
  console.log(`${passed} passed, ${failure ? 1 : 0} failed`);
  // The exit handler below kills what is left; playwright-core ends the browser it launched.
  process.exit(failure ? 1 : 0);
}
setTimeout(() => finish(`timed out after ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS).unref();

// fn may return a string: a note printed after the check's name.
export async function check(name, fn) {
  let note;
  try {
    note = await fn();
  } catch (e) {
    finish(`${name}: ${e.message}`);
  }
  passed++;
  console.log(`ok - ${name}${typeof note === 'string' ? ` (${note})` : ''}`);
}

export function env(name) {
  const value = process.env[name];
  if (!value || !fs.existsSync(value)) finish(`${name} must name an existing file (got ${JSON.stringify(value)})`);
  return value;
}

// Polls fn (sync or async) until it returns a truthy value. With `last`, a
// timeout says what fn saw last (the rows, say), not only what was awaited.
export async function waitUntil(fn, what, ms = 20_000, last = () => '') {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) {
      const seen = last();
      throw new Error(`gave up waiting ${ms / 1000} s for ${what}${seen ? `; last seen: ${seen}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

// ---- the processes under test. Each gets a process group of its own
// (detached), so ending it also ends what it started (loadhost -f x.cpp runs
// the compiler), and only what this test started is ever signalled.

export function signal(proc, sig) {
  try {
    process.kill(-proc.child.pid, sig);
  } catch { /* already gone */ }
}

export function launch(label, bin, args) {
  const child = spawn(bin, args, {stdio: ['ignore', 'pipe', 'pipe'], detached: true});
  const proc = {label, child, out: '', exited: null};
  const keep = (d) => { proc.out = (proc.out + d).slice(-200_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => { proc.exited = `exited (${code ?? signal})`; });
  child.on('error', (e) => { proc.exited = `could not start (${e.message})`; });
  processes.add(proc);
  return proc;
}

export async function waitForOutput(proc, pattern, ms = 30_000) {
  return waitUntil(() => {
    const m = pattern.exec(proc.out);
    if (m) return m;
    if (proc.exited) throw new Error(`${proc.label} ${proc.exited} before printing ${pattern}`);
    return null;
  }, `${proc.label} to print ${pattern}`, ms);
}

export async function stop(proc) {
  if (!proc.exited) {
    signal(proc, 'SIGTERM');
    try {
      await waitUntil(() => proc.exited, `${proc.label} to exit`, 5000);
    } catch {
      signal(proc, 'SIGKILL');
    }
  }
  processes.delete(proc);
}
process.on('exit', () => { for (const p of processes) signal(p, 'SIGKILL'); });

// ---- loadhost's HTTP API and the page

// GET a JSON route as a tool reads it (no Origin header).
export function getJson(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

// Records what must never happen on our page: console errors, uncaught
// exceptions, dialogs (alert() is what XSS payloads call).
export function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss().catch(() => {}); });
  return problems;
}

export const textOf = (page, selector) => page.$eval(selector, (e) => e.textContent.trim());

export function waitForText(page, selector, pattern, ms = 20_000) {
  return page.waitForFunction(([sel, source]) => {
    const e = document.querySelector(sel);
    return e && new RegExp(source).test(e.textContent.trim());
  }, [selector, pattern.source], {timeout: ms, polling: 100});
}
