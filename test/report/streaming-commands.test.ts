import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrafficPcap } from '../helpers/traffic.js';
import { readFile } from 'node:fs/promises';
import { readInputs } from '../../src/parse/read-inputs.js';
import { viewMessage } from '../../src/present/message-view.js';
import { StatsCounter } from '../../src/present/stats.js';
import { runSiplens } from './cli-run.js';

describe('stats and export read one message at a time, on generated proxy traffic', () => {
  it('times every call and every REGISTER transaction the generator made, one message at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-stats-'));
    try {
      const file = join(dir, 'traffic.pcap');
      const counts = await writeTrafficPcap(file, 5, 4_000_000);
      const counter = new StatsCounter();
      for await (const r of readInputs([file]).records) counter.add(viewMessage(r));
      const stats = counter.result();
      expect(stats.messages).toBe(counts.messages);
      // Each call's INVITE is timed once (retransmissions and the proxy's second leg share its transaction key);
      // every registration is challenged once and then answered.
      expect(stats.responseTimes.find((t) => t.method === 'INVITE')?.count).toBe(counts.calls);
      expect(stats.responseTimes.find((t) => t.method === 'REGISTER')?.count).toBe(2 * counts.registrations);
      const cli = await runSiplens(['stats', file, '--json']);
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify(stats)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('export writes every message byte for byte, and a filter keeps the matching ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-export-'));
    try {
      const file = join(dir, 'traffic.pcap');
      const counts = await writeTrafficPcap(file, 6, 3_000_000);
      const out = join(dir, 'out.pcap');
      const r = await runSiplens(['export', file, '--pcap', out]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`wrote ${counts.messages} messages`);
      const original: Buffer[] = [];
      for await (const m of readInputs([file]).records) original.push(Buffer.from(m.message.raw));
      const again: Buffer[] = [];
      for await (const m of readInputs([out]).records) again.push(Buffer.from(m.message.raw));
      expect(again.length).toBe(original.length);
      for (let i = 0; i < again.length; i++) expect(again[i]!.equals(original[i]!)).toBe(true);
      const invites = join(dir, 'invites.pcap');
      expect((await runSiplens(['export', file, '--filter', 'method=INVITE', '--pcap', invites])).code).toBe(0);
      const kept: string[] = [];
      for await (const m of readInputs([invites]).records) kept.push(m.message.cseq?.method ?? '');
      expect(kept.length).toBeGreaterThan(0);
      expect(new Set(kept)).toEqual(new Set(['INVITE']));
      expect((await readFile(invites)).length).toBeLessThan((await readFile(out)).length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
