import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFiles, corpusSkipReason, hasCorpus } from '../../../test/helpers/corpus.js';
import { writeTrafficPcap } from '../../../test/helpers/traffic.js';
import type { Correlation } from '../../correlate/types.js';
import { analyze } from '../analyze.js';
import { viewCall } from '../../correlate/call-outcome.js';
import { findFinal, groupCallTransactions } from './call-groups.js';
import type { TransactionGroup } from './call-groups.js';
import { indexCorrelation } from './correlation-index.js';

/** The correlations the rules are given on these inputs: every eviction batch and the end. */
async function correlationsOf(files: readonly string[]): Promise<Correlation[]> {
  const seen: Correlation[] = [];
  await analyze(files, { workers: 1, rules: [{ family: 'record', run: (c) => (seen.push(c), []) }] });
  return seen;
}

/** The groups a rule about `codes` reports on, as it reads them: each with its hit. */
function hits(groups: readonly TransactionGroup[], codes: ReadonlySet<number>): unknown[] {
  return groups.flatMap((g) => {
    const hit = findFinal(g, codes);
    return hit === undefined ? [] : [{ g, hit }];
  });
}

/**
 * groupsAnsweredWith skips the calls without the codes: what the rules find must be what grouping every call finds.
 * viewOf must be viewCall.
 */
function expectSameReads(correlations: readonly Correlation[]): number {
  let compared = 0;
  for (const c of correlations) {
    const index = indexCorrelation(c);
    for (const call of c.calls) {
      expect(index.viewOf(call)).toEqual(viewCall(call));
      expect(index.viewOf(call)).toBe(index.viewOf(call));
    }
    const statuses = new Set<number>();
    for (const tx of c.transactions) if (tx.final?.status !== undefined) statuses.add(tx.final.status);
    const all = groupCallTransactions(c);
    // Each status alone, the codes of the rule families that read groups, and a code no call has.
    const sets = [...[...statuses].map((s) => new Set([s])), new Set([488, 606, 415]), new Set([420, 421, 422]), new Set([481, 482, 483, 491]), new Set([999])];
    for (const codes of sets) {
      const expected = hits(all, codes);
      expect(hits(index.groupsAnsweredWith(codes), codes)).toEqual(expected);
      compared += expected.length;
    }
  }
  return compared;
}

describe('the index the rule families share', () => {
  it('groups as grouping every call does, in the same order, and views calls as viewCall, on generated proxy traffic', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-index-'));
    try {
      const file = join(dir, 'traffic.pcap');
      await writeTrafficPcap(file, 5, 2_000_000);
      expect(expectSameReads(await correlationsOf([file]))).toBeGreaterThan(100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasCorpus)(`groups and views calls as the plain functions do on the corpus (${hasCorpus ? 'corpus' : corpusSkipReason})`, async () => {
    const files = [...corpusFiles('pcap'), ...corpusFiles('logs'), ...corpusFiles('formats')];
    expect(expectSameReads(await correlationsOf(files))).toBeGreaterThan(10);
  });
});
