import { describe, expect, it } from 'vitest';
import { formatEndpoint, formatIpv4, formatIpv6 } from './ip-address.js';

const v4 = (a: number, b: number, c: number, d: number): Uint8Array => Uint8Array.of(a, b, c, d);

describe('address text', () => {
  it('gives the right text for many addresses and ports through the direct-mapped caches (collisions included)', () => {
    // 200,000 endpoints is many times the cache slots: every slot is overwritten and reused, so a wrong hit shows.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 200_000; i++) {
        const a = v4(10 + (i % 200), (i >> 8) & 255, i & 255, (i * 7) & 255);
        const port = 1024 + ((i * 131) % 60000);
        const ip = `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
        expect(formatIpv4(a, 0)).toBe(ip);
        expect(formatEndpoint(a, 0, 4, port)).toBe(`${ip}:${port}`);
      }
    }
  });

  it('reads addresses at an offset and above 128.0.0.0 (negative as a signed 32-bit number)', () => {
    const b = Uint8Array.of(0, 0, 203, 0, 113, 9, 255, 255, 255, 255);
    expect(formatEndpoint(b, 2, 4, 5060)).toBe('203.0.113.9:5060');
    expect(formatEndpoint(b, 6, 4, 0)).toBe('255.255.255.255:0');
    expect(formatEndpoint(v4(0, 0, 0, 0), 0, 4, 0)).toBe('0.0.0.0:0');
  });

  it('writes IPv6 as RFC 5952 says, in brackets with the port', () => {
    const b = new Uint8Array(16);
    b[0] = 0x20;
    b[1] = 0x01;
    b[2] = 0x0d;
    b[3] = 0xb8;
    b[15] = 1;
    expect(formatIpv6(b, 0)).toBe('2001:db8::1');
    expect(formatEndpoint(b, 0, 6, 5061)).toBe('[2001:db8::1]:5061');
  });
});
