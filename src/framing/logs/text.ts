import type { Transport } from '../../model/index.js';

// Log text is handled as latin1 strings: one char per byte, so `Buffer.from(s, 'latin1')` gives the bytes back
// exactly and V8 keeps such strings one byte per char (fast indexOf, cheap slices).

const ESC = 0x1b;

/** Removes ANSI escape sequences (CSI `ESC [ … final`, and two-byte `ESC x`), as terminals colour logs. */
export function stripAnsi(text: string): string {
  if (text.indexOf('\x1b') < 0) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== ESC) {
      out += text[i];
      i++;
      continue;
    }
    if (text.charCodeAt(i + 1) === 0x5b) {
      // CSI: parameters and intermediates, then one final byte in 0x40..0x7e (ECMA-48 §5.4)
      i += 2;
      while (i < text.length) {
        const f = text.charCodeAt(i);
        i++;
        if (f >= 0x40 && f <= 0x7e) break;
      }
    } else {
      i += 2;
    }
  }
  return out;
}

/** True for an empty line or one of spaces and tabs only. */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** RFC 3261 §25.1 token characters. */
export function isTokenChar(c: number): boolean {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return true;
  // - . ! % * _ + ` ' ~
  return c === 0x2d || c === 0x2e || c === 0x21 || c === 0x25 || c === 0x2a || c === 0x5f || c === 0x2b || c === 0x60 || c === 0x27 || c === 0x7e;
}

const SIP_VERSION = 'SIP/2.0';

/**
 * Whether a line is a SIP start line (RFC 3261 §7.1 Request-Line, §7.2 Status-Line): `METHOD SP URI SP SIP/2.0` or
 * `SIP/2.0 SP 3DIGIT SP reason`. The version is matched case-insensitively, as some devices write `sip/2.0`.
 */
export function isSipStartLine(text: string): boolean {
  const n = text.length;
  if (n < 12) return false;
  if (startsWithVersion(text, 0)) {
    return (
      text.charCodeAt(7) === 0x20 &&
      isDigit(text.charCodeAt(8)) &&
      isDigit(text.charCodeAt(9)) &&
      isDigit(text.charCodeAt(10)) &&
      (n === 11 || text.charCodeAt(11) === 0x20)
    );
  }
  let end = n;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x0d)) end--;
  if (end < 12 || !startsWithVersion(text, end - 7) || text.charCodeAt(end - 8) !== 0x20) return false;
  let i = 0;
  while (i < end && isTokenChar(text.charCodeAt(i))) i++;
  if (i === 0 || text.charCodeAt(i) !== 0x20) return false;
  // a Request-URI: no spaces inside, something between the two spaces
  const uriEnd = end - 8;
  if (uriEnd <= i + 1) return false;
  return text.indexOf(' ', i + 1) === uriEnd && text.indexOf(':', i + 1) > 0;
}

/**
 * A line shaped like a start line but outside the strict grammar isSipStartLine holds to: `SIP/x.y` with any version
 * and a code of any length, runs of white space between the parts, white space inside the Request-URI, or no
 * version at all after a URI. Only for the first line of a bare SIP file, where nothing else can be meant.
 */
export function isLooseSipStartLine(text: string): boolean {
  const n = text.length;
  let i = 0;
  const upper = (k: number): number => {
    const c = text.charCodeAt(k);
    return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
  };
  if (n >= 9 && upper(0) === 0x53 && upper(1) === 0x49 && upper(2) === 0x50 && text.charCodeAt(3) === 0x2f) {
    // SIP/d.d SP+ digits
    i = 4;
    const v = i;
    while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 0x2e)) i++;
    if (i === v || text.charCodeAt(i) !== 0x20) return false;
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    const d = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    return i - d >= 3 && (i === n || text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0d);
  }
  // token SP+ URI (scheme ':' …), then anything
  while (i < n && isTokenChar(text.charCodeAt(i))) i++;
  if (i < 3 || i >= n || (text.charCodeAt(i) !== 0x20 && text.charCodeAt(i) !== 0x09)) return false;
  while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  const s = i;
  while (i < n && (isTokenChar(text.charCodeAt(i)) || text.charCodeAt(i) === 0x2b)) i++;
  return i > s && text.charCodeAt(i) === 0x3a;
}

function startsWithVersion(text: string, at: number): boolean {
  if (at < 0) return false;
  for (let k = 0; k < 7; k++) {
    let c = text.charCodeAt(at + k);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== SIP_VERSION.charCodeAt(k)) return false;
  }
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Finds a SIP start line that begins somewhere inside a line (after junk such as the IP header bytes `tcpdump -A`
 * prints, or a log prefix this reader does not know). Returns the index where it starts, or -1. Methods found this
 * way must be upper-case letters preceded by a non-letter, to keep junk out of the method.
 */
export function findSipStart(text: string): number {
  if (text.indexOf('SIP/2.0') < 0 && text.indexOf('sip/2.0') < 0) return -1;
  if (isSipStartLine(text)) return 0;
  let at = text.indexOf('SIP/2.0 ');
  while (at > 0) {
    if (isSipStartLine(text.slice(at))) return at;
    at = text.indexOf('SIP/2.0 ', at + 1);
  }
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  if (!text.endsWith(' SIP/2.0', end)) return -1;
  const uriStart = text.lastIndexOf(' ', end - 9) + 1;
  if (uriStart <= 1) return -1;
  let m = uriStart - 1;
  while (m > 0 && isUpper(text.charCodeAt(m - 1))) m--;
  if (uriStart - 1 - m < 3) return -1;
  return isSipStartLine(text.slice(m)) ? m : -1;
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/**
 * Whether a line can be a header line (RFC 3261 §7.3: `field-name HCOLON value`) or a folded continuation of one.
 */
export function isHeaderLine(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 === 0x20 || c0 === 0x09) return text.length > 1;
  let i = 0;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  if (i === 0) return false;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  return text.charCodeAt(i) === 0x3a;
}

