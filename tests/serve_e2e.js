// serve_e2e.js: the corridor serve page in headless Chromium, driven like a person would:
// real mouse clicks on the map (DevTools protocol) for a route between two clicked points,
// isochrones from a clicked point and the accessibility of a clicked point, checking what the
// side panel and the map show. Loopback only; every wait is bounded.
// Usage: node tests/serve_e2e.js CORRIDOR DATA.gpkg   (exit 77 when Chromium is missing)
// E2E_SCREENSHOTS=DIR keeps a screenshot of each step.
'use strict';
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SKIP = 77;
const [bin, data] = process.argv.slice(2);
if (!bin || !data) {
  console.error('usage: node serve_e2e.js CORRIDOR DATA.gpkg');
  process.exit(2);
}
// Node 20 has WebSocket behind a flag; newer ones have it always.
if (typeof WebSocket === 'undefined') {
  if (process.env.COR_E2E_REEXEC) {
    console.log('serve_e2e: this node has no WebSocket client; skipped');
    process.exit(SKIP);
  }
  const r = spawnSync(process.execPath, ['--experimental-websocket', __filename, bin, data],
    { stdio: 'inherit', env: { ...process.env, COR_E2E_REEXEC: '1' } });
  process.exit(r.status === null ? 1 : r.status);
}
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => {
  try { execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }); return true; } catch (e) { return false; }
});
if (!chromium) {
  console.log('serve_e2e: Chromium is not installed (Debian package chromium); skipped');
  process.exit(SKIP);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-e2e-'));
const shots = process.env.E2E_SCREENSHOTS;
let pass = 0, fail = 0;
function check(cond, what) {
  if (cond) pass++;
  else { fail++; console.error(`FAIL: ${what}`); }
}
let server = null, browser = null;
async function cleanup() {
  for (const p of [browser, server]) {
    if (!p || p.exitCode !== null || p.signalCode !== null) continue;
    const gone = new Promise((resolve) => p.on('exit', resolve));
    try { p.kill('SIGKILL'); } catch (e) { /* gone */ }
    await Promise.race([gone, sleep(5000)]);
  }
  try { fs.rmSync(tmp, { recursive: true, force: true }); } catch (e) { /* best effort */ }
}

async function startServer() {
  for (let attempt = 0; attempt < 6; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const log = fs.openSync(path.join(tmp, 'server.log'), 'w');
    server = spawn(bin, ['serve', data, '--port', String(port), '--threads', '2'],
      { stdio: ['ignore', 'ignore', log] });
    let exited = false;
    server.on('exit', () => { exited = true; });
    for (let i = 0; i < 240 && !exited; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        if (r.ok) return port;
      } catch (e) { /* not yet */ }
      await sleep(250);
    }
    if (!exited) server.kill('SIGKILL');
    server = null;
  }
  throw new Error('the server did not start');
}

