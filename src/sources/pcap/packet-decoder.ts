import { FragmentReassembler, type FragmentLimits } from './fragments.js';
import { formatEndpoint } from './ip-address.js';

/** LINKTYPE_* values (tcpdump.org/linktypes.html) that the decoder reads. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OPENBSD: 12,
  RAW_BSDOS: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** A name for a link type, for reports. */
export function describeLinkType(linkType: number): string {
  switch (linkType) {
    case LinkType.NULL:
      return 'null-loopback';
    case LinkType.ETHERNET:
      return 'ethernet';
    case LinkType.RAW:
    case LinkType.RAW_OPENBSD:
    case LinkType.RAW_BSDOS:
      return 'raw-ip';
    case LinkType.LOOP:
      return 'loop';
    case LinkType.LINUX_SLL:
      return 'linux-sll';
    case LinkType.LINUX_SLL2:
      return 'linux-sll2';
    case LinkType.IPV4:
      return 'raw-ipv4';
    case LinkType.IPV6:
      return 'raw-ipv6';
    default:
      return `linktype-${linkType}`;
  }
}

/**
 * What one frame held, down to UDP or TCP. The decoder reuses one object for every frame: nothing is allocated for
 * packets that are passed over. Addresses stay as bytes (`addr` at `srcAt`/`dstAt`) until `endpoints()` is called.
 */
export interface DecodedPacket {
  /** `udp`/`tcp` when a transport header was read; otherwise why the frame was passed over. */
  kind: 'udp' | 'tcp' | 'skip' | 'fragment';
  /** For `skip`: a short reason (`not-ip`, `ip-proto-50`, `gre-version-1`, `short-frame`, …). */
  skipReason: string;
  ipVersion: 4 | 6;
  addr: Uint8Array;
  srcAt: number;
  dstAt: number;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  /** The capture cut the payload short (snaplen) or the IP length claims more than the frame holds. */
  truncated: boolean;
  tcpSeq: number;
  tcpFlags: number;
  /** Set when the payload was put together from IP fragments. */
  reassembled: boolean;
  /** Tunnels crossed (IP-in-IP, GRE). */
  tunnels: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;

const MAX_TUNNEL_DEPTH = 8;

/** Link layer to UDP/TCP: Ethernet (802.1Q, QinQ), Linux SLL/SLL2, raw IP, BSD loopback; IPv4/IPv6; tunnels. */
export class PacketDecoder {
  readonly fragments: FragmentReassembler;
  readonly out: DecodedPacket = {
    kind: 'skip',
    skipReason: '',
    ipVersion: 4,
    addr: new Uint8Array(0),
    srcAt: 0,
    dstAt: 0,
    srcPort: 0,
    dstPort: 0,
    payload: new Uint8Array(0),
    truncated: false,
    tcpSeq: 0,
    tcpFlags: 0,
    reassembled: false,
    tunnels: 0,
  };
  #packet = 0;

  constructor(limits: FragmentLimits = {}) {
    this.fragments = new FragmentReassembler(limits);
  }

  /** `ip:port` of both ends of the last decoded packet. */
  endpoints(): [src: string, dst: string] {
    const o = this.out;
    return [formatEndpoint(o.addr, o.srcAt, o.ipVersion, o.srcPort), formatEndpoint(o.addr, o.dstAt, o.ipVersion, o.dstPort)];
  }

  /** Decodes one frame; the result is in `out` (and returned). `packet` numbers fragments for reports. */
  decode(linkType: number, data: Uint8Array, packet: number): DecodedPacket {
    return this.decodeRange(linkType, data, 0, data.length, packet);
  }

