import type { PcapPacket } from './pcap-writer.js';

/**
 * HEP version 3 (the Homer Encapsulation Protocol, sipcapture.org "HEP3 Network Protocol Specification"): "HEP3", the
 * total length, then chunks of vendor id, type id, length (header included) and value, all big-endian.
 */
const VENDOR_GENERIC = 0x0000;
const CHUNK = {
  ipFamily: 0x0001,
  ipProtocol: 0x0002,
  ipv4Src: 0x0003,
  ipv4Dst: 0x0004,
  ipv6Src: 0x0005,
  ipv6Dst: 0x0006,
  srcPort: 0x0007,
  dstPort: 0x0008,
  seconds: 0x0009,
  micros: 0x000a,
  protocolType: 0x000b,
  captureId: 0x000c,
  payload: 0x000f,
} as const;
/** HEP protocol type 1: SIP. */
const PROTOCOL_SIP = 1;
const AF_INET = 2;
const AF_INET6 = 10;

function chunk(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, VENDOR_GENERIC);
  v.setUint16(2, type);
  v.setUint16(4, out.length);
  out.set(value, 6);
  return out;
}

function u8(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff);
}

function u16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n);
  return b;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

/** Largest payload one HEP3 packet holds: its total length is 16 bits. */
export const HEP_MAX_PAYLOAD = 65_535 - 200;

/** Encodes one message as a HEP3 packet (protocol type SIP); undefined when it is too large for one packet. */
export function encodeHep3(packet: PcapPacket, captureId = 2001): Uint8Array | undefined {
  if (packet.payload.length > HEP_MAX_PAYLOAD) return undefined;
  const v6 = packet.src.ip.length === 16;
  const usec = Math.max(0, Math.round(packet.timeMs * 1000));
  const chunks = [
    chunk(CHUNK.ipFamily, u8(v6 ? AF_INET6 : AF_INET)),
    chunk(CHUNK.ipProtocol, u8(packet.transport === 'UDP' ? 17 : 6)),
    chunk(v6 ? CHUNK.ipv6Src : CHUNK.ipv4Src, packet.src.ip),
    chunk(v6 ? CHUNK.ipv6Dst : CHUNK.ipv4Dst, packet.dst.ip),
    chunk(CHUNK.srcPort, u16(packet.src.port)),
    chunk(CHUNK.dstPort, u16(packet.dst.port)),
    chunk(CHUNK.seconds, u32(Math.floor(usec / 1e6))),
    chunk(CHUNK.micros, u32(usec % 1e6)),
    chunk(CHUNK.protocolType, u8(PROTOCOL_SIP)),
    chunk(CHUNK.captureId, u32(captureId)),
    chunk(CHUNK.payload, packet.payload),
  ];
  const total = 6 + chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  out.set([0x48, 0x45, 0x50, 0x33], 0); // "HEP3"
  new DataView(out.buffer).setUint16(4, total);
  let at = 6;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
