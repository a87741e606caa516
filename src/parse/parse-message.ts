import type { Issue, Severity } from '../model/issue.js';
import type { SipMessage } from '../model/sip-message.js';
import { H, isContentLengthName, UNIDENTIFIED } from './header-names.js';
import { SipMessageImpl, type MessageLayout } from './sip-message-impl.js';

export interface ParseOptions {
  /** Bytes beyond this are not read (`message-too-large`). Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** A header line (folding included) longer than this is reported (`header-too-long`). Default 16 KiB. */
  readonly maxHeaderBytes?: number;
  /** Header lines beyond this many are not indexed (`too-many-headers`). Default 1000. */
  readonly maxHeaders?: number;
  /**
   * The message came over a stream transport (TCP, TLS, WS): a missing Content-Length is then a defect
   * (RFC 3261 §18.3). Datagrams may leave it out.
   */
  readonly stream?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const CONTENT_LENGTH_ID = H.contentLength;

/** 1 for RFC 3261 §25.1 `token` bytes. */
export const TOKEN_BYTES = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN_BYTES[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_BYTES[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_BYTES[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN_BYTES[ch.charCodeAt(0)] = 1;

function issue(issues: Issue[], code: string, severity: Severity, message: string, start: number, end: number): void {
  issues.push({ code, severity, message, span: { start, end } });
}

/**
 * Parses one SIP message (RFC 3261 §7) from its bytes. Never throws on bad input: what cannot be read becomes an
 * issue on the result. The start line and a header index are read now by scanning bytes; strings and typed header
 * values are decoded on first use.
 */
export function parseMessage(bytes: Uint8Array, options?: ParseOptions): SipMessage {
  const issues: Issue[] = [];
  const maxMessageBytes = options?.maxMessageBytes ?? 1 << 20;
  let len = bytes.length;
  if (len > maxMessageBytes) {
    issue(
      issues,
      'message-too-large',
      'error',
      `expected at most ${maxMessageBytes} bytes (maxMessageBytes), found ${len}; the rest is not read`,
      maxMessageBytes,
      len,
    );
    len = maxMessageBytes;
  }
  const scan = scanMessage(bytes, 0, len, options, true, issues)!;
  scan.layout.bodyEnd = len;
  return new SipMessageImpl(bytes, scan.layout, scan.issues, options?.stream === true);
}

/** What the eager scan of one message found: the layout (offsets relative to the message's first byte) and issues. */
export class MessageScan {
  constructor(
    readonly layout: MessageLayout,
    readonly issues: Issue[],
    /** The first Content-Length value: -1 when absent, -2 when not a number. */
    readonly contentLength: number,
  ) {}
}

/**
 * How far scanMessage got through a header section that did not end within the bytes it had: the start line and the
 * complete header lines before `resumeAt`, all relative to the message's first byte. Handed back with more bytes,
 * the scan goes on from there instead of reading those lines again.
 */
export class PartialScan {
  constructor(
    readonly layout: MessageLayout,
    readonly issues: Issue[],
    /** The header index so far (five numbers per header). */
    readonly index: number[],
    readonly count: number,
    /** Start of the first line not read yet. */
    readonly resumeAt: number,
    readonly sawCrlf: boolean,
    readonly sawLf: boolean,
  ) {}
}

/**
 * Scans the start line and header section of a message that starts at `start` in `b`. With `final` false, returns
 * undefined when the empty line ending the headers is not within `end` yet (a stream needs more bytes), or, with
 * `partial`, a PartialScan to pass back as `resume` once more bytes have come.
 * With `ownIndex` false the layout's header index is the scanner's own array, exact in length but overwritten by the
 * next scan: for a caller that reads it at once and keeps nothing of it (correlate/'s facts), it saves a copy of
 * some 60 numbers per message.
 */
export function scanMessage(
  b: Uint8Array,
  start: number,
  len: number,
  options: ParseOptions | undefined,
  final: boolean,
  issues: Issue[] = [],
  ownIndex = true,
): MessageScan | undefined {
  return scanSection(b, start, len, options, final, issues, ownIndex, false) as MessageScan | undefined;
}

/**
 * scanMessage for a stream (`final` false) that keeps what it read of a header section that has not ended yet: a
 * PartialScan, to pass back as `resume` with the same message's bytes once more have come.
 */
export function scanMessageResumable(
  b: Uint8Array,
  start: number,
  len: number,
  options: ParseOptions | undefined,
  resume: PartialScan | undefined,
): MessageScan | PartialScan | undefined {
  return scanSection(b, start, len, options, false, resume === undefined ? [] : resume.issues, true, true, resume);
}

/** The whole scan: start line and header lines, or, with `resume`, the header lines from where it stopped. */
function scanSection(
  b: Uint8Array,
  start: number,
  len: number,
  options: ParseOptions | undefined,
  final: boolean,
  issues: Issue[],
  ownIndex: boolean,
  partial: boolean,
  resume?: PartialScan,
): MessageScan | PartialScan | undefined {
  const words = wordsOf(b);
  const off = b.byteOffset;
  let layout: MessageLayout;
  let index = scratch;
  let n = 0;
  let count = 0;
  let pos = start;
  let sawCrlf = false;
  let sawLf = false;
  let lf: number;
  let lineEnd: number;
  if (resume === undefined) {
    // RFC 3261 §7.5: CRLFs before the start line are ignored.
    while (pos < len && (b[pos] === CR || b[pos] === LF)) pos++;
    layout = {
      kind: 'request',
      startLineStart: pos,
      startLineEnd: pos,
      methodStart: -1,
      methodEnd: -1,
      uriStart: -1,
      uriEnd: -1,
      versionStart: -1,
      versionEnd: -1,
      status: undefined,
      reasonStart: -1,
      reasonEnd: -1,
      index: EMPTY_INDEX,
      contentLengthAt: -1,
      headerCount: 0,
      headersEnd: len,
      bodyStart: len,
      bodyEnd: len,
      lineEnds: 'none',
    };
    lf = words === undefined ? findLfBytes(b, pos, len) : findLf(b, words, off, pos, len);
    if (!final && lf >= len) return undefined;
    lineEnd = lf > pos && b[lf - 1] === CR ? lf - 1 : lf;
    sawCrlf = lineEnd !== lf;
    sawLf = !sawCrlf && lf < len;
    layout.startLineEnd = lineEnd;
    parseStartLine(b, pos, lineEnd, layout, issues);
    pos = lf + 1;
  } else {
    // Go on where the last scan of this message stopped (its offsets were made relative to the message's start).
    layout = resumeLayout(resume, index, start);
    n = resume.index.length;
    count = resume.count;
    pos = start + resume.resumeAt;
    sawCrlf = resume.sawCrlf;
    sawLf = resume.sawLf;
  }
  // Header index: one pass over lines, no string built; line ends found four bytes at a time.
  const maxHeaders = options?.maxHeaders ?? 1000;
  const maxHeaderBytes = options?.maxHeaderBytes ?? 16 << 10;
  let ended = false;
  /** Start of the line a stream's bytes ended in (not complete yet), or -1. */
  let missAt = -1;
  while (pos < len) {
    const lineStart = pos;
    // The name first (token bytes, white space, ':'), then the line end from there: each byte is read once.
    // Visible ASCII up to ':' or white space; that the name is an RFC 3261 token is checked by checkStrict.
    let i = pos;
    while (i < len) {
      const c = b[i]!;
      if (c <= SP || c === COLON || c >= 0x7f) break;
      i++;
    }
    const nameEnd = i;
    while (i < len && (b[i] === SP || b[i] === HT)) i++;
    const colon = i;
    lf = words === undefined ? findLfBytes(b, i, len) : findLf(b, words, off, i, len);
    // A stream's last line without its LF is not complete yet.
    if (lf >= len && !final) {
      missAt = lineStart;
      break;
    }
    const lineCr = lf > pos && b[lf - 1] === CR;
    lineEnd = lineCr ? lf - 1 : lf;
    if (lineEnd === lineStart) {
      if (lineCr) sawCrlf = true;
      else if (lf < len) sawLf = true;
      layout.headersEnd = lineStart;
      layout.bodyStart = lf + 1 > len ? len : lf + 1;
      ended = true;
      break;
    }
    // A line ending the bytes may still be continued (folding) by the next ones, or be followed by more headers.
    if (lf + 1 >= len && !final) {
      missAt = lineStart;
      break;
    }
    if (lineCr) sawCrlf = true;
    else if (lf < len) sawLf = true;
    // RFC 3261 §7.3.1: a line starting with white space continues the previous header.
    while (lf + 1 < len && (b[lf + 1] === SP || b[lf + 1] === HT)) {
      lf = words === undefined ? findLfBytes(b, lf + 1, len) : findLf(b, words, off, lf + 1, len);
      lineEnd = lf > lineStart && b[lf - 1] === CR ? lf - 1 : lf;
    }
    pos = lf + 1;
    const c0 = b[lineStart]!;
    if (c0 === SP || c0 === HT) {
      issue(
        issues,
        'bad-folding',
        'warning',
        'expected a header name at the start of the line, found white space (a continuation line with no header before it); line skipped',
        lineStart,
        lineEnd,
      );
      continue;
    }
    if (colon >= lineEnd || b[colon] !== COLON || nameEnd === lineStart) {
      issue(
        issues,
        'header-without-colon',
        'warning',
        nameEnd === lineStart
          ? `expected a header name (token) followed by ':', found a line starting with byte 0x${c0.toString(16)}; line skipped`
          : `expected ':' after the header name, found ${colon >= lineEnd ? 'the end of the line' : `'${String.fromCharCode(b[colon]!)}'`}; line skipped`,
        lineStart,
        lineEnd,
      );
      continue;
    }
    if (count >= maxHeaders) {
      if (count === maxHeaders) {
        issue(
          issues,
          'too-many-headers',
          'warning',
          `expected at most ${maxHeaders} header lines (maxHeaders), found more; the rest are not indexed`,
          lineStart,
          lineEnd,
        );
      }
      count++;
      continue;
    }
    if (lineEnd - lineStart > maxHeaderBytes) {
      issue(
        issues,
        'header-too-long',
        'warning',
        `expected a header line of at most ${maxHeaderBytes} bytes (maxHeaderBytes), found ${lineEnd - lineStart}`,
        lineStart,
        lineEnd,
      );
    }
    // Only Content-Length is identified now; other names on first use (SipMessageImpl).
    let id = UNIDENTIFIED;
    if (isContentLengthName(b, lineStart, nameEnd)) {
      id = CONTENT_LENGTH_ID;
      if (layout.contentLengthAt < 0) layout.contentLengthAt = n;
    }
    // Offsets relative to the message's first byte, written so now (no second pass to rebase them).
    index[n] = id;
    index[n + 1] = lineStart - start;
    index[n + 2] = nameEnd - start;
    index[n + 3] = colon + 1 - start;
    index[n + 4] = lineEnd - start;
    n += 5;
    count++;
  }
  if (missAt >= 0) return partial ? pause(layout, issues, index, n, count, missAt - start, start, sawCrlf, sawLf) : undefined;
  layout.headerCount = Math.min(count, maxHeaders);
  if (!ended && !final) return undefined;
  // One exact-size copy of the scratch index per message. A plain array: allocating a small Int32Array (new or
  // slice) cost a third to a half of the whole scan in V8, measured with --cpu-prof on bench/parse-bench.ts.
  if (ownIndex) {
    index = layout.index = index.slice(0, n);
  } else {
    // Shortening a packed array in place allocates nothing (V8 trims its store only when far larger).
    index.length = n;
    layout.index = index;
  }
  layout.lineEnds = sawCrlf ? (sawLf ? 'mixed' : 'crlf') : sawLf ? 'lf' : 'none';
  if (!ended) {
    layout.headersEnd = len;
    layout.bodyStart = len;
    if (layout.startLineEnd < len) {
      issue(
        issues,
        'truncated-headers',
        'warning',
        'expected an empty line ending the header section, found the end of the message',
        len,
        len,
      );
    }
  }
  let contentLength = -1;
  if (layout.contentLengthAt >= 0) {
    const k = layout.contentLengthAt;
    contentLength = readDigits(b, start + index[k + 3]!, start + index[k + 4]!);
  }
  if (start !== 0) rebase(layout, issues, start);
  return new MessageScan(layout, issues, contentLength);
}

/** A PartialScan of the lines before `resumeAt` (relative to `start`), its offsets made relative to `start`. */
function pause(
  layout: MessageLayout,
  issues: Issue[],
  index: number[],
  n: number,
  count: number,
  resumeAt: number,
  start: number,
  sawCrlf: boolean,
  sawLf: boolean,
): PartialScan {
  if (start !== 0) rebase(layout, issues, start);
  return new PartialScan(layout, issues, index.slice(0, n), count, resumeAt, sawCrlf, sawLf);
}

/** The layout of `resume` with offsets again absolute (the message now starts at `start`), its index in `index`. */
function resumeLayout(resume: PartialScan, index: number[], start: number): MessageLayout {
  const layout = resume.layout;
  if (start !== 0) rebase(layout, resume.issues, -start);
  const kept = resume.index;
  for (let k = 0; k < kept.length; k++) index[k] = kept[k]!;
  return layout;
}

/** Makes the layout's offsets and the issues' spans relative to `start`, the message's first byte (the header
 * index is written relative already). */
function rebase(layout: MessageLayout, issues: Issue[], start: number): void {
  layout.startLineStart -= start;
  layout.startLineEnd -= start;
  if (layout.methodStart >= 0) {
    layout.methodStart -= start;
    layout.methodEnd -= start;
  }
  if (layout.uriStart >= 0) {
    layout.uriStart -= start;
    layout.uriEnd -= start;
  }
  if (layout.versionStart >= 0) {
    layout.versionStart -= start;
    layout.versionEnd -= start;
  }
  if (layout.reasonStart >= 0) {
    layout.reasonStart -= start;
    layout.reasonEnd -= start;
  }
  layout.headersEnd -= start;
  layout.bodyStart -= start;
  layout.bodyEnd -= start;
  for (let k = 0; k < issues.length; k++) {
    const it = issues[k]!;
    if (it.span) issues[k] = { ...it, span: { start: it.span.start - start, end: it.span.end - start } };
  }
}

/** The decimal number in b[s, e) with white space around it: -2 when it is not one (or above 2^31). */
function readDigits(b: Uint8Array, s: number, e: number): number {
  while (s < e && (b[s] === SP || b[s] === HT)) s++;
  while (e > s && (b[e - 1] === SP || b[e - 1] === HT || b[e - 1] === CR || b[e - 1] === LF)) e--;
  if (s === e) return -2;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return -2;
    v = v * 10 + (c - 0x30);
    if (v > 0x7fffffff) return -2;
  }
  return v;
}

/** Reused while scanning (grows as needed); each message keeps an exact-size copy. */
const scratch: number[] = [];
const EMPTY_INDEX: number[] = [];

/** findLf reads the first byte of a word as its lowest. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
/** Below this many bytes a message is scanned byte by byte: the word view would cost more than it saves. */
const SWAR_MIN = 256;
// Two cached word views, the newer first: a stream framer alternates between a pushed chunk and its stitch block
// (framing/stream-framer.ts), and a cache of one made a new view for each.
let cachedBuffer: ArrayBufferLike | undefined;
let cachedWords: Int32Array | undefined;
let olderBuffer: ArrayBufferLike | undefined;
let olderWords: Int32Array | undefined;

/** An Int32Array over the whole ArrayBuffer behind `b` (cached: messages of one chunk share it), for SWAR scans. */
function wordsOf(b: Uint8Array): Int32Array | undefined {
  const buffer = b.buffer;
  if (buffer === cachedBuffer) return cachedWords;
  if (buffer === olderBuffer) {
    const words = olderWords;
    olderBuffer = cachedBuffer;
    olderWords = cachedWords;
    cachedBuffer = buffer;
    cachedWords = words;
    return words;
  }
  // A new view costs an allocation; measured with bench/parse-bench.ts it still pays off on a 400-byte message.
  if (b.byteLength < SWAR_MIN || buffer.byteLength < 64 || !LITTLE_ENDIAN) return undefined;
  olderBuffer = cachedBuffer;
  olderWords = cachedWords;
  cachedWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  cachedBuffer = buffer;
  return cachedWords;
}

function findLfBytes(b: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && b[i] !== LF) i++;
  return i;
}

/**
 * Index of the first LF in b[from, end), or `end`. Checks aligned 32-bit words for an LF byte with the classic
 * "has zero byte" test on (word XOR 0x0a0a0a0a), then finds the byte.
 */
function findLf(b: Uint8Array, words: Int32Array, off: number, from: number, end: number): number {
  let i = from;
  while (i < end && ((off + i) & 3) !== 0) {
    if (b[i] === LF) return i;
    i++;
  }
  if (i >= end) return end;
  let w = (off + i) >>> 2;
  const wEnd = (off + end) >>> 2;
  while (w < wEnd) {
    const v = words[w]! ^ 0x0a0a0a0a;
    const m = (v - 0x01010101) & ~v & 0x80808080;
    if (m !== 0) {
      // The lowest flagged byte is an LF (the test flags no false byte below a true one; words are little-endian,
      // on big-endian machines wordsOf gives none), so its place comes from the lowest set bit.
      // (w < wEnd: the whole word lies before `end`.)
      return (w << 2) - off + ((31 - Math.clz32(m & -m)) >>> 3);
    }
    w++;
  }
  i = (w << 2) - off;
  while (i < end) {
    if (b[i] === LF) return i;
    i++;
  }
  return end;
}

function parseStartLine(b: Uint8Array, s: number, e: number, layout: MessageLayout, issues: Issue[]): void {
  if (s >= e) {
    issue(issues, 'bad-start-line', 'error', 'expected a request or status line, found an empty message', s, e);
    return;
  }
  if (e - s >= 4 && (b[s]! | 0x20) === 0x73 && (b[s + 1]! | 0x20) === 0x69 && (b[s + 2]! | 0x20) === 0x70 && b[s + 3] === 0x2f) {
    parseStatusLine(b, s, e, layout, issues);
    return;
  }
  layout.kind = 'request';
  // RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF
  let i = s;
  while (i < e && TOKEN_BYTES[b[i]!] === 1) i++;
  if (i === s || (i < e && b[i] !== SP && b[i] !== HT)) {
    issue(
      issues,
      'bad-start-line',
      'error',
      `expected a request line (METHOD SP Request-URI SP SIP/2.0) or a status line, found a line starting with byte 0x${b[i === s ? s : i]!.toString(16)} at offset ${i}`,
      s,
      e,
    );
    return;
  }
  layout.methodStart = s;
  layout.methodEnd = i;
  // The version is the last SP-separated word; the Request-URI is what lies between.
  let te = e;
  while (te > i && (b[te - 1] === SP || b[te - 1] === HT)) te--;
  if (te < e) {
    issue(issues, 'bad-start-line', 'warning', 'expected the request line to end after the SIP version, found trailing white space', te, e);
  }
  let vs = te;
  while (vs > i && b[vs - 1] !== SP && b[vs - 1] !== HT) vs--;
  let us = i;
  while (us < te && (b[us] === SP || b[us] === HT)) us++;
  if (us - i > 1 || (us > i && b[i] === HT)) {
    issue(issues, 'bad-start-line', 'warning', 'expected exactly one SP after the method, found more white space', i, us);
  }
  const versionLooksRight = te - vs >= 4 && (b[vs]! | 0x20) === 0x73 && (b[vs + 1]! | 0x20) === 0x69 && (b[vs + 2]! | 0x20) === 0x70 && b[vs + 3] === 0x2f;
  if (vs <= us || !versionLooksRight) {
    issue(
      issues,
      'bad-start-line',
      'error',
      `expected the request line to end with the SIP version (SIP/2.0), found ${vs <= us ? 'none' : 'another word'}`,
      s,
      e,
    );
    layout.uriStart = us;
    layout.uriEnd = te;
    return;
  }
  let ue = vs;
  while (ue > us && (b[ue - 1] === SP || b[ue - 1] === HT)) ue--;
  if (vs - ue > 1 || (vs > ue && b[ue] === HT)) {
    issue(issues, 'bad-start-line', 'warning', 'expected exactly one SP before the SIP version, found more white space', ue, vs);
  }
  layout.uriStart = us;
  layout.uriEnd = ue;
  layout.versionStart = vs;
  layout.versionEnd = te;
  for (let k = us; k < ue; k++) {
    const c = b[k]!;
    if (c === SP || c === HT) {
      issue(
        issues,
        'bad-request-uri',
        'warning',
        'expected a Request-URI without white space (RFC 3261 §25.1), found white space inside it',
        us,
        ue,
      );
      break;
    }
  }
  if (ue > us && b[us] === 0x3c) {
    issue(
      issues,
      'bad-request-uri',
      'warning',
      "expected a bare Request-URI, found one enclosed in '<>' (RFC 3261 §7.1)",
      us,
      ue,
    );
  }
  checkVersion(b, vs, te, issues);
}

function checkVersion(b: Uint8Array, s: number, e: number, issues: Issue[]): void {
  // RFC 3261 §7.1: SIP-Version is "SIP/2.0" (case-insensitive letters).
  if (e - s === 7 && b[s + 4] === 0x32 && b[s + 5] === 0x2e && b[s + 6] === 0x30) return;
  issue(issues, 'unsupported-version', 'warning', `expected SIP/2.0, found another protocol version`, s, e);
}

function parseStatusLine(b: Uint8Array, s: number, e: number, layout: MessageLayout, issues: Issue[]): void {
  // RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
  layout.kind = 'response';
  let i = s;
  while (i < e && b[i] !== SP && b[i] !== HT) i++;
  layout.versionStart = s;
  layout.versionEnd = i;
  checkVersion(b, s, i, issues);
  const afterVersion = i;
  while (i < e && (b[i] === SP || b[i] === HT)) i++;
  if (i - afterVersion > 1) {
    issue(issues, 'bad-start-line', 'warning', 'expected exactly one SP after the SIP version, found more white space', afterVersion, i);
  }
  const cs = i;
  let code = 0;
  while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) {
    code = code * 10 + (b[i]! - 0x30);
    i++;
  }
  const ce = i;
  if (ce === cs || (i < e && b[i] !== SP && b[i] !== HT)) {
    issue(issues, 'bad-start-line', 'error', 'expected a three-digit status code after the SIP version, found something else', cs, e);
    layout.status = ce === cs ? undefined : code;
    layout.reasonStart = layout.reasonEnd = e;
    return;
  }
  if (ce - cs !== 3 || code < 100) {
    issue(
      issues,
      'bad-status-code',
      'error',
      `expected a three-digit status code (100-699, RFC 3261 §7.2), found ${ce - cs} digits`,
      cs,
      ce,
    );
  } else if (code > 699) {
    issue(issues, 'bad-status-code', 'warning', `expected a status code 100-699 (RFC 3261 §21), found ${code}`, cs, ce);
  }
  layout.status = code;
  // Reason-Phrase may be empty; the SP before it is sometimes left out by devices.
  layout.reasonStart = i < e ? i + 1 : e;
  layout.reasonEnd = e;
}
