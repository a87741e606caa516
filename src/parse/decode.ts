/** Byte-to-string decoding for the lazy accessors: ASCII fast path, UTF-8 with U+FFFD for bytes that are not UTF-8. */

const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();


/**
 * Node's own latin1 decoder, called on any Uint8Array: one native call with no argument checks (Buffer#toString on a
 * Buffer view over the same memory cost about 50% more, TextDecoder 2.5 times, String.fromCharCode.apply 4 times;
 * measured with bench/parse-bench.ts). Undocumented but present in every Node.js since 0.x; the documented path is
 * the fallback.
 */
type Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice: Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice ??
  function (this: Uint8Array, start: number, end: number): string {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('latin1', start, end);
  };

/** Decodes bytes[s, e) as UTF-8; invalid bytes become U+FFFD (the raw bytes stay in the message). */
export function decodeText(b: Uint8Array, s: number, e: number): string {
  const n = e - s;
  if (n <= 0) return '';
  let high = 0;
  for (let i = s; i < e; i++) high |= b[i]!;
  if (high < 0x80) {
    // ASCII, the common case: latin1 decoding is the same and needs no validation.
    if (n === 1) return String.fromCharCode(b[s]!);
    if (n === 2) return String.fromCharCode(b[s]!, b[s + 1]!);
    return latin1Slice.call(b, s, e);
  }
  return utf8.decode(b.subarray(s, e));
}

/** Header value in bytes[s, e) with folding (CRLF/LF followed by white space) turned into one space, trimmed. */
export function decodeValue(b: Uint8Array, s: number, e: number): string {
  while (s < e && (b[s] === 0x20 || b[s] === 0x09)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x0d || b[e - 1] === 0x0a)) e--;
  // A byte loop, not indexOf: TypedArray.prototype.indexOf costs more than reading a short value.
  let folded = false;
  for (let k = s; k < e; k++) {
    if (b[k] === 0x0a) {
      folded = true;
      break;
    }
  }
  if (!folded) return decodeText(b, s, e);
  // RFC 3261 §7.3.1: a folded line is one value; the line break and leading white space become one SP.
  const parts: string[] = [];
  let i = s;
  while (i < e) {
    let lineEnd = b.indexOf(0x0a, i);
    if (lineEnd < 0 || lineEnd >= e) lineEnd = e;
    let te = lineEnd;
    if (te > i && b[te - 1] === 0x0d) te--;
    while (te > i && (b[te - 1] === 0x20 || b[te - 1] === 0x09)) te--;
    let ts = i;
    while (ts < te && (b[ts] === 0x20 || b[ts] === 0x09)) ts++;
    if (te > ts) parts.push(decodeText(b, ts, te));
    i = lineEnd + 1;
  }
  return parts.join(' ');
}

/**
 * Index of the first byte in bytes[s, e) that is not part of valid UTF-8, or -1. RFC 3629 §4 (no overlongs,
 * no surrogates, at most U+10FFFF).
 */
export function findInvalidUtf8(b: Uint8Array, s: number, e: number): number {
  let i = s;
  while (i < e) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + need >= e) return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Shows bytes safely in a message: printable ASCII as is, others as \xNN. */
export function showBytes(b: Uint8Array, s: number, e: number, max = 40): string {
  let out = '';
  e = Math.min(e, b.length);
  s = Math.max(0, s);
  const stop = Math.min(e, s + max);
  for (let i = s; i < stop; i++) {
    const c = b[i]!;
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return e > stop ? `${out}…` : out;
}

/** Percent-decodes `%XX` escapes (RFC 3986 §2.1); a `%` not followed by two hex digits stays as is. */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const u of encoder.encode(String.fromCodePoint(cp))) bytes.push(u);
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
