import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputReport } from '../model/input-report.js';
import type { RawMessage } from '../model/raw-message.js';
import {
  bytesOf,
  concatBytes,
  ethernet,
  framesOf,
  ipv4,
  ipv6,
  readWithSiplens,
  readWithTshark,
  recordSippCalls,
  tcp,
  udp,
  writeWithText2pcap,
} from '../../test/differential/capture-tools.js';
import { corpusFiles, hasCorpus } from '../../test/helpers/corpus.js';
import { hasTool } from '../../test/helpers/tools.js';
import { detectCapture, frameCapture } from './frame-capture.js';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1',
  'From: <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: call-1@example.com',
  'CSeq: 1 INVITE',
  'Max-Forwards: 70',
  'Contact: <sip:alice@192.0.2.1>',
  'Content-Type: application/sdp',
  'Content-Length: 128',
  '',
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n',
].join('\r\n');

function response(status: string, cseq: string, callId = 'call-1@example.com'): string {
  return [
    `SIP/2.0 ${status}`,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>;tag=b1',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const canTest = hasTool('text2pcap') && hasTool('tshark');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'siplens-frame-capture-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function capture(frames: Uint8Array[], linkType: number, format: 'pcap' | 'pcapng' = 'pcapng'): Promise<string> {
  const file = join(dir, `c${++fileCount}.${format}`);
  await writeWithText2pcap(file, frames, linkType, format);
  return file;
}

/** Reads with siplens and tshark; expects the same SIP per frame, and returns siplens' view. */
async function readBoth(file: string): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const mine = await readWithSiplens(file);
  const theirs = await readWithTshark(file);
  expect(framesOf(mine.messages).map(({ time: _t, ...f }) => f)).toEqual(theirs.map(({ time: _t, ...f }) => f));
  return mine;
}

const sipUdp4 = (payload: string, sport = 5060, dport = 5060): Uint8Array =>
  ipv4(17, '192.0.2.1', '192.0.2.2', udp(sport, dport, bytesOf(payload)));

describe.skipIf(!canTest)('frameCapture: link layers (files written by text2pcap, checked against tshark)', () => {
  it('reads Ethernet with an 802.1Q tag, QinQ (0x88a8 + 0x8100) and a 0x9100 tag', async () => {
    const file = await capture(
      [
        ethernet(0x0800, sipUdp4(INVITE), [[0x8100, 10]]),
        ethernet(0x0800, sipUdp4(response('100 Trying', '1 INVITE')), [
          [0x88a8, 100],
          [0x8100, 10],
        ]),
        ethernet(0x0800, sipUdp4(response('180 Ringing', '1 INVITE')), [[0x9100, 7]]),
      ],
      1,
    );
    const { messages } = await readWithSiplens(file);
    expect(messages.map((m) => m.meta.origin.packet)).toEqual([1, 2, 3]);
    expect(messages[0]!.meta.src).toBe('192.0.2.1:5060');
    expect(messages[0]!.meta.transport).toBe('UDP');
    // tshark reads 802.1Q and QinQ; compare those frames with it.
    const theirs = await readWithTshark(file);
    const mine = framesOf(messages);
    for (const t of theirs) expect(mine.find((m) => m.frame === t.frame)?.cseqs).toEqual(t.cseqs);
    expect(theirs.length).toBeGreaterThanOrEqual(2);
  });

  it('reads Linux cooked captures, SLL and SLL2', async () => {
    const ip = sipUdp4(INVITE);
    // SLL: packet type, ARPHRD, address length, 8 address bytes, protocol.
    const sll = concatBytes(new Uint8Array([0, 0, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0x08, 0x00]), ip);
    // SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8 address bytes.
    const sll2 = concatBytes(new Uint8Array([0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0]), ip);
    const a = await readBoth(await capture([sll], 113));
    const b = await readBoth(await capture([sll2], 276));
    expect(a.messages).toHaveLength(1);
    expect(b.messages).toHaveLength(1);
  });

  it('reads raw IPv4/IPv6 (101, 228, 229), BSD null (host order) and DLT_LOOP (network order)', async () => {
    const v6 = ipv6(17, '2001:db8::1', '2001:db8::2', udp(5060, 5060, bytesOf(INVITE)));
    const raw = await readBoth(await capture([sipUdp4(INVITE), v6], 101, 'pcap'));
    expect(raw.messages.map((m) => m.meta.src)).toEqual(['192.0.2.1:5060', '[2001:db8::1]:5060']);
    expect((await readWithSiplens(await capture([sipUdp4(INVITE)], 228))).messages).toHaveLength(1);
    expect((await readWithSiplens(await capture([v6], 229))).messages).toHaveLength(1);
    const nullLe = concatBytes(new Uint8Array([2, 0, 0, 0]), sipUdp4(INVITE));
    const nullV6 = concatBytes(new Uint8Array([30, 0, 0, 0]), v6);
    expect((await readBoth(await capture([nullLe, nullV6], 0))).messages).toHaveLength(2);
    const loop = concatBytes(new Uint8Array([0, 0, 0, 2]), sipUdp4(INVITE));
    expect((await readBoth(await capture([loop], 108))).messages).toHaveLength(1);
  });
});

describe.skipIf(!canTest)('frameCapture: IP layer', () => {
  it('puts IPv4 fragments back together, in any order, and reports an incomplete datagram', async () => {
    const whole = udp(5060, 5060, bytesOf(INVITE));
    const cut = 200;
    const frags = [
      ipv4(17, '192.0.2.1', '192.0.2.2', whole.subarray(0, cut), { id: 7, offset: 0, more: true }),
      ipv4(17, '192.0.2.1', '192.0.2.2', whole.subarray(cut, 2 * cut), { id: 7, offset: cut, more: true }),
      ipv4(17, '192.0.2.1', '192.0.2.2', whole.subarray(2 * cut), { id: 7, offset: 2 * cut, more: false }),
    ];
    const file = await capture([frags[0]!, frags[2]!, frags[1]!].map((f) => ethernet(0x0800, f)), 1);
    const { messages } = await readWithSiplens(file);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.meta.origin.packet).toBe(3);
    expect(new TextDecoder().decode(messages[0]!.bytes)).toBe(INVITE);
    // In order, tshark agrees.
    await readBoth(await capture(frags.map((f) => ethernet(0x0800, f)), 1));
    // A lost fragment: reported, nothing mis-read.
    const lost = await readWithSiplens(await capture([frags[0]!, frags[2]!].map((f) => ethernet(0x0800, f)), 1));
    expect(lost.messages).toHaveLength(0);
    expect(lost.report.issues.map((i) => i.code)).toContain('fragments-incomplete');
  });

  it('puts IPv6 fragments back together after extension headers', async () => {
    const whole = udp(5060, 5060, bytesOf(INVITE));
    const cut = 256;
    // Hop-by-hop options (8 bytes, PadN) before the fragment header (RFC 8200 §4.3, §4.5).
    const hop = (next: number): Uint8Array => new Uint8Array([next, 0, 1, 4, 0, 0, 0, 0]);
    const fragHeader = (offset: number, more: boolean): Uint8Array =>
      new Uint8Array([17, 0, (offset >> 8) & 0xff, (offset & 0xf8) | (more ? 1 : 0), 0, 0, 0x12, 0x34]);
    const f1 = ipv6(0, 'fd00::1', 'fd00::2', concatBytes(hop(44), fragHeader(0, true), whole.subarray(0, cut)));
    const f2 = ipv6(0, 'fd00::1', 'fd00::2', concatBytes(hop(44), fragHeader(cut, false), whole.subarray(cut)));
    const { messages } = await readBoth(await capture([f1, f2].map((f) => ethernet(0x86dd, f)), 1));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.meta.dst).toBe('[fd00::2]:5060');
  });

  it('crosses IP-in-IP, IPv6-in-IPv4 and GRE (plain, with key, ERSPAN II) tunnels', async () => {
    const inner4 = sipUdp4(INVITE);
    const inner6 = ipv6(17, '2001:db8::1', '2001:db8::2', udp(5060, 5060, bytesOf(response('200 OK', '1 INVITE'))));
    const outer = (proto: number, p: Uint8Array): Uint8Array => ethernet(0x0800, ipv4(proto, '198.51.100.1', '198.51.100.2', p));
    const gre = new Uint8Array([0, 0, 0x08, 0x00]);
    const greKey = new Uint8Array([0x20, 0, 0x08, 0x00, 0, 0, 0, 42]);
    // ERSPAN II: GRE with the sequence bit, type 0x88be, an 8-byte ERSPAN header, then the mirrored Ethernet frame.
    const erspan = concatBytes(new Uint8Array([0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0x01, 0, 0, 0, 0, 0, 0]), ethernet(0x0800, inner4));
    const file = await capture(
      [
        outer(4, inner4),
        outer(41, inner6),
        outer(47, concatBytes(gre, inner4)),
        outer(47, concatBytes(greKey, inner4)),
        outer(47, erspan),
      ],
      1,
    );
    const { messages } = await readWithSiplens(file);
    expect(messages.map((m) => m.meta.origin.packet)).toEqual([1, 2, 3, 4, 5]);
    expect(messages.map((m) => m.meta.src)).toEqual([
      '192.0.2.1:5060',
      '[2001:db8::1]:5060',
      '192.0.2.1:5060',
      '192.0.2.1:5060',
      '192.0.2.1:5060',
    ]);
    await readBoth(file);
  });
});

