import { createSocket } from 'node:dgram';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../test/harness/index.js';
import { corpusDir, hasCorpus } from '../../test/helpers/corpus.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { MessageRecord } from '../model/index.js';
import { readInputs } from './read-inputs.js';
import { readLive } from './read-live.js';

const PJSIP = join(corpusDir, 'formats', 'pjsip_pjproject-3414_401_then_register.log');

/** A minimal HEP3 packet (vendor 0 chunks: family, protocol, IPv4 addresses, ports, SIP type, payload). */
function encodeHep3(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  const chunk = (type: number, value: Buffer): void => {
    const h = Buffer.alloc(6);
    h.writeUInt16BE(type, 2);
    h.writeUInt16BE(6 + value.length, 4);
    parts.push(h, value);
  };
  chunk(1, Buffer.from([2]));
  chunk(2, Buffer.from([17]));
  chunk(3, Buffer.from([127, 0, 0, 1]));
  chunk(4, Buffer.from([127, 0, 0, 2]));
  chunk(7, Buffer.from([0x13, 0xc4]));
  chunk(8, Buffer.from([0x13, 0xc4]));
  chunk(11, Buffer.from([1]));
  chunk(15, payload);
  const body = Buffer.concat(parts);
  const head = Buffer.from('HEP3\0\0', 'latin1');
  head.writeUInt16BE(6 + body.length, 4);
  return Buffer.concat([head, body]);
}

describe.skipIf(!hasCorpus)('readLive', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-live-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges a HEP feed and a followed log into one numbered stream, and ends on abort', async () => {
    const fromFile = readInputs([PJSIP]);
    const expected: MessageRecord[] = [];
    for await (const r of fromFile.records) expected.push(r);
    const log = join(dir, 'sip');
    await writeFile(log, '');
    const controller = new AbortController();
    const guard = setTimeout(() => controller.abort(), 20_000);
    const live = await readLive({ hep: { port: 0 }, follow: [log], signal: controller.signal, pollIntervalMs: 20 });
    const got: MessageRecord[] = [];
    const reading = (async () => {
      for await (const r of live.records) {
        got.push(r);
        // The log's last message has no end marker (no `--end msg--`, no next line): the reader gives it out when
        // the follow ends, so stop once all but that one have arrived.
        if (got.length === expected.length * 2 - 1) controller.abort();
      }
    })();
    await appendFile(log, await readFile(PJSIP));
    const udp = createSocket('udp4');
    for (const r of expected) {
      await new Promise<void>((resolve, reject) =>
        udp.send(encodeHep3(Buffer.from(r.message.raw)), live.hepPorts?.udp as number, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    }
    await new Promise<void>((resolve) => udp.send(Buffer.from('junk'), live.hepPorts?.udp as number, '127.0.0.1', () => resolve()));
    await reading;
    clearTimeout(guard);
    udp.close();
    expect(got.map((r) => r.index)).toEqual(got.map((_, i) => i));
    const viaHep = got.filter((r) => r.meta.format === 'hep');
    const viaLog = got.filter((r) => r.meta.format !== 'hep');
    expect(viaHep.map((r) => r.message.callId)).toEqual(expected.map((r) => r.message.callId));
    expect(viaLog.map((r) => [r.message.cseq?.seq, r.meta.direction])).toEqual(expected.map((r) => [r.message.cseq?.seq, r.meta.direction]));
    expect(live.reports.map((r) => r.kind)).toEqual(['hep', 'follow']);
    expect(live.reports[1]?.format).toBe(expected[0]?.meta.format);
  });
});

describe.skipIf(!hasTool('kamailio') || !hasTool('sipp') || !hasTool('dumpcap'))('readLive fed by kamailio siptrace (HEPv3)', () => {
  it('receives every message kamailio mirrors: the ones its sipdump log records', async () => {
    const controller = new AbortController();
    const guard = setTimeout(() => controller.abort(), 60_000);
    const live = await readLive({ hep: { port: 0, tcp: false }, signal: controller.signal });
    const got: MessageRecord[] = [];
    const reading = (async () => {
      for await (const r of live.records) got.push(r);
    })();
    const run = await runScenario('call-busy', { hep: { host: '127.0.0.1', port: live.hepPorts?.udp as number } });
    try {
      const logged: MessageRecord[] = [];
      for await (const r of readInputs([run.kamailioLog]).records) logged.push(r);
      expect(logged.length).toBeGreaterThan(5);
      // Wait (bounded) until as many messages as kamailio logged have come in over HEP.
      const deadline = Date.now() + 10_000;
      while (got.length < logged.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      controller.abort();
      await reading;
      const key = (r: MessageRecord): string =>
        `${r.message.callId} ${r.message.cseq?.seq} ${r.message.cseq?.method} ${r.message.kind === 'request' ? r.message.method : r.message.status} ${r.meta.src} ${r.meta.dst}`;
      const heard = new Set(got.map(key));
      // Every message kamailio received or sent (its sipdump log) came over HEP, with the same addresses.
      expect(logged.map(key).filter((k) => !heard.has(k))).toEqual([]);
      expect(got.every((r) => r.meta.format === 'hep' && r.meta.transport === 'UDP')).toBe(true);
      expect(live.reports[0]?.skipped).toBe(0);
    } finally {
      clearTimeout(guard);
      controller.abort();
      await run.stop();
    }
  });
});
