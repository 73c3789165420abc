// app.js: the corridor serve page: draws the region (provinces and places from the server, no
// online tiles), and asks the server for routes, isochrones and accessibility on click.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { from: null, to: null, markers: [], overlay: null, map: null };

const LEG_STYLE = {
  rail: { color: '#c0392b', weight: 4 },
  road: { color: '#2c6fbb', weight: 3 },
  access: { color: '#777', weight: 2, dashArray: '4 4' },
  board: { color: '#000', weight: 2 },
  alight: { color: '#000', weight: 2 },
};
const BAND_COLORS = ['#1a9850', '#91cf60', '#d9ef8b', '#fee08b', '#fc8d59', '#d73027'];

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;',
    '"': '&quot;', "'": '&#39;' }[c]));
}
function minutes(s) { return (s / 60).toFixed(1); }
function km(m) { return (m / 1000).toFixed(1); }
function tool() { return document.querySelector('input[name=tool]:checked').value; }
function mode() { return $('mode').value; }

function status(msg, isError) {
  $('status').textContent = msg || '';
  $('status').className = isError ? 'error' : '';
}

// GET or POST JSON; throws Error(message) with the server's {"code","message"} on failure.
async function ask(url, body) {
  const opts = body ? { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body) } : {};
  const r = await fetch(url, opts);
  let doc = null;
  try { doc = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) throw new Error(doc && doc.message ? `${doc.code}: ${doc.message}` : `HTTP ${r.status}`);
  return doc;
}

function clearOverlay() {
  if (state.overlay && state.map) state.map.removeLayer(state.overlay);
  state.overlay = null;
  for (const m of state.markers) if (state.map) state.map.removeLayer(m);
  state.markers = [];
}

function addMarker(latlng, text) {
  if (!state.map) return;
  const m = L.marker(latlng).addTo(state.map).bindTooltip(text, { permanent: false });
  state.markers.push(m);
}

function lonlat(latlng) { return `${latlng.lng.toFixed(5)},${latlng.lat.toFixed(5)}`; }

// ---- route --------------------------------------------------------------------------------
async function showRoute(from, to) {
  status(`Routing ${from} → ${to} by ${mode()}…`);
  const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&mode=${mode()}`;
  try {
    const fc = await ask(`route.geojson?${q}`);
    const r = fc.route;
    $('result').dataset.query = `route?${q}`; // what was asked (tests, permalinks)
    if (state.map) {
      if (state.overlay) state.map.removeLayer(state.overlay);
      state.overlay = L.geoJSON(fc, {
        style: (f) => LEG_STYLE[f.properties.mode] || { color: '#333' },
        onEachFeature: (f, layer) => layer.bindTooltip(
          `${f.properties.mode} ${f.properties.class || ''}: ${f.properties.from} → ` +
          `${f.properties.to}, ${minutes(f.properties.time_s)} min`),
      }).addTo(state.map);
      const b = state.overlay.getBounds();
      if (b.isValid()) state.map.fitBounds(b.pad(0.2));
    }
    let html = `<h2>${esc(r.from)} → ${esc(r.to)}</h2><p>${esc(r.mode)}: ` +
      `<b>${minutes(r.time_s)} min</b>, ${km(r.distance_m)} km</p>` +
      '<table><tr><th>#</th><th>leg</th><th>from → to</th><th>min</th><th>km</th></tr>';
    fc.features.forEach((f) => {
      const p = f.properties;
      html += `<tr><td>${p.leg}</td><td>${esc(p.mode)} ${esc(p.class || '')}</td>` +
        `<td>${esc(p.from)} → ${esc(p.to)}</td><td class="num">${minutes(p.time_s)}</td>` +
        `<td class="num">${km(p.distance_m)}</td></tr>`;
    });
    html += '</table>';
    if (r.from_snap_m !== undefined || r.to_snap_m !== undefined)
      html += `<p>Points snapped to the nearest road (${r.from_snap_m ?? r.to_snap_m} m).</p>`;
    $('result').innerHTML = html;
    status('');
  } catch (e) {
    status(e.message, true);
  }
}

// ---- isochrone ----------------------------------------------------------------------------
async function showIsochrone(from) {
  const mins = $('minutes').value.trim();
  status(`Isochrones from ${from} (${mins} min by ${mode()})…`);
  const q = `from=${encodeURIComponent(from)}&minutes=${encodeURIComponent(mins)}&mode=${mode()}`;
  try {
    const fc = await ask(`isochrone?${q}`);
    const n = fc.features.length;
    $('result').dataset.query = `isochrone?${q}`;
    const color = (i) => BAND_COLORS[Math.min(BAND_COLORS.length - 1,
      Math.floor(i * BAND_COLORS.length / Math.max(n, 1)))];
    if (state.map) {
      if (state.overlay) state.map.removeLayer(state.overlay);
      // largest band first, so that the smaller ones stay visible on top
      const ordered = { type: 'FeatureCollection', features: fc.features.slice().reverse() };
      state.overlay = L.geoJSON(ordered, {
        style: (f) => {
          const i = fc.features.indexOf(f);
          return { color: color(i), weight: 1, fillColor: color(i), fillOpacity: 0.35 };
        },
        onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.minutes} min`),
      }).addTo(state.map);
      const b = state.overlay.getBounds();
      if (b.isValid()) state.map.fitBounds(b.pad(0.1));
    }
    let html = `<h2>Isochrones from ${esc(fc.from.join('; '))}</h2><p>${esc(fc.mode)}, ` +
      `${fc.buffer_m} m around the reached roads</p><table><tr><th></th><th>min</th>` +
      '<th>km²</th><th>population</th><th>parks</th></tr>';
    fc.features.forEach((f, i) => {
      const p = f.properties;
      html += `<tr><td><span class="swatch" style="background:${color(i)}"></span></td>` +
        `<td class="num">${p.minutes}</td><td class="num">${p.area_km2.toFixed(0)}</td>` +
        `<td class="num">${p.population.toLocaleString()}</td><td class="num">${p.parks}</td></tr>`;
    });
    $('result').innerHTML = html + '</table>';
    status('');
  } catch (e) {
    status(e.message, true);
  }
}

