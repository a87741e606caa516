import { describe, expect, it } from 'vitest';
import { LegTies, namedLeg } from './leg-ties.js';

describe('LegTies', () => {
  it('X-CID names the other leg; icid and Session-ID are shared by the legs', () => {
    expect(namedLeg('x-cid:abc@host')).toBe('abc@host');
    expect(namedLeg('icid:1234')).toBeUndefined();
    const ties = new LegTies();
    ties.tie('leg-2', 'x-cid:leg-1');
    ties.tie('leg-3', 'icid:9');
    ties.tie('leg-4', 'icid:9');
    ties.tie('other', 'session-id:77');
    expect(new Set(ties.withLegs(['leg-1']))).toEqual(new Set(['leg-1', 'leg-2']));
    expect(new Set(ties.withLegs(['leg-4']))).toEqual(new Set(['leg-3', 'leg-4']));
    expect(ties.withLegs(['alone'])).toEqual(['alone']);
  });

  it('joins chains of ties, whichever leg is asked for', () => {
    const ties = new LegTies();
    ties.tie('b', 'x-cid:a');
    ties.tie('c', 'icid:5');
    ties.tie('b', 'icid:5');
    for (const asked of ['a', 'b', 'c']) expect(new Set(ties.withLegs([asked])), asked).toEqual(new Set(['a', 'b', 'c']));
  });
});
