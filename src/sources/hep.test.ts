import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { freePort, KAMAILIO_MPATH, WATCHDOG } from '../../test/differential/capture-tools.js';
import { hasTool } from '../../test/helpers/tools.js';
import { decodeHep, looksLikeHep } from './hep.js';

const SIP = 'OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: h1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

/** HEP3 chunk (vendor 0): type, length (header included), value. */
function chunk(type: number, value: Uint8Array | number[]): number[] {
  const v = [...value];
  return [0, 0, type >> 8, type & 0xff, (6 + v.length) >> 8, (6 + v.length) & 0xff, ...v];
}

function hep3(chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  const total = 6 + body.length;
  return new Uint8Array([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...body]);
}

const sipBytes = new TextEncoder().encode(SIP);

describe('decodeHep on hand-made packets', () => {
  it('reads HEP3 IPv6 addresses, ports, time, capture id, correlation id and a compressed payload', () => {
    const v6src = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1];
    const v6dst = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 2];
    const p = hep3([
      chunk(1, [10]),
      chunk(2, [6]),
      chunk(5, v6src),
      chunk(6, v6dst),
      chunk(7, [0x13, 0xc4]),
      chunk(8, [0x13, 0xc4]),
      chunk(9, [0x65, 0, 0, 0]),
      chunk(10, [0, 0, 0, 5]),
      chunk(11, [1]),
      chunk(12, [0, 0, 0, 9]),
      chunk(17, new TextEncoder().encode('corr-1')),
      chunk(16, deflateSync(sipBytes)),
    ]);
    const r = decodeHep(p);
    expect(r).toMatchObject({
      ok: true,
      version: 3,
      src: '[2001:db8::1]:5060',
      dst: '[2001:db8::2]:5060',
      transport: 'TCP',
      time: 0x65000000 * 1000 + 0.005,
      captureId: 9,
      payloadType: 1,
      correlationId: 'corr-1',
    });
    expect(r.ok && new TextDecoder().decode(r.payload)).toBe(SIP);
  });

  it('refuses malformed packets with an issue, never an exception', () => {
    const good = hep3([chunk(15, sipBytes)]);
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([0x48, 0x45]), 'hep-too-short'],
      [new TextEncoder().encode(SIP), 'not-hep'],
      [good.subarray(0, good.length - 10), 'bad-hep-length'],
      [hep3([[0, 0, 0, 15, 0, 3]]), 'bad-hep-chunk'],
      [hep3([chunk(15, sipBytes).slice(0, 4)]), 'bad-hep-chunk'],
      [hep3([chunk(9, [0, 0, 0, 1])]), 'hep-no-payload'],
      [hep3([chunk(16, [1, 2, 3, 4])]), 'bad-hep-compressed-payload'],
      [new Uint8Array([2, 16, 7, 17, 0, 0, 0, 0]), 'bad-hep-header'],
      [new Uint8Array([2, 16, 2, 17, 0, 0, 0, 0, 1, 2]), 'hep-too-short'],
    ];
    for (const [packet, code] of cases) {
      const r = decodeHep(packet);
      expect(r.ok ? 'ok' : r.issue.code, code).toBe(code);
    }
    expect(decodeHep(good).ok).toBe(true);
    expect(looksLikeHep(good)).toBe(true);
    expect(looksLikeHep(new Uint8Array([0x80, 0, 0, 1]))).toBe(false);
  });
});

/** Runs kamailio with siptrace sending HEP to a UDP socket of ours; sipp places one call through it. */
async function captureKamailioHep(version: 2 | 3): Promise<Uint8Array[]> {
  const dir = await mkdtemp(join(tmpdir(), 'siplens-hep-'));
  const packets: Uint8Array[] = [];
  const sock = createSocket('udp4');
  sock.on('message', (m) => packets.push(new Uint8Array(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const hepPort = sock.address().port;
  const sipPort = await freePort('127.0.0.1');
  const children: ChildProcess[] = [];
  try {
    const cfg = [
      '#!KAMAILIO',
      'debug=1',
      'log_stderror=yes',
      'children=1',
      `listen=udp:127.0.0.1:${sipPort}`,
      `mpath="${KAMAILIO_MPATH}"`,
      'loadmodule "tm.so"',
      'loadmodule "sl.so"',
      'loadmodule "siptrace.so"',
      `modparam("siptrace", "duplicate_uri", "sip:127.0.0.1:${hepPort}")`,
      'modparam("siptrace", "hep_mode_on", 1)',
      `modparam("siptrace", "hep_version", ${version})`,
      'modparam("siptrace", "hep_capture_id", 2001)',
      'modparam("siptrace", "trace_to_database", 0)',
      'modparam("siptrace", "trace_on", 1)',
      'request_route {',
      '  sip_trace();',
      '  sl_send_reply("200", "OK");',
      '}',
    ].join('\n');
    await writeFile(join(dir, 'k.cfg'), cfg);
    const kam = spawn('timeout', [...WATCHDOG, 'kamailio', '-f', join(dir, 'k.cfg'), '-DD', '-E', '-Y', dir, '-P', join(dir, 'k.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(kam);
    // Ready once it says where it listens (plus a moment for the worker processes).
    await new Promise<void>((resolve) => {
      let seen = '';
      const t = setTimeout(resolve, 15_000);
      const onData = (d: Buffer): void => {
        seen += d.toString();
        if (seen.includes('Listening on')) {
          clearTimeout(t);
          setTimeout(resolve, 500);
        }
      };
      kam.stdout.on('data', onData);
      kam.stderr.on('data', onData);
      kam.once('exit', () => resolve());
    });
    const uac = spawn('timeout', [...WATCHDOG, 'sipp', '-sn', 'uac', `127.0.0.1:${sipPort}`, '-i', '127.0.0.1', '-p', String(sipPort + 1), '-m', '1', '-nostdin', '-timeout', '8s'], {
      stdio: 'ignore',
    });
    children.push(uac);
    await new Promise<void>((r) => {
      const t = setTimeout(r, 12_000);
      uac.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    await new Promise((r) => setTimeout(r, 500));
    return packets;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    sock.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasTool('kamailio') || !hasTool('sipp'))('decodeHep on what kamailio siptrace sends', () => {
  for (const version of [3, 2] as const) {
    it(`reads HEP v${version} packets with the SIP, addresses, transport and time`, async () => {
      const before = Date.now();
      const packets = await captureKamailioHep(version);
      expect(packets.length).toBeGreaterThanOrEqual(1);
      for (const p of packets) {
        const r = decodeHep(p);
        if (!r.ok) throw new Error(r.issue.message);
        expect(r.version).toBe(version);
        expect(new TextDecoder().decode(r.payload)).toMatch(/^(INVITE|ACK|BYE) sip:|^SIP\/2\.0 200/);
        expect(r.transport).toBe('UDP');
        expect(r.src).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(r.captureId).toBe(2001);
        expect(r.time).not.toBeNull();
        expect(Math.abs(r.time! - before)).toBeLessThan(60_000);
      }
    });
  }
});
