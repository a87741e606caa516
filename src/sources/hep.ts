import { inflateSync, gunzipSync } from 'node:zlib';
import type { Issue } from '../model/issue.js';
import type { Transport } from '../model/message-meta.js';
import { formatIpv4, formatIpv6 } from './pcap/ip-address.js';

/** What one HEP packet carried. */
export interface HepPacket {
  readonly ok: true;
  /** The captured payload (for payloadType 1, a SIP message). A view of the packet unless it was compressed. */
  readonly payload: Uint8Array;
  /** Capture time in ms since the Unix epoch (fractions allowed), or null when the packet has none. */
  readonly time: number | null;
  /** `ip:port` of the original packet, IPv6 in brackets. */
  readonly src?: string;
  readonly dst?: string;
  readonly transport?: Transport;
  readonly captureId?: number;
  /** HEP protocol type: 1 SIP, 5 RTCP, 100 log, … (HEP3 chunk 0x000b); v1/v2 carry SIP only. */
  readonly payloadType?: number;
  readonly correlationId?: string;
  /** HEP version: 1, 2 or 3. */
  readonly version: 1 | 2 | 3;
}

export interface HepFailure {
  readonly ok: false;
  readonly issue: Issue;
}

export type HepResult = HepPacket | HepFailure;

const H = 0x48;
const E = 0x45;
const P = 0x50;
const THREE = 0x33;

/** Whether the bytes start like a HEP packet: `HEP3` (v3) or a plausible v1/v2 header. */
export function looksLikeHep(b: Uint8Array, at = 0): boolean {
  if (b.length - at < 4) return false;
  if (b[at] === H && b[at + 1] === E && b[at + 2] === P && b[at + 3] === THREE) return true;
  return v2HeaderLength(b, at) > 0;
}

/** For HEP v1/v2: the header length (hp_l) when the first bytes are consistent with one, else 0. */
function v2HeaderLength(b: Uint8Array, at: number): number {
  const version = b[at];
  if (version !== 1 && version !== 2) return 0;
  const hl = b[at + 1]!;
  const family = b[at + 2]!;
  const proto = b[at + 3]!;
  if (proto !== 17 && proto !== 6 && proto !== 132) return 0;
  // hp_l covers the 8-byte hep_hdr and both addresses.
  if (family === 2 && hl === 16) return hl;
  if (family === 10 && hl === 40) return hl;
  return 0;
}

/** Total length of the HEP3 packet starting at `at`, or -1 when the 6-byte header is not all there. */
export function hepPacketLength(b: Uint8Array, at = 0): number {
  if (b.length - at < 6) return -1;
  return (b[at + 4]! << 8) | b[at + 5]!;
}

function fail(code: string, message: string, start: number, end: number): HepFailure {
  return { ok: false, issue: { code, severity: 'error', message, span: { start, end } } };
}

function transportOf(proto: number): Transport | undefined {
  if (proto === 17) return 'UDP';
  if (proto === 6) return 'TCP';
  if (proto === 132) return 'SCTP';
  return undefined;
}

/**
 * Decodes one HEP (Homer Encapsulation Protocol) packet: v3 (`HEP3`, chunks) or v1/v2 (fixed header). Bad input
 * gives `{ ok: false, issue }`, never an exception.
 */
export function decodeHep(packet: Uint8Array): HepResult {
  if (packet.length < 4) {
    return fail('hep-too-short', `expected a HEP header of at least 4 bytes, found ${packet.length}`, 0, packet.length);
  }
  if (packet[0] === H && packet[1] === E && packet[2] === P && packet[3] === THREE) return decodeHep3(packet);
  if (packet[0] === 1 || packet[0] === 2) return decodeHep2(packet);
  return fail(
    'not-hep',
    `expected "HEP3" or a HEP v1/v2 version byte at offset 0, found 0x${packet[0]!.toString(16).padStart(2, '0')}`,
    0,
    1,
  );
}

function decodeHep2(b: Uint8Array): HepResult {
  const version = b[0] as 1 | 2;
  const hl = v2HeaderLength(b, 0);
  if (hl === 0) {
    return fail(
      'bad-hep-header',
      `expected a HEP v${version} header (family 2 with length 16 or family 10 with length 40, protocol 6/17/132), found family ${b[2] ?? '?'}, length ${b[1] ?? '?'}, protocol ${b[3] ?? '?'}`,
      0,
      4,
    );
  }
  // v2 adds a time header: tv_sec, tv_usec (32-bit each, host order, in practice little-endian), captid, padding.
  const timeLen = version === 2 ? 12 : 0;
  if (b.length < hl + timeLen) {
    return fail('hep-too-short', `expected at least ${hl + timeLen} bytes of HEP v${version} header, found ${b.length}`, 0, b.length);
  }
  const family = b[2]!;
  const sport = (b[4]! << 8) | b[5]!;
  const dport = (b[6]! << 8) | b[7]!;
  const v6 = family === 10;
  const src = v6 ? `[${formatIpv6(b, 8)}]:${sport}` : `${formatIpv4(b, 8)}:${sport}`;
  const dst = v6 ? `[${formatIpv6(b, 24)}]:${dport}` : `${formatIpv4(b, 12)}:${dport}`;
  let time: number | null = null;
  let captureId: number | undefined;
  if (version === 2) {
    const sec = (b[hl]! | (b[hl + 1]! << 8) | (b[hl + 2]! << 16) | (b[hl + 3]! << 24)) >>> 0;
    const usec = (b[hl + 4]! | (b[hl + 5]! << 8) | (b[hl + 6]! << 16) | (b[hl + 7]! << 24)) >>> 0;
    time = sec * 1000 + usec / 1000;
    captureId = b[hl + 8]! | (b[hl + 9]! << 8);
  }
  const transport = transportOf(b[3]!);
  return {
    ok: true,
    version,
    payload: b.subarray(hl + timeLen),
    time,
    src,
    dst,
    ...(transport !== undefined ? { transport } : {}),
    ...(captureId !== undefined ? { captureId } : {}),
    payloadType: 1,
  };
}

