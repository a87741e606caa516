const ipv4Cache = new Map<number, string>();

/** Dotted-quad text of 4 address bytes at `at`. */
export function formatIpv4(b: Uint8Array, at: number): string {
  // Captures name few hosts many times: keep their text (bounded).
  const key = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  let text = ipv4Cache.get(key);
  if (text === undefined) {
    text = `${b[at]!}.${b[at + 1]!}.${b[at + 2]!}.${b[at + 3]!}`;
    if (ipv4Cache.size >= 4096) ipv4Cache.clear();
    ipv4Cache.set(key, text);
  }
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

const endpointCache = new Map<number, string>();

/** `ip:port`, IPv6 in brackets (`[2001:db8::1]:5060`), as MessageMeta wants it. */
export function formatEndpoint(b: Uint8Array, at: number, version: 4 | 6, port: number): string {
  // join() gives one flat string; a template literal leaves a two-part string every message would keep.
  if (version === 6) return ['[', formatIpv6(b, at), ']:', port].join('');
  // IPv4 address and port fit in 48 bits: one number keys the cached text.
  const key = (((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0) * 65536 + port;
  let text = endpointCache.get(key);
  if (text === undefined) {
    text = [formatIpv4(b, at), port].join(':');
    if (endpointCache.size >= 8192) endpointCache.clear();
    endpointCache.set(key, text);
  }
  return text;
}