/** The header's name if the line is `Content-Length:` or compact `l:` (RFC 3261 §20.14), with its value. */
export function readContentLength(text: string): number | undefined | null {
  const c0 = text.charCodeAt(0) | 0x20;
  if (c0 !== 0x63 && c0 !== 0x6c) return undefined;
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  const name = text.slice(0, colon).trim().toLowerCase();
  if (name !== 'content-length' && name !== 'l') return undefined;
  const value = text.slice(colon + 1).trim();
  if (value.length === 0 || value.length > 9) return null;
  for (let i = 0; i < value.length; i++) if (!isDigit(value.charCodeAt(i))) return null;
  return Number(value);
}

/** isTokenChar as a table, for the byte twins below. */
const TOKEN_BYTE = Uint8Array.from({ length: 256 }, (_, c) => (isTokenChar(c) ? 1 : 0));

/** isHeaderLine on the bytes data[s, e) of a line without its line end, for readers that keep lines as bytes. */
export function isHeaderLineAt(data: Uint8Array, s: number, e: number): boolean {
  const c0 = data[s];
  if (c0 === 0x20 || c0 === 0x09) return e - s > 1;
  let i = s;
  while (i < e && TOKEN_BYTE[data[i]!] === 1) i++;
  if (i === s) return false;
  while (i < e && (data[i] === 0x20 || data[i] === 0x09)) i++;
  return i < e && data[i] === 0x3a;
}

/** White space as String.prototype.trim takes it off a latin1 string. */
function isTrimmedByte(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
}

/** Whether data[s, e) lower-cased is `word` (ASCII lower case: no latin1 letter lower-cases into ASCII). */
function matchesLower(data: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = data[s + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** readContentLength on the bytes data[s, e) of a line: -1 where that gives null (an unreadable value). */
export function readContentLengthAt(data: Uint8Array, s: number, e: number): number | undefined {
  const c0 = data[s]! | 0x20;
  if (c0 !== 0x63 && c0 !== 0x6c) return undefined;
  let colon = -1;
  for (let i = s; i < e; i++) {
    if (data[i] === 0x3a) {
      colon = i;
      break;
    }
  }
  if (colon < s + 1) return undefined;
  let ns = s;
  let ne = colon;
  while (ns < ne && isTrimmedByte(data[ns]!)) ns++;
  while (ne > ns && isTrimmedByte(data[ne - 1]!)) ne--;
  if (!matchesLower(data, ns, ne, 'content-length') && !matchesLower(data, ns, ne, 'l')) return undefined;
  let vs = colon + 1;
  let ve = e;
  while (vs < ve && isTrimmedByte(data[vs]!)) vs++;
  while (ve > vs && isTrimmedByte(data[ve - 1]!)) ve--;
  if (ve === vs || ve - vs > 9) return -1;
  let v = 0;
  for (let i = vs; i < ve; i++) {
    const c = data[i]!;
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** Maps a transport word as logs write it (`udp`, `tls`, `WSS`, `TCP://`) to the model's Transport. */
export function toTransport(word: string): Transport | undefined {
  switch (word.toUpperCase()) {
    case 'UDP':
    case 'U':
      return 'UDP';
    case 'TCP':
    case 'T':
      return 'TCP';
    case 'TLS':
      return 'TLS';
    case 'SCTP':
      return 'SCTP';
    case 'WS':
      return 'WS';
    case 'WSS':
      return 'WSS';
    default:
      return undefined;
  }
}

/**
 * Normalises an address as logs write it to `ip:port` with IPv6 in brackets: `[192.168.1.1]:5060` (Sofia) becomes
 * `192.168.1.1:5060`, `fd00::1:5060` is ambiguous and kept as written, a bare host stays bare.
 */
export function toHostPort(host: string, port?: string | number): string {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) {
    const inner = h.slice(1, -1);
    h = inner.includes(':') ? h : inner;
  } else if (h.includes(':')) {
    h = `[${h}]`;
  }
  return port === undefined || port === '' ? h : `${h}:${port}`;
}

/**
 * Splits `host:port` where host may be `[v6]`, `v4`, or a name; returns the normalised form, or the text trimmed when
 * it has no port.
 */
export function normalizeAddress(text: string): string {
  const t = text.trim();
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close > 0) {
      const rest = t.slice(close + 1);
      return toHostPort(t.slice(0, close + 1), rest.startsWith(':') ? rest.slice(1) : undefined);
    }
    return t;
  }
  const colon = t.lastIndexOf(':');
  if (colon > 0 && t.indexOf(':') === colon) return toHostPort(t.slice(0, colon), t.slice(colon + 1));
  return t;
}

/** Reads an unsigned decimal integer at `at`; returns [value, end] or undefined. */
export function readInt(text: string, at: number): [number, number] | undefined {
  let i = at;
  let v = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
    i++;
  }
  return i === at ? undefined : [v, i];
}
