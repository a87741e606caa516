// The README's main command: the committed example snapshot's report names each failure and its cause. The failures
// expected are the harness scenarios the snapshot was recorded from (examples/snapshot-scenarios.ts), with the final
// status each scenario definition states.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mainLine, secondLine } from '../../examples/snapshot-scenarios.js';
import { listScenarios } from '../harness/index.js';
import { runSiplens } from './cli-run.js';

const snapshot = resolve(import.meta.dirname, '..', '..', 'examples', 'clearcom-snapshot', 'diagnostics-snapshot.zip');

interface Json {
  inputs: { path: string; format: string | null; messages: number }[];
  calls: { finalStatus: number | null; outcome: string }[];
  registrations: { lastStatus: number | null; aor: string }[];
  findings: { severity: string; status: number | null; rule: string }[];
}

describe('the example snapshot (npm run example)', () => {
  it('reads both logs, the nested one too, and explains every failing scenario', async () => {
    const r = await runSiplens(['analyze', snapshot, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    const logs = json.inputs.filter((i) => i.format === 'pjsip');
    expect(logs.map((i) => i.path.slice(i.path.indexOf('!')))).toEqual(expect.arrayContaining(['!var/log/sip', '!tmp/sitara1.zip!var/log/sip']));
    const scenarios = new Map(listScenarios().map((s) => [s.name, s]));
    for (const name of [...mainLine, ...secondLine]) {
      const s = scenarios.get(name);
      if (s === undefined) throw new Error(`no scenario ${name}`);
      const status = s.expected.finalStatus;
      if (status === undefined) continue;
      const seen = [...json.calls.map((c) => c.finalStatus), ...json.registrations.map((g) => g.lastStatus)];
      expect(seen, name).toContain(status);
      if (s.expected.fault) {
        // Each fault has a finding of error severity about that very status.
        expect(json.findings.some((f) => f.status === status && f.severity === 'error'), `${name}: error finding for ${status}`).toBe(true);
      }
    }
  });

  it('prints the report with each failure named, and --fail-on error exits 1', async () => {
    const text = await runSiplens(['analyze', snapshot]);
    expect(text.code).toBe(0);
    // Each failure with its cause, in the words a field engineer would use.
    for (const words of [
      '423 Interval Too Brief',
      'Min-Expires: 3600',
      'the device asked for 60 s',
      '488 Not Acceptable Here: no codec in common: offered G729/8000, the other side takes PCMU/8000, PCMA/8000',
      'Warning: 305',
      'Retry-After: 120',
      '403 Forbidden',
      'Account blocked by the administrator',
      'the password, or the user name',
      'The callee is busy',
      'This is not a fault',
      'Top causes',
    ]) {
      // The report wraps its paragraphs: compare with the lines joined.
      expect(text.stdout.replace(/\s+/g, ' ')).toContain(words);
    }
    // The account's state now is the refused refresh, and the report says when its last binding runs out.
    const aliceRow = text.stdout.split('\n').find((l) => l.startsWith('sip:alice@siplens.test '));
    expect(aliceRow?.split(/ {2,}/).slice(0, 3)).toEqual(['sip:alice@siplens.test', 'failed', '423 Interval Too Brief']);
    expect(text.stdout).toContain('still runs until');
    expect((await runSiplens(['analyze', snapshot, '--fail-on', 'error'])).code).toBe(1);
  });
});
