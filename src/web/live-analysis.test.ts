import { describe, expect, it } from 'vitest';
import { emptyCounts, formatIp, generateTraffic } from '../../bench/traffic.js';
import { parseMessage } from '../index.js';
import { LiveAnalysis } from './live-analysis.js';
import type { LiveMessage } from './live-view.js';

/** The benchmark's traffic (a proxy, thousands of phones, both legs of each call), numbered from `firstId`. */
function traffic(count: number, firstId: number): LiveMessage[] {
  const out: LiveMessage[] = [];
  for (const p of generateTraffic(3, 1e9, emptyCounts(3))) {
    out.push({
      id: firstId + out.length,
      bytes: new TextEncoder().encode(p.text),
      meta: { time: p.timeUs / 1000, src: `${formatIp(p.src[0])}:${p.src[1]}`, dst: `${formatIp(p.dst[0])}:${p.dst[1]}`, transport: 'UDP', origin: { path: 'hep', offset: 0 } },
    });
    if (out.length >= count) break;
  }
  return out;
}

describe('LiveAnalysis', () => {
  // Store ids far from 0, so that an analyzer index taken for an id (or the reverse) shows.
  const messages = traffic(12_000, 5_000_000);
  const callIdOf = new Map(messages.map((m) => [m.id, parseMessage(m.bytes).callId]));

  it('hands over to a new analyzer every epochMessages, keeping a bounded history with store ids', () => {
    const live = new LiveAnalysis({ epochMessages: 3000, carryMessages: 2000, maxAccounts: 300, maxCalls: 200, maxFindings: 100, viewCalls: 50 });
    for (const m of messages) live.push(m);
    const view = live.view();
    expect(view.analysis.epoch).toBeGreaterThanOrEqual(4);
    expect(view.totals.messages).toBe(12_000);
    expect(view.calls.length).toBe(50);
    expect(view.accounts.length).toBeLessThanOrEqual(360);
    const all = live.view(true);
    expect(all.calls.length).toBeLessThanOrEqual(240);
    expect(all.findings.length).toBeLessThanOrEqual(120);
    expect(all.findings.length).toBeGreaterThan(20);
    // Every finding's evidence names stored messages of the call it is about.
    for (const f of all.findings) {
      expect(f.evidence.length).toBeGreaterThan(0);
      for (const id of f.evidence) expect(callIdOf.has(id)).toBe(true);
      if (f.callIds.length === 1) expect(f.evidence.some((id) => callIdOf.get(id) === f.callIds[0])).toBe(true);
    }
    // Calls in progress come first, then the most recent.
    const firstDone = all.calls.findIndex((c) => c.outcome !== 'in-progress');
    expect(firstDone).toBeGreaterThan(0);
    expect(all.calls.slice(firstDone).every((c) => c.outcome !== 'in-progress')).toBe(true);
    expect(live.failures).toBe(0);
  });

  it('counts each call about once across hand-overs, and as one analyzer does', () => {
    const single = new LiveAnalysis({ epochMessages: 1e9 });
    const split = new LiveAnalysis({ epochMessages: 2500 });
    for (const m of messages) {
      single.push(m);
      split.push(m);
    }
    const one = single.view().totals;
    const many = split.view().totals;
    // A call whose start has left the carried messages is seen again as a fragment: a few per cent at most.
    expect(Math.abs(many.calls - one.calls) / one.calls).toBeLessThan(0.05);
    expect(many.findings.error).toBeGreaterThan(one.findings.error * 0.9);
  });

  it('starts from a saved view and replays history without counting it twice', () => {
    const first = new LiveAnalysis();
    for (const m of messages.slice(0, 4000)) first.push(m);
    const saved = JSON.parse(JSON.stringify(first.view(true))) as ReturnType<LiveAnalysis['view']>;
    const again = new LiveAnalysis();
    again.restore(saved);
    expect(again.view().accounts.map((a) => a.aor)).toEqual(first.view().accounts.map((a) => a.aor));
    for (const m of messages.slice(2000, 4000)) again.push(m, false);
    const view = again.view();
    expect(view.totals.messages).toBe(4000);
    expect(view.totals.calls).toBe(saved.totals.calls);
  });
});
