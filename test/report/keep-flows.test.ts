import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrafficPcap } from '../helpers/traffic.js';
import { HTML_MAX_FLOWS, buildReport, pickFlows } from '../../src/present/report.js';
import { analyze } from '../../src/diagnose/analyze.js';
import { FLOWS_KEEP_CALLS, FLOWS_KEEP_FIRST_MESSAGES } from '../../src/diagnose/analyzer.js';

describe("keepMessages 'flows' (what the HTML report draws, in bounded memory)", () => {
  it('keeps far fewer messages than all, and every flow the HTML report picks from them is whole and the same as with all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-flows-'));
    try {
      const file = join(dir, 'traffic.pcap');
      const counts = await writeTrafficPcap(file, 7, 12_000_000);
      // Calls are let go soon after they end (as on a long capture), so that most of them leave memory.
      const eviction = { minMessagesSince: 500, checkEvery: 256 };
      const all = await analyze([file], { keepMessages: 'all', eviction });
      const flows = await analyze([file], { keepMessages: 'flows', eviction });
      expect(flows.result).toEqual(all.result);
      expect(all.messages.size).toBe(counts.messages);
      // Bounded: besides the accounts' recent REGISTERs (as every mode holds while reading), the evidence and the
      // first messages, what is kept belongs to at most 2 × FLOWS_KEEP_CALLS calls and those still in flight at the end.
      const explained = new Set<number>();
      for (const r of flows.result.registrations) for (const i of r.messages) explained.add(i);
      for (const f of flows.result.findings) for (const i of f.evidence) explained.add(i);
      for (let i = 0; i < FLOWS_KEEP_FIRST_MESSAGES; i++) explained.add(i);
      const rest = [...flows.messages.keys()].filter((i) => !explained.has(i));
      const callOf = new Map<number, number>();
      flows.result.calls.forEach((c, at) => {
        for (const i of c.messages) callOf.set(i, at);
      });
      const callsTouched = new Set(rest.map((i) => callOf.get(i) ?? -1));
      const inFlight = flows.result.calls.filter((c) => c.messages.some((i) => i >= counts.messages - 2000)).length;
      // Not of a call: keepalives (OPTIONS) still in flight at the end.
      const loose = rest.filter((i) => !callOf.has(i));
      // (the last exchange of each keepalive pair is held while reading, in every mode).
      for (const i of loose) expect(flows.messages.get(i)?.message.cseq?.method).toBe('OPTIONS');
      callsTouched.delete(-1);
      expect(callsTouched.size).toBeLessThanOrEqual(2 * FLOWS_KEEP_CALLS + inFlight);
      expect(flows.result.calls.length).toBeGreaterThan(4 * callsTouched.size);
      expect(flows.messages.size).toBeGreaterThanOrEqual(Math.min(counts.messages, FLOWS_KEEP_FIRST_MESSAGES));
      for (const [i, m] of flows.messages) expect(Buffer.from(m.message.raw).equals(Buffer.from(all.messages.get(i)!.message.raw))).toBe(true);
      const have = (i: number): boolean => flows.messages.has(i);
      const picked = pickFlows(flows.result, HTML_MAX_FLOWS, have);
      const total = flows.result.calls.length + flows.result.registrations.length;
      expect(total).toBeGreaterThan(HTML_MAX_FLOWS);
      expect(picked.length).toBe(HTML_MAX_FLOWS);
      for (const f of picked) for (const i of f.messages) expect(have(i)).toBe(true);
      expect(FLOWS_KEEP_CALLS).toBeGreaterThanOrEqual(HTML_MAX_FLOWS);
      // The report built from the flows has the same ladders' messages as the one built from every message.
      const a = buildReport(all.result, all.messages, { scope: 'html' });
      const b = buildReport(flows.result, flows.messages, { scope: 'html' });
      const drawn = (r: typeof a): number[] => pickFlows(r.result, HTML_MAX_FLOWS, (i) => r.byIndex.has(i)).flatMap((f) => [...f.messages]);
      expect(drawn(b)).toEqual(drawn(a));

      // In worker threads (as large inputs are analysed): each share keeps its own first messages and flows, so more
      // flows are at hand; every one picked is whole, and the result is the one every message gives.
      const shared = await analyze([file], { keepMessages: 'flows', eviction, workers: 2 });
      expect(shared.result).toEqual(all.result);
      const c = buildReport(shared.result, shared.messages, { scope: 'html' });
      const pickedShared = pickFlows(c.result, HTML_MAX_FLOWS, (i) => c.byIndex.has(i));
      expect(pickedShared.length).toBe(HTML_MAX_FLOWS);
      for (const f of pickedShared) for (const i of f.messages) expect(shared.messages.get(i)?.message.raw).toEqual(all.messages.get(i)?.message.raw);

      // keepCallIdsContaining (flow --call): one answered call, let go long before the end, is still there whole.
      const call = all.result.calls.find(
        (c) => c.outcome === 'answered' && c.findings.length === 0 && c.messages.length >= 6 && c.messages[0]! > FLOWS_KEEP_FIRST_MESSAGES && c.messages.at(-1)! < counts.messages - 5000,
      )!;
      expect(call).toBeDefined();
      for (const workers of [1, 2]) {
        const one = await analyze([file], { keepMessages: 'evidence', eviction, workers, keepCallIdsContaining: call.callId });
        for (const i of call.messages) expect(one.messages.get(i)?.message.callId).toBe(call.callId);
        const plain = await analyze([file], { keepMessages: 'evidence', eviction, workers });
        expect(call.messages.some((i) => plain.messages.has(i))).toBe(false);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
