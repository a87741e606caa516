import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDir, hasCorpus } from '../../test/helpers/corpus.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { Loaded } from '../../test/report/fixtures.js';
import { loadRecords } from '../../test/report/fixtures.js';
import { makeHostileCapture } from '../../test/report/hostile-capture.js';
import { viewMessage } from './message-view.js';
import { exportPcap } from './pcap-export.js';
import { parseEndpoint, parseIpv6 } from './pcap-writer.js';

describe('parseEndpoint', () => {
  it('reads IPv4, bracketed and bare IPv6, with and without ports', () => {
    expect(parseEndpoint('10.1.2.3:5080', 5060)).toEqual({ ip: Uint8Array.from([10, 1, 2, 3]), port: 5080 });
    expect(parseEndpoint('10.1.2.3', 5060)?.port).toBe(5060);
    expect(parseEndpoint('[2001:db8::7]:5061', 5060)?.port).toBe(5061);
    expect([...(parseIpv6('2001:db8::7') ?? [])]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
    expect([...(parseIpv6('::ffff:192.0.2.1') ?? [])].slice(10)).toEqual([0xff, 0xff, 192, 0, 2, 1]);
    expect(parseEndpoint('this device', 5060)).toBeUndefined();
    expect(parseEndpoint('1.2.3.999:5060', 5060)).toBeUndefined();
  });
});

/** What tshark sees in a pcap: one line per SIP message, `Call-ID<TAB>CSeq`. */
function tsharkSip(file: string): string[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length > 0);
}

function expectedLines(loaded: Loaded): string[] {
  return loaded.records.map((r) => `${r.message.callId ?? ''}\t${r.message.cseq?.seq ?? ''} ${r.message.cseq?.method ?? ''}`);
}

describe.skipIf(!hasTool('tshark'))('exportPcap read back by tshark', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-pcap-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasCorpus)('writes every message of a PJSIP text log, with made-up addresses where the log has none', async () => {
    const loaded = await loadRecords([join(corpusDir, 'formats', 'pjsip_pjproject-3414_401_then_register.log')]);
    expect(loaded.records.length).toBeGreaterThan(1);
    const out = exportPcap(loaded.records.map(viewMessage), { raw: new Map(loaded.records.map((r) => [r.index, r.message.raw])) });
    const file = join(dir, 'pjsip.pcap');
    await writeFile(file, Buffer.concat(out.chunks));
    expect(out.synthesizedAddresses).toBe(loaded.records.length);
    expect(tsharkSip(file)).toEqual(expectedLines(loaded));
  });

  it.skipIf(!hasCorpus)('writes TCP over IPv6 as one readable stream', async () => {
    const loaded = await loadRecords([join(corpusDir, 'pcap', 'ipv6frag.pcap')]);
    const views = loaded.records.map((r) => ({ ...viewMessage(r), transport: 'TCP' }));
    const file = join(dir, 'v6.pcap');
    await writeFile(file, Buffer.concat(exportPcap(views).chunks));
    expect(tsharkSip(file)).toEqual(expectedLines(loaded));
    const errors = execFileSync('tshark', ['-r', file, '-Y', '_ws.expert.severity >= warning'], { encoding: 'utf8' });
    expect(errors).toBe('');
  });

  it.skipIf(!hasTool('sipp'))('writes a sipp capture back with the same messages and checksums tshark accepts', async () => {
    const capture = await makeHostileCapture();
    try {
      const loaded = await loadRecords([capture.pcap]);
      const file = join(dir, 'hostile.pcap');
      await writeFile(file, Buffer.concat(exportPcap(loaded.records.map(viewMessage)).chunks));
      expect(tsharkSip(file)).toEqual(expectedLines(loaded));
      const bad = execFileSync('tshark', ['-r', file, '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-Y', 'udp.checksum.status == 2 || ip.checksum.status == 2'], { encoding: 'utf8' });
      expect(bad).toBe('');
    } finally {
      await rm(capture.dir, { recursive: true, force: true });
    }
  });
});

