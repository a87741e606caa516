import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageMeta } from '../model/message-meta.js';
import { MessageStore } from './message-store.js';

const META: MessageMeta = { origin: { path: 'test', offset: 0 } } as MessageMeta;

/** Bytes that name their index, so a message moved to the wrong place cannot pass for the right one. */
function bytesOf(index: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (index * 31 + i) & 0xff;
  return b;
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

describe('MessageStore', () => {
  it('gives back every stored message as it was put, through compaction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('put', 'put', 'put', 'delete', 'get'), fc.nat(400), fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 50 }, { arbitrary: fc.integer({ min: 262_145, max: 300_000 }), weight: 1 })), { minLength: 1000, maxLength: 4000 }),
        (ops) => {
          const store = new MessageStore();
          const model = new Map<number, number>();
          /** Views handed out earlier, with what they must still read. */
          const lent: { view: Uint8Array; index: number; length: number }[] = [];
          let next = 0;
          for (const [op, pick, length] of ops) {
            if (op === 'put') {
              store.put(next, bytesOf(next, length), META, []);
              model.set(next, length);
              next++;
            } else if (model.size > 0) {
              const index = next - 1 - (pick % next);
              if (!model.has(index)) continue;
              if (op === 'delete') {
                store.delete(index);
                model.delete(index);
              } else {
                const m = store.get(index);
                expect(same(m?.bytes, bytesOf(index, model.get(index)!))).toBe(true);
                if (lent.length < 50) lent.push({ view: m!.bytes, index, length: model.get(index)! });
              }
            }
          }
          expect(store.size).toBe(model.size);
          for (const [index, length] of model) expect(same(store.get(index)?.bytes, bytesOf(index, length)), `message ${index}`).toBe(true);
          for (const l of lent) expect(same(l.view, bytesOf(l.index, l.length)), `view of ${l.index}`).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('holds memory that follows what is kept: a long run of short-lived messages with a few kept for good', () => {
    const store = new MessageStore();
    for (let i = 0; i < 200_000; i++) {
      store.put(i, bytesOf(i, 700), META, []);
      // Most messages go soon; one in a hundred stays (a registration's history, evidence).
      if (i >= 50 && (i - 50) % 100 !== 0) store.delete(i - 50);
    }
    const kept = 2000 * 700 + 50 * 700;
    expect(store.size).toBe(2050);
    expect(store.heldBytes).toBeLessThan(2 * kept + 6 * (1 << 20));
    expect(same(store.get(700)?.bytes, bytesOf(700, 700))).toBe(true);
    expect(same(store.get(199_990)?.bytes, bytesOf(199_990, 700))).toBe(true);
  });

  it('a view handed out stays as it was while the store goes on, and memory stays bounded', () => {
    const store = new MessageStore();
    // Two slabs' worth of 1000-byte messages, then one view out of the first slab.
    for (let i = 0; i < 2100; i++) store.put(i, bytesOf(i, 1000), META, []);
    const view = store.get(5)!.bytes;
    const other = store.get(1500)!.bytes;
    for (let i = 0; i < 2100; i++) store.delete(i);
    // Enough new messages to take every slab the pool could offer, and more.
    for (let i = 2100; i < 30_000; i++) {
      store.put(i, bytesOf(i, 1000), META, []);
      if (i >= 2200) store.delete(i - 100);
    }
    expect(same(view, bytesOf(5, 1000))).toBe(true);
    expect(same(other, bytesOf(1500, 1000))).toBe(true);
    expect(store.size).toBe(100);
    expect(store.heldBytes).toBeLessThanOrEqual(8 * (1 << 20));
  });
});
