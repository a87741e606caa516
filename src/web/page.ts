// The Monitoring window's single page: inline CSS and script (allowed by a per-response nonce), no outside requests.
// Every value from a message reaches the DOM through textContent, createTextNode or an SVG text node's textContent,
// never through innerHTML or an attribute that runs code. Keep it so: the hostile-input browser test checks it.

const STYLE = `
:root { --bg:#f6f7f9; --panel:#fff; --ink:#1d2330; --muted:#5d6678; --line:#dfe3ea; --err:#c62828; --warn:#a35f00; --ok:#2e7d32; --info:#1565c0; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:center; gap:14px; padding:10px 18px; background:#1d2330; color:#fff; flex-wrap:wrap; }
header h1 { font-size:16px; margin:0; font-weight:600; }
header .live { font-size:12px; padding:2px 8px; border-radius:10px; background:#556; }
header .live.on { background:var(--ok); }
header select { font:inherit; font-size:12px; }
header .pick { font-size:12px; color:#cfd6e4; }
header .counts { margin-left:auto; font-size:12px; opacity:.9; }
nav { display:flex; gap:4px; padding:8px 18px 0; border-bottom:1px solid var(--line); background:var(--panel); }
nav button { border:0; background:none; padding:8px 12px; cursor:pointer; font:inherit; color:var(--muted); border-bottom:2px solid transparent; }
nav button.active { color:var(--ink); border-bottom-color:var(--info); }
nav button .n { font-size:11px; color:var(--muted); margin-left:4px; }
main { padding:16px 18px; }
main > section { display:none; } main > section.active { display:block; }
table { width:100%; border-collapse:collapse; background:var(--panel); border:1px solid var(--line); }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; background:#fafbfc; }
tr.click { cursor:pointer; } tr.click:hover { background:#f0f4ff; } tr.open { background:#e8efff; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; color:#fff; background:var(--muted); white-space:nowrap; }
.badge.registered, .badge.answered { background:var(--ok); }
.badge.failed, .badge.error, .badge.no-response, .badge.rejected { background:var(--err); }
.badge.warning, .badge.pending, .badge.busy, .badge.declined, .badge.cancelled, .badge.no-answer, .badge.unregistered { background:var(--warn); }
.badge.info, .badge.in-progress { background:var(--info); }
.muted { color:var(--muted); font-size:12px; }
.finding { background:var(--panel); border:1px solid var(--line); border-left:4px solid var(--muted); padding:10px 14px; margin-bottom:10px; }
.finding.error { border-left-color:var(--err); } .finding.warning { border-left-color:var(--warn); } .finding.info { border-left-color:var(--info); }
.finding h3 { margin:0 0 4px; font-size:15px; }
.finding ul { margin:4px 0; padding-left:20px; }
.finding .evidence li { cursor:pointer; color:var(--info); }
button.link { border:0; background:none; color:var(--info); cursor:pointer; padding:0; font:inherit; text-decoration:underline; }
#ladder { background:var(--panel); border:1px solid var(--line); margin-top:14px; padding:10px; display:none; }
#ladder.open { display:block; }
#ladder-svg { overflow-x:auto; }
#ladder svg text { font:12px system-ui, sans-serif; fill:var(--ink); }
#ladder svg .arrow { cursor:pointer; }
#ladder svg .arrow:hover line, #ladder svg .arrow.sel line { stroke-width:3; }
pre { background:#0f1420; color:#e6e9ef; padding:10px; overflow:auto; max-height:420px; font:12px/1.4 ui-monospace, monospace; white-space:pre-wrap; word-break:break-all; }
input[type=search] { font:inherit; padding:6px 10px; border:1px solid var(--line); border-radius:4px; width:340px; }
#drop { border:2px dashed var(--line); padding:30px; text-align:center; background:var(--panel); color:var(--muted); }
#drop.over { border-color:var(--info); color:var(--info); }
.empty { color:var(--muted); padding:20px; text-align:center; }
#feeds { margin-top:16px; }
`;