  /** decode() of the frame in data[s, end), without a view of it. */
  decodeRange(linkType: number, data: Uint8Array, s: number, end: number, packet: number): DecodedPacket {
    const o = this.out;
    o.kind = 'skip';
    o.skipReason = '';
    o.truncated = false;
    o.reassembled = false;
    o.tunnels = 0;
    this.#packet = packet;
    const n = end - s;
    switch (linkType) {
      case LinkType.ETHERNET:
        if (n < 14) return this.#skip('short-frame');
        this.#etherType(data, s + 12, s + 14, end);
        break;
      case LinkType.LINUX_SLL:
        // Linux cooked v1: 16 bytes, protocol type last.
        if (n < 16) return this.#skip('short-frame');
        this.#etherType(data, s + 14, s + 16, end);
        break;
      case LinkType.LINUX_SLL2:
        // Linux cooked v2: protocol type first, 20 bytes in all.
        if (n < 20) return this.#skip('short-frame');
        this.#etherType(data, s, s + 20, end);
        break;
      case LinkType.RAW:
      case LinkType.RAW_OPENBSD:
      case LinkType.RAW_BSDOS:
      case LinkType.IPV4:
      case LinkType.IPV6:
        this.#ip(data, s, end, 0);
        break;
      case LinkType.NULL:
      case LinkType.LOOP: {
        if (n < 4) return this.#skip('short-frame');
        // DLT_NULL holds the address family in the capturing host's byte order, DLT_LOOP in network order; the
        // values are small, so whichever end holds the non-zero byte tells the order.
        const family = data[s] === 0 && data[s + 1] === 0 ? data[s + 3]! | (data[s + 2]! << 8) : data[s]! | (data[s + 1]! << 8);
        if (family === 2 || family === 24 || family === 28 || family === 30 || family === 10) this.#ip(data, s + 4, end, 0);
        else this.#skip(`address-family-${family}`);
        break;
      }
      default:
        this.#skip(`linktype-${linkType}`);
    }
    return o;
  }

  #skip(reason: string): DecodedPacket {
    this.out.kind = 'skip';
    this.out.skipReason = reason;
    return this.out;
  }

