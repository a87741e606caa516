import type { InputReport } from '../model/input-report.js';
import type { Issue } from '../model/issue.js';
import type { Transport } from '../model/message-meta.js';
import type { RawMessage } from '../model/raw-message.js';
import { decodeHep, hepPacketLength, looksLikeHep } from '../sources/hep.js';
import { CaptureReader, type CapturedFrame, type CaptureFormat } from '../sources/pcap/capture-reader.js';
import type { FragmentLimits } from '../sources/pcap/fragments.js';
import { describeLinkType, PacketDecoder, TCP_FIN, TCP_RST, TCP_SYN } from '../sources/pcap/packet-decoder.js';
import { classifySipStart, looksLikeSipStart, StreamFramer } from './stream-framer.js';
import { TcpReassembler, type TcpReassemblyLimits, type TcpSink } from './tcp-reassembly.js';
import { findHttpHeaderEnd, isWebSocketUpgrade, WebSocketDecoder } from './websocket.js';

export { detectCapture } from '../sources/pcap/capture-reader.js';

export interface FrameCaptureOptions extends FragmentLimits, TcpReassemblyLimits {
  /** The capture's name in origins and issues (`snapshot.zip!tmp/trace.pcap`). */
  readonly path: string;
  /** TCP directions followed at once; past it the oldest is flushed and forgotten. Default 8192. */
  readonly maxTcpStreams?: number;
  /** A SIP message (TCP, WebSocket) larger than this is cut, with an issue. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** Issues kept in the report; past it they are counted in one last issue. Default 1000. */
  readonly maxIssues?: number;
  /** A capture record larger than this is taken for corruption. Default 256 MiB. */
  readonly maxRecordBytes?: number;
  /**
   * Called once the file header is read: the container and the (first) link type, named (`ethernet`, `linux-sll2`),
   * for `InputReport.kind` / `format`.
   */
  readonly onHeader?: (header: { readonly format: CaptureFormat; readonly linkType: string }) => void;
}

const CR = 0x0d;
const LF = 0x0a;
const MAX_HTTP_HEAD = 16 << 10;
const MAX_HEP_PACKET = 65535;
/** TLS connections reported one by one; the rest are counted in one issue. */
const MAX_TLS_ISSUES = 20;
/** Shared by every message framed without a defect (never written to). */
const NO_ISSUES: readonly Issue[] = Object.freeze([]);

type FlowMode = 'unknown' | 'sip' | 'tls' | 'http' | 'ws' | 'hep' | 'other';

/** Where a stream's bytes came from: the frame that carried the byte before `end` (stream offset, exclusive). */
interface SegmentMark {
  end: number;
  packet: number;
  time: number | null;
  offset: number;
}

/** One direction of a TCP connection, followed from its first segment. */
class TcpFlow implements TcpSink {
  readonly reassembler: TcpReassembler;
  mode: FlowMode = 'unknown';
  framer: StreamFramer | null = null;
  /** Stream offset at which the current framer started. */
  framerBase = 0;
  ws: WebSocketDecoder | null = null;
  /** Bytes held while an HTTP head or a HEP packet is incomplete. */
  held: Uint8Array | null = null;
  /** Bytes delivered in order so far, gaps included. */
  streamEnd = 0;
  readonly marks: SegmentMark[] = [];
  lastPacket = 0;
  closed = false;

  constructor(
    readonly owner: CaptureFramer,
    readonly key: string,
    readonly src: string,
    readonly dst: string,
    limits: TcpReassemblyLimits,
    /** IPv4 source and destination as address * 65536 + port, or -1 for IPv6. */
    readonly near: number,
    readonly far: number,
  ) {
    this.reassembler = new TcpReassembler(this, limits);
  }

  data(bytes: Uint8Array): void {
    this.owner.streamData(this, bytes);
  }

  gap(missing: number): void {
    this.owner.streamGap(this, missing);
  }
}

/**
 * The synchronous engine behind `frameCapture`: push chunks of a pcap/pcapng file, take the SIP messages they
 * complete. Link layer, IP (fragments, tunnels), UDP, TCP (reassembly, Content-Length framing), WebSocket and HEP.
 */
