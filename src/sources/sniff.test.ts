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
});
