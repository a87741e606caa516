/**
 * A small pcap (libpcap 2.4, microsecond, LINKTYPE_ETHERNET) writer: Ethernet + IPv4/IPv6 + UDP or TCP, with real
 * checksums so Wireshark and sngrep show no errors. Pure: it returns bytes, the caller writes them.
 */

export interface Endpoint {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  readonly ip: Uint8Array;
  readonly port: number;
}

export interface PcapPacket {
  /** Milliseconds since the Unix epoch (fractions kept to the microsecond). */
  readonly timeMs: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly transport: 'UDP' | 'TCP';
  readonly payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262_144;
/** Largest TCP payload per segment we write: keeps IPv4 total length (16 bits) and common tools happy. */
const TCP_SEGMENT = 32_000;
/** Largest UDP payload over IPv4 (65535 − 20 − 8); larger messages are written as TCP. */
const UDP_MAX = 65_507;

/** The 24-byte global header (little-endian, magic a1b2c3d4). */
export function encodePcapHeader(): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  return b;
}

/** Ones' complement sum over bytes (RFC 1071), continuing from `sum`. */
function sum16(bytes: Uint8Array, sum = 0): number {
  let s = sum;
  const n = bytes.length;
  for (let i = 0; i + 1 < n; i += 2) s += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (n % 2 === 1) s += (bytes[n - 1] ?? 0) << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function fold(sum: number): number {
  const c = ~sum & 0xffff;
  return c;
}

/** Transport checksum with the IPv4 or IPv6 pseudo-header (RFC 768, RFC 793, RFC 8200 §8.1). */
function transportChecksum(src: Uint8Array, dst: Uint8Array, proto: number, segment: Uint8Array): number {
  let s = sum16(src);
  s = sum16(dst, s);
  const len = segment.length;
  if (src.length === 4) s += proto + len;
  else s += ((len >>> 16) & 0xffff) + (len & 0xffff) + proto;
  s = sum16(segment, s);
  const c = fold(s);
  // RFC 768: a computed UDP checksum of zero is sent as all ones.
  return c === 0 && proto === 17 ? 0xffff : c;
}

/** Keeps TCP sequence numbers per direction, so the segments of one connection read as one stream. */
export class TcpState {
  private readonly next = new Map<string, number>();
  private key(src: Endpoint, dst: Endpoint): string {
    return `${src.ip.join('.')}|${src.port}|${dst.ip.join('.')}|${dst.port}`;
  }
  /** Returns [seq, ack] for a segment of `length` bytes and advances the stream. */
  take(src: Endpoint, dst: Endpoint, length: number): [number, number] {
    const k = this.key(src, dst);
    const back = this.key(dst, src);
    const seq = this.next.get(k) ?? 1;
    const ack = this.next.get(back) ?? 1;
    this.next.set(k, (seq + length) >>> 0);
    if (!this.next.has(back)) this.next.set(back, 1);
    return [seq, ack];
  }
}

/** Encodes one message as one or more pcap records (TCP bodies larger than a segment are split). */
export function encodePcapRecords(packet: PcapPacket, tcp: TcpState, ipId: { value: number }): Uint8Array[] {
  const transport = packet.transport === 'UDP' && packet.payload.length > UDP_MAX ? 'TCP' : packet.transport;
  const chunks: Uint8Array[] = [];
  if (transport === 'UDP') chunks.push(packet.payload);
  else for (let o = 0; o < packet.payload.length || o === 0; o += TCP_SEGMENT) chunks.push(packet.payload.subarray(o, o + TCP_SEGMENT));
  return chunks.map((chunk) => encodeFrame(packet, transport, chunk, tcp, ipId));
}

function encodeFrame(packet: PcapPacket, transport: 'UDP' | 'TCP', payload: Uint8Array, tcp: TcpState, ipId: { value: number }): Uint8Array {
  const v6 = packet.src.ip.length === 16;
  const proto = transport === 'UDP' ? 17 : 6;
  const l4Header = transport === 'UDP' ? 8 : 20;
  const segment = new Uint8Array(l4Header + payload.length);
  const sv = new DataView(segment.buffer);
  sv.setUint16(0, packet.src.port);
  sv.setUint16(2, packet.dst.port);
  if (transport === 'UDP') {
    sv.setUint16(4, segment.length);
  } else {
    const [seq, ack] = tcp.take(packet.src, packet.dst, payload.length);
    sv.setUint32(4, seq);
    sv.setUint32(8, ack);
    sv.setUint8(12, 5 << 4);
    sv.setUint8(13, 0x18); // PSH, ACK
    sv.setUint16(14, 65_535);
  }
  segment.set(payload, l4Header);
  const sum = transportChecksum(packet.src.ip, packet.dst.ip, proto, segment);
  sv.setUint16(transport === 'UDP' ? 6 : 16, sum);

  const ipHeader = v6 ? 40 : 20;
  const frameLen = 14 + ipHeader + segment.length;
  const rec = new Uint8Array(16 + frameLen);
  const rv = new DataView(rec.buffer);
  const usec = Math.max(0, Math.round(packet.timeMs * 1000));
  rv.setUint32(0, Math.floor(usec / 1e6), true);
  rv.setUint32(4, usec % 1e6, true);
  rv.setUint32(8, frameLen, true);
  rv.setUint32(12, frameLen, true);
  // Ethernet II: locally administered MACs, ether type IPv4 or IPv6.
  rec.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 16);
  rv.setUint16(28, v6 ? 0x86dd : 0x0800);
  const ip = 30;
  if (v6) {
    rv.setUint32(ip, 6 << 28);
    rv.setUint16(ip + 4, segment.length);
    rv.setUint8(ip + 6, proto);
    rv.setUint8(ip + 7, 64);
    rec.set(packet.src.ip, ip + 8);
    rec.set(packet.dst.ip, ip + 24);
  } else {
    rv.setUint8(ip, 0x45);
    rv.setUint16(ip + 2, 20 + segment.length);
    rv.setUint16(ip + 4, ipId.value & 0xffff);
    ipId.value++;
    rv.setUint16(ip + 6, 0x4000); // DF
    rv.setUint8(ip + 8, 64);
    rv.setUint8(ip + 9, proto);
    rec.set(packet.src.ip, ip + 12);
    rec.set(packet.dst.ip, ip + 16);
    rv.setUint16(ip + 10, fold(sum16(rec.subarray(ip, ip + 20))));
  }
  rec.set(segment, ip + ipHeader);
  return rec;
}