// Starts Chromium with a DevTools port and returns a connected page session.
async function startBrowser() {
  browser = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu',
    '--no-first-run', '--no-default-browser-check', '--remote-debugging-port=0',
    `--user-data-dir=${path.join(tmp, 'profile')}`, '--window-size=1280,800', 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const devtools = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Chromium did not start: ${err.slice(0, 500)}`)), 30000);
    browser.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/[^\s]+)/);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
  });
  const port = new URL(devtools).port;
  let target = null;
  for (let i = 0; i < 40 && !target; i++) {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    target = list.find((t) => t.type === 'page');
    if (!target) await sleep(250);
  }
  if (!target) throw new Error('no page target');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let next = 0;
  const pending = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message)); else resolve(msg.result);
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  return { send, close: () => ws.close() };
}

async function main() {
  const port = await startServer();
  const url = `http://127.0.0.1:${port}/`;
  const page = await startBrowser();
  const evaluate = async (expr) => {
    const r = await page.send('Runtime.evaluate', { expression: expr, returnByValue: true,
      awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`${expr}: ${r.exceptionDetails.text}`);
    return r.result.value;
  };
  const waitFor = async (expr, what, ms = 30000) => {
    for (let t = 0; t < ms; t += 200) {
      try { if (await evaluate(expr)) return true; } catch (e) { /* page not ready */ }
      await sleep(200);
    }
    check(false, `timed out waiting for ${what}`);
    return false;
  };
  const shot = async (name) => {
    if (!shots) return;
    await sleep(600); // let Leaflet's zoom animation end
    const r = await page.send('Page.captureScreenshot', { format: 'png' });
    fs.mkdirSync(shots, { recursive: true });
    fs.writeFileSync(path.join(shots, `${name}.png`), Buffer.from(r.data, 'base64'));
  };
  // a real click at a lon/lat: the map's own projection gives the pixel
  const clickAt = async (lat, lon) => {
    const p = await evaluate(`(() => { const pt = state.map.latLngToContainerPoint([${lat}, ${lon}]);
      const r = document.getElementById('map').getBoundingClientRect();
      return { x: r.left + pt.x, y: r.top + pt.y }; })()`);
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased'])
      await page.send('Input.dispatchMouseEvent', { type, x: p.x, y: p.y, button: 'left',
        clickCount: type === 'mouseMoved' ? 0 : 1 });
  };
  const rows = () => evaluate("document.querySelectorAll('#result table tr').length - 1");
  const text = (sel) => evaluate(`(document.querySelector(${JSON.stringify(sel)}) || {}).textContent || ''`);
  const paths = () => evaluate("document.querySelectorAll('path.leaflet-interactive').length");

  await page.send('Page.enable');
  await page.send('Runtime.enable');
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800,
    deviceScaleFactor: 1, mobile: false });
  await page.send('Page.navigate', { url });
  check(await waitFor("typeof L !== 'undefined' && typeof state !== 'undefined' && state.map !== null",
    'Leaflet and the map'), 'the page loads Leaflet from the server');
  check(await waitFor("document.querySelectorAll('path.leaflet-interactive').length >= 3",
    'the provinces'), 'the provinces are drawn');
  check(/nodes/.test(await text('#dataset')), 'the header shows the network size');
  await shot('1-loaded');

  // route: click two points (west Beijing, south-west of Tianjin), as a person would
  const before = await paths();
  await clickAt(39.93, 116.25);
  check(await waitFor("/destination/.test(document.getElementById('status').textContent)",
    'the prompt for a destination'), 'first click asks for the destination');
  await clickAt(39.05, 117.05);
  check(await waitFor("document.querySelectorAll('#result table tr').length > 2", 'the legs'),
    'the route legs are listed');
  const from = (await evaluate("document.getElementById('from').value")).split(',').map(Number);
  const to = (await evaluate("document.getElementById('to').value")).split(',').map(Number);
  check(Math.abs(from[0] - 116.25) < 0.01 && Math.abs(from[1] - 39.93) < 0.01 &&
    Math.abs(to[0] - 117.05) < 0.01 && Math.abs(to[1] - 39.05) < 0.01,
  `the route runs between the clicked points (${from} -> ${to})`);
  check((await rows()) >= 3, 'several legs');
  check((await paths()) > before, 'the legs are drawn on the map');
  // the panel shows the API's answer to what the page asked
  const q = await evaluate("document.getElementById('result').dataset.query");
  const api = await (await fetch(url + q)).json();
  const summary = await text('#result p');
  check(summary.includes(`${(api.time_s / 60).toFixed(1)} min`), `the panel shows the route's time (${summary}; ${q})`);
  const legs = await evaluate("[...document.querySelectorAll('#result table tr')].slice(1).map((r) => r.cells[1].textContent.trim())");
  check(JSON.stringify(legs) === JSON.stringify(api.legs.map((l) => `${l.mode} ${l.class || ''}`.trim())),
    `the legs listed are the route's (${legs.join('; ')})`);
  await shot('2-route');

  // isochrones: choose the tool, set minutes, click Beijing's centre
  await evaluate("document.querySelector('input[name=tool][value=isochrone]').click()");
  await evaluate("document.getElementById('minutes').value = '30,60'");
  await clickAt(39.9, 116.4);
  check(await waitFor("/Isochrones/.test(document.querySelector('#result h2')?.textContent || '')",
    'the isochrone bands', 60000), 'isochrones answered');
  check((await rows()) === 2, 'two bands listed');
  const iq = await evaluate("document.getElementById('result').dataset.query");
  const iso = await (await fetch(url + iq)).json();
  const cells = await evaluate("[...document.querySelectorAll('#result table tr')].slice(1).map((r) => r.cells[2].textContent)");
  check(JSON.stringify(cells) === JSON.stringify(iso.features.map((f) => f.properties.area_km2.toFixed(0))),
    `band areas as the API's (${cells}; ${iq})`);
  await shot('3-isochrone');

  // accessibility of a clicked point
  await evaluate("document.querySelector('input[name=tool][value=access]').click()");
  await clickAt(39.2, 117.0);
  check(await waitFor("/^From /.test(document.querySelector('#result h2')?.textContent || '')",
    'the accessibility table'), 'accessibility answered');
  const acc = await evaluate("[...document.querySelectorAll('#result table tr')].slice(1).map((r) => [r.cells[0].textContent, r.cells[2].textContent])");
  check(acc.length === 4 && acc.every((r) => /^[0-9.]+$/.test(r[1])),
    `port, airport, high-speed station and city times (${JSON.stringify(acc)})`);
  await shot('4-access');

  // an error is shown, not thrown: an unknown place typed in the form
  await evaluate("document.querySelector('input[name=tool][value=route]').click()");
  await evaluate("document.getElementById('from').value = 'Atlantis'; document.getElementById('to').value = 'Tianjin'; document.querySelector('#route-form button').click()");
  check(await waitFor("document.getElementById('status').className === 'error'", 'the error'),
    'an unknown place is reported on the page');
  check(/InvalidQuery/.test(await text('#status')), 'the error names its code');

  page.close();
  server.kill('SIGTERM');
  const code = await new Promise((resolve) => {
    const t = setTimeout(() => resolve('timeout'), 10000);
    server.on('exit', (c) => { clearTimeout(t); resolve(c); });
  });
  check(code === 0, `the server stops cleanly on SIGTERM (${code})`);
  server = null;
}

main().catch((e) => { fail++; console.error(`FAIL: ${e.message}`); }).finally(async () => {
  await cleanup();
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
});
