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

/** A message kept outside the pages (one of few left in an old page): its place, what its source said, issues. */
interface Entry {
  slab: number;
  offset: number;
  readonly length: number;
  readonly meta: MessageMeta;
  readonly issues: readonly Issue[];
}

const SLAB_BYTES = 1 << 20;
/** Messages per page: 4096 consecutive indexes. */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const MASK = PAGE - 1;
/** A page with fewer messages than this at a compaction hands them to the sparse map and goes (80 KiB each). */
const SPARSE_BELOW = PAGE >> 6;

/** Where 4096 consecutive messages lie: slab number + 1 (0: not stored), offset, length; their meta and issues. */
class Page {
  readonly slab = new Int32Array(PAGE);
  readonly offset = new Int32Array(PAGE);
  readonly length = new Int32Array(PAGE);
  readonly meta: (MessageMeta | undefined)[] = new Array<MessageMeta | undefined>(PAGE).fill(undefined);
  readonly issues: (readonly Issue[] | undefined)[] = new Array<readonly Issue[] | undefined>(PAGE).fill(undefined);
  live = 0;
}

/**
 * The bytes of the messages an analysis may still quote, copied out of the read chunks (a view would keep a whole
 * chunk alive) into 1 MiB slabs: a copy costs a memcpy, not an allocation (a small ArrayBuffer of its own cost about
 * a microsecond each in V8, measured with bench/parse-bench.ts). Where each message lies is kept in typed-array pages
 * of 4096 indexes, not in an object and a map entry per message: every message of a capture passes through here, and
 * those objects lived as long as their calls, which is what the garbage collector pays for. Deleted messages leave
 * holes; when the holes exceed the live bytes, the live messages are copied into fresh slabs and the old ones
 * dropped, so memory follows what is kept, not what was read; the few messages left in an old page then move to a
 * map, and the page goes.
 */
export class MessageStore {
  readonly #pages = new Map<number, Page>();
  readonly #sparse = new Map<number, Entry>();
  /** Slabs by number; a message larger than a quarter slab gets one of its own. */
  #slabs: Uint8Array[] = [new Uint8Array(SLAB_BYTES)];
  #slabNo = 0;
  #used = 0;
  #placedAt = 0;
  #lastPageNo = -1;
  #lastPage: Page | undefined;
  #count = 0;
  /** Bytes in all slabs allocated, and in live messages. */
  #slabBytes = SLAB_BYTES;
  #liveBytes = 0;

  get size(): number {
    return this.#count;
  }

  /** Bytes held by the store (slabs and large messages). */
  get heldBytes(): number {
    return this.#slabBytes;
  }

  #page(index: number, create: boolean): Page | undefined {
    const no = index >>> PAGE_BITS;
    if (no === this.#lastPageNo && this.#lastPage !== undefined) return this.#lastPage;
    let page = this.#pages.get(no);
    if (page === undefined) {
      if (!create) return undefined;
      page = new Page();
      this.#pages.set(no, page);
    }
    this.#lastPageNo = no;
    this.#lastPage = page;
    return page;
  }

  put(index: number, bytes: Uint8Array, meta: MessageMeta, issues: readonly Issue[]): void {
    if (!Number.isSafeInteger(index) || index < 0 || index > 0x7fffffff) throw new RangeError(`message index ${index} out of range`);
    const n = bytes.length;
    const slab = this.#place(n);
    const at = this.#placedAt;
    this.#slabs[slab]!.set(bytes, at);
    const old = this.#sparse.get(index);
    if (old !== undefined) {
      this.#sparse.delete(index);
      this.#liveBytes -= old.length;
      this.#count--;
    }
    const page = this.#page(index, true)!;
    const k = index & MASK;
    if (page.slab[k] !== 0) this.#liveBytes -= page.length[k]!;
    else {
      page.live++;
      this.#count++;
    }
    page.slab[k] = slab + 1;
    page.offset[k] = at;
    page.length[k] = n;
    page.meta[k] = meta;
    page.issues[k] = issues;
    this.#liveBytes += n;
  }