/** Encodes a whole capture: the header, then every packet in order. */
export function encodePcap(packets: Iterable<PcapPacket>): Uint8Array[] {
  const out = [encodePcapHeader()];
  const tcp = new TcpState();
  const ipId = { value: 1 };
  for (const p of packets) out.push(...encodePcapRecords(p, tcp, ipId));
  return out;
}

/** Reads `a.b.c.d` into 4 bytes, or undefined. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (p.length === 0 || p.length > 3 || !/^\d+$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** Reads an IPv6 literal (with `::` and an optional IPv4 tail, no zone) into 16 bytes, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const toWords = (part: string): number[] | undefined => {
    if (part === '') return [];
    const words: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return undefined;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      words.push(parseInt(g, 16));
    }
    return words;
  };
  const head = toWords(halves[0] ?? '');
  const tail = halves.length === 2 ? toWords(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const words = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => 0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** Splits `ip:port`, `[v6]:port`, `ip` into address bytes and port; undefined for a name or a label. */
export function parseEndpoint(text: string, defaultPort: number): Endpoint | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const ip = parseIpv6(text.slice(1, close));
    const rest = text.slice(close + 1);
    const port = rest.startsWith(':') ? Number(rest.slice(1)) : defaultPort;
    return ip && Number.isInteger(port) && port > 0 && port < 65536 ? { ip, port } : undefined;
  }
  const colons = text.split(':').length - 1;
  if (colons >= 2) {
    const ip = parseIpv6(text);
    return ip ? { ip, port: defaultPort } : undefined;
  }
  const [host = '', portText] = text.split(':');
  const ip = parseIpv4(host);
  const port = portText === undefined ? defaultPort : Number(portText);
  return ip && Number.isInteger(port) && port > 0 && port < 65536 ? { ip, port } : undefined;
}