const SCRIPT = `
'use strict';
const $ = (sel) => document.querySelector(sel);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function ago(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return s + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' days ago';
}
function seconds(ms) { return ms === null || ms === undefined ? '' : ms < 1000 ? Math.round(ms) + ' ms' : ms < 10000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 1000) + ' s'; }
function timeOf(iso) { return iso ? new Date(iso).toLocaleString() : ''; }

let state = null;
let source = 'live';
let upload = null;
let openLadder = null;
let lastLadderRefresh = 0;
let drawn = '';
let selected = null;

for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => show(b.dataset.tab));
function show(tab) {
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.tab === tab);
  for (const s of document.querySelectorAll('main > section')) s.classList.toggle('active', s.id === tab);
}

// An upload's result is the analyze --json object; the live view has the same fields under other names.
function current() {
  if (source === 'live') {
    if (!state) return null;
    const v = state.view;
    return { accounts: v.accounts, calls: v.calls, findings: v.findings, upload: null };
  }
  if (!upload) return null;
  const r = upload.result;
  return {
    accounts: r.registrations.map((a) => Object.assign({}, a, { lastSeen: null })),
    calls: r.calls.map((c) => Object.assign({}, c, { messages: c.messages.length })),
    findings: r.findings.map((f) => Object.assign({ key: f.id }, f)),
    upload: upload.id,
  };
}

function render() {
  const data = current();
  renderHeader();
  if (!data) return;
  const byKey = new Map(data.findings.map((f) => [f.key, f]));
  const acc = $('#accounts tbody'); acc.replaceChildren();
  for (const a of data.accounts) {
    const callId = a.callIds[a.callIds.length - 1];
    const tr = el('tr', { class: 'click', onclick: () => ladder(callId, a.aor, data.upload, true) },
      el('td', {}, a.aor, el('div', { class: 'muted' }, a.contact || '')),
      el('td', {}, el('span', { class: 'badge ' + a.state }, a.state)),
      el('td', {}, a.lastStatus === null ? 'no response' : a.lastStatus + ' ' + (a.lastReason || ''), el('div', { class: 'muted' }, a.lastMeaning || '')),
      el('td', { class: 'ago', 'data-iso': a.lastSuccess || '' }, ago(a.lastSuccess)),
      el('td', {}, a.findings.map((k) => byKey.get(k)).filter(Boolean).map((f) => f.title).join('; ')));
    tr.dataset.callId = callId || '';
    acc.append(tr);
  }
  if (!data.accounts.length) acc.append(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No registrations seen yet.')));
  const calls = $('#calls tbody'); calls.replaceChildren();
  for (const c of data.calls.slice(0, 500)) {
    const tr = el('tr', { class: 'click', onclick: () => ladder(c.callId, (c.from || '?') + ' → ' + (c.to || '?'), data.upload, false) },
      el('td', {}, timeOf(c.startTime)),
      el('td', {}, c.from || ''), el('td', {}, c.to || ''),
      el('td', {}, el('span', { class: 'badge ' + c.outcome }, c.outcome)),
      el('td', {}, c.finalStatus === null ? '' : c.finalStatus + ' ' + (c.finalReason || '')),
      el('td', {}, seconds(c.setupMs)), el('td', {}, seconds(c.durationMs)),
      el('td', {}, c.findings.map((k) => byKey.get(k)).filter(Boolean).map((f) => f.title).join('; ')));
    tr.dataset.callId = c.callId;
    tr.dataset.outcome = c.outcome;
    calls.append(tr);
  }
  if (!data.calls.length) calls.append(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No calls seen yet.')));
  const list = $('#findings-list'); list.replaceChildren();
  for (const x of data.findings.slice(0, 500)) list.append(renderFinding(x, data.upload));
  if (!data.findings.length) list.append(el('div', { class: 'empty' }, 'No findings: nothing has failed so far.'));
  $('#n-accounts').textContent = data.accounts.length;
  $('#n-calls').textContent = data.calls.length;
  $('#n-findings').textContent = data.findings.length;
  if (openLadder && source === 'live' && Date.now() - lastLadderRefresh > 1000) ladder(openLadder.callId, openLadder.title, openLadder.upload, openLadder.newest, true);
}

function renderHeader() {
  if (!state) return;
  const v = state.view.totals;
  $('#counts').textContent = state.store.messages + ' messages stored · ' + v.accounts + ' accounts · ' + v.calls + ' calls (' + v.inProgress + ' in progress) · '
    + v.findings.error + ' errors, ' + v.findings.warning + ' warnings' + (state.analysis.backlog > 1000 ? ' · analysis ' + state.analysis.backlog + ' behind' : '');
  const sel = $('#source');
  const want = ['live'].concat(state.uploads.map((u) => String(u.id)));
  if ([...sel.options].map((o) => o.value).join() !== want.join()) {
    sel.replaceChildren(el('option', { value: 'live' }, 'Live'), ...state.uploads.map((u) => el('option', { value: String(u.id) }, u.name + ' (' + u.messages + ' messages)')));
    sel.value = source;
  }
  const feeds = $('#feeds'); feeds.replaceChildren();
  for (const f of state.feeds) feeds.append(el('div', { class: 'muted' }, f.path + ': ' + f.messages + ' messages' + (f.skipped ? ', ' + f.skipped + ' skipped' : '') + (f.issues ? ', ' + f.issues + ' issues (last: ' + f.lastIssues.join(' | ') + ')' : '')));
  if (state.analysis.storeErrors) feeds.append(el('div', { class: 'muted' }, state.analysis.storeErrors + ' messages could not be stored: ' + state.analysis.lastStoreError));
  if (state.analysis.skipped) feeds.append(el('div', { class: 'muted' }, state.analysis.skipped + ' messages stored but not analysed (the analysis was too far behind)'));
}

function renderFinding(x, uploadId) {
  const evidence = el('ul', { class: 'evidence' });
  const raw = el('pre', { class: 'raw', hidden: '' });
  const box = el('div', { class: 'finding ' + x.severity },
    el('h3', {}, el('span', { class: 'badge ' + x.severity }, x.severity), ' ', x.title),
    el('div', {}, x.explanation),
    x.causes.length ? el('div', {}, el('b', {}, 'Likely causes'), el('ul', {}, ...x.causes.map((c) => el('li', {}, c)))) : null,
    x.nextSteps.length ? el('div', {}, el('b', {}, 'What to do'), el('ul', {}, ...x.nextSteps.map((c) => el('li', {}, c)))) : null,
    x.willNotHelp.length ? el('div', {}, el('b', {}, 'Will not help'), el('ul', {}, ...x.willNotHelp.map((c) => el('li', {}, c)))) : null,
    el('div', { class: 'muted' }, 'rule ' + x.rule + ' · made by ' + x.generatedBy + ' · ',
      x.evidence.length ? el('button', { class: 'link', onclick: () => showEvidence(x, evidence, raw) }, 'evidence (' + x.evidence.length + ')') : 'no evidence',
      x.callIds[0] ? ' · ' : '', x.callIds[0] ? el('button', { class: 'link', onclick: () => ladder(x.callIds[0], x.title, uploadId, false) }, 'open ladder') : null),
    evidence, raw);
  return box;
}

async function showEvidence(x, list, raw) {
  const res = await fetch('api/messages?ids=' + x.evidence.join(','));
  const { messages } = await res.json();
  list.replaceChildren(...messages.map((m) => el('li', { onclick: () => { raw.hidden = false; raw.textContent = describe(m); } }, '#' + m.id + ' ' + m.timeLabel + ' ' + m.src + ' → ' + m.dst + '  ' + m.label + (m.keyLines.length ? '  (' + m.keyLines.join('; ') + ')' : ''))));
  if (!messages.length) list.replaceChildren(el('li', {}, 'These messages are no longer stored (retention).'));
}

function describe(m) {
  return (m.time === null ? m.timeLabel : new Date(m.time).toISOString()) + '  ' + m.src + ' → ' + m.dst + ' ' + (m.transport || '') + '  [' + m.source + ' #' + m.id + ']\\n\\n' + m.text;
}

async function ladder(callId, title, uploadId, newest, refresh) {
  if (!callId) return;
  openLadder = { callId, title, upload: uploadId, newest };
  lastLadderRefresh = Date.now();
  const q = 'api/ladder?callId=' + encodeURIComponent(callId) + (uploadId === null ? '' : '&upload=' + uploadId) + (newest ? '&newest=1' : '');
  const res = await fetch(q);
  if (!res.ok) return;
  const data = await res.json();
  // Redrawn only when the call has new messages, so that a click in progress is not lost.
  const signature = callId + '|' + data.messages.map((m) => m.id).join(',');
  if (refresh && signature === drawn) return;
  drawn = signature;
  if (!refresh) selected = null;
  const box = $('#ladder'); box.classList.add('open');
  $('#ladder-title').textContent = title + ' — Call-ID ' + callId + (data.truncated ? ' (' + (newest ? 'newest ' : 'first ') + data.messages.length + ' messages)' : '');
  drawLadder(data);
  for (const tr of document.querySelectorAll('tr.click')) tr.classList.toggle('open', tr.dataset.callId === callId);
  if (!refresh) { $('#raw').textContent = 'Click an arrow to see the message as it was sent.'; box.scrollIntoView({ block: 'nearest' }); }
}

function drawLadder(data) {
  const { ladder: l, messages } = data;
  const ns = 'http://www.w3.org/2000/svg';
  const colW = 230, rowH = 30, top = 44, left = 90;
  const width = left + Math.max(1, l.participants.length) * colW, height = top + l.steps.length * rowH + 16;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', width); svg.setAttribute('height', height); svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  const node = (name, attrs, text) => { const n = document.createElementNS(ns, name); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v)); if (text !== undefined) n.textContent = text; return n; };
  const x = (i) => left + i * colW + colW / 2;
  l.participants.forEach((p, i) => { svg.append(node('text', { x: x(i), y: 16, 'text-anchor': 'middle' }, p)); svg.append(node('line', { x1: x(i), y1: 24, x2: x(i), y2: height, stroke: '#c5cbd6', 'stroke-dasharray': '4 3' })); });
  const colors = { request: '#1d2330', provisional: '#7a8294', success: '#2e7d32', redirect: '#a35f00', failure: '#c62828' };
  l.steps.forEach((s, i) => {
    const m = messages[i];
    const tone = s.kind === 'request' ? 'request' : s.status === null || s.status < 200 ? 'provisional' : s.status < 300 ? 'success' : s.status < 400 ? 'redirect' : 'failure';
    const color = colors[tone];
    const x1 = x(s.from), x2 = x(s.to), y = top + i * rowH;
    const g = node('g', { class: 'arrow ' + tone, 'data-id': s.index });
    g.append(node('text', { x: 4, y: y + 4, 'text-anchor': 'start', class: 'muted' }, s.offsetMs === null ? s.timeLabel : '+' + (s.offsetMs / 1000).toFixed(3)));
    if (x1 === x2) {
      g.append(node('path', { d: 'M' + x1 + ' ' + (y - 6) + ' h40 v12 h-40', fill: 'none', stroke: color }));
    } else {
      g.append(node('line', { x1, y1: y, x2, y2: y, stroke: color, 'stroke-width': 1.6 }));
      const dir = x2 > x1 ? -1 : 1;
      g.append(node('path', { d: 'M' + x2 + ' ' + y + ' l' + (dir * 9) + ' -4 l0 8 z', fill: color }));
    }
    g.append(node('text', { x: (x1 + x2) / 2 + (x1 === x2 ? 50 : 0), y: y - 5, 'text-anchor': x1 === x2 ? 'start' : 'middle' }, s.label));
    // The whole row answers a click, not only the arrow.
    g.append(node('rect', { x: 0, y: y - 18, width, height: rowH, fill: 'transparent' }));
    if (selected === s.index) g.classList.add('sel');
    g.addEventListener('click', () => {
      for (const a of svg.querySelectorAll('.arrow.sel')) a.classList.remove('sel');
      g.classList.add('sel');
      selected = s.index;
      $('#raw').textContent = m ? describe(m) : '';
    });
    svg.append(g);
  });
  $('#ladder-svg').replaceChildren(svg);
}

async function explain() {
  const out = $('#explain-out'); out.replaceChildren();
  const q = $('#explain-q').value;
  if (!q.trim()) return;
  const method = $('#explain-method').value;
  const res = await fetch('api/explain?q=' + encodeURIComponent(q) + (method ? '&method=' + encodeURIComponent(method) : ''));
  const data = await res.json();
  if (data.error) out.append(el('div', { class: 'finding warning' }, data.error));
  for (const s of data.items) {
    out.append(el('div', { class: 'finding info' },
      el('h3', {}, s.title),
      el('div', {}, s.summary),
      s.meaning ? el('div', {}, el('b', {}, 'For ' + method + ': '), s.meaning) : null,
      s.causes.length ? el('div', {}, el('b', {}, 'Likely causes'), el('ul', {}, ...s.causes.map((c) => el('li', {}, c)))) : null,
      s.checks.length ? el('div', {}, el('b', {}, 'What to check'), el('ul', {}, ...s.checks.map((c) => el('li', {}, c)))) : null,
      s.willNotHelp.length ? el('div', {}, el('b', {}, 'Will not help'), el('ul', {}, ...s.willNotHelp.map((c) => el('li', {}, c)))) : null,
      s.notes.length ? el('ul', { class: 'muted' }, ...s.notes.map((c) => el('li', {}, c))) : null,
      el('div', { class: 'muted' }, s.source)));
  }
}
$('#explain-q').addEventListener('keydown', (e) => { if (e.key === 'Enter') explain(); });
$('#explain-go').addEventListener('click', explain);

async function send(file) {
  const status = $('#upload-status');
  status.textContent = 'Reading ' + file.name + '…';
  try {
    const res = await fetch('api/upload', { method: 'POST', headers: { 'x-filename': encodeURIComponent(file.name), 'content-type': 'application/octet-stream' }, body: file });
    const data = await res.json();
    if (!res.ok) { status.textContent = 'Not read: ' + data.error; return; }
    // Shown first, then said: whoever reads the status finds the upload already chosen.
    await choose(String(data.id));
    status.textContent = data.name + ': ' + data.messages + ' SIP messages, ' + data.summary.calls + ' calls, ' + data.summary.registrations + ' registrations, '
      + data.summary.findings.error + ' errors. Shown now; pick Live above to go back.';
  } catch (e) {
    status.textContent = 'Not read: ' + e;
  }
}
const drop = $('#drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); for (const f of e.dataTransfer.files) send(f); });
$('#file').addEventListener('change', (e) => { for (const f of e.target.files) send(f); });

async function choose(value) {
  source = value;
  openLadder = null;
  $('#ladder').classList.remove('open');
  if (value !== 'live') {
    const res = await fetch('api/uploads/' + value);
    upload = res.ok ? { id: Number(value), result: await res.json() } : null;
  }
  if (state) { renderHeader(); $('#source').value = value; }
  render();
}
$('#source').addEventListener('change', (e) => choose(e.target.value));

setInterval(() => { for (const td of document.querySelectorAll('td.ago')) td.textContent = ago(td.dataset.iso); }, 5000);

function connect() {
  const es = new EventSource('api/events');
  es.addEventListener('state', (e) => {
    state = JSON.parse(e.data);
    $('#live').classList.add('on'); $('#live').textContent = 'live';
    if (source === 'live') render(); else renderHeader();
  });
  es.onerror = () => { $('#live').classList.remove('on'); $('#live').textContent = 'reconnecting'; };
}
connect();
`;

