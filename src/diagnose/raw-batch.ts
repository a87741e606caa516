// Framed messages packed for a worker thread: their bytes back to back in one buffer and what the source said of each
// in numbers, so a batch crosses threads as two transferred buffers and a short string table instead of a structured
// clone of thousands of objects.
import type { Issue } from '../model/issue.js';
import type { Direction, MessageMeta, Transport } from '../model/message-meta.js';
import type { RawMessage } from '../model/raw-message.js';

/** Numbers per message in `nums`. */
const STRIDE = 15;
const F_INDEX = 0;
const F_TIME = 1;
const F_CLOCK = 2;
const F_SRC = 3;
const F_DST = 4;
const F_TIME_TEXT = 5;
const F_TRANSPORT = 6;
const F_DIRECTION = 7;
const F_FORMAT = 8;
const F_PATH = 9;
const F_OFFSET = 10;
const F_PACKET = 11;
const F_LINE = 12;
const F_END = 13;
const F_ISSUES = 14;

export interface RawBatch {
  readonly count: number;
  readonly bytes: ArrayBuffer;
  readonly nums: ArrayBuffer;
  /** Strings by id: addresses, paths, formats, and the issues of a message as JSON. */
  readonly strings: readonly string[];
}

/** Builds one batch; `take()` hands it over and starts the next. */
export class RawBatchWriter {
  #bytes = new Uint8Array(1 << 20);
  #used = 0;
  #nums = new Float64Array(STRIDE * 1024);
  #count = 0;
  #strings: string[] = [];
  #ids = new Map<string, number>();

  get count(): number {
    return this.#count;
  }

  get byteLength(): number {
    return this.#used;
  }

  #id(s: string | undefined): number {
    if (s === undefined) return -1;
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(s);
      this.#ids.set(s, id);
    }
    return id;
  }

  add(raw: RawMessage, index: number): void {
    const n = raw.bytes.length;
    if (this.#used + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#used + n));
      grown.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = grown;
    }
    this.#bytes.set(raw.bytes, this.#used);
    this.#used += n;
    if ((this.#count + 1) * STRIDE > this.#nums.length) {
      const grown = new Float64Array(this.#nums.length * 2);
      grown.set(this.#nums);
      this.#nums = grown;
    }
    const m = raw.meta;
    const o = this.#count * STRIDE;
    const v = this.#nums;
    v[o + F_INDEX] = index;
    v[o + F_TIME] = m.time ?? Number.NaN;
    v[o + F_CLOCK] = m.clock ?? Number.NaN;
    v[o + F_SRC] = this.#id(m.src);
    v[o + F_DST] = this.#id(m.dst);
    v[o + F_TIME_TEXT] = this.#id(m.timeText);
    v[o + F_TRANSPORT] = this.#id(m.transport);
    v[o + F_DIRECTION] = this.#id(m.direction);
    v[o + F_FORMAT] = this.#id(m.format);
    v[o + F_PATH] = this.#id(m.origin.path);
    v[o + F_OFFSET] = m.origin.offset;
    v[o + F_PACKET] = m.origin.packet ?? Number.NaN;
    v[o + F_LINE] = m.origin.line ?? Number.NaN;
    v[o + F_END] = this.#used;
    v[o + F_ISSUES] = raw.issues.length === 0 ? -1 : this.#id(JSON.stringify(raw.issues));
    this.#count++;
  }

  take(): RawBatch {
    const batch: RawBatch = {
      count: this.#count,
      bytes: this.#bytes.buffer.slice(0, this.#used) as ArrayBuffer,
      nums: this.#nums.buffer.slice(0, this.#count * STRIDE * 8) as ArrayBuffer,
      strings: this.#strings,
    };
    this.#used = 0;
    this.#count = 0;
    this.#strings = [];
    this.#ids = new Map();
    return batch;
  }
}

const NO_ISSUES: readonly Issue[] = Object.freeze([]);

/** Calls `each` with every message of a batch and the number it was given. */
export function readRawBatch(batch: RawBatch, each: (raw: RawMessage, index: number) => void): void {
  const bytes = new Uint8Array(batch.bytes);
  const v = new Float64Array(batch.nums);
  const str = batch.strings;
  const s = (id: number): string | undefined => (id < 0 ? undefined : str[id]);
  let start = 0;
  for (let k = 0; k < batch.count; k++) {
    const o = k * STRIDE;
    const end = v[o + F_END]!;
    const time = v[o + F_TIME]!;
    const clock = v[o + F_CLOCK]!;
    const packet = v[o + F_PACKET]!;
    const line = v[o + F_LINE]!;
    const origin: { path: string; offset: number; packet?: number; line?: number } = { path: s(v[o + F_PATH]!) ?? '', offset: v[o + F_OFFSET]! };
    if (!Number.isNaN(packet)) origin.packet = packet;
    if (!Number.isNaN(line)) origin.line = line;
    const meta: { -readonly [K in keyof MessageMeta]: MessageMeta[K] } = { time: Number.isNaN(time) ? null : time, origin };
    const src = s(v[o + F_SRC]!);
    const dst = s(v[o + F_DST]!);
    const timeText = s(v[o + F_TIME_TEXT]!);
    const transport = s(v[o + F_TRANSPORT]!);
    const direction = s(v[o + F_DIRECTION]!);
    const format = s(v[o + F_FORMAT]!);
    if (!Number.isNaN(clock)) meta.clock = clock;
    if (src !== undefined) meta.src = src;
    if (dst !== undefined) meta.dst = dst;
    if (timeText !== undefined) meta.timeText = timeText;
    if (transport !== undefined) meta.transport = transport as Transport;
    if (direction !== undefined) meta.direction = direction as Direction;
    if (format !== undefined) meta.format = format;
    const issuesId = v[o + F_ISSUES]!;
    const issues = issuesId < 0 ? NO_ISSUES : (JSON.parse(str[issuesId] ?? '[]') as Issue[]);
    each({ bytes: bytes.subarray(start, end), meta, issues }, v[o + F_INDEX]!);
    start = end;
  }
}
