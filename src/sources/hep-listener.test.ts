import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RawMessage } from '../model/index.js';
import { listenHep } from './hep-listener.js';

/**
 * A HEP3 packet as a capture agent sends it (HEP3 spec: "HEP3", total length, then chunks of vendor 0, type, length
 * with the 6-byte chunk header included, value): IPv4 family, protocol, addresses, ports, time, SIP type, payload.
 */
function encodeHep3(payload: string, seq: number): Buffer {
  const chunks: Buffer[] = [];
  const chunk = (type: number, value: Buffer): void => {
    const header = Buffer.alloc(6);
    header.writeUInt16BE(0, 0);
    header.writeUInt16BE(type, 2);
    header.writeUInt16BE(6 + value.length, 4);
    chunks.push(header, value);
  };
  const u8 = (n: number): Buffer => Buffer.from([n]);
  const u16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return b;
  };
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  chunk(1, u8(2)); // IPv4
  chunk(2, u8(17)); // UDP
  chunk(3, Buffer.from([192, 0, 2, 10]));
  chunk(4, Buffer.from([198, 51, 100, 20]));
  chunk(7, u16(5060 + seq));
  chunk(8, u16(5080));
  chunk(9, u32(1_700_000_000 + seq));
  chunk(10, u32(250_000));
  chunk(11, u8(1)); // SIP
  chunk(12, u32(2001));
  chunk(15, Buffer.from(payload, 'utf8'));
  const body = Buffer.concat(chunks);
  const head = Buffer.from('HEP3\0\0', 'latin1');
  head.writeUInt16BE(6 + body.length, 4);
  return Buffer.concat([head, body]);
}

function sipOptions(seq: number): string {
  return (
    `OPTIONS sip:probe@198.51.100.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:${5060 + seq};branch=z9hG4bK-${seq}\r\n` +
    `From: <sip:mon@192.0.2.10>;tag=${seq}\r\nTo: <sip:probe@198.51.100.20>\r\nCall-ID: hep-test-${seq}\r\n` +
    `CSeq: ${seq} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

/** Takes the next `n` messages without ending the stream (breaking out of for-await would stop the listener). */
async function collect(messages: AsyncIterator<RawMessage>, n: number): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  while (out.length < n) {
    const next = await messages.next();
    if (next.done === true) break;
    out.push(next.value);
  }
  return out;
}

describe('listenHep', () => {
  it('asks for a UDP receive buffer that holds bursts (4 MiB by default), and takes a size', async () => {
    const wide = await listenHep({ port: 0, tcp: false });
    const narrow = await listenHep({ port: 0, tcp: false, recvBufferSize: 65536 });
    try {
      // Linux grants up to net.core.rmem_max and reports twice what it keeps; the default is 208 KiB.
      expect(wide.udpRecvBufferSize).toBeGreaterThan(narrow.udpRecvBufferSize as number);
      expect(narrow.udpRecvBufferSize).toBeGreaterThanOrEqual(65536);
    } finally {
      await wide.close();
      await narrow.close();
    }
  });

  it('yields every good HEP3 message sent over UDP and TCP, and counts the malformed ones', async () => {
    const controller = new AbortController();
    const listener = await listenHep({ port: 0, signal: controller.signal });
    const timer = setTimeout(() => controller.abort(), 20_000);
    const messages = listener.messages[Symbol.asyncIterator]();
    try {
      expect(listener.ports.udp).toBeGreaterThan(0);
      expect(listener.ports.tcp).toBeGreaterThan(0);
      expect(listener.report.path).toBe(`hep://127.0.0.1:${listener.ports.udp}`);
      const udp = createSocket('udp4');
      const send = (b: Buffer): Promise<void> =>
        new Promise((resolve, reject) => udp.send(b, listener.ports.udp as number, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      const good = [1, 2, 3].map((i) => encodeHep3(sipOptions(i), i));
      const truncated = encodeHep3(sipOptions(9), 9).subarray(0, 40); // length field says more than was sent
      const badChunk = Buffer.from(encodeHep3(sipOptions(8), 8));
      badChunk.writeUInt16BE(0xfff0, 10); // first chunk's length runs past the packet
      await send(good[0] as Buffer);
      await send(Buffer.from('not a HEP packet at all'));
      await send(good[1] as Buffer);
      await send(truncated);
      await send(badChunk);
      await send(good[2] as Buffer);
      const fromUdp = await collect(messages, 3);
      expect(fromUdp.map((m) => new TextDecoder().decode(m.bytes))).toEqual([1, 2, 3].map(sipOptions));
      expect(fromUdp[0]?.meta).toMatchObject({ src: '192.0.2.10:5061', dst: '198.51.100.20:5080', transport: 'UDP', format: 'hep', time: 1_700_000_001_250 });
      udp.close();

      // TCP: packets back to back, one split across writes, junk between them.
      const socket = connect(listener.ports.tcp as number, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const p4 = encodeHep3(sipOptions(4), 4);
      const p5 = encodeHep3(sipOptions(5), 5);
      const p6 = encodeHep3(sipOptions(6), 6);
      socket.write(Buffer.concat([p4, p5.subarray(0, 20)]));
      await new Promise((r) => setTimeout(r, 50));
      socket.write(Buffer.concat([p5.subarray(20), Buffer.from('garbage'), p6]));
      const fromTcp = await collect(messages, 3);
      expect(fromTcp.map((m) => new TextDecoder().decode(m.bytes))).toEqual([4, 5, 6].map(sipOptions));
      socket.destroy();

      expect(listener.stats).toMatchObject({ bad: 4, notSip: 0, dropped: 0 });
      expect(listener.report.messages).toBe(6);
      expect(listener.report.skipped).toBe(4);
      expect(listener.report.issues.map((i) => i.code).sort()).toEqual(['bad-hep-chunk', 'bad-hep-length', 'not-hep', 'not-hep']);
    } finally {
      clearTimeout(timer);
      controller.abort();
      await listener.close();
    }
  });
});
