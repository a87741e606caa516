/** Direct-mapped cache of dotted quads by address (captures name few hosts many times). */
const IPV4_SLOTS = 16384;
const ipv4Key = new Int32Array(IPV4_SLOTS);
const ipv4Text: string[] = new Array<string>(IPV4_SLOTS).fill('');

/** The 4 address bytes at `at` as one signed 32-bit number (the caches' key). */
function ipv4At(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

/** Dotted-quad text of 4 address bytes at `at`. */
export function formatIpv4(b: Uint8Array, at: number): string {
  const ip = ipv4At(b, at);
  const slot = Math.imul(ip, 0x9e3779b1) >>> 18;
  const cached = ipv4Text[slot]!;
  if (ipv4Key[slot] === ip && cached !== '') return cached;
  const text = `${b[at]!}.${b[at + 1]!}.${b[at + 2]!}.${b[at + 3]!}`;
  ipv4Key[slot] = ip;
  ipv4Text[slot] = text;
  return text;
}

/** RFC 5952 text of 16 address bytes at `at`: lower case, leading zeros dropped, the longest zero run as `::`. */
export function formatIpv6(b: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!);
  // RFC 5952 §4.2.3: the longest run of two or more zero words, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (bestStart === 0 && bestLen === 5 && words[5] === 0xffff) return `::ffff:${formatIpv4(b, at + 12)}`;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += words[i]!.toString(16);
  }
  return s;
}

/**
 * Direct-mapped cache of `ip:port` texts, keyed by a hash of the 32-bit address and the port. A Map keyed by
 * address * 65536 + port needs a double (above 2^31) per lookup, which V8 hashes slowly: it was 13% of the pcap
 * walk on the benchmark capture (--cpu-prof on bench/stages.ts frame).
 */
const ENDPOINT_SLOTS = 65536;
const endpointIp = new Int32Array(ENDPOINT_SLOTS);
const endpointPort = new Int32Array(ENDPOINT_SLOTS).fill(-1);
const endpointText: string[] = new Array<string>(ENDPOINT_SLOTS).fill('');

/** `ip:port`, IPv6 in brackets (`[2001:db8::1]:5060`), as MessageMeta wants it. */
export function formatEndpoint(b: Uint8Array, at: number, version: 4 | 6, port: number): string {
  // join() gives one flat string; a template literal leaves a two-part string every message would keep.
  if (version === 6) return ['[', formatIpv6(b, at), ']:', port].join('');
  const ip = ipv4At(b, at);
  const slot = Math.imul(ip ^ Math.imul(port, 0x85ebca6b), 0x9e3779b1) >>> 16;
  if (endpointIp[slot] === ip && endpointPort[slot] === port) return endpointText[slot]!;
  const text = [formatIpv4(b, at), port].join(':');
  endpointIp[slot] = ip;
  endpointPort[slot] = port;
  endpointText[slot] = text;
  return text;
}