export class CaptureFramer {
  readonly #path: string;
  readonly #report: InputReport;
  readonly #reader: CaptureReader;
  readonly #decoder: PacketDecoder;
  readonly #tcpLimits: TcpReassemblyLimits;
  readonly #maxStreams: number;
  readonly #maxMessage: number;
  readonly #maxIssues: number;
  #out: RawMessage[] = [];
  #readerIssues = 0;
  #issuesDropped = 0;
  /** Every followed direction by its text key, oldest first (for eviction). */
  readonly #flows = new Map<string, TcpFlow>();
  /** IPv4 directions by source and destination numbers, for the per-packet lookup. */
  readonly #v4Flows = new Map<number, Map<number, TcpFlow>>();
  readonly #skipReasons = new Map<string, number>();
  readonly #tlsReported = new Set<string>();
  #tlsUnreported = 0;
  // The frame being read.
  #packet = 0;
  #time: number | null = null;
  #offset = 0;
  #snapped = false;
  #lastSweep = 0;
  #onHeader: FrameCaptureOptions['onHeader'];

  constructor(options: FrameCaptureOptions, report: InputReport) {
    this.#onHeader = options.onHeader;
    this.#path = options.path;
    this.#report = report;
    this.#tcpLimits = options;
    this.#maxStreams = options.maxTcpStreams ?? 8192;
    this.#maxMessage = options.maxMessageBytes ?? 1 << 20;
    this.#maxIssues = options.maxIssues ?? 1000;
    this.#decoder = new PacketDecoder(options);
    const readerOptions = options.maxRecordBytes !== undefined ? { maxRecordBytes: options.maxRecordBytes } : {};
    this.#reader = new CaptureReader(options.path, (f) => this.#onFrame(f), readerOptions);
  }

  /** `pcap` or `pcapng` once the header was read. */
  get format(): CaptureFormat | null {
    return this.#reader.format;
  }

  /** The link type of the (first) interface, named (`ethernet`, `linux-sll2`), once known. */
  get linkType(): string | null {
    const t = this.#reader.firstLinkType;
    return t === null ? null : describeLinkType(t);
  }

  push(chunk: Uint8Array): RawMessage[] {
    this.#reader.push(chunk);
    this.#takeReaderIssues();
    if (this.#onHeader !== undefined) this.#announce();
    return this.#take();
  }

  #announce(): void {
    const format = this.#reader.format;
    const linkType = this.linkType;
    if (format === null || linkType === null || this.#onHeader === undefined) return;
    const onHeader = this.#onHeader;
    this.#onHeader = undefined;
    onHeader({ format, linkType });
  }

  end(): RawMessage[] {
    this.#reader.end();
    this.#takeReaderIssues();
    for (const flow of this.#flows.values()) this.#closeFlow(flow);
    this.#flows.clear();
    this.#v4Flows.clear();
    this.#decoder.fragments.flush();
    this.#takeFragmentIssues();
    if (this.#tlsUnreported > 0) {
      this.#report.issues.push({
        code: 'encrypted-sip',
        severity: 'warning',
        message: `found ${this.#tlsUnreported} more TLS connection directions beyond the ${MAX_TLS_ISSUES} listed (encrypted SIP, if they carry SIP); give a decrypted capture or the device's own log`,
        origin: { path: this.#path, offset: 0 },
      });
    }
    if (this.#skipReasons.size > 0) {
      const parts = [...this.#skipReasons].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${n} ${why}`);
      this.#report.issues.push({
        code: 'packets-skipped',
        severity: 'info',
        message: `passed over ${this.#report.skipped} packets that carried no SIP: ${parts.join(', ')}`,
        origin: { path: this.#path, offset: 0 },
      });
    }
    if (this.#issuesDropped > 0) {
      this.#report.issues.push({
        code: 'too-many-issues',
        severity: 'info',
        message: `expected at most ${this.#maxIssues} issues (maxIssues), found ${this.#issuesDropped} more; not listed`,
        origin: { path: this.#path, offset: 0 },
      });
    }
    return this.#take();
  }

