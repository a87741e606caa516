import type { Issue } from '../model/issue.js';
import type { MessageMeta } from '../model/message-meta.js';
import type { MessageRecord } from '../model/message-record.js';
import { parseMessage } from '../parse/parse-message.js';
import type { ParseOptions } from '../parse/parse-message.js';

/** A message kept for reports: its bytes (a view into the store's memory), what its source said, framing issues. */
export interface StoredMessage {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly meta: MessageMeta;
  readonly issues: readonly Issue[];
}

/** One block of copied messages, with the bytes of its messages still stored. */
interface Slab {
  readonly bytes: Uint8Array;
  live: number;
  /** A view of it went out (get): it is never reused, only dropped. */
  lent: boolean;
}

interface Entry {
  slab: Slab;
  offset: number;
  readonly length: number;
  readonly meta: MessageMeta;
  readonly issues: readonly Issue[];
}

const SLAB_BYTES = 1 << 20;
/** Emptied slabs kept for reuse at most. */
const POOL_SLABS = 16;

/**
 * The bytes of the messages an analysis may still quote, copied out of the read chunks (a view would keep a whole
 * chunk alive) into 1 MiB slabs: a copy costs a memcpy, not an allocation (a small ArrayBuffer of its own cost about
 * a microsecond each in V8, measured with bench/parse-bench.ts).
 *
 * A slab whose messages are all deleted is reused, unless a view of it was handed out. Reuse matters more than it
 * looks: V8 starts a full collection whenever memory outside its heap has grown by about 64 MB since the last one, so
 * a fresh slab for every MiB stored (and a fresh copy of every live message at each compaction) cost a fifth of
 * `analyze` in collections (2026-12-02, 200 MB capture: 9.5-10.2 s, 6.8-8.2 s without the copies). When slabs are
 * mostly holes, the messages of the sparse ones move to the current slab and those slabs are freed, so memory follows
 * what is kept, not what was read.
 */
export class MessageStore {
  readonly #entries = new Map<number, Entry>();
  readonly #pool: Uint8Array[] = [];
  #slab: Slab = { bytes: new Uint8Array(SLAB_BYTES), live: 0, lent: false };
  #used = 0;
  /** Bytes in all slabs in use (the pool apart), and in live messages. */
  #slabBytes = SLAB_BYTES;
  #liveBytes = 0;

  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held by the store (slabs in use and large messages; the pool of emptied slabs apart). */
  get heldBytes(): number {
    return this.#slabBytes;
  }

  put(index: number, bytes: Uint8Array, meta: MessageMeta, issues: readonly Issue[]): void {
    const old = this.#entries.get(index);
    if (old !== undefined) this.#drop(old);
    const n = bytes.length;
    const slab = this.#room(n);
    const offset = slab === this.#slab ? this.#used : 0;
    slab.bytes.set(bytes, offset);
    if (slab === this.#slab) this.#used += n;
    slab.live += n;
    this.#entries.set(index, { slab, offset, length: n, meta, issues });
    this.#liveBytes += n;
  }

  /** The slab `n` bytes go to: the current one, a new current one, or one of their own for a large message. */
  #room(n: number): Slab {
    if (n > SLAB_BYTES / 4) {
      this.#slabBytes += n;
      return { bytes: new Uint8Array(n), live: 0, lent: false };
    }
    if (this.#used + n > SLAB_BYTES) {
      const full = this.#slab;
      this.#slab = { bytes: this.#pool.pop() ?? new Uint8Array(SLAB_BYTES), live: 0, lent: false };
      this.#used = 0;
      this.#slabBytes += SLAB_BYTES;
      if (full.live === 0) this.#free(full);
    }
    return this.#slab;
  }

  has(index: number): boolean {
    return this.#entries.has(index);
  }

  get(index: number): StoredMessage | undefined {
    const e = this.#entries.get(index);
    if (e === undefined) return undefined;
    e.slab.lent = true;
    return { index, bytes: e.slab.bytes.subarray(e.offset, e.offset + e.length), meta: e.meta, issues: e.issues };
  }

  delete(index: number): void {
    const e = this.#entries.get(index);
    if (e === undefined) return;
    this.#entries.delete(index);
    this.#drop(e);
    if (this.#slabBytes > 8 * SLAB_BYTES && this.#slabBytes > 2 * this.#liveBytes + 4 * SLAB_BYTES) this.#compact();
  }

  /** Indexes stored, in no particular order. */
  indexes(): IterableIterator<number> {
    return this.#entries.keys();
  }

  #drop(e: Entry): void {
    this.#liveBytes -= e.length;
    e.slab.live -= e.length;
    if (e.slab.live === 0 && e.slab !== this.#slab) this.#free(e.slab);
  }

  /** A slab with no message left: its memory goes back to the pool (or to the collector, if lent or large). */
  #free(slab: Slab): void {
    this.#slabBytes -= slab.bytes.length;
    if (!slab.lent && slab.bytes.length === SLAB_BYTES && this.#pool.length < POOL_SLABS) this.#pool.push(slab.bytes);
  }

  /** Moves the messages of the slabs that are mostly holes to the current slab, in index order, and frees those. */
  #compact(): void {
    const sparse = (slab: Slab): boolean => slab !== this.#slab && slab.live < slab.bytes.length / 2;
    const moving = [...this.#entries].filter(([, e]) => sparse(e.slab)).sort((a, b) => a[0] - b[0]);
    for (const [, e] of moving) {
      const from = e.slab;
      const slab = this.#room(e.length);
      const offset = slab === this.#slab ? this.#used : 0;
      slab.bytes.set(from.bytes.subarray(e.offset, e.offset + e.length), offset);
      if (slab === this.#slab) this.#used += e.length;
      slab.live += e.length;
      from.live -= e.length;
      e.slab = slab;
      e.offset = offset;
      if (from.live === 0 && from !== this.#slab) this.#free(from);
    }
  }
}

const STREAM_TRANSPORTS = new Set(['TCP', 'TLS', 'WS', 'WSS']);

/** A kept message parsed again for reports. */
export function reviveMessage(stored: StoredMessage, parse: ParseOptions | undefined, asRead: boolean): MessageRecord {
  const stream = stored.meta.transport !== undefined && STREAM_TRANSPORTS.has(stored.meta.transport);
  const message = parseMessage(stored.bytes, stream ? { ...parse, stream } : parse);
  if (asRead) {
    // A record pushed as parsed: the issues as they stood when read, not a second copy of the parser's.
    message.issues.length = 0;
    message.issues.push(...stored.issues);
  } else if (stored.issues.length > 0) message.issues.unshift(...stored.issues);
  return { index: stored.index, message, meta: stored.meta };
}