const MAX_INFLATED = 1 << 20;

function decodeHep3(b: Uint8Array): HepResult {
  if (b.length < 6) return fail('hep-too-short', `expected a 6-byte HEP3 header, found ${b.length} bytes`, 0, b.length);
  const total = (b[4]! << 8) | b[5]!;
  if (total < 6 || total > b.length) {
    return fail('bad-hep-length', `expected the HEP3 total length (${total}) to be between 6 and the ${b.length} bytes received`, 4, 6);
  }
  let proto = -1;
  let srcAt = -1;
  let dstAt = -1;
  let srcV6 = false;
  let dstV6 = false;
  let sport = -1;
  let dport = -1;
  let sec = -1;
  let usec = 0;
  let payloadType: number | undefined;
  let captureId: number | undefined;
  let correlationId: string | undefined;
  let payload: Uint8Array | undefined;
  let p = 6;
  // HEP3: chunks of vendor id (2), type id (2), length (2, header included), value.
  while (p < total) {
    if (total - p < 6) return fail('bad-hep-chunk', `expected a 6-byte chunk header at offset ${p}, found ${total - p} bytes`, p, total);
    const vendor = (b[p]! << 8) | b[p + 1]!;
    const type = (b[p + 2]! << 8) | b[p + 3]!;
    const len = (b[p + 4]! << 8) | b[p + 5]!;
    if (len < 6 || p + len > total) {
      return fail('bad-hep-chunk', `expected chunk type ${type} at offset ${p} to have a length between 6 and ${total - p}, found ${len}`, p, Math.min(total, p + 6));
    }
    const v = p + 6;
    const vl = len - 6;
    if (vendor === 0) {
      switch (type) {
        case 2:
          if (vl >= 1) proto = b[v]!;
          break;
        case 3:
          if (vl >= 4) srcAt = v;
          break;
        case 4:
          if (vl >= 4) dstAt = v;
          break;
        case 5:
          if (vl >= 16) {
            srcAt = v;
            srcV6 = true;
          }
          break;
        case 6:
          if (vl >= 16) {
            dstAt = v;
            dstV6 = true;
          }
          break;
        case 7:
          if (vl >= 2) sport = (b[v]! << 8) | b[v + 1]!;
          break;
        case 8:
          if (vl >= 2) dport = (b[v]! << 8) | b[v + 1]!;
          break;
        case 9:
          if (vl >= 4) sec = ((b[v]! << 24) | (b[v + 1]! << 16) | (b[v + 2]! << 8) | b[v + 3]!) >>> 0;
          break;
        case 10:
          if (vl >= 4) usec = ((b[v]! << 24) | (b[v + 1]! << 16) | (b[v + 2]! << 8) | b[v + 3]!) >>> 0;
          break;
        case 11:
          if (vl >= 1) payloadType = b[v]!;
          break;
        case 12:
          if (vl >= 4) captureId = ((b[v]! << 24) | (b[v + 1]! << 16) | (b[v + 2]! << 8) | b[v + 3]!) >>> 0;
          else if (vl >= 2) captureId = (b[v]! << 8) | b[v + 1]!;
          break;
        case 15:
          payload = b.subarray(v, v + vl);
          break;
        case 16: {
          const inflated = inflate(b.subarray(v, v + vl));
          if (inflated === null) {
            return fail('bad-hep-compressed-payload', `expected a zlib or gzip compressed payload of at most ${MAX_INFLATED} bytes in chunk 16 at offset ${p}, found data that does not inflate`, v, v + vl);
          }
          payload = inflated;
          break;
        }
        case 17:
          correlationId = new TextDecoder().decode(b.subarray(v, v + vl));
          break;
        default:
          // Other chunks (auth key, keep-alive, VLAN, MOS, …) are not needed to read the message.
          break;
      }
    }
    p += len;
  }
  if (payload === undefined) {
    return fail('hep-no-payload', `expected a payload chunk (type 15 or 16) in the HEP3 packet of ${total} bytes, found none`, 0, total);
  }
  let src: string | undefined;
  let dst: string | undefined;
  if (srcAt >= 0) {
    const ip = srcV6 ? `[${formatIpv6(b, srcAt)}]` : formatIpv4(b, srcAt);
    src = sport >= 0 ? `${ip}:${sport}` : ip;
  }
  if (dstAt >= 0) {
    const ip = dstV6 ? `[${formatIpv6(b, dstAt)}]` : formatIpv4(b, dstAt);
    dst = dport >= 0 ? `${ip}:${dport}` : ip;
  }
  const transport = transportOf(proto);
  return {
    ok: true,
    version: 3,
    payload,
    time: sec >= 0 ? sec * 1000 + usec / 1000 : null,
    ...(src !== undefined ? { src } : {}),
    ...(dst !== undefined ? { dst } : {}),
    ...(transport !== undefined ? { transport } : {}),
    ...(captureId !== undefined ? { captureId } : {}),
    ...(payloadType !== undefined ? { payloadType } : {}),
    ...(correlationId !== undefined ? { correlationId } : {}),
  };
}

function inflate(data: Uint8Array): Uint8Array | null {
  try {
    if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data, { maxOutputLength: MAX_INFLATED });
    return inflateSync(data, { maxOutputLength: MAX_INFLATED });
  } catch {
    return null;
  }
}