describe.skipIf(!canTest)('frameCapture: more encapsulations', () => {
  it('reads GRE with a checksum, ERSPAN III, PPPoE sessions and MPLS', async () => {
    const inner4 = sipUdp4(INVITE);
    const outer = (p: Uint8Array): Uint8Array => ethernet(0x0800, ipv4(47, '198.51.100.1', '198.51.100.2', p));
    const greChecksum = concatBytes(new Uint8Array([0x80, 0, 0x08, 0x00, 0, 0, 0, 0]), inner4);
    // ERSPAN III (GRE type 0x22eb): 12-byte header, O bit clear, then the mirrored frame.
    const erspan3 = concatBytes(new Uint8Array([0, 0, 0x22, 0xeb, 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ethernet(0x0800, inner4));
    // PPPoE session (RFC 2516): ver/type, code, session id, length; then PPP protocol 0x0021 (IPv4).
    const pppoe = ethernet(0x8864, concatBytes(new Uint8Array([0x11, 0, 0, 1, (inner4.length + 2) >> 8, (inner4.length + 2) & 0xff, 0, 0x21]), inner4));
    // MPLS (RFC 3032): two labels, the second with the bottom-of-stack bit.
    const mpls = ethernet(0x8847, concatBytes(new Uint8Array([0, 0x01, 0x00, 0x40, 0, 0x02, 0x01, 0x40]), inner4));
    const file = await capture([outer(greChecksum), outer(erspan3), pppoe, mpls], 1);
    const { messages } = await readWithSiplens(file);
    expect(messages.map((m) => m.meta.origin.packet)).toEqual([1, 2, 3, 4]);
    const theirs = await readWithTshark(file);
    const mine = framesOf(messages);
    for (const t of theirs) expect(mine.find((m) => m.frame === t.frame)?.cseqs).toEqual(t.cseqs);
    expect(theirs.length).toBeGreaterThanOrEqual(3);
  });
});

describe.skipIf(!canTest)('frameCapture: TCP', () => {
  const A = '192.0.2.1';
  const B = '192.0.2.2';
  const seg = (seq: number, text: string | Uint8Array, flags = 0x18, from = A, to = B, sport = 40000, dport = 5060): Uint8Array =>
    ethernet(0x0800, ipv4(6, from, to, tcp(sport, dport, seq, typeof text === 'string' ? bytesOf(text) : text, flags)));
  const options = ['OPTIONS sip:b@example.com SIP/2.0', 'Call-ID: o-1', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n');
  const options2 = options.replace('o-1', 'o-2').replace('1 OPTIONS', '2 OPTIONS');

  it('reads several messages in one segment and one message over several segments', async () => {
    const isn = 1000;
    const two = INVITE + options;
    const p1 = options.slice(0, 30);
    const p2 = options.slice(30, 50);
    const p3 = options.slice(50) + options2;
    let seq = isn + 1;
    const frames = [seg(isn, '', 0x02)];
    for (const part of [two, p1, p2, p3]) {
      frames.push(seg(seq, part));
      seq += part.length;
    }
    const { messages } = await readBoth(await capture(frames, 1));
    expect(messages.map((m) => m.meta.origin.packet)).toEqual([2, 2, 5, 5]);
    expect(messages.map((m) => m.meta.transport)).toEqual(['TCP', 'TCP', 'TCP', 'TCP']);
  });

  it('puts out-of-order, retransmitted and overlapping segments in order', async () => {
    const isn = 0xfffffff0; // the sequence numbers wrap around 2^32 inside the stream
    const text = INVITE + options + options2;
    const at = (o: number): number => (isn + 1 + o) >>> 0;
    const frames = [
      seg(isn, '', 0x02),
      seg(at(0), text.slice(0, 100)),
      seg(at(300), text.slice(300, 500)), // ahead of a hole
      seg(at(0), text.slice(0, 100)), // retransmission
      seg(at(100), text.slice(100, 350)), // fills the hole, overlaps the waiting segment
      seg(at(500), text.slice(500)),
      seg(at(500), text.slice(500)), // retransmission of the last
    ];
    const { messages, report } = await readWithSiplens(await capture(frames, 1));
    const texts = messages.map((m) => new TextDecoder().decode(m.bytes));
    expect(texts).toEqual([INVITE, options, options2]);
    expect(report.issues.filter((i) => i.severity !== 'info')).toEqual([]);
  });

  it('reports a hole that never fills and reads on from the next start line', async () => {
    const text = options + INVITE + options2;
    const frames = [seg(1, text.slice(0, options.length + 40)), seg(1 + options.length + 200, text.slice(options.length + 200))];
    const { messages, report } = await readWithSiplens(await capture(frames, 1));
    const texts = messages.map((m) => new TextDecoder().decode(m.bytes));
    // The INVITE in progress comes out cut where the hole begins; the framer finds the next start line after it.
    expect(texts).toEqual([options, INVITE.slice(0, 40), options2]);
    expect(messages[1]!.issues.map((i) => i.code)).toContain('tcp-gap');
    expect(report.issues.map((i) => i.code)).toContain('tcp-gap');
  });

  it('lists the first 20 TLS connections and counts the rest in one issue', async () => {
    const hello = new Uint8Array([0x16, 0x03, 0x03, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
    const frames = Array.from({ length: 25 }, (_, i) => seg(1, hello, 0x18, A, B, 41000 + i, 443));
    const { report } = await readWithSiplens(await capture(frames, 1));
    const tls = report.issues.filter((i) => i.code === 'encrypted-sip');
    expect(tls).toHaveLength(21);
    expect(tls[20]!.message).toContain('found 5 more TLS connection');
  });

  it('starts afresh when a new connection reuses the addresses and ports', async () => {
    const frames = [seg(100, '', 0x02), seg(101, options), seg(900000, '', 0x02), seg(900001, options2)];
    const { messages, report } = await readWithSiplens(await capture(frames, 1));
    expect(messages.map((m) => new TextDecoder().decode(m.bytes))).toEqual([options, options2]);
    expect(report.issues.filter((i) => i.severity !== 'info')).toEqual([]);
  });

  it('reports TLS as encrypted SIP and does not mis-read it', async () => {
    const hello = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
    const { messages, report } = await readWithSiplens(await capture([seg(1, hello, 0x18, A, B, 40001, 5061)], 1));
    expect(messages).toHaveLength(0);
    const tls = report.issues.find((i) => i.code === 'encrypted-sip');
    expect(tls?.message).toContain("give a decrypted capture or the device's own log");
    expect(report.skipped).toBe(1);
  });

  it('reads SIP over WebSocket after the HTTP upgrade, masked and unmasked frames (RFC 7118)', async () => {
    const upgrade = 'GET / HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    const accept = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    const frame = (payload: Uint8Array, key: number[] | null, opcode = 1, fin = true): Uint8Array => {
      const len = payload.length;
      const head = [(fin ? 0x80 : 0) | opcode];
      const maskBit = key === null ? 0 : 0x80;
      if (len < 126) head.push(maskBit | len);
      else head.push(maskBit | 126, len >> 8, len & 0xff);
      if (key === null) return concatBytes(new Uint8Array(head), payload);
      const masked = payload.map((b, i) => b ^ key[i % 4]!);
      return concatBytes(new Uint8Array([...head, ...key]), masked);
    };
    const invite = bytesOf(INVITE);
    const key = [0x37, 0xfa, 0x21, 0x3d];
    // The request in two fragments, a ping between them (RFC 6455 §5.4 lets control frames interleave), the whole
    // split across two segments; the client sends frames only after the 101, as RFC 6455 §4.1 requires.
    const c0 = bytesOf(upgrade);
    const c1 = concatBytes(frame(invite.subarray(0, 100), key, 1, false), frame(new Uint8Array(0), key, 9), frame(invite.subarray(100), key, 0, true));
    const s1 = concatBytes(bytesOf(accept), frame(bytesOf(response('200 OK', '1 INVITE')), null));
    const frames = [
      seg(1, c0, 0x18, A, B, 40002, 8080),
      seg(1, s1, 0x18, B, A, 8080, 40002),
      seg(1 + c0.length, c1.subarray(0, 150), 0x18, A, B, 40002, 8080),
      seg(1 + c0.length + 150, c1.subarray(150), 0x18, A, B, 40002, 8080),
    ];
    // tshark follows the upgrade on its HTTP port 8080 and hands `Sec-WebSocket-Protocol: sip` frames to SIP.
    const { messages } = await readBoth(await capture(frames, 1));
    expect(messages.map((m) => new TextDecoder().decode(m.bytes))).toEqual([response('200 OK', '1 INVITE'), INVITE]);
    expect(messages.map((m) => m.meta.transport)).toEqual(['WS', 'WS']);
    expect(messages.map((m) => m.meta.origin.packet)).toEqual([2, 4]);
  });

  it('reads HEP3 packets sent over TCP, split across segments', async () => {
    const sip = bytesOf(options);
    const body = [0, 0, 0, 15, (6 + sip.length) >> 8, (6 + sip.length) & 0xff, ...sip];
    const total = 6 + body.length;
    const hep = new Uint8Array([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...body]);
    const stream = concatBytes(hep, hep, hep);
    const cut1 = 3;
    const cut2 = hep.length + 20;
    const frames = [
      seg(1, stream.subarray(0, cut1), 0x18, A, B, 40004, 9060),
      seg(1 + cut1, stream.subarray(cut1, cut2), 0x18, A, B, 40004, 9060),
      seg(1 + cut2, stream.subarray(cut2), 0x18, A, B, 40004, 9060),
    ];
    const { messages } = await readWithSiplens(await capture(frames, 1));
    expect(messages.map((m) => m.meta.origin.packet)).toEqual([2, 3, 3]);
    expect(messages.map((m) => new TextDecoder().decode(m.bytes))).toEqual([options, options, options]);
  });

  it('counts HTTP on the SIP port as skipped, not SIP', async () => {
    const http = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const { messages, report } = await readWithSiplens(await capture([seg(1, http, 0x18, B, A, 5060, 40003)], 1));
    expect(messages).toHaveLength(0);
    expect(report.skipped).toBe(1);
  });
});

describe.skipIf(!canTest)('frameCapture: UDP payloads', () => {
  it('reads SIP inside HEP v3 and v2, with the addresses and time HEP carries', async () => {
    const sip = bytesOf(INVITE);
    const chunk = (type: number, body: number[] | Uint8Array): number[] => [0, 0, 0, type, (6 + body.length) >> 8, (6 + body.length) & 0xff, ...body];
    const body = [
      ...chunk(1, [2]),
      ...chunk(2, [17]),
      ...chunk(3, [10, 0, 0, 1]),
      ...chunk(4, [10, 0, 0, 2]),
      ...chunk(7, [0x13, 0xc4]),
      ...chunk(8, [0x13, 0xc5]),
      ...chunk(9, [0x65, 0x00, 0x00, 0x00]),
      ...chunk(10, [0, 0, 0x03, 0xe8]),
      ...chunk(11, [1]),
      ...chunk(12, [0, 0, 0x07, 0xd1]),
    ];
    body.push(...chunk(15, sip));
    const total = 6 + body.length;
    const hep3 = new Uint8Array([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...body]);
    // HEP v2: version, length 16, AF_INET, UDP, ports, addresses, then time (little-endian) and capture id.
    const hep2 = concatBytes(
      new Uint8Array([2, 16, 2, 17, 0x13, 0xc4, 0x13, 0xc5, 10, 0, 0, 3, 10, 0, 0, 4, 0, 0, 0, 0x65, 0x40, 0x42, 0x0f, 0, 1, 0, 0, 0]),
      sip,
    );
    const frames = [hep3, hep2].map((h) => ethernet(0x0800, ipv4(17, '198.51.100.1', '198.51.100.2', udp(40000, 9060, h))));
    const { messages } = await readWithSiplens(await capture(frames, 1));
    expect(messages.map((m) => [m.meta.src, m.meta.dst, m.meta.time])).toEqual([
      ['10.0.0.1:5060', '10.0.0.2:5061', 0x65000000 * 1000 + 1],
      ['10.0.0.3:5060', '10.0.0.4:5061', 0x65000000 * 1000 + 1000],
    ]);
  });

  it('counts non-SIP payloads as skipped and reports a payload cut by the snaplen', async () => {
    const rtp = new Uint8Array([0x80, 0, 0, 1, 0, 0, 0, 0xa0, 0, 0, 0, 1, 0xff, 0xff]);
    const frames = [ethernet(0x0800, ipv4(17, '192.0.2.1', '192.0.2.2', udp(4000, 4002, rtp))), ethernet(0x0800, sipUdp4(INVITE))];
    const file = await capture(frames, 1, 'pcap');
    const cutFile = join(dir, 'snapped.pcap');
    const { execFile } = await import('node:child_process');
    await new Promise<void>((resolve, reject) => execFile('editcap', ['-s', '300', file, cutFile], (e) => (e ? reject(e) : resolve())));
    const { messages, report } = await readWithSiplens(cutFile);
    expect(report.skipped).toBe(1);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.issues.map((i) => i.code)).toEqual(['packet-truncated']);
  });
});

describe.skipIf(!hasTool('sipp') || !hasTool('tshark'))('frameCapture on a real sipp capture', () => {
  it('gives the same messages whatever the chunk sizes, and survives a truncated last record', async () => {
    const file = join(dir, 'sipp.pcapng');
    await recordSippCalls(file, '127.0.0.1', 'u1', 2);
    const bytes = new Uint8Array(await readFile(file));
    expect(detectCapture(bytes.subarray(0, 12))).toBe('pcapng');
    async function read(data: Uint8Array, size: number): Promise<{ list: string[]; report: InputReport }> {
      async function* chunks(): AsyncIterable<Uint8Array> {
        for (let o = 0; o < data.length; o += size) yield data.subarray(o, o + size);
      }
      const report: InputReport = { path: 'x', kind: 'capture', format: null, messages: 0, skipped: 0, issues: [] };
      const list: string[] = [];
      for await (const m of frameCapture(chunks(), { path: 'x' }, report)) {
        list.push(`${m.meta.origin.packet} ${m.meta.time} ${new TextDecoder().decode(m.bytes)}`);
      }
      return { list, report };
    }
    let header: unknown;
    const report: InputReport = { path: 'x', kind: 'capture', format: null, messages: 0, skipped: 0, issues: [] };
    const onHeader = (h: unknown): void => {
      header = h;
    };
    // A plain array of chunks is taken as well as an async iterable.
    let count = 0;
    for await (const _ of frameCapture([bytes.subarray(0, 10), bytes.subarray(10)], { path: 'x', onHeader }, report)) count++;
    expect(count).toBe(12);
    expect(header).toEqual({ format: 'pcapng', linkType: 'ethernet' });
    const whole = await read(bytes, bytes.length);
    expect(whole.list).toHaveLength(12);
    for (const size of [1, 7, 333, 4096]) expect((await read(bytes, size)).list).toEqual(whole.list);
    // Cut the file inside its last block: every message before it is still read, and the cut is reported.
    const cutAt = bytes.length - 10;
    const truncated = await read(bytes.subarray(0, cutAt), 1000);
    expect(truncated.report.issues.map((i) => i.code)).toContain('truncated-record');
    expect(truncated.list.length).toBeGreaterThanOrEqual(11);
  });
});

describe.skipIf(!hasCorpus)('frameCapture on damaged captures (fast-check)', () => {
  it('never throws and always ends, whatever bytes are flipped, cut or split', async () => {
    const seeds = await Promise.all(corpusFiles('pcap').map(async (f) => new Uint8Array(await readFile(f))));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 5000 }),
        async (which, flips, cut, chunk) => {
          const bytes = seeds[which]!.slice(0, Math.max(24, seeds[which]!.length - (cut % 200)));
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          async function* chunks(): AsyncIterable<Uint8Array> {
            for (let o = 0; o < bytes.length; o += chunk) yield bytes.subarray(o, o + chunk);
          }
          const report: InputReport = { path: 'f', kind: 'capture', format: null, messages: 0, skipped: 0, issues: [] };
          let n = 0;
          for await (const m of frameCapture(chunks(), { path: 'f' }, report)) {
            expect(m.bytes.length).toBeGreaterThan(0);
            n++;
          }
          expect(n).toBe(report.messages);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(!hasCorpus)('frameCapture as an async iterable', () => {
  it('closes the source when the reader stops early', async () => {
    const { createReadStream } = await import('node:fs');
    const file = corpusFiles('pcap').find((f) => f.endsWith('sip_hello.pcapng'))!;
    const stream = createReadStream(file, { highWaterMark: 512 });
    const report: InputReport = { path: file, kind: 'capture', format: null, messages: 0, skipped: 0, issues: [] };
    let first: RawMessage | undefined;
    for await (const m of frameCapture(stream, { path: file }, report)) {
      first = m;
      break;
    }
    expect(first?.meta.origin.packet).toBe(9);
    expect(stream.destroyed).toBe(true);
  });
});
