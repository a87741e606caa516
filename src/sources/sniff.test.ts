import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sniffContent } from './sniff.js';

describe('sniffContent', () => {
  it('tells archives, text and binaries apart by their bytes', () => {
    expect(sniffContent(gzipSync('x'))).toBe('gzip');
    expect(sniffContent(zipSync({ a: new Uint8Array([1]) }))).toBe('zip');
    expect(sniffContent(new TextEncoder().encode('REGISTER sip:a SIP/2.0\r\nVia: x\r\n'))).toBe('text');
    expect(sniffContent(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('binary');
    expect(sniffContent(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]))).toBe('pcap');
    expect(sniffContent(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a]))).toBe('pcapng');
    expect(sniffContent(new Uint8Array(0))).toBe('empty');
  });

  // Regression: RFC 4475 mpart01.dat, one SIP message with an application/octet-stream part, was skipped as binary.
  it('reads one raw SIP message with a binary body as text', () => {
    const binary = new Uint8Array(400).map((_, i) => (i * 7) % 32);
    const head = (start: string): Uint8Array =>
      Buffer.concat([Buffer.from(`${start}\r\nVia: SIP/2.0/UDP 192.0.2.1\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1'), binary]);
    expect(sniffContent(head('MESSAGE sip:kumiko@example.org SIP/2.0'))).toBe('text');
    expect(sniffContent(head('SIP/2.0 200 OK'))).toBe('text');
    // The same bytes without a SIP first line stay binary.
    expect(sniffContent(head('PUT /upload HTTP/1.1'))).toBe('binary');
    expect(sniffContent(Buffer.concat([binary, Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia: x\r\n')]))).toBe('binary');
  });
});
