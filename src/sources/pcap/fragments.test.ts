import { describe, expect, it } from 'vitest';
import { FragmentReassembler } from './fragments.js';

const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);

describe('FragmentReassembler', () => {
  it('joins fragments in any order, overlapping ones included', () => {
    const r = new FragmentReassembler();
    expect(r.add('k', 8, false, bytes(8, 9, 10), 1)).toBeNull();
    expect(r.add('k', 4, true, bytes(4, 5, 6, 7, 8, 9), 2)).toBeNull();
    const whole = r.add('k', 0, true, bytes(0, 1, 2, 3), 3);
    expect(Array.from(whole ?? [])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.size).toBe(0);
  });

  it('keeps datagrams apart by key', () => {
    const r = new FragmentReassembler();
    expect(r.add('a', 0, true, bytes(1, 1), 1)).toBeNull();
    expect(r.add('b', 0, true, bytes(2, 2), 2)).toBeNull();
    expect(Array.from(r.add('b', 2, false, bytes(2), 3) ?? [])).toEqual([2, 2, 2]);
    expect(r.size).toBe(1);
  });

  it('drops a datagram after fragmentTimeoutPackets, and the oldest past maxFragmentedDatagrams', () => {
    const r = new FragmentReassembler({ fragmentTimeoutPackets: 100, maxFragmentedDatagrams: 2 });
    r.add('old', 0, true, bytes(1), 1);
    r.add('x', 0, true, bytes(1), 300);
    expect(r.dropped.map((d) => [d.reason, d.firstPacket])).toEqual([['timeout', 1]]);
    r.add('y', 0, true, bytes(1), 301);
    r.add('z', 0, true, bytes(1), 302);
    expect(r.dropped.map((d) => d.reason)).toEqual(['timeout', 'limit']);
    r.flush();
    expect(r.dropped.map((d) => d.reason)).toEqual(['timeout', 'limit', 'end', 'end']);
    expect(r.size).toBe(0);
  });

  it('holds no more than maxFragmentBytes', () => {
    const r = new FragmentReassembler({ maxFragmentBytes: 10 });
    r.add('a', 0, true, new Uint8Array(6), 1);
    r.add('b', 0, true, new Uint8Array(6), 2);
    expect(r.dropped.map((d) => [d.reason, d.bytes])).toEqual([['limit', 6]]);
  });
});