  #take(): RawMessage[] {
    const out = this.#out;
    if (out.length > 0) this.#out = [];
    return out;
  }

  #issue(issue: Issue): void {
    if (this.#report.issues.length < this.#maxIssues) this.#report.issues.push(issue);
    else this.#issuesDropped++;
  }

  #takeReaderIssues(): void {
    const all = this.#reader.issues;
    while (this.#readerIssues < all.length) this.#issue(all[this.#readerIssues++]!);
  }

  #takeFragmentIssues(): void {
    const dropped = this.#decoder.fragments.dropped;
    if (dropped.length === 0) return;
    for (const d of dropped) {
      const why =
        d.reason === 'end'
          ? 'the capture ended first'
          : d.reason === 'timeout'
            ? 'no fragment came for too many packets (fragmentTimeoutPackets)'
            : 'too many fragments were held (maxFragmentedDatagrams / maxFragmentBytes)';
      this.#issue({
        code: 'fragments-incomplete',
        severity: 'warning',
        message: `expected every fragment of an IP datagram begun at packet ${d.firstPacket}, found ${d.fragments} fragments (${d.bytes} bytes) up to packet ${d.lastPacket}; ${why}, so the datagram was dropped`,
        origin: { path: this.#path, offset: 0, packet: d.firstPacket },
      });
      this.#report.skipped++;
      this.#countSkip('incomplete fragmented datagrams');
    }
    dropped.length = 0;
  }

  #countSkip(reason: string): void {
    this.#skipReasons.set(reason, (this.#skipReasons.get(reason) ?? 0) + 1);
  }

  #skip(reason: string): void {
    this.#report.skipped++;
    this.#countSkip(reason);
  }

  #onFrame(f: CapturedFrame): void {
    this.#packet = f.packet;
    this.#time = f.time;
    this.#offset = f.offset;
    this.#snapped = f.end - f.start < f.wireLength;
    const d = this.#decoder.decodeRange(f.linkType, f.bytes, f.start, f.end, f.packet);
    if (this.#decoder.fragments.dropped.length > 0) this.#takeFragmentIssues();
    switch (d.kind) {
      case 'udp':
        this.#udp();
        break;
      case 'tcp':
        this.#tcp();
        break;
      case 'fragment':
        break;
      default:
        this.#skip(d.skipReason);
    }
    if (f.packet - this.#lastSweep >= 65536) this.#sweepFlows();
  }

  #udp(): void {
    const d = this.#decoder.out;
    const p = d.payload;
    if (p.length === 0) return this.#skip('empty UDP datagrams');
    if (looksLikeSipStart(p, 0)) {
      const [src, dst] = this.#decoder.endpoints();
      const issues = d.truncated || this.#snapped ? [this.#truncatedIssue(p.length)] : NO_ISSUES;
      this.#emit(p, src, dst, 'UDP', issues, this.#time, this.#packet, this.#offset);
      return;
    }
    if (looksLikeHep(p)) return this.#hep(p);
    if (isKeepalive(p)) return this.#skip('keepalives');
    this.#skip('UDP payloads not SIP');
  }

  #truncatedIssue(length: number): Issue {
    return {
      code: 'packet-truncated',
      severity: 'warning',
      message: `expected the whole packet ${this.#packet}, found only ${length} bytes of its payload (the capture cut it: snaplen); the message is incomplete`,
      origin: { path: this.#path, offset: this.#offset, packet: this.#packet },
    };
  }

  #hep(p: Uint8Array): void {
    const h = decodeHep(p);
    if (!h.ok) {
      this.#issue({ ...h.issue, origin: { path: this.#path, offset: this.#offset, packet: this.#packet } });
      return this.#skip('bad HEP packets');
    }
    if ((h.payloadType !== undefined && h.payloadType !== 1) || !looksLikeSipStart(h.payload, 0)) {
      return this.#skip('HEP packets not SIP');
    }
    const [src, dst] = this.#decoder.endpoints();
    this.#emit(h.payload, h.src ?? src, h.dst ?? dst, h.transport ?? 'UDP', NO_ISSUES, h.time ?? this.#time, this.#packet, this.#offset);
  }

  #emit(
    bytes: Uint8Array,
    src: string,
    dst: string,
    transport: Transport,
    issues: readonly Issue[],
    time: number | null,
    packet: number,
    offset: number,
  ): void {
    this.#out.push({
      bytes,
      meta: {
        time,
        src,
        dst,
        transport,
        origin: { path: this.#path, offset, packet },
        format: this.#reader.format ?? 'pcap',
      },
      issues,
    });
    this.#report.messages++;
  }

  #tcp(): void {
    const d = this.#decoder.out;
    // IPv4 flows are found by number (address * 65536 + port on each side), without building text per packet.
    let near = -1;
    let far = -1;
    let flow: TcpFlow | undefined;
    if (d.ipVersion === 4) {
      const a = d.addr;
      near = (((a[d.srcAt]! << 24) | (a[d.srcAt + 1]! << 16) | (a[d.srcAt + 2]! << 8) | a[d.srcAt + 3]!) >>> 0) * 65536 + d.srcPort;
      far = (((a[d.dstAt]! << 24) | (a[d.dstAt + 1]! << 16) | (a[d.dstAt + 2]! << 8) | a[d.dstAt + 3]!) >>> 0) * 65536 + d.dstPort;
      flow = this.#v4Flows.get(near)?.get(far);
    } else {
      const [src, dst] = this.#decoder.endpoints();
      flow = this.#flows.get(`${src}>${dst}`);
    }
    const syn = (d.tcpFlags & TCP_SYN) !== 0;
    if (flow !== undefined && syn && (flow.closed || ((d.tcpSeq + 1) >>> 0 !== flow.reassembler.nextSeq && flow.reassembler.started))) {
      // A new connection on the same addresses and ports (a new initial sequence number), even without a FIN seen.
      if (!flow.closed) this.#closeFlow(flow);
      this.#forget(flow);
      flow = undefined;
    }
    if (flow === undefined) {
      if (d.payload.length === 0 && !syn) return;
      const [src, dst] = this.#decoder.endpoints();
      flow = new TcpFlow(this, `${src}>${dst}`, src, dst, this.#tcpLimits, near, far);
      this.#flows.set(flow.key, flow);
      if (near >= 0) {
        let inner = this.#v4Flows.get(near);
        if (inner === undefined) {
          inner = new Map();
          this.#v4Flows.set(near, inner);
        }
        inner.set(far, flow);
      }
      if (this.#flows.size > this.#maxStreams) this.#evictOldest();
    }
    flow.lastPacket = this.#packet;
    if (d.truncated || this.#snapped) {
      // A cut segment leaves a hole; the reassembler reports it as a gap when the next segment comes.
      this.#issue(this.#truncatedIssue(d.payload.length));
    }
    flow.reassembler.segment(d.tcpSeq, syn, d.payload);
    if ((d.tcpFlags & (TCP_FIN | TCP_RST)) !== 0) this.#closeFlow(flow);
  }

  #forget(flow: TcpFlow): void {
    this.#flows.delete(flow.key);
    if (flow.near >= 0) {
      const inner = this.#v4Flows.get(flow.near);
      inner?.delete(flow.far);
      if (inner !== undefined && inner.size === 0) this.#v4Flows.delete(flow.near);
    }
  }

  #evictOldest(): void {
    const oldest = this.#flows.values().next().value;
    if (oldest === undefined) return;
    this.#closeFlow(oldest);
    this.#forget(oldest);
  }

  /** Forgets closed connections nobody has sent on for a while (retransmissions after FIN are long over). */
  #sweepFlows(): void {
    this.#lastSweep = this.#packet;
    for (const flow of [...this.#flows.values()]) {
      if (flow.closed && this.#packet - flow.lastPacket > 65536) this.#forget(flow);
    }
  }

  #closeFlow(flow: TcpFlow): void {
    flow.reassembler.finish();
    if (flow.framer !== null) {
      for (const m of flow.framer.end()) this.#emitFramed(flow, m.bytes, m.offset, m.issues);
      flow.framer = null;
    }
    if (flow.held !== null && flow.held.length > 0) this.#skip('TCP data not SIP');
    flow.held = null;
    flow.closed = true;
  }

  /** In-order bytes of a TCP direction (called by the flow's reassembler). */
  streamData(flow: TcpFlow, bytes: Uint8Array): void {
    const marks = flow.marks;
    const last = marks[marks.length - 1];
    flow.streamEnd += bytes.length;
    if (last !== undefined && last.packet === this.#packet) last.end = flow.streamEnd;
    else marks.push({ end: flow.streamEnd, packet: this.#packet, time: this.#time, offset: this.#offset });
    if (flow.closed) {
      // Data after FIN/RST (seen when a capture reorders): start the stream afresh.
      flow.closed = false;
    }
    if (flow.mode === 'unknown') {
      // A first segment too short to tell (`HE`, `GE`) waits for the next one.
      const head = concat(flow.held, bytes);
      if (head.length < 8 && mayBeSignature(head)) {
        flow.held = head.slice();
        return;
      }
      flow.held = null;
      bytes = head;
      this.#classify(flow, bytes);
    }
    switch (flow.mode) {
      case 'sip':
        this.#framerPush(flow, bytes);
        break;
      case 'ws':
        this.#wsPush(flow, bytes);
        break;
      case 'http':
        this.#httpPush(flow, bytes);
        break;
      case 'hep':
        this.#hepPush(flow, bytes);
        break;
      case 'tls':
        marks.length = 0;
        this.#skip('TLS segments (encrypted)');
        break;
      default:
        marks.length = 0;
        this.#skip('TCP segments not SIP');
    }
  }

  /** A hole in a TCP direction that will never fill. */
  streamGap(flow: TcpFlow, missing: number): void {
    const gapIssue: Issue = {
      code: 'tcp-gap',
      severity: 'warning',
      message: `expected TCP stream ${flow.src} -> ${flow.dst} to go on at stream byte ${flow.streamEnd}, found ${missing} bytes never captured (resumes at packet ${this.#packet}); the message in progress is cut`,
      origin: { path: this.#path, offset: this.#offset, packet: this.#packet },
    };
    // Holes matter only where SIP was being read.
    if (flow.mode === 'sip') this.#issue(gapIssue);
    if (flow.framer !== null) {
      for (const m of flow.framer.end()) this.#emitFramed(flow, m.bytes, m.offset, [...m.issues, gapIssue]);
      flow.framer = null;
    }
    flow.streamEnd += missing;
    flow.marks.length = 0;
    flow.held = null;
    // WebSocket and HEP framing cannot be found again mid-stream; SIP start lines can (the framer skips to one).
    if (flow.mode === 'ws' || flow.mode === 'hep' || flow.mode === 'http') {
      flow.mode = 'other';
      flow.ws = null;
    } else if (flow.mode !== 'sip') flow.mode = 'unknown';
  }

  #classify(flow: TcpFlow, b: Uint8Array): void {
    const c0 = b[0]!;
    if (c0 === CR || c0 === LF || classifySipStart(b, 0, b.length) !== 0) {
      flow.mode = 'sip';
      return;
    }
    // TLS record (RFC 8446 §5.1): content type 20-23, legacy version 3.x.
    if (c0 >= 0x14 && c0 <= 0x17 && b.length >= 3 && b[1] === 3 && b[2]! <= 4) {
      flow.mode = 'tls';
      this.#reportTls(flow);
      return;
    }
    if (startsWith(b, 'GET ') || startsWith(b, 'HTTP/1.')) {
      flow.mode = 'http';
      return;
    }
    if (looksLikeHep(b)) flow.mode = 'hep';
  }

  #reportTls(flow: TcpFlow): void {
    const pair = flow.src < flow.dst ? `${flow.src}|${flow.dst}` : `${flow.dst}|${flow.src}`;
    if (this.#tlsReported.has(pair)) return;
    // One issue per connection for the first few; a capture full of HTTPS gets one summary line at the end instead.
    if (this.#tlsReported.size >= MAX_TLS_ISSUES) {
      this.#tlsUnreported++;
      return;
    }
    this.#tlsReported.add(pair);
    this.#issue({
      code: 'encrypted-sip',
      severity: 'warning',
      message: `expected readable SIP on TCP ${flow.src} -> ${flow.dst}, found TLS records (encrypted SIP, if this is a SIP connection); give a decrypted capture or the device's own log`,
      origin: { path: this.#path, offset: this.#offset, packet: this.#packet },
    });
  }

  #framerPush(flow: TcpFlow, bytes: Uint8Array): void {
    if (flow.framer === null) {
      // RFC 3261 §18.3: on a stream, Content-Length is mandatory; without it the body is empty.
      flow.framer = new StreamFramer({ maxMessageBytes: this.#maxMessage, lengthless: 'empty-body' });
      flow.framerBase = flow.streamEnd - bytes.length;
    }
    const framed = flow.framer.push(bytes);
    for (let i = 0; i < framed.length; i++) {
      const m = framed[i]!;
      this.#emitFramed(flow, m.bytes, m.offset, m.issues);
    }
    // Marks before the oldest byte the framer still holds are no longer needed.
    const keepFrom = flow.streamEnd - flow.framer.pending;
    const marks = flow.marks;
    let drop = 0;
    while (drop < marks.length - 1 && marks[drop]!.end <= keepFrom) drop++;
    if (drop > 0) marks.splice(0, drop);
  }

  /** Emits a message framed from a TCP stream, placed at the frame that carried its last byte. */
  #emitFramed(flow: TcpFlow, bytes: Uint8Array, framerOffset: number, issues: readonly Issue[]): void {
    if (!looksLikeSipStart(bytes, 0)) {
      // Bytes left over that are not SIP (the framer hands them out rather than drop them).
      for (const issue of issues) this.#issue({ ...issue, origin: { path: this.#path, offset: this.#offset, packet: this.#packet } });
      this.#skip('TCP data not SIP');
      return;
    }
    const lastByte = flow.framerBase + framerOffset + bytes.length - 1;
    this.#emitAt(flow, bytes, lastByte, issues, 'TCP');
  }

  #emitAt(flow: TcpFlow, bytes: Uint8Array, lastByte: number, issues: readonly Issue[], transport: Transport): void {
    let mark: SegmentMark | undefined;
    for (const m of flow.marks) {
      if (m.end > lastByte) {
        mark = m;
        break;
      }
    }
    if (mark === undefined) this.#emit(bytes, flow.src, flow.dst, transport, issues, this.#time, this.#packet, this.#offset);
    else this.#emit(bytes, flow.src, flow.dst, transport, issues, mark.time, mark.packet, mark.offset);
  }

  #httpPush(flow: TcpFlow, bytes: Uint8Array): void {
    const head = concat(flow.held, bytes);
    const end = findHttpHeaderEnd(head);
    if (end < 0) {
      if (head.length > MAX_HTTP_HEAD) {
        flow.mode = 'other';
        flow.held = null;
        this.#skip('TCP segments not SIP');
        return;
      }
      flow.held = head;
      return;
    }
    flow.held = null;
    flow.marks.length = 0;
    if (!isWebSocketUpgrade(head.subarray(0, end))) {
      // Plain HTTP (even on port 5060) is not SIP.
      flow.mode = 'other';
      this.#skip('TCP segments not SIP');
      return;
    }
    // RFC 6455 §4: after the handshake, frames follow on the same connection.
    flow.mode = 'ws';
    flow.ws = new WebSocketDecoder({ maxMessageBytes: this.#maxMessage });
    this.#skip('WebSocket handshakes');
    if (end < head.length) {
      const rest = head.subarray(end);
      flow.marks.push({ end: flow.streamEnd, packet: this.#packet, time: this.#time, offset: this.#offset });
      this.#wsPush(flow, rest);
    }
  }

  #wsPush(flow: TcpFlow, bytes: Uint8Array): void {
    const ws = flow.ws;
    if (ws === null) return;
    const messages = ws.push(bytes);
    for (const m of messages) {
      if (m.payload.length > 0 && looksLikeSipStart(m.payload, 0)) {
        this.#emit(m.payload, flow.src, flow.dst, 'WS', m.issues, this.#time, this.#packet, this.#offset);
      } else {
        for (const issue of m.issues) this.#issue({ ...issue, origin: { path: this.#path, offset: this.#offset, packet: this.#packet } });
        this.#skip('WebSocket messages not SIP');
      }
    }
    flow.marks.length = 0;
  }

  #hepPush(flow: TcpFlow, bytes: Uint8Array): void {
    let b = concat(flow.held, bytes);
    let p = 0;
    flow.marks.length = 0;
    for (;;) {
      if (b.length - p < 6) break;
      const len = hepPacketLength(b, p);
      if (!looksLikeHep(b, p) || len < 6 || len > MAX_HEP_PACKET) {
        this.#issue({
          code: 'bad-hep-stream',
          severity: 'error',
          message: `expected a HEP3 packet at byte ${flow.streamEnd - (b.length - p)} of TCP stream ${flow.src} -> ${flow.dst}, found something else; the rest of the connection is not read`,
          origin: { path: this.#path, offset: this.#offset, packet: this.#packet },
        });
        flow.mode = 'other';
        flow.held = null;
        return;
      }
      if (b.length - p < len) break;
      this.#hep(b.subarray(p, p + len));
      p += len;
    }
    b = b.subarray(p);
    flow.held = b.length > 0 ? b.slice() : null;
  }
}

