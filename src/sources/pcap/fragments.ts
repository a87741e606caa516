export interface FragmentLimits {
  /** Datagrams being reassembled at once; past it the oldest is dropped with an issue. Default 1024. */
  readonly maxFragmentedDatagrams?: number;
  /** Bytes held in fragments at once; past it the oldest datagram is dropped with an issue. Default 32 MiB. */
  readonly maxFragmentBytes?: number;
  /** A datagram still incomplete after this many further packets is dropped with an issue. Default 10000. */
  readonly fragmentTimeoutPackets?: number;
}

interface Part {
  readonly offset: number;
  readonly data: Uint8Array;
}

interface Pending {
  readonly parts: Part[];
  /** Length of the whole payload, known once the last fragment (more-fragments clear) arrived; else -1. */
  total: number;
  bytes: number;
  readonly firstPacket: number;
  lastPacket: number;
}

/** A datagram given up on: why, and which packets held its fragments. */
export interface DroppedDatagram {
  readonly reason: 'timeout' | 'limit' | 'end';
  readonly firstPacket: number;
  readonly lastPacket: number;
  readonly fragments: number;
  readonly bytes: number;
}

/**
 * Puts IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragments back together. Memory is bounded by count and bytes;
 * datagrams that never complete are handed back as `DroppedDatagram`s so the caller can report them.
 */
export class FragmentReassembler {
  readonly #pending = new Map<string, Pending>();
  readonly #maxDatagrams: number;
  readonly #maxBytes: number;
  readonly #timeout: number;
  #bytes = 0;
  #lastSweep = 0;
  readonly dropped: DroppedDatagram[] = [];

  constructor(limits: FragmentLimits = {}) {
    this.#maxDatagrams = limits.maxFragmentedDatagrams ?? 1024;
    this.#maxBytes = limits.maxFragmentBytes ?? 32 << 20;
    this.#timeout = limits.fragmentTimeoutPackets ?? 10000;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Adds one fragment (its payload after the IP header; `offset` in bytes). Returns the whole payload once every
   * byte from 0 to the end is there, else null. The data is copied: fragments outlive the chunk they came in.
   */
  add(key: string, offset: number, more: boolean, data: Uint8Array, packet: number): Uint8Array | null {
    if (packet - this.#lastSweep >= 256) this.#sweep(packet);
    let p = this.#pending.get(key);
    if (p === undefined) {
      p = { parts: [], total: -1, bytes: 0, firstPacket: packet, lastPacket: packet };
      this.#pending.set(key, p);
      while (this.#pending.size > this.#maxDatagrams) this.#dropOldest('limit');
    }
    p.parts.push({ offset, data: data.slice() });
    p.bytes += data.length;
    p.lastPacket = packet;
    this.#bytes += data.length;
    if (!more) p.total = offset + data.length;
    while (this.#bytes > this.#maxBytes && this.#pending.size > 0) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === key && this.#pending.size === 1) break;
      this.#dropOldest('limit');
    }
    if (p.total < 0 || !this.#pending.has(key)) return null;
    // Complete when the parts cover [0, total) with no hole.
    p.parts.sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const part of p.parts) {
      if (part.offset > covered) return null;
      covered = Math.max(covered, part.offset + part.data.length);
    }
    if (covered < p.total) return null;
    const whole = new Uint8Array(p.total);
    for (const part of p.parts) {
      // Overlapping fragments: the later one (in offset order) wins, as most stacks do.
      const room = p.total - part.offset;
      if (room <= 0) continue;
      whole.set(room < part.data.length ? part.data.subarray(0, room) : part.data, part.offset);
    }
    this.#pending.delete(key);
    this.#bytes -= p.bytes;
    return whole;
  }

  /** Gives up on every datagram still incomplete (end of the capture). */
  flush(): void {
    for (const key of [...this.#pending.keys()]) this.#drop(key, 'end');
  }

  #sweep(packet: number): void {
    this.#lastSweep = packet;
    for (const [key, p] of this.#pending) {
      if (packet - p.lastPacket > this.#timeout) this.#drop(key, 'timeout');
    }
  }

  #dropOldest(reason: 'limit'): void {
    const oldest = this.#pending.keys().next().value;
    if (oldest !== undefined) this.#drop(oldest, reason);
  }

  #drop(key: string, reason: DroppedDatagram['reason']): void {
    const p = this.#pending.get(key);
    if (p === undefined) return;
    this.#pending.delete(key);
    this.#bytes -= p.bytes;
    this.dropped.push({
      reason,
      firstPacket: p.firstPacket,
      lastPacket: p.lastPacket,
      fragments: p.parts.length,
      bytes: p.bytes,
    });
  }
}
