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

  it('keeps messages put in any order, at indexes far apart, replaced and deleted, through compactions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('put', 'put', 'delete', 'delete', 'delete', 'get'),
            fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 0x7fffffff })),
            fc.oneof({ arbitrary: fc.integer({ min: 1, max: 60_000 }), weight: 20 }, { arbitrary: fc.integer({ min: 262_145, max: 400_000 }), weight: 1 }),
          ),
          { minLength: 500, maxLength: 2000 },
        ),
        (ops) => {
          const store = new MessageStore();
          const model = new Map<number, number>();
          const keys: number[] = [];
          for (const [op, pick, length] of ops) {
            // Deletes and gets mostly hit stored indexes; puts sometimes replace one.
            const index = op !== 'put' || (pick % 5 === 0 && keys.length > 0) ? (keys[pick % Math.max(1, keys.length)] ?? pick) : pick;
            if (op === 'put') {
              store.put(index, bytesOf(index + length, length), META, []);
              if (!model.has(index)) keys.push(index);
              model.set(index, length);
            } else if (op === 'delete') {
              store.delete(index);
              model.delete(index);
            } else {
              const want = model.get(index);
              expect(store.has(index)).toBe(want !== undefined);
              if (want !== undefined) expect(same(store.get(index)?.bytes, bytesOf(index + want, want))).toBe(true);
            }
          }
          expect(store.size).toBe(model.size);
          expect(new Set(store.indexes())).toEqual(new Set(model.keys()));
          for (const [index, length] of model) expect(same(store.get(index)?.bytes, bytesOf(index + length, length)), `message ${index}`).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('moves dense and nearly empty pages alike when it compacts', () => {
    const store = new MessageStore();
    const kept = new Map<number, number>();
    // Pages of 4096 indexes: the first ones keep one message in three, the later ones one in 700 (sparse).
    for (let i = 0; i < 40_000; i++) {
      const length = 300 + (i % 900);
      store.put(i, bytesOf(i, length), META, []);
      const keep = i < 12_288 ? i % 3 === 0 : i % 700 === 0;
      if (keep) kept.set(i, length);
      if (i >= 100 && !kept.has(i - 100)) store.delete(i - 100);
    }
    for (let i = 39_900; i < 40_000; i++) if (!kept.has(i)) store.delete(i);
    // Compactions ran: the slabs hold about what is kept, not the 30 MB put.
    const live = [...kept.values()].reduce((a, b) => a + b, 0);
    expect(store.heldBytes).toBeLessThan(2 * live + 6 * (1 << 20));
    expect(store.size).toBe(kept.size);
    expect(new Set(store.indexes())).toEqual(new Set(kept.keys()));
    for (const [i, length] of kept) expect(same(store.get(i)?.bytes, bytesOf(i, length)), `message ${i}`).toBe(true);
    // Replaced and deleted after they moved.
    expect(kept.has(699) && kept.has(14_000) && kept.has(3)).toBe(true);
    store.put(699, bytesOf(1, 50), META, []);
    store.put(14_000, bytesOf(2, 60), META, []);
    store.delete(3);
    expect(same(store.get(699)?.bytes, bytesOf(1, 50))).toBe(true);
    expect(same(store.get(14_000)?.bytes, bytesOf(2, 60))).toBe(true);
    expect(store.has(3)).toBe(false);
    expect(store.size).toBe(kept.size - 1);
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
