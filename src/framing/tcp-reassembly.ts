/** Where a reassembled TCP byte stream goes, in order. */
export interface TcpSink {
  /** The next in-order bytes of the stream (a view: copy what you keep past the call). */
  data(bytes: Uint8Array): void;
  /** `missing` bytes of the stream were never captured; the next `data` follows the hole. */
  gap(missing: number): void;
}

export interface TcpReassemblyLimits {
  /** Bytes held out of order per direction before giving up on the hole with a gap. Default 1 MiB. */
  readonly maxOutOfOrderBytes?: number;
  /** Segments held out of order per direction before giving up on the hole. Default 256. */
  readonly maxOutOfOrderSegments?: number;
}

interface Segment {
  readonly seq: number;
  readonly data: Uint8Array;
}

/** Signed distance a - b in 32-bit sequence space (RFC 9293 §3.4: sequence numbers wrap). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * Puts one direction of a TCP connection back in order (RFC 9293 §3.4): segments out of order wait (bounded),
 * retransmitted and overlapping bytes are delivered once, and a hole that never fills is reported as a gap.
 */
export class TcpReassembler {
  readonly #sink: TcpSink;
  readonly #maxBytes: number;
  readonly #maxSegments: number;
  /** Sequence number of the next byte to deliver, or -1 before the first segment. */
  #next = -1;
  #waiting: Segment[] = [];
  #waitingBytes = 0;
  /** Bytes seen again (retransmissions, overlaps) and dropped. */
  retransmittedBytes = 0;
  /** Bytes delivered so far. */
  delivered = 0;

  constructor(sink: TcpSink, limits: TcpReassemblyLimits = {}) {
    this.#sink = sink;
    this.#maxBytes = limits.maxOutOfOrderBytes ?? 1 << 20;
    this.#maxSegments = limits.maxOutOfOrderSegments ?? 256;
  }

  /** Bytes waiting for a hole to fill. */
  get waiting(): number {
    return this.#waitingBytes;
  }

  /** Sequence number of the next byte expected, or -1 before the first segment. */
  get nextSeq(): number {
    return this.#next;
  }

  /** Whether the stream has started (a SYN or a first segment was seen). */
  get started(): boolean {
    return this.#next >= 0;
  }

  /** Forgets everything (a new connection reusing the same addresses and ports). */
  reset(): void {
    this.#next = -1;
    this.#waiting = [];
    this.#waitingBytes = 0;
  }

  /** Takes one segment. `syn`: the segment's sequence number is the initial one, data start after it. */
  segment(seq: number, syn: boolean, payload: Uint8Array): void {
    if (syn) {
      if (this.#next < 0) this.#next = (seq + 1) >>> 0;
      seq = (seq + 1) >>> 0;
    }
    if (payload.length === 0) return;
    if (this.#next < 0) this.#next = seq;
    const d = seqDiff(seq, this.#next);
    if (d <= 0) {
      const skip = -d;
      if (skip >= payload.length) {
        this.retransmittedBytes += payload.length;
        return;
      }
      this.retransmittedBytes += skip;
      this.#deliver(skip > 0 ? payload.subarray(skip) : payload);
      if (this.#waiting.length > 0) this.#drain();
      return;
    }
    // Ahead of the next expected byte: wait for the hole to fill. Copied, as the chunk view would pin memory.
    this.#insert({ seq, data: payload.slice() });
    if (this.#waitingBytes > this.#maxBytes || this.#waiting.length > this.#maxSegments) this.#skipHole();
  }

  /** The stream ended: whatever still waits behind a hole is delivered after a gap. */
  finish(): void {
    while (this.#waiting.length > 0) this.#skipHole();
  }

  #deliver(bytes: Uint8Array): void {
    this.#next = (this.#next + bytes.length) >>> 0;
    this.delivered += bytes.length;
    this.#sink.data(bytes);
  }

  #insert(s: Segment): void {
    const w = this.#waiting;
    let i = w.length;
    while (i > 0 && seqDiff(w[i - 1]!.seq, s.seq) > 0) i--;
    w.splice(i, 0, s);
    this.#waitingBytes += s.data.length;
  }

  /** Delivers waiting segments that now touch or overlap the next expected byte. */
  #drain(): void {
    const w = this.#waiting;
    let i = 0;
    while (i < w.length) {
      const s = w[i]!;
      const d = seqDiff(s.seq, this.#next);
      if (d > 0) break;
      i++;
      this.#waitingBytes -= s.data.length;
      const skip = -d;
      if (skip >= s.data.length) {
        this.retransmittedBytes += s.data.length;
        continue;
      }
      this.retransmittedBytes += skip;
      this.#deliver(skip > 0 ? s.data.subarray(skip) : s.data);
    }
    if (i > 0) w.splice(0, i);
  }

  /** Gives up on the hole before the first waiting segment. */
  #skipHole(): void {
    const first = this.#waiting[0];
    if (first === undefined) return;
    const missing = seqDiff(first.seq, this.#next);
    if (missing > 0) {
      this.#sink.gap(missing);
      this.#next = first.seq;
    }
    this.#drain();
  }
}
