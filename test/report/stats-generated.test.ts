import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCounts, generateTraffic } from '../../bench/traffic.js';
import { encodePacket, fileHeader } from '../../bench/writers.js';
import { readInputs } from '../../src/parse/read-inputs.js';
import { viewMessage } from '../../src/present/message-view.js';
import { StatsCounter } from '../../src/present/stats.js';
import { runSiplens } from './cli-run.js';

describe('siplens stats on generated proxy traffic', () => {
  it('times every call and every REGISTER transaction the generator made, one message at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-stats-'));
    try {
      const file = join(dir, 'traffic.pcap');
      const counts = emptyCounts(5);
      await writeFile(file, Buffer.concat([fileHeader('pcap'), ...[...generateTraffic(5, 4_000_000, counts)].map((p) => encodePacket('pcap', p))]));
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
});
