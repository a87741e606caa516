import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, hasCorpus } from '../../../test/helpers/corpus.js';
import { hasTool } from '../../../test/helpers/tools.js';
import { runSiplens } from '../../../test/report/cli-run.js';

const fax = join(corpusDir, 'pcap', 'FAX-Call-t38-CA-TDM-SIP-FB-1.pcap');

interface Stats {
  messages: number;
  byMethod: { method: string; count: number }[];
  byCode: { code: number; count: number }[];
  byAccount: { account: string; requests: number }[];
  responseTimes: { method: string; count: number; p50: number; p90: number; p99: number; max: number }[];
}

/** Counts of one tshark field over the SIP packets of a capture. */
function tsharkCounts(file: string, field: string): Map<string, number> {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', field], { encoding: 'utf8' });
  const counts = new Map<string, number>();
  for (const v of out.split('\n').filter((l) => l.length > 0)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

describe.skipIf(!hasCorpus)('siplens stats', () => {
  it.skipIf(!hasTool('tshark'))('counts methods and codes as tshark does', async () => {
    const r = await runSiplens(['stats', fax, '--json']);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout) as Stats;
    expect(new Map(stats.byMethod.map((m) => [m.method, m.count]))).toEqual(tsharkCounts(fax, 'sip.Method'));
    expect(new Map(stats.byCode.map((c) => [String(c.code), c.count]))).toEqual(tsharkCounts(fax, 'sip.Status-Code'));
    for (const t of stats.responseTimes) {
      expect(t.p50).toBeLessThanOrEqual(t.p90);
      expect(t.p90).toBeLessThanOrEqual(t.p99);
      expect(t.p99).toBeLessThanOrEqual(t.max);
    }
    expect(stats.responseTimes.find((t) => t.method === 'INVITE')?.count).toBeGreaterThan(0);
  });

  it('prints tables, and applies --filter to the messages counted', async () => {
    const r = await runSiplens(['stats', fax]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Requests by method');
    expect(r.stdout).toContain('Response times');
    const invites = JSON.parse((await runSiplens(['stats', fax, '--json', '--filter', 'method=INVITE'])).stdout) as Stats;
    expect(invites.byMethod.map((m) => m.method)).toEqual(['INVITE']);
    expect((await runSiplens(['stats', fax, '--filter', 'code=699'])).code).toBe(3);
    expect((await runSiplens(['stats', fax, '--filter', 'code=abc'])).code).toBe(2);
    expect((await runSiplens(['stats', join(corpusDir, 'pcap', 'http_on_sip_port.pcap')])).code).toBe(3);
    expect((await runSiplens(['stats', join(corpusDir, 'no-such-file.pcap')])).code).toBe(4);
  });
});
