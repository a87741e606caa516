// Writers for generated traffic: classic pcap (Ethernet/IPv4/UDP), pcapng (SHB, IDB, EPB) and a PJSIP-style log
// as the proxy would write it. Output goes through a sink in large batches so a 5 GB stream costs little memory.
import type { GeneratedPacket } from './traffic.js';
import { formatIp } from './traffic.js';

export type TrafficFormat = 'pcap' | 'pcapng' | 'pjsip';

/** Bytes per packet that the capture formats add around the SIP text (record header, Ethernet, IPv4, UDP). */
export const CAPTURE_OVERHEAD = { pcap: 16 + 42, pcapng: 32 + 42 + 4, pjsip: 150 } as const;

export function fileHeader(format: TrafficFormat): Buffer {
  if (format === 'pcap') {
    const b = Buffer.alloc(24);
    b.writeUInt32LE(0xa1b2c3d4, 0); // microsecond pcap, little-endian
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeUInt32LE(65535, 16);
    b.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    return b;
  }
  if (format === 'pcapng') {
    const shb = Buffer.alloc(28);
    shb.writeUInt32LE(0x0a0d0d0a, 0);
    shb.writeUInt32LE(28, 4);
    shb.writeUInt32LE(0x1a2b3c4d, 8);
    shb.writeUInt16LE(1, 12);
    shb.writeBigInt64LE(-1n, 16); // section length unknown
    shb.writeUInt32LE(28, 24);
    const idb = Buffer.alloc(20);
    idb.writeUInt32LE(1, 0);
    idb.writeUInt32LE(20, 4);
    idb.writeUInt16LE(1, 8); // LINKTYPE_ETHERNET
    idb.writeUInt32LE(65535, 12);
    idb.writeUInt32LE(20, 16);
    return Buffer.concat([shb, idb]);
  }
  return Buffer.alloc(0);
}

function writeFrame(out: Buffer, at: number, p: GeneratedPacket, payloadLength: number): number {
  // Ethernet II: made-up locally administered MACs derived from the IPs.
  out.writeUInt16BE(0x0200, at);
  out.writeUInt32BE(p.dst[0], at + 2);
  out.writeUInt16BE(0x0200, at + 6);
  out.writeUInt32BE(p.src[0], at + 8);
  out.writeUInt16BE(0x0800, at + 12);
  const ipAt = at + 14;
  const total = 20 + 8 + payloadLength;
  out.writeUInt8(0x45, ipAt);
  out.writeUInt8(0, ipAt + 1);
  out.writeUInt16BE(total, ipAt + 2);
  out.writeUInt16BE(0, ipAt + 4);
  out.writeUInt16BE(0x4000, ipAt + 6); // don't fragment
  out.writeUInt8(64, ipAt + 8);
  out.writeUInt8(17, ipAt + 9);
  out.writeUInt16BE(0, ipAt + 10);
  out.writeUInt32BE(p.src[0], ipAt + 12);
  out.writeUInt32BE(p.dst[0], ipAt + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += out.readUInt16BE(ipAt + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  out.writeUInt16BE(~sum & 0xffff, ipAt + 10);
  const udpAt = ipAt + 20;
  out.writeUInt16BE(p.src[1], udpAt);
  out.writeUInt16BE(p.dst[1], udpAt + 2);
  out.writeUInt16BE(8 + payloadLength, udpAt + 4);
  out.writeUInt16BE(0, udpAt + 6); // checksum optional over IPv4 (RFC 768)
  out.write(p.text, udpAt + 8, 'latin1');
  return udpAt + 8 + payloadLength;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** `2026-11-02 08:00:00.123`, in UTC. */
function pjsipTime(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const ms = `${d.getUTCMilliseconds()}`.padStart(3, '0');
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${ms}`;
}

let tdata = 0x7f00_0000;

/** One packet in the given format. */
export function encodePacket(format: TrafficFormat, p: GeneratedPacket): Buffer {
  const len = p.text.length;
  if (format === 'pcap') {
    const b = Buffer.allocUnsafe(16 + 42 + len);
    b.writeUInt32LE(Math.floor(p.timeUs / 1e6), 0);
    b.writeUInt32LE(p.timeUs % 1e6, 4);
    b.writeUInt32LE(42 + len, 8);
    b.writeUInt32LE(42 + len, 12);
    writeFrame(b, 16, p, len);
    return b;
  }
  if (format === 'pcapng') {
    const captured = 42 + len;
    const padded = (captured + 3) & ~3;
    const total = 28 + padded + 4;
    const b = Buffer.alloc(total);
    b.writeUInt32LE(6, 0);
    b.writeUInt32LE(total, 4);
    b.writeUInt32LE(0, 8);
    const ts = BigInt(p.timeUs);
    b.writeUInt32LE(Number(ts >> 32n), 12);
    b.writeUInt32LE(Number(ts & 0xffffffffn), 16);
    b.writeUInt32LE(captured, 20);
    b.writeUInt32LE(captured, 24);
    writeFrame(b, 28, p, len);
    b.writeUInt32LE(total, total - 4);
    return b;
  }
  // The proxy's own PJSIP-style trace: TX to the peer it sent to, RX from the peer it heard.
  const request = !p.text.startsWith('SIP/2.0 ');
  const firstLine = p.text.slice(0, p.text.indexOf('\r\n'));
  const cseqAt = p.text.indexOf('\r\nCSeq: ');
  const cseqLine = p.text.slice(cseqAt + 8, p.text.indexOf('\r\n', cseqAt + 2));
  const [seq, method] = cseqLine.split(' ');
  const what = request
    ? `Request msg ${firstLine.slice(0, firstLine.indexOf(' '))}/cseq=${seq}`
    : `Response msg ${firstLine.slice(8, 11)}/${method}/cseq=${seq}`;
  const peer = p.fromProxy ? p.dst : p.src;
  const tag = p.fromProxy ? `TX ${len} bytes ${what} (tdta0x${(tdata++).toString(16)}) to UDP ${formatIp(peer[0])}:${peer[1]}:` : `RX ${len} bytes ${what} (rdata0x${(tdata++).toString(16)}) from UDP ${formatIp(peer[0])}:${peer[1]}:`;
  return Buffer.from(`${pjsipTime(p.timeUs)}           pjsua_core.c  .${tag}\n${p.text.replaceAll('\r\n', '\n')}\n--end msg--\n`, 'latin1');
}
