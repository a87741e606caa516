import { describe, expect, it } from 'vitest';
import { formatOrigin } from './origin.js';

describe('formatOrigin', () => {
  it('names a line of a log nested in archives', () => {
    expect(formatOrigin({ path: 'snapshot.zip!tmp/sitara1.zip!var/log/sip', line: 1234, offset: 99 })).toBe(
      'snapshot.zip!tmp/sitara1.zip!var/log/sip:1234',
    );
  });
  it('names a packet of a capture, else the byte offset', () => {
    expect(formatOrigin({ path: 'a.pcap', packet: 7, offset: 24 })).toBe('a.pcap#7');
    expect(formatOrigin({ path: 'x.bin', offset: 24 })).toBe('x.bin@24');
  });
});