/** The whole page, with `nonce` allowing its one style and one script under the server's Content-Security-Policy. */
export function renderPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>siplens · Monitoring</title><style nonce="${nonce}">${STYLE}</style></head>
<body>
<header><h1>siplens · Monitoring</h1><span id="live" class="live">connecting</span>
<label class="pick">showing <select id="source"><option value="live">Live</option></select></label>
<span id="counts" class="counts"></span></header>
<nav><button data-tab="accounts" class="active">Accounts<span class="n" id="n-accounts"></span></button><button data-tab="calls">Calls<span class="n" id="n-calls"></span></button><button data-tab="findings">Findings<span class="n" id="n-findings"></span></button><button data-tab="explain">Explain a code</button><button data-tab="open">Open a file</button></nav>
<main>
<section id="accounts" class="active"><table><thead><tr><th>Account (AoR)</th><th>State</th><th>Last code and what it means</th><th>Last success</th><th>Findings</th></tr></thead><tbody></tbody></table></section>
<section id="calls"><table><thead><tr><th>Start</th><th>From</th><th>To</th><th>Outcome</th><th>Final answer</th><th>Setup</th><th>Duration</th><th>Findings</th></tr></thead><tbody></tbody></table></section>
<section id="findings"><div id="findings-list"></div></section>
<section id="explain"><p><input id="explain-q" type="search" placeholder="486, busy, w305, q850:17"> <select id="explain-method"><option value="">any method</option><option>REGISTER</option><option>INVITE</option><option>BYE</option><option>SUBSCRIBE</option><option>OPTIONS</option><option>MESSAGE</option></select> <button id="explain-go">Explain</button></p><div id="explain-out"></div></section>
<section id="open"><div id="drop">Drop a Diagnostics Snapshot, a log or a capture here, or choose one: <input id="file" type="file" multiple></div><p id="upload-status" class="muted"></p></section>
<div id="ladder"><b id="ladder-title"></b><div id="ladder-svg"></div><pre id="raw"></pre></div>
<div id="feeds"></div>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body></html>`;
}