// ---- accessibility ------------------------------------------------------------------------
const ACCESS_NAMES = { port: 'Port', airport: 'Airport', hsr_station: 'High-speed rail station',
  major_city: 'Major city' };

async function showAccess(latlng) {
  status(`Accessibility of ${lonlat(latlng)} by ${mode()}…`);
  try {
    const q = `lon=${latlng.lng.toFixed(6)}&lat=${latlng.lat.toFixed(6)}&mode=${mode()}`;
    const a = await ask(`access?${q}`);
    $('result').dataset.query = `access?${q}`;
    let html = `<h2>From ${esc(a.from)}</h2><p>${esc(a.mode)}; ${a.snap_m} m to the nearest ` +
      'road</p><table><tr><th>nearest</th><th>name</th><th>min</th></tr>';
    for (const k of Object.keys(ACCESS_NAMES)) {
      const v = a.nearest[k];
      html += `<tr><td>${ACCESS_NAMES[k]}</td><td>${v ? esc(v.name_zh || v.name) : '—'}` +
        `${v && v.name_zh && v.name !== v.name_zh ? ' (' + esc(v.name) + ')' : ''}</td>` +
        `<td class="num">${v ? v.minutes.toFixed(1) : 'unreachable'}</td></tr>`;
    }
    $('result').innerHTML = html + '</table>';
    status('');
  } catch (e) {
    status(e.message, true);
  }
}

// ---- clicks -------------------------------------------------------------------------------
// spec is a place name (a clicked place marker) or LON,LAT.
function clicked(latlng, spec, label) {
  const t = tool();
  if (t === 'route') {
    if (!state.from || state.to) {
      clearOverlay();
      state.from = spec;
      state.to = null;
      $('from').value = spec;
      $('to').value = '';
      addMarker(latlng, `from ${label}`);
      status('Now click the destination.');
    } else {
      state.to = spec;
      $('to').value = spec;
      addMarker(latlng, `to ${label}`);
      showRoute(state.from, state.to);
    }
  } else {
    clearOverlay();
    state.from = state.to = null;
    addMarker(latlng, label);
    if (t === 'isochrone') showIsochrone(spec);
    else showAccess(latlng);
  }
}