function isKeepalive(p: Uint8Array): boolean {
  // RFC 5626 §4.4.1 CRLF keepalives, and the single-byte variants some phones send.
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c !== CR && c !== LF && c !== 0) return false;
  }
  return true;
}

/** Whether the few bytes seen could still become a HEP3, HTTP or TLS start. */
function mayBeSignature(b: Uint8Array): boolean {
  for (const sig of ['HEP3', 'GET ', 'HTTP/1.']) {
    let ok = true;
    for (let i = 0; i < b.length && i < sig.length; i++) if (b[i] !== sig.charCodeAt(i)) ok = false;
    if (ok) return true;
  }
  return b.length < 3 && b[0]! >= 0x14 && b[0]! <= 0x17;
}

function startsWith(b: Uint8Array, ascii: string): boolean {
  if (b.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (b[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

function concat(a: Uint8Array | null, b: Uint8Array): Uint8Array {
  if (a === null || a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Reads the SIP messages of a pcap or pcapng capture given as chunks of any size: link layers, IP fragments and
 * tunnels, UDP, TCP (reassembled, framed by Content-Length), SIP over WebSocket (RFC 7118) and HEP. Counts what is
 * not SIP in `report.skipped` and reports defects in `report.issues`; never throws on bad input.
 */
export function frameCapture(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: FrameCaptureOptions,
  report: InputReport,
): AsyncIterable<RawMessage> {
  return {
    [Symbol.asyncIterator]: () => new CaptureIterator(iteratorOf(chunks), new CaptureFramer(options, report)),
  };
}

/** frameCapture, giving the messages of each chunk together (no promise per message on the hot path). */
export async function* frameCaptureBatches(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: FrameCaptureOptions,
  report: InputReport,
): AsyncIterable<RawMessage[]> {
  const framer = new CaptureFramer(options, report);
  for await (const chunk of chunks) {
    const batch = framer.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const last = framer.end();
  if (last.length > 0) yield last;
}

/** The chunks' iterator; a plain (sync) iterable of chunks is taken too, as `for await` would. */
function iteratorOf(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> {
  if (Symbol.asyncIterator in chunks) return chunks[Symbol.asyncIterator]();
  const sync = chunks[Symbol.iterator]();
  return {
    next: () => Promise.resolve(sync.next()),
    return: () => Promise.resolve(sync.return?.() ?? { value: undefined, done: true }),
  };
}

/**
 * Hands out the messages of each chunk one by one. Written by hand rather than as an async generator: a generator's
 * `yield` costs several microtask turns per message, which at a million messages is a good part of the run time.
 */
class CaptureIterator implements AsyncIterator<RawMessage> {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #framer: CaptureFramer;
  #batch: RawMessage[] = [];
  #next = 0;
  #ended = false;

  constructor(source: AsyncIterator<Uint8Array>, framer: CaptureFramer) {
    this.#source = source;
    this.#framer = framer;
  }

  async next(): Promise<IteratorResult<RawMessage>> {
    while (this.#next >= this.#batch.length) {
      if (this.#ended) return { value: undefined, done: true };
      const r = await this.#source.next();
      if (r.done === true) {
        this.#ended = true;
        this.#batch = this.#framer.end();
      } else {
        this.#batch = this.#framer.push(r.value);
      }
      this.#next = 0;
    }
    return { value: this.#batch[this.#next++]!, done: false };
  }

  /** The consumer stopped early: let the source close (a file stream releases its descriptor). */
  async return(): Promise<IteratorResult<RawMessage>> {
    this.#ended = true;
    this.#batch = [];
    await this.#source.return?.();
    return { value: undefined, done: true };
  }
}
