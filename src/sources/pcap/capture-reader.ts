import type { Issue } from '../../model/issue.js';

/** The container format of a capture file. */
export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * One captured frame, as the reader hands it out. The object is reused for every record (no per-packet allocation):
 * copy what you keep. `data` is a view of the caller's chunk (or of a fresh buffer when the record spanned chunks),
 * so views of it stay valid after the callback returns.
 */
export interface CapturedFrame {
  /** 1-based frame number, as tshark counts (packet blocks only for pcapng). */
  packet: number;
  /** Byte offset of the record (pcap record header, pcapng block) in the file. */
  offset: number;
  /** Milliseconds since the Unix epoch, fractions allowed; null when the record has no time (pcapng SPB). */
  time: number | null;
  /** The link-layer type (LINKTYPE_* / DLT_*) of the interface that captured it. */
  linkType: number;
  /** The frame's bytes are bytes[start, end): no view is made per packet unless `data` is read. */
  bytes: Uint8Array;
  start: number;
  end: number;
  /** A view of bytes[start, end), made when read. */
  readonly data: Uint8Array;
  /** Length of the frame on the wire; more than `end - start` when the capture cut it (snaplen). */
  wireLength: number;
}

/** The reader's one frame object. A view per packet cost 8% of the pcap walk, so `data` is made only on demand. */
class ReusedFrame implements CapturedFrame {
  packet = 0;
  offset = 0;
  time: number | null = 0;
  linkType = 0;
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  wireLength = 0;
  get data(): Uint8Array {
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + this.start, this.end - this.start);
  }
}

export interface CaptureReaderOptions {
  /** A record or block larger than this is taken for corruption and ends the reading. Default 256 MiB. */
  readonly maxRecordBytes?: number;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetsov's patched libpcap ("modified pcap"): 8 more bytes per record header (ifindex, protocol, type). */
const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;

/** Tells a capture file from its first bytes (4 are enough for pcap; 12 for pcapng's byte-order magic). */
export function detectCapture(head: Uint8Array): CaptureFormat | null {
  if (head.length < 4) return null;
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  const le = ((head[3]! << 24) | (head[2]! << 16) | (head[1]! << 8) | head[0]!) >>> 0;
  for (const magic of [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED]) if (be === magic || le === magic) return 'pcap';
  if (be === PCAPNG_SHB) {
    if (head.length < 12) return 'pcapng';
    const bomBe = ((head[8]! << 24) | (head[9]! << 16) | (head[10]! << 8) | head[11]!) >>> 0;
    const bomLe = ((head[11]! << 24) | (head[10]! << 16) | (head[9]! << 8) | head[8]!) >>> 0;
    return bomBe === PCAPNG_BOM || bomLe === PCAPNG_BOM ? 'pcapng' : null;
  }
  return null;
}

interface PcapngInterface {
  linkType: number;
  /** Timestamp units per second (if_tsresol, default 10^6). */
  unitsPerSecond: number;
  /** Seconds added to every timestamp (if_tsoffset). */
  offsetSeconds: number;
}

type State = 'start' | 'pcap-header' | 'pcap-records' | 'pcapng' | 'failed';

/**
 * Walks a pcap or pcapng file given in chunks of any size (a record may span chunks) and calls `onFrame` for every
 * packet record. Both byte orders, micro- and nanosecond pcap, pcapng with several sections and interfaces, each
 * with its own link type and if_tsresol/if_tsoffset. A truncated last record is reported at `end()`; a record whose
 * length makes no sense ends the reading with an issue (there is no way to find the next record).
 */
export class CaptureReader {
  format: CaptureFormat | null = null;
  /** The link type of pcap files and of the first pcapng interface, for reports. */
  firstLinkType: number | null = null;
  /** Issues about the container itself (bad magic, truncated record, corrupt length). */
  readonly issues: Issue[] = [];
  readonly #frame = new ReusedFrame();
  readonly #onFrame: (frame: CapturedFrame) => void;
  readonly #maxRecord: number;
  readonly #path: string;
  #state: State = 'start';
  /** Bytes of an incomplete unit carried over from earlier chunks (a fresh buffer per unit: views escape). */
  #carry: Uint8Array = new Uint8Array(64);
  #carryLen = 0;
  /** File offset of the next unit. */
  #fileOffset = 0;
  #little = true;
  #nanos = false;
  /** pcap record header length: 16, or 24 for modified pcap. */
  #recordHeader = 16;
  #linkType = 0;
  #interfaces: PcapngInterface[] = [];

