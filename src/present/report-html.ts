import { createHash } from 'node:crypto';
import type { CallSummary, Finding, RegistrationSummary } from '../model/index.js';
import { escapeHtml, serializeJsonForHtml } from './escape-html.js';
import { buildLadder } from './ladder.js';
import { formatLadderSvg } from './ladder-formats.js';
import type { MessageView } from './message-view.js';
import type { Report } from './report.js';
import { HTML_MAX_FLOWS, messagesOf, pickFlows } from './report.js';
import { describeAccountCount, describeHistory, describeLastSuccess, describeOutcome, formatIso, formatMs, formatStatus, groupAccounts } from './report-text.js';

export interface HtmlReportOptions {
  readonly title?: string;
  /** Most raw messages written into the page (default 8000); the rest are counted, not shown. */
  readonly maxMessages?: number;
  /** Most ladders drawn (default HTML_MAX_FLOWS). */
  readonly maxFlows?: number;
  /** ISO time the report was made, shown in the header (left out when absent, for reproducible files). */
  readonly generatedAt?: string;
}

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--err:#cf222e;--warn:#9a6700;--info:#0969da;--ok:#1a7f37}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{position:sticky;top:0;z-index:2;background:var(--soft);border-bottom:1px solid var(--line);padding:10px 20px}
header h1{font-size:18px;margin:0 0 4px}
.summary{color:var(--muted)}
.controls{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin-top:8px}
.controls input[type=search]{width:320px;padding:5px 8px;border:1px solid var(--line);border-radius:6px;font:inherit}
nav a{margin-right:12px}
main{padding:0 20px 40px;max-width:1400px}
h2{font-size:16px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px}
.table-wrap{overflow-x:auto}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:break-word}
td.uri{overflow-wrap:anywhere;min-width:9em}
th{background:var(--soft)}
.finding{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:10px 14px;margin:12px 0}
.finding.sev-error{border-left-color:var(--err)}
.finding.sev-warning{border-left-color:var(--warn)}
.finding h3{margin:0 0 6px;font-size:15px}
.badge{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:10px;color:#fff;background:var(--info);margin-right:6px;vertical-align:middle}
.sev-error .badge,.badge.sev-error{background:var(--err)}
.sev-warning .badge,.badge.sev-warning{background:var(--warn)}
.meta{color:var(--muted);font-size:12px}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.evidence pre{margin:4px 0 10px}
details.flow,details.msg{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:4px 10px}
details>summary{cursor:pointer;padding:2px 0}
.msg summary{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.ladder-wrap{overflow-x:auto}
.state-registered,.out-answered{color:var(--ok);font-weight:600}
.state-failed,.out-bad{color:var(--err);font-weight:600}
.state-pending,.state-unregistered,.out-wait{color:var(--warn);font-weight:600}
.hide-error .sev-error,.hide-warning .sev-warning,.hide-info .sev-info{display:none}
.item.no-match{display:none}
:target{outline:3px solid #fd8c73}
[id]{scroll-margin-top:130px}
.count{color:var(--muted);font-weight:normal;font-size:13px}
td.meaning{min-width:220px}
`;

/** Search and filters; it reads only the DOM, and writes only classes and `hidden`, never markup. */
const SCRIPT = `
(function(){
  var q=document.getElementById('q');
  var items=Array.prototype.slice.call(document.querySelectorAll('.item'));
  function apply(){
    var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    items.forEach(function(el){
      var hay=el.getAttribute('data-search');
      if(hay===null){hay=(el.textContent||'').toLowerCase();el.setAttribute('data-search',hay);}
      var ok=words.every(function(w){return hay.indexOf(w)>=0;});
      el.classList.toggle('no-match',!ok);
    });
  }
  q.addEventListener('input',apply);
  Array.prototype.forEach.call(document.querySelectorAll('input[data-sev]'),function(box){
    box.addEventListener('change',function(){document.body.classList.toggle('hide-'+box.getAttribute('data-sev'),!box.checked);});
  });
  function openTarget(){
    var id=decodeURIComponent(location.hash.slice(1));
    var el=id?document.getElementById(id):null;
    if(el&&el.tagName==='DETAILS'){el.open=true;}
  }
  window.addEventListener('hashchange',openTarget);
  openTarget();
})();
`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** Lower-cased text for the search box, stored in an attribute (escaped). */
function searchAttr(...parts: readonly (string | null | undefined)[]): string {
  return escapeHtml(parts.filter((p): p is string => typeof p === 'string').join(' ').toLowerCase());
}

/**
 * The report as one self-contained HTML file: inline CSS and script, no external URL, a Content-Security-Policy that
 * allows only its own script (by hash) and no network. Every value from the input is escaped with `escapeHtml`; the
 * data is also embedded as JSON in `<script type="application/json">` with `<` written as \\u003c.
 */
export function formatHtmlReport(report: Report, options: HtmlReportOptions = {}): string {
  const { result } = report;
  const h = escapeHtml;
  const title = options.title ?? 'siplens report';
  const maxMessages = options.maxMessages ?? 8000;
  const fs = result.summary.findings;
  const body: string[] = [];

  body.push('<header>');
  body.push(`<h1>${h(title)}</h1>`);
  body.push(
    `<div class="summary">${result.summary.messages} SIP messages from ${plural(result.inputs.filter((i) => i.parent === undefined).length, 'input')} · ${h(describeAccountCount(result))} · ${plural(result.summary.calls, 'call')} · ` +
      `<span class="badge sev-error">${fs.error} errors</span><span class="badge sev-warning">${fs.warning} warnings</span><span class="badge">${fs.info} info</span>` +
      (report.redaction !== 'none' ? ` · redacted (${h(report.redaction)})` : '') +
      (report.filters.length > 0 ? ` · filtered by ${h(report.filters.join(', '))}` : '') +
      (options.generatedAt ? ` · made ${h(options.generatedAt)}` : '') +
      '</div>',
  );
  body.push('<div class="controls">');
  body.push('<input id="q" type="search" placeholder="Search: code, user, Call-ID, header text…" aria-label="Search">');
  for (const s of ['error', 'warning', 'info'] as const) {
    body.push(`<label><input type="checkbox" data-sev="${s}" checked> ${s}</label>`);
  }
  body.push('<nav><a href="#findings">Findings</a><a href="#accounts">Accounts</a><a href="#calls">Calls</a><a href="#flows">Flows</a><a href="#messages">Messages</a><a href="#inputs">Inputs</a></nav>');
  body.push('</div></header><main>');

  if (result.summary.topCauses.length > 0) {
    body.push('<h2 id="causes">Top causes</h2><ol>');
    for (const t of result.summary.topCauses) body.push(`<li>${h(t.title)} <span class="meta">(${h(t.rule)}) ×${t.count}</span></li>`);
    body.push('</ol>');
  }

  body.push(`<h2 id="findings">Findings <span class="count">${result.findings.length}</span></h2>`);
  if (result.findings.length === 0) body.push('<p>Nothing wrong found.</p>');
  for (const f of result.findings) body.push(formatFindingHtml(f, report));

  body.push(`<h2 id="accounts">Accounts <span class="count">${new Set(result.registrations.map((r) => r.aor)).size}</span></h2>`);
  if (result.registrations.length === 0) body.push('<p>No REGISTER seen.</p>');
  else {
    body.push('<div class="table-wrap"><table><thead><tr><th>account</th><th>contact</th><th>state now</th><th>last response</th><th>meaning</th><th>expires</th><th>last success</th><th>REGISTERs</th><th>history</th><th>findings</th></tr></thead><tbody>');
    for (const { latest: r, all } of groupAccounts(result.registrations, (i) => report.byIndex.get(i)?.time ?? null)) {
      const findings = [...new Set(all.flatMap((x) => x.findings))];
      body.push(
        `<tr class="item" data-search="${searchAttr(r.aor, r.contact, r.state, String(r.lastStatus ?? ''), r.lastReason, r.lastMeaning)}"><td class="uri">${h(r.aor)}</td><td class="uri">${h(r.contact ?? '')}</td><td class="state-${h(r.state)}">${h(r.state)}</td>` +
          `<td>${h(formatStatus(r.lastStatus, r.lastReason))}</td><td class="meaning">${h(r.lastMeaning ?? '')}</td><td>${r.expiresGranted ?? (r.expiresRequested !== null ? `asked ${r.expiresRequested}` : '')}</td><td>${h(describeLastSuccess(all))}</td>` +
          `<td>${all.reduce((n, x) => n + x.attempts, 0)}</td><td>${h(describeHistory(all))}</td>` +
          `<td>${findings.map((id) => `<a href="#${h(id)}">${h(id)}</a>`).join(' ')}</td></tr>`,
      );
    }
    body.push('</tbody></table></div>');
  }

  body.push(`<h2 id="calls">Calls <span class="count">${result.calls.length}</span></h2>`);
  if (result.calls.length === 0) body.push('<p>No INVITE seen.</p>');
  else {
    body.push('<div class="table-wrap"><table><thead><tr><th>start</th><th>from</th><th>to</th><th>outcome</th><th>final response</th><th>post-dial delay</th><th>setup</th><th>duration</th><th>findings</th></tr></thead><tbody>');
    result.calls.forEach((c, i) => {
      const cls = c.outcome === 'answered' ? 'out-answered' : c.outcome === 'in-progress' || c.outcome === 'cancelled' || c.outcome === 'no-answer' ? 'out-wait' : 'out-bad';
      body.push(
        `<tr class="item" data-search="${searchAttr(c.callId, c.from, c.to, c.outcome, String(c.finalStatus ?? ''), c.finalReason)}"><td>${h(formatIso(c.startTime))}</td><td>${h(c.from ?? '')}</td><td>${h(c.to ?? '')}</td>` +
          `<td class="${cls}"><a href="#call-${i}">${h(describeOutcome(c))}</a></td><td>${h(formatStatus(c.finalStatus, c.finalReason))}</td><td>${h(formatMs(c.postDialDelayMs))}</td><td>${h(formatMs(c.setupMs))}</td><td>${h(formatMs(c.durationMs))}</td>` +
          `<td>${c.findings.map((id) => `<a href="#${h(id)}">${h(id)}</a>`).join(' ')}</td></tr>`,
      );
    });
    body.push('</tbody></table></div>');
  }

  // Only flows whose messages the report holds: on a large input the analysis keeps a few hundred flows, not all.
  const picked = pickFlows(result, options.maxFlows ?? HTML_MAX_FLOWS, (i) => report.byIndex.has(i));
  const total = result.registrations.length + result.calls.length;
  body.push(`<h2 id="flows">Flows <span class="count">${picked.length < total ? `${picked.length} of ${total}` : total}</span></h2>`);
  if (picked.length < total) body.push(`<p class="meta">${picked.length} ladders are drawn, those with errors and warnings first; narrow the report with --filter to draw others.</p>`);
  if (total === 0) body.push('<p>No call or registration.</p>');
  for (const ref of picked) {
    const flow =
      ref.kind === 'registration'
        ? ((r) => ({ id: `reg-${ref.at}`, title: `Registration ${r.aor}`, sub: `${r.state}, last ${formatStatus(r.lastStatus, r.lastReason)}`, search: [r.aor, ...r.callIds] }))(result.registrations[ref.at] as RegistrationSummary)
        : ((c) => ({ id: `call-${ref.at}`, title: `Call ${c.from ?? '?'} → ${c.to ?? '?'}`, sub: `${describeOutcome(c)}, ${formatStatus(c.finalStatus, c.finalReason)} · Call-ID ${c.callId}`, search: [c.callId, c.from ?? '', c.to ?? ''] }))(result.calls[ref.at] as CallSummary);
    const msgs = messagesOf(report, ref.messages);
    // Several flows of one account or between the same parties look alike: when each began tells them apart.
    const began = msgs[0]?.timeLabel ?? '';
    const sub = began === '' ? flow.sub : `${began} · ${flow.sub}`;
    const svg = formatLadderSvg(buildLadder(flow.title, msgs), { idPrefix: flow.id, linkMessages: true });
    body.push(
      `<details class="flow item" id="${flow.id}" data-search="${searchAttr(flow.title, sub, ...flow.search, ...msgs.map((m) => m.startLine))}"><summary><strong>${h(flow.title)}</strong> <span class="meta">${h(sub)} · ${msgs.length} messages</span></summary>` +
        `<div class="ladder-wrap">${svg}</div></details>`,
    );
  }

  const shown = report.messages.slice(0, maxMessages);
  const all = result.summary.messages;
  body.push(`<h2 id="messages">Messages <span class="count">${shown.length < all ? `${shown.length} of ${all}` : all}</span></h2>`);
  if (shown.length < all) body.push(`<p class="meta">This file holds ${shown.length} of the ${all} messages: the evidence of every finding, the messages of the flows drawn above, and the first ones read.</p>`);
  for (const m of shown) body.push(formatMessageHtml(m));

  body.push(`<h2 id="inputs">Inputs read <span class="count">${result.inputs.length}</span></h2>`);
  body.push('<div class="table-wrap"><table><thead><tr><th>input</th><th>kind</th><th>format</th><th>SIP messages</th><th>skipped</th><th>issues</th></tr></thead><tbody>');
  for (const i of result.inputs) {
    const issues = i.issues.slice(0, 30).map((is) => `<div><span class="badge sev-${h(is.severity)}">${h(is.severity)}</span>${h(is.message)} <span class="meta">[${h(is.code)}]</span></div>`);
    if (i.issues.length > 30) issues.push(`<div class="meta">… and ${i.issues.length - 30} more</div>`);
    body.push(`<tr class="item" data-search="${searchAttr(i.path, i.kind, i.format)}"><td>${h(i.path)}</td><td>${h(i.kind)}</td><td>${h(i.format ?? '')}</td><td>${i.messages}</td><td>${i.skipped}</td><td>${issues.join('')}</td></tr>`);
  }
  body.push('</tbody></table></div>');
  body.push('</main>');

  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${sha256Base64(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    ...body,
    `<script type="application/json" id="siplens-data">${serializeJsonForHtml(result)}</script>`,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function formatFindingHtml(f: Finding, report: Report): string {
  const h = escapeHtml;
  const evidence = f.evidence.map((i) => report.byIndex.get(i)).filter((m): m is MessageView => m !== undefined);
  const parts: string[] = [];
  parts.push(
    `<article class="finding item sev-${h(f.severity)}" id="${h(f.id)}" data-search="${searchAttr(f.id, f.rule, f.title, f.explanation, String(f.status ?? ''), ...f.callIds, ...f.causes, ...evidence.map((m) => m.startLine))}">`,
  );
  parts.push(`<h3><span class="badge">${h(f.severity)}</span>${h(f.id)} · ${h(f.title)}</h3>`);
  parts.push(`<div class="meta">${h(f.rule)}${f.status !== null ? ` · status ${f.status}` : ''} · produced by ${h(f.generatedBy)}${f.callIds.length > 0 ? ` · Call-ID ${h(f.callIds.join(', '))}` : ''}</div>`);
  parts.push(`<p>${h(f.explanation)}</p>`);
  const list = (title: string, items: readonly string[], tag: 'ul' | 'ol'): void => {
    if (items.length > 0) parts.push(`<strong>${h(title)}</strong><${tag}>${items.map((i) => `<li>${h(i)}</li>`).join('')}</${tag}>`);
  };
  list('Likely causes', f.causes, 'ul');
  list('What to do', f.nextSteps, 'ol');
  list('Will not help', f.willNotHelp, 'ul');
  if (evidence.length > 0) {
    parts.push('<div class="evidence"><strong>Evidence</strong>');
    for (const m of evidence.slice(0, 10)) {
      parts.push(
        `<div class="meta"><a href="#m${m.index}">#${m.index}</a> ${h(m.timeLabel)} ${h(m.src)} → ${h(m.dst)} · ${h(m.origin)}</div><pre>${h([m.startLine, ...m.keyLines].join('\n'))}</pre>`,
      );
    }
    if (evidence.length > 10) parts.push(`<div class="meta">… and ${evidence.length - 10} more</div>`);
    parts.push('</div>');
  }
  parts.push('</article>');
  return parts.join('\n');
}

function formatMessageHtml(m: MessageView): string {
  const h = escapeHtml;
  return (
    `<details class="msg item" id="m${m.index}"><summary>#${m.index} ${h(m.timeLabel)} ${h(m.src)} → ${h(m.dst)} <strong>${h(m.startLine)}</strong> <span class="meta">${h(m.origin)}</span></summary>` +
    `<pre>${h(m.text)}</pre></details>`
  );
}
