import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf, ethernet, ipv4, recordSippCalls, udp, writeWithText2pcap } from '../../../test/differential/capture-tools.js';
import { hasTool } from '../../../test/helpers/tools.js';
import { CaptureReader, detectCapture } from './capture-reader.js';

const run = promisify(execFile);

interface Seen {
  packet: number;
  time: number | null;
  linkType: number;
  length: number;
}

function readAll(bytes: Uint8Array, chunk = bytes.length): { frames: Seen[]; reader: CaptureReader } {
  const frames: Seen[] = [];
  const reader = new CaptureReader('t', (f) => frames.push({ packet: f.packet, time: f.time, linkType: f.linkType, length: f.data.length }));
  for (let o = 0; o < bytes.length; o += chunk) reader.push(bytes.subarray(o, o + chunk));
  reader.end();
  return { frames, reader };
}

/** tshark's frame list: number, time, captured length. */
async function tsharkFrames(file: string): Promise<{ packet: number; time: number; length: number }[]> {
  const { stdout } = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len']);
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [n, t, l] = line.split('\t');
      return { packet: Number(n), time: Number(t), length: Number(l) };
    });
}

function swap32(b: Uint8Array, at: number): void {
  b.subarray(at, at + 4).reverse();
}

function swap16(b: Uint8Array, at: number): void {
  b.subarray(at, at + 2).reverse();
}

/** A little-endian pcap rewritten in big-endian order (what a SPARC or PowerPC host writes). */
function pcapToBigEndian(src: Uint8Array): Uint8Array {
  const b = src.slice();
  swap32(b, 0);
  swap16(b, 4);
  swap16(b, 6);
  for (const at of [8, 12, 16, 20]) swap32(b, at);
  let o = 24;
  while (o + 16 <= b.length) {
    const incl = b[o + 8]! | (b[o + 9]! << 8) | (b[o + 10]! << 16) | (b[o + 11]! << 24);
    for (const at of [0, 4, 8, 12]) swap32(b, o + at);
    o += 16 + incl;
  }
  return b;
}

/** A little-endian pcapng rewritten big-endian: section, interface and enhanced packet blocks (others dropped). */
function pcapngToBigEndian(src: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  let o = 0;
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  while (o + 12 <= src.length) {
    const type = dv.getUint32(o, true);
    const len = dv.getUint32(o + 4, true);
    const block = src.slice(o, o + len);
    o += len;
    const swapOptions = (from: number): void => {
      let p = from;
      while (p + 4 <= len - 4) {
        const olen = block[p + 2]! | (block[p + 3]! << 8);
        swap16(block, p);
        swap16(block, p + 2);
        p += 4 + ((olen + 3) & ~3);
      }
    };
    if (type === 0x0a0d0d0a) {
      swap32(block, 8);
      swap16(block, 12);
      swap16(block, 14);
      block.subarray(16, 24).reverse();
      swapOptions(24);
    } else if (type === 1) {
      swap16(block, 8);
      swap32(block, 12);
      swapOptions(16);
    } else if (type === 6) {
      const cap = dv.getUint32(o - len + 20, true);
      for (const at of [8, 12, 16, 20, 24]) swap32(block, at);
      swapOptions(28 + ((cap + 3) & ~3));
    } else continue;
    swap32(block, 0);
    swap32(block, 4);
    swap32(block, len - 4);
    out.push(block);
  }
  const all = new Uint8Array(out.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of out) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

describe('detectCapture', () => {
  it('tells pcap (both orders, µs and ns) and pcapng from their magic numbers, and nothing else', () => {
    expect(detectCapture(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]))).toBe('pcap');
    expect(detectCapture(new Uint8Array([0xa1, 0xb2, 0x3c, 0x4d]))).toBe('pcap');
    expect(detectCapture(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d]))).toBe('pcapng');
    expect(detectCapture(bytesOf('INVITE sip:a@b SIP/2.0'))).toBeNull();
    expect(detectCapture(new Uint8Array([0x0a, 0x0d]))).toBeNull();
  });
});

describe('CaptureReader on bad input', () => {
  it('reports a file that is not a capture, and an empty one, without throwing', () => {
    expect(readAll(bytesOf('hello world, not a capture')).reader.issues.map((i) => i.code)).toEqual(['not-a-capture']);
    expect(readAll(new Uint8Array(0)).reader.issues.map((i) => i.code)).toEqual(['empty-capture']);
  });
});

