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

interface Entry {
  slab: Uint8Array;
  offset: number;
  length: number;
  readonly meta: MessageMeta;
  readonly issues: readonly Issue[];
}

const SLAB_BYTES = 1 << 20;

/**
 * The bytes of the messages an analysis may still quote, copied out of the read chunks (a view would keep a whole
 * chunk alive) into 1 MiB slabs: a copy costs a memcpy, not an allocation (a small ArrayBuffer of its own cost about
 * a microsecond each in V8, measured with bench/parse-bench.ts). Deleted messages leave holes; when the holes exceed
 * the live bytes, the live messages are copied into fresh slabs and the old ones dropped, so memory follows what is
 * kept, not what was read.
 */
export class MessageStore {
  readonly #entries = new Map<number, Entry>();
  #slab = new Uint8Array(SLAB_BYTES);
  #used = 0;
  /** Bytes in all slabs allocated, and in live messages. */
  #slabBytes = SLAB_BYTES;
  #liveBytes = 0;

  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held by the store (slabs and large messages). */
  get heldBytes(): number {
    return this.#slabBytes;
  }

  put(index: number, bytes: Uint8Array, meta: MessageMeta, issues: readonly Issue[]): void {
    const n = bytes.length;
    const at = this.#place(n);
    at.slab.set(bytes, at.offset);
    const old = this.#entries.get(index);
    if (old !== undefined) this.#liveBytes -= old.length;
    this.#entries.set(index, { slab: at.slab, offset: at.offset, length: n, meta, issues });
    this.#liveBytes += n;
  }

  #place(n: number): { slab: Uint8Array; offset: number } {
    if (n > SLAB_BYTES / 4) {
      this.#slabBytes += n;
      return { slab: new Uint8Array(n), offset: 0 };
    }
    if (this.#used + n > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#used = 0;
      this.#slabBytes += SLAB_BYTES;
    }
    const offset = this.#used;
    this.#used += n;
    return { slab: this.#slab, offset };
  }

  has(index: number): boolean {
    return this.#entries.has(index);
  }

  get(index: number): StoredMessage | undefined {
    const e = this.#entries.get(index);
    if (e === undefined) return undefined;
    return { index, bytes: e.slab.subarray(e.offset, e.offset + e.length), meta: e.meta, issues: e.issues };
  }

  delete(index: number): void {
    const e = this.#entries.get(index);
    if (e === undefined) return;
    this.#entries.delete(index);
    this.#liveBytes -= e.length;
    if (this.#slabBytes > 8 * SLAB_BYTES && this.#slabBytes > 2 * this.#liveBytes + 4 * SLAB_BYTES) this.#compact();
  }

  /** Indexes stored, in no particular order. */
  indexes(): IterableIterator<number> {
    return this.#entries.keys();
  }

  /** Copies the live messages into fresh slabs, in index order, so the old slabs can go. */
  #compact(): void {
    const entries = [...this.#entries].sort((a, b) => a[0] - b[0]);
    this.#slab = new Uint8Array(SLAB_BYTES);
    this.#used = 0;
    this.#slabBytes = SLAB_BYTES;
    for (const [, e] of entries) {
      const at = this.#place(e.length);
      at.slab.set(e.slab.subarray(e.offset, e.offset + e.length), at.offset);
      e.slab = at.slab;
      e.offset = at.offset;
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
