// Messages that come after their transaction or call was concluded and let go are counted (summary.lateCopies) and
// said in the text report, not dropped in silence. The example snapshot read twice: the second copy's messages meet
// the first copy's calls again, but some of its REGISTER and OPTIONS transactions were already let go (an account
// keeps its last 4 REGISTER transactions, a keepalive its last 16), so their copies are late.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/diagnose/analyze.js';
import { runSiplens } from './cli-run.js';

const snapshot = resolve(import.meta.dirname, '..', '..', 'examples', 'clearcom-snapshot', 'diagnostics-snapshot.zip');
const line = 'came after their transaction or call had been concluded';

describe('late copies of concluded transactions and calls', () => {
  it('are counted in summary.lateCopies, and the same input twice gives the calls and findings of once', async () => {
    const once = (await analyze([snapshot])).result;
    const twice = (await analyze([snapshot, snapshot])).result;
    expect(once.summary.lateCopies).toBe(0);
    expect(twice.summary.messages).toBe(2 * once.summary.messages);
    expect(twice.summary.lateCopies).toBeGreaterThan(0);
    expect(twice.summary.callsByFinalStatus).toEqual(once.summary.callsByFinalStatus);
    expect(twice.summary.findings).toEqual(once.summary.findings);
    expect(twice.calls.map((c) => c.callId)).toEqual(once.calls.map((c) => c.callId));
  });

  it('are said in the text report, and only when there are some', async () => {
    expect((await runSiplens(['analyze', snapshot])).stdout).not.toContain('transaction or call had been concluded');
    const twice = await runSiplens(['analyze', snapshot, snapshot]);
    const json = JSON.parse((await runSiplens(['analyze', snapshot, snapshot, '--json'])).stdout) as { summary: { lateCopies: number } };
    expect(twice.stdout).toContain(`${json.summary.lateCopies} messages ${line}`);
  });
});
