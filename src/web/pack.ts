// Batches of messages as a few flat arrays for postMessage: one byte buffer (transferred, not copied) and one array
// of strings, instead of an object and an ArrayBuffer per message. Cloning thousands of small objects a second was
// the largest cost on the thread that reads the HEP socket.
import type { MessageMeta } from '../index.js';
import type { LiveMessage } from './live-view.js';
import type { StoredMessage } from './store/store.js';

export interface PackedBatch {
  readonly count: number;
  readonly numbers: Float64Array;
  /** End offset of each message in `bytes`. */
  readonly ends: Uint32Array;
  readonly bytes: Uint8Array;
  readonly strings: readonly (string | null)[];
}

function joinBytes(raws: readonly Uint8Array[]): { bytes: Uint8Array; ends: Uint32Array } {
  let size = 0;
  for (const r of raws) size += r.byteLength;
  const bytes = new Uint8Array(size);
  const ends = new Uint32Array(raws.length);
  let at = 0;
  raws.forEach((r, i) => {
    bytes.set(r, at);
    at += r.byteLength;
    ends[i] = at;
  });
  return { bytes, ends };
}

/** The buffers to transfer with a packed batch. */
export function transferOf(batch: PackedBatch): ArrayBuffer[] {
  return [batch.bytes.buffer as ArrayBuffer, batch.numbers.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer];
}

const STORED_NUMBERS = 4;
const STORED_STRINGS = 8;

export function packStored(messages: readonly StoredMessage[]): PackedBatch {
  const { bytes, ends } = joinBytes(messages.map((m) => m.raw));
  const numbers = new Float64Array(messages.length * STORED_NUMBERS);
  const strings: (string | null)[] = [];
  messages.forEach((m, i) => {
    numbers.set([m.id, m.time, m.status ?? Number.NaN, m.uploadId ?? Number.NaN], i * STORED_NUMBERS);
    strings.push(m.callId, m.method, m.cseqMethod, m.src, m.dst, m.transport, m.direction, m.source);
  });
  return { count: messages.length, numbers, ends, bytes, strings };
}

export function unpackStored(batch: PackedBatch): StoredMessage[] {
  const out: StoredMessage[] = [];
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const n = (k: number): number => batch.numbers[i * STORED_NUMBERS + k] ?? Number.NaN;
    const s = (k: number): string | null => batch.strings[i * STORED_STRINGS + k] ?? null;
    const end = batch.ends[i] ?? start;
    out.push({
      id: n(0),
      time: n(1),
      status: Number.isNaN(n(2)) ? null : n(2),
      uploadId: Number.isNaN(n(3)) ? null : n(3),
      callId: s(0),
      method: s(1),
      cseqMethod: s(2),
      src: s(3),
      dst: s(4),
      transport: s(5),
      direction: s(6) as StoredMessage['direction'],
      source: s(7) ?? '',
      raw: batch.bytes.subarray(start, end),
    });
    start = end;
  }
  return out;
}

const LIVE_NUMBERS = 2;
const LIVE_STRINGS = 5;

export function packLive(messages: readonly LiveMessage[]): PackedBatch {
  const { bytes, ends } = joinBytes(messages.map((m) => m.bytes));
  const numbers = new Float64Array(messages.length * LIVE_NUMBERS);
  const strings: (string | null)[] = [];
  messages.forEach((m, i) => {
    numbers[i * LIVE_NUMBERS] = m.id;
    numbers[i * LIVE_NUMBERS + 1] = m.meta.time ?? Number.NaN;
    strings.push(m.meta.src ?? null, m.meta.dst ?? null, m.meta.transport ?? null, m.meta.direction ?? null, m.meta.origin.path);
  });
  return { count: messages.length, numbers, ends, bytes, strings };
}

export function unpackLive(batch: PackedBatch): LiveMessage[] {
  const out: LiveMessage[] = [];
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const s = (k: number): string | null => batch.strings[i * LIVE_STRINGS + k] ?? null;
    const time = batch.numbers[i * LIVE_NUMBERS + 1] ?? Number.NaN;
    const src = s(0);
    const dst = s(1);
    const transport = s(2);
    const direction = s(3);
    const meta: MessageMeta = {
      time: Number.isNaN(time) ? null : time,
      ...(src === null ? {} : { src }),
      ...(dst === null ? {} : { dst }),
      ...(transport === null ? {} : { transport: transport as NonNullable<MessageMeta['transport']> }),
      ...(direction === null ? {} : { direction: direction as NonNullable<MessageMeta['direction']> }),
      origin: { path: s(4) ?? '', offset: 0 },
    };
    const end = batch.ends[i] ?? start;
    // Its own copy: the analysis keeps some messages for the next analyzer, and a view would keep the whole batch.
    out.push({ id: batch.numbers[i * LIVE_NUMBERS] ?? 0, bytes: batch.bytes.slice(start, end), meta });
    start = end;
  }
  return out;
}