  constructor(path: string, onFrame: (frame: CapturedFrame) => void, options: CaptureReaderOptions = {}) {
    this.#path = path;
    this.#onFrame = onFrame;
    this.#maxRecord = options.maxRecordBytes ?? 256 << 20;
  }

  /** Bytes of the file read so far (whole units). */
  get offset(): number {
    return this.#fileOffset;
  }

  get failed(): boolean {
    return this.#state === 'failed';
  }

  push(input: Uint8Array): void {
    // A Node Buffer's subarray() goes through Buffer's own constructor; plain Uint8Array views are cheaper.
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let pos = 0;
    const n = chunk.length;
    if (this.failed) return;
    if (this.#carryLen > 0) {
      // Complete the unit that spans chunks: first its header (to learn its length), then its body.
      for (;;) {
        const need = this.#unitLength(this.#carry, 0, this.#carryLen);
        if (need === -2) return;
        const want = need === -1 ? this.#headerSize() : need;
        const take = Math.min(want - this.#carryLen, n - pos);
        if (want > this.#carry.length) {
          const bigger = new Uint8Array(want);
          bigger.set(this.#carry.subarray(0, this.#carryLen));
          this.#carry = bigger;
        }
        this.#carry.set(chunk.subarray(pos, pos + take), this.#carryLen);
        this.#carryLen += take;
        pos += take;
        if (this.#carryLen < want) return;
        if (need !== -1) break;
      }
      const unit = this.#carry;
      const len = this.#carryLen;
      this.#carry = new Uint8Array(64);
      this.#carryLen = 0;
      this.#consume(unit, 0, len);
      if (this.failed) return;
    }
    while (pos < n) {
      const need = this.#unitLength(chunk, pos, n);
      if (need === -2) return;
      if (need === -1 || pos + need > n) {
        const rest = n - pos;
        const size = need === -1 ? Math.max(64, this.#headerSize()) : need;
        this.#carry = new Uint8Array(Math.max(size, rest));
        this.#carry.set(chunk.subarray(pos, n));
        this.#carryLen = rest;
        return;
      }
      this.#consume(chunk, pos, need);
      pos += need;
      if (this.failed) return;
    }
  }

  /** Reports a unit cut short by the end of the file. */
  end(): void {
    if (this.#state === 'start' && this.#carryLen === 0 && this.#fileOffset === 0) {
      this.#fail('empty-capture', 'expected a pcap or pcapng header, found an empty file');
      return;
    }
    if (this.#carryLen > 0 && this.#state !== 'failed') {
      const what = this.#state === 'pcap-records' || this.#state === 'pcapng' ? 'record' : 'file header';
      const need = this.#unitLength(this.#carry, 0, this.#carryLen);
      this.issues.push({
        code: 'truncated-record',
        severity: 'warning',
        message: `expected a ${what} of ${need > 0 ? `${need} bytes` : 'at least a header'} at byte ${this.#fileOffset}, found the end of the file after ${this.#carryLen} bytes; the last record was dropped`,
        span: { start: this.#fileOffset, end: this.#fileOffset + this.#carryLen },
        origin: { path: this.#path, offset: this.#fileOffset, packet: this.#frame.packet + 1 },
      });
      this.#carryLen = 0;
    }
  }

  #headerSize(): number {
    switch (this.#state) {
      case 'start':
        return 12;
      case 'pcap-header':
        return 24;
      case 'pcap-records':
        return this.#recordHeader;
      default:
        return 12;
    }
  }

  #u32(b: Uint8Array, i: number): number {
    return this.#little
      ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
      : ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  #u16(b: Uint8Array, i: number): number {
    return this.#little ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!;
  }

  /** Length of the unit at b[pos..end): -1 when the header is not all there yet, -2 when reading failed. */
  #unitLength(b: Uint8Array, pos: number, end: number): number {
    const avail = end - pos;
    switch (this.#state) {
      case 'start': {
        if (avail < 4) return -1;
        const fmt = detectCapture(b.subarray(pos, Math.min(end, pos + 12)));
        if (fmt === 'pcap') {
          this.format = 'pcap';
          this.#state = 'pcap-header';
          return this.#unitLength(b, pos, end);
        }
        if (fmt === 'pcapng' && avail >= 12) {
          this.format = 'pcapng';
          this.#state = 'pcapng';
          return this.#unitLength(b, pos, end);
        }
        if (fmt === 'pcapng') return -1;
        this.#fail('not-a-capture', `expected a pcap or pcapng magic number at byte 0, found 0x${hex(b, pos, 4)}`);
        return -2;
      }
      case 'pcap-header':
        return 24;
      case 'pcap-records': {
        if (avail < this.#recordHeader) return -1;
        const incl = this.#u32(b, pos + 8);
        if (incl > this.#maxRecord) {
          this.#fail(
            'bad-record-length',
            `expected a record length of at most ${this.#maxRecord} bytes at byte ${this.#fileOffset}, found ${incl}; the rest of the file cannot be read`,
          );
          return -2;
        }
        return this.#recordHeader + incl;
      }
      case 'pcapng': {
        if (avail < 12) return -1;
        const type = ((b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!) >>> 0;
        if (type === PCAPNG_SHB) {
          // A new section may switch the byte order (pcapng §4.1): read its byte-order magic first.
          const bom = ((b[pos + 8]! << 24) | (b[pos + 9]! << 16) | (b[pos + 10]! << 8) | b[pos + 11]!) >>> 0;
          if (bom === PCAPNG_BOM) this.#little = false;
          else if (bom === 0x4d3c2b1a) this.#little = true;
          else {
            this.#fail('bad-byte-order-magic', `expected the pcapng byte-order magic at byte ${this.#fileOffset + 8}, found 0x${hex(b, pos + 8, 4)}`);
            return -2;
          }
        }
        const len = this.#u32(b, pos + 4);
        if (len < 12 || len % 4 !== 0 || len > this.#maxRecord) {
          this.#fail(
            'bad-block-length',
            `expected a pcapng block length that is a multiple of 4 between 12 and ${this.#maxRecord} at byte ${this.#fileOffset}, found ${len}; the rest of the file cannot be read`,
          );
          return -2;
        }
        return len;
      }
      default:
        return -2;
    }
  }

  #consume(b: Uint8Array, pos: number, len: number): void {
    const at = this.#fileOffset;
    this.#fileOffset += len;
    if (this.#state === 'pcap-records') {
      const f = this.#frame;
      f.packet++;
      f.offset = at;
      const sec = this.#u32(b, pos);
      const frac = this.#u32(b, pos + 4);
      f.time = sec * 1000 + (this.#nanos ? frac / 1e6 : frac / 1e3);
      f.linkType = this.#linkType;
      f.bytes = b;
      f.start = pos + this.#recordHeader;
      f.end = pos + len;
      f.wireLength = this.#u32(b, pos + 12);
      this.#onFrame(f);
      return;
    }
    if (this.#state === 'pcap-header') {
      const magicLe = (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
      this.#little = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS || magicLe === PCAP_MAGIC_MODIFIED;
      const magic = this.#u32(b, pos);
      this.#nanos = magic === PCAP_MAGIC_NS;
      if (magic === PCAP_MAGIC_MODIFIED) this.#recordHeader = 24;
      // The upper bits of the link-type field may hold FCS information; the type is the low 16 bits.
      this.#linkType = this.#u32(b, pos + 20) & 0xffff;
      this.firstLinkType = this.#linkType;
      this.#state = 'pcap-records';
      return;
    }
    this.#consumeBlock(b, pos, len, at);
  }

  #consumeBlock(b: Uint8Array, pos: number, len: number, at: number): void {
    const type = this.#u32(b, pos);
    const bodyEnd = pos + len - 4;
    switch (type) {
      case PCAPNG_SHB:
        this.#interfaces = [];
        return;
      case 1: {
        // Interface Description Block (pcapng §4.2).
        if (len < 20) return this.#badBlock(at, 'interface description block shorter than 20 bytes');
        const iface: PcapngInterface = { linkType: this.#u16(b, pos + 8), unitsPerSecond: 1e6, offsetSeconds: 0 };
        let o = pos + 16;
        while (o + 4 <= bodyEnd) {
          const code = this.#u16(b, o);
          const olen = this.#u16(b, o + 2);
          if (code === 0 || o + 4 + olen > bodyEnd) break;
          if (code === 9 && olen >= 1) {
            // if_tsresol: high bit clear = 10^-n, set = 2^-n seconds (pcapng §4.2).
            const v = b[o + 4]!;
            iface.unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
          } else if (code === 14 && olen >= 8) {
            // if_tsoffset: a 64-bit count of seconds, in the section's byte order.
            const first = this.#u32(b, o + 4);
            const second = this.#u32(b, o + 8);
            iface.offsetSeconds = this.#little ? first + second * 2 ** 32 : first * 2 ** 32 + second;
          }
          o += 4 + ((olen + 3) & ~3);
        }
        if (this.#interfaces.length === 0 && this.firstLinkType === null) this.firstLinkType = iface.linkType;
        this.#interfaces.push(iface);
        return;
      }
      case 6:
      case 2: {
        // Enhanced Packet Block (§4.3) and the obsolete Packet Block (interface id on 16 bits).
        if (len < 32) return this.#badBlock(at, 'packet block shorter than 32 bytes');
        const ifId = type === 6 ? this.#u32(b, pos + 8) : this.#u16(b, pos + 8);
        const hi = this.#u32(b, pos + 12);
        const lo = this.#u32(b, pos + 16);
        const capLen = this.#u32(b, pos + 20);
        const wire = this.#u32(b, pos + 24);
        const f = this.#frame;
        f.packet++;
        f.offset = at;
        const iface = this.#interfaces[ifId];
        if (iface === undefined) {
          this.issues.push({
            code: 'unknown-interface',
            severity: 'warning',
            message: `expected packet ${f.packet} to name one of the ${this.#interfaces.length} interfaces described before it, found interface ${ifId}; skipped`,
            origin: { path: this.#path, offset: at, packet: f.packet },
          });
          return;
        }
        const start = pos + 28;
        const end = Math.min(start + capLen, bodyEnd);
        f.time = timestampMs(hi, lo, iface);
        f.linkType = iface.linkType;
        f.bytes = b;
        f.start = start;
        f.end = end;
        f.wireLength = wire;
        this.#onFrame(f);
        return;
      }
      case 3: {
        // Simple Packet Block (§4.4): interface 0, no timestamp.
        if (len < 16) return this.#badBlock(at, 'simple packet block shorter than 16 bytes');
        const f = this.#frame;
        f.packet++;
        f.offset = at;
        const iface = this.#interfaces[0];
        if (iface === undefined) return;
        const wire = this.#u32(b, pos + 8);
        f.time = null;
        f.linkType = iface.linkType;
        f.bytes = b;
        f.start = pos + 12;
        f.end = Math.min(pos + 12 + wire, bodyEnd);
        f.wireLength = wire;
        this.#onFrame(f);
        return;
      }
      default:
        // Name resolution, statistics, custom and decryption-secrets blocks carry no packets.
        return;
    }
  }

  #badBlock(at: number, what: string): void {
    this.issues.push({
      code: 'bad-block',
      severity: 'warning',
      message: `expected a well-formed pcapng block at byte ${at}, found a ${what}; skipped`,
      origin: { path: this.#path, offset: at },
    });
  }

  #fail(code: string, message: string): void {
    this.#state = 'failed';
    this.issues.push({ code, severity: 'error', message, origin: { path: this.#path, offset: this.#fileOffset } });
  }
}

function timestampMs(hi: number, lo: number, iface: PcapngInterface): number {
  const units = iface.unitsPerSecond;
  // Split to keep precision: hi * 2^32 is exact in a double; the division is done per part.
  const whole = hi * 4294967296 + lo;
  if (units === 1e6) return whole / 1e3 + iface.offsetSeconds * 1000;
  if (units === 1e9) return whole / 1e6 + iface.offsetSeconds * 1000;
  return (whole / units) * 1000 + iface.offsetSeconds * 1000;
}

function hex(b: Uint8Array, pos: number, n: number): string {
  let s = '';
  for (let i = pos; i < pos + n && i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}