  /** Dispatches on an EtherType at `typeAt`, the payload starting at `start` and the frame ending at `end`; VLAN tags and PPPoE are crossed. */
  #etherType(b: Uint8Array, typeAt: number, start: number, end: number): void {
    let type = (b[typeAt]! << 8) | b[typeAt + 1]!;
    let p = start;
    // IEEE 802.1Q (0x8100), 802.1ad QinQ (0x88a8) and the older 0x9100: 4 bytes each, any number of them.
    while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
      if (p + 4 > end) return void this.#skip('short-frame');
      type = (b[p + 2]! << 8) | b[p + 3]!;
      p += 4;
    }
    if (type === 0x0800 || type === 0x86dd) return this.#ip(b, p, end, 0);
    if (type === 0x8864) {
      // PPPoE session (RFC 2516): 6 bytes of PPPoE, 2 of PPP protocol.
      if (p + 8 > end) return void this.#skip('short-frame');
      const ppp = (b[p + 6]! << 8) | b[p + 7]!;
      if (ppp === 0x0021 || ppp === 0x0057) return this.#ip(b, p + 8, end, 0);
      return void this.#skip(`ppp-${ppp.toString(16)}`);
    }
    if (type === 0x8847) {
      // MPLS unicast: labels up to the bottom-of-stack bit, then IP by its version nibble.
      while (p + 4 <= end) {
        const bottom = (b[p + 2]! & 1) === 1;
        p += 4;
        if (bottom) return this.#ip(b, p, end, 0);
      }
      return void this.#skip('short-frame');
    }
    this.#skip(type < 0x0600 ? 'llc' : `ethertype-${type.toString(16).padStart(4, '0')}`);
  }

  /** IPv4 or IPv6 at b[p..end), by the version nibble. */
  #ip(b: Uint8Array, p: number, end: number, depth: number): void {
    if (p >= end) return void this.#skip('short-frame');
    const v = b[p]! >> 4;
    if (v === 4) this.#ipv4(b, p, end, depth);
    else if (v === 6) this.#ipv6(b, p, end, depth);
    else this.#skip(`ip-version-${v}`);
  }

  #ipv4(b: Uint8Array, p: number, end: number, depth: number): void {
    const o = this.out;
    if (end - p < 20) return void this.#skip('short-frame');
    const ihl = (b[p]! & 0x0f) * 4;
    const total = (b[p + 2]! << 8) | b[p + 3]!;
    if (ihl < 20 || total < ihl) return void this.#skip('bad-ip-header');
    let stop = p + total;
    // Ethernet pads short frames: the IP total length says where the datagram ends (RFC 791 §3.1).
    if (stop > end) {
      o.truncated = true;
      stop = end;
    }
    if (p + ihl > stop) return void this.#skip('short-frame');
    const proto = b[p + 9]!;
    o.ipVersion = 4;
    o.addr = b;
    o.srcAt = p + 12;
    o.dstAt = p + 16;
    const flagsOffset = (b[p + 6]! << 8) | b[p + 7]!;
    const more = (flagsOffset & 0x2000) !== 0;
    const fragOffset = (flagsOffset & 0x1fff) * 8;
    if (more || fragOffset > 0) {
      const id = (b[p + 4]! << 8) | b[p + 5]!;
      const key = `4|${b[p + 12]}.${b[p + 13]}.${b[p + 14]}.${b[p + 15]}|${b[p + 16]}.${b[p + 17]}.${b[p + 18]}.${b[p + 19]}|${id}|${proto}`;
      const whole = this.fragments.add(key, fragOffset, more, b.subarray(p + ihl, stop), this.#packet);
      if (whole === null) {
        o.kind = 'fragment';
        return;
      }
      // The outer header (addresses) stays valid in `b`; the payload is the reassembled buffer.
      o.reassembled = true;
      return this.#transport(proto, whole, 0, whole.length, depth);
    }
    this.#transport(proto, b, p + ihl, stop, depth);
  }

  #ipv6(b: Uint8Array, p: number, end: number, depth: number): void {
    const o = this.out;
    if (end - p < 40) return void this.#skip('short-frame');
    const payloadLength = (b[p + 4]! << 8) | b[p + 5]!;
    let stop = payloadLength === 0 ? end : p + 40 + payloadLength; // 0: a jumbogram (RFC 2675), take the frame
    if (stop > end) {
      o.truncated = true;
      stop = end;
    }
    o.ipVersion = 6;
    o.addr = b;
    o.srcAt = p + 8;
    o.dstAt = p + 24;
    let next = b[p + 6]!;
    let q = p + 40;
    // RFC 8200 §4: walk the extension headers to the upper layer.
    for (;;) {
      if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
        if (q + 8 > stop) return void this.#skip('short-frame');
        next = b[q]!;
        q += (b[q + 1]! + 1) * 8;
        continue;
      }
      if (next === 51) {
        // RFC 4302 §2.2: the AH length is in 4-byte units, minus 2.
        if (q + 8 > stop) return void this.#skip('short-frame');
        next = b[q]!;
        q += (b[q + 1]! + 2) * 4;
        continue;
      }
      if (next === 44) {
        // RFC 8200 §4.5: fragment header, 8 bytes.
        if (q + 8 > stop) return void this.#skip('short-frame');
        const inner = b[q]!;
        const offMore = (b[q + 2]! << 8) | b[q + 3]!;
        const fragOffset = offMore & 0xfff8;
        const more = (offMore & 1) === 1;
        const id = ((b[q + 4]! << 24) | (b[q + 5]! << 16) | (b[q + 6]! << 8) | b[q + 7]!) >>> 0;
        if (fragOffset === 0 && !more) {
          // An atomic fragment (RFC 6946): nothing to reassemble.
          next = inner;
          q += 8;
          continue;
        }
        const key = `6|${hex16(b, p + 8)}|${hex16(b, p + 24)}|${id}`;
        const whole = this.fragments.add(key, fragOffset, more, b.subarray(q + 8, stop), this.#packet);
        if (whole === null) {
          o.kind = 'fragment';
          return;
        }
        o.reassembled = true;
        // The reassembled payload starts with the header the fragment header named (maybe more extensions).
        return this.#ipv6Upper(inner, whole, 0, whole.length, depth);
      }
      break;
    }
    if (q > stop) return void this.#skip('short-frame');
    this.#transport(next, b, q, stop, depth);
  }

  /** Continues an IPv6 header chain in a reassembled payload. */
  #ipv6Upper(next: number, b: Uint8Array, q: number, stop: number, depth: number): void {
    while (next === 0 || next === 43 || next === 60 || next === 135) {
      if (q + 8 > stop) return void this.#skip('short-frame');
      next = b[q]!;
      q += (b[q + 1]! + 1) * 8;
    }
    if (q > stop) return void this.#skip('short-frame');
    this.#transport(next, b, q, stop, depth);
  }

  #transport(proto: number, b: Uint8Array, p: number, stop: number, depth: number): void {
    const o = this.out;
    switch (proto) {
      case 17: {
        // RFC 768: 8-byte header; the length field bounds the payload.
        if (stop - p < 8) return void this.#skip('short-frame');
        const len = (b[p + 4]! << 8) | b[p + 5]!;
        let e = p + len;
        if (len < 8) e = stop;
        else if (e > stop) {
          o.truncated = true;
          e = stop;
        }
        o.kind = 'udp';
        o.srcPort = (b[p]! << 8) | b[p + 1]!;
        o.dstPort = (b[p + 2]! << 8) | b[p + 3]!;
        o.payload = b.subarray(p + 8, e);
        return;
      }
      case 6: {
        // RFC 9293 §3.1: data offset in 4-byte words.
        if (stop - p < 20) return void this.#skip('short-frame');
        const hl = (b[p + 12]! >> 4) * 4;
        if (hl < 20 || p + hl > stop) return void this.#skip('bad-tcp-header');
        o.kind = 'tcp';
        o.srcPort = (b[p]! << 8) | b[p + 1]!;
        o.dstPort = (b[p + 2]! << 8) | b[p + 3]!;
        o.tcpSeq = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
        o.tcpFlags = b[p + 13]!;
        o.payload = b.subarray(p + hl, stop);
        return;
      }
      case 4:
      case 41:
        // IP-in-IP (RFC 2003) and IPv6-in-IP (RFC 4213): the inner packet's addresses win.
        if (depth >= MAX_TUNNEL_DEPTH) return void this.#skip('tunnel-depth');
        o.tunnels++;
        return this.#ip(b, p, stop, depth + 1);
      case 47:
        if (depth >= MAX_TUNNEL_DEPTH) return void this.#skip('tunnel-depth');
        o.tunnels++;
        return this.#gre(b, p, stop, depth + 1);
      default:
        this.#skip(`ip-proto-${proto}`);
    }
  }

  /** GRE (RFC 2784, keys and sequence numbers RFC 2890), with Ethernet bridging and ERSPAN I/II/III inside. */
  #gre(b: Uint8Array, p: number, stop: number, depth: number): void {
    if (stop - p < 4) return void this.#skip('short-frame');
    const flags = (b[p]! << 8) | b[p + 1]!;
    const version = flags & 7;
    if (version !== 0) return void this.#skip(`gre-version-${version}`);
    const type = (b[p + 2]! << 8) | b[p + 3]!;
    let q = p + 4;
    if (flags & 0x8000) q += 4; // checksum + reserved
    if (flags & 0x2000) q += 4; // key
    const hasSeq = (flags & 0x1000) !== 0;
    if (hasSeq) q += 4;
    if (q > stop) return void this.#skip('short-frame');
    switch (type) {
      case 0x0800:
      case 0x86dd:
        return this.#ip(b, q, stop, depth);
      case 0x6558:
        return this.#ethernetAt(b, q, stop, depth);
      case 0x88be:
        // ERSPAN type II carries an 8-byte header and sets the sequence bit; type I has neither.
        return this.#ethernetAt(b, hasSeq ? q + 8 : q, stop, depth);
      case 0x22eb: {
        // ERSPAN type III: 12 bytes, plus an 8-byte platform subheader when the O bit (last bit) is set.
        if (q + 12 > stop) return void this.#skip('short-frame');
        const sub = (b[q + 11]! & 1) === 1 ? 8 : 0;
        return this.#ethernetAt(b, q + 12 + sub, stop, depth);
      }
      default:
        this.#skip(`gre-type-${type.toString(16)}`);
    }
  }

  #ethernetAt(b: Uint8Array, p: number, stop: number, depth: number): void {
    if (stop - p < 14) return void this.#skip('short-frame');
    // Every read is bounded by `stop`, so the inner frame needs no view of its own.
    let type = (b[p + 12]! << 8) | b[p + 13]!;
    let q = p + 14;
    while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
      if (q + 4 > stop) return void this.#skip('short-frame');
      type = (b[q + 2]! << 8) | b[q + 3]!;
      q += 4;
    }
    if (type === 0x0800 || type === 0x86dd) return this.#ip(b, q, stop, depth);
    this.#skip(`ethertype-${type.toString(16).padStart(4, '0')}`);
  }
}

function hex16(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < at + 16; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}
