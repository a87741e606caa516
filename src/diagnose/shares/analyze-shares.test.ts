import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrafficPcap } from '../../../test/helpers/traffic.js';
import { corpusFiles, corpusSkipReason, hasCorpus } from '../../../test/helpers/corpus.js';
import type { AnalysisResult } from '../../model/analysis.js';
import { analyze } from '../analyze.js';
import { shareOf } from './analyze-shares.js';

/** The result with registrations in reading order (one analyzer lists them as met, shares by first message). */
function normal(r: AnalysisResult): unknown {
  return JSON.parse(JSON.stringify({ ...r, registrations: [...r.registrations].sort((a, b) => (a.messages[0] ?? 0) - (b.messages[0] ?? 0)) }));
}

describe('shareOf', () => {
  it('gives the reading thread 3 parts to each worker thread\'s 5, and every share a part', () => {
    for (const shares of [2, 3, 4]) {
      const counts = new Array<number>(shares).fill(0);
      const parts = 3 + 5 * (shares - 1);
      for (let key = 0; key < parts * 1000; key++) counts[shareOf(key, shares)]!++;
      expect(counts).toEqual([3000, ...new Array<number>(shares - 1).fill(5000)]);
    }
    expect(shareOf(0xffffffff, 2)).toBe(0xffffffff % 8 < 3 ? 0 : 1);
  });
});

describe('analysis in worker threads gives the result of one thread', () => {
  it('on generated proxy traffic: every call, registration, finding and evidence message the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-shares-'));
    try {
      const file = join(dir, 'traffic.pcap');
      const counts = await writeTrafficPcap(file, 3, 3_000_000);
      const one = await analyze([file], { workers: 1 });
      const two = await analyze([file], { workers: 2 });
      const three = await analyze([file], { workers: 3 });
      expect(one.result.summary.messages).toBe(counts.messages);
      expect(one.result.summary.callsByFinalStatus).toEqual(Object.fromEntries(Object.entries(counts.callsByFinalStatus).map(([k, v]) => [k, v])));
      expect(normal(two.result)).toEqual(normal(one.result));
      expect(normal(three.result)).toEqual(normal(one.result));
      expect([...two.messages.keys()]).toEqual([...one.messages.keys()]);
      for (const [i, m] of one.messages) expect(Buffer.from(two.messages.get(i)?.message.raw ?? []).equals(Buffer.from(m.message.raw))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!hasCorpus)(`on the corpus captures and logs read together (${hasCorpus ? 'corpus' : corpusSkipReason})`, () => {
    it('the same result', async () => {
      const files = [...corpusFiles('pcap'), ...corpusFiles('logs'), ...corpusFiles('formats')];
      const one = await analyze(files, { workers: 1 });
      const two = await analyze(files, { workers: 2 });
      expect(one.result.findings.length).toBeGreaterThan(10);
      expect(normal(two.result)).toEqual(normal(one.result));
    });
  });
});