describe.skipIf(!hasTool('sipp') || !hasTool('tshark') || !hasTool('editcap'))('CaptureReader on captures made by tshark', () => {
  let dir = '';
  let pcapng = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-capture-reader-'));
    pcapng = join(dir, 'calls.pcapng');
    await recordSippCalls(pcapng, '127.0.0.1', 'u1', 2);
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('reads pcapng (if_tsresol 9), pcap µs, pcap ns, modified pcap and big-endian copies frame for frame as tshark does', async () => {
    const expected = await tsharkFrames(pcapng);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    const variants: Record<string, string> = { pcapng };
    variants['pcap'] = join(dir, 'us.pcap');
    variants['nsecpcap'] = join(dir, 'ns.pcap');
    await run('editcap', ['-F', 'pcap', pcapng, variants['pcap']]);
    await run('editcap', ['-F', 'nsecpcap', pcapng, variants['nsecpcap']]);
    variants['modpcap'] = join(dir, 'mod.pcap');
    await run('editcap', ['-F', 'modpcap', pcapng, variants['modpcap']]);
    variants['pcap-be'] = join(dir, 'be.pcap');
    await writeFile(variants['pcap-be'], pcapToBigEndian(new Uint8Array(await readFile(variants['pcap']))));
    variants['pcapng-be'] = join(dir, 'be.pcapng');
    await writeFile(variants['pcapng-be'], pcapngToBigEndian(new Uint8Array(await readFile(pcapng))));
    for (const [name, file] of Object.entries(variants)) {
      const theirs = await tsharkFrames(file);
      const bytes = new Uint8Array(await readFile(file));
      for (const chunk of [bytes.length, 5, 1000]) {
        const { frames, reader } = readAll(bytes, chunk);
        expect(reader.issues, name).toEqual([]);
        expect(frames.map((f) => [f.packet, f.length]), name).toEqual(theirs.map((f) => [f.packet, f.length]));
        frames.forEach((f, i) => expect(Math.abs(f.time! / 1000 - theirs[i]!.time), `${name} frame ${f.packet}`).toBeLessThan(2e-6));
        expect(new Set(frames.map((f) => f.linkType))).toEqual(new Set([1]));
      }
      // µs copies lose the ns digits; the others keep them.
      expect(theirs.length, name).toBe(expected.length);
    }
  });

  it('honours if_tsresol in decimal and binary units, as tshark does', async () => {
    const bytes = new Uint8Array(await readFile(pcapng));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Find the IDB's if_tsresol option (code 9) and rewrite its value.
    let resolAt = -1;
    for (let o = 0; o + 12 <= bytes.length && resolAt < 0; o += dv.getUint32(o + 4, true)) {
      if (dv.getUint32(o, true) !== 1) continue;
      const end = o + dv.getUint32(o + 4, true) - 4;
      for (let p = o + 16; p + 4 <= end; p += 4 + ((dv.getUint16(p + 2, true) + 3) & ~3)) {
        if (dv.getUint16(p, true) === 9) resolAt = p + 4;
        if (dv.getUint16(p, true) === 0) break;
      }
    }
    expect(resolAt).toBeGreaterThan(0);
    for (const resol of [6, 0x80 | 20, 0x80 | 30]) {
      const copy = bytes.slice();
      copy[resolAt] = resol;
      const file = join(dir, `resol-${resol}.pcapng`);
      await writeFile(file, copy);
      const theirs = await tsharkFrames(file);
      const { frames, reader } = readAll(copy, 777);
      expect(reader.issues).toEqual([]);
      frames.forEach((f, i) => {
        const want = theirs[i]!.time;
        expect(Math.abs(f.time! / 1000 - want) / Math.max(1, Math.abs(want)), `resol ${resol} frame ${f.packet}`).toBeLessThan(1e-9);
      });
    }
  });

  it('reports a truncated last record and keeps every record before it', async () => {
    const pcap = join(dir, 'cut.pcap');
    await run('editcap', ['-F', 'pcap', pcapng, pcap]);
    const bytes = new Uint8Array(await readFile(pcap));
    const whole = readAll(bytes).frames;
    const { frames, reader } = readAll(bytes.subarray(0, bytes.length - 5), 100);
    expect(frames).toEqual(whole.slice(0, -1));
    expect(reader.issues.map((i) => [i.code, i.origin?.packet])).toEqual([['truncated-record', whole.length]]);
  });

  it('reads a pcapng with several interfaces of different link types (mergecap)', async () => {
    const sll2File = join(dir, 'sll2.pcapng');
    const invite = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    const ip = ipv4(17, '192.0.2.1', '192.0.2.2', udp(5060, 5060, bytesOf(invite)));
    const sll2 = new Uint8Array([0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, ...ip]);
    await writeWithText2pcap(sll2File, [sll2, sll2], 276);
    const ethFile = join(dir, 'eth.pcapng');
    await writeWithText2pcap(ethFile, [ethernet(0x0800, ip)], 1);
    const merged = join(dir, 'merged.pcapng');
    await run('mergecap', ['-F', 'pcapng', '-w', merged, ethFile, sll2File]);
    const { frames, reader } = readAll(new Uint8Array(await readFile(merged)), 64);
    expect(reader.issues).toEqual([]);
    const theirs = await tsharkFrames(merged);
    expect(frames.map((f) => f.packet)).toEqual(theirs.map((f) => f.packet));
    expect(new Set(frames.map((f) => f.linkType))).toEqual(new Set([1, 276]));
  });
});
