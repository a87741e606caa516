import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../../../test/helpers/tools.js';
import { runSiplens } from '../../../test/report/cli-run.js';
import { decodeHep } from '../../index.js';
import { loadRecords } from '../../../test/report/fixtures.js';

const snapshot = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'clearcom-snapshot', 'diagnostics-snapshot.zip');

function tsharkCallIds(file: string): string[] {
  return execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.length > 0);
}

describe('siplens export --pcap', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasTool('tshark'))('writes every message of the snapshot\'s text logs as a capture tshark reads', async () => {
    const out = join(dir, 'all.pcap');
    const r = await runSiplens(['export', snapshot, '--pcap', out]);
    expect(r.code).toBe(0);
    const { records } = await loadRecords([snapshot]);
    expect(tsharkCallIds(out)).toEqual(records.map((x) => x.message.callId));
    expect(r.stderr).toContain(`wrote ${records.length} messages`);
  });

  it.skipIf(!hasTool('tshark'))('writes only the filtered messages', async () => {
    const out = join(dir, 'invites.pcap');
    const r = await runSiplens(['export', snapshot, '--filter', 'method=INVITE', '--pcap', out]);
    expect(r.code).toBe(0);
    const methods = execFileSync('tshark', ['-r', out, '-Y', 'sip', '-T', 'fields', '-e', 'sip.CSeq.method'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(methods.length).toBeGreaterThan(0);
    expect(new Set(methods)).toEqual(new Set(['INVITE']));
  });

  it.skipIf(!hasTool('sngrep'))('writes a capture sngrep opens', async () => {
    const out = join(dir, 'sngrep.pcap');
    await runSiplens(['export', snapshot, '--pcap', out]);
    // sngrep -N (no interface) -I file -O copies what it read to another file: it parsed the capture.
    const copy = join(dir, 'sngrep-copy.pcap');
    execFileSync('sngrep', ['-N', '-I', out, '-O', copy], { stdio: 'ignore', timeout: 20_000 });
    expect(tsharkCallIds(copy).length).toBe(tsharkCallIds(out).length);
  });

  it('sends every message as HEP3 to a collector, with its addresses and time', async () => {
    const socket = createSocket('udp4');
    const received: Buffer[] = [];
    socket.on('message', (m) => received.push(m));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    try {
      const { port } = socket.address();
      const { records } = await loadRecords([snapshot]);
      const callId = records.find((x) => x.message.status === 488)?.message.callId ?? '';
      const r = await runSiplens(['export', snapshot, '--filter', `call=${callId}`, '--hep', `127.0.0.1:${port}`]);
      expect(r.code).toBe(0);
      const want = records.filter((x) => x.message.callId === callId);
      for (let i = 0; i < 50 && received.length < want.length; i++) await new Promise((w) => setTimeout(w, 20));
      const decoded = received.map((b) => decodeHep(new Uint8Array(b)));
      expect(decoded.map((d) => (d.ok ? new TextDecoder().decode(d.payload) : d.issue.message))).toEqual(
        want.map((x) => new TextDecoder().decode(x.message.raw)),
      );
      const first = decoded[0];
      expect(first?.ok === true ? [first.version, first.payloadType, first.time] : []).toEqual([3, 1, want[0]?.meta.time]);
    } finally {
      socket.close();
    }
  });

  it('exits 2 without --pcap or --hep or with a bad --hep, 3 when nothing matches, 4 for a missing input', async () => {
    expect((await runSiplens(['export', snapshot])).code).toBe(2);
    expect((await runSiplens(['export', snapshot, '--hep', 'localhost'])).code).toBe(2);
    expect((await runSiplens(['export', snapshot, '--filter', 'code=699', '--pcap', join(dir, 'none.pcap')])).code).toBe(3);
    expect((await runSiplens(['export', join(dir, 'missing.log'), '--pcap', join(dir, 'x.pcap')])).code).toBe(4);
  });
});
