import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../../test/helpers/tools.js';
import { makeHostileCapture } from '../../test/report/hostile-capture.js';
import type { Analysis } from '../diagnose/analyzer.js';
import type { RegistrationSummary } from '../model/analysis.js';
import { analyze } from '../diagnose/analyze.js';
import { parseFilter } from './filter.js';
import { buildLadder, formatLadderText } from './ladder.js';
import { formatLadderMermaid, formatLadderPlantUml } from './ladder-formats.js';
import { buildReport } from './report.js';
import { formatMarkdownReport } from './report-markdown.js';
import { describeAccountCount, describeHistory, describeLastSuccess, formatTextReport } from './report-text.js';
import { sanitizeForTerminal } from './text-table.js';

describe('parseFilter', () => {
  it('reads codes, classes, methods, times and Call-IDs, and says what is wrong', () => {
    expect(parseFilter('code=4xx')).toEqual({ filter: { key: 'code', min: 400, max: 499, text: 'code=4xx' } });
    expect(parseFilter('method=invite')).toMatchObject({ filter: { key: 'method', value: 'INVITE' } });
    expect(parseFilter('call=a=b@host')).toMatchObject({ filter: { key: 'call', value: 'a=b@host' } });
    expect(parseFilter('since=2026-01-01T10:00:00Z')).toMatchObject({ filter: { key: 'since', ms: Date.UTC(2026, 0, 1, 10) } });
    expect(parseFilter('code=99')).toHaveProperty('error');
    expect(parseFilter('since=yesterday')).toHaveProperty('error');
    expect(parseFilter('nokey')).toHaveProperty('error');
  });
});

describe('the accounts table', () => {
  const reg = (state: RegistrationSummary['state'], lastSuccess: string | null, finalStatuses: { status: number; count: number }[]): RegistrationSummary => ({
    aor: 'sip:6109@example.com', contact: null, state, lastStatus: null, lastReason: null, lastMeaning: null, callIds: [], findings: [], messages: [],
    expiresRequested: null, expiresGranted: null, lastSuccess, attempts: 0, finalStatuses,
  });
  it('counts the final answers, challenges last, and says "registered" without a date when the log has none', () => {
    const all = [reg('failed', null, [{ status: 401, count: 2 }, { status: 403, count: 1 }]), reg('registered', null, [{ status: 200, count: 3 }, { status: 401, count: 3 }])];
    expect(describeHistory(all)).toBe('3× 200, 1× 403; 5 challenges');
    expect(describeLastSuccess(all)).toBe('yes (no date in the data)');
    expect(describeLastSuccess([all[0] as RegistrationSummary])).toBe('never');
    expect(describeLastSuccess([reg('registered', '2026-11-24T09:31:44.265Z', [{ status: 200, count: 1 }])])).toBe('2026-11-24 09:31:44.265');
    const summary = (n: number) => ({ messages: 0, registrations: n, calls: 0, findings: { error: 0, warning: 0, info: 0 }, topCauses: [] });
    expect(describeAccountCount({ schemaVersion: 1, inputs: [], summary: summary(2), registrations: all, calls: [], findings: [] })).toBe('1 account (2 registrations)');
    expect(describeAccountCount({ schemaVersion: 1, inputs: [], summary: summary(1), registrations: [all[1] as RegistrationSummary], calls: [], findings: [] })).toBe('1 account');
  });
});

describe('sanitizeForTerminal', () => {
  it('shows control characters instead of sending them to the terminal', () => {
    expect(sanitizeForTerminal('a\u001b[2Jb\u0007c\u009bd\n')).toBe('a\\x1b[2Jb\\x07c\\x9bd\n');
  });
});

describe('formatLadderText', () => {
  it('shows control characters of a reason phrase instead of sending them to the terminal', () => {
    const ladder = {
      title: 't',
      participants: ['a\u001b]0;owned\u0007', 'b'],
      steps: [{ index: 0, from: 0, to: 1, label: '486 \u001b[2JBusy', kind: 'response' as const, status: 486, timeLabel: '', offsetMs: null }],
    };
    const text = formatLadderText(ladder, { unicode: true, color: false });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('\\x1b[2JBusy');
  });
});

describe.skipIf(!hasTool('sipp') || !hasTool('tshark'))('reports of a hostile capture', () => {
  let dir = '';
  let analysis: Analysis;
  beforeAll(async () => {
    const capture = await makeHostileCapture();
    dir = capture.dir;
    analysis = await analyze([capture.pcap], { keepMessages: 'all' });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Markdown quotes markup only inside code fences', () => {
    const md = formatMarkdownReport(buildReport(analysis.result, analysis.messages));
    const outside = md.split(/^`{3}.*$/m).filter((_, i) => i % 2 === 0).join('\n');
    expect(md).toContain('<script>window.__pwn=8</script>');
    expect(outside).not.toMatch(/<(?:script|img|svg|b)\b/i);
    expect(outside).toContain('&lt;script&gt;');
  });

  it('draws the ladder between the two phones, one arrow per message, ASCII when asked', () => {
    const report = buildReport(analysis.result, analysis.messages);
    const ladder = buildLadder('all', report.messages);
    expect(ladder.participants).toHaveLength(2);
    expect(ladder.steps).toHaveLength(analysis.messages.size);
    const ascii = formatLadderText(ladder, { unicode: false, color: false });
    expect(ascii).toMatch(/^[\x20-\x7e\n]*$/);
    expect(ascii.split('\n').filter((l) => l.includes('>|') || l.includes('|<'))).toHaveLength(analysis.messages.size);
    // Mermaid and PlantUML statements cannot be broken by the display names and reasons.
    const mermaid = formatLadderMermaid(ladder);
    expect(mermaid.split('\n').filter((l) => l.length > 0)).toHaveLength(1 + 2 + analysis.messages.size);
    const labels = mermaid.split('\n').filter((l) => l.startsWith('  P')).map((l) => l.slice(l.indexOf(': ') + 2));
    expect(labels).toHaveLength(analysis.messages.size);
    // Entity codes (#59;) are how Mermaid carries these characters; nothing else may hold them.
    for (const label of labels) expect(label.split('#').map((p, i) => (i === 0 ? p : p.slice(p.indexOf(';') + 1))).join('')).not.toMatch(/[<>;"]/);
    const plant = formatLadderPlantUml(ladder);
    expect(plant.split('\n').filter((l) => l.length > 0)).toHaveLength(3 + 2 + analysis.messages.size);
  });

  it('the text report shows the evidence lines with their origin, coloured only when asked', () => {
    const report = buildReport(analysis.result, analysis.messages);
    const plain = formatTextReport(report, { color: false, unicode: false });
    expect(plain).toContain('Warning: 399 evil.example');
    expect(plain).toMatch(/hostile\.pcapng#\d+/);
    expect(plain).not.toContain('\u001b[');
    expect(formatTextReport(report, { color: true, unicode: true })).toContain('\u001b[');
  });
});
