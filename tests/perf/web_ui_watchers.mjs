// Five live-UI watchers for the web UI benchmark: each holds the page's
// WebSocket (/ws) and, like a browser tab, also fetches /stats/requests
// and /metrics once a second (a dashboard's load). Prints the frames each
// one received, so the run shows that the push really flowed.
//   node --experimental-websocket tests/perf/web_ui_watchers.mjs URL SECONDS [WATCHERS]
const [url, seconds, count = '5'] = process.argv.slice(2);
const wsUrl = url.replace(/^http/, 'ws') + 'ws';
const frames = new Array(Number(count)).fill(0);
const sockets = frames.map((_, i) => {
  const ws = new WebSocket(wsUrl);
  ws.onmessage = () => { frames[i] += 1; };
  return ws;
});
const poll = setInterval(() => {
  for (let i = 0; i < frames.length; ++i) {
    fetch(url + 'stats/requests').then((r) => r.text()).catch(() => {});
    fetch(url + 'metrics').then((r) => r.text()).catch(() => {});
  }
}, 1000);
setTimeout(() => {
  clearInterval(poll);
  for (const ws of sockets) ws.close();
  console.log(`watchers: ${frames.length}, frames received: ${frames.join(' ')}`);
  process.exit(0);
}, Number(seconds) * 1000);