function setupForm() {
  $('route-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const from = $('from').value.trim(), to = $('to').value.trim();
    if (tool() === 'route' && from && to) { clearOverlay(); showRoute(from, to); }
    else if (tool() === 'isochrone' && from) { clearOverlay(); showIsochrone(from); }
    else status('Give a place (and for a route a destination).', true);
  });
  const sync = () => { $('minutes-row').style.display = tool() === 'isochrone' ? '' : 'none'; };
  document.querySelectorAll('input[name=tool]').forEach((r) => r.addEventListener('change', () => {
    state.from = state.to = null;
    sync();
  }));
  sync();
}

async function setupMap() {
  if (typeof L === 'undefined') {
    $('nomap').hidden = false;
    return;
  }
  const map = L.map('map', { zoomSnap: 0.25, attributionControl: true });
  state.map = map;
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution('Data: OpenStreetMap contributors (ODbL), Natural Earth');
  map.setView([39.3, 116.8], 7);
  try {
    const prov = await ask('layers/provinces.geojson');
    const layer = L.geoJSON(prov, {
      style: { color: '#5b6f82', weight: 1.2, fillColor: '#f6f3ea', fillOpacity: 1 },
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name_zh || f.properties.name || ''),
    }).addTo(map); // its clicks reach the map's handler below
    const b = layer.getBounds();
    if (b.isValid()) map.fitBounds(b);
  } catch (e) {
    status(`No base layer: ${e.message}`, true);
  }
  try {
    const places = await ask('layers/places.geojson');
    const colors = { city: '#1f3b57', port: '#0b7a75', airport: '#8e44ad' };
    L.geoJSON(places, {
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: f.properties.role === 'city' ? 5 : 4,
        color: colors[f.properties.role] || '#333', weight: 1, fillOpacity: 0.9,
        bubblingMouseEvents: false }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindTooltip(`${p.name_zh || p.name} (${p.role})`);
        // a clicked place is asked for by name (role:name picks it exactly)
        l.on('click', (ev) => {
          clicked(ev.latlng, tool() === 'access' ? lonlat(ev.latlng) : `${p.role}:${p.name}`,
            p.name_zh || p.name);
        });
      },
    }).addTo(map);
  } catch (e) {
    status(`No places: ${e.message}`, true);
  }
  map.on('click', (ev) => clicked(ev.latlng, lonlat(ev.latlng), lonlat(ev.latlng)));
}

// A link can ask a question at once: #tool=route&from=Beijing&to=Tianjin&mode=rail,
// #tool=isochrone&from=Beijing&minutes=30,60, #tool=access&lon=116.3&lat=39.9.
function fromHash() {
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  const t = h.get('tool');
  if (!t) return;
  const radio = document.querySelector(`input[name=tool][value="${t}"]`);
  if (radio) radio.checked = true;
  if (h.get('mode')) $('mode').value = h.get('mode');
  if (h.get('minutes')) $('minutes').value = h.get('minutes');
  $('minutes-row').style.display = t === 'isochrone' ? '' : 'none';
  if (t === 'route' && h.get('from') && h.get('to')) {
    $('from').value = h.get('from');
    $('to').value = h.get('to');
    showRoute(h.get('from'), h.get('to'));
  } else if (t === 'isochrone' && h.get('from')) {
    $('from').value = h.get('from');
    showIsochrone(h.get('from'));
  } else if (t === 'access' && h.get('lon') && h.get('lat')) {
    const ll = { lat: Number(h.get('lat')), lng: Number(h.get('lon')) };
    if (state.map) addMarker([ll.lat, ll.lng], lonlat(ll));
    showAccess(ll);
  }
}

async function main() {
  setupForm();
  try {
    const info = await ask('info');
    const n = info.network;
    $('dataset').textContent = `${info.dataset.split('/').pop()} · ${info.crs} · ` +
      `${n.nodes.toLocaleString()} nodes · ${n.components} components`;
  } catch (e) {
    $('dataset').textContent = `info: ${e.message}`;
  }
  await setupMap();
  if (!state.map) status('No map library: type places and press Go.');
  else status('Click on the map.');
  fromHash();
}

main();