  /** Room for n bytes: returns the slab number (the current slab, or one of the message's own), #placedAt the offset. */
  #place(n: number): number {
    if (n > SLAB_BYTES / 4) {
      this.#slabBytes += n;
      this.#slabs.push(new Uint8Array(n));
      this.#placedAt = 0;
      return this.#slabs.length - 1;
    }
    if (this.#used + n > SLAB_BYTES) {
      this.#slabs.push(new Uint8Array(SLAB_BYTES));
      this.#slabNo = this.#slabs.length - 1;
      this.#used = 0;
      this.#slabBytes += SLAB_BYTES;
    }
    this.#placedAt = this.#used;
    this.#used += n;
    return this.#slabNo;
  }

  has(index: number): boolean {
    const page = this.#page(index, false);
    return (page !== undefined && page.slab[index & MASK] !== 0) || this.#sparse.has(index);
  }

  get(index: number): StoredMessage | undefined {
    const page = this.#page(index, false);
    const k = index & MASK;
    if (page !== undefined && page.slab[k] !== 0) {
      const slab = this.#slabs[page.slab[k]! - 1]!;
      const offset = page.offset[k]!;
      return { index, bytes: slab.subarray(offset, offset + page.length[k]!), meta: page.meta[k]!, issues: page.issues[k]! };
    }
    const e = this.#sparse.get(index);
    if (e === undefined) return undefined;
    return { index, bytes: this.#slabs[e.slab]!.subarray(e.offset, e.offset + e.length), meta: e.meta, issues: e.issues };
  }

  delete(index: number): void {
    const page = this.#page(index, false);
    const k = index & MASK;
    if (page !== undefined && page.slab[k] !== 0) {
      this.#liveBytes -= page.length[k]!;
      page.slab[k] = 0;
      page.meta[k] = undefined;
      page.issues[k] = undefined;
      this.#count--;
      if (--page.live === 0) this.#dropPage(index >>> PAGE_BITS);
    } else {
      const e = this.#sparse.get(index);
      if (e === undefined) return;
      this.#sparse.delete(index);
      this.#liveBytes -= e.length;
      this.#count--;
    }
    if (this.#slabBytes > 8 * SLAB_BYTES && this.#slabBytes > 2 * this.#liveBytes + 4 * SLAB_BYTES) this.#compact();
  }

  #dropPage(no: number): void {
    this.#pages.delete(no);
    if (this.#lastPageNo === no) {
      this.#lastPageNo = -1;
      this.#lastPage = undefined;
    }
  }

  /** Indexes stored, in no particular order. */
  *indexes(): IterableIterator<number> {
    for (const [no, page] of this.#pages) {
      for (let k = 0; k < PAGE; k++) if (page.slab[k] !== 0) yield (no << PAGE_BITS) | k;
    }
    yield* this.#sparse.keys();
  }

  /**
   * Copies the live messages into fresh slabs, in index order, so the old slabs can go; the messages of pages
   * nearly empty move to the sparse map.
   */
  #compact(): void {
    const old = this.#slabs;
    this.#slabs = [new Uint8Array(SLAB_BYTES)];
    this.#slabNo = 0;
    this.#used = 0;
    this.#slabBytes = SLAB_BYTES;
    /** Copies a message into the fresh slabs: returns the slab number, #placedAt the offset. */
    const move = (slab: number, offset: number, length: number): number => {
      const to = this.#place(length);
      this.#slabs[to]!.set(old[slab]!.subarray(offset, offset + length), this.#placedAt);
      return to;
    };
    const entries: [number, Entry][] = [...this.#sparse];
    for (const [no, page] of [...this.#pages].sort((a, b) => a[0] - b[0])) {
      const sparse = page.live < SPARSE_BELOW && page !== this.#lastPage;
      for (let k = 0; k < PAGE; k++) {
        if (page.slab[k] === 0) continue;
        if (sparse) {
          entries.push([(no << PAGE_BITS) | k, { slab: page.slab[k]! - 1, offset: page.offset[k]!, length: page.length[k]!, meta: page.meta[k]!, issues: page.issues[k]! }]);
          continue;
        }
        page.slab[k] = move(page.slab[k]! - 1, page.offset[k]!, page.length[k]!) + 1;
        page.offset[k] = this.#placedAt;
      }
      if (sparse) this.#dropPage(no);
    }
    for (const [index, e] of entries.sort((a, b) => a[0] - b[0])) {
      e.slab = move(e.slab, e.offset, e.length);
      e.offset = this.#placedAt;
      this.#sparse.set(index, e);
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
