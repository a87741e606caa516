import { describe, expect, it } from 'vitest';
import { TcpReassembler } from './tcp-reassembly.js';

/** Feeds segments (seq, text) and returns the stream as delivered, gaps shown as `[gap N]`. */
function reassemble(segments: readonly (readonly [number, string, boolean?])[], limits = {}): { text: string; r: TcpReassembler } {
  let text = '';
  const r = new TcpReassembler(
    {
      data: (b) => (text += new TextDecoder().decode(b)),
      gap: (n) => (text += `[gap ${n}]`),
    },
    limits,
  );
  for (const [seq, s, syn] of segments) r.segment(seq >>> 0, syn === true, new TextEncoder().encode(s));
  r.finish();
  return { text, r };
}

describe('TcpReassembler', () => {
  it('delivers in-order segments as they come, data starting after the SYN', () => {
    expect(reassemble([[99, '', true], [100, 'abc'], [103, 'def']]).text).toBe('abcdef');
  });

  it('holds out-of-order segments until the hole fills', () => {
    expect(reassemble([[0, 'ab'], [6, 'gh'], [4, 'ef'], [2, 'cd']]).text).toBe('abcdefgh');
  });

  it('delivers retransmitted and overlapping bytes once, counting them', () => {
    const { text, r } = reassemble([[0, 'abcd'], [0, 'abcd'], [2, 'cdef'], [8, 'ij'], [5, 'fgh'], [8, 'ij']]);
    expect(text).toBe('abcdefghij');
    expect(r.retransmittedBytes).toBe(4 + 2 + 1 + 2);
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const isn = 0xfffffffd;
    expect(reassemble([[isn, '', true], [isn + 1, 'ab'], [isn + 5, 'ef'], [isn + 3, 'cd']]).text).toBe('abcdef');
  });

  it('reports a hole that never fills as a gap, at the end or when too much waits behind it', () => {
    expect(reassemble([[0, 'ab'], [5, 'fg']]).text).toBe('ab[gap 3]fg');
    const { text } = reassemble([[0, 'a'], [10, 'k'], [20, 'u'], [30, 'E']], { maxOutOfOrderSegments: 2 });
    expect(text).toBe('a[gap 9]k[gap 9]u[gap 9]E');
  });
});
